"""The strategic assessment: the document model built from the evidence, once, for every format.

Sections follow the partnership's five-step method: executive summary, methodology, achievements,
each priority with its evidence, knowledge gaps, issues for consideration, the focus group, the
risk matrix, horizon scanning, the survey, and a data appendix with the table behind every chart.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from cspkit.analysis.scope import ALL_CRIME
from cspkit.analysis.wording import method_in_plain_words
from cspkit.priorities.voting import disagreements
from cspkit.report import charts, heatmap, summary
from cspkit.report.claims import unsourced_claims
from cspkit.report.document import (
    Bullets,
    Document,
    Figure,
    Paragraph,
    Section,
    Table,
    number,
    percent,
    sentence,
    table_from_frame,
)
from cspkit.report.evidence import AssessmentEvidence, Headline, IssueFigures, SurveyEvidence
from cspkit.report.glossary import add_glossary
from cspkit.report.partner_profiles import partner_section, substance_section
from cspkit.report.plain import spelled_out, with_plain_dates
from cspkit.report.profile import context_section, profile_section
from cspkit.report.spatial_change import emerging_figure
from cspkit.report.text import DocumentText, load_text, nation_values
from cspkit.survey.stats import ALPHA as SURVEY_ALPHA

STEP_NOT_RUN = "Step not run"


def figure(
    key: str, caption: str, chart: charts.Chart, notes: Sequence[str] = (), data: Table | None = None, annex: Table | None = None
) -> Figure:
    """A document figure from a chart; its data table goes to the appendix (and ``annex`` to the CSV files only)."""
    table = data or table_from_frame(key, f"Data for: {caption}", chart.data)
    return Figure(
        key=key, caption=caption, png=chart.png, alt_text=chart.alt_text, data=table, notes=tuple(notes), annex=annex
    )


#: How many neighbourhoods the printed table behind a map names; the CSV annex holds them all.
NEIGHBOURHOODS_SHOWN = 10
LSOA_HEADERS = {
    "place": "Neighbourhood (ward)",
    "lsoa21_code": "LSOA",
    "count": "Count",
    "rate_per_1000": "Rate per 1,000",
    "gi_z": "Gi* z",
    "hotspot": "Hot spot class",
}


def neighbourhood_tables(
    ev: AssessmentEvidence, figures: IssueFigures, published: pl.DataFrame, cols: list[str], notes: Sequence[str]
) -> tuple[Table, Table]:
    """The map's data for readers (the neighbourhoods with the highest rates, by name and ward) and
    for the CSV annex (every LSOA, with its code)."""
    named = published.with_columns(pl.col("lsoa21_code").map_elements(ev.place, return_dtype=pl.String).alias("place"))
    shown = [c for c in ("place", *cols) if c != "lsoa21_code"]
    data = table_from_frame(
        f"{figures.issue_id}_neighbourhoods",
        f"{figures.name}: the {NEIGHBOURHOODS_SHOWN} neighbourhoods with the highest rates, {ev.latest_period} "
        f"(every neighbourhood is in the CSV file {figures.issue_id}_lsoa.csv)",
        named.head(NEIGHBOURHOODS_SHOWN),
        headers={c: LSOA_HEADERS[c] for c in shown},
        formats={"gi_z": lambda v: number(v, 2)},
        notes=notes,
    )
    annex = table_from_frame(
        f"{figures.issue_id}_lsoa",
        f"{figures.name} by neighbourhood (LSOA), {ev.latest_period}",
        named,
        headers={c: LSOA_HEADERS[c] for c in (*cols, "place")},
        formats={"gi_z": lambda v: number(v, 2)},
        notes=notes,
    )
    return data, annex


def not_run(evidence: AssessmentEvidence, step: str, what: str) -> Paragraph:
    """The paragraph a document shows where a step did not run: never invented numbers."""
    result = evidence.step(step)
    reason = result.detail if result is not None and result.status != "done" else what
    return Paragraph(f"{STEP_NOT_RUN} ({step}): {reason.rstrip('.')}.", style="notice")


def document_text(evidence: AssessmentEvidence) -> DocumentText:
    """The documents' fixed wording, filled with this assessment's names, period and its nation's regulations."""
    gaps = len(evidence.decision.knowledge_gaps) if evidence.decision else 0
    decided = "priorities" + ("" if not gaps else " and knowledge gap" if gaps == 1 else " and knowledge gaps")
    values = {"csp": evidence.csp_name, "area": evidence.area_name, "period": evidence.period, "decided": decided}
    return load_text(values | nation_values(evidence.area_codes), evidence.committee.get("text_file"))


