"""Before a cspkit management command touches the database: say what to run first, not a traceback."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor


def require_migrated() -> None:
    """CommandError naming the command to run when the database cannot be reached or lacks tables."""
    connection = connections[DEFAULT_DB_ALIAS]
    where = connection.settings_dict.get("NAME")
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        raise CommandError(
            f"cannot open the web app's database ({where}): {exc}. Check DATABASE_URL (or CSPKIT_WEB_HOME) "
            "and that the database server is running."
        ) from exc
    if pending:
        raise CommandError(
            f"the web app's database ({where}) is not set up yet ({len(pending)} migration(s) to apply). "
            "Run 'python -m cspkit.web migrate' first (or start 'cspkit serve', which applies them), then run this again."
        )
