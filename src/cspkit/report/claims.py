"""Claims in the partnership's own words checked against the data: no claim without data behind it.

The decision file's rationales and reasons are free text ("possession of weapons offences have
risen", "a fall in partner referrals"). Each sentence that claims a direction of change must name a
measure the assessment holds data for (a police.uk category, or else the issue the text belongs
to), and where the data can say, the direction must agree with the tested change over the span
the sentence names. A claim that fails is reported, so a build (or a reader) can catch it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import polars as pl

from cspkit.analysis.scope import ASB
from cspkit.report.evidence import AssessmentEvidence

DIRECTIONS = {
    "up": re.compile(r"\b(rise|rises|risen|rising|rose|increase[sd]?|increasing|grew|grown|growing)\b", re.IGNORECASE),
    # "duties fall on the partnership" is not a change: a fall followed by on/to/within/under is left out
    "down": re.compile(
        r"\b(fall|falls|fallen|falling|fell|decrease[sd]?|decreasing|drop|dropped|declin\w*)\b(?!\s+(on|to|within|under)\b)",
        re.IGNORECASE,
    ),
    "flat": re.compile(r"\b(steady|stable|unchanged)\b", re.IGNORECASE),
}
#: Everyday names of police.uk categories, as partnerships write them.
ALIASES = {
    "weapons offences": "Possession of weapons",
    "possession of weapons": "Possession of weapons",
    "drug offences": "Drugs",
    "drug crime": "Drugs",
    "violence and sexual offences": "Violence and sexual offences",
    "anti-social behaviour": ASB,
}


@dataclass(frozen=True)
class Claim:
    source: str  # e.g. "priority 'Anti-social behaviour'"
    issue_id: str
    sentence: str
    direction: str


def claims(ev: AssessmentEvidence) -> Iterator[Claim]:
    """Every sentence of the decision's rationales and reasons that claims a direction of change."""
    if ev.decision is None:
        return
    texts = [(f"priority '{p.title}'", p.issue_id, p.rationale) for p in ev.decision.priorities]
    texts += [(f"knowledge gap '{g.title}'", g.issue_id, g.rationale) for g in ev.decision.knowledge_gaps]
    texts += [(f"issue for consideration '{c.title}'", c.issue_id, c.reason) for c in ev.decision.considerations]
    for source, issue_id, text in texts:
        for sentence in re.split(r"(?<=[.;])\s+", " ".join(text.split())):
            for direction, pattern in DIRECTIONS.items():
                if pattern.search(sentence):
                    yield Claim(source, issue_id, sentence, direction)
                    break


def _category_changes(ev: AssessmentEvidence, category: str) -> dict[str, float]:
    """The tested changes of one police.uk category by span ("one year", "three years")."""
    if ev.changes is None:
        return {}
    rows = ev.changes.filter(pl.col("crime_type") == category)
    spans = ("one year", "three years")
    return {spans[i]: r["pct_change"] for i, r in enumerate(rows.iter_rows(named=True)) if i < 2 and r["pct_change"] is not None}


def _issue_changes(ev: AssessmentEvidence, issue_id: str) -> dict[str, float]:
    if ev.board is None:
        return {}
    rows = ev.board.filter(pl.col("issue_id") == issue_id)
    if not rows.height:
        return {}
    r = rows.row(0, named=True)
    return {span: r[col] for span, col in (("one year", "change_1y_pct"), ("three years", "change_3y_pct")) if r[col] is not None}


#: A "steady" series moved by less than this (per cent) over the span checked.
STEADY_PCT = 10.0


def _agrees(direction: str, pct: float) -> bool:
    if direction == "flat":
        return abs(pct) < STEADY_PCT
    return pct > 0 if direction == "up" else pct < 0


def unsourced_claims(ev: AssessmentEvidence) -> list[str]:
    """Each claim with no data behind it, or whose direction the data contradict, in words."""
    problems = []
    for claim in claims(ev):
        lowered = claim.sentence.lower()
        named = [category for alias, category in ALIASES.items() if alias in lowered]
        measure = ev.measures.get(claim.issue_id)
        if named:
            changes = _category_changes(ev, named[0])
            what = named[0]
        elif measure is not None and measure.has_data:
            changes = _issue_changes(ev, claim.issue_id)
            what = measure.source()
        else:
            problems.append(f"{claim.source}: \"{claim.sentence}\" claims a change, but no data measure it")
            continue
        spans = [s for s in ("three years", "one year") if s in lowered or s.replace("three", "3").replace("one", "1") in lowered]
        checked = {s: changes[s] for s in (spans or changes) if s in changes}
        if checked and not any(_agrees(claim.direction, pct) for pct in checked.values()):
            shown = ", ".join(f"{pct:+.1f}% over {span}" for span, pct in checked.items())
            problems.append(f"{claim.source}: \"{claim.sentence}\" is not what the data show ({what}: {shown})")
    return problems