def build_assessment(evidence: AssessmentEvidence) -> Document:
    """The whole strategic assessment as one document model."""
    text = document_text(evidence)
    doc = Document(
        title=f"{evidence.csp_name} strategic assessment",
        subtitle=f"{evidence.area_name}, {evidence.period}",
        cover=[
            ("Partnership", evidence.csp_name),
            ("Area", f"{evidence.area_name} ({', '.join(evidence.area_codes)})"),
            ("Period", evidence.period),
            ("Prepared by", evidence.committee.get("author", "Community safety analyst")),
            ("Built with", "cspkit: every figure is footnoted to its source and can be rebuilt from it"),
        ],
        notice=evidence.synthetic_notice(),
        author=evidence.committee.get("author", ""),
    )
    _executive_summary(doc.section("Executive summary"), evidence, text)
    _methodology(doc.section("Introduction and methodology"), evidence, text)
    _limits(doc.section("Limits of the data"), text)
    if evidence.profile is not None:
        profile = doc.section("Area profile")
        profile_section(profile, evidence.profile, evidence.area_name, evidence.publishable)
        if evidence.rate_contexts:
            context_section(profile.sub("Force and national context"), evidence.rate_contexts, evidence.area_name)
    _achievements(doc.section("Achievements against the previous priorities"), evidence)
    _priorities(doc.section("Priorities"), evidence)
    _knowledge_gaps(doc.section("Knowledge gaps"), evidence)
    _considerations(doc.section("Issues for consideration"), evidence)
    _focus_group(doc.section("The partnership focus group"), evidence)
    _risk(doc.section("Risk matrix"), evidence)
    _horizon(doc.section("Horizon scanning"), evidence)
    _survey(doc.section("Residents' survey"), evidence)
    _partner_sections(doc, evidence)
    add_glossary(doc)
    _how_produced(doc, evidence)
    _appendix(doc, evidence)
    return with_plain_dates(doc)


def _executive_summary(section: Section, ev: AssessmentEvidence, text: DocumentText) -> None:
    """Key findings first (see :mod:`cspkit.report.summary`), then the headline figures."""
    if ev.decision is None:
        section.add(not_run(ev, "Decision", "no focus-group decision was recorded, so no priorities are stated"))
    summary.executive_summary(section, ev, text["assessment.summary_lead"])
    if ev.headlines:
        section.add(headline_table(ev))
    else:
        section.add(not_run(ev, "Analysis", "no headline figures"))


def headline_table(ev: AssessmentEvidence, key: str = "headline_figures") -> Table:
    """Recorded crime and ASB in the latest 12 months, as separate series, with rates."""
    return Table(
        key=key,
        caption=f"Headline figures, {ev.area_name}: {ev.latest_phrase}",
        columns=("Measure", ev.latest_heading),
        rows=tuple((h.label, headline_value(ev, h)) for h in ev.headlines),
        numeric=(False, True),
        notes=tuple(dict.fromkeys(h.provenance for h in ev.headlines)),
    )


def headline_value(ev: AssessmentEvidence, headline: Headline) -> str:
    """A headline count (suppressed like every other) with its rate; the rate is hidden with a hidden count."""
    count = ev.count(headline.count)
    if not count.replace(",", "").isdigit():
        return count
    return f"{count} ({headline.rate_per_1000:.1f} per 1,000 residents)"


def _methodology(section: Section, ev: AssessmentEvidence, text: DocumentText) -> None:
    section.sub("The partnership and its statutory duty").add(Paragraph(text["assessment.statutory_duty"]))
    steps = section.sub("The five steps")
    steps.add(
        Bullets(
            (
                text["steps.horizon"],
                text["steps.risk"],
                text["steps.survey"],
                text["steps.focus_group"],
                text["steps.assessment"],
            )
        )
    )
    if ev.shortlist_rule:
        steps.add(Paragraph(f"Evidence board and shortlist: {ev.shortlist_rule}"))
    for s in (s for s in ev.steps if s.status != "done"):
        steps.add(Paragraph(f"{STEP_NOT_RUN}: {s.step}. {sentence(s.detail)}", style="notice"))
    tested = section.sub("How change is tested")
    if not _change_tested(ev):  # the method of a test that never ran would read as if it had
        tested.add(Paragraph(f"No change was tested: {ev.period} is shorter than the two years a test of change compares."))
    else:
        tested.add(*(Paragraph(line) for line in method_in_plain_words(ev.alpha)))
    section.sub("Small numbers").add(Paragraph(ev.suppression_note))


def _limits(section: Section, text: DocumentText) -> None:
    """What police.uk, partner and survey data can and cannot show (the reader's caveats in one place)."""
    section.add(Paragraph(text["assessment.limits_lead"]), Bullets(tuple(text["assessment.limits"])))


def _how_produced(doc: Document, ev: AssessmentEvidence) -> None:
    """A short record of the run: each step, whether it ran and what it used (codes spelled out)."""
    doc.section("How this was produced").add(
        Paragraph(
            "cspkit ran these steps in order. Each figure in this document has a note naming its source, "
            "so it can be rebuilt from the same data."
        ),
        Table(
            key="steps_run",
            caption="The steps of this assessment and what each used",
            columns=("Step", "Status", "What it used or why it did not run"),
            rows=tuple((s.step, s.status, spelled_out(s.detail)) for s in ev.steps),
        ),
    )


