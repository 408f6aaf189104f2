"""The spreadsheet workflow: export, fill in with openpyxl as a partner would, import; and every broken workbook."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time
from pathlib import Path

import pytest
from openpyxl import load_workbook

from cspkit.errors import InputError
from cspkit.risk.matrix import risk_results
from cspkit.risk.register import IssueRegister
from cspkit.risk.store import WarehouseScoreStore
from cspkit.risk.suggest import IssueEvidence, suggest_all
from cspkit.risk.workbook import (
    HEADER,
    META,
    REASON_COL,
    SCORE_COL,
    SCORES,
    Scorer,
    export_workbook,
    export_workbooks,
    import_workbooks,
    read_workbook,
)

SCORERS = [Scorer("Police", "Jane Smith"), Scorer("Council", "Raj Patel"), Scorer("Fire and rescue", "Ann Lee")]


@pytest.fixture
def suggestions(method, small_register):
    evidence = [
        IssueEvidence("burglary", True, annual_count=834, rate_per_1000=2.8, previous_count=700, change_ratio=1.19,
                      p_value=0.0001, significant=True),
        IssueEvidence("asb", True, annual_count=4069, rate_per_1000=13.8),
        IssueEvidence("substance_misuse", False),
    ]
    return suggest_all(evidence, method)


def rows_of(path: Path):
    """(row, issue, criterion, suggested) for every score row, as a partner sees them."""
    ws = load_workbook(path)[SCORES]
    return [(r, ws.cell(r, 1).value, ws.cell(r, 3).value, ws.cell(r, 7).value) for r in range(2, ws.max_row + 1)]


def fill(path: Path, choose) -> None:
    """Fill a workbook as a partner would: choose(issue, criterion, suggested) -> (score, reason) or None."""
    wb = load_workbook(path)
    ws = wb[SCORES]
    for r in range(2, ws.max_row + 1):
        picked = choose(ws.cell(r, 1).value, ws.cell(r, 3).value, ws.cell(r, 7).value)
        if picked is not None:
            ws.cell(r, SCORE_COL).value, ws.cell(r, REASON_COL).value = picked
    wb.save(path)


def accept_or_middle(method):
    def choose(issue, criterion, suggested):
        values = method.criterion(criterion).values
        return (suggested if suggested is not None else int(values[len(values) // 2]), None)
    return choose


def test_exported_workbook_has_everything_a_scorer_needs(tmp_path, method, small_register, suggestions) -> None:
    path = export_workbook(tmp_path / "jane.xlsx", method, small_register, suggestions, SCORERS[0])
    wb = load_workbook(path)
    assert {"Instructions", SCORES, "Levels", "Issues", META} <= set(wb.sheetnames)
    ws = wb[SCORES]
    assert tuple(c.value for c in ws[1]) == HEADER
    assert ws.max_row - 1 == len(small_register.issues) * len(method.criteria)
    assert wb[META].sheet_state == "hidden" and wb[META].protection.sheet
    assert ws.protection.sheet
    # a dropdown on every score cell, listing exactly the criterion's levels
    covered = {}
    for dv in ws.data_validations.dataValidation:
        for cell_range in dv.sqref.ranges:
            for row in range(cell_range.min_row, cell_range.max_row + 1):
                covered[row] = dv.formula1
    for row, _, criterion, _ in rows_of(path):
        allowed = ",".join(f"{v:g}" for v in method.criterion(criterion).values)
        assert covered[row] == f'"{allowed}"'
        assert not ws.cell(row, SCORE_COL).protection.locked and not ws.cell(row, REASON_COL).protection.locked
        assert ws.cell(row, 2).protection.locked
    # the suggested scores and their evidence
    burglary_volume = next(r for r in rows_of(path) if r[1:3] == ("burglary", "volume"))
    assert burglary_volume[3] == 3
    assert "834 in the latest 12 months" in ws.cell(burglary_volume[0], 8).value
    no_data = next(r for r in rows_of(path) if r[1:3] == ("substance_misuse", "confidence_knowledge"))
    assert no_data[3] == 1 and "No data maps" in ws.cell(no_data[0], 8).value
    levels = wb["Levels"]
    assert sum(1 for _ in levels.iter_rows(min_row=2)) == sum(len(c.levels) for c in method.criteria)


def test_full_round_trip_for_several_scorers(tmp_path, method, small_register, suggestions) -> None:
    paths = export_workbooks(tmp_path / "out", SCORERS, method, small_register, suggestions)
    assert [p.name for p in paths] == ["police-jane-smith.xlsx", "council-raj-patel.xlsx", "fire-and-rescue-ann-lee.xlsx"]
    fill(paths[0], accept_or_middle(method))  # accepts every suggestion

    def overrides(issue, criterion, suggested):
        if suggested is not None:
            return (method.criterion(criterion).values[-1], "Council ASB reports show more than police data")
        return accept_or_middle(method)(issue, criterion, suggested)

    fill(paths[1], overrides)

    def partial(issue, criterion, suggested):  # leaves substance misuse unscored, types numbers as text
        return None if issue == "substance_misuse" else (str(accept_or_middle(method)(issue, criterion, suggested)[0]), "")

    fill(paths[2], partial)

    store = WarehouseScoreStore(tmp_path / "w.duckdb")
    result = import_workbooks(paths, method, small_register, store, changed_by="analyst")
    per_issue = len(method.criteria)
    assert result.scores_read == 3 * 3 * per_issue - per_issue
    assert result.changes.added == result.scores_read
    stored = store.scores(method)
    raj = {(s.issue_id, s.criterion): s for s in stored if s.scorer == "Raj Patel"}
    assert raj[("burglary", "volume")].value == 5 and raj[("burglary", "volume")].suggested == 3
    assert raj[("burglary", "volume")].reason == "Council ASB reports show more than police data"
    assert raj[("burglary", "volume")].is_override
    trail = store.audit_trail(method)
    assert len(trail) == result.scores_read
    assert all(a.source == "workbooks: police-jane-smith.xlsx, council-raj-patel.xlsx, fire-and-rescue-ann-lee.xlsx"
               for a in trail)
    results = risk_results(stored, method, small_register)
    assert results.filter(results["issue_id"] == "burglary")["n_scorers"][0] == 3

    again = import_workbooks(paths, method, small_register, store, changed_by="analyst")
    assert again.changes.upserts == () and again.changes.unchanged == result.scores_read
    assert store.scores(method) == stored
    assert len(store.audit_trail(method)) == len(trail)


# --------------------------------------------------------------------------------------------- broken workbooks


@pytest.fixture
def filled(tmp_path, method, small_register, suggestions) -> Path:
    path = export_workbook(tmp_path / "police-jane-smith.xlsx", method, small_register, suggestions, SCORERS[0])
    fill(path, accept_or_middle(method))
    return path


def edit(path: Path, change) -> None:
    wb = load_workbook(path)
    change(wb)
    wb.save(path)


def refused(path: Path, method, register, store_path: Path, *expected: str) -> str:
    store = WarehouseScoreStore(store_path)
    with pytest.raises(InputError) as info:
        import_workbooks([path], method, register, store, changed_by="analyst")
    message = str(info.value)
    assert path.name in message
    for text in expected:
        assert text in message
    assert store.scores(method) == []
    return message


def row_of(path: Path, issue: str, criterion: str) -> int:
    return next(r for r, i, c, _ in rows_of(path) if (i, c) == (issue, criterion))


def test_value_out_of_range(filled, method, small_register, tmp_path) -> None:
    r = row_of(filled, "asb", "harm_physical")
    edit(filled, lambda wb: setattr(wb[SCORES].cell(r, SCORE_COL), "value", 9))
    refused(filled, method, small_register, tmp_path / "w.duckdb",
            f"sheet 'Scores', cell I{r}, issue 'Anti-social behaviour' (asb), criterion 'Harm to individuals: physical' "
            "(harm_physical): 9 is out of range: not a level of 'Harm to individuals: physical' (allowed: 0, 1, 2, 3, 4)")


@pytest.mark.parametrize("bad", ["high", True, datetime(2024, 1, 1)])
def test_wrong_types(filled, method, small_register, tmp_path, bad) -> None:
    r = row_of(filled, "asb", "likelihood")
    edit(filled, lambda wb: setattr(wb[SCORES].cell(r, SCORE_COL), "value", bad))
    refused(filled, method, small_register, tmp_path / "w.duckdb", f"cell I{r}", "is not a number")


def test_formula_in_score_cell(filled, method, small_register, tmp_path) -> None:
    r = row_of(filled, "asb", "volume")
    edit(filled, lambda wb: setattr(wb[SCORES].cell(r, SCORE_COL), "value", "=G3+1"))
    refused(filled, method, small_register, tmp_path / "w.duckdb", f"cell I{r}", "a formula in a score cell")


def test_missing_reason_for_override(filled, method, small_register, tmp_path) -> None:
    r = row_of(filled, "burglary", "likelihood")  # suggested 4
    edit(filled, lambda wb: setattr(wb[SCORES].cell(r, SCORE_COL), "value", 2))
    refused(filled, method, small_register, tmp_path / "w.duckdb",
            f"cell J{r}", "a reason is required: the score 2 overrides the suggested score 4")


def test_reason_without_score(filled, method, small_register, tmp_path) -> None:
    r = row_of(filled, "asb", "capacity")

    def change(wb):
        wb[SCORES].cell(r, SCORE_COL).value = None
        wb[SCORES].cell(r, REASON_COL).value = "no idea"

    edit(filled, change)
    refused(filled, method, small_register, tmp_path / "w.duckdb", f"cell I{r}", "a reason is given but no score")


def test_unknown_issue(filled, method, small_register, tmp_path) -> None:
    fewer = IssueRegister("test", "1", tuple(i for i in small_register.issues if i.id != "asb"))
    refused(filled, method, fewer, tmp_path / "w.duckdb", "unknown issue 'asb'", "cell A")


def test_wrong_method_version(filled, method, small_register, tmp_path) -> None:
    newer = replace(method, version="2.0")
    refused(filled, newer, small_register, tmp_path / "w.duckdb",
            "wrong method version", "cspkit-default@1.0", "cspkit-default@2.0")


def test_sheet_renamed(filled, method, small_register, tmp_path) -> None:
    edit(filled, lambda wb: setattr(wb[SCORES], "title", "My scores"))
    refused(filled, method, small_register, tmp_path / "w.duckdb", "sheet 'Scores' is missing", "'My scores'")


def test_metadata_sheet_deleted(filled, method, small_register, tmp_path) -> None:
    edit(filled, lambda wb: wb.remove(wb[META]))
    refused(filled, method, small_register, tmp_path / "w.duckdb", "sheet '_cspkit' is missing")


def test_rows_moved(filled, method, small_register, tmp_path) -> None:
    def swap(wb):
        ws = wb[SCORES]
        for col in range(1, REASON_COL + 1):
            ws.cell(5, col).value, ws.cell(6, col).value = ws.cell(6, col).value, ws.cell(5, col).value

    edit(filled, swap)
    refused(filled, method, small_register, tmp_path / "w.duckdb", "cell A5", "rows moved or sorted", "cell A6")


def test_merged_cells(filled, method, small_register, tmp_path) -> None:
    edit(filled, lambda wb: wb[SCORES].merge_cells("I2:I3"))
    refused(filled, method, small_register, tmp_path / "w.duckdb", "cell I2:I3", "merged cells")


def test_heading_changed(filled, method, small_register, tmp_path) -> None:
    edit(filled, lambda wb: setattr(wb[SCORES].cell(1, SCORE_COL), "value", "My score"))
    refused(filled, method, small_register, tmp_path / "w.duckdb", "cell I1", "should read 'Score'")


def test_rows_added(filled, method, small_register, tmp_path) -> None:
    edit(filled, lambda wb: wb[SCORES].append(["burglary", "Burglary", "volume", "", "", "", "", "", 3, ""]))
    refused(filled, method, small_register, tmp_path / "w.duckdb", "not part of the exported workbook")


def test_not_a_workbook(tmp_path, method, small_register) -> None:
    path = tmp_path / "scores.xlsx"
    path.write_text("organisation,scorer\nPolice,Jane\n", encoding="utf-8")
    refused(path, method, small_register, tmp_path / "w.duckdb", "not an .xlsx workbook")


def test_every_problem_is_listed_at_once(filled, method, small_register, tmp_path) -> None:
    rows = [row_of(filled, "asb", c) for c in ("volume", "likelihood", "capacity")]

    def change(wb):
        for r, value in zip(rows, (9, "x", "=1"), strict=True):
            wb[SCORES].cell(r, SCORE_COL).value = value

    edit(filled, change)
    message = refused(filled, method, small_register, tmp_path / "w.duckdb", "3 problems")
    for r in rows:
        assert f"cell I{r}" in message
    with pytest.raises(InputError) as info:
        read_workbook(filled, method, small_register)
    assert info.value.row == min(rows) and info.value.column == "I"


def test_nothing_half_imported(tmp_path, method, small_register, suggestions) -> None:
    good, bad = export_workbooks(tmp_path, SCORERS[:2], method, small_register, suggestions)
    fill(good, accept_or_middle(method))
    fill(bad, accept_or_middle(method))
    r = row_of(bad, "asb", "volume")
    edit(bad, lambda wb: setattr(wb[SCORES].cell(r, SCORE_COL), "value", 99))
    store = WarehouseScoreStore(tmp_path / "w.duckdb")
    with pytest.raises(InputError, match=r"council-raj-patel\.xlsx"):
        import_workbooks([good, bad], method, small_register, store, changed_by="analyst")
    assert store.scores(method) == [] and store.audit_trail() == []


def test_same_scorer_twice_is_refused(tmp_path, method, small_register, suggestions) -> None:
    first = export_workbook(tmp_path / "a.xlsx", method, small_register, suggestions, SCORERS[0])
    second = export_workbook(tmp_path / "b.xlsx", method, small_register, suggestions, SCORERS[0])
    store = WarehouseScoreStore(tmp_path / "w.duckdb")
    with pytest.raises(InputError, match="a second workbook for Jane Smith"):
        import_workbooks([first, second], method, small_register, store, changed_by="analyst")


# ------------------------------------------------------------------------------------- issue 12: what was wrong


def test_a_cleared_cell_withdraws_the_score_audited(tmp_path, method, small_register, suggestions) -> None:
    jane, raj = export_workbooks(tmp_path / "out", SCORERS[:2], method, small_register, suggestions)
    levels = method.criterion("volume").values

    def apart(value):  # both accept everything, except asb volume where they are as far apart as the scale allows
        def choose(issue, criterion, suggested):
            if (issue, criterion) == ("asb", "volume"):
                return (value, "local knowledge")
            return accept_or_middle(method)(issue, criterion, suggested)
        return choose

    fill(jane, apart(levels[-1]))
    fill(raj, apart(levels[0]))
    store = WarehouseScoreStore(tmp_path / "w.duckdb")
    import_workbooks([jane, raj], method, small_register, store, changed_by="analyst")
    flagged = risk_results(store.scores(method), method, small_register)
    assert flagged.filter(flagged["issue_id"] == "asb")["discuss"][0]

    r = row_of(jane, "asb", "volume")

    def clear(wb):
        wb[SCORES].cell(r, SCORE_COL).value = None
        wb[SCORES].cell(r, REASON_COL).value = None

    edit(jane, clear)
    result = import_workbooks([jane, raj], method, small_register, store, changed_by="analyst")
    assert result.changes.withdrew == 1 and result.changes.upserts == ()
    assert ("Police", "Jane Smith", "asb", "volume") not in {s.key for s in store.scores(method)}
    withdrawn = store.audit_trail(method)[-1]
    assert (withdrawn.action, withdrawn.scorer, withdrawn.issue_id, withdrawn.criterion) == (
        "withdraw", "Jane Smith", "asb", "volume")
    assert (withdrawn.old_value, withdrawn.new_value, withdrawn.changed_by) == (levels[-1], None, "analyst")
    after = risk_results(store.scores(method), method, small_register)
    assert not after.filter(after["issue_id"] == "asb")["discuss"][0]
    again = import_workbooks([jane, raj], method, small_register, store, changed_by="analyst")
    assert again.changes.audit == ()  # withdrawing twice records nothing more


def test_numeric_text_is_read_as_the_number(filled, method, small_register, tmp_path) -> None:
    r = row_of(filled, "asb", "volume")
    level = method.criterion("volume").values[1]
    edit(filled, lambda wb: setattr(wb[SCORES].cell(r, SCORE_COL), "value", f" {level:g} "))
    edit(filled, lambda wb: setattr(wb[SCORES].cell(r, REASON_COL), "value", "typed"))
    scores = read_workbook(filled, method, small_register).scores
    assert next(s.value for s in scores if (s.issue_id, s.criterion) == ("asb", "volume")) == level


def test_every_bad_workbook_in_a_batch_is_reported_in_one_run(tmp_path, method, small_register, suggestions) -> None:
    paths = export_workbooks(tmp_path / "out", SCORERS, method, small_register, suggestions)
    for path in paths:
        fill(path, accept_or_middle(method))
    r = row_of(paths[0], "asb", "volume")
    edit(paths[0], lambda wb: setattr(wb[SCORES].cell(r, SCORE_COL), "value", 99))
    edit(paths[2], lambda wb: setattr(wb[SCORES].cell(r, SCORE_COL), "value", datetime(2024, 1, 4)))
    store = WarehouseScoreStore(tmp_path / "w.duckdb")
    with pytest.raises(InputError) as info:
        import_workbooks(paths, method, small_register, store, changed_by="analyst")
    message = str(info.value)
    assert message.startswith("2 of 3 workbooks have problems, nothing imported")
    about = "issue 'Anti-social behaviour' (asb), criterion 'Volume' (volume)"
    assert f"police-jane-smith.xlsx, row {r}, column 'I': 1 problem in the workbook, nothing imported: sheet 'Scores', " \
           f"cell I{r}, {about}: 99 is out of range" in message
    assert f"fire-and-rescue-ann-lee.xlsx, row {r}, column 'I': 1 problem in the workbook, nothing imported: sheet " \
           f"'Scores', cell I{r}, {about}: a date (4 January 2024) is not a number" in message
    assert "council-raj-patel" not in message and "datetime" not in message
    assert store.scores(method) == []


@pytest.mark.parametrize(("value", "shown"), [(True, "TRUE (a true/false value)"), (time(9, 30), "a time (09:30)")])
def test_no_python_reprs_in_messages(filled, method, small_register, tmp_path, value, shown) -> None:
    r = row_of(filled, "asb", "likelihood")
    edit(filled, lambda wb: setattr(wb[SCORES].cell(r, SCORE_COL), "value", value))
    message = refused(filled, method, small_register, tmp_path / "w.duckdb", f"{shown} is not a number")
    assert "datetime" not in message and "True" not in message
