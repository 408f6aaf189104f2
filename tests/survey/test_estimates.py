"""Weighted percentages, intervals and tests, checked against statsmodels, samplics and scipy."""

from __future__ import annotations

import warnings

import numpy as np
import polars as pl
import pytest
import statsmodels.api as sm
from scipy.stats import chi2_contingency
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.weightstats import DescrStatsW

from cspkit.survey.estimates import code_responses, estimates_table
from cspkit.survey.responses import responses_from_answers
from cspkit.survey.stats import describe_difference, difference_test, holm, linearised_proportions, rao_scott, wilson_interval

RNG = np.random.default_rng(11)
Y = (RNG.random(500) < 0.3).astype(float)
W = RNG.gamma(2.0, 1.0, 500)


def test_linearised_se_matches_statsmodels_and_samplics() -> None:
    p, se = linearised_proportions(Y, W)
    assert p[0] == pytest.approx(DescrStatsW(Y, weights=W).mean)
    fit = sm.WLS(Y, np.ones_like(Y), weights=W).fit(cov_type="HC1")  # sandwich = Taylor linearisation
    assert p[0] == pytest.approx(fit.params[0])
    assert se[0] == pytest.approx(fit.bse[0], rel=1e-10)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # samplics warns on import that it is archived
        from samplics.estimation import TaylorEstimator
        from samplics.utils.types import PopParam

        taylor = TaylorEstimator(PopParam.mean)
        taylor.estimate(y=Y, samp_weight=W, remove_nan=True)
    assert se[0] == pytest.approx(float(taylor.stderror), rel=1e-6)


def test_wilson_matches_statsmodels() -> None:
    low, high = wilson_interval(np.array([0.3, 0.0, 1.0]), np.array([200, 40, 40]))
    for i, (count, n) in enumerate([(60, 200), (0, 40), (40, 40)]):
        ref = proportion_confint(count, n, method="wilson")
        assert (low[i], high[i]) == pytest.approx(ref)


def test_holm_matches_statsmodels() -> None:
    p = np.array([0.01, 0.04, 0.03, 0.2, np.nan])
    ours = holm(p)
    ref = multipletests(p[:4], method="holm")[1]
    np.testing.assert_allclose(ours[:4], ref)
    assert np.isnan(ours[4])


def test_difference_test_pooled() -> None:
    diff, p = difference_test(np.array([0.6]), np.array([100]), np.array([0.5]), np.array([100]))
    from statsmodels.stats.proportion import proportions_ztest

    assert diff[0] == pytest.approx(0.1)
    assert p[0] == pytest.approx(proportions_ztest([60, 50], [100, 100])[1])
    # a zero share in a small group is not a "difference" just because its own SE is zero
    assert difference_test(np.array([0.0]), np.array([30]), np.array([0.03]), np.array([600]))[1][0] > 0.05


def test_rao_scott_reduces_to_pearson_with_equal_weights() -> None:
    rows = RNG.integers(0, 3, 600)
    cols = np.where(rows == 0, RNG.choice(4, 600, p=[0.3, 0.27, 0.23, 0.2]), RNG.integers(0, 4, 600))
    result = rao_scott(rows, cols, np.ones(600))
    table = np.zeros((3, 4))
    np.add.at(table, (rows, cols), 1)
    pearson, p, df, _ = chi2_contingency(table, correction=False)
    assert result["chi2"] == pytest.approx(pearson)
    assert result["df"] == df
    # with equal weights the design effects are n/(n-1): the correction is that small
    assert result["chi2_rao_scott"] == pytest.approx(pearson * 599 / 600, rel=1e-6)
    assert result["p_first_order"] == pytest.approx(p, rel=0.05)
    assert result["p_value"] == pytest.approx(p, rel=0.1)


def test_rao_scott_weighting_lowers_the_statistic() -> None:
    rows = RNG.integers(0, 2, 800)
    cols = (RNG.random(800) < np.where(rows == 1, 0.45, 0.35)).astype(int)
    weights = RNG.lognormal(0, 1.0, 800)
    result = rao_scott(rows, cols, weights)
    assert result["chi2_rao_scott"] < result["chi2"]  # unequal weights: fewer effective observations
    assert 0 <= result["p_value"] <= 1


def test_wording_of_differences() -> None:
    assert describe_difference(5.0, 0.01) == "significantly higher"
    assert describe_difference(-5.0, 0.01) == "significantly lower"
    assert describe_difference(20.0, 0.2) == "no real difference"
    assert describe_difference(20.0, 0.001, comparable=False) == "base too small to compare"
    assert describe_difference(None, 0.001) == "significantly different"


def test_estimates_dont_know_and_small_bases(questionnaire) -> None:
    answers = (
        [{"safe_day": "very_safe", "concerns": ["asb", "burglary"]}] * 20
        + [{"safe_day": "fairly_unsafe", "concerns": ["asb"]}] * 10
        + [{"safe_day": "dont_know", "concerns": ["dont_know"]}] * 10
        + [{"change": "same"}] * 5
    )
    responses = responses_from_answers(answers, questionnaire, wave="t")
    weights = pl.DataFrame({"respondent_id": responses.respondents["respondent_id"], "weight": 1.0})
    table = estimates_table(code_responses(responses, questionnaire, weights))
    safe = table.filter(pl.col("question_id") == "safe_day").select("answer_code", "kind", "base_n", "count", "pct", "small_base")
    rows = {r["answer_code"]: r for r in safe.iter_rows(named=True)}
    assert rows["very_safe"]["base_n"] == 30  # "don't know" left out of the base
    assert rows["very_safe"]["pct"] == pytest.approx(200 / 3)
    assert rows["safe"]["kind"] == "net" and rows["safe"]["pct"] == pytest.approx(200 / 3)
    assert rows["dont_know"]["kind"] == "dont_know" and rows["dont_know"]["base_n"] == 40 and rows["dont_know"]["pct"] == 25
    assert not rows["very_safe"]["small_base"]
    concerns = table.filter((pl.col("question_id") == "concerns") & (pl.col("answer_code") == "asb"))
    assert concerns["pct"].item() == 100 and concerns["base_n"].item() == 30
    change = table.filter(pl.col("question_id") == "change")
    assert change["small_base"].all() and change["base_n"].max() == 5
    # equal weights: weighted and unweighted agree, and the interval is Wilson's
    assert (table["pct"] - table["pct_unweighted"]).abs().max() < 1e-9
    row = table.filter((pl.col("question_id") == "safe_day") & (pl.col("answer_code") == "very_safe")).row(0, named=True)
    assert (row["ci_low_unweighted"] / 100, row["ci_high_unweighted"] / 100) == pytest.approx(
        proportion_confint(20, 30, method="wilson")
    )


def test_missing_weight_is_named(questionnaire) -> None:
    from cspkit.errors import AnalysisError

    responses = responses_from_answers([{"safe_day": "very_safe"}, {"safe_day": "fairly_safe"}], questionnaire, wave="t")
    weights = pl.DataFrame({"respondent_id": ["R00001"], "weight": [1.0]})
    with pytest.raises(AnalysisError, match="respondent R00002 has no weight") as caught:
        code_responses(responses, questionnaire, weights)
    assert caught.value.column == "weight"
