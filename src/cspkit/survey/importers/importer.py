"""Turn a survey export into :class:`SurveyResponses`, accounting for every row.

Only the mapped question columns are read; the platform's names, emails, IP addresses and ids
never leave this function, and the raw file is never copied. A postcode is used to fill in the
area (when the resident did not choose one) and then dropped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping as MappingType
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import polars as pl

from cspkit.errors import InputError
from cspkit.survey.importers.coverage import check_every_column
from cspkit.survey.importers.grid import Grid, read_grid
from cspkit.survey.importers.mapping import Mapping, QuestionColumns, match_key, normalise_text
from cspkit.survey.questionnaire import Question, Questionnaire, QuestionType, normalise_postcode, validate_answer
from cspkit.survey.redact import redact
from cspkit.survey.responses import (
    ANSWER_COUNT_SCHEMA,
    ANSWER_SCHEMA,
    DROPPED,
    EXCLUDED,
    EXCLUSION_SCHEMA,
    IMPORTED_RESPONDENT_SCHEMA,
    SurveyResponses,
    answer_rows,
    is_complete,
)

#: SurveyMonkey's second header row for a column that holds the whole answer.
_WHOLE_ANSWER = frozenset({"", "response", "open-ended response", "open ended response"})
_FALSE = frozenset({"", "0", "no", "false", "n", "not selected"})


@dataclass(frozen=True)
class _Source:
    """Where one question's answers are: one column of text, or one column per option."""

    question: Question
    column: int | None
    option_columns: tuple[tuple[int, str | None, str], ...]  # (index, code or None, header)
    spec: QuestionColumns

    @property
    def indexes(self) -> tuple[int, ...]:
        """The export columns this question's answer is read from."""
        own = (self.column,) if self.column is not None else ()
        return own + tuple(index for index, _, _ in self.option_columns)


class _Problem(Exception):
    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column = column
        self.reason = reason


