"""Weighted percentages for every closed question, by group, and against the previous wave.

Every table here is tidy (one row per question, answer and group) and carries the unweighted
base, so a reader can see when a percentage rests on few people. Bases under ``min_base`` are
flagged and never compared.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from cspkit.errors import AnalysisError
from cspkit.survey.questionnaire import Question, Questionnaire, QuestionType
from cspkit.survey.responses import SurveyResponses
from cspkit.survey.stats import (
    describe_difference,
    difference_test,
    effective_n,
    grouped_linearised,
    holm,
    rao_scott,
    wilson_interval,
)

MIN_BASE = 30
#: Figures from fewer answers than this are published with a caution beside them.
CAUTION_BASE = 50

ESTIMATE_SCHEMA = {
    "question_id": pl.String,
    "question": pl.String,
    "answer_code": pl.String,
    "answer": pl.String,
    "kind": pl.String,
    "base_n": pl.Int64,
    "base_weighted": pl.Float64,
    "count": pl.Int64,
    "pct_unweighted": pl.Float64,
    "ci_low_unweighted": pl.Float64,
    "ci_high_unweighted": pl.Float64,
    "pct": pl.Float64,
    "se": pl.Float64,
    "ci_low": pl.Float64,
    "ci_high": pl.Float64,
    "effective_n": pl.Float64,
    "design_effect": pl.Float64,
    "small_base": pl.Boolean,
}


@dataclass(frozen=True)
class CodedQuestion:
    """One question's answers as respondent x code indicators (codes in questionnaire order)."""

    question: Question
    answered: np.ndarray  # bool, n
    indicators: np.ndarray  # float, n x codes

    def base(self) -> np.ndarray:
        """Respondents in the base: answered, less "don't know only" when the question excludes it."""
        q = self.question
        if not q.exclude_dont_know or not q.dont_know:
            return self.answered
        dk = np.isin(q.codes, q.dont_know)
        only_dk = (self.indicators[:, dk].sum(1) > 0) & (self.indicators[:, ~dk].sum(1) == 0)
        return self.answered & ~only_dk

    def measures(self) -> list[tuple[str, str, str, np.ndarray]]:
        """(code, label, kind, indicator) for each answer and net reported on the base."""
        q = self.question
        excluded = set(q.dont_know) if q.exclude_dont_know else set()
        rows = [(o.code, o.label, "answer", self.indicators[:, i]) for i, o in enumerate(q.options) if o.code not in excluded]
        for net in q.nets:
            columns = [q.codes.index(c) for c in net.codes]
            rows.append((net.code, net.label, "net", (self.indicators[:, columns].sum(1) > 0).astype(float)))
        return rows


@dataclass(frozen=True)
class CodedResponses:
    """Responses and weights lined up by respondent, ready for vectorised estimation."""

    respondent_ids: list[str]
    weights: np.ndarray
    questions: dict[str, CodedQuestion]

    @property
    def n(self) -> int:
        return self.weights.size


def code_responses(responses: SurveyResponses, questionnaire: Questionnaire, weights: pl.DataFrame) -> CodedResponses:
    """Line up answers and weights: one row per respondent, one indicator column per code."""
    ids = responses.respondents.select("respondent_id").join(weights, on="respondent_id", how="left")
    if ids["weight"].null_count():
        missing = ids.filter(pl.col("weight").is_null())["respondent_id"][0]
        raise AnalysisError(f"respondent {missing} has no weight: weights must cover every respondent", column="weight")
    index = ids.with_row_index("idx").select("respondent_id", "idx")
    n = ids.height
    answers = responses.answers.join(index, on="respondent_id", how="inner")
    coded: dict[str, CodedQuestion] = {}
    parts = {key[0]: part for key, part in answers.partition_by("question_id", as_dict=True).items()}
    for question in questionnaire.questions:
        if not question.closed:
            continue
        indicators = np.zeros((n, len(question.codes)))
        answered = np.zeros(n, dtype=bool)
        part = parts.get(question.id)
        if part is not None:
            position = {c: i for i, c in enumerate(question.codes)}
            known = part.filter(pl.col("answer").is_in(list(position)))
            rows = known["idx"].to_numpy()
            cols = known["answer"].replace_strict(position, return_dtype=pl.Int64).to_numpy()
            indicators[rows, cols] = 1.0
            answered[rows] = True
        coded[question.id] = CodedQuestion(question, answered, indicators)
    return CodedResponses(ids["respondent_id"].to_list(), ids["weight"].to_numpy().astype(float), coded)


