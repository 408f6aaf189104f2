"""``cspkit serve`` for real: several processes answering on one port and a document worker, all
stopped by one signal."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc").exists() or not hasattr(os, "fork"), reason="needs fork and /proc")
def test_serve_runs_processes_that_share_the_port_and_stop_together(tmp_path):
    port = _free_port()
    env = {**os.environ, "CSPKIT_WEB_HOME": str(tmp_path), "CSPKIT_WORKER_IN_PROCESS": "1"}
    for setting in ("DATABASE_URL", "ALLOWED_HOSTS"):
        env.pop(setting, None)
    server = subprocess.Popen(
        [sys.executable, "-c", "from cspkit.cli import main; main()", "serve", "--port", str(port), "--processes", "2"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        statuses = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(statuses) < 20:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/accessibility/", timeout=5) as response:
                    statuses.append(response.status)
            except OSError:
                time.sleep(0.2)
        assert statuses == [200] * 20
        children = _children(server.pid)
        assert len(children) == 3  # two serving pages, one building documents
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    finally:
        server.kill()
    assert server.returncode == 0, output
    assert "2 process(es)" in output and "Stopped." in output
    assert not [pid for pid in children if Path(f"/proc/{pid}").exists()]


def test_serve_with_config_links_the_assessment_without_django_admin(tmp_path):
    import sqlite3

    demo = Path(__file__).resolve().parents[2] / "demo" / "assessment.toml"
    env = {**os.environ, "CSPKIT_WEB_HOME": str(tmp_path), "CSPKIT_WORKER_IN_PROCESS": "0"}
    env.pop("DATABASE_URL", None)
    server = subprocess.Popen(
        [sys.executable, "-c", "from cspkit.cli import main; main()", "serve", "--port", str(_free_port()),
         "--processes", "1", "--config", str(demo), "--assessment", "demo"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        lines = []
        for line in server.stdout:
            lines.append(line)
            if line.startswith("cspkit web app on"):
                break
        server.send_signal(signal.SIGTERM)
        server.communicate(timeout=30)
    finally:
        server.kill()
    output = "".join(lines)
    assert "Created assessment demo" in output and "add_member demo USERNAME --role analyst" in output
    with sqlite3.connect(tmp_path / "cspkit-web.sqlite3") as db:
        assert db.execute("select slug, config_path from web_assessment").fetchall() == [("demo", str(demo))]


def test_serve_refuses_a_config_it_cannot_read(tmp_path):
    env = {**os.environ, "CSPKIT_WEB_HOME": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", "from cspkit.cli import main; main()", "serve", "--config", str(tmp_path / "none.toml")],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 1 and "cannot link this file" in result.stderr and "Traceback" not in result.stderr
