"""Survey responses in one shape, whether imported from an export or submitted through the web form.

Answers are long: one row per respondent, question and chosen code (a multiple choice answer is
several rows). Nothing that identifies a resident is kept: respondent ids are assigned here, the
platform's ids, emails, IP addresses and postcodes never enter these tables, and free text is
redacted before it is stored.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

import polars as pl

from cspkit.errors import InputError
from cspkit.survey.questionnaire import Questionnaire, QuestionType, validate_answer
from cspkit.survey.redact import redact

ANSWER_SCHEMA = {"respondent_id": pl.String, "question_id": pl.String, "answer": pl.String}
RESPONDENT_SCHEMA = {"respondent_id": pl.String, "submitted_at": pl.Datetime("us"), "complete": pl.Boolean}
#: Imported responses also keep the file row each came from (partials included).
IMPORTED_RESPONDENT_SCHEMA = {**RESPONDENT_SCHEMA, "source_row": pl.Int64}
#: ``same_as_row``: for a duplicate or resubmission, the file row it repeats (or, superseded, the row that replaced it).
EXCLUSION_SCHEMA = {
    "source_row": pl.Int64, "column": pl.String, "kind": pl.String, "reason": pl.String, "same_as_row": pl.Int64,
}
#: Ticks per question on import: read = stored + in_excluded_rows + dropped.
ANSWER_COUNT_SCHEMA = {
    "question_id": pl.String, "read": pl.Int64, "stored": pl.Int64, "in_excluded_rows": pl.Int64, "dropped": pl.Int64,
}

EXCLUDED = "response excluded"
DROPPED = "answer dropped"


@dataclass(frozen=True)
class SurveyResponses:
    """One wave of responses, ready to weight and analyse.

    ``exclusions`` lists every response left out and every answer dropped, with its reason, so
    the counts in the import summary add up to the rows read; ``answer_counts`` (imports only)
    does the same for the ticks of each question.
    """

    wave: str
    answers: pl.DataFrame
    respondents: pl.DataFrame
    exclusions: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=EXCLUSION_SCHEMA))
    source: str = ""
    label: str = ""
    rows_read: int = 0
    encoding: str = ""
    notes: tuple[str, ...] = ()
    answer_counts: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=ANSWER_COUNT_SCHEMA))

    @property
    def count(self) -> int:
        return self.respondents.height

    def summary(self) -> dict[str, object]:
        """What became of every row read, for the import report."""
        excluded = self.exclusions.filter(pl.col("kind") == EXCLUDED)
        dropped = self.exclusions.filter(pl.col("kind") == DROPPED)
        reasons = Counter(excluded["reason"].to_list())
        complete = int(self.respondents["complete"].sum()) if self.count else 0
        return {
            "wave": self.wave,
            "source": self.source,
            "label": self.label,
            "encoding": self.encoding,
            "rows_read": self.rows_read,
            "imported": self.count,
            "complete": complete,
            "partial": self.count - complete,
            "excluded": excluded.height,
            "duplicates": sum(n for r, n in reasons.items() if r.startswith("duplicate")),
            "excluded_by_reason": dict(sorted(reasons.items())),
            "answers_dropped": dropped.height,
            "ticks_by_question": {
                r["question_id"]: f"{r['read']:,} read, {r['stored']:,} stored"
                + (f", {r['in_excluded_rows']:,} in excluded rows" if r["in_excluded_rows"] else "")
                + (f", {r['dropped']:,} dropped" if r["dropped"] else "")
                for r in self.answer_counts.iter_rows(named=True)
            },
            "notes": list(self.notes),
        }


def is_complete(questionnaire: Questionnaire, answered: set[str], asked: set[str] | None = None) -> bool:
    """A response is complete when every required question (of those ``asked``, default all) is answered."""
    return all(q.id in answered for q in questionnaire.questions if q.required and (asked is None or q.id in asked))


def answer_rows(respondent_id: str, question_id: str, value: str | tuple[str, ...] | None) -> list[tuple[str, str, str]]:
    if value is None:
        return []
    values = value if isinstance(value, tuple) else (value,)
    return [(respondent_id, question_id, v) for v in values]


def responses_from_answers(
    submissions: Iterable[Mapping[str, object]],
    questionnaire: Questionnaire,
    wave: str,
    submitted_at: Iterable[datetime | None] | None = None,
    source: str = "web form",
) -> SurveyResponses:
    """Responses from answers given as codes (the web form's path into the same analysis).

    Each submission maps question id to what the form posted (a code, a list of codes or text).
    Every answer is checked with :func:`validate_answer`; a bad one raises :class:`InputError`
    naming the submission (row) and question (column).
    """
    rows: list[tuple[str, str, str]] = []
    people: list[dict[str, object]] = []
    times = list(submitted_at) if submitted_at is not None else None
    for number, submission in enumerate(submissions, start=1):
        respondent = f"R{number:05d}"
        answered: set[str] = set()
        for qid, raw in submission.items():
            question = questionnaire[qid]
            if question.type == QuestionType.postcode:
                continue  # a postcode is resolved to the area by the caller, never stored
            try:
                value = validate_answer(question, raw)  # type: ignore[arg-type]
            except InputError as exc:
                raise InputError(exc.message, file=source, row=number, column=qid) from exc
            if isinstance(value, str) and question.type == QuestionType.free_text:
                value = redact(value)
            if value is not None:
                answered.add(qid)
                rows.extend(answer_rows(respondent, qid, value))
        when = times[number - 1] if times is not None else None
        people.append({"respondent_id": respondent, "submitted_at": when, "complete": is_complete(questionnaire, answered)})
    return SurveyResponses(
        wave=wave,
        answers=pl.DataFrame(rows, schema=ANSWER_SCHEMA, orient="row"),
        respondents=pl.DataFrame(people, schema=RESPONDENT_SCHEMA),
        source=source,
        rows_read=len(people),
    )
