"""Adapters from each step's results to the evidence the documents use.

Thin on purpose: every figure, test and sentence comes from the step that owns the method (the
analysis module's tests and wording, the risk matrix's results, the survey's estimates); this
module only selects rows and renames columns.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import polars as pl

from cspkit.analysis.analyse import AreaAnalysis
from cspkit.analysis.concentration import lsoa_counts
from cspkit.analysis.hotspots import PermutationSettings, area_weights, gi_star_test
from cspkit.analysis.scope import ALL_CRIME, ASB, Scope, has_table
from cspkit.analysis.seasonality import rolling_12
from cspkit.data.schema import partner_table
from cspkit.errors import AnalysisError
from cspkit.priorities.board import TestedChange
from cspkit.priorities.evidence import changes, issue_monthly, issue_rows, labelled, tested
from cspkit.provenance import Provenance
from cspkit.report.evidence import Headline, IssueFigures


def series_changes(
    series: Mapping[Hashable, tuple[pl.DataFrame, str]], analysis: AreaAnalysis, alpha: float, threshold: int = 0
) -> dict[Hashable, TestedChange | None]:
    """The change over the whole period of several monthly series (first year against the latest; or the
    latest year against the one before when the period is shorter), by the analysis module's test.

    ``series``: key -> (monthly counts, provenance note). The series are tested together, as one
    family (Benjamini-Hochberg q-values), as a previous plan's measures are read side by side.
    """
    names = [monthly["crime_type"][0] for monthly, _ in series.values()]
    labels = {
        key: name if names.count(name) == 1 else f"{name} ({n})"
        for n, (key, name) in enumerate(zip(series, names, strict=True), start=1)
    }
    combined = pl.concat(
        [monthly.select(pl.lit(labels[key]).alias("crime_type"), "month", "count") for key, (monthly, _) in series.items()]
    )
    change, _ = changes(combined, analysis, alpha, threshold)
    out: dict[Hashable, TestedChange | None] = {}
    for key, (_, note) in series.items():
        (rows,) = issue_rows([change], labels[key])
        out[key] = tested(rows, rows.height - 1, note) if rows is not None else None
    return out


def lsoa_figures(
    scope: Scope,
    categories: Sequence[str],
    alpha: float,
    kind: str = "queen",
    k: int = 8,
    settings: PermutationSettings | None = None,
) -> pl.DataFrame:
    """Counts, rates and Gi* classes by LSOA for the latest 12 months (or fewer) of the issue's police.uk categories."""
    latest = Scope(scope.con, scope.area, scope.period.latest_year())
    counts = None
    for category in categories:
        part = lsoa_counts(latest, category)
        counts = (
            part
            if counts is None
            else counts.join(part, on="lsoa21_code", suffix="_more").select(
                "lsoa21_code", (pl.col("count") + pl.col("count_more")).alias("count")
            )
        )
    return lsoa_rates_and_hotspots(scope, counts, alpha, kind, k, settings)


def lsoa_rates_and_hotspots(
    scope: Scope,
    counts: pl.DataFrame,
    alpha: float,
    kind: str = "queen",
    k: int = 8,
    settings: PermutationSettings | None = None,
) -> pl.DataFrame:
    """Rates per 1,000 residents and the analysis module's Gi* classes (permutation test, FDR) for counts by LSOA."""
    residents = scope.con.sql(
        # BIGINT: DuckDB's sum is a whole-number DECIMAL, and a count divided by it truncates to 0.
        "SELECT lsoa21_code, sum(residents)::BIGINT AS residents FROM population "
        "WHERE lsoa21_code IN (SELECT unnest(?)) GROUP BY 1",
        params=[list(scope.area.lsoas)],
    ).pl()
    frame = counts.join(residents, on="lsoa21_code", how="left").with_columns(
        (pl.col("count") / pl.col("residents") * 1000).alias("rate_per_1000")
    )
    try:
        weights = area_weights(scope, kind, k)
        ordered = pl.DataFrame({"lsoa21_code": list(weights.codes)}).join(frame, on="lsoa21_code", how="left")
        tested = gi_star_test(ordered["count"].to_numpy(), weights.matrix, settings or PermutationSettings(), alpha)
        frame = ordered.with_columns(tested["gi_z"], tested["classification"].alias("hotspot"))
    except AnalysisError:
        frame = frame.with_columns(pl.lit(None, dtype=pl.Float64).alias("gi_z"), pl.lit(None, dtype=pl.String).alias("hotspot"))
    return frame.select("lsoa21_code", "count", "rate_per_1000", "gi_z", "hotspot")


