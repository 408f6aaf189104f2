"""Key findings first: the executive summary and each priority's case, in plain words from the tables.

Every sentence here is written from a row of a table that the summary itself prints (or the evidence
board), so each number a reader meets can be found in a table cell. The order is the order of
importance: the changes that pass the test (largest first) and the large ones that do not, said as
such; the places that stand out; what residents worry about and whether the data bear it out; the
priorities and knowledge gaps with the reasons each was chosen.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from cspkit.analysis.scope import ALL_CRIME, ASB
from cspkit.report.document import Paragraph, Section, Table
from cspkit.report.evidence import AssessmentEvidence

#: A change that fails the test is still reported when it is at least this large (per cent) ...
LARGE_PCT = 20.0
#: ... and involves at least this many incidents a year (smaller ones are too noisy to mention).
LARGE_COUNT = 20
#: How many categories, places and concerns the summary names.
TOP = 5
#: How many changes the summary writes out as sentences (recorded crime and ASB first); the table holds the rest.
SENTENCES = 7
ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")


def ordinal(rank: int) -> str:
    return ORDINALS[rank - 1] if 1 <= rank <= len(ORDINALS) else f"number {rank}"


def pct(value: float | None) -> str:
    return "–" if value is None else f"{value:+.1f}%"


def real(significant: bool | None) -> str:
    return "–" if significant is None else ("yes" if significant else "no")


@dataclass(frozen=True)
class Change:
    """One measure's tested change over one span ("one year" or "three years")."""

    span: str
    before: int | None
    after: int | None
    pct: float | None
    significant: bool

    def phrase(self, span: bool = True) -> str:
        """E.g. 'rose by 17.2% over three years, a real change' (the numbers are the table's)."""
        over = f" over {self.span}" if span else ""
        if self.pct is None or self.pct == 0:
            return f"did not change{over}"
        direction = "rose" if self.pct > 0 else "fell"
        verdict = "a real change" if self.significant else "but the test cannot rule out normal ups and downs"
        return f"{direction} by {abs(self.pct):.1f}%{over}, {verdict}"


def strongest(changes: list[Change]) -> Change | None:
    """The change that best shows where the measure is going: a real change before one that fails
    the test, the longer span before the shorter. Never only the weakest test of several."""
    tested = [c for c in changes if c.pct is not None]
    if not tested:
        return None
    return sorted(tested, key=lambda c: (not c.significant, c.span != "three years"))[0]


# --- What changed -------------------------------------------------------------------------------------------


def category_changes(ev: AssessmentEvidence) -> pl.DataFrame | None:
    """One row per police.uk category: counts a year and the one-year and three-year tested changes."""
    if ev.changes is None or not ev.changes.height:
        return None
    comparisons = ev.changes["comparison"].unique(maintain_order=True).to_list()
    one = ev.changes.filter(pl.col("comparison") == comparisons[0]).select(
        "crime_type",
        pl.col("previous_count").alias("previous_year"),
        pl.col("latest_count").alias("latest_year"),
        pl.col("pct_change").alias("pct_1y"),
        pl.col("significant").alias("real_1y"),
    )
    if len(comparisons) > 1:
        three = ev.changes.filter(pl.col("comparison") == comparisons[1]).select(
            "crime_type",
            pl.col("previous_count").alias("first_year"),
            pl.col("pct_change").alias("pct_3y"),
            pl.col("significant").alias("real_3y"),
        )
        one = one.join(three, on="crime_type", how="left")
    else:
        one = one.with_columns(
            pl.lit(None, pl.Int64).alias("first_year"),
            pl.lit(None, pl.Float64).alias("pct_3y"),
            pl.lit(None, pl.Boolean).alias("real_3y"),
        )
    return one


def _changes_of(row: dict) -> list[Change]:
    out = []
    if row.get("pct_3y") is not None:
        out.append(Change("three years", row["first_year"], row["latest_year"], row["pct_3y"], bool(row["real_3y"])))
    if row.get("pct_1y") is not None:
        out.append(Change("one year", row["previous_year"], row["latest_year"], row["pct_1y"], bool(row["real_1y"])))
    return out


