"""The committee report's equalities implications, from the evidence rather than boilerplate alone.

Two kinds of evidence: the residents' survey groups whose answers differ from everyone else's by
more than chance, and stop and search by self-defined ethnicity against the area's Census 2021
population (rates per 1,000 residents and the disproportionality ratio with its interval).
"""

from __future__ import annotations

import polars as pl

from cspkit.report.document import Bullets, Paragraph, Section, Table, number
from cspkit.report.evidence import AssessmentEvidence


def survey_differences(ev: AssessmentEvidence) -> list[Paragraph | Bullets]:
    if ev.survey is None or ev.survey.differences is None:
        return []
    d = ev.survey.differences
    if not d.height:
        return [Paragraph("In the residents' survey no area, age group or sex answered differently from everyone else "
                          "by more than chance.", notes=(ev.survey.provenance,))]
    lines = [
        f"{r['group'] if r['breakdown'] == 'Sex' else r['breakdown'] + ' ' + r['group']}: {r['group_pct']:.0f}% said "
        f"'{r['measure'].lower()}', against {r['rest_pct']:.0f}% of everyone else ({r['question'].rstrip('?').lower()})."
        for r in d.head(4).iter_rows(named=True)
    ]
    synthetic = " (synthetic demo answers)" if ev.survey.synthetic else ""
    return [
        Paragraph(f"In the residents' survey{synthetic}, these groups answered differently from everyone else, by more "
                  "than chance.", notes=(ev.survey.provenance,)),
        Bullets(tuple(lines)),
    ]


def _shown(ev: AssessmentEvidence, searches: int, text: str) -> str:
    """A figure derived from a search count, hidden with the count when the count is too small to publish."""
    return "–" if ev.count(searches) in ("<5", "*") else text


def stop_search_table(ev: AssessmentEvidence) -> Table:
    frame = ev.stop_search
    return Table(
        key="stop_search_by_ethnicity",
        caption="Stop and search by self-defined ethnicity, latest 12 months, per 1,000 residents of each group "
        "(Census 2021), and the disproportionality ratio against White residents with its 95% interval",
        columns=("Ethnic group", "Searches", "Residents", "Searches per 1,000", "Ratio to White", "95% interval"),
        rows=tuple(
            (
                r["group"],
                ev.count(r["searches"]),
                number(r["residents"]),
                _shown(ev, r["searches"], number(r["rate_per_1000"], 1)),
                _shown(ev, r["searches"], number(r["ratio"], 1)),
                _shown(ev, r["searches"], "–" if r["ci_low"] is None else f"{r['ci_low']:.1f} to {r['ci_high']:.1f}"),
            )
            for r in frame.iter_rows(named=True)
        ),
        numeric=(False, True, True, True, True, True),
        notes=tuple(frame["provenance"].unique().to_list()) if "provenance" in frame.columns else (),
    )


def stop_search_sentence(ev: AssessmentEvidence) -> str:
    rows = ev.stop_search.filter(
        pl.col("ratio").is_not_null() & (pl.col("group") != "White") & (pl.col("searches") >= ev.threshold)
    )
    if not rows.height:
        return "No ethnic group's stop and search rate can be compared with White residents' from the published counts."
    top = rows.sort("ratio", descending=True).row(0, named=True)
    clear = top["ci_low"] > 1
    verdict = "and the interval shows this is not chance" if clear else "but the interval includes no difference"
    return (
        f"{top['group']} residents were stopped and searched {top['ratio']:.1f} times as often as White residents, per "
        f"1,000 residents of each group, {verdict} ({top['ci_low']:.1f} to {top['ci_high']:.1f})."
    )


def equalities_section(section: Section, ev: AssessmentEvidence, configured: str) -> None:
    section.add(Paragraph(configured))
    section.add(*survey_differences(ev))
    if ev.stop_search is not None and ev.stop_search.height:
        section.add(Paragraph(stop_search_sentence(ev)), stop_search_table(ev))
