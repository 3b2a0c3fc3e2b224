#!/usr/bin/env bash
# Build the static front end from npm packages into the Django static folder.
# Only the files the pages use are copied (not the whole dist/, which holds
# over 1,000 files).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
out="$here/src/partnering/core/static/partnering"
mkdir -p "$out/vendor" "$out/govuk-assets"
"$here/node_modules/.bin/sass" --quiet --no-source-map --style=compressed \
  --load-path="$here/node_modules" "$here/frontend/app.scss" "$out/app.css"
# The footer's copyright crest is GOV.UK's own: drop the reference rather than ship the image
# (a dangling reference would also break `collectstatic` with hashed file names).
sed -i 's#url("/static/partnering/govuk-assets/images/govuk-crest.svg")#none#g' "$out/app.css"
cp "$here/node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js" "$out/vendor/"
cp "$here/frontend/app.js" "$here/frontend/favicon.svg" "$out/"
# Images the components refer to (not the crown or the GOV.UK favicons).
mkdir -p "$out/govuk-assets/images"
for f in "$here"/node_modules/govuk-frontend/dist/govuk/assets/images/*; do
  case "$(basename "$f")" in *crown*|*crest*|favicon*|govuk-icon*|*govuk-opengraph*|manifest*) ;; *) cp "$f" "$out/govuk-assets/images/";; esac
done