def notable_changes(ev: AssessmentEvidence) -> pl.DataFrame | None:
    """The categories worth a sentence, most important first: real changes by size, then large
    changes that fail the test. Recorded crime as a whole and ASB are always shown."""
    table = category_changes(ev)
    if table is None:
        return None
    rows = []
    for row in table.iter_rows(named=True):
        best = strongest(_changes_of(row))
        if best is None:
            continue
        size = abs((best.after or 0) - (best.before or 0))
        large = abs(best.pct or 0) >= LARGE_PCT and size >= LARGE_COUNT
        always = row["crime_type"] in (ALL_CRIME, ASB)
        if best.significant or large or always:
            rows.append(row | {"_order": (row["crime_type"] not in (ALL_CRIME, ASB), not best.significant, -size)})
    rows.sort(key=lambda r: r["_order"])
    return pl.DataFrame([{k: v for k, v in r.items() if k != "_order"} for r in rows], schema=table.schema)


def _label(category: str) -> str:
    return {ALL_CRIME: "Recorded crime (excluding ASB)", ASB: "Anti-social behaviour incidents"}.get(category, category)


def _years(ev: AssessmentEvidence) -> tuple[str, str, str]:
    """Headings for the three 12-month years the change table compares (first, previous, latest): "Year to 2022-04"."""
    comparisons = ev.changes.unique("comparison", maintain_order=True)
    one = comparisons.row(0, named=True)
    first = comparisons.row(1, named=True)["previous_period"] if comparisons.height > 1 else ""

    def heading(label: str) -> str:
        return f"Year to {label.split(' to ')[-1]}"

    return heading(first), heading(one["previous_period"]), heading(one["latest_period"])


def changes_table(ev: AssessmentEvidence, notable: pl.DataFrame) -> Table:
    three = notable["pct_3y"].is_not_null().any()
    first, previous, latest = _years(ev)
    columns = ["Measure", *([first] if three else []), previous, latest]
    if three:
        columns += ["Change, 3 years", "Real, 3 years"]
    columns += ["Change, 1 year", "Real, 1 year"]
    rows = []
    for r in notable.iter_rows(named=True):
        row = [_label(r["crime_type"]), *([ev.count(r["first_year"])] if three else []), ev.count(r["previous_year"]),
               ev.count(r["latest_year"])]
        if three:
            row += [pct(r["pct_3y"]), real(r["real_3y"])]
        row += [pct(r["pct_1y"]), real(r["real_1y"])]
        rows.append(tuple(row))
    return Table(
        key="key_changes",
        caption="What changed: recorded crime by police.uk category in each 12-month year of the period, "
        "and whether each change passes the test",
        columns=tuple(columns),
        rows=tuple(rows),
        numeric=(False, *((True,) if three else ()), True, True, *((True, False) if three else ()), True, False),
        notes=tuple(dict.fromkeys(h.provenance for h in ev.headlines)),
    )


def change_sentence(ev: AssessmentEvidence, row: dict) -> str:
    best = strongest(_changes_of(row))
    name = _label(row["crime_type"])
    text = f"{name} {best.phrase()}"
    before, after = ev.count(best.before), ev.count(best.after)
    if before.replace(",", "").isdigit() and after.replace(",", "").isdigit():
        text += f" (from {before} to {after} a year)"
    others = [c for c in _changes_of(row) if c is not best and c.significant != best.significant]
    if others:
        text += f". Over {others[0].span} it {others[0].phrase(span=False)}"
    return text + "."


# --- Places -------------------------------------------------------------------------------------------------


def hot_places(ev: AssessmentEvidence) -> tuple[pl.DataFrame | None, bool]:
    """The strongest hot spots of all recorded incidents; when no neighbourhood passes the hot-spot
    test, the busiest neighbourhoods instead (and False, so the text says no cluster passed)."""
    if ev.hotspots is None or "classification" not in ev.hotspots.columns:
        return None, False
    hot = ev.hotspots.filter(pl.col("classification") == "hot spot").sort("gi_z", descending=True)
    if hot.height:
        return hot.head(TOP), True
    return ev.hotspots.sort("count", descending=True).head(TOP), False


