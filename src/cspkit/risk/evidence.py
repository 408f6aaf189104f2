"""A thin adapter from the analysis module to the plain figures the suggestions need.

For each issue it sums the latest 12 months (and the 12 before) over the police.uk categories
and partner sources that measure it, tests the change with the analysis module's test of the
monthly counts (the issues of the register tested together, Benjamini-Hochberg q-values; the exact
Poisson means test of the totals where no monthly series is at hand), and takes the crime harm index
from the analysis module's harm ranking. An issue whose mapped data is not in the warehouse is
reported as "no data maps to this issue", with a note.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

import polars as pl

from cspkit.analysis.analyse import open_scope
from cspkit.analysis.area import Area, Period
from cspkit.analysis.change import compare_counts
from cspkit.analysis.harm import harm_ranking, load_harm_weights
from cspkit.analysis.scope import has_table
from cspkit.analysis.volumes import denominators, monthly_counts, period_totals
from cspkit.config import AssessmentConfig
from cspkit.data.schema import partner_table
from cspkit.risk.register import Issue, IssueRegister
from cspkit.risk.suggest import IssueEvidence

#: Counts per measure ("crime:Burglary", "partner:domestic_abuse"): (latest 12 months, previous 12 or None).
Counts = Mapping[str, tuple[int, int | None]]


def issue_evidence(
    issue: Issue,
    counts: Counts,
    residents: int | None,
    harm: Mapping[str, float],
    total_harm: float | None,
    period_label: str = "",
    alpha: float = 0.05,
) -> IssueEvidence:
    """The figures for one issue from per-measure counts and per-category harm (pure)."""
    measures = [f"crime:{c}" for c in issue.crime_categories] + [f"partner:{s}" for s in issue.partner_sources]
    present = [m for m in measures if m in counts]
    missing = [m.split(":", 1)[1] for m in measures if m not in counts]
    if not present:
        note = f"not in the warehouse: {', '.join(missing)}" if missing else ""
        return IssueEvidence(issue_id=issue.id, data_maps=False, period=period_label, note=note)
    latest = sum(counts[m][0] for m in present)
    previous_parts = [counts[m][1] for m in present]
    previous = None if any(p is None for p in previous_parts) else sum(previous_parts)
    ratio = p_value = significant = None
    if previous is not None:
        test = compare_counts(previous, latest)
        if test.rate_ratio is not None and test.p_value is not None:
            ratio, p_value, significant = test.rate_ratio, test.p_value, test.p_value < alpha
    weighed = [harm[c] for c in issue.crime_categories if c in harm]
    harm_index = sum(weighed) if weighed else None
    share = harm_index / total_harm if harm_index is not None and total_harm else None
    return IssueEvidence(
        issue_id=issue.id,
        data_maps=True,
        period=period_label,
        annual_count=latest,
        rate_per_1000=latest / residents * 1000 if residents else None,
        previous_count=previous,
        change_ratio=ratio,
        p_value=p_value,
        significant=significant,
        harm_index=harm_index,
        harm_share=share,
        sources=tuple(present),
        note=f"not in the warehouse: {', '.join(missing)}" if missing else "",
    )


def gather_evidence(
    warehouse_path: str | Path,
    area: Area | str | list[str] | tuple[str, ...],
    period: Period,
    register: IssueRegister,
    harm_weights: str | Path | None = None,
    alpha: float = 0.05,
) -> list[IssueEvidence]:
    """Evidence for every issue in the register, for one area and period, from the warehouse."""
    area = area if isinstance(area, Area) else Area.parse(area)
    latest_period = period.latest_year()
    previous_period = period.previous_12() if period.months >= 24 else None
    with open_scope(warehouse_path, area, period) as scope:
        residents = denominators(scope.con, scope.area).residents
        monthly = monthly_counts(scope)
        latest = period_totals(monthly, latest_period)
        previous = period_totals(monthly, previous_period) if previous_period else None
        counts: dict[str, tuple[int, int | None]] = {}
        before = dict(previous.iter_rows()) if previous is not None else {}
        for crime_type, count in latest.select("crime_type", "count").iter_rows():
            counts[f"crime:{crime_type}"] = (int(count), int(before.get(crime_type, 0)) if previous is not None else None)
        series = {f"crime:{c}": rows.select("month", "count") for (c,), rows in monthly.group_by(["crime_type"])}
        for source in sorted({s for i in register.issues for s in i.partner_sources}):
            table = partner_table(source)
            if not has_table(scope.con, table):
                continue
            now = _partner_count(scope, table, latest_period)
            then = _partner_count(scope, table, previous_period) if previous_period else None
            if now is not None:
                counts[f"partner:{source}"] = (now, then)
                series[f"partner:{source}"] = _partner_monthly(scope, table)
        ranking = harm_ranking(latest.select("crime_type", "count"), load_harm_weights(harm_weights), residents)
    # A category with no weight, or weight 0 (ASB is not a crime), has no harm figure: never a guessed one.
    harm = {r["crime_type"]: r["harm"] for r in ranking.iter_rows(named=True) if r["weight"]}
    total = sum(harm.values()) or None
    label = latest_period.label()
    found = [issue_evidence(i, counts, residents, harm, total, label, alpha) for i in register.issues]
    if previous_period is None:
        return found
    return tested_together(found, series, Period(previous_period.start, latest_period.end), alpha)


def tested_together(
    evidence: list[IssueEvidence], series: Mapping[str, pl.DataFrame], period: Period, alpha: float
) -> list[IssueEvidence]:
    """The issues' latest-year changes re-tested on their monthly counts, as one family.

    ``series``: measure ("crime:Burglary") -> its monthly counts. Each issue's series is the sum of
    its measures'; the analysis module's change table tests them all (overdispersion-aware, with
    Benjamini-Hochberg q-values across the issues), so a suggested likelihood moves only for a change
    the documents also call significant.
    """
    from cspkit.analysis.comparisons import change_table

    frames = [
        pl.concat([series[m] for m in e.sources]).group_by("month").agg(pl.col("count").sum())
        .select(pl.lit(e.issue_id).alias("crime_type"), "month", "count")
        for e in evidence
        if e.previous_count is not None and all(m in series for m in e.sources)
    ]
    if not frames:
        return evidence
    table = change_table(pl.concat(frames), period, alpha)
    rows = {r["crime_type"]: r for r in table.iter_rows(named=True)}
    return [
        replace(e, p_value=r["p_value"], q_value=r["q_value"], significant=r["significant"], compared=table.height, alpha=alpha)
        if (r := rows.get(e.issue_id)) is not None and r["p_value"] is not None
        else e
        for e in evidence
    ]


def _partner_monthly(scope, table: str) -> pl.DataFrame:
    """A partner table's rows in the area by month (months without rows are filled by the change table)."""
    condition, params = scope.where()
    return scope.con.sql(
        f'SELECT month::DATE AS month, count(*) AS count FROM "{table}" WHERE {condition} GROUP BY 1', params=params
    ).pl()


