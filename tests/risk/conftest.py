"""Shared fixtures for the risk matrix tests: the shipped methods and registers, and a score helper."""

from __future__ import annotations

import pytest

from cspkit.risk.method import Method, load_method
from cspkit.risk.register import Issue, IssueRegister, load_issues
from cspkit.risk.scores import Score


@pytest.fixture(scope="session")
def method() -> Method:
    return load_method()


@pytest.fixture(scope="session")
def grid() -> Method:
    return load_method("simple_4x4")


@pytest.fixture(scope="session")
def register() -> IssueRegister:
    return load_issues()


@pytest.fixture
def small_register() -> IssueRegister:
    return IssueRegister(
        id="test",
        version="1",
        issues=(
            Issue("burglary", "Burglary", crime_categories=("Burglary",)),
            Issue("asb", "Anti-social behaviour", crime_categories=("Anti-social behaviour",)),
            Issue("substance_misuse", "Substance misuse"),
        ),
    )


def scores_for(scorer: str, issue_id: str, values: dict[str, float], organisation: str = "Police") -> list[Score]:
    """One scorer's scores for one issue, from criterion -> value."""
    return [Score(organisation, scorer, issue_id, criterion, float(v)) for criterion, v in values.items()]


def default_values(harm: list[int], likelihood: int, volume: int, confidence: int, capability: int, capacity: int) -> dict:
    """The default method's eleven criteria from the hand-worked layout used in docs/risk.md."""
    names = ("harm_physical", "harm_psychological", "harm_financial", "harm_community", "harm_environment", "economic_cost")
    values = dict(zip(names, harm, strict=True))
    values.update(likelihood=likelihood, volume=volume, confidence_knowledge=confidence, capability=capability,
                  capacity=capacity)
    return values
