"""DOCX renderer: real Word headings, captions, tables and pictures with alt text, editable by the partnership.

Word footnotes are not reachable through python-docx, so notes are numbered superscripts in the text
with a "Notes" section at the end, which reads the same when printed.
"""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document as new_docx
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from cspkit.report.document import Bullets, Document, Figure, NoteNumbers, Paragraph, Table


def _superscripts(paragraph, numbers: list[int]) -> None:
    if numbers:
        run = paragraph.add_run(",".join(str(n) for n in numbers))
        run.font.superscript = True


def _fld_char(kind: str) -> OxmlElement:
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    return char


def _instruction(code: str) -> OxmlElement:
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = code
    return instr


def _field(paragraph, code: str) -> None:
    """A Word field (e.g. PAGE), which Word fills in when it lays out the page."""
    paragraph.add_run()._r.extend([_fld_char("begin"), _instruction(code), _fld_char("end")])


def _contents(docx, titles: list[str]) -> None:
    """A real Word table of contents field (headings 1 and 2). Its entries are written in too, so the
    contents read correctly before Word updates the field (Word adds the page numbers on opening)."""
    docx.add_heading("Contents", level=1)
    first = docx.add_paragraph()
    first.add_run()._r.extend([_fld_char("begin"), _instruction('TOC \\o "1-2" \\h \\z \\u'), _fld_char("separate")])
    first.add_run(titles[0] if titles else "")
    for title in titles[1:]:
        docx.add_paragraph(title)
    docx.paragraphs[-1].add_run()._r.append(_fld_char("end"))
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    docx.settings.element.append(update)
    docx.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _repeat_header(row) -> None:
    props = row._tr.get_or_add_trPr()
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    props.append(marker)


def _table(docx, table: Table, notes: NoteNumbers, label: str) -> None:
    caption = docx.add_paragraph(f"{label}: {table.caption}", style="Caption")
    _superscripts(caption, notes(table.notes))
    grid = docx.add_table(rows=1, cols=len(table.columns))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    header = grid.rows[0]
    _repeat_header(header)
    for i, name in enumerate(table.columns):
        cell = header.cells[i]
        cell.text = ""
        run = cell.paragraphs[0].add_run(name)
        run.bold = True
    for values in table.rows:
        cells = grid.add_row().cells
        for i, value in enumerate(values):
            cells[i].text = value
            if table.is_numeric(i):
                cells[i].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for row in grid.rows:
        for cell in row.cells:
            for p in cell.paragraphs:
                for run in p.runs:
                    run.font.size = Pt(8.5)
    docx.add_paragraph()


def _figure(docx, figure: Figure, notes: NoteNumbers, label: str) -> None:
    docx.add_picture(io.BytesIO(figure.png), width=Cm(15.5))
    docx.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    inline = docx.inline_shapes[-1]._inline
    doc_pr = inline.docPr
    doc_pr.set("descr", figure.alt_text)
    doc_pr.set("title", figure.caption)
    caption = docx.add_paragraph(f"{label}: {figure.caption}", style="Caption")
    _superscripts(caption, notes(figure.notes))
    docx.add_paragraph(f"The data behind this chart are in the data appendix (table '{figure.data.caption}').").runs[
        0
    ].font.size = Pt(8)


def render_docx(document: Document, path: str | Path) -> Path:
    """Write the document as DOCX and return its path."""
    path = Path(path)
    docx = new_docx()
    section = docx.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for margin in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, margin, Cm(2.0))
    docx.styles["Normal"].font.name = "Arial"
    docx.styles["Normal"].font.size = Pt(10.5)
    docx.core_properties.title = document.title
    docx.core_properties.subject = document.subtitle
    docx.core_properties.author = document.author or "cspkit"
    docx.core_properties.language = document.lang
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("Page ")
    _field(footer, "PAGE")

    docx.add_paragraph(document.title, style="Title")
    docx.add_paragraph(document.subtitle, style="Subtitle")
    if document.cover:
        cover = docx.add_table(rows=0, cols=2)
        cover.style = "Table Grid"
        for label, value in document.cover:
            cells = cover.add_row().cells
            cells[0].text = label
            cells[0].paragraphs[0].runs[0].bold = True
            cells[1].text = value
    if document.notice:
        notice = docx.add_paragraph()
        run = notice.add_run(document.notice)
        run.bold = True
        run.font.color.rgb = RGBColor(0xA0, 0x3C, 0x00)
    docx.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    _contents(docx, [s.title for s in document.sections])

    notes = NoteNumbers()
    tables = figures = 0
    for depth, sec in document.walk():
        docx.add_heading(sec.title, level=min(depth, 4))
        for block in sec.blocks:
            if isinstance(block, Paragraph):
                p = docx.add_paragraph()
                if block.label:
                    p.add_run(f"{block.label}\t").bold = True
                p.add_run(block.text)
                if block.style == "notice":
                    for run in p.runs:
                        run.bold = True
                _superscripts(p, notes(block.notes))
            elif isinstance(block, Bullets):
                for item in block.items:
                    docx.add_paragraph(item, style="List Bullet")
                if block.notes:
                    _superscripts(docx.paragraphs[-1], notes(block.notes))
            elif isinstance(block, Table):
                tables += 1
                _table(docx, block, notes, f"Table {tables}")
            elif isinstance(block, Figure):
                figures += 1
                _figure(docx, block, notes, f"Figure {figures}")
    listing = notes.listing()
    if listing:
        docx.add_heading("Notes", level=1)
        for n, text in listing:
            p = docx.add_paragraph(f"{n}. {text}")
            p.runs[0].font.size = Pt(8.5)
    path.parent.mkdir(parents=True, exist_ok=True)
    docx.save(str(path))
    return path
