#!/usr/bin/env bash
# `make demo`: a development .env if there is none, the schema, the demo data (accounts and links printed
# every time), then the web server and the mail worker side by side. PORT=8000 serves on another port and
# puts that port in every emailed link. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-5000}"
export SURVEYAPP_BASE_URL="http://127.0.0.1:${PORT}"   # this run's port wins over .env (python-dotenv never overrides)
bash scripts/dev_env.sh "$PORT"
flask=.venv/bin/flask
$flask --app wsgi db upgrade
$flask --app wsgi demo
# Without MAIL_SERVER (development) the worker keeps each message for Admin → Outbox → Captured instead of sending it.
$flask --app wsgi mail send --watch &
worker=$!
trap 'kill "$worker" 2>/dev/null || true; wait "$worker" 2>/dev/null || true' EXIT
echo "The mail worker is running beside the web server (captured mail: ${SURVEYAPP_BASE_URL}/admin/outbox/captured)."
$flask --app wsgi run --host 127.0.0.1 --port "$PORT"