def partner_monthly(scope: Scope, sources: Sequence[str], label: str) -> pl.DataFrame | None:
    """Partner incidents by month in the area and period (every month, zeros filled), or None without data.

    The analysis module counts police.uk; partner tables are counted here with its scope (same LSOAs,
    same months) so the series can go through its rolling mean and tests.
    """
    condition, params = scope.where()
    frames = []
    for source in sources:
        table = partner_table(source)
        if not has_table(scope.con, table):
            continue
        frames.append(
            scope.con.sql(f'SELECT month, count(*) AS count FROM "{table}" WHERE {condition} GROUP BY 1', params=params).pl()
        )
    if not frames or not sum(f.height for f in frames):
        return None
    months = pl.DataFrame({"month": scope.period.month_list()}, schema={"month": pl.Date})
    counted = pl.concat(frames).with_columns(pl.col("month").cast(pl.Date)).group_by("month").agg(pl.col("count").sum())
    return (
        months.join(counted, on="month", how="left")
        .with_columns(pl.col("count").fill_null(0).cast(pl.Int64), pl.lit(label).alias("crime_type"))
        .select("crime_type", "month", "count")
    )


def partner_lsoa_counts(scope: Scope, sources: Sequence[str]) -> pl.DataFrame:
    """Partner incidents by LSOA in the latest 12 months or fewer (every LSOA of the area, zeros included)."""
    latest = Scope(scope.con, scope.area, scope.period.latest_year())
    condition, params = latest.where()
    every = pl.DataFrame({"lsoa21_code": list(scope.area.lsoas)}, schema={"lsoa21_code": pl.String})
    for source in sources:
        table = partner_table(source)
        if not has_table(scope.con, table):
            continue
        part = scope.con.sql(f'SELECT lsoa21_code, count(*) AS n FROM "{table}" WHERE {condition} GROUP BY 1', params=params).pl()
        every = every.join(part, on="lsoa21_code", how="left").with_columns(pl.col("n").fill_null(0)).rename({"n": source})
    added = [c for c in every.columns if c != "lsoa21_code"]
    return every.select(
        "lsoa21_code", pl.sum_horizontal(added).cast(pl.Int64).alias("count") if added else pl.lit(0).alias("count")
    )


def repeat_statements(analysis: AreaAnalysis, sources: Sequence[str]) -> tuple[str, ...]:
    """The analysis module's sentences on repeat victims and repeat locations for these partner sources."""
    out: list[str] = []
    for table in (analysis.repeat_victim_change, analysis.repeat_partner_location_change):
        if table is not None:
            rows = table.filter(pl.col("source").is_in(list(sources))).select("source", "statement")
            for source, statement in rows.iter_rows():
                out.append(statement.replace(f"In {source},", f"In the {source.replace('_', ' ')} data,"))
    return tuple(out)


def partner_figures(
    analysis: AreaAnalysis,
    scope: Scope,
    issue_id: str,
    name: str,
    sources: Sequence[str],
    alpha: float,
    hotspot_weights: str = "queen",
    settings: PermutationSettings | None = None,
    *,
    threshold: int = 0,
) -> IssueFigures | None:
    """A priority measured by partner data: trend, tested change, map and repeat victimisation
    (counts under ``threshold`` are not written in its sentences)."""
    monthly = partner_monthly(scope, sources, name)
    if monthly is None:
        return None
    rolled = rolling_12(monthly)
    change, trend = changes(monthly, analysis, alpha, threshold)
    sentences = [
        *(labelled(change) if change is not None else []),
        *(trend["statement"].to_list() if trend is not None else []),
    ]
    provenance = scope.provenance(f"partner data ({', '.join(sources)}): incidents by month and LSOA", partner_table(sources[0]))
    keys = [f"repeat_victims:{s}" for s in sources] + [f"repeat_partner_locations:{s}" for s in sources]
    notes = (provenance.footnote(), *(analysis.provenance[k].footnote() for k in keys if k in analysis.provenance))
    return IssueFigures(
        issue_id=issue_id,
        name=name,
        unit="incidents",
        monthly=rolled.select("month", "count", pl.col("rolling_12_mean").alias("rolling_12_month_mean")),
        sentences=tuple(sentences),
        focus_area=analysis.area.name,
        lsoa=lsoa_rates_and_hotspots(scope, partner_lsoa_counts(scope, sources), alpha, hotspot_weights, settings=settings),
        repeats=repeat_statements(analysis, sources),
        provenance=notes,
    )