def places_table(ev: AssessmentEvidence, hot: pl.DataFrame, tested: bool) -> Table:
    what = "the strongest hot spots" if tested else "the neighbourhoods with the most incidents"
    return Table(
        key="places_that_stand_out",
        caption=f"Places that stand out: {what} of recorded crime and ASB together, {ev.period}",
        columns=("Neighbourhood (ward)", "Crimes and ASB incidents"),
        rows=tuple((ev.place(r["lsoa21_code"]), ev.count(r["count"])) for r in hot.iter_rows(named=True)),
        numeric=(False, True),
    )


# --- Residents ----------------------------------------------------------------------------------------------


def _board_row(ev: AssessmentEvidence, issue_id: str | None) -> dict | None:
    if ev.board is None or issue_id is None:
        return None
    rows = ev.board.filter(pl.col("issue_id") == issue_id)
    return rows.row(0, named=True) if rows.height else None


def issue_changes(ev: AssessmentEvidence, issue_id: str) -> list[Change]:
    """The issue's tested changes from the evidence board (its own police.uk or partner series)."""
    row = _board_row(ev, issue_id)
    if row is None:
        return []
    out = []
    if row["change_3y_pct"] is not None:
        out.append(Change("three years", None, None, row["change_3y_pct"], bool(row["change_3y_significant"])))
    if row["change_1y_pct"] is not None:
        out.append(Change("one year", None, None, row["change_1y_pct"], bool(row["change_1y_significant"])))
    return out


def concerns_table(ev: AssessmentEvidence) -> Table:
    rows = []
    for r in ev.survey.concerns.sort("rank").head(TOP).iter_rows(named=True):
        measure = ev.measures.get(r["issue_id"]) if r["issue_id"] else None
        best = strongest(issue_changes(ev, r["issue_id"])) if r["issue_id"] else None
        rows.append((
            str(r["rank"]),
            r["concern"],
            f"{r['share_pct']:.0f}%",
            measure.label() if measure is not None else "no local data",
            f"{pct(best.pct)} over {best.span}" if best else "–",
            real(best.significant) if best else "–",
        ))
    return Table(
        key="residents_top_concerns",
        caption="What residents worry about most (weighted share naming each) and what the data show for it",
        columns=("Rank", "Concern", "Share", "Measured by", "Change in the data", "Real change"),
        rows=tuple(rows),
        numeric=(True, False, True, False, True, False),
        notes=(ev.survey.provenance,),
    )


def concern_sentences(ev: AssessmentEvidence) -> list[str]:
    top = ev.survey.concerns.sort("rank").head(3).to_dicts()
    if not top:
        return []
    named = [f"{r['concern'].lower()} ({r['share_pct']:.0f}%)" for r in top]
    synthetic = " (in the synthetic demo survey)" if ev.survey.synthetic else ""
    out = [f"Residents{synthetic} worry most about {_join(named)}."]
    for r in top:
        measure = ev.measures.get(r["issue_id"]) if r["issue_id"] else None
        best = strongest(issue_changes(ev, r["issue_id"])) if r["issue_id"] else None
        subject = r["concern"]
        if measure is None or not measure.has_data or best is None:
            out.append(f"No local data measure {subject.lower()}, so the survey is the only evidence for it.")
            continue
        proxy = " (a proxy)" if measure.proxy else ""
        if best.significant and best.pct > 0:
            verdict = "so the data bear out this worry"
        elif best.significant:
            verdict = "so the worry runs ahead of the recorded figures"
        else:
            verdict = "so the data neither confirm nor rule out a change"
        out.append(f"For {subject.lower()}, the measure{proxy} {best.phrase()}, {verdict}.")
    return out


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# --- Priorities and knowledge gaps ---------------------------------------------------------------------------


def _vote_rank(ev: AssessmentEvidence, issue_id: str) -> int | None:
    if ev.votes is None:
        return None
    rows = ev.votes.table.filter(pl.col("issue") == issue_id)
    return int(rows["borda_rank"][0]) if rows.height else None


