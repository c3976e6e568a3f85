#!/bin/sh
# Takes the markup of failed golden-file tests (app/testdata/failed/golden)
# as the new masters (app/testdata/golden), after you have looked at what
# changed: go test ./app -run TestGolden, read the diff, then run this.
set -eu
cd "$(dirname "$0")/.."
go test ./app -run 'TestGolden' -count=1 >/dev/null 2>&1 || true
if [ ! -d app/testdata/failed/golden ]; then
	echo "no failed golden files: the masters match"
	exit 0
fi
mkdir -p app/testdata/golden
for f in app/testdata/failed/golden/*.xml; do
	cp "$f" app/testdata/golden/
	echo "updated app/testdata/golden/$(basename "$f")"
done
rm -rf app/testdata/failed/golden
git diff --stat -- app/testdata/golden
