"""The documents of a real (small) assessment: structure, figures, numbers and accessibility."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from cspkit.analysis.scope import ALL_CRIME
from cspkit.data import warehouse
from cspkit.report.document import Table
from cspkit.report.pipeline import AssessmentRun
from cspkit.report.plain import plain_dates

from .conftest import blank_pages

pytestmark = pytest.mark.slow  # one real assessment (about 30 s on an idle 2-core machine), shared by every test here

SECTIONS = [
    "Executive summary",
    "Introduction and methodology",
    "Limits of the data",
    "Area profile",
    "Achievements against the previous priorities",
    "Priorities",
    "Knowledge gaps",
    "Issues for consideration",
    "The partnership focus group",
    "Risk matrix",
    "Horizon scanning",
    "Residents' survey",
    "Substance misuse",
    "Victims and people supported: partner data",
    "Glossary",
    "How this was produced",
    "Data appendix",
]
COMMITTEE_SECTIONS = [
    "Purpose of the report",
    "Recommendations",
    "The partnership and its statutory duty",
    "Methodology",
    "Key findings",
    "Achievements against the previous priorities",
    "Recommended priorities",
    "Knowledge gap",
    "Options for consideration",
    "Corporate implications",
    "Conclusion and next steps",
]


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_every_step_ran_and_every_output_exists(small_assessment: AssessmentRun) -> None:
    assert [s.status for s in small_assessment.steps] == ["done"] * 10, small_assessment.steps
    for name in (
        "strategic-assessment.docx",
        "strategic-assessment.html",
        "strategic-assessment.pdf",
        "committee-report.docx",
        "committee-report.pdf",
    ):
        assert small_assessment.outputs[name].stat().st_size > 10_000
    tables = small_assessment.outputs["strategic-assessment.pdf"].parent / "tables"
    assert (tables / "risk_matrix.csv").exists() and (tables / "evidence_board.csv").exists()


def test_docx_has_sections_tables_and_figures_with_alt_text(small_assessment: AssessmentRun) -> None:
    model = small_assessment.state["documents"]["assessment"]
    document = docx.Document(str(small_assessment.outputs["strategic-assessment.docx"]))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading 1")]
    assert headings[: len(SECTIONS) + 1] == ["Contents", *SECTIONS]
    assert 'TOC \\o "1-2"' in document.element.xml  # a Word table of contents field
    pictures = document.inline_shapes
    assert len(pictures) == len(model.figures()) >= 5  # trend, map per priority; heat map; survey concerns
    for shape in pictures:
        assert len(shape._inline.docPr.get("descr")) > 40
    # one Word table per table block (body and appendix), plus the cover table
    assert len(document.tables) == 1 + sum(isinstance(b, Table) for b in model.blocks())


def test_headline_crime_count_equals_an_independent_count(small_assessment: AssessmentRun) -> None:
    """The executive summary's crime figure equals a plain SQL count of the warehouse, done here: the area's
    crime in the latest 12 months from the forces that published every month of the assessment period (a
    force loaded for some months only, such as British Transport Police, is left out of every count)."""
    config_dir = small_assessment.outputs["strategic-assessment.pdf"].parents[1]
    with warehouse.read(config_dir / "warehouse.duckdb") as con:  # street: the DuckDB file and its Parquet folder
        expected = con.execute(
            """WITH complete AS (SELECT force FROM street WHERE month BETWEEN ? AND ? GROUP BY 1
                                 HAVING count(DISTINCT month) = 24)
               SELECT count(*) FROM street s JOIN lsoa l USING (lsoa21_code)
               WHERE l.lad_code = 'E06000056' AND s.month BETWEEN ? AND ? AND s.crime_type <> 'Anti-social behaviour'
                 AND s.force IN (SELECT force FROM complete)""",
            [date(2022, 5, 1), date(2024, 4, 1), date(2023, 5, 1), date(2024, 4, 1)],
        ).fetchone()[0]
    analysis = small_assessment.state["analysis"]
    assert analysis.rates.filter(analysis.rates["crime_type"] == ALL_CRIME)["count"].item() > 0
    document = docx.Document(str(small_assessment.outputs["strategic-assessment.docx"]))
    headline = next(t for t in document.tables if t.rows[0].cells[0].text == "Measure")
    row = next(r for r in headline.rows if r.cells[0].text.startswith("Recorded crime"))
    assert row.cells[1].text.startswith(f"{expected:,} (")
    pdf_text = flat(
        " ".join(page.extract_text() for page in PdfReader(small_assessment.outputs["strategic-assessment.pdf"]).pages[:6])
    )
    assert f"{expected:,}" in pdf_text


def test_priority_sentences_are_the_analysis_modules_words(small_assessment: AssessmentRun) -> None:
    analysis = small_assessment.state["analysis"]
    figures = small_assessment.evidence.issues["violence"]
    # the issue's series equals the analysis module's own series for its one category
    own = analysis.monthly.filter(analysis.monthly["crime_type"] == "Violence and sexual offences")
    assert figures.monthly["count"].to_list() == own.sort("month")["count"].to_list()
    document = docx.Document(str(small_assessment.outputs["strategic-assessment.docx"]))
    text = "\n".join(p.text for p in document.paragraphs)
    for sentence in figures.sentences:
        assert plain_dates(sentence) in text  # the analysis module's words, with its months written out
    pdf_text = flat(" ".join(p.extract_text() for p in PdfReader(small_assessment.outputs["strategic-assessment.pdf"]).pages))
    assert flat(plain_dates(figures.sentences[0]))[:60] in pdf_text


def test_synthetic_inputs_are_marked(small_assessment: AssessmentRun) -> None:
    for name in ("strategic-assessment.pdf", "committee-report.pdf"):
        first = flat(PdfReader(small_assessment.outputs[name]).pages[0].extract_text())
        assert "SYNTHETIC DEMONSTRATION INPUTS" in first
        for what in ("risk matrix scores", "residents' survey responses", "focus-group votes"):
            assert what in first


def test_pdf_is_tagged_a4_with_page_numbers_and_no_empty_page(small_assessment: AssessmentRun) -> None:
    pdf = small_assessment.outputs["strategic-assessment.pdf"]
    reader = PdfReader(pdf)
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/Lang"] == "en-GB"
    box = reader.pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (210, 297)
    assert f"Page 2 of {len(reader.pages)}" in reader.pages[1].extract_text()
    text = flat(" ".join(p.extract_text() for p in reader.pages))
    for title in SECTIONS:
        assert title in text
    assert blank_pages(pdf) == []
    assert blank_pages(small_assessment.outputs["committee-report.pdf"]) == []


def test_html_is_one_accessible_file(small_assessment: AssessmentRun) -> None:
    html = small_assessment.outputs["strategic-assessment.html"].read_text(encoding="utf-8")
    assert '<html lang="en-GB">' in html
    assert not re.search(r'(src|href)="(?!data:|#)', html)  # nothing outside the file
    images = re.findall(r"<img [^>]*>", html)
    assert images and all(re.search(r'alt="[^"]{20,}"', img) for img in images)
    assert html.count("<table") == html.count("<caption")
    assert html.count("<h1") == 1


def test_committee_report_has_council_form_and_config_placeholders(small_assessment: AssessmentRun) -> None:
    document = docx.Document(str(small_assessment.outputs["committee-report.docx"]))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    for title in COMMITTEE_SECTIONS:
        assert title in headings
    text = "\n".join(p.text for p in document.paragraphs)
    assert "endorse the recommended priorities: Domestic abuse and violence against women and girls; Serious violence" in text
    assert "(Demo text: to be confirmed by Legal Services.)" in text
    cover = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}
    assert cover["Key decision"] == "Yes" and cover["Date of meeting"] == "12 September 2024"


def test_small_counts_never_reach_the_tables(small_assessment: AssessmentRun) -> None:
    """Every published count of 1 to 4 is shown as "<5" (the LSOA tables have many)."""
    folder = small_assessment.outputs["strategic-assessment.pdf"].parent / "tables"
    seen_suppressed = False
    for path in folder.glob("*_lsoa.csv"):
        for line in path.read_text(encoding="utf-8").splitlines()[1:]:
            count = line.split(",")[1]
            assert count not in {"1", "2", "3", "4"}
            seen_suppressed |= count == "<5"
    assert seen_suppressed


@pytest.mark.parametrize("name", ["strategic-assessment.pdf", "committee-report.pdf"])
def test_pdf_opens_and_has_pages(small_assessment: AssessmentRun, name: str) -> None:
    assert len(PdfReader(Path(small_assessment.outputs[name])).pages) >= 5


def test_steps_without_inputs_are_skipped_and_the_document_says_so(small_assessment: AssessmentRun, tmp_path: Path) -> None:
    """A config with only police data: the other steps are skipped with their reason, and no number is invented."""
    import shutil

    from cspkit.config import load_config
    from cspkit.report.assessment import build_assessment
    from cspkit.report.pipeline import run_assessment

    source = small_assessment.outputs["strategic-assessment.pdf"].parents[1] / "warehouse.duckdb"
    shutil.copy(source, tmp_path / "warehouse.duckdb")
    shutil.copytree(source.with_name("warehouse.parquet"), tmp_path / "warehouse.parquet")  # the police.uk rows
    (tmp_path / "assessment.toml").write_text(
        '[assessment]\narea_codes = ["E06000056"]\nperiod_start = "2022-05"\nperiod_end = "2024-04"\n', encoding="utf-8"
    )
    run = run_assessment(load_config(tmp_path / "assessment.toml"), documents=False)
    status = {s.step: (s.status, s.detail) for s in run.steps}
    assert status["Analysis"][0] == "done"
    for step, reason in (
        ("Partner data", "no partner sources"),
        ("Risk matrix", "no risk scores"),
        ("Horizon scanning", "no horizon-scanning register"),
        ("Survey", "no survey responses"),
        ("Decision", "no votes, decision or previous priorities"),
    ):
        assert status[step][0] == "skipped" and status[step][1].startswith(reason), status[step]
    assert run.evidence.board["risk_rank"].null_count() == run.evidence.board.height
    document = build_assessment(run.evidence)
    survey = next(s for s in document.sections if s.title == "Residents' survey")
    assert survey.blocks[0].text.startswith("Step not run (Survey): no survey responses")
    assert document.notice is None  # nothing synthetic was used


def test_survey_responses_given_directly_are_analysed(small_assessment: AssessmentRun, tmp_path: Path) -> None:
    """Answers handed to the pipeline (the web app's path) are analysed instead of [survey] responses."""
    import shutil

    from cspkit.config import load_config
    from cspkit.report.pipeline import run_assessment
    from cspkit.survey.questionnaire import load_questionnaire
    from cspkit.survey.synthetic import generate_survey, population_cells

    source = small_assessment.outputs["strategic-assessment.pdf"].parents[1] / "warehouse.duckdb"
    shutil.copy(source, tmp_path / "warehouse.duckdb")
    shutil.copytree(source.with_name("warehouse.parquet"), tmp_path / "warehouse.parquet")
    (tmp_path / "assessment.toml").write_text(
        '[assessment]\narea_codes = ["E06000056"]\nperiod_start = "2022-05"\nperiod_end = "2024-04"\n', encoding="utf-8"
    )
    config = load_config(tmp_path / "assessment.toml")
    questionnaire = load_questionnaire(None, ("E06000056",))
    cells = population_cells(config.warehouse, list(config.area_codes), questionnaire)
    given = generate_survey(cells, questionnaire, n=120, seed=7).responses
    run = run_assessment(config, documents=False, survey_responses=given)
    step = next(s for s in run.steps if s.step == "Survey")
    assert step.status == "done" and step.detail.startswith("120 responses,"), step.detail
    assert "SYNTHETIC" not in step.detail  # not the config's synthetic demo survey
    assert run.state["survey"].respondents == 120


def test_survey_differences_are_the_tested_ones_and_reach_the_documents(small_assessment: AssessmentRun) -> None:
    import polars as pl

    breakdowns = small_assessment.state["survey"].breakdowns
    shown = small_assessment.evidence.survey.differences
    tested = breakdowns.filter((pl.col("kind") == "net") & (pl.col("p_adjusted") < 0.05) & ~pl.col("small_base"))
    # A two-group breakdown (sex) is shown once per measure: the other side is its mirror image.
    groups = breakdowns.group_by("variable").agg(pl.col("group_code").n_unique())
    pairs = set(groups.filter(pl.col("group_code") == 2)["variable"])
    per_measure = tested.group_by("variable", "question_id", "answer_code").len()
    expected = sum(1 if row["variable"] in pairs else row["len"] for row in per_measure.iter_rows(named=True))
    assert shown.height == expected > 0
    assert shown["verdict"].str.starts_with("significantly").all()
    assert (shown["difference"].abs() > 0).all() and shown["base"].min() > 0
    document = docx.Document(str(small_assessment.outputs["strategic-assessment.docx"]))
    table = next(t for t in document.tables if "Group % (95% interval)" in [c.text for c in t.rows[0].cells])
    assert len(table.rows) == shown.height + 1
    csv = small_assessment.outputs["strategic-assessment.docx"].parent / "tables" / "survey_differences.csv"
    assert csv.exists()
    # Every figure from fewer than 50 answers carries its caution in the same row.
    bases = [row.cells[-1].text for row in table.rows[1:]]
    for base, text in zip(shown["base"].to_list(), bases, strict=True):
        assert text.startswith(str(base))
        assert ("small base" in text) == (base < 50)


def test_issue_outcomes_count_every_crime_once_and_protect_small_counts(small_assessment: AssessmentRun) -> None:
    """The outcomes table of each crime issue: one row per outcome summing to the issue's crimes
    with a crime ID (counted here in SQL), and a small count never recoverable from the total."""
    config_dir = small_assessment.outputs["strategic-assessment.pdf"].parents[1]
    with warehouse.read(config_dir / "warehouse.duckdb") as con:
        crimes = dict(con.execute(
            """SELECT s.crime_type, count(DISTINCT s.crime_id) FROM street s JOIN lsoa l USING (lsoa21_code)
               WHERE l.lad_code = 'E06000056' AND s.month BETWEEN ? AND ? AND s.crime_id IS NOT NULL GROUP BY 1""",
            [date(2022, 5, 1), date(2024, 4, 1)],
        ).fetchall())
    with_outcomes = [f for f in small_assessment.evidence.issues.values() if f.outcomes is not None]
    assert with_outcomes, "the demo's violence priority has police.uk outcomes"
    for figures in with_outcomes:
        table = figures.outcomes
        assert table["outcome"][-1] == "All outcomes"
        total = table["count"][-1]
        assert table["count"][:-1].sum() == total
        assert abs(table["share_pct"][:-1].sum() - 100) < 1e-9
        categories = [c for c in figures.categories["category"].to_list() if c != ALL_CRIME]
        assert total == sum(crimes.get(c, 0) for c in categories)
    document = docx.Document(str(small_assessment.outputs["strategic-assessment.docx"]))
    for t in document.tables:
        if t.rows[0].cells[0].text == "Outcome":
            hidden = [r for r in t.rows[1:] if r.cells[1].text in ("<5", "*")]
            assert len(hidden) != 1, "one hidden count beside a total can be worked out"


HIDDEN = {"<5": range(1, 5), "*": None}  # what a reader knows of a hidden cell ("*": 0 or at least 5)
DERIVED = ("Rate per 1,000", "Share %", "Change", "Change %", "Change, 1 year", "Change, 3 years")
POOLED = ("Gi* z", "12-month rolling mean")


def _published_tables(run: AssessmentRun) -> dict[str, list[dict[str, str]]]:
    import csv

    folder = run.outputs["strategic-assessment.pdf"].parent / "tables"
    return {path.stem: list(csv.DictReader(path.open(encoding="utf-8"))) for path in sorted(folder.glob("*.csv"))}


def _number(text: str) -> float | None:
    try:
        return float(text.replace(",", "").replace("%", "").replace(" (s)", ""))
    except ValueError:
        return None


def test_every_lsoa_rate_is_count_over_residents_and_rate_tables_are_ordered(small_assessment: AssessmentRun) -> None:
    """Issue 13: every LSOA "Rate per 1,000" was 0.0, and tables meant to be ordered by rate were not."""
    config_dir = small_assessment.outputs["strategic-assessment.pdf"].parents[1]
    with warehouse.read(config_dir / "warehouse.duckdb") as con:
        residents = dict(con.execute("SELECT lsoa21_code, sum(residents) FROM population GROUP BY 1").fetchall())
    lsoa_tables = {k: v for k, v in _published_tables(small_assessment).items() if k.endswith("_lsoa")}
    assert lsoa_tables
    checked = 0
    for name, rows in lsoa_tables.items():
        shown = [r for r in rows if r["Count"] not in HIDDEN]
        for r in shown:
            assert _number(r["Rate per 1,000"]) == pytest.approx(int(r["Count"].replace(",", "")) / residents[r["LSOA"]] * 1000,
                                                                 abs=0.051), (name, r)  # shown to 1 decimal
            checked += 1
        rates = [_number(r["Rate per 1,000"]) for r in shown]
        assert rates == sorted(rates, reverse=True), name
        assert max(rates) > 0
        hidden = rows[len(shown):]
        assert all(r["Count"] in HIDDEN for r in hidden), f"{name}: hidden rows come after every shown row"
        assert [r["LSOA"] for r in hidden] == sorted(r["LSOA"] for r in hidden), f"{name}: hidden rows in code order"
    assert checked > 100


def test_no_published_table_lets_a_hidden_count_be_solved_for(small_assessment: AssessmentRun) -> None:
    """Solve each published table as equations, as a reader could: rate x residents, share x total,
    after minus change, a line's total minus its shown cells, and z-scores or rolling means computed
    from the counts. No hidden count may come out as a single value."""
    config_dir = small_assessment.outputs["strategic-assessment.pdf"].parents[1]
    with warehouse.read(config_dir / "warehouse.duckdb") as con:
        residents = dict(con.execute("SELECT lsoa21_code, sum(residents) FROM population GROUP BY 1").fetchall())
    hidden_seen = 0
    for name, rows in _published_tables(small_assessment).items():
        if not rows:
            continue
        counts = [c for c in rows[0] if any(r[c] in HIDDEN for r in rows)]
        if not counts:
            continue
        hidden_seen += sum(r[c] in HIDDEN for r in rows for c in counts)
        assert not [c for c in POOLED if c in rows[0]], f"{name}: a figure computed from every row beside a hidden count"
        for r in rows:
            if not any(r[c] in HIDDEN for c in counts):
                continue
            for column in DERIVED:
                # rate x residents / 1,000, share x total / 100 and after - change would each give the count
                assert r.get(column, "*") in ("*", "–", ""), f"{name}: {column} {r[column]!r} beside a hidden count"
            if name.endswith("_lsoa"):
                assert r["LSOA"] in residents
        totals = [r for r in rows if r[next(iter(r))].startswith("All ")]
        if name.endswith("_outcomes") and totals:  # the one table with a total row of its own counts
            for c in counts:
                hidden = [r[c] for r in rows if r is not totals[-1] and r[c] in HIDDEN]
                assert len(hidden) != 1, f"{name}: the total minus the shown cells gives the one hidden cell"
    assert hidden_seen, "the demo has small counts to protect"
    text = "\n".join(p.text for p in docx.Document(str(small_assessment.outputs["strategic-assessment.docx"])).paragraphs)
    assert not re.search(r"\b(from|to) [1-4]( in |;| \()", text), "a small count written in a sentence"


def test_area_profile_and_partner_sections_match_the_warehouse(small_assessment: AssessmentRun) -> None:
    """The area profile's totals and the substance-misuse table's "All" row equal counts taken here in SQL."""
    import polars as pl

    tables = small_assessment.outputs["strategic-assessment.docx"].parent / "tables"
    config_dir = small_assessment.outputs["strategic-assessment.pdf"].parents[1]
    with warehouse.read(config_dir / "warehouse.duckdb") as con:
        residents = con.execute(
            "SELECT sum(residents) FROM population JOIN lsoa USING (lsoa21_code) WHERE lad_code = 'E06000056'"
        ).fetchall()[0][0]
        referrals = con.execute(
            "SELECT count(*) FROM partner_substance_treatment WHERE lad_code = 'E06000056' AND month BETWEEN ? AND ?",
            [date(2023, 5, 1), date(2024, 4, 1)],
        ).fetchall()[0][0]
    deprivation = pl.read_csv(tables / "profile_deprivation.csv", infer_schema=False)
    assert deprivation.row(-1, named=True)["Residents"].replace(",", "") == str(residents)
    substance = pl.read_csv(tables / "substance_treatment_substance.csv", infer_schema=False)
    assert substance.row(-1, named=True)["Latest 12 months"].replace(",", "") == str(referrals)
    text = "\n".join(p.text for p in docx.Document(str(small_assessment.outputs["strategic-assessment.docx"])).paragraphs)
    assert "Area profile" in text and "Substance misuse" in text
    assert f"{residents:,} residents" in text
