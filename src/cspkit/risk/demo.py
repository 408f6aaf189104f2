"""SYNTHETIC completed scores for the demo assessment: ten scorers across the five responsible authorities.

Every scorer's name starts with "Synthetic", every override reason says it is synthetic, and the
audit trail records the source "synthetic demo scores", so no document can mistake them for a
partnership's real view. Each scorer starts from the issue's typical view (``demo_profiles.toml``),
scores their own partner's issues a little higher, and varies by a level either way, so the
matrix shows plausible disagreement; where the data suggests a score, most scorers accept it.
"""

from __future__ import annotations

import random
import tomllib
from collections.abc import Sequence
from importlib import resources

from cspkit.risk.method import Criterion, Method
from cspkit.risk.register import IssueRegister
from cspkit.risk.scores import Score
from cspkit.risk.store import Changes, ScoreStore
from cspkit.risk.suggest import NO_DATA, Suggestion, suggested_values
from cspkit.risk.workbook import Scorer

SYNTHETIC_SOURCE = "synthetic demo scores"

DEMO_SCORERS = (
    Scorer("Police", "Synthetic scorer: force strategic analyst"),
    Scorer("Police", "Synthetic scorer: neighbourhood policing inspector"),
    Scorer("Council", "Synthetic scorer: community safety manager"),
    Scorer("Council", "Synthetic scorer: ASB and environmental enforcement lead"),
    Scorer("Council", "Synthetic scorer: children's safeguarding manager"),
    Scorer("Fire and rescue", "Synthetic scorer: prevention and protection manager"),
    Scorer("Probation", "Synthetic scorer: head of probation delivery unit"),
    Scorer("Health", "Synthetic scorer: public health consultant"),
    Scorer("Health", "Synthetic scorer: substance misuse commissioner"),
    Scorer("Office of the Police and Crime Commissioner", "Synthetic scorer: commissioning officer"),
)

_REASONS = (
    "Synthetic demo reason: partner casework suggests the recorded figures under-count this issue.",
    "Synthetic demo reason: the latest months show a change the 12-month figure does not yet reflect.",
    "Synthetic demo reason: our service sees the harm from this issue more directly than the data shows.",
    "Synthetic demo reason: the rise is mostly a recording change, not more incidents.",
)
_NO_DATA_REASON = "Synthetic demo reason: no warehouse data, but partner casework and intelligence give some picture."

# Profile fields for the default method's criteria; other methods fall back to each criterion's middle level.
_HARM_CRITERIA = ("harm_physical", "harm_psychological", "harm_financial", "harm_community", "harm_environment",
                  "economic_cost")
_SINGLE = {"likelihood": "likelihood", "volume": "volume", "confidence_knowledge": "confidence",
           "capability": "capability", "capacity": "capacity"}


def demo_profiles() -> dict[str, dict]:
    text = (resources.files("cspkit.risk") / "demo_profiles.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)["issues"]


def _typical(profile: dict | None, criterion: Criterion) -> float:
    values = criterion.values
    middle = values[len(values) // 2]
    if profile is None:
        return middle
    if criterion.id in _HARM_CRITERIA:
        return float(profile["harm"][_HARM_CRITERIA.index(criterion.id)])
    if criterion.id in _SINGLE:
        return float(profile[_SINGLE[criterion.id]])
    return middle


def _nearest_level(criterion: Criterion, value: float) -> float:
    return min(criterion.values, key=lambda v: (abs(v - value), v))


def synthetic_scores(
    method: Method,
    register: IssueRegister,
    suggestions: Sequence[Suggestion] = (),
    scorers: Sequence[Scorer] = DEMO_SCORERS,
    seed: int = 2026,
) -> list[Score]:
    """Complete synthetic scores for every scorer, issue and criterion (reproducible for a seed)."""
    rng = random.Random(seed)
    profiles = demo_profiles()
    suggested = suggested_values(suggestions)
    no_data_issues = {s.issue_id for s in suggestions if s.kind == NO_DATA}
    no_data_criterion = method.suggest_confidence.criterion if method.suggest_confidence else None
    scores = []
    for scorer in scorers:
        for issue in register.issues:
            profile = profiles.get(issue.id)
            emphasised = profile is not None and scorer.organisation in profile.get("emphasis", [])
            for criterion in method.criteria:
                hint = suggested.get((issue.id, criterion.id))
                # "No data" says little to a partner who knows the issue from casework: most override it.
                no_data = no_data_criterion == criterion.id and issue.id in no_data_issues
                accept = 0.3 if no_data else 0.75
                if hint is not None and rng.random() < accept:
                    value = hint
                else:
                    base = hint if hint is not None and not no_data else _typical(profile, criterion)
                    shift = rng.choices((-1, 0, 1), weights=(0.2, 0.6, 0.2))[0]
                    if emphasised and criterion.group == method.risk_groups[0] and rng.random() < 0.7:
                        shift += 1
                    value = _nearest_level(criterion, base + shift)
                override = hint is not None and value != hint
                scores.append(
                    Score(
                        organisation=scorer.organisation, scorer=scorer.name, issue_id=issue.id,
                        criterion=criterion.id, value=value, suggested=hint,
                        reason=(_NO_DATA_REASON if no_data else rng.choice(_REASONS)) if override else "",
                    )
                )
    return scores


def load_synthetic_scores(
    store: ScoreStore,
    method: Method,
    register: IssueRegister,
    suggestions: Sequence[Suggestion] = (),
    seed: int = 2026,
) -> Changes:
    """Record the synthetic scores in a store, marked with the source "synthetic demo scores"."""
    scores = synthetic_scores(method, register, suggestions, seed=seed)
    return store.record(scores, method, register, changed_by="cspkit demo", source=SYNTHETIC_SOURCE)