def _grouped_rows(indicators: np.ndarray, weights: np.ndarray, member: np.ndarray, min_base: int) -> dict[str, np.ndarray]:
    """Unweighted and weighted shares (as percentages) with intervals: groups x answers arrays
    (per-group figures such as base_n are groups x 1)."""
    p, se, base_n, total, total_sq = grouped_linearised(indicators, weights, member)
    counts = member.astype(float).T @ indicators
    size = base_n[:, None] * np.ones_like(p)
    with np.errstate(divide="ignore", invalid="ignore"):
        raw = counts / size
        kish = (total**2 / total_sq)[:, None] * np.ones_like(p)
    raw_low, raw_high = wilson_interval(raw, size)
    n_eff = effective_n(p, se, kish)
    low, high = wilson_interval(p, n_eff)
    return {
        "base_n": base_n[:, None].astype(int),
        "base_weighted": total[:, None],
        "count": counts.astype(int),
        "pct_unweighted": 100 * raw,
        "ci_low_unweighted": 100 * raw_low,
        "ci_high_unweighted": 100 * raw_high,
        "pct": 100 * p,
        "se": 100 * se,
        "ci_low": 100 * low,
        "ci_high": 100 * high,
        "effective_n": n_eff,
        "design_effect": size / n_eff,
        "small_base": (base_n < min_base)[:, None],
    }


def _proportion_rows(indicators: np.ndarray, weights: np.ndarray, min_base: int) -> dict[str, np.ndarray]:
    """:func:`_grouped_rows` for one group: everyone given."""
    grouped = _grouped_rows(indicators, weights, np.ones((indicators.shape[0], 1), dtype=bool), min_base)
    return {key: np.broadcast_to(value, grouped["pct"].shape)[0] for key, value in grouped.items()}


def _frame(meta: list[dict[str, object]], stats_: dict[str, object]) -> list[dict[str, object]]:
    rows = []
    for i, m in enumerate(meta):
        row = dict(m)
        for key, value in stats_.items():
            row[key] = value[i].item()
        rows.append(row)
    return rows


def question_estimates(coded: CodedQuestion, weights: np.ndarray, min_base: int = MIN_BASE) -> list[dict[str, object]]:
    """Rows for one question: each answer and net on the base, and "don't know" on all who answered."""
    q = coded.question
    base = coded.base()
    measures = coded.measures()
    rows: list[dict[str, object]] = []
    if measures:
        y = np.column_stack([m[3] for m in measures])[base]
        meta = [
            {"question_id": q.id, "question": q.text, "answer_code": c, "answer": lab, "kind": k} for c, lab, k, _ in measures
        ]
        rows += _frame(meta, _proportion_rows(y, weights[base], min_base))
    if q.exclude_dont_know and q.dont_know:
        dk_cols = [q.codes.index(c) for c in q.dont_know]
        y = coded.indicators[coded.answered][:, dk_cols]
        meta = [
            {"question_id": q.id, "question": q.text, "answer_code": c, "answer": q.label(c), "kind": "dont_know"}
            for c in q.dont_know
        ]
        rows += _frame(meta, _proportion_rows(y, weights[coded.answered], min_base))
    return rows


def estimates_table(coded: CodedResponses, min_base: int = MIN_BASE) -> pl.DataFrame:
    """Every closed question's answers: unweighted and weighted percentages with 95% intervals."""
    rows = [row for c in coded.questions.values() for row in question_estimates(c, coded.weights, min_base)]
    return pl.DataFrame(rows, schema=ESTIMATE_SCHEMA)


