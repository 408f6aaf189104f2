"""Load test of the web app on loopback: partners scoring and residents answering the survey at once.

    .venv/bin/python benchmarks/load_web.py --duration 120 --partners 50 --residents 200

Starts ``cspkit serve`` (SQLite, a throwaway folder) on 127.0.0.1, then 50 simulated partners sign
in, score every issue of the default register one page (criterion group) at a time and submit, while 200 simulated
residents start at random moments over the run and answer the survey one question per page. Request
counts are bounded by the register and questionnaire, not by time. Reports p50/p95 latency per kind
of request, and sent-versus-stored counts read back from the database (they must be equal).

The baseline measured in the same run is the static CSS file (WhiteNoise, no database): the ratio
says how much of each request is the app's own work rather than the server and client.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from http.cookiejar import CookieJar
from pathlib import Path

from cspkit.risk.method import load_method
from cspkit.risk.register import load_issues
from cspkit.survey.questionnaire import QuestionType, load_questionnaire
from cspkit.web.commands import default_processes

AREA = "E06000056"  # Central Bedfordshire: the app lists its wards in the survey's area question
PASSWORD = "load-test-password-2025"
ERRORS: Counter[int] = Counter()  # unexpected statuses; 599 = refused, reset or timed out
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_TOKEN = re.compile(r'name="token" value="([^"]+)"')


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One simulated person: their own cookies, every request timed."""

    def __init__(self, base: str, timings: dict[str, list[float]], kind: str) -> None:
        self.base, self.timings, self.kind = base, timings, kind
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirect)
        self.errors = 0

    def request(self, path: str, data: dict | list | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body)
        started = time.perf_counter()
        try:
            with self.opener.open(request, timeout=60) as response:
                status, text, location = response.status, response.read().decode(), response.headers.get("Location", "")
        except urllib.error.HTTPError as exc:
            status, text, location = exc.code, exc.read().decode(), exc.headers.get("Location", "")
        except OSError:  # refused, reset or timed out: counted as an error, never hidden
            status, text, location = 599, "", ""
        self.timings[self.kind].append((time.perf_counter() - started) * 1000)
        if status >= 500 or (status >= 400 and status != 429):
            self.errors += 1
            ERRORS[status] += 1
        return status, text, location

    def form(self, path: str, fields: dict | list) -> tuple[int, str, str]:
        _, page, _ = self.request(path)
        token = _CSRF.search(page)
        extra = [("csrfmiddlewaretoken", token.group(1))] if token else []
        items = list(fields.items()) if isinstance(fields, dict) else list(fields)
        return self.request(path, items + extra)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] if len(values) > 1 else values[0]