def _achievements(section: Section, ev: AssessmentEvidence) -> None:
    if ev.previous is None:
        section.add(not_run(ev, "Decision", "no previous priorities file was given"))
        return
    section.add(Paragraph(f"The previous plan ({ev.previous.period}) had {len(ev.previous.priorities)} priorities."))
    for priority in ev.previous.priorities:
        sub = section.sub(f"Previous priority: {priority.title}")
        if priority.actions:
            sub.add(Paragraph("Actions taken:"), Bullets(priority.actions))
        if priority.achievements:
            sub.add(Paragraph("Key achievements:"), Bullets(priority.achievements))
        if ev.achievements is not None:
            rows = ev.achievements.filter(pl.col("priority") == priority.title)
            if rows.height:
                sub.add(
                    table_from_frame(
                        f"achievement_{_key(priority.title)}",
                        f"Measures of '{priority.title}': change over the period, tested by the analysis module",
                        ev.publishable(
                            rows.with_columns(
                                pl.col("change").map_elements(number, return_dtype=pl.String),
                                pl.col("change_pct").map_elements(percent, return_dtype=pl.String),
                            ),
                            ["before", "after"],
                            {"change": ("before", "after"), "change_pct": ("before", "after")},
                        ),
                        headers={
                            "measure": "Measure",
                            "before": "Before",
                            "after": "After",
                            "change": "Change",
                            "change_pct": "Change %",
                            "verdict": "Tested change",
                        },
                        notes=tuple(n for n in rows["provenance"].to_list() if n),
                    )
                )


def _key(text: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in text.lower()).strip("_")[:40]


def issue_figures(section: Section, ev: AssessmentEvidence, figures: IssueFigures) -> None:
    """The evidence charts and tables of one issue: trend, categories, peers, map, outcomes, repeats."""
    notes = figures.provenance
    for line in figures.sentences:
        section.add(Paragraph(line, notes=notes[:1]))
    monthly = figures.monthly
    section.add(
        figure(
            f"{figures.issue_id}_trend",
            f"{figures.name}: {figures.unit} per month with the 12-month rolling mean, {ev.area_name}",
            charts.trend_chart(
                f"{figures.name} trend",
                monthly["month"].to_list(),
                monthly["count"].to_list(),
                monthly["rolling_12_month_mean"].to_list(),
                figures.unit,
                ev.threshold,
            ),
            notes,
            data=table_from_frame(
                f"{figures.issue_id}_trend",
                f"{figures.name}: {figures.unit} per month and 12-month rolling mean",
                ev.publishable(monthly, ["count"], pooled=["rolling_12_month_mean"]),
                headers={"month": "Month", "count": "Count", "rolling_12_month_mean": "12-month rolling mean"},
                formats={"month": lambda m: m.strftime("%Y-%m")},
                notes=notes,
            ),
        )
    )
    if figures.categories is not None and figures.categories.height:
        section.add(
            table_from_frame(
                f"{figures.issue_id}_categories",
                f"{figures.name} by category (all recorded crime for context): the latest 12 months against the previous 12",
                ev.publishable(figures.categories, ["previous_12", "latest_12"], total_row=_total_row(figures.categories)),
                headers={"category": "Category", "previous_12": "Previous 12 months", "latest_12": "Latest 12 months"},
                notes=notes,
            )
        )
    if figures.peers is not None and figures.peers.height:
        peers = figures.peers
        ranked = peers["area"].to_list()
        rank = ""
        if figures.focus_area in ranked:
            position = ranked.index(figures.focus_area) + 1
            rank = f", where {figures.focus_area} ranks {position} of {len(ranked)} (1 = highest rate)"
        caption = f"{figures.name}: rate per 1,000 residents, {figures.peers_period}, {ev.area_name} and comparable areas{rank}"
        chart = charts.bar_chart(
            f"{figures.name} peer rates",
            peers["area"].to_list(),
            peers["rate_per_1000"].to_list(),
            "rate per 1,000 residents",
            highlight=figures.focus_area,
        )
        data = table_from_frame(
            f"{figures.issue_id}_peers", f"Data for: {caption}", chart.data,
            headers={"label": "Area", "value": "Rate per 1,000 residents", "rank": "Rank (1 = highest rate)"},
            formats={"value": lambda v: number(v, 2)},
        )
        section.add(figure(f"{figures.issue_id}_peers", caption, chart, notes, data=data))
    if figures.lsoa is not None and figures.lsoa.height and ev.boundaries:
        lsoa = figures.lsoa
        cols = [c for c in ("lsoa21_code", "count", "rate_per_1000", "gi_z", "hotspot") if c in lsoa.columns]
        published = ev.publishable(
            lsoa.select(cols).sort("rate_per_1000", descending=True, nulls_last=True),
            ["count"],
            {"rate_per_1000": "count"},
            pooled=["gi_z", "p_value", "q_value"],  # computed from every LSOA's count, not only the row's
            ranked=True,
        )
        if "hotspot" in lsoa.columns and lsoa["hotspot"].drop_nulls().len():
            chart = charts.hotspot_map(
                f"{figures.name} hot spots",
                ev.boundaries,
                dict(zip(lsoa["lsoa21_code"], lsoa["hotspot"], strict=True)),
                dict(zip(lsoa["lsoa21_code"], lsoa["gi_z"], strict=True)),
                ev.wards,
            )
            caption = f"{figures.name}: Getis-Ord Gi* hot and cold spots by neighbourhood (LSOA), {ev.latest_period}"
        else:
            chart = charts.choropleth(
                f"{figures.name} map",
                ev.boundaries,
                dict(zip(published["lsoa21_code"], [_shown(v) for v in published["rate_per_1000"]], strict=True)),
                "rate per 1,000 residents",
                ev.wards,
            )
            caption = (
                f"{figures.name}: rate per 1,000 residents by neighbourhood (LSOA), {ev.latest_period} "
                "(neighbourhoods with a hidden small count are left grey)"
            )
        data, annex = neighbourhood_tables(ev, figures, published, cols, notes)
        section.add(figure(f"{figures.issue_id}_map", caption, chart, notes, data=data, annex=annex))
    if figures.emerging is not None and ev.boundaries:
        caption, chart, data = emerging_figure(figures, ev.boundaries, notes, ev.wards)
        section.add(figure(f"{figures.issue_id}_emerging_map", caption, chart, notes, data=data))
    if figures.outcomes is not None and figures.outcomes.height:
        section.add(
            Paragraph(
                "What happened after the crime, as police.uk records it. Outcomes are recorded months after the "
                "crime, so the latest months look less resolved than they will be.",
                notes=notes[-1:],
            ),
            table_from_frame(
                f"{figures.issue_id}_outcomes",
                f"{figures.name}: outcomes of the {figures.unit} recorded from {ev.period}",
                ev.publishable(figures.outcomes, ["count"], {"share_pct": "count"}, total_row=-1),
                headers={"outcome": "Outcome", "count": "Crimes", "share_pct": "Share %"},
                formats={"share_pct": lambda v: number(v, 1)},
                notes=notes[-1:],
            ),
        )
    for line in figures.not_shown:
        section.add(Paragraph(line, style="notice"))
    if figures.repeats:
        section.add(Paragraph("Repeat victimisation and repeat locations:"), Bullets(figures.repeats, notes=notes[:1]))