def breakdown_variables(questionnaire: Questionnaire) -> list[Question]:
    """The questions results are broken down by: the area and the demographic questions."""
    return [q for q in questionnaire.questions if q.type in (QuestionType.area, QuestionType.demographic)]


def breakdowns_table(coded: CodedResponses, questionnaire: Questionnaire, min_base: int = MIN_BASE) -> pl.DataFrame:
    """Each closed question by each group of each breakdown variable, tested against the rest.

    The test is a pooled two-proportion z test on effective sample sizes (the group and the
    rest as independent samples); p-values are Holm-adjusted across the groups of one variable for
    one answer, so a table of 31 wards does not find a "difference" by chance.
    """
    rows: list[dict[str, object]] = []
    w = coded.weights
    for variable in breakdown_variables(questionnaire):
        group_q = coded.questions[variable.id]
        groups = [(i, o) for i, o in enumerate(variable.options) if o.code not in variable.dont_know]
        in_any = group_q.indicators[:, [i for i, _ in groups]].sum(1) > 0
        for qid, target in coded.questions.items():
            if qid == variable.id:
                continue
            base = target.base() & in_any
            measures = target.measures()
            if not measures or not base.any():
                continue
            y_all = np.column_stack([m[3] for m in measures])[base]
            member = group_q.indicators[base][:, [i for i, _ in groups]] > 0
            s_in = _grouped_rows(y_all, w[base], member, min_base)
            s_rest = _grouped_rows(y_all, w[base], ~member, min_base)
            diff, p = difference_test(s_in["pct"] / 100, s_in["effective_n"], s_rest["pct"] / 100, s_rest["effective_n"])
            comparable = ~(s_in["small_base"] | s_rest["small_base"])
            p = np.where(comparable, p, np.nan)
            adjusted = np.column_stack([holm(p[:, k]) for k in range(p.shape[1])])
            for g, (_, option) in enumerate(groups):
                for k, (code, label, kind, _) in enumerate(measures):
                    rows.append({
                        "variable": variable.id, "group_code": option.code, "group": option.label,
                        "question_id": qid, "answer_code": code, "answer": label, "kind": kind,
                        "base_n": int(s_in["base_n"][g, 0]), "pct": _value(s_in["pct"][g, k]),
                        "ci_low": _value(s_in["ci_low"][g, k]), "ci_high": _value(s_in["ci_high"][g, k]),
                        "pct_rest": _value(s_rest["pct"][g, k]), "difference": _value(100 * diff[g, k]),
                        "p_value": _value(p[g, k]), "p_adjusted": _value(adjusted[g, k]),
                        "small_base": bool(s_in["small_base"][g, 0]),
                        "verdict": describe_difference(100 * diff[g, k], _value(adjusted[g, k]), bool(comparable[g, 0])),
                    })  # fmt: skip
    return pl.DataFrame(rows, schema=BREAKDOWN_SCHEMA)


BREAKDOWN_SCHEMA = {
    "variable": pl.String,
    "group_code": pl.String,
    "group": pl.String,
    "question_id": pl.String,
    "answer_code": pl.String,
    "answer": pl.String,
    "kind": pl.String,
    "base_n": pl.Int64,
    "pct": pl.Float64,
    "ci_low": pl.Float64,
    "ci_high": pl.Float64,
    "pct_rest": pl.Float64,
    "difference": pl.Float64,
    "p_value": pl.Float64,
    "p_adjusted": pl.Float64,
    "small_base": pl.Boolean,
    "verdict": pl.String,
}


