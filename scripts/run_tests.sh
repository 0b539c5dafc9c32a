#!/usr/bin/env bash
# The whole suite: on SQLite and on PostgreSQL (TEST_DATABASE_URL, or a fresh database on a local server at
# 127.0.0.1:5432 when one answers). With CI=true a missing PostgreSQL is a failure.
#
# The two passes run side by side when the machine has two cores or more (TEST_PASSES=sequential to run one
# after the other): each is one pytest process that keeps about one core busy, they share nothing (SQLite
# files in temporary folders, their own PostgreSQL database, free ports), and the whole run takes the time of
# the longer pass instead of the sum. Each pass writes its own log, printed in full when it ends.
# tests/load (gunicorn, nginx, killed workers, a restarted PostgreSQL, a full disk: timing-bound, and they
# start their own servers and databases whatever TEST_DATABASE_URL says) run once, alone, after both passes.
set -euo pipefail
cd "$(dirname "$0")/.."
py=.venv/bin/python
logs=$(mktemp -d)

created=""
if [ -z "${TEST_DATABASE_URL:-}" ] && command -v pg_isready >/dev/null 2>&1 && pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  created="surveyapp_test_$(date +%s)_$$"
  psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE \"$created\"" && \
    export PG_TEST_DATABASE_URL="postgresql://postgres@127.0.0.1:5432/$created" || created=""
elif [ -n "${TEST_DATABASE_URL:-}" ]; then
  export PG_TEST_DATABASE_URL="$TEST_DATABASE_URL"
fi
cleanup() {
  if [ -n "$created" ]; then
    psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS \"$created\" WITH (FORCE)" >/dev/null || true
  fi
  rm -rf "$logs"
}
trap cleanup EXIT
if [ -z "${PG_TEST_DATABASE_URL:-}" ] && [ "${CI:-}" = "true" ]; then
  echo "CI=true but no PostgreSQL: set TEST_DATABASE_URL or start PostgreSQL on 127.0.0.1:5432" >&2
  exit 1
fi

sqlite_pass() {
  echo "== pytest on SQLite (tests marked postgres run in the PostgreSQL pass)"
  env -u TEST_DATABASE_URL "$py" -m pytest -m "not postgres" --ignore=tests/load --durations=15 "$@"
}
postgres_pass() {
  echo "== pytest on PostgreSQL (tests marked sqlite_only run in the SQLite pass)"
  TEST_DATABASE_URL="$PG_TEST_DATABASE_URL" "$py" -m pytest -m "not sqlite_only" --ignore=tests/load --durations=15 "$@"
}

load_tests() {
  echo "== pytest tests/load alone (real gunicorn, nginx and PostgreSQL servers of their own)"
  env -u TEST_DATABASE_URL "$py" -m pytest tests/load --durations=15 "$@"
}
if [ "$#" -gt 0 ]; then  # a chosen subset (make test PYTEST_ARGS=...): both passes, one after the other
  sqlite_pass "$@"
  if [ -n "${PG_TEST_DATABASE_URL:-}" ]; then postgres_pass "$@"; fi
  exit 0
fi

if [ -z "${PG_TEST_DATABASE_URL:-}" ]; then
  sqlite_pass
  load_tests
  echo "(PostgreSQL not found: the suite ran on SQLite only. Set TEST_DATABASE_URL to run it on PostgreSQL too.)"
  exit 0
fi

if [ "${TEST_PASSES:-}" = "sequential" ] || [ "$(nproc)" -lt 2 ]; then
  sqlite_pass
  postgres_pass
  load_tests
  exit 0
fi

echo "== the SQLite and PostgreSQL passes run side by side; each log is printed when its pass ends"
started=$(date +%s)
sqlite_pass >"$logs/sqlite.log" 2>&1 &
sqlite_pid=$!
postgres_pass >"$logs/postgres.log" 2>&1 &
postgres_pid=$!
status=0
report() {  # name, pid
  local code=0
  wait "$2" || code=$?
  echo
  echo "================ $1 pass: exit $code after $(( $(date +%s) - started )) s ================"
  cat "$logs/$1.log"
  [ "$code" -eq 0 ] || status=1
}
report sqlite "$sqlite_pid"
report postgres "$postgres_pid"
load_tests || status=1
exit "$status"
