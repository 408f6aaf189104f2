"""The ``cspkit serve`` command: the web app on this machine, on SQLite unless DATABASE_URL is set."""

from __future__ import annotations

import os
from typing import Annotated

import typer


def _server_class(threads: int):
    """Django's WSGI server with a fixed pool of threads and a long listen queue.

    Django's own threaded server starts a thread per connection; under a burst (a room of partners,
    a survey link shared on social media) hundreds of threads fight over one interpreter, and the
    one holding SQLite's write lock can wait so long that others time out. A fixed pool queues the
    burst instead. Responses carry ``Connection: close`` (Django does this for non-threading
    servers), so an idle browser connection never holds a pool thread.
    """
    from concurrent.futures import ThreadPoolExecutor

    from django.core.servers.basehttp import WSGIServer

    class PooledServer(WSGIServer):
        request_queue_size = 512
        pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="cspkit-web")

        def process_request(self, request, client_address) -> None:
            self.pool.submit(self._handle, request, client_address)

        def _handle(self, request, client_address) -> None:
            try:
                self.finish_request(request, client_address)
            except Exception:
                self.handle_error(request, client_address)
            finally:
                self.shutdown_request(request)

    return PooledServer


def serve(
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    host: Annotated[str, typer.Option(help="Address to listen on (127.0.0.1 keeps it on this machine).")] = "127.0.0.1",
    threads: Annotated[int, typer.Option(help="Requests handled at once; more wait in a queue.")] = 8,
) -> None:
    """Start the partnership web app: apply database migrations, then serve until stopped (Ctrl+C).

    For a county or region deployment run gunicorn instead (see docs/web.md).
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cspkit.web.settings")
    import django
    from django.conf import settings
    from django.core.management import call_command
    from django.core.servers.basehttp import run

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    from cspkit.web import jobs
    from cspkit.web.wsgi import application

    if settings.CSPKIT_WORKER_IN_PROCESS:
        jobs.start_worker_thread()
    database = settings.DATABASES["default"]["NAME"]
    typer.echo(f"cspkit web app on http://{host}:{port}/ (database: {database}). Ctrl+C stops it.")
    typer.echo("First account: python -m cspkit.web add_member ASSESSMENT USERNAME --role analyst --organisation ORG")
    try:
        run(host, port, application, threading=False, on_bind=None, server_cls=_server_class(threads))
    except KeyboardInterrupt:
        typer.echo("Stopped.")
