"""Reports: HTML and PDF renderings of forecasts, backtests and the case report, with charts."""