def _total_row(categories: pl.DataFrame) -> int | None:
    """The index of the "All crime" context row when it is the total of the categories shown (an issue
    measured by every crime category), so that suppression protects a small category from subtraction."""
    is_total = categories["category"] == ALL_CRIME
    if is_total.sum() != 1:
        return None
    parts, total = categories.filter(~is_total), categories.filter(is_total)
    adds_up = any(parts[c].sum() == total[c][0] for c in ("previous_12", "latest_12"))
    return int(is_total.arg_true()[0]) if adds_up else None


def _shown(value: str | None) -> float | None:
    """A published rate as a number; None where suppression hid it."""
    try:
        return float(str(value).replace(",", ""))
    except ValueError:
        return None


def _survey_view(ev: AssessmentEvidence, issue_id: str) -> Paragraph | None:
    if ev.survey is None:
        return None
    rows = ev.survey.concerns.filter(pl.col("issue_id") == issue_id)
    if not rows.height:
        return Paragraph("Residents were not asked about this issue directly in the survey.")
    r = rows.row(0, named=True)
    synthetic = " (synthetic survey)" if ev.survey.synthetic else ""
    return Paragraph(
        f"Residents' view{synthetic}: {r['share_pct']:.0f}% of respondents (95% interval {r['ci_low']:.0f}% to "
        f"{r['ci_high']:.0f}%, weighted) named {r['concern'].lower()} among their main concerns, rank {r['rank']} "
        f"of {ev.survey.concerns.height} concerns.",
        notes=(ev.survey.provenance,),
    )


def _priorities(section: Section, ev: AssessmentEvidence) -> None:
    if ev.decision is None:
        section.add(not_run(ev, "Decision", "the priorities are set by the focus group's decision file"))
        _shortlist_evidence(section, ev)
        return
    section.add(Paragraph(f"The partnership agreed these priorities at the {ev.decision.meeting} on {ev.decision.date}."))
    for priority in ev.decision.priorities:
        sub = section.sub(f"Priority: {priority.title}")
        sub.add(Paragraph(f"Why the partnership chose it: {priority.rationale}"))
        _measured_by(sub, ev, priority.issue_id)
        _board_line(sub, ev, priority.issue_id)
        figures = ev.issues.get(priority.issue_id)
        if figures is not None:
            issue_figures(sub, ev, figures)
        else:
            sub.add(
                Paragraph(
                    "No recorded crime or partner data in the warehouse measure this issue, "
                    "so its evidence is the risk matrix and the survey."
                )
            )
        view = _survey_view(ev, priority.issue_id)
        if view is not None:
            sub.add(view)


