"""Dates in words for readers (cspkit.report.plain)."""

from cspkit.report.plain import plain_dates


def test_one_month_period_is_named_once() -> None:
    """A one-month assessment's notes read "period January 2024 to January 2024"."""
    assert plain_dates("area W06000015; period 2024-01 to 2024-01; cspkit") == "area W06000015; period January 2024; cspkit"
    assert plain_dates("2021-05 to 2024-04") == "May 2021 to April 2024"
    assert plain_dates("May 2024 to May 2025") == "May 2024 to May 2025"
