#!/usr/bin/env bash
# The kiosk left idle: opens the kiosk from the demo office (signed in as
# 管理员, 258014), screenshots it at once and again after IDLE seconds
# (default 180), and compares the two (ImageMagick compare -metric AE: the
# number of pixels that differ). Nothing on the idle kiosk should grow or
# move. Writes docs/screenshots/kiosk-idle-{start,after}-LANG-SIZE.png.
# Needs: xvfb xdotool imagemagick python3.
# Usage: docs/screenshots-kiosk-idle.sh [WIDTHxHEIGHT] [zh|en]  (default 1920x1080 zh)
set -euo pipefail
size=${1:-1920x1080}
lang=${2:-zh}
idle=${IDLE:-180}
clock=${CLOCK:-2026-11-23T15:30}
cd "$(dirname "$0")/.."
out=${OUT:-docs/screenshots}
mkdir -p "$out"
go build -o /tmp/anchang-kiosk-shots .
dir=$(mktemp -d)
/tmp/anchang-kiosk-shots --data-dir "$dir" --clock "$clock" demo --days 3 --per-day 30 >/dev/null 2>&1
if [[ $lang == en ]]; then
  python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"INSERT INTO settings(key,value) VALUES('language','en')\"); c.commit()" "$dir/anchang.db"
fi
disp=":$((100 + RANDOM % 400))"
Xvfb "$disp" -screen 0 "${size}x24" -nolisten tcp >/dev/null 2>&1 & xpid=$!
apid=""
trap 'kill $apid $xpid 2>/dev/null || true; rm -rf "$dir"' EXIT
sleep 1
export DISPLAY=$disp
W=${size%x*}; H=${size#*x}
cx=$((W / 2))
LANG=zh_CN.UTF-8 /tmp/anchang-kiosk-shots --data-dir "$dir" --window-size "$size" --clock "$clock" >/dev/null 2>/tmp/anchang-kiosk-shots.log & apid=$!
for _ in $(seq 1 40); do sleep 0.5; xdotool search --onlyvisible --name . >/dev/null 2>&1 && break; done
sleep 4
. docs/shots-lib.sh
signin 4 258014
sleep 4
# The top bar's buttons, right to left: sign out, kiosk, ... (under the
# demo banner and the calendar warning strip: 88 px above the tab bar).
tabbar 8
import -window root "$dir/desk.png"
read -ra top <<<"$(words "$dir/desk.png" $((tab_y - 96)) $((tab_y - 80)))"
echo "top bar: ${top[*]}" >&2
xdotool mousemove "${top[-2]}" $((tab_y - 88)) click 1
xdotool mousemove $((W - 1)) $((H - 1))  # the pointer out of the way
sleep 3
start=$out/kiosk-idle-start-$lang-$size.png
after=$out/kiosk-idle-after-$lang-$size.png
import -window root "$start"; echo "$start"
sleep "$idle"
import -window root "$after"; echo "$after"
ae=$(compare -metric AE "$start" "$after" null: 2>&1 || true)
echo "pixels that differ after ${idle}s idle: $ae"
