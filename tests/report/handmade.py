"""A small hand-made evidence set: known numbers in, so the builders and renderers can be checked fast."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import polars as pl

from cspkit.data.geography import bundled_boundaries
from cspkit.priorities.board import IssueEvidence, evidence_board, load_rule, suggest_shortlist
from cspkit.priorities.decision import AgreedIssue, Consideration, Decision
from cspkit.priorities.voting import Ballot, count_votes
from cspkit.report.evidence import (
    AssessmentEvidence,
    Headline,
    HorizonEvidence,
    IssueFigures,
    RiskEvidence,
    StepResult,
    SurveyEvidence,
)

MONTHS = [date(2021 + (4 + i) // 12, (4 + i) % 12 + 1, 1) for i in range(36)]
#: Month 5 (2021-10) has 3 incidents: a small count the documents must suppress.
COUNTS = [3 if i == 5 else 100 + i for i in range(36)]


def boundaries() -> dict[str, dict]:
    rows = bundled_boundaries(["E06000056"]).select("lsoa21_code", "geometry").iter_rows()
    return {code: json.loads(geometry) for code, geometry in rows}


def evidence(**changes) -> AssessmentEvidence:
    geo = boundaries()
    codes = sorted(geo)
    rolling = [None] * 11 + [sum(COUNTS[i - 11 : i + 1]) / 12 for i in range(11, 36)]
    lsoa = pl.DataFrame(
        {
            "lsoa21_code": codes,
            "count": [i % 7 for i in range(len(codes))],
            "rate_per_1000": [(i % 7) / 1.5 for i in range(len(codes))],
            "gi_z": [(i - 80) / 20 for i in range(len(codes))],
            "hotspot": ["hot spot" if i > 165 else "cold spot" if i < 3 else "not significant" for i in range(len(codes))],
        }
    )
    asb = IssueFigures(
        issue_id="asb",
        name="Anti-social behaviour",
        unit="incidents",
        monthly=pl.DataFrame({"month": MONTHS, "count": COUNTS, "rolling_12_month_mean": rolling}),
        sentences=(
            "Anti-social behaviour rose from 1,200 to 1,300 (+100, +8.3%); the change is statistically significant (p = 0.012).",
        ),
        categories=pl.DataFrame({"category": ["Anti-social behaviour"], "previous_12": [1200], "latest_12": [1300]}),
        peers=pl.DataFrame({"area": ["Central Bedfordshire", "Bedford", "Luton"], "rate_per_1000": [10.0, 15.0, 20.0]}),
        focus_area="Central Bedfordshire",
        lsoa=lsoa,
        provenance=("police.uk street-level crime and ASB; area E06000056; period 2021-05 to 2024-04; cspkit 0.1.0.",),
    )
    candidates = ["asb", "burglary", "substance_misuse"]
    ballots = [
        Ballot(f"org{i}", f"v{i}", r)
        for i, r in enumerate([("asb", "burglary", "substance_misuse")] * 3 + [("burglary", "asb")] * 2)
    ]
    board_issues = [
        IssueEvidence(
            "asb",
            "Anti-social behaviour",
            risk_score=40,
            risk_rank=1,
            volume=1300,
            rate_per_1000=4.4,
            concern_rank=1,
            concern_share=0.4,
        ),
        IssueEvidence("burglary", "Burglary", risk_score=30, risk_rank=2, volume=3, rate_per_1000=0.01),
        IssueEvidence("substance_misuse", "Substance misuse", risk_score=20, risk_rank=3, knowledge_gap_class="knowledge gap"),
    ]
    decision = Decision(
        meeting="Focus group",
        date="2024-06-12",
        priorities=(
            AgreedIssue("asb", "Anti-social behaviour", "Residents' top concern."),
            AgreedIssue("burglary", "Burglary", "High harm to victims."),
        ),
        knowledge_gaps=(AgreedIssue("substance_misuse", "Substance misuse", "Its scale is unknown.", "Share treatment data."),),
        considerations=(Consideration("sexual_abuse", "Sexual offences", "A fall may mean under-reporting."),),
        synthetic=True,
        source=Path("decision.toml"),
    )
    heat = pl.DataFrame(
        {
            "row_order": [r for r in (1, 2, 3) for _ in (1, 2, 3)],
            "row_band": [b for b in ("low", "medium", "high") for _ in (1, 2, 3)],
            "column_order": [1, 2, 3] * 3,
            "column_band": ["unlikely", "possible", "likely"] * 3,
            "issues": [[], [], [], [], ["Substance misuse"], [], [], ["Burglary"], ["Anti-social behaviour"]],
        }
    )
    risk = RiskEvidence(
        table=pl.DataFrame(
            {
                "rank": [1, 2, 3],
                "issue_id": candidates,
                "issue": ["Anti-social behaviour", "Burglary", "Substance misuse"],
                "risk_score": [40.0, 30.0, 20.0],
                "knowledge_gap_class": ["priority candidate", "monitor", "knowledge gap"],
            }
        ),
        heat=heat,
        row_label="Harm",
        column_label="Likelihood",
        method="Risk = harm x likelihood.",
        scorers=10,
        synthetic=True,
        provenance="Risk matrix; SYNTHETIC demo scores.",
    )
    horizon = HorizonEvidence(
        table=pl.DataFrame(
            {
                "category": ["Political", "Economic"],
                "title": ["New commissioner", "Cost of living"],
                "description": ["An election.", "Prices rise."],
                "likelihood": [3, 4],
                "impact": [2, 4],
                "score": [6, 16],
            }
        ),
        synthetic=True,
        provenance="Horizon register; SYNTHETIC.",
    )
    survey = SurveyEvidence(
        responses=700,
        estimates=pl.DataFrame(
            {
                "question": ["How safe do you feel after dark?"],
                "answer": ["Very or fairly safe"],
                "weighted_pct": [55.2],
                "ci_low": [50.1],
                "ci_high": [60.3],
                "unweighted_pct": [58.0],
                "base": [700],
                "base_note": [""],
            }
        ),
        concerns=pl.DataFrame(
            {
                "rank": [1, 2],
                "issue_id": ["asb", "burglary"],
                "concern": ["Anti-social behaviour", "Burglary"],
                "share_pct": [40.0, 30.0],
                "ci_low": [36.0, 26.0],
                "ci_high": [44.0, 34.0],
            }
        ),
        themes=None,
        weighting="Weighted by raking; design effect 1.40.",
        synthetic=True,
        provenance="Residents' survey; SYNTHETIC.",
    )
    values = {
        "csp_name": "Central Bedfordshire Community Safety Partnership",
        "area_name": "Central Bedfordshire",
        "area_codes": ("E06000056",),
        "period": "2021-05 to 2024-04",
        "threshold": 5,
        "steps": [
            StepResult("Police data", "done", "36 months", 1.0),
            StepResult("Partner data", "skipped", "no partner sources are configured", 0.0),
        ],
        "headlines": [
            Headline(
                "Recorded crime (excluding ASB)",
                20000,
                68.0,
                "Crime rose; the change is statistically significant (p = 0.001).",
                "police.uk; E06000056.",
            ),
            Headline("Hate crime in a small ward", 3, 1.5, "No test was possible.", "police.uk; E06000056."),
        ],
        "issues": {"asb": asb},
        "issue_names": {"asb": "Anti-social behaviour", "burglary": "Burglary", "substance_misuse": "Substance misuse"},
        "boundaries": geo,
        "board": evidence_board(board_issues),
        "shortlist": suggest_shortlist(board_issues, load_rule()),
        "shortlist_rule": load_rule().describe(),
        "votes": count_votes(ballots, candidates),
        "votes_synthetic": True,
        "decision": decision,
        "risk": risk,
        "horizon": horizon,
        "survey": survey,
        "committee": {"council": "Central Bedfordshire Council", "legal": "Legal text from the config."},
    }
    values.update(changes)
    return AssessmentEvidence(**values)
