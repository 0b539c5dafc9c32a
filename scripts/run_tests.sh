#!/usr/bin/env bash
# The whole suite: on SQLite, then on PostgreSQL (TEST_DATABASE_URL, or a fresh database on a
# local server at 127.0.0.1:5432 when one answers). With CI=true a missing PostgreSQL is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
py=.venv/bin/python

echo "== pytest on SQLite (tests marked postgres run in the PostgreSQL pass)"
env -u TEST_DATABASE_URL "$py" -m pytest -m "not postgres" "$@"

created=""
if [ -z "${TEST_DATABASE_URL:-}" ] && command -v pg_isready >/dev/null 2>&1 && pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  created="surveyapp_test_$(date +%s)_$$"
  psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE \"$created\"" && \
    export TEST_DATABASE_URL="postgresql://postgres@127.0.0.1:5432/$created" || created=""
fi
if [ -n "$created" ]; then
  trap 'psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS \"$created\" WITH (FORCE)" >/dev/null || true' EXIT
fi
if [ -n "${TEST_DATABASE_URL:-}" ]; then
  echo "== pytest on PostgreSQL (tests marked sqlite_only ran in the SQLite pass; tests/load start their own"
  echo "   servers and databases whatever TEST_DATABASE_URL says, so they ran once, in the SQLite pass)"
  "$py" -m pytest -m "not sqlite_only" --ignore=tests/load "$@"
elif [ "${CI:-}" = "true" ]; then
  echo "CI=true but no PostgreSQL: set TEST_DATABASE_URL or start PostgreSQL on 127.0.0.1:5432" >&2
  exit 1
else
  echo "(PostgreSQL not found: the suite ran on SQLite only. Set TEST_DATABASE_URL to run it on PostgreSQL too.)"
fi
