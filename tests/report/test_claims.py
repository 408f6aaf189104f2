"""No claim without data behind it: the decision's free text is checked against the measures and tested changes."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from cspkit.priorities.board import IssueEvidence, TestedChange, evidence_board
from cspkit.priorities.decision import AgreedIssue, Consideration, Decision
from cspkit.report.claims import unsourced_claims
from cspkit.report.measures import Measure

from .handmade import evidence


def with_decision(priorities: tuple[AgreedIssue, ...], considerations: tuple[Consideration, ...] = ()):
    board = evidence_board([
        IssueEvidence("asb", "Anti-social behaviour", risk_rank=1,
                      change_3y=TestedChange(before=5000, after=4000, percent=-20.0, p_value=0.001, significant=True)),
    ])
    decision = Decision("Focus group", "2024-06-12", priorities, (), considerations, synthetic=True, source=Path("d.toml"))
    measures = {
        "asb": Measure("asb", "Anti-social behaviour", categories=("Anti-social behaviour",)),
        "sexual_abuse": Measure("sexual_abuse", "Sexual abuse and rape"),
    }
    return replace(evidence(), board=board, decision=decision, measures=measures, changes=None)


def test_a_claimed_change_with_no_data_is_reported() -> None:
    reason = "Police.uk does not separate them. A fall in partner referrals may mean under-reporting."
    ev = with_decision((), (Consideration("sexual_abuse", "Sexual offences", reason),))
    assert unsourced_claims(ev) == [
        "issue for consideration 'Sexual offences': \"A fall in partner referrals may mean under-reporting.\" "
        "claims a change, but no data measure it"
    ]


def test_a_claim_the_data_contradict_is_reported_and_one_they_support_is_not() -> None:
    supported = with_decision((AgreedIssue("asb", "ASB", "Recorded incidents have fallen over three years."),))
    assert unsourced_claims(supported) == []
    contradicted = with_decision((AgreedIssue("asb", "ASB", "Recorded incidents have risen over three years."),))
    assert unsourced_claims(contradicted) == [
        "priority 'ASB': \"Recorded incidents have risen over three years.\" is not what the data show "
        "(police.uk: Anti-social behaviour: -20.0% over three years)"
    ]


def test_words_that_only_look_like_a_change_are_not_claims() -> None:
    ev = with_decision((AgreedIssue("sexual_abuse", "Sexual offences", "The new duties fall on the partnership."),))
    assert unsourced_claims(ev) == []
