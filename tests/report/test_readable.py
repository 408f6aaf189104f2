"""The documents tell the committee what was found, in plain words a reader can check (issue 14).

Reading ease is measured with textstat (an independent implementation of the Flesch formula);
every number in the executive summary must be a cell of a table; no code-style name, ISO month or
archive path reaches a reader; every statistical term is in the glossary.
"""

from __future__ import annotations

import re

import pytest
import textstat

from cspkit.report.document import Bullets, Document, Paragraph, Section
from cspkit.report.glossary import document_words, load_glossary
from cspkit.report.pipeline import AssessmentRun

pytestmark = pytest.mark.slow  # shares the one real assessment of test_documents.py

#: Statistical words a committee member may not know: each must be defined where it is used.
JARGON = ("statistically significant", "p = ", "interval", "rate ratio", "poisson", "hot spot", "Gi*", "LSOA",
          "rolling mean", "margin of error", "weighted", "design effect", "Borda", "Schulze", "proxy", "per 1,000",
          "disproportionality", "q-value", "real change", "false discovery", "dispersion", "Holm", "Andresen", "emerging",
          "raking", "season")
MONTH = r"(January|February|March|April|May|June|July|August|September|October|November|December) \d{4}"


def prose(sections: list[Section]) -> str:
    """The sentences a reader reads (paragraphs and bullets), one per line."""
    parts: list[str] = []

    def visit(section: Section) -> None:
        for block in section.blocks:
            if isinstance(block, Paragraph):
                parts.append(block.text)
            elif isinstance(block, Bullets):  # each item read as a sentence of its own
                parts.extend(i if i.rstrip()[-1:] in ".:;?!" else i + "." for i in block.items)
        for child in section.subsections:
            visit(child)

    for section in sections:
        visit(section)
    return "\n".join(parts)


def section(doc: Document, title: str) -> Section:
    return next(s for s in doc.sections if s.title == title)


def numbers(text: str) -> set[str]:
    text = re.sub(MONTH, " ", text)
    return {n.rstrip(",.").replace(",", "") for n in re.findall(r"\d[\d,]*(?:\.\d+)?", text)}


@pytest.fixture(scope="module")
def documents(small_assessment: AssessmentRun) -> dict[str, Document]:
    return small_assessment.state["documents"]


def test_summary_and_committee_report_read_easily(documents: dict[str, Document]) -> None:
    summary = prose([section(documents["assessment"], "Executive summary")])
    committee = prose(documents["committee"].sections)
    assert len(summary.split()) > 150 and len(committee.split()) > 600
    assert textstat.flesch_reading_ease(summary) >= 50, textstat.flesch_reading_ease(summary)
    assert textstat.flesch_reading_ease(committee) >= 50, textstat.flesch_reading_ease(committee)


def test_every_number_in_the_summary_is_a_table_cell(documents: dict[str, Document]) -> None:
    doc = documents["assessment"]
    cells = set()
    for table in doc.tables():
        for row in table.rows:
            for cell in row:
                cells |= numbers(cell)
    summary = section(doc, "Executive summary")
    said = numbers(prose([summary]))
    assert said, "the summary states figures"
    assert said <= cells, f"numbers in the summary with no table cell: {sorted(said - cells)}"


def test_summary_puts_tested_changes_first_and_says_which_fail_the_test(documents: dict[str, Document]) -> None:
    summary = section(documents["assessment"], "Executive summary")
    titles = [s.title for s in summary.subsections]
    assert titles[:2] == ["What changed", "Places that stand out"]
    changed = [line for line in prose([summary.subsections[0]]).splitlines() if not line.startswith("The table below")]
    assert changed[0].startswith("Recorded crime (excluding ASB)") and changed[1].startswith("Anti-social behaviour")
    table = next(b for b in summary.subsections[0].blocks if getattr(b, "key", "") == "key_changes")
    assert len(changed) == min(len(table.rows), 7)
    for line, row in zip(changed, table.rows, strict=False):  # one sentence per row, in the table's order
        assert line.startswith(row[0])
        verdicts = [v for v in row if v in ("yes", "no")]
        assert ("a real change" in line) == ("yes" in verdicts) and ("cannot rule out" in line) == ("no" in verdicts)
    places = prose([summary.subsections[1]])
    assert "ward" in places and not re.search(r"E0\d{7}", places)  # named, never coded
    chosen = prose([next(s for s in summary.subsections if s.title == "Priorities and knowledge gaps")])
    assert "Anti-social behaviour was chosen because" in chosen and "residents'" in chosen


def test_the_case_for_each_priority_uses_its_strongest_evidence(small_assessment: AssessmentRun) -> None:
    """The demo's ASB fell over the period (a real fall) while its one-year change is chance: the
    committee report says the real fall and never "rose" for it."""
    committee = small_assessment.state["documents"]["committee"]
    priorities = section(committee, "Recommended priorities")
    asb = next(s for s in priorities.subsections if s.title == "Anti-social behaviour")
    case = asb.blocks[0].text
    board = small_assessment.evidence.board.filter(small_assessment.evidence.board["issue_id"] == "asb").row(0, named=True)
    if board["change_3y_significant"] or board["change_1y_significant"]:
        assert "a real change" in case
    assert "rose" not in case or board["change_1y_pct"] > 0