def import_responses(
    path: str | Path,
    questionnaire: Questionnaire,
    mapping: Mapping,
    wave: str,
    postcode_areas: MappingType[str, str] | None = None,
    strict: bool = True,
) -> SurveyResponses:
    """Read an export and map it to the questionnaire.

    ``strict`` (the default) stops at answers that are not in the codes, naming file, row and
    column, because that usually means the mapping needs another ``answers`` line. With
    ``strict=False`` those answers are dropped and listed in ``exclusions``.
    """
    grid = read_grid(path, mapping.header_rows, mapping.encoding, mapping.sheet)
    name = grid.file.name
    headers = _column_headers(grid)
    sources, unmatched = _locate(grid, headers, questionnaire, mapping)
    meta = {key: _find_meta(headers, getattr(mapping, key), mapping, name) for key in ("respondent_id", "submitted_at", "status")}
    read_columns = {i for source in sources for i in source.indexes} | {i for i in meta.values() if i is not None}
    check_every_column(headers, grid.rows, read_columns, unmatched, mapping, name)
    postcode_q = questionnaire.postcode_question
    area_q = questionnaire.area_question

    exclusions: list[dict[str, object]] = []
    problems: list[tuple[int, str, str]] = []
    ticks_read: Counter[str] = Counter()
    ticks_excluded: Counter[str] = Counter()
    ticks_dropped: Counter[str] = Counter()
    memo: dict[tuple, tuple[object, int]] = {}
    source_indexes = [source.indexes for source in sources]
    kept: dict[int, _Row] = {}  # by file row, in file order
    kept_by_id: dict[str, _Row] = {}
    seen_answers: dict[tuple, int] = {}
    postcodes_used = postcodes_unmatched = 0

    for index, cells in enumerate(grid.rows):
        row_number = mapping.header_rows + index + 1
        answers: dict[str, str | tuple[str, ...]] = {}
        ticks: Counter[str] = Counter()
        bad: Counter[str] = Counter()
        for number, (source, indexes) in enumerate(zip(sources, source_indexes, strict=True)):
            # Exports repeat the same few answers thousands of times: read each distinct one once.
            key = (number, *(cells[i] for i in indexes))
            found = memo.get(key)
            if found is None:
                try:
                    found = (_answer(source, cells, mapping), _ticks(source, cells, mapping))
                except _Problem as problem:
                    found = (problem, _ticks(source, cells, mapping))
                if source.question.type != QuestionType.free_text:
                    memo[key] = found
            value, count = found
            qid = source.question.id
            ticks_read[qid] += count
            if isinstance(value, _Problem):
                problems.append((row_number, value.column, value.reason))
                bad[qid] += count
            elif value is not None:
                answers[qid] = value
                ticks[qid] += count
        postcode = answers.pop(postcode_q.id, None) if postcode_q else None
        if postcode is not None and area_q is not None and area_q.id not in answers:
            area = (postcode_areas or {}).get(str(postcode))
            if area is not None:
                answers[area_q.id] = area
                postcodes_used += 1
            else:
                postcodes_unmatched += 1
        if not answers:
            exclusions.append(_excluded(row_number, "no answers to any mapped question"))
            ticks_excluded.update(ticks + bad)
            continue
        status = normalise_text(cells[meta["status"]]) if meta["status"] is not None else ""
        row = _Row(
            number=row_number,
            source_id=cells[meta["respondent_id"]] if meta["respondent_id"] is not None else "",
            submitted=cells[meta["submitted_at"]] if meta["submitted_at"] is not None else "",
            complete=(status not in mapping.partial_values if status
                      else is_complete(questionnaire, set(answers), set(mapping.questions))),
            answers=answers,
            ticks=ticks,
        )
        reason, same_as = _repeat(row, kept_by_id, seen_answers)
        if reason == _SUPERSEDED:  # the earlier partial gives way to this complete response
            earlier = kept.pop(same_as)
            exclusions.append(_excluded(earlier.number, _SUPERSEDED, row.number))
            ticks_excluded.update(earlier.ticks)
            reason = None
        if reason is not None:
            exclusions.append(_excluded(row_number, reason, same_as))
            ticks_excluded.update(ticks + bad)
            continue
        ticks_dropped.update(bad)
        kept[row_number] = row
        if row.source_id:
            kept_by_id[row.source_id] = row
        seen_answers.setdefault(row.fingerprint, row_number)

    if problems and strict:
        row_at, column, reason = problems[0]
        more = f" ({len(problems) - 1} more like this; add the texts to the mapping's answers, or import with --lenient)"
        raise InputError(reason + (more if len(problems) > 1 else ""), file=name, row=row_at, column=column)
    exclusions.extend({"source_row": r, "column": c, "kind": DROPPED, "reason": why} for r, c, why in problems)
    notes: list[str] = []
    if postcode_q is not None and postcode_q.id in mapping.questions:
        notes.append(
            f"postcodes: {postcodes_used} used to fill in the area, {postcodes_unmatched} not found in the postcode lookup"
            + ("" if postcode_areas else " (no postcode lookup supplied)")
            + "; every postcode was then dropped"
        )
    rows: list[tuple[str, str, str]] = []
    people: list[dict[str, object]] = []
    for number, row in enumerate(kept.values(), start=1):
        respondent = f"R{number:05d}"
        for qid, value in row.answers.items():
            rows.extend(answer_rows(respondent, qid, value))
        people.append({"respondent_id": respondent, "submitted_at": _timestamp(row.submitted), "complete": row.complete,
                       "source_row": row.number})
    answers_frame = pl.DataFrame(rows, schema=ANSWER_SCHEMA, orient="row")
    return SurveyResponses(
        wave=wave,
        answers=answers_frame,
        respondents=pl.DataFrame(people, schema=IMPORTED_RESPONDENT_SCHEMA),
        exclusions=pl.DataFrame(exclusions, schema=EXCLUSION_SCHEMA),
        source=name,
        label=mapping.label,
        rows_read=len(grid.rows),
        encoding=grid.encoding,
        notes=tuple(notes),
        answer_counts=_answer_counts(
            [s.question.id for s in sources if s.question is not postcode_q],
            ticks_read, answers_frame, ticks_excluded, ticks_dropped,
        ),
    )


_SUPERSEDED = "superseded: a partial response whose respondent id completed the survey in a later row"


