"""analyse_survey: every table, the comparison with a previous wave, concerns and themes."""

from __future__ import annotations

import re

import polars as pl
import pytest

from cspkit.survey.analysis import SurveyResults, analyse_survey
from cspkit.survey.concerns import CONCERN_SCHEMA
from cspkit.survey.estimates import BREAKDOWN_SCHEMA, ESTIMATE_SCHEMA
from cspkit.survey.responses import SurveyResponses, responses_from_answers


@pytest.fixture(scope="module")
def results(synthetic, questionnaire, margins) -> SurveyResults:
    return analyse_survey(synthetic.responses, questionnaire, margins, previous=None)


def test_tables_and_columns(results: SurveyResults) -> None:
    assert dict(results.estimates.schema) == ESTIMATE_SCHEMA
    assert dict(results.breakdowns.schema) == BREAKDOWN_SCHEMA
    assert dict(results.concerns.schema) == CONCERN_SCHEMA
    assert results.changes is None
    assert set(results.tables()) == {"estimates", "breakdowns", "associations", "concerns", "themes", "weighting", "margins"}
    assert "SYNTHETIC" in results.provenance.footnote()
    closed = {"safe_day", "safe_dark", "concerns", "change", "victim", "reported", "confidence", "area", "age_band", "sex"}
    assert set(results.estimates["question_id"]) == closed
    assert results.weighting.converged and results.weighting.design_effect > 1


def test_small_bases_are_never_compared(results: SurveyResults) -> None:
    b = results.breakdowns
    assert b.filter(pl.col("small_base"))["verdict"].unique().to_list() == ["base too small to compare"]
    real = b.filter(pl.col("verdict").str.starts_with("significantly"))
    assert (real["p_adjusted"] < 0.05).all() and (real["base_n"] >= 30).all()
    higher = real.filter(pl.col("verdict") == "significantly higher")
    assert (higher["pct"] > higher["pct_rest"]).all()


def test_concerns_ranked_and_mapped(results: SurveyResults, questionnaire) -> None:
    c = results.concerns
    assert c["pct"].to_list() == sorted(c["pct"].to_list(), reverse=True)
    assert c["rank"].to_list() == list(range(1, c.height + 1))
    assert (c["rank_best"] <= c["rank"]).all() and (c["rank"] <= c["rank_worst"]).all()
    option = questionnaire["concerns"].option(c["concern_code"][0])
    assert c["risk_issue"][0] == option.risk_issue
    assert "none" not in c["concern_code"].to_list() and "dont_know" not in c["concern_code"].to_list()
    assert ((c["ci_low"] <= c["pct"]) & (c["pct"] <= c["ci_high"])).all()


def test_themes_have_labels_shares_and_clean_quotes(results: SurveyResults) -> None:
    t = results.themes
    assert 2 <= t.height <= 6
    assert abs(t["share"].sum() - 100) < 1e-6
    quotes = [q for col in ("quote_1", "quote_2", "quote_3") for q in t[col].drop_nulls().to_list()]
    assert len(quotes) >= 2 * t.height
    assert not any(re.search(r"@|07700|AB\d\d CDE|LU5 4|Jane Example", q) for q in quotes)


def _shifted(responses: SurveyResponses) -> SurveyResponses:
    """The same wave with a third of "after dark" answers turned to "very unsafe"."""
    answers = responses.answers.with_columns(
        pl.when((pl.col("question_id") == "safe_dark") & (pl.int_range(pl.len()) % 3 == 0))
        .then(pl.lit("very_unsafe"))
        .otherwise(pl.col("answer"))
        .alias("answer")
    )
    return SurveyResponses(wave="previous", answers=answers, respondents=responses.respondents)


def test_change_against_a_previous_wave(results: SurveyResults, synthetic, questionnaire, margins) -> None:
    same = analyse_survey(synthetic.responses, questionnaire, margins, previous=results)
    assert set(same.changes["verdict"]) <= {"no real difference", "base too small to compare"}
    previous = analyse_survey(_shifted(synthetic.responses), questionnaire, margins)
    changed = analyse_survey(synthetic.responses, questionnaire, margins, previous=previous.estimates).changes
    dark = changed.filter((pl.col("question_id") == "safe_dark") & (pl.col("answer_code") == "unsafe")).row(0, named=True)
    assert dark["verdict"] == "significantly lower" and dark["difference"] < -10
    day = changed.filter(pl.col("question_id") == "safe_day")
    assert set(day["verdict"]) == {"no real difference"}


def test_web_form_responses_analyse_unweighted(questionnaire) -> None:
    submissions = [{"safe_day": "very_safe", "area": "E05014394", "improve": "More police, email a@b.com"}] * 12 + [
        {"safe_day": "fairly_unsafe", "area": "E05014420"}
    ] * 8
    responses = responses_from_answers(submissions, questionnaire, wave="web")
    assert "a@b.com" not in " ".join(responses.answers["answer"].to_list())
    found = analyse_survey(responses, questionnaire, None)
    assert found.weighting.variables == ()
    row = found.estimates.filter((pl.col("question_id") == "safe_day") & (pl.col("answer_code") == "very_safe")).row(
        0, named=True
    )
    assert row["pct"] == pytest.approx(60.0) and row["small_base"]