def test_no_internal_identifier_reaches_a_reader(small_assessment: AssessmentRun, documents: dict[str, Document]) -> None:
    ids = [i for i in small_assessment.evidence.measures if "_" in i or i in ("vawg", "asb")]
    for name, doc in documents.items():
        text = document_words(doc) + "\n" + prose(doc.sections)
        for issue_id in ids:
            assert not re.search(rf"(?<![\w.]){issue_id}(?![\w.])", text), (name, issue_id)
        assert not re.search(r"\b[a-z]+_[a-z_]+\b(?!\.\w)", text), (name, re.search(r"\b[a-z]+_[a-z_]+\b(?!\.\w)", text))


def test_dates_are_written_in_words_and_notes_cite_no_archive_paths(small_assessment: AssessmentRun) -> None:
    for name in ("strategic-assessment.html",):
        html = small_assessment.outputs[name].read_text(encoding="utf-8")
        body = re.sub(r"<img [^>]*>", "", html)
        assert not re.search(r"(?<![\w/.-])\d{4}-(0[1-9]|1[0-2])(?![\w-])", body)
        assert ".zip:" not in body
    committee = small_assessment.state["documents"]["committee"]
    assert not re.search(r"\d{4}-\d{2}", prose(committee.sections))


def test_every_statistical_term_used_is_in_the_glossary(documents: dict[str, Document]) -> None:
    for doc in documents.values():
        glossary = section(doc, "Glossary")
        defined = [row[0] for row in glossary.blocks[0].rows]
        words = document_words(doc).split("\nGlossary\n")[0]  # the document's words, not the definitions
        terms = load_glossary()
        for word in JARGON:
            if word.lower() in words.lower():
                assert any(t.term in defined and t.used_in(word) for t in terms), (doc.title, word)


def test_the_demo_decision_makes_no_claim_without_data(small_assessment: AssessmentRun) -> None:
    from cspkit.report.claims import claims, unsourced_claims

    assert len(list(claims(small_assessment.evidence))) >= 3  # the demo's rationales do claim changes
    assert unsourced_claims(small_assessment.evidence) == []


def test_risk_issues_show_what_measures_them_and_say_proxy(documents: dict[str, Document]) -> None:
    table = next(t for t in documents["assessment"].tables() if t.key == "issue_measures")
    rows = dict(table.rows)
    assert rows["Serious youth violence and knife crime"].startswith("police.uk: Possession of weapons (proxy:")
    assert "same figures also measure Domestic abuse" in rows["Violence against women and girls"]
    assert rows["Violence and sexual offences"] == "police.uk: Violence and sexual offences"
    assert rows["Cyber-crime and fraud"] == "no local data"


def test_committee_report_is_in_the_councils_form(small_assessment: AssessmentRun, documents: dict[str, Document]) -> None:
    doc = documents["committee"]
    labels = [b.label for _, s in doc.walk() for b in s.blocks if isinstance(b, Paragraph) and b.style != "notice"]
    assert labels[:2] == ["1.1", "2.1"] and all(labels)
    titles = [s.title for s in doc.sections]
    assert titles.index("Key findings") < titles.index("Appendices and background papers")
    assert any(t.key == "committee_headlines" for t in section(doc, "Key findings").blocks if hasattr(t, "key"))
    achievements = section(doc, "Achievements against the previous priorities")
    bullets = [b for b in achievements.blocks if isinstance(b, Bullets)]
    assert any("A joint ASB hub" in item for b in bullets for item in b.items)
    council = next(b for b in section(doc, "Council priorities").blocks if isinstance(b, Bullets))
    assert all(": " in line and "To complete" not in line for line in council.items)
    assert "gap(s)" not in prose(doc.sections)
    equalities = next(s for s in section(doc, "Corporate implications").subsections if s.title == "Equalities")
    assert "residents' survey" in prose([equalities])
    searches = next(b for b in equalities.blocks if getattr(b, "key", "") == "stop_search_by_ethnicity")
    assert [r[0] for r in searches.rows] == ["Asian", "Black", "Mixed", "White", "Other", "Not stated"]
    assert "times as often as White residents" in prose([equalities])


def test_pdf_contents_give_the_page_of_each_section(small_assessment: AssessmentRun) -> None:
    from pypdf import PdfReader

    reader = PdfReader(small_assessment.outputs["strategic-assessment.pdf"])
    contents = re.sub(r"\s+", " ", reader.pages[1].extract_text())
    assert contents.startswith("Contents")
    for title in ("Executive summary", "Risk matrix", "Glossary", "Data appendix"):
        found = re.search(re.escape(title) + r"[ .]*?(\d+)", contents)
        assert found, (title, contents)
        page = reader.pages[int(found.group(1)) - 1].extract_text()
        assert re.sub(r"\s+", " ", page).lstrip().startswith(title), (title, found.group(1))


def test_docx_contents_is_a_word_field_listing_the_sections(small_assessment: AssessmentRun) -> None:
    import docx

    document = docx.Document(str(small_assessment.outputs["strategic-assessment.docx"]))
    xml = document.element.xml
    assert 'TOC \\o "1-2"' in xml and 'w:fldCharType="separate"' in xml
    texts = [p.text for p in document.paragraphs]
    start = texts.index("Contents") + 1
    assert texts[start : start + 2] == ["Executive summary", "Introduction and methodology"]