@dataclass(frozen=True)
class _Row:
    """A response read from one file row."""

    number: int
    source_id: str
    submitted: str
    complete: bool
    answers: dict[str, str | tuple[str, ...]]
    ticks: Counter[str]

    @property
    def fingerprint(self) -> tuple:
        return (self.submitted, tuple(sorted(self.answers.items())))


def _repeat(row: _Row, kept_by_id: dict[str, _Row], seen_answers: dict[tuple, int]) -> tuple[str | None, int | None]:
    """Why ROW is not a new response, and the file row it repeats; (None, None) when it is new.

    A respondent id seen before is a duplicate only when the answers are the same too; otherwise
    it is a partial resubmission (kept out: the earlier response stands), a completion of an
    earlier partial (which it supersedes), or a resubmission with different answers (the first
    complete response stands). Identical answers and timestamp under a new id is a double submission.
    """
    earlier = kept_by_id.get(row.source_id) if row.source_id else None
    if earlier is not None:
        if earlier.answers == row.answers:
            return "duplicate: same respondent id and answers as an earlier row", earlier.number
        if not row.complete:
            return "partial resubmission: same respondent id as an earlier row, which is kept", earlier.number
        if not earlier.complete:
            return _SUPERSEDED, earlier.number
        return "resubmission: same respondent id as an earlier complete row with different answers; the first is kept", \
            earlier.number
    if row.submitted and row.fingerprint in seen_answers:
        return "duplicate: identical answers and timestamp to an earlier row", seen_answers[row.fingerprint]
    return None, None


def _answer_counts(
    questions: list[str], read: Counter[str], answers: pl.DataFrame, excluded: Counter[str], dropped: Counter[str]
) -> pl.DataFrame:
    """Ticks (answers; each option of a multiple choice counts) per question: read from the file,
    stored, in excluded rows, dropped. Read = stored + in excluded rows + dropped."""
    stored = dict(answers.group_by("question_id").len().iter_rows())
    return pl.DataFrame(
        [(q, read[q], stored.get(q, 0), excluded[q], dropped[q]) for q in questions],
        schema=ANSWER_COUNT_SCHEMA,
        orient="row",
    )


def _excluded(row: int, reason: str, same_as: int | None = None) -> dict[str, object]:
    return {"source_row": row, "column": None, "kind": EXCLUDED, "reason": reason, "same_as_row": same_as}


def _column_headers(grid: Grid) -> list[tuple[str, str]]:
    """(question header, option header) per column; a two-row header is forward-filled."""
    top = grid.headers[0]
    second = grid.headers[1] if len(grid.headers) > 1 else [""] * len(top)
    result: list[tuple[str, str]] = []
    current = ""
    for index, cell in enumerate(top):
        current = cell or (current if len(grid.headers) > 1 else "")
        result.append((current, second[index]))
    return result


def _find_meta(headers: list[tuple[str, str]], column: str | None, mapping: Mapping, file: str) -> int | None:
    if not column:
        return None
    wanted = normalise_text(column)
    for index, (top, _) in enumerate(headers):
        if normalise_text(top) == wanted:
            return index
    if column in mapping.required_meta:
        raise InputError(f"the mapping names column '{column}', which is not in the export", file=file, column=column)
    return None


