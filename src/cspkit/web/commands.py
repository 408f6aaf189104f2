"""The ``cspkit serve`` command: the web app on this machine, on SQLite unless DATABASE_URL is set."""

from __future__ import annotations

import os
from typing import Annotated

import typer


def _server_class():
    from django.core.servers.basehttp import WSGIServer

    class Server(WSGIServer):
        """Django's threaded server with a longer listen queue, so a burst of residents is queued, not refused."""

        request_queue_size = 256

    return Server


def serve(
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    host: Annotated[str, typer.Option(help="Address to listen on (127.0.0.1 keeps it on this machine).")] = "127.0.0.1",
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
        run(host, port, application, threading=True, on_bind=None, server_cls=_server_class())
    except KeyboardInterrupt:
        typer.echo("Stopped.")
