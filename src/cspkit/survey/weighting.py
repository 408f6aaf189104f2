"""Weight responses to the population: raking (iterative proportional fitting) with trimming.

Survey respondents choose themselves, and older residents and some towns answer far more than
others. Raking adjusts each respondent's weight until the weighted sample matches the adult
population on every margin (area, age band, sex by default) at once. Trimming caps extreme
weights, which would otherwise let a handful of respondents speak for thousands; the design
effect and effective sample size say how much precision the weighting costs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from cspkit.data import warehouse
from cspkit.errors import AnalysisError, ConfigError, WarehouseError
from cspkit.provenance import Provenance
from cspkit.survey.questionnaire import Questionnaire
from cspkit.survey.responses import SurveyResponses

DEFAULT_BY = ("area", "age_band", "sex")
#: Margins must agree on the population total to this relative tolerance.
TOTAL_TOLERANCE = 1e-3
_BAND = re.compile(r"(\d+)\s*(?:-|to)\s*(\d+)|(\d+)\s*(?:\+|years and over|and over)|(\d+)\s*years and under", re.IGNORECASE)
MISSING = "(not stated)"


def age_band_code(label: str) -> str:
    """``Aged 16 to 24 years`` -> ``16-24``; ``Aged 65 years and over`` -> ``65+``; ``Aged 15 years
    and under`` -> ``0-15``. Codes already in that form pass through."""
    match = _BAND.search(label)
    if match is None:
        raise ConfigError(f"cannot read the age band '{label}'")
    low, high, over, under = match.groups()
    if low is not None:
        return f"{int(low)}-{int(high)}"
    if over is not None:
        return f"{int(over)}+"
    return f"0-{int(under)}"


def band_start(code: str) -> int:
    """The youngest age in a band code: ``16-24`` -> 16, ``65+`` -> 65."""
    return int(code.split("-")[0].rstrip("+"))


@dataclass(frozen=True)
class PopulationMargins:
    """Adult population totals per category of each weighting variable.

    Categories are what respondents' answers map to: area option codes, the age bands and sexes
    named by the questionnaire's ``population`` fields.
    """

    margins: dict[str, dict[str, float]]
    provenance: Provenance

    def __post_init__(self) -> None:
        check_margins(self.margins)

    @property
    def total(self) -> float:
        first = next(iter(self.margins.values()))
        return float(sum(first.values()))

    def table(self) -> pl.DataFrame:
        """variable, category, population, share: the margins as published beside the weights."""
        rows = [
            {"variable": var, "category": cat, "population": pop, "share": pop / sum(cats.values())}
            for var, cats in self.margins.items()
            for cat, pop in cats.items()
        ]
        return pl.DataFrame(rows)


def check_margins(margins: Mapping[str, Mapping[str, float]]) -> None:
    """Every margin must count the same population; a margin that does not is an error."""
    if not margins:
        raise AnalysisError("no weighting margins given")
    totals = {var: float(sum(cats.values())) for var, cats in margins.items()}
    for var, cats in margins.items():
        negative = [c for c, v in cats.items() if not np.isfinite(v) or v < 0]
        if negative:
            raise AnalysisError(f"population for '{negative[0]}' is negative or missing", column=var)
    reference_var, reference = next(iter(totals.items()))
    if reference <= 0:
        raise AnalysisError("the population total is zero", column=reference_var)
    for var, total in totals.items():
        if abs(total - reference) > TOTAL_TOLERANCE * reference:
            raise AnalysisError(
                f"the '{var}' margin sums to {total:,.0f} but the '{reference_var}' margin to {reference:,.0f}: "
                "margins must describe the same population",
                column=var,
            )


def population_margins(
    warehouse_con_or_path: duckdb.DuckDBPyConnection | str | Path,
    lad_codes: Sequence[str],
    questionnaire: Questionnaire,
    by: Sequence[str] = DEFAULT_BY,
    min_age: int = 16,
) -> PopulationMargins:
    """Adult (``min_age`` and over) population margins for the CSP's districts, from the warehouse.

    Reads ``population`` (Census 2021 residents by LSOA and age band), ``lsoa`` (LSOA to ward) and
    ``lad`` (district females and males). The sex split of adults is taken as the district's
    all-age split, because the Census table bundled has sex only by district.
    """
    if isinstance(warehouse_con_or_path, str | Path):
        with warehouse.read(warehouse_con_or_path) as con:
            return population_margins(con, lad_codes, questionnaire, by, min_age)
    con = warehouse_con_or_path
    for table in ("population", "lsoa", "lad"):
        if not warehouse.table_exists(con, table) or not con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]:
            raise WarehouseError(
                f"the warehouse has no '{table}' reference table (population, wards and districts, needed to weight "
                "the survey); run `cspkit ingest geography` first"
            )
    codes = list(lad_codes)
    rows = con.execute(
        """SELECT p.lsoa21_code, l.ward_code, p.age_band, p.residents
           FROM population p JOIN lsoa l USING (lsoa21_code)
           WHERE l.lad_code IN (SELECT unnest(?))""",
        [codes],
    ).fetchall()
    schema = {"lsoa21_code": pl.String, "ward_code": pl.String, "age_band": pl.String, "residents": pl.Float64}
    by_lsoa = pl.DataFrame(rows, schema=schema, orient="row")
    if by_lsoa.height == 0:
        raise AnalysisError(f"no population in the warehouse for {', '.join(codes)}")
    by_lsoa = by_lsoa.with_columns(pl.col("age_band").map_elements(age_band_code, return_dtype=pl.String))
    adults = by_lsoa.filter(pl.col("age_band").map_elements(band_start, return_dtype=pl.Int64) >= min_age)
    total = float(adults["residents"].sum())
    margins: dict[str, dict[str, float]] = {}
    for variable in by:
        if variable == "area":
            margins["area"] = _area_margin(adults, questionnaire)
        elif variable == "age_band":
            margins["age_band"] = _group_margin(
                dict(adults.group_by("age_band").agg(pl.col("residents").sum()).iter_rows()), questionnaire, "age_band"
            )
        elif variable == "sex":
            female, male = con.execute(
                "SELECT sum(females), sum(males) FROM lad WHERE lad_code IN (SELECT unnest(?))", [codes]
            ).fetchone()
            if not female or not male:
                raise AnalysisError(f"the lad table has no female and male totals for {', '.join(codes)}", column="sex")
            share = float(female) / (float(female) + float(male))
            margins["sex"] = _group_margin({"female": total * share, "male": total * (1 - share)}, questionnaire, "sex")
        else:
            raise ConfigError(f"cannot weight by '{variable}': choose from area, age_band, sex")
    provenance = Provenance(
        method=f"Adult ({min_age}+) population margins by {', '.join(by)}; sex split from the district all-age split",
        sources=("Census 2021 usual residents by LSOA and age (population)", "LSOA 2021 to ward 2024 (lsoa)", "lad"),
        area_codes=tuple(codes),
        period="Census 2021",
    )
    return PopulationMargins(margins=margins, provenance=provenance)


def _area_margin(adults: pl.DataFrame, questionnaire: Questionnaire) -> dict[str, float]:
    area_q = questionnaire.area_question
    if area_q is None:
        raise ConfigError(
            "cannot weight by area: the questionnaire has no area question; leave 'area' out of [survey] weight_by "
            "(or --weight-by), or add a question with type = \"area\"",
            file=questionnaire.source,
        )
    by_ward = dict(adults.group_by("ward_code").agg(pl.col("residents").sum()).iter_rows())
    ward_area: dict[str, str] = {}
    margin: dict[str, float] = {}
    for option in area_q.options:
        if not option.wards:
            continue
        unknown = [w for w in option.wards if w not in by_ward]
        if unknown:
            raise ConfigError(
                f"area option '{option.label}' names ward {unknown[0]}, which has no population in these districts",
                file=questionnaire.source,
                column=area_q.id,
            )
        for ward in option.wards:
            if ward in ward_area:
                raise ConfigError(f"ward {ward} is in two area options", file=questionnaire.source, column=area_q.id)
            ward_area[ward] = option.code
        margin[option.code] = float(sum(by_ward[w] for w in option.wards))
    uncovered = sorted(set(by_ward) - set(ward_area))
    if uncovered:
        raise ConfigError(
            f"wards {', '.join(uncovered[:5])} are in the districts but in no area option; "
            "the area margin would not cover the whole population",
            file=questionnaire.source,
            column=area_q.id,
        )
    return margin


def _group_margin(population: Mapping[str, float], questionnaire: Questionnaire, role: str) -> dict[str, float]:
    question = questionnaire.with_role(role)
    if question is None:
        raise ConfigError(
            f"cannot weight by {role}: no question has role '{role}'; leave '{role}' out of [survey] weight_by "
            f"(or --weight-by), or give a question role = \"{role}\" in the questionnaire",
            file=questionnaire.source,
        )
    groups = {o.population for o in question.options if o.population}
    unknown = sorted(groups - set(population))
    if unknown:
        raise ConfigError(
            f"the {role} question's population group '{unknown[0]}' is not in the population data "
            f"(which has {', '.join(sorted(population))})",
            file=questionnaire.source,
            column=question.id,
        )
    missing = sorted(set(population) - groups)
    if missing:
        raise ConfigError(
            f"population group(s) {', '.join(missing)} have no answer option in the {role} question",
            file=questionnaire.source,
            column=question.id,
        )
    return {group: float(population[group]) for group in sorted(groups)}


def weighting_categories(responses: SurveyResponses, questionnaire: Questionnaire, variables: Sequence[str]) -> pl.DataFrame:
    """respondent_id plus one column per weighting variable: the category each respondent is in,
    or null when they did not say (or said "prefer not to say")."""
    frame = responses.respondents.select("respondent_id")
    for variable in variables:
        question = questionnaire.area_question if variable == "area" else questionnaire.with_role(variable)
        if question is None:
            raise ConfigError(f"no question gives '{variable}'", file=questionnaire.source)
        if variable == "area":
            to_category = {o.code: o.code for o in question.options if o.wards}
        else:
            to_category = {o.code: o.population for o in question.options if o.population}
        answered = (
            responses.answers.filter(pl.col("question_id") == question.id)
            .select("respondent_id", pl.col("answer").replace_strict(to_category, default=None).alias(variable))
            .unique("respondent_id", keep="first")
        )
        frame = frame.join(answered, on="respondent_id", how="left")
    return frame


@dataclass(frozen=True)
class WeightingReport:
    """How the weights were made and what they cost in precision."""

    variables: tuple[str, ...]
    respondents: int
    converged: bool
    iterations: int
    max_margin_error: float
    trimmed: int
    trim_caps: tuple[float, float]
    outside_caps: int
    min_weight: float
    max_weight: float
    design_effect: float
    effective_sample_size: float
    not_stated: dict[str, int]
    empty_categories: dict[str, list[str]]
    provenance: Provenance
    margins: pl.DataFrame = field(repr=False)

    def table(self) -> pl.DataFrame:
        """measure, value: one row per figure, for the CLI and the data appendix."""
        rows = [
            ("weighting variables", ", ".join(self.variables) or "none (unweighted)"),
            ("respondents", self.respondents),
            ("converged", self.converged),
            ("iterations", self.iterations),
            ("max margin error (share of population)", round(self.max_margin_error, 6)),
            ("trim caps (x mean weight)", f"{self.trim_caps[0]} to {self.trim_caps[1]}"),
            ("weights trimmed", self.trimmed),
            ("weights still outside the caps (margins take precedence)", self.outside_caps),
            ("smallest weight (x mean)", round(self.min_weight, 3)),
            ("largest weight (x mean)", round(self.max_weight, 3)),
            ("design effect (Kish 1 + CV^2)", round(self.design_effect, 3)),
            ("effective sample size", round(self.effective_sample_size, 1)),
        ]
        rows += [(f"not stated: {var}", n) for var, n in self.not_stated.items()]
        rows += [(f"no respondents in: {var}", ", ".join(cats)) for var, cats in self.empty_categories.items() if cats]
        return pl.DataFrame({"measure": [r[0] for r in rows], "value": [str(r[1]) for r in rows]})


@dataclass(frozen=True)
class Weights:
    weights: pl.DataFrame  # respondent_id, weight (grossed to the population)
    report: WeightingReport


def kish_design_effect(weights: np.ndarray) -> float:
    """Kish's design effect due to unequal weights: 1 + CV^2 = n * sum(w^2) / sum(w)^2."""
    weights = np.asarray(weights, dtype=float)
    return float(weights.size * np.sum(weights**2) / np.sum(weights) ** 2)


