"""The demo's example inputs are consistent with the day the focus group decided: nothing dated after it.

An assessment decided in June 2024 cannot cite an Act of 2025. Every year and every date written in
the SYNTHETIC example data (horizon register, risk profiles, previous priorities, votes, decision) is
checked against the decision's date.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = [
    REPO / "src" / "cspkit" / "horizon" / "demo_register.toml",
    REPO / "src" / "cspkit" / "risk" / "demo_profiles.toml",
    REPO / "demo" / "previous_priorities.toml",
    REPO / "demo" / "votes.toml",
    REPO / "demo" / "decision.toml",
]
DECIDED = date.fromisoformat(tomllib.loads((REPO / "demo" / "decision.toml").read_text(encoding="utf-8"))["date"])
_DATE = re.compile(r"\b((?:19|20)\d\d)-(\d\d)-(\d\d)\b")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def _strings(value: object) -> list[str]:
    """Every text value in a parsed TOML document (comments are not data)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def later_than(text: str, decided: date) -> list[str]:
    """The dates and years in ``text`` that fall after ``decided``."""
    found = [m.group(0) for m in _DATE.finditer(text) if date(*map(int, m.groups())) > decided]
    bare = _DATE.sub(" ", text)
    return found + [y for y in _YEAR.findall(bare) if int(y) > decided.year]


def test_the_check_finds_a_later_year_or_date() -> None:
    june = date(2024, 6, 12)
    assert later_than("Terrorism (Protection of Premises) Act 2025", june) == ["2025"]
    assert later_than("met on 2024-06-13, as planned in 2023-24", june) == ["2024-06-13"]
    assert later_than("Online Safety Act 2023; the 2024 plan; 2024-06-12", june) == []


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_data_predates_the_decision(path: Path) -> None:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    late = {text[:80]: later_than(text, DECIDED) for text in _strings(raw) if later_than(text, DECIDED)}
    assert not late, f"{path.name} names dates after the decision of {DECIDED}: {late}"
