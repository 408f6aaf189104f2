"""The evidence board and the documented shortlist rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from cspkit.errors import ConfigError, InputError
from cspkit.priorities.achievements import Measure, load_previous, measure_changes
from cspkit.priorities.board import IssueEvidence, TestedChange, evidence_board, load_rule, suggest_shortlist
from cspkit.priorities.decision import load_decision, load_votes

RISE = TestedChange(before=100, after=140, percent=40.0, p_value=0.01, significant=True)
FALL = TestedChange(before=140, after=100, percent=-28.6, p_value=0.01, significant=True)
NOISE = TestedChange(before=100, after=110, percent=10.0, p_value=0.5, significant=False)


def issues() -> list[IssueEvidence]:
    return [
        IssueEvidence("da", "Domestic abuse", risk_score=90, risk_rank=1),
        IssueEvidence("asb", "Anti-social behaviour", risk_score=50, risk_rank=7, concern_rank=1, concern_share=0.4),
        IssueEvidence("veh", "Vehicle crime", risk_score=48, risk_rank=8, change_1y=RISE),
        IssueEvidence("bur", "Burglary", risk_score=47, risk_rank=9, change_1y=FALL, change_3y=NOISE),
        IssueEvidence("sm", "Substance misuse", risk_score=80, risk_rank=2, knowledge_gap_class="knowledge gap"),
        IssueEvidence("fly", "Fly-tipping", risk_score=10, risk_rank=15, concern_rank=2),
        IssueEvidence("cyber", "Cyber-crime", horizon=("Online fraud growth",)),
    ]


def test_board_orders_by_risk_rank_and_keeps_every_issue() -> None:
    board = evidence_board(issues())
    assert board.height == 7
    assert board["issue_id"].to_list() == ["da", "sm", "asb", "veh", "bur", "fly", "cyber"]
    row = board.filter(board["issue_id"] == "veh").row(0, named=True)
    assert row["change_1y_pct"] == 40.0 and row["change_1y_significant"] is True
    assert board.filter(board["issue_id"] == "cyber")["horizon"].item() == "Online fraud growth"


def test_shortlist_rule_gives_reasons() -> None:
    rule = load_rule()
    shortlist = suggest_shortlist(issues(), rule)
    got = {r["issue_id"]: (r["suggestion"], r["reason"]) for r in shortlist.iter_rows(named=True)}
    assert got["da"] == ("priority candidate", "risk rank 1, in the top 5")
    assert got["sm"][0] == "knowledge gap"  # high risk but a knowledge gap: never a priority candidate
    assert got["asb"] == ("priority candidate", "residents' concern rank 1")
    assert got["veh"] == ("priority candidate", "statistically significant rise")
    assert "bur" not in got  # a significant fall is not a reason; the 3-year change is not significant
    assert "fly" not in got  # a top concern, but outside the supporting risk ranks
    assert "cyber" not in got


def test_shortlist_is_capped_in_risk_order(tmp_path: Path) -> None:
    many = [IssueEvidence(f"i{n}", f"Issue {n}", risk_rank=n) for n in range(1, 9)]
    rule_file = tmp_path / "rule.toml"
    rule_file.write_text("top_risk_ranks = 8\ntop_concerns = 1\nsupporting_risk_ranks = 8\nmax_candidates = 3\n")
    shortlist = suggest_shortlist(many, load_rule(rule_file))
    assert shortlist["issue_id"].to_list() == ["i1", "i2", "i3"]


def test_bad_rule_names_the_setting(tmp_path: Path) -> None:
    rule_file = tmp_path / "rule.toml"
    rule_file.write_text("top_risk_ranks = 0\ntop_concerns = 1\nsupporting_risk_ranks = 8\nmax_candidates = 3\n")
    with pytest.raises(ConfigError) as info:
        load_rule(rule_file)
    assert info.value.column == "top_risk_ranks"


def test_votes_and_decision_files(tmp_path: Path) -> None:
    votes = tmp_path / "votes.toml"
    votes.write_text(
        'unit = "organisation"\nsynthetic = true\ncandidates = ["da", "asb"]\n'
        '[[ballot]]\norganisation = "Police"\nranking = ["da", "asb"]\n'
        '[[ballot]]\norganisation = "Council"\nranking = ["asb"]\n'
    )
    v = load_votes(votes, known_issues={"da", "asb"})
    assert v.synthetic and v.unit == "organisation" and len(v.ballots) == 2
    assert v.ballots[1].voter == "Council"

    decision = tmp_path / "decision.toml"
    decision.write_text(
        'meeting = "Focus group"\ndate = "2024-06-12"\n'
        '[[priority]]\nissue = "da"\ntitle = "Domestic abuse"\nrationale = "Highest harm."\n'
        '[[knowledge_gap]]\nissue = "sm"\ntitle = "Substance misuse"\nrationale = "Scale unknown."\n'
        'how_we_will_learn = "Treatment data."\n'
        '[[consideration]]\nissue = "so"\ntitle = "Sexual offences"\nreason = "Fall may be under-reporting."\n'
    )
    d = load_decision(decision)
    assert [p.issue_id for p in d.priorities] == ["da"]
    assert d.knowledge_gaps[0].how_we_will_learn == "Treatment data."
    assert d.considerations[0].reason.startswith("Fall")
    with pytest.raises(InputError, match="unknown issue 'sm'") as info:
        load_decision(decision, known_issues={"da", "so"})
    assert info.value.row == 1 and info.value.column == "issue"


def test_decision_missing_rationale_names_row_and_column(tmp_path: Path) -> None:
    decision = tmp_path / "decision.toml"
    decision.write_text('[[priority]]\nissue = "da"\ntitle = "DA"\nrationale = "x"\n[[priority]]\nissue = "asb"\ntitle = "ASB"\n')
    with pytest.raises(InputError) as info:
        load_decision(decision)
    assert (info.value.row, info.value.column) == (2, "rationale")


def test_previous_priorities_and_measure_changes(tmp_path: Path) -> None:
    plan_file = tmp_path / "previous.toml"
    plan_file.write_text(
        'period = "2021-2024"\n[[priority]]\ntitle = "ASB"\nactions = ["Patrols"]\nachievements = ["Hub opened"]\n'
        '[[priority.measure]]\nlabel = "ASB incidents"\nsource = "police"\ncategories = ["Anti-social behaviour"]\n'
        '[[priority.measure]]\nlabel = "Fires"\nsource = "partner:deliberate_fires"\n'
    )
    plan = load_previous(plan_file)

    def change_of(m: Measure) -> TestedChange | None:
        return RISE if m.source == "police" else None

    table = measure_changes(plan, change_of)
    assert table["measure"].to_list() == ["ASB incidents", "Fires"]
    assert table["change"].to_list() == [40.0, None]
    assert table["verdict"].to_list()[1] == "no data in the warehouse for this measure"


def test_decision_from_a_workbook_names_sheet_row_and_column(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    meeting = book.active
    meeting.title = "Meeting"
    meeting.append(["meeting", "Focus group"])
    meeting.append(["date", "2024-06-12"])
    meeting.append(["synthetic", True])
    sheet = book.create_sheet("Priorities")
    sheet.append(["Issue", "Title", "Rationale"])
    sheet.append(["da", "Domestic abuse", "Highest harm."])
    sheet.append([None, None, None])
    sheet.append(["asb", "Anti-social behaviour", "Residents' concern."])
    gaps = book.create_sheet("Knowledge gaps")
    gaps.append(["Issue", "Title", "Rationale", "How we will learn"])
    gaps.append(["sm", "Substance misuse", "Scale unknown.", "Treatment data."])
    path = tmp_path / "decision.xlsx"
    book.save(path)
    decision = load_decision(path)
    assert [p.issue_id for p in decision.priorities] == ["da", "asb"]
    assert decision.knowledge_gaps[0].how_we_will_learn == "Treatment data."
    assert decision.synthetic and decision.date == "2024-06-12" and decision.considerations == ()

    sheet.cell(row=4, column=3).value = None  # the rationale of the second priority, sheet row 4
    book.save(path)
    with pytest.raises(InputError) as info:
        load_decision(path)
    assert "sheet 'Priorities'" in str(info.value.file)
    assert (info.value.row, info.value.column) == (4, "rationale")
