#!/usr/bin/env bash
# Renders every printed form (sample data, blank, bad input) to PDF and its
# pages to PNG in docs/forms/, to look at. Needs poppler-utils (pdftoppm).
set -euo pipefail
cd "$(dirname "$0")/.."
out=docs/forms
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
FORMS_PREVIEW_DIR=$tmp go test -count=1 -run TestWritePreviews ./app/forms
mkdir -p "$out"
rm -f "$out"/*.png
for pdf in "$tmp"/*.pdf; do
  name=$(basename "$pdf" .pdf)
  pdftoppm -png -r 60 "$pdf" "$out/$name"
done
ls "$out"
