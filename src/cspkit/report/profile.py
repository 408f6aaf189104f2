"""The assessment's "Area profile" section: people, households, deprivation and where crime falls by
deprivation, from :class:`cspkit.analysis.profile.AreaProfile`."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from cspkit.analysis.area import Period
from cspkit.analysis.profile import AreaProfile
from cspkit.analysis.scope import ALL_CRIME, ASB
from cspkit.report.document import Paragraph, Section, number, table_from_frame
from cspkit.report.totals import with_total_row

LEVEL_WORDS = {"force area": "its force area", "England and Wales": "England and Wales"}


def profile_section(section: Section, profile: AreaProfile, area_name: str, publishable) -> None:
    """Sentences first, each drawn from the table beneath it; ``publishable`` suppresses small counts."""
    notes = (profile.provenance.footnote(),)
    older = profile.ages.filter(pl.col("age_band").str.contains("65"))
    younger = profile.ages.filter(pl.col("age_band").str.contains("15 years and under"))
    people = (
        f"{area_name} has {profile.residents:,} residents in {profile.households:,} households (Census 2021), "
        f"living in {profile.lsoas:,} neighbourhoods (LSOAs) of about 1,500 people each."
    )
    if older.height and younger.height:
        o, y = older.row(0, named=True), younger.row(0, named=True)
        people += (
            f" {y['share_pct']:.0f}% are aged 15 or under (England and Wales: {y['england_wales_pct']:.0f}%) and "
            f"{o['share_pct']:.0f}% are 65 or over (England and Wales: {o['england_wales_pct']:.0f}%)."
        )
    section.add(Paragraph(people, notes=notes))
    section.add(
        table_from_frame(
            "profile_age",
            f"Residents by age, {area_name} and England and Wales (Census 2021)",
            profile.ages,
            headers={"age_band": "Age", "residents": "Residents", "share_pct": "Share %",
                     "england_wales_pct": "England and Wales %"},
            formats={"share_pct": lambda v: f"{v:.1f}", "england_wales_pct": lambda v: f"{v:.1f}"},
            notes=notes,
        )
    )  # fmt: skip
    deprivation = section.sub("Deprivation and where crime falls")
    if not profile.deprivation.height:
        deprivation.add(Paragraph("No bundled deprivation index covers this area's neighbourhoods.", style="notice"))
        return
    period = profile.crime_period.in_words()
    text = (
        f"Deprivation is measured by the {' and the '.join(profile.indices)}: decile 1 is the most deprived "
        "tenth of that nation's neighbourhoods. England and Wales each rank their own neighbourhoods, so their "
        "deciles are never compared."
    )
    if profile.uncovered_lsoas:
        text += (
            f" {profile.uncovered_lsoas:,} of the area's neighbourhoods are not covered by a bundled deprivation index "
            "and are left out of this table."
        )
    table = with_total_row(
        profile.deprivation,
        labels=("nation", "decile"),
        sums=("lsoas", "residents", "residents_pct", "crimes", "crimes_pct"),
        computed={"rate_per_1000": 1000 * pl.col("crimes").sum() / pl.col("residents").sum()},
    )
    shown = publishable(table, ["crimes"], {"crimes_pct": "crimes", "rate_per_1000": "crimes"}, total_row=-1)
    most_deprived = shown.filter(pl.col("decile").is_in(["1", "2"]))
    shares = profile.most_deprived_share()
    if shares is not None and most_deprived["crimes"].str.contains(r"^[\d,]+$").all():  # no hidden count in the sum
        residents, crimes = shares
        text += (
            f" {residents:.0f}% of residents live in the most deprived fifth of neighbourhoods (deciles 1 and 2); "
            f"{crimes:.0f}% of the crime recorded in {period} happened there."
        )
    deprivation.add(Paragraph(text, notes=notes))
    deprivation.add(
        table_from_frame(
            "profile_deprivation",
            f"Residents and recorded crime (excluding anti-social behaviour) by deprivation decile, {period}",
            shown,
            headers={"nation": "Index", "decile": "Decile (1 = most deprived)", "lsoas": "Neighbourhoods",
                     "residents": "Residents", "residents_pct": "Residents %", "crimes": "Crimes",
                     "crimes_pct": "Crimes %", "rate_per_1000": "Crimes per 1,000 residents"},
            formats={"residents_pct": lambda v: f"{v:.1f}", "crimes_pct": lambda v: number(v, 1),
                     "rate_per_1000": lambda v: number(v, 1)},
            notes=notes,
        )
    )  # fmt: skip


def context_section(section: Section, contexts: Sequence[tuple[Period, pl.DataFrame]], area_name: str) -> None:
    """The headline rates beside the force area's and England and Wales's, one table per period compared."""
    for period, frame in contexts:
        if frame.filter(pl.col("level") != "area").is_empty():
            continue
        when = period.in_words()
        lines = []
        for measure, label in ((ALL_CRIME, "Recorded crime (excluding ASB)"), (ASB, "Anti-social behaviour")):
            rows = {r["level"]: r for r in frame.filter(pl.col("measure") == measure).iter_rows(named=True)}
            if "area" not in rows:
                continue
            others = [f"{r['rate_per_1000']:.1f} across {_level_name(r)}" for level, r in rows.items() if level != "area"]
            lines.append(f"{label} in {when}: {rows['area']['rate_per_1000']:.1f} per 1,000 residents in {area_name}, "
                         f"against {' and '.join(others)}.")
        notes = ("police.uk street crime and anti-social behaviour by district, from the forces that published every "
                 "month (as the headline figures); Census 2021 usual residents; a district counts only when its own "
                 f"force published every month of {period.label()}.",)
        section.add(*(Paragraph(line, notes=notes) for line in lines))
        section.add(
            table_from_frame(
                f"context_{period.start:%Y_%m}_{period.end:%Y_%m}",
                f"Recorded crime and anti-social behaviour per 1,000 residents: {area_name} and "
                f"{' and '.join(LEVEL_WORDS[level] for level in frame['level'].unique(maintain_order=True) if level != 'area')}"
                f", {when}",
                frame.with_columns(pl.struct("level", "name").map_elements(_table_name, return_dtype=pl.String).alias("name"))
                .select("name", "districts", "residents", "measure", "count", "rate_per_1000"),
                headers={"name": "Area", "districts": "Districts", "residents": "Residents", "measure": "Measure",
                         "count": "Count", "rate_per_1000": "Rate per 1,000 residents"},
                formats={"rate_per_1000": lambda v: f"{v:.1f}"},
                notes=notes,
            )
        )  # fmt: skip


def _level_name(row: dict) -> str:
    """"the Bedfordshire force area (3 districts)", "England and Wales (264 of 318 districts with data)"."""
    if row["level"] == "force area":
        name, _, districts = row["name"].partition(" (")
        return f"the {name} force area ({districts}"
    if row["level"] == "England and Wales":
        return f"England and Wales ({row['name']})"
    return row["name"]


def _table_name(row: dict) -> str:
    name = _level_name(row)
    return name[4:5].upper() + name[5:] if name.startswith("the ") else name
