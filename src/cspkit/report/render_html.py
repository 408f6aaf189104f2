"""HTML and PDF renderers: one self-contained HTML file (images as data URIs), and PDF made from it.

The PDF is WeasyPrint's rendering of the same HTML with the print rules of the stylesheet (A4, page
numbers), written as PDF/UA-1 so it is tagged for screen readers.
"""

from __future__ import annotations

import base64
import itertools
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from cspkit.report.document import Bullets, Document, Figure, NoteNumbers, Paragraph, Table

TEMPLATES = Path(__file__).parent / "templates"


class _Counter:
    """Numbers tables and figures in reading order while the template renders."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self._ids = itertools.count(1)

    def next(self, kind: str) -> int:
        self.counts[kind] = self.counts.get(kind, 0) + 1
        return self.counts[kind]

    def unique(self) -> int:
        return next(self._ids)


def _kind(block: object) -> str:
    kinds = {Paragraph: "paragraph", Bullets: "bullets", Table: "table", Figure: "figure"}
    return kinds[type(block)]


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True
    )


def render_html(document: Document) -> str:
    """The document as one self-contained, accessible HTML page."""
    template = _environment().get_template("document.html")
    return template.render(
        doc=document,
        css=(TEMPLATES / "document.css").read_text(encoding="utf-8"),
        notes=NoteNumbers(),
        counter=_Counter(),
        kind=_kind,
        b64=lambda data: base64.b64encode(data).decode("ascii"),
    )


def write_html(document: Document, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(document), encoding="utf-8")
    return path


def write_pdf(document: Document, path: str | Path, html: str | None = None) -> Path:
    """The document as a tagged A4 PDF (PDF/UA-1), from its HTML."""
    return html_to_pdf(html or render_html(document), path)


def html_to_pdf(html: str, path: str | Path) -> Path:
    """WeasyPrint's A4 print rendering of the HTML, tagged as PDF/UA-1 (a plain function, so a worker process can run it)."""
    from weasyprint import HTML  # imported here: WeasyPrint is slow to import and only this needs it

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    HTML(string=html, base_url=str(TEMPLATES)).write_pdf(str(path), pdf_variant="pdf/ua-1", media_type="print")
    return path
