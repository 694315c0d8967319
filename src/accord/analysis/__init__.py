"""Analyses over forecasts: deadlock, package deals, Monte Carlo, calibration and backtests."""
