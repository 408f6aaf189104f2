"""One entry point from responses to findings: weight, estimate, break down, rank concerns, find themes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
from threadpoolctl import threadpool_limits

from cspkit.data import warehouse
from cspkit.errors import AnalysisError
from cspkit.provenance import Provenance
from cspkit.survey.concerns import concerns_table
from cspkit.survey.estimates import (
    MIN_BASE,
    associations_table,
    breakdowns_table,
    changes_table,
    code_responses,
    estimates_table,
)
from cspkit.survey.questionnaire import Questionnaire, QuestionType
from cspkit.survey.responses import SurveyResponses
from cspkit.survey.settings import SurveySettings
from cspkit.survey.store import latest_wave, load_responses, stored_weights
from cspkit.survey.themes import themes_table
from cspkit.survey.weighting import PopulationMargins, WeightingReport, Weights, population_margins, weight_responses


@dataclass(frozen=True)
class SurveyResults:
    """The survey's findings as tidy tables; see docs/survey.md for every column."""

    wave: str
    respondents: int
    weights: pl.DataFrame
    weighting: WeightingReport
    estimates: pl.DataFrame
    breakdowns: pl.DataFrame
    associations: pl.DataFrame
    concerns: pl.DataFrame
    themes: pl.DataFrame
    changes: pl.DataFrame | None
    provenance: Provenance

    def tables(self) -> dict[str, pl.DataFrame]:
        """Every table by name (what ``cspkit survey results --table NAME`` shows)."""
        tables = {
            "estimates": self.estimates,
            "breakdowns": self.breakdowns,
            "associations": self.associations,
            "concerns": self.concerns,
            "themes": self.themes,
            "weighting": self.weighting.table(),
            "margins": self.weighting.margins,
        }
        if self.changes is not None:
            tables["changes"] = self.changes
        return tables


def analyse_survey(
    responses: SurveyResponses,
    questionnaire: Questionnaire,
    margins: PopulationMargins | None,
    previous: SurveyResults | pl.DataFrame | None = None,
    *,
    trim: tuple[float, float] = (0.2, 5.0),
    min_base: int = MIN_BASE,
    n_themes: int = 6,
    weights: Weights | None = None,
) -> SurveyResults:
    """Weight the responses to ``margins`` (unweighted when None) and produce every table.

    ``previous`` is the previous wave's results (or its estimates table) for the change table;
    ``weights``, when given, are used instead of raking (weights already checked against ``margins``).
    """
    # Hundreds of small matrix solves: one BLAS thread each is many times faster than several
    # threads fighting over two cores.
    with threadpool_limits(limits=1, user_api="blas"):
        made = weights or weight_responses(responses, questionnaire, margins, trim=trim)
        return _analyse(responses, questionnaire, made, previous, min_base, n_themes)


def _analyse(
    responses: SurveyResponses,
    questionnaire: Questionnaire,
    made: Weights,
    previous: SurveyResults | pl.DataFrame | None,
    min_base: int,
    n_themes: int,
) -> SurveyResults:
    coded = code_responses(responses, questionnaire, made.weights)
    estimates = estimates_table(coded, min_base)
    free_text = [q for q in questionnaire.questions if q.type == QuestionType.free_text]
    themes = _themes(responses, made.weights, free_text[0].id, n_themes) if free_text else pl.DataFrame()
    previous_estimates = previous.estimates if isinstance(previous, SurveyResults) else previous
    label = f" ({responses.label})" if responses.label else ""
    provenance = Provenance(
        method=(
            f"Residents' survey{label}, wave {responses.wave}: {responses.count} responses, "
            f"weighted by {', '.join(made.report.variables) or 'nothing (unweighted)'} (raking); "
            "95% Wilson intervals on the linearised effective sample size"
        ),
        sources=(responses.source, *made.report.provenance.sources) if responses.source else made.report.provenance.sources,
        area_codes=made.report.provenance.area_codes,
        period=responses.wave,
    )
    return SurveyResults(
        wave=responses.wave,
        respondents=responses.count,
        weights=made.weights,
        weighting=made.report,
        estimates=estimates,
        breakdowns=breakdowns_table(coded, questionnaire, min_base),
        associations=associations_table(coded, questionnaire, min_base),
        concerns=concerns_table(coded, questionnaire, min_base),
        themes=themes,
        changes=changes_table(estimates, previous_estimates) if previous_estimates is not None else None,
        provenance=provenance,
    )


