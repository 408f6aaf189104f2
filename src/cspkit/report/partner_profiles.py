"""The assessment's partner-data sections: the substance-misuse picture from treatment data, and who the
other partner sources are about (victims, people supported), small counts protected as everywhere else."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import polars as pl

from cspkit.analysis.partner_profile import PartnerProfile
from cspkit.report.document import Paragraph, Section, table_from_frame
from cspkit.report.totals import with_total_row

Publishable = Callable[..., pl.DataFrame]


def substance_section(
    section: Section, profiles: Sequence[PartnerProfile], count: Callable[[int], str], publishable: Publishable
) -> None:
    """Substance misuse from the partner sources that measure it; says plainly when none was loaded."""
    if not profiles:
        section.add(
            Paragraph(
                "No partner data on substance misuse (drug and alcohol treatment, hospital admissions) were loaded for "
                "this assessment, so its scale is not described here. Police.uk records drug offences only, which "
                "measure police activity as much as use or supply.",
                style="notice",
            )
        )
        return
    for profile in profiles:
        profile_block(section.sub(profile.title), profile, count, publishable)


def partner_section(
    section: Section, profiles: Sequence[PartnerProfile], count: Callable[[int], str], publishable: Publishable
) -> None:
    """Who each other partner source is about: the victims, clients or cases it records."""
    section.add(
        Paragraph(
            "Police.uk publishes no victims or offenders. Partner data do: these tables describe the people and cases "
            "each partner source records in the area, from the descriptive columns its data sharing agreement provides."
        )
    )
    for profile in profiles:
        profile_block(section.sub(profile.title), profile, count, publishable)


def profile_block(section: Section, profile: PartnerProfile, count: Callable[[int], str], publishable: Publishable) -> None:
    """One source: a sentence on records and people, then one table per descriptive column."""
    notes = (profile.provenance.footnote(),) if profile.provenance else ()
    text = f"{count(profile.records)} records in {profile.latest.in_words()}"
    if profile.records_previous is not None and profile.previous is not None:
        text += f", against {count(profile.records_previous)} in the 12 months before"
    text += "."
    if profile.people is not None:
        text += f" They concern {count(profile.people)} people"
        if profile.repeat_people is not None:
            text += f", {count(profile.repeat_people)} of whom appear more than once in the year"
        text += "."
    for column, median in profile.medians.items():
        text += f" Median {_name(column).lower()}: {median:,.0f}."
    section.add(Paragraph(text, notes=notes))
    for column, frame in profile.breakdowns.items():
        counts = [c for c in ("previous_12", "latest_12") if c in frame.columns]
        section.add(
            table_from_frame(
                f"{profile.source}_{column}",
                f"{profile.title}: records by {_name(column).lower()}",
                publishable(with_total_row(frame, ("value",), (*counts, "latest_pct")), counts, {"latest_pct": "latest_12"},
                            total_row=-1),
                headers={"value": _name(column), "previous_12": "Previous 12 months", "latest_12": "Latest 12 months",
                         "latest_pct": "Latest 12 months %"},
                notes=notes,
            )
        )  # fmt: skip


def _name(column: str) -> str:
    return column.replace("_", " ").capitalize()