def _shortlist_evidence(section: Section, ev: AssessmentEvidence) -> None:
    """Before the focus group decides, the evidence of each issue the board suggests, for it to weigh."""
    if ev.shortlist is None or not ev.issues:
        return
    section.add(Paragraph("Until the partnership decides, these are the figures of the issues the evidence board "
                          "suggests (the suggested shortlist), for the focus group to weigh."))
    for row in ev.shortlist.iter_rows(named=True):
        sub = section.sub(f"Suggested {row['suggestion']}: {row['issue']}")
        sub.add(Paragraph(f"Why the board suggests it: {row['reason'].rstrip('.')}."))
        _measured_by(sub, ev, row["issue_id"])
        figures = ev.issues.get(row["issue_id"])
        if figures is not None:
            issue_figures(sub, ev, figures)
        view = _survey_view(ev, row["issue_id"])
        if view is not None:
            sub.add(view)


def _measured_by(section: Section, ev: AssessmentEvidence, issue_id: str) -> None:
    measure = ev.measures.get(issue_id)
    if measure is not None:
        section.add(Paragraph(f"Measured by {measure.label()}."))


def _board_line(section: Section, ev: AssessmentEvidence, issue_id: str) -> None:
    if ev.board is None:
        return
    rows = ev.board.filter(pl.col("issue_id") == issue_id)
    if not rows.height:
        return
    r = rows.row(0, named=True)
    parts = []
    if r["risk_rank"] is not None:
        parts.append(f"risk matrix rank {r['risk_rank']} (score {number(r['risk_score'], 1)})")
    if r["volume_12m"] is not None:
        parts.append(f"{ev.count(r['volume_12m'])} in {ev.latest_phrase}")
    if r["rate_per_1000"] is not None:
        parts.append(f"{r['rate_per_1000']:.2f} per 1,000 residents")
    if r["concern_rank"] is not None:
        parts.append(f"residents' concern rank {r['concern_rank']}")
    if r["horizon"]:
        parts.append(f"horizon scanning: {r['horizon']}")
    if parts:
        section.add(Paragraph("On the evidence board: " + "; ".join(parts) + "."))


def _knowledge_gaps(section: Section, ev: AssessmentEvidence) -> None:
    if ev.decision is None:
        section.add(not_run(ev, "Decision", "knowledge gaps are set by the focus group's decision file"))
        return
    if not ev.decision.knowledge_gaps:
        section.add(Paragraph("The partnership recorded no knowledge gap."))
    for gap in ev.decision.knowledge_gaps:
        sub = section.sub(f"Knowledge gap: {gap.title}")
        sub.add(
            Paragraph(f"What is unknown: {gap.rationale}"),
            Paragraph(f"How the partnership will learn it: {gap.how_we_will_learn}"),
        )
        _measured_by(sub, ev, gap.issue_id)
        _board_line(sub, ev, gap.issue_id)
        view = _survey_view(ev, gap.issue_id)
        if view is not None:
            sub.add(view)


def _considerations(section: Section, ev: AssessmentEvidence) -> None:
    if ev.decision is None or not ev.decision.considerations:
        section.add(Paragraph("No issues were recorded for consideration."))
        return
    section.add(
        Paragraph("These issues are watched but not prioritised:"),
        Table(
            key="issues_for_consideration",
            caption="Issues for consideration and why they are watched",
            columns=("Issue", "Reason"),
            rows=tuple((c.title, c.reason) for c in ev.decision.considerations),
        ),
    )


