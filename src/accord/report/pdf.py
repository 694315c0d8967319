"""Print a written HTML report to PDF with headless Chromium (Playwright's ``page.pdf``).

The browser is ``ACCORD_CHROMIUM`` (the Debian Chromium the browser tests use, set by
scripts/test-services.sh), else ``/usr/bin/chromium``. Sections marked ``class="page"`` start a
new page (print CSS in :mod:`accord.report.html`); every page carries a header with the
scenario, the date and the accord version, and a page number at the foot.
"""

from __future__ import annotations

import html
import os
from pathlib import Path

from accord.errors import AccordError

DEFAULT_CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def chromium_executable() -> str:
    """The Chromium to print with, or an :class:`AccordError` saying how to get one."""
    path = os.environ.get("ACCORD_CHROMIUM") or DEFAULT_CHROMIUM
    if not Path(path).is_file():
        raise AccordError(
            f"--pdf needs Chromium: none at {path} (set ACCORD_CHROMIUM or run "
            "scripts/test-services.sh)"
        )
    return path


def print_pdf(html_path: Path, pdf_path: Path, *, title: str, date: str, version: str) -> Path:
    """Print ``html_path`` to ``pdf_path`` (A4, header and page numbers); return ``pdf_path``."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - playwright is a dependency
        raise AccordError("--pdf needs the playwright package") from exc
    executable = chromium_executable()
    style = "font-size:8px;width:100%;padding:0 12mm;color:#555;display:flex;justify-content:space-between"
    header = (
        f'<div style="{style}"><span>{html.escape(title)}</span><span>{html.escape(date)}</span>'
        f"<span>accord {html.escape(version)}</span></div>"
    )
    footer = (
        f'<div style="{style};justify-content:center"><span class="pageNumber"></span>'
        '&nbsp;/&nbsp;<span class="totalPages"></span></div>'
    )
    tmp = pdf_path.with_name(pdf_path.name + ".part")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, headless=True, args=LAUNCH_ARGS)
        try:
            page = browser.new_page()
            page.goto(html_path.resolve().as_uri(), wait_until="load")
            page.pdf(
                path=str(tmp),
                format="A4",
                print_background=True,
                display_header_footer=True,
                header_template=header,
                footer_template=footer,
                margin={"top": "18mm", "bottom": "16mm", "left": "12mm", "right": "12mm"},
            )
        finally:
            browser.close()
    tmp.replace(pdf_path)  # no half-written PDF
    return pdf_path
