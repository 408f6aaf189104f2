"""How a priority's places changed, for its section: emerging hot spots over the period and where
the incidents moved between the two latest 12-month periods (the analysis module's tests).

Neither publishes a count: the map and its table give each LSOA's category and how many time steps
it was a hot or cold spot; the point pattern test reaches the document as one sentence about how many
LSOAs kept a similar share.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import polars as pl

from cspkit.analysis.emerging import EMERGING_METHOD, NO_PATTERN, emerging_hotspots
from cspkit.analysis.sppt import SPPT_METHOD, where_crime_moved
from cspkit.errors import AnalysisError
from cspkit.report import charts
from cspkit.report.document import Table, table_from_frame
from cspkit.report.evidence import IssueFigures

if TYPE_CHECKING:
    from cspkit.analysis.analyse import AnalysisOptions
    from cspkit.analysis.scope import Scope

STEP_WORDS = {"quarter": "quarters", "month": "months"}


def with_spatial_change(figures: IssueFigures, scope: Scope, categories: Sequence[str], options: AnalysisOptions) -> IssueFigures:
    """``figures`` with the emerging hot spot table and the point pattern sentence added (or, where the
    period is too short for them, a line saying why under "not shown")."""
    what = figures.name.lower()
    sentences, not_shown, provenance = list(figures.sentences), list(figures.not_shown), list(figures.provenance)
    emerging = None
    try:
        emerging = emerging_hotspots(
            scope, options.hotspot_weights, options.knn_k, categories, options.alpha, options.permutation_settings,
            options.emerging_step,
        )
        provenance.append(scope.provenance(options.method(EMERGING_METHOD)).footnote())
        if (emerging["classification"] == NO_PATTERN).all():
            # An all-grey map says nothing a sentence cannot.
            sentences.append(no_pattern_sentence(what, int(emerging["steps"][0]), options.emerging_step))
            emerging = None
    except AnalysisError as exc:
        not_shown.append(f"Emerging hot spots not shown: {exc.message}.")
    try:
        _, summary = where_crime_moved(scope, categories, options.sppt_settings, what)
        sentences.append(summary["statement"][0])
        provenance.append(scope.provenance(options.method(SPPT_METHOD)).footnote())
    except AnalysisError as exc:
        not_shown.append(f"Where {what} moved not shown: {exc.message}.")
    return replace(
        figures,
        emerging=emerging,
        sentences=tuple(sentences),
        not_shown=tuple(not_shown),
        provenance=tuple(dict.fromkeys(provenance)),
    )


def no_pattern_sentence(what: str, steps: int, step: str) -> str:
    """What to say when every LSOA is "no pattern detected"."""
    return (
        f"How {what} hot spots changed over {steps} {STEP_WORDS.get(step, step + 's')}: no neighbourhood shows an "
        "emerging hot or cold spot pattern once the number of neighbourhoods tested is allowed for "
        "(emerging hot spot analysis)."
    )


def emerging_figure(
    figures: IssueFigures, boundaries: dict, notes: Sequence[str], wards: dict[str, str] | None = None
) -> tuple[str, charts.Chart, Table]:
    """Caption, map and table of the emerging hot spot categories (the table lists the LSOAs with a pattern)."""
    table = figures.emerging
    steps, step = int(table["steps"][0]), table["step"][0]
    chart = charts.emerging_map(
        f"{figures.name} emerging hot spots",
        boundaries,
        dict(zip(table["lsoa21_code"], table["classification"], strict=True)),
        wards,
    )
    caption = (
        f"{figures.name}: how hot and cold spots changed over {steps} {STEP_WORDS.get(step, step + 's')} "
        "(emerging hot spot analysis, by neighbourhood)"
    )
    patterned = table.filter(pl.col("classification") != NO_PATTERN).sort("classification", "lsoa21_code")
    data: Table = table_from_frame(
        f"{figures.issue_id}_emerging",
        f"{figures.name}: neighbourhoods (LSOAs) with an emerging hot or cold spot pattern",
        patterned.select("lsoa21_code", "classification", "hot_steps", "cold_steps", "trend_tau"),
        headers={
            "lsoa21_code": "LSOA",
            "classification": "Pattern",
            "hot_steps": f"Hot spot {STEP_WORDS.get(step, step + 's')}",
            "cold_steps": f"Cold spot {STEP_WORDS.get(step, step + 's')}",
            "trend_tau": "Trend (Kendall's tau)",
        },
        formats={"trend_tau": lambda v: f"{v:+.2f}"},
        notes=notes,
    )
    return caption, chart, data

