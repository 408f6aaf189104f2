"""One entry point from responses to findings: weight, estimate, break down, rank concerns, find themes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from threadpoolctl import threadpool_limits

from cspkit.data import warehouse
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
from cspkit.survey.store import latest_wave, load_responses
from cspkit.survey.themes import themes_table
from cspkit.survey.weighting import PopulationMargins, WeightingReport, population_margins, weight_responses


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
) -> SurveyResults:
    """Weight the responses to ``margins`` (unweighted when None) and produce every table.

    ``previous`` is the previous wave's results (or its estimates table) for the change table.
    """
    # Hundreds of small matrix solves: one BLAS thread each is many times faster than several
    # threads fighting over two cores.
    with threadpool_limits(limits=1, user_api="blas"):
        return _analyse(responses, questionnaire, margins, previous, trim, min_base, n_themes)


def _analyse(
    responses: SurveyResponses,
    questionnaire: Questionnaire,
    margins: PopulationMargins | None,
    previous: SurveyResults | pl.DataFrame | None,
    trim: tuple[float, float],
    min_base: int,
    n_themes: int,
) -> SurveyResults:
    made = weight_responses(responses, questionnaire, margins, trim=trim)
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


def analyse_stored_wave(
    warehouse_path: str | Path,
    lad_codes: Sequence[str],
    questionnaire: Questionnaire,
    wave: str | None = None,
    previous_wave: str | None = None,
    weighted: bool = True,
    **options: Any,
) -> SurveyResults:
    """:func:`analyse_survey` on a wave stored in the warehouse (the latest when ``wave`` is None),
    weighted to the warehouse's population tables: what the report and the web app call."""
    with warehouse.read(warehouse_path) as con:
        responses = load_responses(con, wave or latest_wave(con))
        earlier = load_responses(con, previous_wave) if previous_wave else None
        margins = population_margins(con, lad_codes, questionnaire) if weighted else None
    previous = analyse_survey(earlier, questionnaire, margins, **options) if earlier is not None else None
    return analyse_survey(responses, questionnaire, margins, previous, **options)
