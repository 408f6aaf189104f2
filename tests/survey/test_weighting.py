"""Raking to Census margins: checked against samplics' raking and by hand."""

from __future__ import annotations

import warnings

import numpy as np
import polars as pl
import pytest

from cspkit.errors import AnalysisError, ConfigError
from cspkit.provenance import Provenance
from cspkit.survey.weighting import PopulationMargins, age_band_code, kish_design_effect, rake

CENSUS_ADULTS_CB = 236_745  # Census 2021 usual residents aged 16+ in the 175 LSOAs of E06000056


def test_population_margins_from_the_warehouse(margins) -> None:
    assert margins.total == pytest.approx(CENSUS_ADULTS_CB)
    assert set(margins.margins) == {"area", "age_band", "sex"}
    assert len(margins.margins["area"]) == 31
    assert set(margins.margins["age_band"]) == {"16-24", "25-34", "35-49", "50-64", "65+"}
    for cats in margins.margins.values():
        assert sum(cats.values()) == pytest.approx(CENSUS_ADULTS_CB)
    assert margins.margins["sex"]["female"] / CENSUS_ADULTS_CB == pytest.approx(149120 / 294252)
    table = margins.table()
    assert table.columns == ["variable", "category", "population", "share"]


def test_age_band_labels() -> None:
    assert age_band_code("Aged 16 to 24 years") == "16-24"
    assert age_band_code("Aged 65 years and over") == "65+"
    assert age_band_code("Aged 15 years and under") == "0-15"
    assert age_band_code("35-49") == "35-49"
    with pytest.raises(ConfigError):
        age_band_code("adults")


def test_inconsistent_margins_are_refused() -> None:
    with pytest.raises(AnalysisError, match="the 'sex' margin sums to 900 but the 'area' margin to 1,000") as caught:
        PopulationMargins({"area": {"a": 600, "b": 400}, "sex": {"female": 500, "male": 400}}, Provenance("test"))
    assert caught.value.column == "sex"
    with pytest.raises(AnalysisError, match="negative"):
        PopulationMargins({"area": {"a": -1, "b": 400}}, Provenance("test"))


def _sample(n: int = 400, seed: int = 3) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    return pl.DataFrame({
        "respondent_id": [f"R{i}" for i in range(n)],
        "area": rng.choice(["a", "b", "c"], n, p=[0.6, 0.3, 0.1]).tolist(),
        "sex": rng.choice(["female", "male"], n, p=[0.7, 0.3]).tolist(),
    })  # fmt: skip


MARGINS = PopulationMargins(
    {"area": {"a": 3000.0, "b": 4000.0, "c": 3000.0}, "sex": {"female": 5100.0, "male": 4900.0}}, Provenance("test")
)


def test_rake_matches_margins_and_samplics() -> None:
    sample = _sample()
    made = rake(sample, MARGINS, trim=(0.01, 100.0))
    weights = made.weights["weight"].to_numpy()
    for variable, cats in MARGINS.margins.items():
        for cat, target in cats.items():
            assert weights[(sample[variable] == cat).to_numpy()].sum() == pytest.approx(target, rel=1e-6)
    assert made.report.converged and made.report.max_margin_error < 1e-6

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # samplics warns on import that it is archived
        from samplics.weighting import SampleWeight

        theirs = SampleWeight().rake(
            samp_weight=np.ones(sample.height),
            margins={"area": sample["area"].to_numpy(), "sex": sample["sex"].to_numpy()},
            control={"area": MARGINS.margins["area"], "sex": MARGINS.margins["sex"]},
            tol=1e-10,
            max_iter=500,
        )
    np.testing.assert_allclose(weights, theirs, rtol=1e-5)


def test_design_effect_is_kish() -> None:
    made = rake(_sample(), MARGINS, trim=(0.01, 100.0))
    w = made.weights["weight"].to_numpy()
    cv2 = w.std() ** 2 / w.mean() ** 2
    assert made.report.design_effect == pytest.approx(1 + cv2)
    assert made.report.effective_sample_size == pytest.approx(w.sum() ** 2 / (w**2).sum())
    assert kish_design_effect(np.ones(10)) == 1.0


def test_trimming_caps_weights() -> None:
    sample = _sample(n=300)
    loose = rake(sample, MARGINS, trim=(0.01, 100.0)).weights["weight"].to_numpy()
    assert loose.max() / loose.mean() > 3.0  # the untrimmed weights do go past the cap
    made = rake(sample, MARGINS, trim=(0.3, 4.0))
    w = made.weights["weight"].to_numpy()
    assert made.report.trimmed > 0
    assert made.report.outside_caps == 0
    assert w.max() / w.mean() <= 4.0 * 1.0001
    assert made.report.design_effect < kish_design_effect(loose)
    assert made.report.max_margin_error < 1e-4  # trimmed and still on the margins


def test_impossible_caps_are_reported() -> None:
    made = rake(_sample(n=300), MARGINS, trim=(0.9, 1.1))
    assert made.report.outside_caps > 0
    assert made.report.max_margin_error < 1e-4


def test_not_stated_and_empty_categories() -> None:
    sample = _sample(n=200).with_columns(pl.when(pl.int_range(pl.len()) < 20).then(None).otherwise(pl.col("sex")).alias("sex"))
    sample = sample.with_columns(pl.col("area").replace("c", "b"))  # nobody from area c
    made = rake(sample, MARGINS, trim=(0.01, 100.0))
    w = made.weights["weight"].to_numpy()
    assert made.report.not_stated == {"area": 0, "sex": 20}
    assert made.report.empty_categories["area"] == ["c"]
    assert w.sum() == pytest.approx(10_000)
    # respondents who did not state their sex keep their 10% share of the sex margin
    assert w[:20].sum() == pytest.approx(1000, rel=1e-6)
    # area c's population is spread over a and b in proportion
    assert w[(sample["area"] == "a").to_numpy()].sum() == pytest.approx(10_000 * 3 / 7, rel=1e-6)


def test_unknown_category_is_an_error() -> None:
    sample = _sample().with_columns(pl.lit("z").alias("area"))
    with pytest.raises(AnalysisError, match="category 'z' has no population margin") as caught:
        rake(sample, MARGINS)
    assert caught.value.column == "area"


def test_margin_problems_are_named(reference_warehouse, questionnaire, tmp_path) -> None:
    import tomllib

    from cspkit.data import warehouse
    from cspkit.errors import WarehouseError
    from cspkit.survey.questionnaire import DEFAULT_QUESTIONNAIRE, fill_area, parse_questionnaire
    from cspkit.survey.weighting import population_margins

    raw = fill_area(tomllib.loads(DEFAULT_QUESTIONNAIRE.read_text(encoding="utf-8")), ("E06000056",), "q.toml")
    area = next(q for q in raw["questions"] if q["id"] == "area")
    area["options"] = area["options"][1:]  # Ampthill left out
    with pytest.raises(ConfigError, match="E05014394 are in the districts but in no area option") as caught:
        population_margins(reference_warehouse, ["E06000056"], parse_questionnaire(raw, "q.toml"))
    assert caught.value.column == "area"
    with pytest.raises(AnalysisError, match="no population in the warehouse for E09000001"):
        population_margins(reference_warehouse, ["E09000001"], questionnaire)
    empty = tmp_path / "empty.duckdb"
    with warehouse.write(empty):
        pass
    with pytest.raises(WarehouseError, match="no 'population' reference table"):
        population_margins(empty, ["E06000056"], questionnaire)
