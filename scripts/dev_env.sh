#!/usr/bin/env bash
# Write a development .env in the current directory if there is none (called by scripts/demo.sh).
# python-dotenv loads it into every `flask --app wsgi ...` command run here, so no one has to type
# SURVEYAPP_ENV=development in front of them. Usage: bash scripts/dev_env.sh [PORT]
set -euo pipefail
port="${1:-5000}"
if [ -f .env ]; then
  exit 0
fi
cat > .env <<ENV
# Written by \`make demo\` for trying Voice Survey on this machine. Not committed; never use it in production.
SURVEYAPP_ENV=development
SURVEYAPP_BASE_URL=http://127.0.0.1:${port}
SURVEYAPP_ORGANISATION="Northshire Patients' Forum"
ENV
echo "Wrote .env (development settings): every 'flask --app wsgi ...' command in this folder now uses them."
