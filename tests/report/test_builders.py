"""The document model from hand-made evidence: sections, suppression, notes, placeholders, charts."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import docx
import polars as pl
import pytest
from PIL import Image

from cspkit.report import charts, heatmap
from cspkit.report.assessment import STEP_NOT_RUN, build_assessment, data_tables
from cspkit.report.committee import build_committee_report
from cspkit.report.document import Document, Figure, NoteNumbers, Paragraph, Table
from cspkit.report.evidence import StepResult
from cspkit.report.render_docx import render_docx
from cspkit.report.render_html import render_html

from .handmade import COUNTS, MONTHS, evidence


@pytest.fixture(scope="module")
def assessment() -> Document:
    return build_assessment(evidence())


def section_text(doc: Document, title: str) -> str:
    for _, section in doc.walk():
        if section.title == title:
            parts = []
            for _, sub in [(0, section), *((0, s) for s in section.subsections)]:
                parts += [b.text for b in sub.blocks if isinstance(b, Paragraph)]
            return "\n".join(parts)
    raise AssertionError(f"no section {title!r}")


def table(doc: Document, key: str) -> Table:
    return next(t for t in doc.tables() if t.key == key)


def test_small_counts_are_suppressed_by_the_analysis_rule(assessment: Document) -> None:
    trend = table(assessment, "asb_trend")
    month = dict((row[0], row[1]) for row in trend.rows)
    assert month["October 2021"] == "<5"  # 3 incidents (months in words, not 2021-10)
    assert month["November 2021"] == f"{COUNTS[6]:,}"
    board = table(assessment, "evidence_board")
    burglary = next(row for row in board.rows if row[0] == "Burglary")
    assert "<5" in burglary and "*" in burglary  # the count hidden and the rate derived from it hidden too
    lsoa = table(assessment, "asb_lsoa")  # the CSV annex: every LSOA
    assert {row[1] for row in lsoa.rows} >= {"<5", "0", "5", "6"}
    assert not {row[1] for row in lsoa.rows} & {"1", "2", "3", "4"}


def test_headline_counts_are_suppressed_with_their_rate(assessment: Document) -> None:
    rows = dict((row[0], row[1]) for row in table(assessment, "headline_figures").rows)
    assert rows["Recorded crime (excluding ASB)"] == "20,000 (68.0 per 1,000 residents)"
    assert rows["Hate crime in a small ward"] == "<5"


def test_a_step_that_did_not_run_says_so_instead_of_inventing_numbers() -> None:
    skipped = StepResult("Survey", "skipped", "no survey responses: set [survey] responses")
    doc = build_assessment(evidence(survey=None, steps=[skipped]))
    text = section_text(doc, "Residents' survey")
    assert text.startswith(f"{STEP_NOT_RUN} (Survey): no survey responses: set [survey] responses.")
    assert "survey_concerns" not in {t.key for t in doc.tables()}
    assert "SYNTHETIC" in doc.notice and "residents' survey" not in doc.notice


def test_without_a_decision_no_priorities_are_stated() -> None:
    doc = build_assessment(evidence(decision=None))
    assert section_text(doc, "Priorities").startswith(STEP_NOT_RUN)
    assert "no priorities are stated" in section_text(doc, "Executive summary")


def test_before_a_decision_the_suggested_shortlist_carries_its_evidence() -> None:
    """No decision yet: the priorities section says so, then shows each suggested issue's charts and maps, so
    an assessment run for the focus group is not empty of figures."""
    shortlist = pl.DataFrame({"issue_id": ["asb", "cyber_fraud"], "issue": ["Anti-social behaviour", "Cyber-crime"],
                              "suggestion": ["priority candidate", "knowledge gap"], "risk_rank": [1, 2],
                              "reason": ["risk rank 1, in the top 5", "high harm, low confidence"]})
    doc = build_assessment(evidence(decision=None, shortlist=shortlist))
    text = section_text(doc, "Priorities")
    assert text.startswith(STEP_NOT_RUN) and "Until the partnership decides" in text
    priorities = next(s for s in doc.sections if s.title == "Priorities")
    titles = [sub.title for sub in priorities.subsections]
    assert titles == ["Suggested priority candidate: Anti-social behaviour", "Suggested knowledge gap: Cyber-crime"]
    assert any(isinstance(b, Figure) for b in priorities.subsections[0].blocks)  # the asb trend and map


def test_every_figure_has_alt_text_and_its_table_in_the_appendix(assessment: Document) -> None:
    appendix = next(s for s in assessment.sections if s.title == "Data appendix")
    in_appendix = {b.key for b in appendix.blocks if isinstance(b, Table)}
    figures = assessment.figures()
    assert {f.key for f in figures} == {"asb_trend", "asb_peers", "asb_map", "risk_heat_map", "survey_concerns"}
    for figure in figures:
        assert figure.alt_text and figure.data.key in in_appendix and figure.notes
    assert len({t.key for t in data_tables(assessment)}) == len(data_tables(assessment))


def test_vote_section_reports_both_counts_and_their_disagreement(assessment: Document) -> None:
    text = section_text(assessment, "The partnership focus group")
    assert "counted two ways: the Borda count" in text
    votes = table(assessment, "vote_count")
    assert votes.columns == ("Issue", "Borda points", "Borda rank", "Schulze wins", "Schulze rank")
    assert votes.rows[0][0] == "Anti-social behaviour"


def test_notes_are_numbered_once_per_source_in_reading_order() -> None:
    numbers = NoteNumbers()
    assert numbers(["a", "b"]) == [1, 2]
    assert numbers(["b", "c", "a"]) == [2, 3, 1]
    assert numbers.listing() == [(1, "a"), (2, "b"), (3, "c")]
    assert numbers(["c", "c"]) == [3]  # a block citing one note twice is marked once


def test_docx_notes_section_lists_each_provenance_once(assessment: Document, tmp_path: Path) -> None:
    path = render_docx(assessment, tmp_path / "a.docx")
    paragraphs = [p.text for p in docx.Document(str(path)).paragraphs]
    notes = paragraphs[paragraphs.index("Notes") + 1 :]
    texts = [re.sub(r"^\d+\. ", "", n) for n in notes]
    assert len(texts) == len(set(texts))
    assert any(t.startswith("police.uk street-level crime and ASB") for t in texts)


def test_html_table_and_figure_numbers_run_in_order(assessment: Document) -> None:
    html = render_html(assessment)
    numbers = [int(n) for n in re.findall(r"Table (\d+):</span>", html)]
    assert numbers == list(range(1, len(numbers) + 1))
    figures = [int(n) for n in re.findall(r"Figure (\d+):</span>", html)]
    assert figures == list(range(1, len(assessment.figures()) + 1))


def test_committee_report_placeholders_come_from_config() -> None:
    report = build_committee_report(evidence(committee={"council": "Central Bedfordshire Council", "key_decision": True}))
    cover = dict(report.cover)
    assert cover["Council"] == "Central Bedfordshire Council"
    assert cover["Key decision"] == "Yes"
    assert cover["Committee"] == "[To complete: committee name]"
    legal = next(s for _, s in report.walk() if s.title == "Legal")
    assert legal.blocks[0].text == "[To complete: legal implications]"
    recommendations = next(s for s in report.sections if s.title == "Recommendations")
    assert "endorse the recommended priorities: Anti-social behaviour; Burglary;" in recommendations.blocks[1].items


def test_committee_report_asks_for_what_was_decided() -> None:
    """Priorities and a knowledge gap; priorities alone; nothing decided: purpose and options follow."""
    def purpose_and_options(ev) -> tuple[str, list[str]]:
        report = build_committee_report(ev)
        purpose = next(s for s in report.sections if s.title == "Purpose of the report").blocks[0].text
        return purpose, list(next(s for s in report.sections if s.title == "Options for consideration").blocks[0].items)

    both = evidence()
    purpose, options = purpose_and_options(both)
    assert "endorse the recommended community safety priorities and knowledge gap" in purpose
    assert "endorse the priorities and knowledge gap the partnership agreed" in options[0]
    alone = evidence(decision=replace(both.decision, knowledge_gaps=()))
    purpose, options = purpose_and_options(alone)
    assert "knowledge gap" not in purpose and "knowledge gap" not in options[0]
    purpose, options = purpose_and_options(evidence(decision=None))
    assert "has not yet agreed its priorities" in purpose and not any("endorse" in o for o in options)


def test_undecided_committee_report_has_no_empty_priorities_or_plan_for_them() -> None:
    """Nothing decided: "Recommended priorities" was an empty heading and the close spoke of endorsed priorities."""
    report = build_committee_report(evidence(decision=None))
    assert section_text(report, "Recommended priorities").startswith("None yet: the partnership has not agreed")
    close = section_text(report, "Conclusion and next steps")
    assert close.startswith("The partnership will agree its priorities") and "endorses" not in close
    decided = section_text(build_committee_report(evidence()), "Conclusion and next steps")
    assert decided.startswith("If the committee endorses the priorities")


def test_trend_chart_is_print_quality_with_alt_text_and_data() -> None:
    rolling = [None] * 11 + [1.0] * 25
    chart = charts.trend_chart("t", MONTHS, COUNTS, rolling, "incidents")
    image = Image.open(io.BytesIO(chart.png))
    assert round(image.info["dpi"][0]) == charts.DPI == 200
    assert image.size[0] >= 7 * 200 - 5
    assert chart.data.columns == ["month", "count", "rolling_12_month_mean"]
    assert chart.data["count"].to_list() == COUNTS
    assert f"({sum(COUNTS):,} in all)" in chart.alt_text and "May 2021" in chart.alt_text


def test_trend_chart_gives_no_small_month_away() -> None:
    """With one month under the threshold, the total, the lowest month or the rolling mean's ends in the
    alt text would each let a reader work it out; the bar is drawn hatched at the threshold."""
    counts = [7 + i % 5 for i in range(len(MONTHS))]
    counts[5] = 2
    rolling = [None] * 11 + [8.123] * (len(MONTHS) - 11)
    chart = charts.trend_chart("t", MONTHS, counts, rolling, "incidents", threshold=5)
    assert "1 month(s) with fewer than 5 drawn as hatched bars" in chart.alt_text
    assert "in all" not in chart.alt_text and "between" not in chart.alt_text and "8.1" not in chart.alt_text
    plain = charts.trend_chart("t", MONTHS, counts, rolling, "incidents")
    assert f"({sum(counts):,} in all)" in plain.alt_text and "between 2 and" in plain.alt_text


def test_bar_chart_highlights_the_partnership_among_peers() -> None:
    chart = charts.bar_chart(
        "p", ["Bedford", "Central Bedfordshire", "Luton"], [15.0, 10.0, 20.0], "rate", highlight="Central Bedfordshire"
    )
    assert chart.data["label"].to_list() == ["Luton", "Bedford", "Central Bedfordshire"]
    assert "ranks 3 of 3" in chart.alt_text
    assert chart.data["rank"].to_list() == [1, 2, 3]  # the rank is drawn on the chart and kept in its table


def test_heat_map_places_every_issue_in_its_cell_as_a_numbered_marker() -> None:
    cells = evidence().risk.heat
    chart = heatmap.risk_heat_map("h", cells, "Harm", "Likelihood")
    # numbered from the top row down, left to right; the key is the chart's data table
    assert chart.data.rows() == [
        (1, "Burglary", "high", "possible"),
        (2, "Anti-social behaviour", "high", "likely"),
        (3, "Substance misuse", "medium", "possible"),
    ]
    assert "numbered markers" in chart.alt_text and "number 1, Burglary" in chart.alt_text


def crowded_grid(per_cell: dict[tuple[int, int], int]) -> pl.DataFrame:
    """A 5 x 5 heat map grid with the given number of issues in some cells."""
    names = iter(f"Issue {i}" for i in range(100))
    keys = [(r, c) for r in range(1, 6) for c in range(1, 6)]
    return pl.DataFrame({
        "row_order": [r for r, _ in keys], "row_band": [str(r) for r, _ in keys],
        "column_order": [c for _, c in keys], "column_band": [str(c) for _, c in keys],
        "issues": [[next(names) for _ in range(per_cell.get(k, 0))] for k in keys],
    })


@pytest.mark.parametrize("per_cell", [{(5, 5): 1}, {(5, 5): 4, (4, 4): 3, (1, 1): 1}, {(5, 5): 12, (5, 4): 9, (3, 3): 6}])
def test_heat_map_markers_never_overlap_or_leave_their_cell(per_cell: dict[tuple[int, int], int]) -> None:
    fig, markers = heatmap.draw(crowded_grid(per_cell), "Harm", "Likelihood")
    assert len(markers) == sum(per_cell.values())
    assert heatmap.overlaps(fig, markers) == []


def test_overlap_check_finds_markers_that_touch() -> None:
    """The check can fail: two markers moved onto one spot, and one pushed out of its cell."""
    fig, markers = heatmap.draw(crowded_grid({(5, 5): 2}), "Harm", "Likelihood")
    markers[1].text.set_position(markers[0].text.get_position())
    assert heatmap.overlaps(fig, markers) == ["markers 1 and 2 overlap"]
    markers[1].text.set_position((3.0, 3.0))
    assert heatmap.overlaps(fig, markers) == ["marker 2 spills out of its cell"]


def test_choropleth_leaves_areas_without_a_value_grey() -> None:
    geo = evidence().boundaries
    codes = sorted(geo)[:3]
    chart = charts.choropleth("m", {c: geo[c] for c in codes}, {codes[0]: 2.0, codes[1]: None, codes[2]: 5.0}, "rate")
    assert chart.data.height == 2 and chart.data["value"].to_list() == [5.0, 2.0]
    assert f"the highest is {codes[2]}" in chart.alt_text


def test_table_from_frame_formats_and_aligns() -> None:
    from cspkit.report.document import percent, table_from_frame

    frame = pl.DataFrame({"name": ["a"], "n": [1234], "x": [0.5], "pct": [12.34], "d": [date(2024, 1, 1)]})
    t = table_from_frame(
        "k", "c", frame, headers={"name": "Name", "n": "N", "pct": "Change", "missing": "Ignored"}, formats={"pct": percent}
    )
    assert t.columns == ("Name", "N", "Change")
    assert t.rows == (("a", "1,234", "+12.3%"),)
    assert t.numeric == (False, True, True)


def test_board_marks_only_significant_changes() -> None:
    from cspkit.priorities.board import IssueEvidence, TestedChange, evidence_board

    board = evidence_board(
        [
            IssueEvidence(
                "a", "Rising", risk_rank=1, volume=100, rate_per_1000=1.0, change_1y=TestedChange(10, 20, 100.0, 0.01, True)
            ),
            IssueEvidence(
                "b", "Noisy", risk_rank=2, volume=50, rate_per_1000=0.5, change_1y=TestedChange(10, 11, 10.0, 0.5, False)
            ),
        ]
    )
    rows = {row[0]: row for row in table(build_assessment(evidence(board=board)), "evidence_board").rows}
    assert rows["Rising"][6] == "+100.0% (s)"
    assert rows["Noisy"][6] == "+10.0%"


def test_vote_disagreements_are_written_with_issue_names() -> None:
    from cspkit.priorities.voting import Ballot, count_votes

    ballots = [Ballot(f"o{i}", "v", ("asb", "burglary", "substance_misuse")) for i in range(3)]
    ballots += [Ballot(f"p{i}", "v", ("burglary", "substance_misuse", "asb")) for i in range(2)]
    doc = build_assessment(evidence(votes=count_votes(ballots, ["asb", "burglary", "substance_misuse"])))
    vote = next(s for _, s in doc.walk() if s.title == "The vote")
    items = next(b for b in vote.blocks if hasattr(b, "items")).items
    assert items[0] == "The methods pick different winners: Borda Burglary, Schulze Anti-social behaviour."


def test_an_all_crime_row_that_adds_up_protects_a_small_category_from_subtraction() -> None:
    """An issue measured by every crime category: its "All crime" context row is their total, so one
    hidden category would be that total minus the others unless a second cell is hidden too."""
    from dataclasses import replace

    from cspkit.analysis.scope import ALL_CRIME

    ev = evidence()
    categories = pl.DataFrame(
        {"category": [ALL_CRIME, "Burglary", "Robbery", "Drugs"], "previous_12": [110, 60, 47, 3], "latest_12": [100, 50, 48, 2]}
    )
    ev.issues["asb"] = replace(ev.issues["asb"], categories=categories)
    rows = table(build_assessment(ev), "asb_categories").rows
    for column in (1, 2):
        hidden = [r[column] for r in rows[1:] if r[column] in ("<5", "*")]
        assert len(hidden) >= 2, rows
    context = categories.with_columns(pl.Series("previous_12", [900, 60, 47, 3]), pl.Series("latest_12", [900, 50, 48, 2]))
    ev.issues["asb"] = replace(ev.issues["asb"], categories=context)
    rows = table(build_assessment(ev), "asb_categories").rows
    assert [r[2] for r in rows] == ["900", "50", "48", "<5"]  # a context row, not a total: nothing more to hide


def test_empty_shortlist_says_why_instead_of_an_empty_table() -> None:
    """No risk matrix, so no suggestion: the document printed a table of headers alone."""
    base = evidence()
    doc = build_assessment(replace(base, shortlist=base.shortlist.clear(), risk=None))
    assert "suggested_shortlist" not in {t.key for t in doc.tables()}
    assert section_text(doc, "Suggested shortlist").endswith(
        "No issue meets the rule: it needs the risk matrix, which was not run."
    )
    assert "suggested_shortlist" in {t.key for t in build_assessment(base).tables()}



def test_summary_writes_the_largest_real_changes_first_and_leaves_the_rest_to_its_table() -> None:
    from dataclasses import replace

    from cspkit.analysis.scope import ALL_CRIME, ASB

    categories = [ALL_CRIME, ASB, *(f"Category {i}" for i in range(10))]
    rows = []
    for comparison, previous in (("1 year", "2022-05 to 2023-04"), ("3 years", "2021-05 to 2022-04")):
        for i, category in enumerate(categories):
            before, after = 1000, 1000 + 50 * (i + 1)  # category 9 changes most, but only even positions are real
            rows.append({"crime_type": category, "comparison": comparison, "previous_period": previous,
                         "latest_period": "2023-05 to 2024-04", "previous_count": before, "latest_count": after,
                         "pct_change": (after - before) / before * 100, "significant": i % 2 == 0})
    doc = build_assessment(replace(evidence(), changes=pl.DataFrame(rows)))
    changed = next(s for s in doc.sections[0].subsections if s.title == "What changed")
    sentences = [b.text for b in changed.blocks if isinstance(b, Paragraph)]
    assert len(sentences) == 8 and sentences[-1].startswith("The table below lists the other changes")
    assert sentences[0].startswith("Recorded crime (excluding ASB)") and sentences[1].startswith("Anti-social behaviour")
    assert sentences[2].startswith("Category 8 rose by 55.0% over three years, a real change")  # the largest real change
    table = next(b for b in changed.blocks if isinstance(b, Table))
    assert len(table.rows) == len(categories) and table.columns[1:4] == (
        "Year to April 2022", "Year to April 2023", "Year to April 2024")


def test_data_appendix_without_charts_says_so() -> None:
    """No decision, risk matrix or survey: the appendix promised "the tables behind every chart" over nothing."""
    doc = build_assessment(replace(evidence(), decision=None, shortlist=None, risk=None, survey=None))
    assert not doc.figures()
    assert section_text(doc, "Data appendix").startswith(
        "This document has no charts: trend charts and maps are drawn for each agreed priority (before a decision, for "
        "each issue the evidence board suggests), and none was agreed or suggested."
    )
    assert section_text(build_assessment(evidence()), "Data appendix").startswith("The tables behind every chart")


def test_change_method_is_described_only_where_change_was_tested() -> None:
    """A one-month assessment described "the latest 12 months against the 12 before" though no test ran."""
    one_month = replace(evidence(), changes=None, board=None, period="January 2024")
    untested = section_text(build_assessment(one_month), "How change is tested")
    assert untested == "No change was tested: January 2024 is shorter than the two years a test of change compares."
    base = evidence()
    board = base.board.with_columns(pl.lit(12.5).alias("change_1y_pct"))  # a tested change on the board
    tested = section_text(build_assessment(replace(base, board=board)), "How change is tested")
    assert "the latest 12 months against the" in tested
