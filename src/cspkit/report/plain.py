"""Plain words for readers: dates as "May 2021" rather than "2021-05", applied to a whole document.

The analysis, the steps and the provenance notes write ISO months because they are exact and sort
well; a committee member reads "May 2021 to April 2024". One pass over the finished document
model rewrites them, so no builder can forget to.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import replace

from cspkit.report.document import Bullets, Document, Figure, Paragraph, Section, Table

# An ISO date or month standing alone: not part of a file name such as 2021-05-bedfordshire-street.csv.
_ISO = re.compile(r"(?<![\w/.-])(\d{4})-(0[1-9]|1[0-2])(?:-(0[1-9]|[12]\d|3[01]))?(?![\w/-])")
# "January 2024 to January 2024": a one-month period written as a range.
_SAME_MONTH = re.compile(rf"\b((?:{'|'.join(calendar.month_name[1:])}) \d{{4}}) to \1\b")


def plain_dates(text: str) -> str:
    """'2021-05 to 2024-04' -> 'May 2021 to April 2024'; '2024-09-12' -> '12 September 2024'."""

    def spoken(match: re.Match[str]) -> str:
        year, month, day = match.group(1), int(match.group(2)), match.group(3)
        name = f"{calendar.month_name[month]} {year}"
        return f"{int(day)} {name}" if day else name

    return _SAME_MONTH.sub(r"\1", _ISO.sub(spoken, text))



# A provenance note's list of source files, e.g. "sources a.zip:2021-05/x.csv, a.zip:2021-06/y.csv and 37 more".
_SOURCES = re.compile(r"sources (?P<files>[^;]*?)(?: and (?P<more>\d+) more)?(?=;|\.$|$)")


def plain_note(text: str) -> str:
    """A note for readers: ISO dates in words, and files inside downloaded archives counted rather than
    listed by their paths ("sources: 40 files from bedfordshire-2021-05-to-2024-04.zip")."""

    def counted(match: re.Match[str]) -> str:
        files = [f.strip() for f in match.group("files").split(",") if f.strip()]
        archives = list(dict.fromkeys(f.split(":", 1)[0] for f in files if ".zip:" in f))
        if not archives:
            return match.group(0)
        total = len(files) + int(match.group("more") or 0)
        return f"sources: {total} files from {', '.join(archives)}"

    return spelled_out(plain_dates(_SOURCES.sub(counted, text)))


def _table(table: Table) -> Table:
    return replace(
        table,
        caption=plain_dates(table.caption),
        columns=tuple(plain_dates(c) for c in table.columns),
        rows=tuple(tuple(plain_dates(v) for v in row) for row in table.rows),
        notes=tuple(plain_note(n) for n in table.notes),
    )


def _block(block: Paragraph | Bullets | Table | Figure) -> Paragraph | Bullets | Table | Figure:
    notes = tuple(plain_note(n) for n in block.notes)
    if isinstance(block, Paragraph):
        return replace(block, text=plain_dates(block.text), notes=notes)
    if isinstance(block, Bullets):
        return replace(block, items=tuple(plain_dates(i) for i in block.items), notes=notes)
    if isinstance(block, Table):
        return _table(block)
    return replace(
        block,
        caption=plain_dates(block.caption),
        alt_text=plain_dates(block.alt_text),
        data=_table(block.data),
        annex=_table(block.annex) if block.annex is not None else None,
        notes=notes,
    )


def _section(section: Section) -> None:
    section.title = plain_dates(section.title)
    section.blocks = [_block(b) for b in section.blocks]
    for child in section.subsections:
        _section(child)


def with_plain_dates(document: Document) -> Document:
    """The document with every ISO date and month in its text written out in words (changed in place)."""
    document.title = plain_dates(document.title)
    document.subtitle = plain_dates(document.subtitle)
    document.cover = [(label, plain_dates(value)) for label, value in document.cover]
    for section in document.sections:
        _section(section)
    return document


# A code-style name (domestic_abuse, repeat_victims) that is not part of a file name (demo_register.toml).
_IDENTIFIER = re.compile(r"\b([a-z][a-z0-9]*(?:_[a-z0-9]+)+)\b(?!\.\w)")


def spelled_out(text: str) -> str:
    """Code-style names in words: 'repeat_victims:substance_treatment' -> 'repeat victims: substance treatment'."""
    return re.sub(r"(?<=\w):(?=\w)", ": ", _IDENTIFIER.sub(lambda m: m.group(1).replace("_", " "), text))
