"""Forecast intervals: conformal prediction sets, predictive distributions, the shipped calibration.

Below :mod:`accord.forecast` in the layers, so that every forecast carries its 80% set without
the forecast importing ``analysis/``: :mod:`~accord.intervals.conformal` (grouped
split-conformal sets), :mod:`~accord.intervals.predictive` (end-mass distributions, CRPS,
pinball loss) and :mod:`~accord.intervals.shipped` (the artefact ``data/calibration.json``
applied to one forecast). Fitting the artefact and the backtest's scoring live in
:mod:`accord.analysis.interval_calibration`.
"""
