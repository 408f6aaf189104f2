"""Document builds as background jobs in the same database: a table of requests and a worker that
claims one at a time. Claiming is a conditional UPDATE, so several workers (one per gunicorn host,
or the thread inside ``cspkit serve``) never build the same job twice, on SQLite or PostgreSQL."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

from cspkit.web import library
from cspkit.web.models import Decision, DocumentJob
from cspkit.web.views.scoring import submitted_scores
from cspkit.web.views.survey import web_responses

log = logging.getLogger(__name__)
_wake = threading.Event()


def job_folder(job: DocumentJob) -> Path:
    return Path(settings.MEDIA_ROOT) / job.assessment.slug / str(job.pk)


def claim_next() -> DocumentJob | None:
    for job in DocumentJob.objects.filter(status=DocumentJob.Status.QUEUED).order_by("id")[:10]:
        if DocumentJob.objects.filter(pk=job.pk, status=DocumentJob.Status.QUEUED).update(
            status=DocumentJob.Status.RUNNING
        ):
            job.refresh_from_db()
            return job
    return None


def run(job: DocumentJob) -> None:
    """Build one job's documents with the report library, saving progress as it goes."""

    def progress(percent: int, message: str) -> None:
        DocumentJob.objects.filter(pk=job.pk).update(progress=max(0, min(100, int(percent))), message=message)

    folder = job_folder(job)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        survey = web_responses(job.assessment)
        paths = library.build_documents(
            job.assessment, folder, progress, votes=web_votes(job.assessment), scores=submitted_scores(job.assessment),
            decision=web_decision(job.assessment), survey=survey if survey.respondents.height else None,
        )
    except Exception as exc:  # a failed build is reported on the page, never lost in a log
        log.exception("document job %s failed", job.pk)
        DocumentJob.objects.filter(pk=job.pk).update(
            status=DocumentJob.Status.FAILED, message=str(exc)[:2000], finished=timezone.now()
        )
        return
    DocumentJob.objects.filter(pk=job.pk).update(
        status=DocumentJob.Status.DONE, progress=100, message="Finished",
        outputs=[Path(p).name for p in paths], finished=timezone.now(),
    )


def web_votes(assessment) -> tuple[list[str], list[tuple[str, str, list[str]]]] | None:
    """The focus group's ballots cast in the web app (candidates, ballots), or None when there are none."""
    ballots = [(b.membership.organisation, b.voter, b.ranking) for b in assessment.ballots.select_related("membership")]
    if not ballots:
        return None
    ranked = [issue for _, _, ranking in ballots for issue in ranking]
    return list(dict.fromkeys(ranked)), ballots


def web_decision(assessment) -> dict | None:
    """The decision recorded in the web app, as plain values, or None."""
    found = Decision.objects.filter(assessment=assessment).first()
    if found is None:
        return None
    return {
        "date": found.recorded.date().isoformat(), "priorities": found.priorities, "knowledge_gaps": found.knowledge_gaps,
        "rationale": found.rationale, "how_we_will_learn": found.how_we_will_learn,
    }


def run_pending() -> int:
    """Build every queued job now; returns how many ran."""
    count = 0
    while (job := claim_next()) is not None:
        run(job)
        count += 1
    return count


def wake_worker() -> None:
    _wake.set()


def start_worker_thread(poll_seconds: float = 5.0) -> threading.Thread:
    """The in-process worker used by ``cspkit serve``: wakes on a new request or every few seconds."""

    def loop() -> None:
        while True:
            _wake.wait(poll_seconds)
            _wake.clear()
            close_old_connections()
            try:
                run_pending()
            except Exception:
                log.exception("document worker error")

    thread = threading.Thread(target=loop, name="cspkit-document-worker", daemon=True)
    thread.start()
    return thread