def _locate(
    grid: Grid, headers: list[tuple[str, str]], questionnaire: Questionnaire, mapping: Mapping
) -> tuple[list[_Source], dict[int, Question]]:
    """Find every mapped question's column(s); a missing column is an error naming it.

    Also returns the columns under a mapped question whose option text matched none of its
    answers, for :func:`check_every_column` to list.
    """
    file = grid.file.name
    tops = [normalise_text(top) for top, _ in headers]
    exact = {normalise_text(f"{top} {sub}".strip()): i for i, (top, sub) in enumerate(headers)}
    unmatched: dict[int, Question] = {}
    sources: list[_Source] = []
    for qid, spec in mapping.questions.items():
        question = questionnaire[qid]
        option_columns: list[tuple[int, str | None, str]] = []
        for header, code in spec.option_columns.items():
            index = exact.get(normalise_text(header))
            if index is None:
                raise InputError(
                    f"the mapping's option column for '{qid}' is not in the export{_closest(header, headers)}",
                    file=file,
                    column=header,
                )
            option_columns.append((index, code, header))
        column = None
        if spec.column:
            matches = [i for i, top in enumerate(tops) if top == normalise_text(spec.column)]
            if not matches:
                raise InputError(
                    f"the mapping's column for question '{qid}' is not in the export{_closest(spec.column, headers)}",
                    file=file,
                    column=spec.column,
                )
            whole = [i for i in matches if normalise_text(headers[i][1]) in _WHOLE_ANSWER]
            column = whole[0] if whole else None
            for index in matches:  # the rest: one column per answer option, named in the second header row
                if index == column:
                    continue
                code = _code_for(question, headers[index][1], spec, mapping)
                if code is None:
                    unmatched[index] = question
                else:
                    option_columns.append((index, code, headers[index][1]))
        sources.append(_Source(question, column, tuple(option_columns), spec))
    return sources, unmatched


def _closest(wanted: str, headers: list[tuple[str, str]]) -> str:
    from difflib import get_close_matches

    names = list(dict.fromkeys(top for top, _ in headers if top))
    close = get_close_matches(wanted, names, n=1, cutoff=0.5)
    return f"; the closest column is '{close[0]}'" if close else ""


def _code_for(question: Question, text: str, spec: QuestionColumns, mapping: Mapping) -> str | None:
    """The code an answer text means: the mapping's own answers first, then labels and codes."""
    return _answer_lookup(question, spec, mapping).get(match_key(text))


@lru_cache(maxsize=256)
def _answer_lookup(question: Question, spec: QuestionColumns, mapping: Mapping) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for option in question.options:
        lookup.setdefault(match_key(option.code), option.code)
        lookup[match_key(option.label)] = option.code
    lookup.update({k: v for k, v in mapping.answers.items() if v in question.codes})
    lookup.update(spec.answers)
    return lookup


def _answer(source: _Source, cells: list[str], mapping: Mapping) -> str | tuple[str, ...] | None:
    question = source.question
    column_name = source.spec.column or source.question.id
    if question.type == QuestionType.free_text:
        text = cells[source.column] if source.column is not None else ""
        return redact(text[: question.max_length]) if text else None
    if question.type == QuestionType.postcode:
        text = cells[source.column] if source.column is not None else ""
        if not text:
            return None
        postcode = normalise_postcode(text)
        if postcode is None:
            raise _Problem(column_name, "not a full UK postcode")  # the value itself is never repeated
        return postcode
    codes: list[str] = [code for index, code, _ in source.option_columns if normalise_text(cells[index]) not in _FALSE]
    if source.column is not None and cells[source.column]:
        cell = cells[source.column]
        separator = source.spec.separator or mapping.separator
        parts = cell.split(separator) if question.type == QuestionType.multiple else [cell]
        for part in (p.strip() for p in parts):
            if not part:
                continue
            code = _code_for(question, part, source.spec, mapping)
            if code is None:
                raise _Problem(column_name, f"answer '{part}' is not one of the answers to question '{question.id}'")
            codes.append(code)
    if not codes:
        return None
    try:
        return validate_answer(question, codes)
    except InputError as exc:
        raise _Problem(column_name, f"question '{question.id}': {exc.message}") from exc


def _ticks(source: _Source, cells: list[str], mapping: Mapping) -> int:
    """How many answers the file gives for one question: each marked option column, each part of
    a multiple choice cell, one for any other non-empty cell."""
    marked = sum(normalise_text(cells[index]) not in _FALSE for index, _, _ in source.option_columns)
    if source.column is None or not cells[source.column]:
        return marked
    if source.question.type != QuestionType.multiple:
        return marked + 1
    separator = source.spec.separator or mapping.separator
    return marked + sum(bool(part.strip()) for part in cells[source.column].split(separator))


def _timestamp(text: str) -> datetime | None:
    if not text:
        return None
    for candidate in (text, text.replace("/", "-")):
        try:
            return datetime.fromisoformat(candidate)
        except ValueError:
            pass
    for pattern in ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            pass
    return None
