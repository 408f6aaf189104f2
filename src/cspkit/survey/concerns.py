"""Residents' concerns as an input to prioritisation: ranked, with intervals, mapped to the risk register.

The focus group sees which issues residents worry about most beside the risk matrix. A rank
alone overstates certainty (two concerns a point apart are not really first and second), so each
row carries its interval, the ranks it could plausibly hold, and whether it is really ahead of the
next one (a paired test: the same residents answered both).
"""

from __future__ import annotations

import numpy as np
import polars as pl
from scipy.stats import norm

from cspkit.survey.estimates import MIN_BASE, CodedResponses, question_estimates
from cspkit.survey.questionnaire import Questionnaire
from cspkit.survey.stats import describe_difference, linearised_proportions

CONCERN_SCHEMA = {
    "rank": pl.Int64,
    "rank_best": pl.Int64,
    "rank_worst": pl.Int64,
    "concern_code": pl.String,
    "concern": pl.String,
    "risk_issue": pl.String,
    "respondents": pl.Int64,
    "base_n": pl.Int64,
    "pct": pl.Float64,
    "ci_low": pl.Float64,
    "ci_high": pl.Float64,
    "pct_unweighted": pl.Float64,
    "small_base": pl.Boolean,
    "versus_next": pl.String,
}


def concerns_table(coded: CodedResponses, questionnaire: Questionnaire, min_base: int = MIN_BASE) -> pl.DataFrame:
    """The concerns question's options ranked by weighted share (highest first)."""
    question = questionnaire.with_role("concerns")
    if question is None or question.id not in coded.questions:
        return pl.DataFrame(schema=CONCERN_SCHEMA)
    data = coded.questions[question.id]
    skip = set(question.dont_know) | set(question.exclusive)
    rows = [
        r for r in question_estimates(data, coded.weights, min_base) if r["kind"] == "answer" and r["answer_code"] not in skip
    ]
    rows.sort(key=lambda r: -(r["pct"] if r["pct"] == r["pct"] else -1))
    base = data.base()
    columns = [question.codes.index(r["answer_code"]) for r in rows]
    y = data.indicators[base][:, columns]
    w = coded.weights[base]
    lows = np.array([r["ci_low"] for r in rows])
    highs = np.array([r["ci_high"] for r in rows])
    result = []
    for k, row in enumerate(rows):
        # Paired comparison with the next concern down: the share choosing one minus the other.
        if k + 1 < len(rows) and y.shape[0] > 1:
            diff, se = linearised_proportions(y[:, k] - y[:, k + 1], w)
            p = float(2 * norm.sf(abs(diff[0] / se[0]))) if se[0] > 0 else (0.0 if diff[0] else 1.0)
            versus = describe_difference(float(diff[0]), p, not row["small_base"])
        else:
            versus = ""
        result.append({
            "rank": k + 1,
            "rank_best": 1 + int(np.sum(lows > row["ci_high"])),
            "rank_worst": int(np.sum(highs >= row["ci_low"])),
            "concern_code": row["answer_code"],
            "concern": row["answer"],
            "risk_issue": question.option(row["answer_code"]).risk_issue,
            "respondents": row["count"],
            "base_n": row["base_n"],
            "pct": row["pct"],
            "ci_low": row["ci_low"],
            "ci_high": row["ci_high"],
            "pct_unweighted": row["pct_unweighted"],
            "small_base": row["small_base"],
            "versus_next": versus,
        })  # fmt: skip
    return pl.DataFrame(result, schema=CONCERN_SCHEMA)