def _focus_group(section: Section, ev: AssessmentEvidence) -> None:
    if ev.board is not None:
        section.sub("Evidence board").add(
            Paragraph("Each candidate issue's evidence side by side, as the focus group saw it."),
            table_from_frame(
                "evidence_board",
                "Evidence board: risk, volume, tested change, residents' concern and knowledge-gap class",
                ev.publishable(
                    _marked_changes(ev.board),
                    ["volume_12m"],
                    {"rate_per_1000": "volume_12m", "change_1y_pct": "volume_12m", "change_3y_pct": "volume_12m"},
                ),
                headers={
                    "issue": "Issue",
                    "risk_rank": "Risk rank",
                    "risk_score": "Risk score",
                    "harm": "Harm",
                    "volume_12m": ev.latest_heading,
                    "rate_per_1000": "Rate per 1,000",
                    "change_1y_pct": "Change, 1 year",
                    "change_3y_pct": "Change, 3 years",
                    "concern_rank": "Concern rank",
                    "knowledge_gap_class": "Class",
                },
                formats={"risk_score": lambda v: number(v, 1), "harm": lambda v: number(v, 0)},
                notes=(_board_note(ev),),
            ),
        )
    else:
        section.add(not_run(ev, "Evidence board", "no evidence board"))
    if ev.shortlist is not None and not ev.shortlist.height:  # an empty table reads as a failure to print it
        section.sub("Suggested shortlist").add(
            Paragraph(ev.shortlist_rule),
            Paragraph("No issue meets the rule" + ("." if ev.risk else ": it needs the risk matrix, which was not run.")),
        )
    elif ev.shortlist is not None:
        section.sub("Suggested shortlist").add(
            Paragraph(ev.shortlist_rule),
            table_from_frame(
                "suggested_shortlist",
                "Suggested shortlist and the reason the rule gives",
                ev.shortlist,
                headers={"issue": "Issue", "suggestion": "Suggestion", "risk_rank": "Risk rank", "reason": "Reason"},
            ),
        )
    votes = section.sub("The vote")
    if ev.votes is None:
        votes.add(not_run(ev, "Decision", "no ballots"))
    else:
        v = ev.votes
        synthetic = " The ballots are synthetic." if ev.votes_synthetic else ""
        table = v.table.with_columns(pl.col("issue").map_elements(ev.name_of, return_dtype=pl.String))
        votes.add(
            Paragraph(
                f"{v.ballots_counted} ranked ballots were cast, one per {v.unit}, and counted two ways: the Borda count "
                "(with n issues, first place earns n-1 points, last 0; unranked issues share the points left) and the Schulze "
                f"method (the issue that beats each other in head-to-head comparison along the strongest paths).{synthetic}"
            ),
            table_from_frame(
                "vote_count",
                "Focus-group vote: Borda points and Schulze ranking",
                table,
                headers={
                    "issue": "Issue",
                    "borda_points": "Borda points",
                    "borda_rank": "Borda rank",
                    "schulze_wins": "Schulze wins",
                    "schulze_rank": "Schulze rank",
                },
                formats={"borda_points": lambda x: number(x, 1)},
            ),
        )
        if v.condorcet_winner:
            votes.add(
                Paragraph(
                    f"{ev.name_of(v.condorcet_winner)} is the Condorcet winner: "
                    "preferred to every other issue by a majority of ballots."
                )
            )
        if v.disagreements:
            votes.add(Paragraph("Where the two methods disagree:"), Bullets(disagreements(table)))
        else:
            votes.add(Paragraph("The Borda count and the Schulze method agree on every rank."))
    if ev.decision is not None:
        section.sub("The decision").add(
            Paragraph(
                f"At the {ev.decision.meeting} on {ev.decision.date} the partnership agreed "
                f"{', '.join(p.title for p in ev.decision.priorities)} as priorities"
                + (
                    f" and {', '.join(g.title for g in ev.decision.knowledge_gaps)} as "
                    + ("knowledge gaps" if len(ev.decision.knowledge_gaps) > 1 else "a knowledge gap")
                    if ev.decision.knowledge_gaps
                    else ""
                )
                + ". The vote informed that decision; the reasons are recorded with each priority."
            ),
            *(Paragraph(f"Claim without data: {p}.", style="notice") for p in unsourced_claims(ev)),
        )


def _change_tested(ev: AssessmentEvidence) -> bool:
    """Any change was tested: the analysis' change table, or a change on the evidence board."""
    return ev.changes is not None or (ev.board is not None and ev.board["change_1y_pct"].drop_nulls().len() > 0)


def _board_note(ev: AssessmentEvidence) -> str:
    """How the board's change and harm columns were computed; no test described where none was run."""
    tested = _change_tested(ev)
    change = (
        "Change: the latest 12 months against the previous 12 (1 year) and against the first year of the period "
        "(3 years); (s) marks a change that is statistically significant once the issues on the board are "
        "allowed for together (q-value below the significance level; see 'How change is tested')."
        if tested
        else f"Change: not tested, as {ev.period} is shorter than the two years a test of change compares."
    )
    return f"{change} Harm: the analysis module's crime harm index for {ev.latest_phrase}."


def _marked_changes(board: pl.DataFrame) -> pl.DataFrame:
    """The board's changes as text, "(s)" beside those the analysis module's test found significant."""

    def mark(pct: str, significant: str) -> pl.Expr:
        shown = pl.col(pct).map_elements(percent, return_dtype=pl.String)
        return (
            pl.when(pl.col(pct).is_null())
            .then(pl.lit("–"))
            .when(pl.col(significant))
            .then(shown + " (s)")
            .otherwise(shown)
            .alias(pct)
        )

    return board.with_columns(
        mark("change_1y_pct", "change_1y_significant"),
        mark("change_3y_pct", "change_3y_significant"),
        pl.col("rate_per_1000").round(2),
    )