def set_up(home: Path, partners: int) -> None:
    """Migrate and create the assessment and partner accounts (one real PBKDF2 hash, reused)."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "cspkit.web.settings"
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command

    from cspkit.web.models import Assessment, Membership

    call_command("migrate", verbosity=0)
    assessment = Assessment.objects.create(slug="load", name="Load test", area_code=AREA)
    hashed = make_password(PASSWORD)
    users = get_user_model().objects.bulk_create(
        [get_user_model()(username=f"partner{n:02d}", password=hashed) for n in range(partners)]
    )
    Membership.objects.bulk_create(
        [Membership(user=u, assessment=assessment, role="scorer", organisation=f"Partner {n:02d}") for n, u in enumerate(users)]
    )


def partner(base: str, number: int, sign_in_at: float, timings, results: dict, deadline: float) -> None:
    method, issues = load_method(), load_issues().issues
    time.sleep(max(0.0, sign_in_at - time.monotonic()))  # partners arrive over the first minutes, not at one instant
    browser = Browser(base, timings, "sign in")
    status, _, _ = browser.form("/accounts/login/", {"username": f"partner{number:02d}", "password": PASSWORD})
    browser.kind = "scoring"
    pause = max(0.0, (deadline - time.monotonic()) / (len(issues) + 1))
    rng = random.Random(number)
    sent = 0
    parts = [group for group in method.groups if group.criteria]  # one page per criterion group of an issue
    for issue in issues:
        time.sleep(pause * rng.uniform(0.5, 1.5))
        saved = 0
        for part in parts:
            body = {c: f"{rng.choice(method.criterion(c).levels).value:g}" for c in part.criteria}
            status, _, _ = browser.form(f"/a/load/scoring/{issue.id}/{part.id}/", {**body, "action": "continue"})
            saved += status == 302
        sent += saved == len(parts)
    status, _, _ = browser.form("/a/load/scoring/", {})  # the task list page carries the submit form
    browser.request("/a/load/scoring/submit/", [("csrfmiddlewaretoken", _token(browser))])
    results["score_pages_sent"] += sent
    results["errors"] += browser.errors


def _token(browser: Browser) -> str:
    _, page, _ = browser.request("/a/load/scoring/")
    found = _CSRF.search(page)
    return found.group(1) if found else ""


def resident(base: str, number: int, start_at: float, timings, results: dict) -> None:
    questionnaire = load_questionnaire(None, (AREA,))  # the area question lists this district's wards
    rng = random.Random(1000 + number)
    time.sleep(max(0.0, start_at - time.monotonic()))
    browser = Browser(base, timings, "survey")
    browser.form("/survey/load/", {})
    for question in questionnaire.questions:
        time.sleep(rng.uniform(0.3, 0.9))  # reading and answering
        if question.type == QuestionType.free_text:
            answer: list = [("answer", "More patrols in the evening, please.")]
        elif question.type == QuestionType.multiple:
            answer = [("answer", o.code) for o in rng.sample(question.options[:-2], 3)]
        else:
            answer = [("answer", rng.choice(question.options).code)]
        browser.form(f"/survey/load/{question.id}/", answer)
    _, page, _ = browser.request("/survey/load/check/")
    token, csrf = _TOKEN.search(page), _CSRF.search(page)
    if token is None or csrf is None:
        results["errors"] += browser.errors + 1
        return
    token, csrf = token.group(1), csrf.group(1)
    status, _, _ = browser.request("/survey/load/check/", {"token": token, "website": "", "csrfmiddlewaretoken": csrf})
    results["survey_sent"] += status in (302, 429)
    results["errors"] += browser.errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=120.0, help="Seconds over which the load is spread")
    parser.add_argument("--partners", type=int, default=50)
    parser.add_argument("--residents", type=int, default=200)
    parser.add_argument("--processes", type=int, default=0, help="cspkit serve --processes (0: one per core, up to 4)")
    parser.add_argument("--workers", type=int, default=1, help="More than 1: serve with gunicorn and this many processes")
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="cspkit-load-"))
    port = free_port()
    env = {**os.environ, "CSPKIT_WEB_HOME": str(home), "CSPKIT_WORKER_IN_PROCESS": "0",
           # Every simulated resident comes from 127.0.0.1: lift the per-address flood limit so the
           # benchmark measures the app, not the throttle (the throttle has its own tests).
           "CSPKIT_SURVEY_RESPONSES_PER_HOUR": str(10 * args.residents), "CSPKIT_LOG_LEVEL": "WARNING"}
    env.pop("DATABASE_URL", None)
    os.environ.update({k: env[k] for k in ("CSPKIT_WEB_HOME",)})
    set_up(home, args.partners)
    load_before = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    if args.workers > 1:  # the county deployment: gunicorn, several processes (migrations already applied)
        command = [str(Path(sys.executable).with_name("gunicorn")), "cspkit.web.wsgi", "--bind", f"127.0.0.1:{port}",
                   "--workers", str(args.workers), "--threads", "8", "--log-level", "warning"]
        server_name = f"gunicorn, {args.workers} workers x 8 threads"
    else:
        command = [sys.executable, "-c", "from cspkit.cli import main; main()", "serve", "--port", str(port),
                   "--processes", str(args.processes)]
        processes = args.processes or default_processes()
        server_name = f"cspkit serve ({processes} process(es) x 8 pooled threads)"
    server_log = (home / "server.log").open("w")
    server = subprocess.Popen(command, env=env, stdout=server_log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/accessibility/", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        timings: dict[str, list[float]] = defaultdict(list)
        results: dict[str, int] = defaultdict(int)
        baseline = Browser(base, timings, "baseline: static file")
        for _ in range(200):
            baseline.request("/static/govuk/govuk-frontend.min.css")

        started = time.monotonic()
        deadline = started + args.duration
        rng = random.Random(7)
        arrive = args.duration / 2
        threads = [
            threading.Thread(target=partner, args=(base, n, started + rng.uniform(0, arrive), timings, results, deadline))
            for n in range(args.partners)
        ]
        latest_start = max(0.0, args.duration - 15)
        threads += [
            threading.Thread(target=resident, args=(base, n, started + rng.uniform(0, latest_start), timings, results))
            for n in range(args.residents)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(timeout=30)

    db = sqlite3.connect(home / "cspkit-web.sqlite3")
    stored_responses = db.execute("SELECT count(*) FROM web_surveyresponse").fetchone()[0]
    by_status = dict(db.execute("SELECT status || ' ' || held_reason, count(*) FROM web_surveyresponse GROUP BY 1").fetchall())
    issues_scored = db.execute("SELECT count(DISTINCT membership_id || '/' || issue_id) FROM web_score").fetchone()[0]
    submitted = db.execute("SELECT count(*) FROM web_membership WHERE submitted_at IS NOT NULL").fetchone()[0]

    app = [t for kind, ts in timings.items() if not kind.startswith("baseline") for t in ts]
    print(f"load_web: {args.partners} partners, {args.residents} residents, {elapsed:.0f} s, {len(app)} app requests "
          f"({len(app) / elapsed:.1f}/s), SQLite, {server_name}; load average before the run {load_before}")
    print(f"{'request kind':<24}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    for kind in sorted(timings):
        ts = timings[kind]
        print(f"{kind:<24}{len(ts):>7}{percentile(ts, 50):>9.1f}{percentile(ts, 95):>9.1f}{max(ts):>9.1f}")
    p95 = percentile(app, 95)
    print(f"{'all app requests':<24}{len(app):>7}{percentile(app, 50):>9.1f}{p95:>9.1f}{max(app):>9.1f}")
    static = timings["baseline: static file"]
    print(f"p50 ratio app / static baseline: {percentile(app, 50) / percentile(static, 50):.1f}")
    print(f"survey responses sent {results['survey_sent']}, stored {stored_responses} {by_status}")
    print(f"issues scored (every part saved): sent {results['score_pages_sent']}, stored {issues_scored}; "
          f"scorers submitted {submitted}")
    print(f"unexpected HTTP errors: {results['errors']} {dict(ERRORS)} (server log: {home / 'server.log'})")
    ok = (stored_responses == results["survey_sent"] == args.residents and issues_scored == results["score_pages_sent"]
          and results["errors"] == 0)
    verdict = "met" if p95 < 300 else "NOT met"
    print(f"nothing lost: {'yes' if ok else 'NO'}; p95 {p95:.0f} ms against a goal of 300 ms: {verdict}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