def rake(
    categories: pl.DataFrame,
    margins: PopulationMargins,
    trim: tuple[float, float] = (0.2, 5.0),
    max_iterations: int = 200,
    tolerance: float = 1e-6,
) -> Weights:
    """Raking weights for respondents whose categories are in ``categories`` (from
    :func:`weighting_categories`).

    A respondent who did not state a variable keeps their share of the sample on that margin
    (a "not stated" category whose target is its unweighted share), so nobody is dropped. A
    category with no respondents cannot be matched: its population is spread over the others
    in that margin, and the report names it. Weights are trimmed to ``trim`` times the mean:
    the raking goes on until the margins are met with every weight inside the caps (trimming within
    each iteration, as Stata's ipfraking does); if the margins cannot be met within the caps, the
    margins win and the report counts the weights left outside.
    """
    variables = tuple(margins.margins)
    n = categories.height
    if n == 0:
        raise AnalysisError("no responses to weight")
    low, high = trim
    if not 0 < low <= 1 <= high:
        raise ConfigError(f"trim caps must satisfy 0 < lower <= 1 <= upper, not {trim}")
    total = margins.total
    index_columns: list[np.ndarray] = []
    targets: list[np.ndarray] = []
    not_stated: dict[str, int] = {}
    empty: dict[str, list[str]] = {}
    for variable in variables:
        if variable not in categories.columns:
            raise AnalysisError(f"responses have no '{variable}' column to weight by", column=variable)
        values = categories[variable].to_list()
        cats = margins.margins[variable]
        unknown = sorted({v for v in values if v is not None and v not in cats})
        if unknown:
            raise AnalysisError(f"category '{unknown[0]}' has no population margin", column=variable)
        present = [c for c in cats if c in set(values)]
        empty[variable] = [c for c in cats if c not in present]
        missing = sum(v is None for v in values)
        not_stated[variable] = missing
        stated_total = sum(cats[c] for c in present)
        stated_share = 1 - missing / n
        position = {c: i for i, c in enumerate(present)}
        index_columns.append(np.array([position.get(v, len(present)) if v is not None else len(present) for v in values]))
        target = [total * stated_share * cats[c] / stated_total for c in present] + [total * (1 - stated_share)]
        targets.append(np.array(target))

    mean = total / n  # raking keeps the weights summing to the total, so the mean is fixed
    floor, ceiling = low * mean, high * mean
    weights = np.full(n, mean)
    trimmed = np.zeros(n, dtype=bool)
    converged = False
    iterations = 0
    for _ in range(max_iterations):
        iterations += 1
        weights = _rake_cycle(weights, index_columns, targets)
        outside = (weights < floor) | (weights > ceiling)
        trimmed |= outside
        weights = np.clip(weights, floor, ceiling)
        if _max_error(weights, index_columns, targets, total) < tolerance:
            converged = True
            break
    if not converged:  # the caps cannot be met with the margins: the margins take precedence
        for _ in range(max_iterations):
            iterations += 1
            weights = _rake_cycle(weights, index_columns, targets)
            if _max_error(weights, index_columns, targets, total) < tolerance:
                converged = True
                break
    error = _max_error(weights, index_columns, targets, total)
    mean = weights.mean()
    deff = kish_design_effect(weights)
    report = WeightingReport(
        variables=variables,
        respondents=n,
        converged=converged,
        iterations=iterations,
        max_margin_error=error,
        trimmed=int(trimmed.sum()),
        trim_caps=(low, high),
        outside_caps=int(np.sum((weights < low * mean * (1 - 1e-5)) | (weights > high * mean * (1 + 1e-5)))),
        min_weight=float(weights.min() / mean),
        max_weight=float(weights.max() / mean),
        design_effect=deff,
        effective_sample_size=n / deff,
        not_stated=not_stated,
        empty_categories=empty,
        provenance=margins.provenance,
        margins=margins.table(),
    )
    frame = pl.DataFrame({"respondent_id": categories["respondent_id"], "weight": weights})
    return Weights(weights=frame, report=report)