def _value(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


def associations_table(coded: CodedResponses, questionnaire: Questionnaire, min_base: int = MIN_BASE) -> pl.DataFrame:
    """Rao-Scott tests: does each single-answer question's answer differ between the groups?

    Only groups with at least ``min_base`` respondents take part, so the test is not driven
    by a handful of answers.
    """
    rows = []
    for variable in breakdown_variables(questionnaire):
        group_q = coded.questions[variable.id]
        dk = np.isin(variable.codes, variable.dont_know)
        for qid, target in coded.questions.items():
            question = target.question
            if qid == variable.id or question.type == QuestionType.multiple:
                continue
            base = target.base() & (group_q.indicators[:, ~dk].sum(1) > 0)
            answer_cols = [
                i for i, c in enumerate(question.codes) if not (question.exclude_dont_know and c in question.dont_know)
            ]
            answer = np.argmax(target.indicators[:, answer_cols], axis=1)
            group = np.argmax(group_q.indicators, axis=1)
            sizes = np.bincount(group[base], minlength=len(variable.codes))
            keep = base & (sizes[group] >= min_base)
            tested = int(np.sum(sizes >= min_base))
            result = rao_scott(group[keep], answer[keep], coded.weights[keep]) if tested >= 2 else None
            p_value = None if result is None or np.isnan(result["p_value"]) else result["p_value"]
            rows.append({
                "variable": variable.id, "question_id": qid, "groups_tested": tested, "respondents": int(keep.sum()),
                "chi2": None if result is None else result["chi2"],
                "chi2_rao_scott": None if result is None else result["chi2_rao_scott"],
                "df": None if result is None else result["df"],
                "f": None if result is None else result["f"],
                "p_value": p_value,
                "verdict": describe_difference(None, p_value, comparable=result is not None),
            })  # fmt: skip
    schema = {"variable": pl.String, "question_id": pl.String, "groups_tested": pl.Int64, "respondents": pl.Int64,
              "chi2": pl.Float64, "chi2_rao_scott": pl.Float64, "df": pl.Float64, "f": pl.Float64,
              "p_value": pl.Float64, "verdict": pl.String}  # fmt: skip
    return pl.DataFrame(rows, schema=schema)


def changes_table(current: pl.DataFrame, previous: pl.DataFrame) -> pl.DataFrame:
    """This wave against the previous one, answer by answer: a pooled z test on the two
    independent estimates' effective sample sizes, Holm-adjusted within each question."""
    keys = ["question_id", "answer_code", "kind"]
    joined = current.join(
        previous.select(*keys, pl.col("pct").alias("pct_previous"), pl.col("effective_n").alias("n_previous"),
                        pl.col("base_n").alias("base_n_previous"), pl.col("small_base").alias("small_previous")),
        on=keys, how="inner",
    )  # fmt: skip
    if joined.height == 0:
        return pl.DataFrame(schema=CHANGE_SCHEMA)
    diff, p = difference_test(
        joined["pct"].to_numpy() / 100,
        joined["effective_n"].to_numpy(),
        joined["pct_previous"].to_numpy() / 100,
        joined["n_previous"].to_numpy(),
    )
    diff = 100 * diff
    comparable = ~(joined["small_base"].to_numpy() | joined["small_previous"].to_numpy())
    p = np.where(comparable, p, np.nan)
    adjusted = np.full_like(p, np.nan)
    question_ids = joined["question_id"].to_numpy()
    for qid in np.unique(question_ids):
        mask = question_ids == qid
        adjusted[mask] = holm(p[mask])
    verdicts = [describe_difference(d, None if np.isnan(a) else a, c) for d, a, c in zip(diff, adjusted, comparable, strict=True)]
    return joined.select(
        "question_id", "answer_code", "answer", "kind", "base_n", "base_n_previous", "pct", "pct_previous",
        pl.Series("difference", diff), pl.Series("p_value", p), pl.Series("p_adjusted", adjusted), pl.Series("verdict", verdicts),
    ).with_columns(pl.col("p_value", "p_adjusted").fill_nan(None))  # fmt: skip


CHANGE_SCHEMA = {
    "question_id": pl.String,
    "answer_code": pl.String,
    "answer": pl.String,
    "kind": pl.String,
    "base_n": pl.Int64,
    "base_n_previous": pl.Int64,
    "pct": pl.Float64,
    "pct_previous": pl.Float64,
    "difference": pl.Float64,
    "p_value": pl.Float64,
    "p_adjusted": pl.Float64,
    "verdict": pl.String,
}
