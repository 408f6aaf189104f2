"""The spreadsheet workflow partners use today: one scoring workbook per scorer, and its import.

A workbook holds one row per issue and criterion with the data-suggested score and its evidence,
a dropdown of the allowed levels in every score cell, and a reasons column. A hidden, protected
sheet records the method id and version, the scorer and the row order, so a completed workbook
can be checked cell by cell on its way back. Import validates every workbook completely before
anything is stored; an error names the workbook, sheet and cell.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.formula import ArrayFormula

from cspkit.errors import InputError
from cspkit.risk.method import Method
from cspkit.risk.register import IssueRegister
from cspkit.risk.scores import Score
from cspkit.risk.store import Changes, ScoreStore
from cspkit.risk.suggest import Suggestion, evidence_text, suggested_values

FORMAT_VERSION = "1"
SCORES = "Scores"
LEVELS = "Levels"
ISSUES = "Issues"
INSTRUCTIONS = "Instructions"
META = "_cspkit"
HEADER = ("Issue ID", "Issue", "Criterion ID", "Criterion", "Question", "Levels", "Suggested", "Evidence", "Score", "Reason")
SCORE_COL, REASON_COL = 9, 10  # I and J
META_ROWS_START = 12


@dataclass(frozen=True)
class Scorer:
    organisation: str
    name: str

    @property
    def file_stem(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", f"{self.organisation} {self.name}".lower()).strip("-")


def _fmt(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def export_workbook(
    path: str | Path,
    method: Method,
    register: IssueRegister,
    suggestions: Sequence[Suggestion],
    scorer: Scorer,
) -> Path:
    """Write one scorer's scoring workbook."""
    path = Path(path)
    suggested = suggested_values(suggestions)
    wb = Workbook()
    _instructions(wb.active, method, scorer)
    ws = wb.create_sheet(SCORES)
    ws.append(HEADER)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    # One style object of each kind, shared by every cell: creating them per cell is what makes openpyxl slow.
    editable = PatternFill("solid", fgColor="FFF2CC")
    unlocked = Protection(locked=False)
    wrapped = Alignment(wrap_text=True, vertical="top")
    validations = {}
    for criterion in method.criteria:
        allowed = ",".join(f"{v:g}" for v in criterion.values)
        dv = DataValidation(
            type="list", formula1=f'"{allowed}"', allow_blank=True, showErrorMessage=True,
            errorTitle="Not a level", error=f"Choose one of {allowed} (see the Levels sheet).",
        )
        ws.add_data_validation(dv)
        validations[criterion.id] = dv
    by_issue: dict[str, list[Suggestion]] = {}
    for suggestion in suggestions:
        by_issue.setdefault(suggestion.issue_id, []).append(suggestion)
    keys = []
    row = 1
    for issue in register.issues:
        for criterion in method.criteria:
            row += 1
            value = suggested.get((issue.id, criterion.id))
            levels = "; ".join(f"{lv.value:g} {lv.label}" for lv in criterion.levels)
            ws.append([
                issue.id, issue.name, criterion.id, criterion.name, criterion.question, levels, _fmt(value),
                evidence_text(by_issue.get(issue.id, []), issue.id, criterion.id), None, None,
            ])
            keys.append((row, issue.id, criterion.id, value))
            validations[criterion.id].add(f"{get_column_letter(SCORE_COL)}{row}")
            for col in (SCORE_COL, REASON_COL):
                cell = ws.cell(row=row, column=col)
                cell.protection = unlocked
                cell.fill = editable
            for col in (2, 4, 5, 6, 8, REASON_COL):
                ws.cell(row=row, column=col).alignment = wrapped
    for letter, width in zip("ABCDEFGHIJ", (20, 28, 20, 30, 50, 40, 10, 70, 8, 50), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "C2"
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False

    _levels_sheet(wb.create_sheet(LEVELS), method)
    _issues_sheet(wb.create_sheet(ISSUES), register)
    _meta_sheet(wb.create_sheet(META), method, register, scorer, keys)
    wb.active = 1
    wb.security = WorkbookProtection(lockStructure=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _instructions(ws, method: Method, scorer: Scorer) -> None:
    ws.title = INSTRUCTIONS
    lines = [
        f"Risk matrix scoring workbook for {scorer.name} ({scorer.organisation})",
        f"Method: {method.name} ({method.label})",
        "",
        "1. Go to the 'Scores' sheet. Each row is one issue and one criterion.",
        "2. In the yellow 'Score' column, choose a level from the dropdown. The 'Levels' sheet says what each level means.",
        "3. Where the data suggests a score ('Suggested', with the 'Evidence' beside it) you may accept it or choose another "
        "value. If you choose a different value, write your reason in the 'Reason' column: it is required.",
        "4. Leave a score empty if you cannot judge it. Do not rename sheets, move or sort rows, merge cells or type formulas:",
        "   the workbook is checked cell by cell when it comes back and will be refused.",
        "5. Score on your own: the partnership compares scorers' views and discusses where they differ.",
        "6. Save the file and send it back to the partnership analyst.",
    ]
    for line in lines:
        ws.append([line])
    ws["A1"].font = Font(bold=True, size=14)
    ws.column_dimensions["A"].width = 120


def _levels_sheet(ws, method: Method) -> None:
    ws.append(["Criterion ID", "Criterion", "Group", "Value", "Label", "Description"])
    for criterion in method.criteria:
        group = method.group(criterion.group).name
        for level in criterion.levels:
            ws.append([criterion.id, criterion.name, group, _fmt(level.value), level.label, level.description])
    for letter, width in zip("ABCDEF", (20, 32, 30, 8, 16, 80), strict=True):
        ws.column_dimensions[letter].width = width
    ws.protection.sheet = True


def _issues_sheet(ws, register: IssueRegister) -> None:
    ws.append(["Issue ID", "Issue", "Description", "police.uk categories", "Partner sources"])
    for issue in register.issues:
        ws.append([issue.id, issue.name, issue.description, ", ".join(issue.crime_categories), ", ".join(issue.partner_sources)])
    for letter, width in zip("ABCDE", (24, 32, 80, 36, 24), strict=True):
        ws.column_dimensions[letter].width = width
    ws.protection.sheet = True


def _meta_sheet(ws, method: Method, register: IssueRegister, scorer: Scorer, keys) -> None:
    info = [
        ("format", FORMAT_VERSION),
        ("method_id", method.id),
        ("method_version", method.version),
        ("organisation", scorer.organisation),
        ("scorer", scorer.name),
        ("issues_id", register.id),
        ("issues_version", register.version),
        ("exported_at", datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")),
        ("rows", len(keys)),
    ]
    for key, value in info:
        ws.append([key, value])
    ws.cell(row=META_ROWS_START - 1, column=1, value="row")
    for offset, (row, issue_id, criterion_id, suggested) in enumerate(keys):
        r = META_ROWS_START + offset
        ws.cell(row=r, column=1, value=row)
        ws.cell(row=r, column=2, value=issue_id)
        ws.cell(row=r, column=3, value=criterion_id)
        ws.cell(row=r, column=4, value=_fmt(suggested))
    ws.protection.sheet = True
    ws.sheet_state = "hidden"


# --------------------------------------------------------------------------------------------- import


class _Problems:
    """Collects every problem in a workbook, each with its sheet and cell."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.items: list[tuple[str, str, int | None, str, str]] = []

    def add(self, sheet: str, cell: str, message: str, row: int | None = None, about: str = "") -> None:
        """Record a problem; ``about`` names the issue and criterion of a score row."""
        self.items.append((sheet, cell, row, about, message))

    def raise_if_any(self) -> None:
        if not self.items:
            return
        texts = [
            f"sheet '{sheet}'" + (f", cell {cell}" if cell else "") + (f", {about}" if about else "") + f": {message}"
            for sheet, cell, _, about, message in self.items
        ]
        shown = "; ".join(texts[:12]) + (f"; and {len(texts) - 12} more" if len(texts) > 12 else "")
        _, cell, row, _, _ = self.items[0]
        column = re.sub(r"\d", "", cell) or None
        plural = "problem" if len(texts) == 1 else "problems"
        raise InputError(
            f"{len(texts)} {plural} in the workbook, nothing imported: {shown}", file=self.path.name, row=row, column=column
        )


def _about(register: IssueRegister, method: Method, issue_id: str, criterion_id: str) -> str:
    """How a problem names its score row: the issue and criterion, by name and id."""
    issue = register.get(issue_id).name if issue_id in register.ids else issue_id
    criterion = method.criterion(criterion_id).name if criterion_id in method.criterion_ids else criterion_id
    return f"issue '{issue}' ({issue_id}), criterion '{criterion}' ({criterion_id})"


def _described(value: object) -> str:
    """A cell value as the scorer sees it in the spreadsheet, never as Python writes it."""
    if isinstance(value, bool):
        return f"{str(value).upper()} (a true/false value)"
    if isinstance(value, datetime) and value.time() == time(0):
        return f"a date ({value.day} {value:%B %Y})"
    if isinstance(value, datetime):
        return f"a date and time ({value.day} {value:%B %Y %H:%M})"
    if isinstance(value, date):
        return f"a date ({value.day} {value:%B %Y})"
    if isinstance(value, time):
        return f"a time ({value:%H:%M})"
    return "empty" if value is None else f"'{value}'"


def _has_formula(cell) -> bool:
    value = cell.value
    return cell.data_type == "f" or isinstance(value, ArrayFormula) or (isinstance(value, str) and value.startswith("="))


def _read_meta(ws, problems: _Problems) -> tuple[dict[str, str], list[tuple[int, str, str, float | None]]]:
    info = {}
    for row in range(1, META_ROWS_START - 1):
        key, value = ws.cell(row=row, column=1).value, ws.cell(row=row, column=2).value
        if key is not None:
            info[str(key)] = "" if value is None else str(value)
    keys = []
    row = META_ROWS_START
    while ws.cell(row=row, column=1).value is not None:
        cells = [ws.cell(row=row, column=c).value for c in range(1, 5)]
        try:
            keys.append((int(cells[0]), str(cells[1]), str(cells[2]), None if cells[3] is None else float(cells[3])))
        except (TypeError, ValueError):
            problems.add(META, f"A{row}", "the hidden metadata sheet has been edited; export a fresh workbook")
            break
        row += 1
    return info, keys


def _score_value(cell, criterion_levels: tuple[float, ...], criterion_name: str, problems: _Problems, about: str) -> float | None:
    """The number in a score cell, or None if empty; problems recorded for anything else.

    Text that is a number ("4", as some spreadsheet programs store a dropdown choice) is read as that
    number; other text, dates, times and TRUE/FALSE are refused.
    """
    value = cell.value
    if _has_formula(cell):
        problems.add(SCORES, cell.coordinate, "a formula in a score cell; type or choose a value instead", cell.row, about)
        return None
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool | datetime | date | time):
        problems.add(SCORES, cell.coordinate, f"{_described(value)} is not a number; choose a level from the dropdown",
                     cell.row, about)
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            problems.add(SCORES, cell.coordinate, f"'{value}' is not a number; choose a level from the dropdown",
                         cell.row, about)
            return None
    value = float(value)
    if value not in criterion_levels:
        allowed = ", ".join(f"{v:g}" for v in criterion_levels)
        problems.add(
            SCORES, cell.coordinate, f"{value:g} is out of range: not a level of '{criterion_name}' (allowed: {allowed})",
            cell.row, about,
        )
        return None
    return value


@dataclass(frozen=True)
class WorkbookScores:
    """What one completed workbook says: its scorer, the scores given, and the score cells left empty
    (as score keys), which withdraw any score that scorer gave before."""

    scorer: Scorer
    scores: list[Score]
    cleared: list[tuple[str, str, str, str]]


def read_workbook(path: str | Path, method: Method, register: IssueRegister) -> WorkbookScores:
    """Check a completed workbook completely and return its scorer, scores and cleared cells
    (empty cells are not scores)."""
    path = Path(path)
    problems = _Problems(path)
    if not path.exists():
        raise InputError("workbook not found", file=path)
    try:
        wb = load_workbook(path, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise InputError(f"not an .xlsx workbook that can be read: {exc}", file=path) from exc

    missing = [name for name in (SCORES, META) if name not in wb.sheetnames]
    if missing:
        found = ", ".join(repr(n) for n in wb.sheetnames)
        raise InputError(
            f"sheet '{missing[0]}' is missing (was it renamed or deleted? sheets found: {found}); "
            "nothing imported", file=path,
        )
    info, keys = _read_meta(wb[META], problems)
    problems.raise_if_any()
    if info.get("format") != FORMAT_VERSION:
        raise InputError(f"unknown workbook format '{info.get('format', '')}'; export a fresh workbook", file=path)
    if info.get("method_id") != method.id or info.get("method_version") != method.version:
        raise InputError(
            f"wrong method version: the workbook was made for method {info.get('method_id')}@{info.get('method_version')}, "
            f"but this assessment uses {method.label}; export a fresh workbook and score again (nothing imported)",
            file=path,
        )
    scorer = Scorer(info.get("organisation", "").strip(), info.get("scorer", "").strip())
    if not scorer.organisation or not scorer.name:
        raise InputError("the workbook does not say which organisation and scorer it belongs to", file=path)

    ws = wb[SCORES]
    for merged in ws.merged_cells.ranges:
        problems.add(SCORES, str(merged), "merged cells; unmerge them so every row has its own score and reason")
    for col, expected in enumerate(HEADER, start=1):
        cell = ws.cell(row=1, column=col)
        if cell.value != expected:
            problems.add(SCORES, cell.coordinate, f"the heading should read '{expected}' but reads {_described(cell.value)}", 1)
    problems.raise_if_any()

    scores: list[Score] = []
    cleared: list[tuple[str, str, str, str]] = []
    for row, issue_id, criterion_id, suggested in keys:
        got_issue = ws.cell(row=row, column=1).value
        got_criterion = ws.cell(row=row, column=3).value
        if (got_issue, got_criterion) != (issue_id, criterion_id):
            problems.add(
                SCORES, f"A{row}",
                f"rows moved or sorted: row {row} should hold issue '{issue_id}', criterion '{criterion_id}' but holds "
                f"{_described(got_issue)}, {_described(got_criterion)}; put the rows back in their original order",
                row,
            )
            continue
        if issue_id not in register.ids:
            problems.add(SCORES, f"A{row}", f"unknown issue '{issue_id}' (not in the issues register {register.id})", row)
            continue
        if criterion_id not in method.criterion_ids:
            problems.add(SCORES, f"C{row}", f"unknown criterion '{criterion_id}' in method {method.label}", row)
            continue
        criterion = method.criterion(criterion_id)
        about = _about(register, method, issue_id, criterion_id)
        score_cell = ws.cell(row=row, column=SCORE_COL)
        reason_cell = ws.cell(row=row, column=REASON_COL)
        before = len(problems.items)
        value = _score_value(score_cell, criterion.values, criterion.name, problems, about)
        if _has_formula(reason_cell):
            problems.add(SCORES, reason_cell.coordinate, "a formula in a reason cell; write the reason as text", row, about)
            continue
        reason = "" if reason_cell.value is None else str(reason_cell.value).strip()
        if value is None:
            if reason and score_cell.value is None:
                problems.add(SCORES, score_cell.coordinate, "a reason is given but no score", row, about)
            elif len(problems.items) == before:
                cleared.append((scorer.organisation, scorer.name, issue_id, criterion_id))
            continue
        if suggested is not None and value != suggested and not reason:
            problems.add(
                SCORES, reason_cell.coordinate,
                f"a reason is required: the score {value:g} overrides the suggested score {suggested:g}", row, about,
            )
            continue
        scores.append(
            Score(
                organisation=scorer.organisation, scorer=scorer.name, issue_id=issue_id, criterion=criterion_id,
                value=value, suggested=suggested, reason=reason,
            )
        )
    last = 1 + max((k[0] for k in keys), default=1)
    for extra in ws.iter_rows(min_row=last, max_row=max(ws.max_row, last)):
        if any(c.value not in (None, "") for c in extra):
            where = extra[0].row
            problems.add(SCORES, f"A{where}", "a row that is not part of the exported workbook (rows added?)", where)
            break
    problems.raise_if_any()
    return WorkbookScores(scorer, scores, cleared)


@dataclass(frozen=True)
class ImportResult:
    workbooks: tuple[Path, ...]
    scorers: tuple[Scorer, ...]
    scores_read: int
    changes: Changes


def import_workbooks(
    paths: Sequence[str | Path], method: Method, register: IssueRegister, store: ScoreStore, changed_by: str
) -> ImportResult:
    """Check every workbook, then store all their scores in one go: all or nothing.

    Every workbook is checked before any error is raised, so one run lists the problems of them all.
    A score cell left empty withdraws the score that scorer gave before (audited).
    """
    read: list[WorkbookScores] = []
    failures: list[InputError] = []
    seen: dict[Scorer, Path] = {}
    for path in paths:
        try:
            book = read_workbook(path, method, register)
        except InputError as exc:
            failures.append(exc)
            continue
        if book.scorer in seen:
            failures.append(InputError(
                f"a second workbook for {book.scorer.name} ({book.scorer.organisation}); the first is {seen[book.scorer].name}",
                file=Path(path).name,
            ))
            continue
        seen[book.scorer] = Path(path)
        read.append(book)
    if len(failures) == 1:
        raise failures[0]
    if failures:
        listed = "\n".join(f"  - {failure}" for failure in failures)
        raise InputError(f"{len(failures)} of {len(paths)} workbooks have problems, nothing imported:\n{listed}")
    scores = [score for book in read for score in book.scores]
    cleared = [key for book in read for key in book.cleared]
    source = "workbooks: " + ", ".join(Path(p).name for p in paths)
    changes = store.record(scores, method, register, changed_by=changed_by, source=source, cleared=cleared)
    return ImportResult(tuple(Path(p) for p in paths), tuple(b.scorer for b in read), len(scores), changes)


def export_workbooks(
    out_dir: str | Path,
    scorers: Sequence[Scorer],
    method: Method,
    register: IssueRegister,
    suggestions: Sequence[Suggestion],
) -> list[Path]:
    """One workbook per scorer in ``out_dir``, named after the organisation and scorer."""
    out_dir = Path(out_dir)
    stems = [s.file_stem for s in scorers]
    if len(set(stems)) != len(stems):
        raise InputError("two scorers would share a workbook file name; give each a distinct organisation and name")
    return [export_workbook(out_dir / f"{s.file_stem}.xlsx", method, register, suggestions, s) for s in scorers]
