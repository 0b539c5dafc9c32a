#!/usr/bin/env bash
# Build the front-end from the npm packages (installed by `npm ci`): nothing built is committed.
set -euo pipefail
cd "$(dirname "$0")/.."
out=surveyapp/static/dist
mkdir -p "$out/assets"
node_modules/.bin/sass --no-source-map --style=compressed --quiet-deps --silence-deprecation=import assets/app.scss "$out/app.css"
cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js "$out/govuk-frontend.min.js"
cp -r node_modules/govuk-frontend/dist/govuk/assets/images "$out/assets/"
# plotly.js with only the trace types the dashboards draw (bar, scatter, funnel): 1.2 MB instead of 4.8 MB
cp node_modules/plotly.js-finance-dist-min/plotly-finance.min.js "$out/plotly.min.js"
echo "assets built in $out"