def _risk(section: Section, ev: AssessmentEvidence) -> None:
    if ev.risk is None:
        section.add(not_run(ev, "Risk matrix", "no risk matrix results"))
        return
    r = ev.risk
    synthetic = " The scores are synthetic, made up to demonstrate the method." if r.synthetic else ""
    section.add(Paragraph(f"{r.method} Scored by {r.scorers} scorers across the partnership.{synthetic}", notes=(r.provenance,)))
    section.add(
        table_from_frame(
            "risk_matrix",
            "Risk matrix: issues ranked by risk score",
            r.table,
            headers={
                "rank": "Rank",
                "issue": "Issue",
                "risk_score": "Risk score",
                "harm": "Harm",
                "likelihood": "Likelihood",
                "volume": "Volume",
                "organisational_position": "Organisational position",
                "confidence": "Confidence",
                "spread": "Spread",
                "discuss": "Discuss",
                "knowledge_gap_class": "Class",
            },
            formats={"discuss": lambda d: "yes" if d else ""},
            notes=(r.provenance,),
        )
    )
    if ev.measures:
        section.add(
            Paragraph(
                "What measures each issue. Where the data only stand in for the issue, the table says proxy; where two "
                "issues use the same figures, it says so."
            ),
            Table(
                key="issue_measures",
                caption="The data behind each issue of the risk matrix",
                columns=("Issue", "Measured by"),
                rows=tuple((ev.name_of(i), ev.measures[i].label()) for i in r.table["issue_id"].to_list() if i in ev.measures),
            ),
        )
    heat = heatmap.risk_heat_map("Risk heat map", r.heat, r.row_label, r.column_label)
    section.add(
        figure(
            "risk_heat_map",
            f"Risk heat map: {r.row_label} against {r.column_label}; each number is an issue in the key below",
            heat,
            (r.provenance,),
        ),
        Table(
            key="risk_heat_map_key",
            caption="Key to the risk heat map",
            columns=("Number", "Issue"),
            rows=tuple((str(n), issue) for n, issue in heat.data.select("number", "issue").iter_rows()),
            numeric=(True, False),
        ),
    )


def _horizon(section: Section, ev: AssessmentEvidence) -> None:
    if ev.horizon is None:
        section.add(not_run(ev, "Horizon scanning", "no horizon-scanning register"))
        return
    h = ev.horizon
    synthetic = " The register entries are synthetic, made up to demonstrate the method." if h.synthetic else ""
    section.add(
        Paragraph(f"Entries grouped by PESTELO category and sorted by likelihood times impact.{synthetic}", notes=(h.provenance,))
    )
    for category in h.table["category"].unique(maintain_order=True).to_list():
        rows = h.table.filter(pl.col("category") == category)
        if "linked_issues" in rows.columns:
            rows = rows.with_columns(
                pl.col("linked_issues").map_elements(
                    lambda ids: ", ".join(ev.name_of(i.strip()) for i in ids.split(",") if i.strip()), return_dtype=pl.String
                )
            )
        section.sub(category.capitalize()).add(
            table_from_frame(
                f"horizon_{_key(category)}",
                f"Horizon scanning: {category}",
                rows,
                headers={
                    "title": "Development",
                    "description": "Description",
                    "horizon_months": "Horizon (months)",
                    "likelihood": "Likelihood",
                    "impact": "Impact",
                    "score": "Score",
                    "scope": "Local or national",
                    "linked_issues": "Linked issues",
                },
                notes=(h.provenance,),
            )
        )


def _survey(section: Section, ev: AssessmentEvidence) -> None:
    if ev.survey is None:
        section.add(not_run(ev, "Survey", "no survey responses"))
        return
    s = ev.survey
    synthetic = " The responses are synthetic, generated to demonstrate the method." if s.synthetic else ""
    section.add(Paragraph(f"{s.responses:,} residents responded.{synthetic} {s.weighting}", notes=(s.provenance,)))
    for line in s.headline:
        section.add(Paragraph(line, notes=(s.provenance,)))
    concerns = s.concerns.sort("rank")
    section.add(
        figure(
            "survey_concerns",
            "Residents' main concerns: weighted share naming each, with 95% intervals",
            charts.bar_chart(
                "Residents' concerns",
                concerns["concern"].to_list(),
                concerns["share_pct"].to_list(),
                "% of respondents (weighted)",
                errors=list(zip(concerns["ci_low"].to_list(), concerns["ci_high"].to_list(), strict=True)),
            ),
            (s.provenance,),
            data=table_from_frame(
                "survey_concerns",
                "Residents' concerns, weighted share with 95% interval",
                concerns,
                headers={
                    "rank": "Rank",
                    "concern": "Concern",
                    "share_pct": "Share %",
                    "ci_low": "95% low",
                    "ci_high": "95% high",
                },
                formats={c: lambda v: number(v, 1) for c in ("share_pct", "ci_low", "ci_high")},
                notes=(s.provenance,),
            ),
        )
    )
    section.sub("Findings with margins of error").add(
        table_from_frame(
            "survey_estimates",
            "Survey estimates: weighted and unweighted percentages with 95% intervals",
            s.estimates,
            headers={
                "question": "Question",
                "answer": "Answer",
                "weighted_pct": "Weighted %",
                "ci_low": "95% low",
                "ci_high": "95% high",
                "unweighted_pct": "Unweighted %",
                "base": "Base (n)",
                "base_note": "Base note",
            },
            formats={
                "weighted_pct": lambda v: number(v, 1),
                "ci_low": lambda v: number(v, 1),
                "ci_high": lambda v: number(v, 1),
                "unweighted_pct": lambda v: number(v, 1),
            },
            notes=(s.provenance,),
        )
    )
    if s.differences is not None:
        _survey_differences(section.sub("Differences between areas and groups"), s)
    if s.themes is not None and s.themes.height:
        section.sub("What residents wrote").add(
            table_from_frame(
                "survey_themes",
                "Themes in residents' free-text answers, largest share first (quotes redacted of personal data)",
                s.themes,
                headers={"theme": "Theme", "share_pct": "Share %", "quotes": "Example quotes"},
                formats={"share_pct": lambda v: number(v, 1)},
                notes=(s.provenance,),
            )
        )


