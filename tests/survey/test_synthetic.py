"""The synthetic survey: biased respondents from a known population, and weighting fixing the bias."""

from __future__ import annotations

import csv

import numpy as np
import polars as pl
import pytest

from cspkit.survey.analysis import analyse_survey
from cspkit.survey.importers import import_responses, load_mapping
from cspkit.survey.synthetic import SYNTHETIC_LABEL, write_synthetic_export

PERSON_QUESTIONS = ["area", "age_band", "sex"]


@pytest.fixture(scope="module")
def compared(synthetic, questionnaire, margins) -> pl.DataFrame:
    results = analyse_survey(synthetic.responses, questionnaire, margins)
    return (
        results.estimates.filter(pl.col("kind") != "dont_know")
        .join(synthetic.truth, on=["question_id", "answer_code", "kind"])
        .filter(~pl.col("question_id").is_in(PERSON_QUESTIONS))
    )


def test_respondents_are_biased_as_designed(synthetic, questionnaire, margins) -> None:
    answers = synthetic.responses.answers
    ages = answers.filter(pl.col("question_id") == "age_band")["answer"]
    sample_65 = (ages == "65+").sum() / ages.is_in(list(margins.margins["age_band"])).sum()
    population_65 = margins.margins["age_band"]["65+"] / margins.total
    assert sample_65 > 1.5 * population_65  # older residents answer far more
    assert synthetic.responses.count == 700
    assert 0 < (~synthetic.responses.respondents["complete"]).sum() < 100  # some partial responses


def test_weighting_moves_estimates_toward_the_truth(compared: pl.DataFrame) -> None:
    unweighted_error = (compared["pct_unweighted"] - compared["pct_true"]).abs().to_numpy()
    weighted_error = (compared["pct"] - compared["pct_true"]).abs().to_numpy()
    assert weighted_error.mean() < 0.7 * unweighted_error.mean()
    biased = unweighted_error > 3
    assert biased.sum() >= 10
    assert np.mean(weighted_error[biased] < unweighted_error[biased]) >= 0.8


def test_weighted_intervals_cover_the_truth(compared: pl.DataFrame) -> None:
    def coverage(low: str, high: str) -> float:
        return float(((compared[low] <= compared["pct_true"]) & (compared["pct_true"] <= compared[high])).mean())

    weighted = coverage("ci_low", "ci_high")
    assert weighted >= 0.85
    assert weighted > coverage("ci_low_unweighted", "ci_high_unweighted")


def test_export_round_trip(tmp_path, synthetic, questionnaire) -> None:
    csv_path, mapping_path = write_synthetic_export(tmp_path, synthetic, questionnaire, seed=1)
    assert csv_path.read_bytes().startswith(b"\xef\xbb\xbf")
    with csv_path.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["Data"] for r in rows} == {"SYNTHETIC"}
    assert "SYNTHETIC" in mapping_path.read_text(encoding="utf-8")
    imported = import_responses(csv_path, questionnaire, load_mapping(mapping_path, questionnaire), wave="demo")
    summary = imported.summary()
    assert summary["rows_read"] == 707 and summary["imported"] == 700 and summary["duplicates"] == 7
    assert imported.label == SYNTHETIC_LABEL
    original = synthetic.responses.answers.sort("respondent_id", "question_id", "answer")
    again = imported.answers.sort("respondent_id", "question_id", "answer")
    closed = ~pl.col("question_id").is_in(["improve"])
    assert original.filter(closed).equals(again.filter(closed))
    assert imported.respondents["complete"].to_list() == synthetic.responses.respondents["complete"].to_list()
