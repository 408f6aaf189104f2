#!/usr/bin/env bash
# Runs the suite: everything on the embedded defaults (DuckDB, SQLite), then the web tests again
# on a throwaway PostgreSQL cluster when the server binaries are present.
set -euo pipefail
BIN=${VENV:-.venv}/bin
"$BIN"/pytest -q -n 2 --dist loadfile "$@"
if [ -f scripts/with-postgres.sh ] && [ -d tests/web ]; then
    bash scripts/with-postgres.sh "$BIN"/pytest -q tests/web -m "not browser"
fi
