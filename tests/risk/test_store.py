"""The score store: current scores, changes and overrides audited, and recording twice changes nothing."""

from __future__ import annotations

from datetime import datetime

import pytest

from cspkit.errors import InputError
from cspkit.risk.scores import Score, validate_scores
from cspkit.risk.store import WarehouseScoreStore, plan_changes


def test_plan_changes_is_pure_and_audits_old_and_new(method) -> None:
    first = [Score("Police", "Jane", "asb", "volume", 4.0, suggested=4.0)]
    at = datetime(2026, 1, 5, 10, 0)
    changes = plan_changes([], first, method, "analyst", "test", at=at)
    assert changes.added == 1 and changes.changed == 0
    assert changes.upserts[0].scored_at == at
    current = list(changes.upserts)
    again = plan_changes(current, first, method, "analyst", "test")
    assert again.upserts == () and again.unchanged == 1
    overridden = [Score("Police", "Jane", "asb", "volume", 5.0, suggested=4.0, reason="ASB reports to the council")]
    change = plan_changes(current, overridden, method, "analyst", "test").audit[0]
    assert (change.action, change.old_value, change.new_value, change.override) == ("change", 4.0, 5.0, True)
    assert change.reason == "ASB reports to the council"


def test_validate_scores_names_every_problem(method, register) -> None:
    bad = [
        Score("Police", "Jane", "unicorns", "volume", 3.0),
        Score("Police", "Jane", "asb", "volume", 7.0),
        Score("Police", "Jane", "asb", "likelihood", 2.0, suggested=4.0),
        Score("Police", "Jane", "asb", "colour", 2.0),
        Score("Police", "Jane", "burglary", "volume", 3.0),
        Score("Police", "Jane", "burglary", "volume", 3.0),
    ]
    with pytest.raises(InputError) as info:
        validate_scores(bad, method, register, source="web")
    message = str(info.value)
    assert message.startswith("web: 5 invalid score(s)")
    for expected in ("unknown issue 'unicorns'", "7 is not a level of 'Volume'", "a reason is required",
                     "unknown criterion 'colour'", "scored twice"):
        assert expected in message


def test_warehouse_store_round_trip(tmp_path, method, register) -> None:
    store = WarehouseScoreStore(tmp_path / "w.duckdb")
    assert store.scores(method) == [] and store.audit_trail() == []
    scores = [Score("Police", "Jane", "asb", "volume", 4.0, suggested=4.0),
              Score("Council", "Raj", "asb", "volume", 5.0, suggested=4.0, reason="council reports")]
    first = store.record(scores, method, register, changed_by="analyst", source="test")
    assert first.added == 2
    stored = store.scores(method)
    assert [(s.scorer, s.value, s.reason) for s in stored] == [("Raj", 5.0, "council reports"), ("Jane", 4.0, "")]
    assert store.record(scores, method, register, changed_by="analyst", source="test").upserts == ()
    store.record([Score("Police", "Jane", "asb", "volume", 3.0, suggested=4.0, reason="falling")], method, register,
                 changed_by="Jane", source="web")
    trail = store.audit_trail(method)
    assert [(a.action, a.old_value, a.new_value, a.changed_by) for a in trail] == [
        ("score", None, 4.0, "analyst"), ("score", None, 5.0, "analyst"), ("change", 4.0, 3.0, "Jane"),
    ]
    assert trail[1].override and trail[1].reason == "council reports"
    assert store.sources(method) == ("test", "web")


def test_invalid_scores_store_nothing(tmp_path, method, register) -> None:
    store = WarehouseScoreStore(tmp_path / "w.duckdb")
    with pytest.raises(InputError):
        store.record([Score("Police", "Jane", "asb", "volume", 4.0), Score("Police", "Jane", "asb", "volume", 9.0)],
                     method, register, changed_by="analyst", source="test")
    assert store.scores(method) == []