def evidence_for_config(config: AssessmentConfig, register: IssueRegister, area: str | None = None) -> list[IssueEvidence]:
    """Evidence for the config's area (or ``area``) and period, from its warehouse and its [analysis] settings."""
    analysis = config.section("analysis")
    return gather_evidence(
        config.warehouse,
        area or list(config.area_codes),
        Period.parse(config.period_start, config.period_end),
        register,
        harm_weights=config.resolve(analysis["harm_weights"]) if "harm_weights" in analysis else None,
        alpha=float(analysis.get("alpha", 0.05)),
    )


def _partner_count(scope, table: str, period: Period) -> int | None:
    """Rows of a partner table in the area and period; None when the table has no rows for the area at all."""
    condition, params = scope.where(period)
    any_rows = scope.con.execute(
        f'SELECT count(*) FROM "{table}" WHERE lsoa21_code IN (SELECT unnest(?))', [list(scope.area.lsoas)]
    ).fetchall()[0][0]
    if not any_rows:
        return None
    return int(scope.con.execute(f'SELECT count(*) FROM "{table}" WHERE {condition}', params).fetchall()[0][0])


def evidence_table(evidence: list[IssueEvidence]) -> pl.DataFrame:
    """The figures as a table (one row per issue), for the CLI and the evidence board."""
    return pl.DataFrame(
        [
            {
                "issue_id": e.issue_id, "data_maps": e.data_maps, "period": e.period, "annual_count": e.annual_count,
                "rate_per_1000": e.rate_per_1000, "previous_count": e.previous_count, "change_ratio": e.change_ratio,
                "p_value": e.p_value, "significant": e.significant, "harm_index": e.harm_index,
                "harm_share": e.harm_share, "sources": ", ".join(e.sources), "note": e.note,
            }
            for e in evidence
        ],
        schema={
            "issue_id": pl.String, "data_maps": pl.Boolean, "period": pl.String, "annual_count": pl.Int64,
            "rate_per_1000": pl.Float64, "previous_count": pl.Int64, "change_ratio": pl.Float64, "p_value": pl.Float64,
            "significant": pl.Boolean, "harm_index": pl.Float64, "harm_share": pl.Float64, "sources": pl.String,
            "note": pl.String,
        },
    )
