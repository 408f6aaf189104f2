"""The Analysis step's one-line summary, as the steps table of the documents prints it."""

from __future__ import annotations

from types import SimpleNamespace

import polars as pl

from cspkit.report.steps import _computed


def test_summary_names_analyses_in_words_and_each_reason_once() -> None:
    """A one-month run used to print "sppt: ...; sppt_summary: ...; repeat_victims: ..." into the document."""
    reason = "the latest 12 months against the previous 12 needs at least 24 months"
    result = SimpleNamespace(
        change=None, trends=None, seasonality=None, hotspots=pl.DataFrame({"gi_z": [1.0]}), harm=None, peer_group=None,
        notes={"change": "too short", "sppt": reason, "sppt_summary": reason, "repeat_victims:asb": "no key",
               "emerging_hotspots": "too few steps", "brand_new_check": "why"},
    )
    summary = _computed(result)
    assert summary.startswith("hot spots (not computed: tested change: too short; where crime moved: " + reason)
    assert "repeat victims (asb): no key" in summary and "emerging hot spots: too few steps" in summary
    assert "brand new check: why" in summary and "_" not in summary
    assert summary.count(reason) == 1
