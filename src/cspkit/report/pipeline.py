"""``cspkit assess``: every step that has inputs, in order, then the documents.

police.uk ingest (only if the warehouse lacks months) -> reference data -> partner data -> analysis
-> risk matrix -> horizon scanning -> survey -> evidence board -> decision -> documents.

Each step is timed and recorded. A step without inputs, or whose module cannot run, is recorded as
skipped with the reason, and the documents say "Step not run: ..." in its place: they never show a
number no step computed.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cspkit.analysis.area import Period
from cspkit.config import AssessmentConfig
from cspkit.errors import CspkitError
from cspkit.report.evidence import AssessmentEvidence, StepResult

#: Called when a step starts (``status`` "running") and ends (done, skipped or failed).
StepListener = Callable[[str, str, str], None]

STEPS = (
    "Police data",
    "Reference data",
    "Partner data",
    "Analysis",
    "Risk matrix",
    "Horizon scanning",
    "Survey",
    "Evidence board",
    "Decision",
    "Documents",
)


class StepSkipped(Exception):
    """A step had no input (or a needed step did not run): record the reason and carry on."""


@dataclass
class AssessmentRun:
    evidence: AssessmentEvidence
    outputs: dict[str, Path] = field(default_factory=dict)
    state: dict[str, Any] = field(default_factory=dict)

    @property
    def steps(self) -> list[StepResult]:
        return self.evidence.steps

    @property
    def seconds(self) -> float:
        return sum(s.seconds for s in self.steps)


def _run_step(run: AssessmentRun, name: str, action: Callable[[], str], listener: StepListener | None) -> bool:
    if listener:
        listener(name, "running", "")
    start = time.perf_counter()
    try:
        detail, status = action(), "done"
    except StepSkipped as exc:
        detail, status = str(exc), "skipped"
    except CspkitError as exc:
        detail, status = f"failed: {exc}", "failed"
    seconds = time.perf_counter() - start
    run.evidence.steps.append(StepResult(name, status, detail, seconds))
    if listener:
        listener(name, status, detail)
    return status == "done"


def ensure_key(config: AssessmentConfig) -> Path | None:
    """Create the demo's pseudonymisation key file on first run, when ``[privacy] create_key_file = true``.

    Only for the demo: its key file (random, 32 bytes, mode 600) stays in the demo folder and ``*.key`` is
    git-ignored. A partnership keeps one key outside the repository for years (a new key would stop repeat
    victims being linked across extracts), so without the setting a missing key file is an error at ingest.
    """
    path = config.pseudonym_key_file
    if path is None or path.exists() or config.section("privacy").get("create_key_file") is not True:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(secrets.token_hex(32) + "\n", encoding="utf-8")
    path.chmod(0o600)
    return path


def run_assessment(
    config: AssessmentConfig, listener: StepListener | None = None, documents: bool = True, survey_responses: Any = None
) -> AssessmentRun:
    """Run every step that has inputs and (unless ``documents`` is False) write the documents.

    ``survey_responses`` (cspkit.survey's SurveyResponses, e.g. answers given in the web app) are
    analysed instead of the config's ``[survey] responses``."""
    from cspkit.data.districts import check_district_codes
    from cspkit.report import steps  # the step bodies import every module; keep this module light

    check_district_codes(config.area_codes, config.path)

    period = Period.parse(config.period_start, config.period_end)
    evidence = AssessmentEvidence(
        csp_name=config.csp_name,
        area_name=", ".join(config.area_codes),
        area_codes=config.area_codes,
        period=period.in_words(),
        latest_period=period.latest_words(),
        threshold=config.suppression_threshold,
        committee={"suppression_threshold": config.suppression_threshold} | dict(config.section("committee")),
    )
    run = AssessmentRun(evidence)
    if survey_responses is not None:
        run.state["survey_responses"] = survey_responses
    ensure_key(config)
    actions = {
        "Police data": steps.police_data,
        "Reference data": steps.reference_data,
        "Partner data": steps.partner_data,
        "Analysis": steps.analysis,
        "Risk matrix": steps.risk_matrix,
        "Horizon scanning": steps.horizon_scanning,
        "Survey": steps.survey,
        "Evidence board": steps.evidence_board,
        "Decision": steps.decision,
        "Documents": steps.documents,
    }
    for name in STEPS:
        if name == "Documents" and not documents:
            continue
        _run_step(run, name, lambda action=actions[name]: action(config, run), listener)
    return run
