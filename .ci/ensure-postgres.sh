#!/usr/bin/env bash
# Makes sure the PostgreSQL the tests use is there: a server on 127.0.0.1:5432 with a database
# `test` that user `postgres` can reach over TCP without a password (the tests' default URL,
# postgres://postgres@127.0.0.1:5432/test). Starts the local cluster if it is installed but down;
# installs Debian's postgresql package if it is missing. Idempotent, and silent when all is well.
#
# Needs root (or password-less sudo) for anything beyond checking. Trust is granted only to user
# postgres, database test, from 127.0.0.1: a test database on a development or CI machine.
set -euo pipefail

HOST=127.0.0.1
PORT=5432
DATABASE=test
LOG=$(mktemp -t ensure-postgres.XXXXXX)
trap 'rm -f "$LOG"' EXIT

fail() {
  echo "ensure-postgres: $*" >&2
  [ -s "$LOG" ] && tail -n 30 "$LOG" >&2
  exit 1
}

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi
}

# Over the local socket, where Debian lets user postgres in by peer authentication.
as_postgres() {
  (cd / && if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else sudo -n -u postgres "$@"; fi)
}

ready() {
  command -v pg_isready >/dev/null && pg_isready -q -h "$HOST" -p "$PORT"
}

wait_until_ready() {
  for _ in $(seq 1 60); do
    ready && return 0
    sleep 0.5
  done
  fail "PostgreSQL did not accept connections on $HOST:$PORT within 30 s"
}

# The installed cluster that listens on $PORT, as "version name" (Debian's postgresql-common).
local_cluster() {
  command -v pg_lsclusters >/dev/null || return 0
  pg_lsclusters --no-header 2>/dev/null | awk -v port="$PORT" '$3 == port { print $1, $2; exit }'
}

if ! ready; then
  if [ -z "$(local_cluster)" ]; then
    as_root apt-get update -qq >>"$LOG" 2>&1 || fail "apt-get update failed"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >>"$LOG" 2>&1 ||
      fail "apt-get install postgresql failed"
  fi
  cluster=$(local_cluster)
  [ -n "$cluster" ] || fail "PostgreSQL is installed but no cluster listens on port $PORT (see pg_lsclusters)"
  # shellcheck disable=SC2086 # "version name" is two arguments
  as_root pg_ctlcluster --skip-systemctl-redirect $cluster start >>"$LOG" 2>&1 ||
    fail "could not start the PostgreSQL cluster $cluster"
  wait_until_ready
fi

can_connect() {
  psql -w -h "$HOST" -p "$PORT" -U postgres -d "$1" -Atqc 'SELECT 1' >/dev/null 2>&1
}

# A fresh Debian install asks for a password over TCP: let postgres reach `test` from 127.0.0.1.
if ! can_connect postgres && ! can_connect "$DATABASE"; then
  hba=$(as_postgres psql -p "$PORT" -Atqc 'SHOW hba_file') || fail "cannot reach PostgreSQL as user postgres over its socket"
  rule="host $DATABASE postgres $HOST/32 trust"
  if ! as_root grep -qxF "$rule" "$hba"; then
    # pg_hba.conf is read top-down and the first matching line wins, so the rule goes first.
    as_root sed -i "1i $rule" "$hba" || fail "could not add a trust rule to $hba"
  fi
  as_postgres psql -p "$PORT" -Atqc 'SELECT pg_reload_conf()' >>"$LOG" 2>&1 || fail "could not reload the PostgreSQL configuration"
fi

if ! can_connect "$DATABASE"; then
  if can_connect postgres; then
    psql -w -h "$HOST" -p "$PORT" -U postgres -d postgres -Atqc "CREATE DATABASE $DATABASE" >>"$LOG" 2>&1 ||
      fail "could not create database $DATABASE"
  else
    as_postgres createdb -p "$PORT" "$DATABASE" >>"$LOG" 2>&1 || fail "could not create database $DATABASE"
  fi
fi

can_connect "$DATABASE" || fail "user postgres cannot connect to $HOST:$PORT/$DATABASE"