def _rake_cycle(weights: np.ndarray, index_columns: list[np.ndarray], targets: list[np.ndarray]) -> np.ndarray:
    """One pass of iterative proportional fitting: scale the weights to each margin in turn."""
    for idx, target in zip(index_columns, targets, strict=True):
        current = np.bincount(idx, weights=weights, minlength=target.size)
        factor = np.divide(target, current, out=np.ones_like(target), where=current > 0)
        weights = weights * factor[idx]
    return weights


def _max_error(weights: np.ndarray, index_columns: list[np.ndarray], targets: list[np.ndarray], total: float) -> float:
    """The largest gap between a weighted margin and its target, as a share of the population."""
    return max(
        float(np.max(np.abs(np.bincount(idx, weights=weights, minlength=t.size) - t))) / total
        for idx, t in zip(index_columns, targets, strict=True)
    )


def unweighted(responses: SurveyResponses) -> Weights:
    """Weight 1 for everyone, with a report saying so (when no margins are available)."""
    n = responses.count
    if n == 0:
        raise AnalysisError("no responses to analyse")
    report = WeightingReport(
        variables=(),
        respondents=n,
        converged=True,
        iterations=0,
        max_margin_error=0.0,
        trimmed=0,
        trim_caps=(1.0, 1.0),
        outside_caps=0,
        min_weight=1.0,
        max_weight=1.0,
        design_effect=1.0,
        effective_sample_size=float(n),
        not_stated={},
        empty_categories={},
        provenance=Provenance(method="Unweighted: no population margins were given"),
        margins=pl.DataFrame(
            schema={"variable": pl.String, "category": pl.String, "population": pl.Float64, "share": pl.Float64}
        ),
    )
    return Weights(pl.DataFrame({"respondent_id": responses.respondents["respondent_id"], "weight": np.ones(n)}), report)


def weight_responses(
    responses: SurveyResponses,
    questionnaire: Questionnaire,
    margins: PopulationMargins | None,
    trim: tuple[float, float] = (0.2, 5.0),
) -> Weights:
    """Rake responses to the margins (or weight 1 each when there are none)."""
    if margins is None:
        return unweighted(responses)
    categories = weighting_categories(responses, questionnaire, tuple(margins.margins))
    return rake(categories, margins, trim=trim)
