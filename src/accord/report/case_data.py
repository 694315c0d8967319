"""What the case report shows.

:class:`~accord.analysis.case.CaseAnalysis`, computed by
:func:`accord.analysis.case.analyse_case` and rendered by the section modules.

``CaseReport`` is the name the renderers use for it.
"""

from __future__ import annotations

from accord.analysis.case import CaseAnalysis, ProgrammeComparison

CaseReport = CaseAnalysis

__all__ = ["CaseReport", "ProgrammeComparison"]
