"""One document model, built once from the evidence and rendered to DOCX, HTML and PDF.

The builders (:mod:`cspkit.report.assessment`, :mod:`cspkit.report.committee`) decide WHAT a
document says; the renderers decide only how it looks. A number therefore appears in the same
words in every format, and a test can read it back from any of them.

Notes are footnotes: each block carries the text of its notes (usually a provenance sentence) and
the renderers number them in reading order, one number per distinct text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl


@dataclass(frozen=True)
class Paragraph:
    text: str
    notes: tuple[str, ...] = ()
    style: str = "body"  # body | lead | notice
    label: str = ""  # a paragraph number ("3.2") printed before the text, as council reports number them


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    """A table of display strings; ``key`` names its CSV in the output folder."""

    key: str
    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...] = ()
    notes: tuple[str, ...] = ()

    def is_numeric(self, index: int) -> bool:
        return bool(self.numeric) and self.numeric[index]


@dataclass(frozen=True)
class Figure:
    """A chart or map: the image, its alt text, and the data table behind it (for the appendix).

    ``annex`` is the full table when ``data`` shows readers only a summary of it (e.g. the
    neighbourhoods that stand out, by name, out of every LSOA by code): it goes to the CSV annex only.
    """

    key: str
    caption: str
    png: bytes
    alt_text: str
    data: Table
    notes: tuple[str, ...] = ()
    annex: Table | None = None


Block = Paragraph | Bullets | Table | Figure


@dataclass
class Section:
    title: str
    blocks: list[Block] = field(default_factory=list)
    subsections: list[Section] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return slug(self.title)

    def add(self, *blocks: Block) -> Section:
        self.blocks.extend(blocks)
        return self

    def sub(self, title: str) -> Section:
        child = Section(title)
        self.subsections.append(child)
        return child


@dataclass
class Document:
    """A whole document: the cover facts, an optional notice (e.g. synthetic inputs) and sections."""

    title: str
    subtitle: str
    cover: list[tuple[str, str]] = field(default_factory=list)
    notice: str | None = None
    sections: list[Section] = field(default_factory=list)
    lang: str = "en-GB"
    author: str = ""
    page_per_section: bool = True  # print: each top-level section starts a new page

    def section(self, title: str) -> Section:
        new = Section(title)
        self.sections.append(new)
        return new

    def walk(self) -> Iterator[tuple[int, Section]]:
        """Every section with its depth (1 for top level), in reading order."""

        def visit(section: Section, depth: int) -> Iterator[tuple[int, Section]]:
            yield depth, section
            for child in section.subsections:
                yield from visit(child, depth + 1)

        for top in self.sections:
            yield from visit(top, 1)

    def blocks(self) -> Iterator[Block]:
        for _, section in self.walk():
            yield from section.blocks

    def tables(self) -> list[Table]:
        """Every table, including the data tables behind the figures (and their CSV-only full versions)."""
        out: list[Table] = []
        for block in self.blocks():
            if isinstance(block, Table):
                out.append(block)
            elif isinstance(block, Figure):
                out.append(block.data)
                if block.annex is not None:
                    out.append(block.annex)
        return out

    def figures(self) -> list[Figure]:
        return [b for b in self.blocks() if isinstance(b, Figure)]


class NoteNumbers:
    """Numbers notes in reading order, one number per distinct text."""

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}

    def __call__(self, notes: Sequence[str]) -> list[int]:
        found = [self.numbers.setdefault(text, len(self.numbers) + 1) for text in notes]
        return list(dict.fromkeys(found))  # a note cited twice by one block is marked once

    def listing(self) -> list[tuple[int, str]]:
        return [(n, text) for text, n in self.numbers.items()]


def sentence(text: str) -> str:
    """Text with its first letter in capitals (a reason that becomes a sentence of its own)."""
    return text[:1].upper() + text[1:]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"


Formatter = Callable[[Any], str]


def number(value: Any, decimals: int = 0) -> str:
    """Thousands separators, fixed decimals; an em dash for a missing value."""
    if value is None or (isinstance(value, float) and value != value):
        return "–"
    if isinstance(value, str):
        return value
    return f"{value:,.{decimals}f}"


def percent(value: Any, decimals: int = 1) -> str:
    """A percentage already in percent units, signed (a change)."""
    if value is None or (isinstance(value, float) and value != value):
        return "–"
    return f"{value:+.{decimals}f}%"


def share(value: Any, decimals: int = 0) -> str:
    """A share from 0 to 1 shown as a percentage."""
    if value is None or (isinstance(value, float) and value != value):
        return "–"
    return f"{value * 100:.{decimals}f}%"


def table_from_frame(
    key: str,
    caption: str,
    frame: pl.DataFrame,
    headers: dict[str, str] | None = None,
    formats: dict[str, Formatter] | None = None,
    notes: Sequence[str] = (),
) -> Table:
    """A document table from a frame: columns renamed by ``headers``, values shown by ``formats``.

    Columns without a formatter are shown with :func:`number` if numeric, else as text. Header
    entries for columns the frame lacks are left out, so one header map serves several methods.
    """
    headers = headers or {}
    formats = formats or {}
    columns = [c for c in headers if c in frame.columns] if headers else frame.columns
    numeric = tuple(frame.schema[c].is_numeric() for c in columns)
    rows = []
    for record in frame.select(columns).iter_rows(named=True):
        row = []
        for c, is_num in zip(columns, numeric, strict=True):
            value = record[c]
            if c in formats:
                row.append(formats[c](value))
            elif is_num:
                row.append(number(value, 0 if frame.schema[c].is_integer() else 1))
            else:
                row.append("" if value is None else str(value))
        rows.append(tuple(row))
    return Table(
        key=key,
        caption=caption,
        columns=tuple(headers.get(c, c) for c in columns),
        rows=tuple(rows),
        numeric=numeric,
        notes=tuple(notes),
    )
