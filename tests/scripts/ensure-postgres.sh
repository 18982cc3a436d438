#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server for the tests (Debian's package, installed when missing) and prints its
# connection string. Idempotent: a server already answering on the port is reused.
# Usage: ensure-postgres.sh [port]   (default 55432; data in ${TMPDIR:-/tmp}/batchops-pg-<port>)
set -euo pipefail
port="${1:-55432}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$here/ensure-debian-package.sh" pg_ctlcluster postgresql >&2
bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
[ -x "$bin/initdb" ] || { echo "PostgreSQL server binaries not found under /usr/lib/postgresql" >&2; exit 1; }
data="${TMPDIR:-/tmp}/batchops-pg-$port"
password="batchops-test"
connection="Host=127.0.0.1;Port=$port;Username=batchops;Password=$password;Database=postgres"

# PostgreSQL refuses to run as root: run it as the 'postgres' user Debian's package creates.
run_as=()
if [ "$(id -u)" -eq 0 ]; then run_as=(runuser -u postgres --); fi

if "$bin/pg_isready" -h 127.0.0.1 -p "$port" -q; then
  echo "$connection"
  exit 0
fi

if [ ! -s "$data/PG_VERSION" ]; then
  rm -rf "$data"
  mkdir -p "$data"
  [ "$(id -u)" -ne 0 ] || chown postgres:postgres "$data"
  pwfile="$(mktemp)"
  echo "$password" > "$pwfile"
  chmod 644 "$pwfile"
  "${run_as[@]}" "$bin/initdb" -D "$data" -U batchops --pwfile="$pwfile" -A scram-sha-256 >&2
  rm -f "$pwfile"
fi

# fsync off: a test database that is thrown away does not need durability, and it makes the tests faster.
"${run_as[@]}" "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 \
  -o "-p $port -k $data -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >&2 \
  || { echo "PostgreSQL did not start; its log:" >&2; tail -n 30 "$data/server.log" >&2; exit 1; }
echo "$connection"
