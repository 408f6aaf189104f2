"""The ``cspkit serve`` command: the web app on this machine, on SQLite unless DATABASE_URL is set."""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import sys
import time
from pathlib import Path
from typing import Annotated

import typer


def default_processes() -> int:
    """One process per core, up to four, on Linux. Elsewhere one: Windows cannot fork, and macOS
    libraries may abort in a forked child (``--processes`` still asks for more there)."""
    return min(4, os.cpu_count() or 1) if sys.platform.startswith("linux") else 1


def _server_class(threads: int):
    """Django's WSGI server with a fixed pool of threads and a long listen queue.

    Django's own threaded server starts a thread per connection; under a burst (a room of partners,
    a survey link shared on social media) hundreds of threads fight over one interpreter, and the
    one holding SQLite's write lock can wait so long that others time out. A fixed pool queues the
    burst instead. Responses carry ``Connection: close`` (Django does this for non-threading
    servers), so an idle browser connection never holds a pool thread. The pool is made on the
    first request, so a forked process gets its own threads.
    """
    from concurrent.futures import ThreadPoolExecutor

    from django.core.servers.basehttp import WSGIServer

    class PooledServer(WSGIServer):
        request_queue_size = 512
        pool: ThreadPoolExecutor | None = None

        def process_request(self, request, client_address) -> None:
            if self.pool is None:
                self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="cspkit-web")
            self.pool.submit(self._handle, request, client_address)

        def _handle(self, request, client_address) -> None:
            try:
                self.finish_request(request, client_address)
            except Exception:
                self.handle_error(request, client_address)
            finally:
                self.shutdown_request(request)

    return PooledServer


def _serve(server, start_worker: bool) -> None:
    """Serve until interrupted, with the document worker thread when this process runs one."""
    from cspkit.web import jobs

    if start_worker:
        jobs.start_worker_thread()
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


def _work_on_documents() -> None:
    """The document worker process: build queued jobs until interrupted."""
    from cspkit.web import jobs

    with contextlib.suppress(KeyboardInterrupt):
        jobs.start_worker_thread(poll_seconds=2.0).join()


def _serve_in_processes(server, processes: int, start_worker: bool) -> None:
    """Fork ``processes`` copies that accept on the one listening socket, and one that builds
    documents; this process supervises.

    Python runs one thread at a time per process, so on a laptop one process uses one core
    whatever its thread pool. The copies share nothing but the socket and the database (SQLite
    in WAL mode takes writers from several processes). A document build takes a core for half a
    minute, so it has a process of its own rather than a thread in one that serves pages; it
    looks for queued jobs every two seconds. A process that dies is replaced.
    """
    from django.db import connections

    connections.close_all()  # no database connection may cross a fork

    def start(work) -> tuple[int, tuple]:
        pid = os.fork()
        if pid == 0:  # the copy: work, and never return into the supervisor's code
            code = 1
            try:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                work()
                code = 0
            finally:
                os._exit(code)
        return pid, (work, time.monotonic())

    def stop(signum, frame) -> None:
        raise KeyboardInterrupt

    serve_pages = functools.partial(_serve, server, False)
    children = dict(start(serve_pages) for _ in range(processes))
    if start_worker:
        children.update([start(_work_on_documents)])
    signal.signal(signal.SIGTERM, stop)
    try:
        while children:
            pid, status = os.wait()
            work, started = children.pop(pid)
            if time.monotonic() - started < 5:
                typer.echo(f"A server process stopped at once (wait status {status}); see the messages above.", err=True)
                raise typer.Exit(1)
            children.update([start(work)])  # replace a process that died after working
    except KeyboardInterrupt:
        pass
    finally:
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        for pid in children:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)


def serve(
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    host: Annotated[str, typer.Option(help="Address to listen on (127.0.0.1 keeps it on this machine).")] = "127.0.0.1",
    threads: Annotated[int, typer.Option(help="Requests handled at once per process; more wait in a queue.")] = 8,
    processes: Annotated[int, typer.Option(
        help="Server processes sharing the port (default: one per core, up to 4, on Linux; 1 elsewhere; always 1 on Windows).",
        show_default=False)] = 0,
    config: Annotated[Path | None, typer.Option(
        help="Link this assessment.toml to an assessment of the app first (created if new; no Django admin needed).",
        show_default=False)] = None,
    assessment: Annotated[str, typer.Option(
        help="The assessment's short name (slug) for --config; default: made from the config's [assessment] name.",
        show_default=False)] = "",
) -> None:
    """Start the partnership web app: apply database migrations, then serve until stopped (Ctrl+C).

    For a county or region deployment run gunicorn instead (see docs/web.md).
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cspkit.web.settings")
    import django
    from django.conf import settings
    from django.core.management import call_command
    from django.core.servers.basehttp import WSGIRequestHandler

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    if config is not None:
        from django.core.management.base import CommandError

        try:
            call_command("link_assessment", str(config), assessment=assessment)
        except CommandError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from exc
    from cspkit.web.wsgi import application

    processes = processes if processes > 0 else default_processes()
    if processes > 1 and not hasattr(os, "fork"):
        raise typer.BadParameter("several processes need fork(), which this system lacks", param_hint="--processes")
    server = _server_class(threads)((host, port), WSGIRequestHandler, ipv6=":" in host)
    server.set_app(application)
    database = settings.DATABASES["default"]["NAME"]
    typer.echo(f"cspkit web app on http://{host}:{port}/ (database: {database}; {processes} process(es) "
               f"x {threads} threads). Ctrl+C stops it.")
    if config is None:
        typer.echo("First account: python -m cspkit.web add_member ASSESSMENT USERNAME --role analyst --organisation ORG")
    if processes > 1:
        _serve_in_processes(server, processes, settings.CSPKIT_WORKER_IN_PROCESS)
    else:
        _serve(server, settings.CSPKIT_WORKER_IN_PROCESS)
    server.server_close()
    typer.echo("Stopped.")