def reasons(ev: AssessmentEvidence, issue_id: str) -> list[str]:
    """Why an issue was chosen, from its evidence: harm and risk, trend, residents, partners' vote."""
    out = []
    row = _board_row(ev, issue_id)
    issues = ev.board.height if ev.board is not None else 0
    if row is not None and row["risk_rank"] is not None:
        out.append(f"partners' risk scores rank it {ordinal(row['risk_rank'])} of {issues} issues")
    best = strongest(issue_changes(ev, issue_id))
    if best is not None and best.significant:
        out.append(f"it {best.phrase()}")
    if row is not None and row["concern_rank"] is not None and row["concern_rank"] <= TOP:
        out.append(f"it is residents' {ordinal(row['concern_rank'])} worry")
    vote = _vote_rank(ev, issue_id)
    if vote is not None:
        out.append(f"the focus group's vote placed it {ordinal(vote)}")
    measure = ev.measures.get(issue_id)
    if measure is not None and not measure.has_data:
        out.append("no local data measure it, so its scale is unknown")
    elif row is not None and row["knowledge_gap_class"] == "knowledge gap":
        out.append("the risk matrix finds the harm high but what partners know of it low")
    return out


def priorities_table(ev: AssessmentEvidence) -> Table:
    rows = []
    chosen = [("Priority", p) for p in ev.decision.priorities] + [("Knowledge gap", g) for g in ev.decision.knowledge_gaps]
    for kind, item in chosen:
        row = _board_row(ev, item.issue_id) or {}
        best = strongest(issue_changes(ev, item.issue_id))
        measure = ev.measures.get(item.issue_id)
        rows.append((
            item.title,
            kind,
            measure.label() if measure is not None else "–",
            str(row.get("risk_rank") or "–"),
            f"{pct(best.pct)} over {best.span}" if best else "–",
            real(best.significant) if best else "–",
            str(row.get("concern_rank") or "–"),
            str(_vote_rank(ev, item.issue_id) or "–"),
        ))
    return Table(
        key="priorities_and_why",
        caption="The recommended priorities and knowledge gaps, what measures each, and the evidence for each",
        columns=("Issue", "Chosen as", "Measured by", "Risk rank", "Strongest change", "Real change", "Residents' rank",
                 "Vote rank"),
        rows=tuple(rows),
    )


def priority_case(ev: AssessmentEvidence, issue_id: str, title: str) -> str:
    """One plain sentence on why an issue was chosen, strongest evidence first."""
    why = reasons(ev, issue_id)
    if not why:
        return f"{title} was chosen by the focus group; the evidence board holds no figures for it."
    return f"{title} was chosen because {_join(why)}."


# --- The section ----------------------------------------------------------------------------------------------


def executive_summary(section: Section, ev: AssessmentEvidence, lead: str) -> None:
    """The key findings, in order of importance, each from a table printed beside it."""
    section.add(Paragraph(lead, style="lead"))
    changed = section.sub("What changed")
    notable = notable_changes(ev)
    if notable is not None and notable.height:
        said = notable.head(SENTENCES)
        changed.add(*(Paragraph(change_sentence(ev, r)) for r in said.iter_rows(named=True)))
        if notable.height > said.height:
            changed.add(Paragraph("The table below lists the other changes worth noting, in the same order."))
        changed.add(changes_table(ev, notable))
    else:
        changed.add(Paragraph("No tested change is available: the period is shorter than two years.", style="notice"))
    hot, tested = hot_places(ev)
    if hot is not None:
        names = _join([ev.place(c) for c in hot["lsoa21_code"].to_list()[:3]])
        text = (
            f"Crime and ASB cluster in a few neighbourhoods. The strongest hot spots are {names}. "
            "Each has far more incidents, with its neighbours, than the area as a whole."
            if tested
            else "No neighbourhood passes the hot-spot test, so no cluster stands out beyond chance. "
            f"The neighbourhoods with the most incidents are {names}."
        )
        section.sub("Places that stand out").add(Paragraph(text), places_table(ev, hot, tested))
    if ev.survey is not None and ev.survey.concerns.height:
        residents = section.sub("What residents worry about")
        residents.add(*(Paragraph(s, notes=(ev.survey.provenance,)) for s in concern_sentences(ev)))
        residents.add(concerns_table(ev))
    if ev.decision is not None:
        chosen = section.sub("Priorities and knowledge gaps")
        chosen.add(*(Paragraph(priority_case(ev, p.issue_id, p.title)) for p in ev.decision.priorities))
        chosen.add(
            *(Paragraph(f"Knowledge gap: {priority_case(ev, g.issue_id, g.title)}") for g in ev.decision.knowledge_gaps)
        )
        chosen.add(priorities_table(ev))
