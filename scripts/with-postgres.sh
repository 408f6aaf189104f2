#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster, e.g.
#   bash scripts/with-postgres.sh .venv/bin/pytest -q tests/web -m "not browser"
# initdb in a temporary folder, start on a free loopback port, export DATABASE_URL, run the
# command, then stop the server and delete the folder. Exits with the command's status.
# initdb refuses to run as root, so as root the server runs as the 'postgres' user (or a
# system user made for it). Without the server binaries it says so and exits 0 (skipped).
set -uo pipefail

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
if [ ! -x "$PGBIN/initdb" ]; then
    PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
fi
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
    echo "note: PostgreSQL server binaries not found (apt-get install postgresql); skipped: $*" >&2
    exit 0
fi
if [ $# -eq 0 ]; then
    echo "usage: $0 COMMAND [ARG...]" >&2
    exit 2
fi

as_server() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u "$SERVER_USER" -- "$@"
    else
        "$@"
    fi
}

if [ "$(id -u)" -eq 0 ]; then
    SERVER_USER=postgres
    if ! id "$SERVER_USER" >/dev/null 2>&1; then
        SERVER_USER=cspkit-pg
        id "$SERVER_USER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$SERVER_USER"
    fi
fi

CLUSTER=$(mktemp -d "${TMPDIR:-/tmp}/cspkit-pg.XXXXXX")
[ "$(id -u)" -eq 0 ] && chown "$SERVER_USER" "$CLUSTER"
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')

cleanup() {
    as_server "$PGBIN/pg_ctl" -D "$CLUSTER/data" -m fast -w stop >/dev/null 2>&1
    rm -rf "$CLUSTER"
}
trap cleanup EXIT

if ! as_server "$PGBIN/initdb" -D "$CLUSTER/data" -U cspkit --auth=trust -E UTF8 --locale=C.UTF-8 >"$CLUSTER/initdb.log" 2>&1; then
    cat "$CLUSTER/initdb.log" >&2
    exit 1
fi
if ! as_server "$PGBIN/pg_ctl" -D "$CLUSTER/data" -l "$CLUSTER/server.log" -w -t 60 \
        -o "-p $PORT -k $CLUSTER -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
        start >/dev/null; then
    cat "$CLUSTER/server.log" >&2
    exit 1
fi
as_server "$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U cspkit cspkit

export DATABASE_URL="postgresql://cspkit@127.0.0.1:$PORT/cspkit"
echo "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT (throwaway cluster)" >&2
"$@"
status=$?
exit $status
