"""Expert panels: sheets, strict reading, merging and agreement statistics.

Expert panels: sheets for experts to fill, strict reading, merging with the disagreement kept,
and agreement statistics (docs/panel.md).

* :mod:`accord.panel.template` writes the sheet (CSV and XLSX) for a scenario.
* :mod:`accord.panel.sheets` reads filled sheets, refusing anything it cannot read exactly.
* :mod:`accord.panel.merge` aggregates the answers into a scenario (``elicited`` provenance).
* :mod:`accord.panel.stats` measures spread and Krippendorff's alpha across the experts.
"""
