"""The glossary: plain definitions of the terms a document uses, read from an editable TOML file.

A reader of the executive summary or the committee report should never meet a statistical term
that the document does not explain; the glossary lists exactly the terms the document's text uses.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from cspkit.report.document import Bullets, Document, Figure, Paragraph, Section, Table

GLOSSARY = Path(__file__).parent / "data" / "glossary.toml"


@dataclass(frozen=True)
class Term:
    term: str
    definition: str
    patterns: tuple[re.Pattern[str], ...]

    def used_in(self, text: str) -> bool:
        return any(p.search(text) for p in self.patterns)


@cache
def load_glossary(path: Path = GLOSSARY) -> tuple[Term, ...]:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    return tuple(
        Term(t["term"], t["definition"], tuple(re.compile(m, re.IGNORECASE) for m in t["match"])) for t in raw["term"]
    )


def document_words(document: Document) -> str:
    """Everything a reader reads in the document's sections: prose, captions and table cells."""
    parts: list[str] = []
    for _, section in document.walk():
        parts += section_words(section, deep=False)
    return "\n".join(parts)


def section_words(section: Section, deep: bool = True) -> list[str]:
    """The prose and table text of one section (and, with ``deep``, of its subsections)."""
    parts = [section.title]
    for block in section.blocks:
        if isinstance(block, Paragraph):
            parts.append(block.text)
        elif isinstance(block, Bullets):
            parts += block.items
        elif isinstance(block, Table):
            parts += [block.caption, *block.columns, *(" ".join(row) for row in block.rows)]
        elif isinstance(block, Figure):
            parts.append(block.caption)
    if deep:
        for child in section.subsections:
            parts += section_words(child)
    return parts


def terms_used(text: str, terms: Iterable[Term] | None = None) -> list[Term]:
    return [t for t in (terms or load_glossary()) if t.used_in(text)]


def add_glossary(document: Document) -> None:
    """Append a "Glossary" section defining every term the document uses (none if it uses none)."""
    used = terms_used(document_words(document))
    if not used:
        return
    document.section("Glossary").add(
        Table(
            key="glossary",
            caption="Terms used in this document",
            columns=("Term", "What it means"),
            rows=tuple((t.term, t.definition) for t in used),
        )
    )
