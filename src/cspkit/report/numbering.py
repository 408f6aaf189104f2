"""Numbered paragraphs, as council reports number them: "3.2" is the second paragraph of section 3.

Members refer to paragraphs by number in the meeting, so every body paragraph of every top-level
section (its subsections included) carries one; notices (e.g. "Step not run") are not numbered.
"""

from __future__ import annotations

from dataclasses import replace

from cspkit.report.document import Document, Paragraph, Section


def _label(section: Section, prefix: int, counter: list[int]) -> None:
    for i, block in enumerate(section.blocks):
        if isinstance(block, Paragraph) and block.style != "notice":
            counter[0] += 1
            section.blocks[i] = replace(block, label=f"{prefix}.{counter[0]}")
    for child in section.subsections:
        _label(child, prefix, counter)


def number_paragraphs(document: Document) -> Document:
    """Label every body paragraph "section.paragraph" in reading order (changed in place)."""
    for number, section in enumerate(document.sections, start=1):
        _label(section, number, [0])
    return document