def _survey_differences(section: Section, s: SurveyEvidence) -> None:
    """Only differences a test supports are listed; the sentence says how they were tested."""
    method = (
        "Each group (an area, an age band, a sex) is compared with everyone else who answered, on the headline "
        "measure of each question, by a two-proportion test on effective sample sizes; p-values are adjusted "
        "(Holm) across the groups of each breakdown, so a long list of wards does not find a difference by chance. "
        "Groups with too few answers are not compared."
    )
    if not s.differences.height:
        section.add(Paragraph(f"No group's answers differ from everyone else's by more than chance. {method}",
                              notes=(s.provenance,)))
        return
    section.add(Paragraph(f"{s.differences.height} differences are larger than chance would explain (adjusted p below "
                          f"{SURVEY_ALPHA:g}), strongest evidence first. {method}", notes=(s.provenance,)))
    shown = s.differences.select(
        pl.concat_str("breakdown", pl.lit(": "), "group").alias("group"),
        pl.concat_str("question", pl.lit(" ("), pl.col("measure").str.to_lowercase(), pl.lit(")")).alias("question"),
        pl.format("{} ({} to {})", *(pl.col(c).round(1) for c in ("group_pct", "ci_low", "ci_high"))).alias("group_pct"),
        "rest_pct",
        "difference",
        pl.concat_str("base", pl.when(pl.col("base_note") != "").then(pl.format(" ({})", "base_note")), ignore_nulls=True),
    )
    section.add(
        table_from_frame(
            "survey_differences",
            "Groups whose answers differ from everyone else's: weighted %, 95% interval, difference in points",
            shown,
            headers={
                "group": "Group", "question": "Question (measure)", "group_pct": "Group % (95% interval)",
                "rest_pct": "Everyone else %", "difference": "Difference", "base": "Base (n)",
            },
            formats={"rest_pct": lambda v: number(v, 1), "difference": lambda v: f"{v:+.1f}"},
            notes=(s.provenance,),
        )
    )


def _partner_sections(doc: Document, ev: AssessmentEvidence) -> None:
    """Substance misuse (from the sources the register names for it) and who the other partner sources describe."""
    substance = [p for s, p in ev.partner_profiles.items() if s in ev.substance_sources]
    others = [p for s, p in ev.partner_profiles.items() if s not in ev.substance_sources]
    substance_section(doc.section("Substance misuse"), substance, ev.count, ev.publishable)
    if others:
        partner_section(doc.section("Victims and people supported: partner data"), others, ev.count, ev.publishable)


def _appendix(doc: Document, ev: AssessmentEvidence) -> None:
    """The tables behind every chart, so every plotted number can be read and checked."""
    appendix = doc.section("Data appendix")
    if not doc.figures():  # "the tables behind every chart" over nothing reads as a table lost in printing
        appendix.add(Paragraph(
            "This document has no charts: trend charts and maps are drawn for each agreed priority (before a decision, "
            "for each issue the evidence board suggests), and "
            + ("none was agreed or suggested." if ev.decision is None or not ev.decision.priorities
               else "no priority had data to draw.")
            + " The tables of the document are written as CSV files beside it."
        ))
        return
    appendix.add(
        Paragraph("The tables behind every chart in this document. The same tables are written as CSV files beside the document.")
    )
    for fig in doc.figures():
        appendix.add(fig.data)


def data_tables(doc: Document) -> list[Table]:
    """Every table of the document (charts' data included), for CSV export, unique by key."""
    seen: dict[str, Table] = {}
    for table in doc.tables():
        seen.setdefault(table.key, table)
    return list(seen.values())