def issue_figures(
    analysis: AreaAnalysis,
    issue_id: str,
    name: str,
    categories: Sequence[str],
    alpha: float,
    scope: Scope | None = None,
    hotspot_weights: str = "queen",
    *,
    tested_together: Sequence[pl.DataFrame | None] = (),
    threshold: int = 0,
    settings: PermutationSettings | None = None,
) -> IssueFigures | None:
    """Everything one priority's section shows, from the analysis; None when no police category measures it.

    ``tested_together``: the board's change and trend tables (:func:`~cspkit.priorities.evidence.issue_tests`),
    so the section states the same verdict, with the same q-value, as the board. ``threshold``: counts
    under it are not written in the sentences.
    """
    present = [c for c in categories if c in set(analysis.monthly["crime_type"])]
    if not present:
        return None
    monthly = issue_monthly(analysis, present, name)
    rolled = rolling_12(monthly.select("crime_type", "month", "count"))
    change, trend = issue_rows(tested_together, name) if tested_together else changes(monthly, analysis, alpha, threshold)
    sentences = []
    if change is not None:
        sentences += labelled(change)
    if trend is not None:
        sentences += trend["statement"].to_list()
    notes = tuple(
        analysis.provenance[key].footnote() for key in ("monthly", "change", "trends", "peer_rates") if key in analysis.provenance
    )
    categories_table = None
    if analysis.change is not None:
        first = analysis.change["comparison"][0]
        context = [*present, ALL_CRIME] if ASB not in present else [*present]
        categories_table = (
            analysis.change.filter((pl.col("comparison") == first) & pl.col("crime_type").is_in(context))
            .select(
                pl.col("crime_type").alias("category"),
                pl.col("previous_count").alias("previous_12"),
                pl.col("latest_count").alias("latest_12"),
            )
            .sort("latest_12", descending=True)
        )
    peers = None
    if analysis.peer_rates is not None:
        peers = (
            analysis.peer_rates.filter(pl.col("crime_type").is_in(present))
            .group_by("lad_name", "residents")
            .agg(pl.col("count").sum())
            .select(pl.col("lad_name").alias("area"), (pl.col("count") / pl.col("residents") * 1000).alias("rate_per_1000"))
            .sort("rate_per_1000", descending=True)
        )
    lsoa = lsoa_figures(scope, present, alpha, hotspot_weights, settings=settings) if scope is not None else None
    note = analysis.notes.get("peer_group")
    missing = (f"Peer comparison not shown: {note}.",) if note else ()
    outcomes, outcomes_source = issue_outcomes(analysis, present)
    if outcomes_source:
        notes = (*notes, analysis.provenance[outcomes_source].footnote())
    return IssueFigures(
        issue_id=issue_id,
        name=name,
        unit="incidents" if present == [ASB] else "crimes",
        monthly=rolled.select("month", "count", pl.col("rolling_12_mean").alias("rolling_12_month_mean")),
        sentences=tuple(sentences),
        categories=categories_table,
        peers=peers,
        peers_period=analysis.peer_period.in_words() if analysis.peer_period is not None else "",
        focus_area=analysis.area.name,
        lsoa=lsoa,
        outcomes=outcomes,
        provenance=notes,
        not_shown=missing,
    )


def issue_outcomes(analysis: AreaAnalysis, categories: list[str]) -> tuple[pl.DataFrame | None, str]:
    """What happened after the issue's crimes: outcome, count, share (of the issue's crimes), the
    last row their total, and which analysis table it came from. The outcomes files' latest outcome per crime is preferred to
    the street files' outcome at publication, which later updates overtake."""
    for source in ("latest_outcomes", "outcomes"):
        table = getattr(analysis, source)
        if table is None or source not in analysis.provenance:
            continue
        counts = (
            table.filter(pl.col("crime_type").is_in(categories))
            .group_by("outcome")
            .agg(pl.col("count").sum())
        )
        if counts.height:
            total = counts["count"].sum()
            rows = counts.sort(["count", "outcome"], descending=[True, False])
            rows = pl.concat([rows, pl.DataFrame({"outcome": ["All outcomes"], "count": [total]}, schema=rows.schema)])
            return rows.with_columns((pl.col("count") / total * 100).alias("share_pct")), source
    return None, ""


def headlines(analysis: AreaAnalysis) -> list[Headline]:
    """Recorded crime and ASB, as separate series (a crime rate that includes ASB hides real change)."""
    out = []
    latest = analysis.period.latest_year()
    for category, label in ((ALL_CRIME, "Recorded crime (excluding ASB)"), (ASB, "Anti-social behaviour incidents")):
        monthly = analysis.monthly.filter(pl.col("crime_type") == category)
        if not monthly.height:
            continue
        count = int(monthly.filter(pl.col("month").is_between(latest.start, latest.end))["count"].sum())
        rate = count / analysis.denominators.residents * 1000
        sentence = f"Not tested: {analysis.period.in_words()} is shorter than the two years a test of change compares."
        if analysis.change is not None:
            rows = analysis.change.filter(pl.col("crime_type") == category)
            sentence = rows["statement"][0] if rows.height else ""
        prov = analysis.provenance.get("change") or analysis.provenance.get("monthly") or Provenance(method="police.uk")
        out.append(Headline(label, count, rate, sentence, prov.footnote()))
    return out
