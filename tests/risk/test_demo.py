"""The SYNTHETIC demo scores: complete, valid, clearly marked, and with plausible disagreement."""

from __future__ import annotations

from cspkit.risk.demo import DEMO_SCORERS, SYNTHETIC_SOURCE, load_synthetic_scores, synthetic_scores
from cspkit.risk.matrix import KNOWLEDGE_GAP, PRIORITY_CANDIDATE, risk_results
from cspkit.risk.scores import validate_scores
from cspkit.risk.store import WarehouseScoreStore
from cspkit.risk.suggest import IssueEvidence, suggest_all


def test_synthetic_scores_are_complete_valid_and_marked(method, register) -> None:
    scores = synthetic_scores(method, register)
    assert len(DEMO_SCORERS) == 10
    assert {s.organisation for s in DEMO_SCORERS} >= {"Police", "Council", "Fire and rescue", "Probation", "Health"}
    assert all(s.scorer.startswith("Synthetic") for s in scores)
    assert len(scores) == 10 * len(register.issues) * len(method.criteria)
    validate_scores(scores, method, register)
    assert synthetic_scores(method, register) == scores  # reproducible


def test_synthetic_matrix_is_plausible(method, register) -> None:
    results = risk_results(synthetic_scores(method, register), method, register)
    classes = results["class"].to_list()
    assert classes.count(PRIORITY_CANDIDATE) >= 2
    assert KNOWLEDGE_GAP in classes
    assert results.filter(results["issue_id"] == "cyber_fraud")["class"][0] == KNOWLEDGE_GAP
    assert 0 < results["discuss"].sum() < results.height  # some disagreement, not everywhere
    assert results["rank"].null_count() == 0


def test_synthetic_overrides_of_suggestions_carry_a_synthetic_reason(tmp_path, method, register) -> None:
    evidence = [IssueEvidence(i.id, i.has_data_mapping, annual_count=500 if i.has_data_mapping else None)
                for i in register.issues]
    suggestions = suggest_all(evidence, method)
    scores = synthetic_scores(method, register, suggestions)
    overrides = [s for s in scores if s.is_override]
    assert overrides and all(s.reason.startswith("Synthetic demo reason") for s in overrides)
    assert any(not s.is_override and s.suggested is not None for s in scores)
    store = WarehouseScoreStore(tmp_path / "w.duckdb")
    changes = load_synthetic_scores(store, method, register, suggestions)
    assert changes.added == len(scores)
    assert {a.source for a in store.audit_trail()} == {SYNTHETIC_SOURCE}


def test_synthetic_scores_work_with_another_method(grid, register) -> None:
    scores = synthetic_scores(grid, register)
    validate_scores(scores, grid, register)
    assert risk_results(scores, grid, register)["risk_score"].null_count() == 0