def _themes(responses: SurveyResponses, weights: pl.DataFrame, question_id: str, n_themes: int) -> pl.DataFrame:
    texts = responses.answers.filter(pl.col("question_id") == question_id).join(weights, on="respondent_id", how="left")
    return themes_table(texts["answer"].to_list(), texts["weight"].fill_null(1.0).to_list(), n_themes=n_themes)


def configured_margins(
    con: duckdb.DuckDBPyConnection, lad_codes: Sequence[str], settings: SurveySettings, by: Sequence[str] | None = None
) -> PopulationMargins | None:
    """The population margins for ``by`` (default: the settings' ``weight_by``); None (unweighted)
    when there is nothing to weight by."""
    variables = tuple(settings.weight_by if by is None else by)
    return population_margins(con, lad_codes, settings.questionnaire, by=variables) if variables else None


def analyse_configured(
    responses: SurveyResponses,
    settings: SurveySettings,
    warehouse_path: str | Path | None,
    lad_codes: Sequence[str],
    previous: SurveyResults | None = None,
) -> SurveyResults:
    """:func:`analyse_survey` weighted as ``[survey]`` says (unweighted without a warehouse): what the
    report step and the web app call, so they weight exactly as ``cspkit survey results`` does.

    If ``cspkit survey weight`` stored weights for a wave of the same name and they are these
    responses' weights (raking them by the stored variables gives the same), those are used;
    otherwise the responses are weighted by ``weight_by``.
    """
    margins, made = None, None
    if warehouse_path is not None:
        with warehouse.read(warehouse_path) as con:
            margins, made = _weighting(con, responses, settings, lad_codes, must_match=False)
    return analyse_survey(
        responses, settings.questionnaire, margins, previous, trim=settings.trim, min_base=settings.min_base, weights=made
    )


def analyse_stored_wave(
    warehouse_path: str | Path,
    lad_codes: Sequence[str],
    settings: SurveySettings,
    wave: str | None = None,
    previous_wave: str | None = None,
    weighted: bool = True,
    stored: bool = True,
) -> SurveyResults:
    """:func:`analyse_survey` on a wave stored in the warehouse (the latest when ``wave`` is None).

    Weighted as ``settings`` say, or, when ``stored`` and ``cspkit survey weight`` stored weights
    for the wave, with those weights (checked against a fresh raking by the same variables).
    """
    margins, made = None, None
    with warehouse.read(warehouse_path) as con:
        responses = load_responses(con, wave or latest_wave(con))
        earlier = load_responses(con, previous_wave) if previous_wave else None
        if weighted and stored:
            margins, made = _weighting(con, responses, settings, lad_codes, must_match=True)
        elif weighted:
            margins = configured_margins(con, lad_codes, settings)
    options = {"trim": settings.trim, "min_base": settings.min_base}
    previous = analyse_survey(earlier, settings.questionnaire, margins, **options) if earlier is not None else None
    return analyse_survey(responses, settings.questionnaire, margins, previous, weights=made, **options)


def _weighting(
    con: duckdb.DuckDBPyConnection, responses: SurveyResponses, settings: SurveySettings, lad_codes: Sequence[str],
    must_match: bool,
) -> tuple[PopulationMargins | None, Weights | None]:
    """The margins to weight to, and the weights ``cspkit survey weight`` stored for the wave when
    they still are its weights. Stored weights that are not: an error naming the fix when
    ``must_match``, else set aside for the configured weighting."""
    kept = stored_weights(con, responses.wave)
    if kept is None or not kept[1]:
        return configured_margins(con, lad_codes, settings), None
    saved, by = kept
    margins = configured_margins(con, lad_codes, settings, by)
    fresh = weight_responses(responses, settings.questionnaire, margins, trim=settings.trim)
    both = fresh.weights.join(saved, on="respondent_id", how="left", suffix="_stored")
    if both["weight_stored"].null_count() == 0 and np.allclose(both["weight"], both["weight_stored"], rtol=1e-6):
        return margins, Weights(both.select("respondent_id", pl.col("weight_stored").alias("weight")), fresh.report)
    if must_match:
        raise AnalysisError(
            f"the weights stored for wave '{responses.wave}' no longer match its responses or the population tables; "
            f"run `cspkit survey weight --wave {responses.wave}` again (or `cspkit survey results --weight-by ...` "
            "to rake afresh)"
        )
    return configured_margins(con, lad_codes, settings), None
