#!/usr/bin/env bash
# Takes the ticket desk's screenshots in docs/screenshots/ from the real app
# on a virtual display, over demo data: the list, the new-ticket form with
# its errors, a ticket's detail with its timeline, an action form.
# Needs: xvfb xdotool imagemagick. Usage: docs/screenshots-tickets.sh [WIDTHxHEIGHT] [zh|en]
set -euo pipefail
size=${1:-1024x768}
lang=${2:-zh}
# The demo office at a fixed clock, CLOCK (office time), like docs/screenshots.sh.
clock=${CLOCK:-2026-11-23T15:30}
cd "$(dirname "$0")/.."
out=docs/screenshots
mkdir -p "$out"
go build -o /tmp/anchang-ticket-shots .
dir=$(mktemp -d)
/tmp/anchang-ticket-shots --data-dir "$dir" --clock "$clock" demo --days 28 --per-day 60 >/dev/null 2>&1
if [[ $lang == en ]]; then
  python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"INSERT INTO settings(key,value) VALUES('language','en')\"); c.commit()" "$dir/anchang.db"
fi
disp=":$((100 + RANDOM % 400))"
Xvfb "$disp" -screen 0 "${size}x24" -nolisten tcp >/dev/null 2>&1 & xpid=$!
trap 'kill $apid $xpid 2>/dev/null || true; rm -rf "$dir"' EXIT
sleep 1
export DISPLAY=$disp
W=${size%x*}; H=${size#*x}
LANG=zh_CN.UTF-8 /tmp/anchang-ticket-shots --data-dir "$dir" --window-size "$size" --clock "$clock" >/dev/null 2>/tmp/anchang-ticket-shots.log & apid=$!
for _ in $(seq 1 40); do sleep 0.5; xdotool search --onlyvisible --name . >/dev/null 2>&1 && break; done
sleep 2
shot() { sleep "${2:-1}"; import -window root "$out/$1-$lang-$size.png"; echo "$out/$1-$lang-$size.png"; }
click() { xdotool mousemove "$1" "$2" click 1; sleep 0.6; }
cx=$((W / 2)); cy=$((H / 2))
# Sign in as 管理员 (the fourth name) with 258014; the clicks are found in
# screenshots (docs/shots-lib.sh), and the positions in the tab measured from
# its tab bar (dy: how far the demo banner and any warning strip push it down).
. docs/shots-lib.sh
signin 4 258014
sleep 4
tabbar 8
dy=$((tab_y - 101))
# The tickets tab: the fifth tab button.
click "${tabs[4]}" "$tab_y"
shot tickets 1.5
# New ticket (the button at the right end of the filter row), saved empty: every problem in red.
click $((W - 60)) $((157 + dy))
shot ticket-new 1
click $cx $((H / 2 + 253))
shot ticket-new-errors 1
click $((cx - 40)) $((H / 2 + 253))  # 取消
# The sixth row: a complaint past its escalation deadline; then its escalate form.
click 300 $((455 + dy))
shot ticket-detail 1.2
xdotool key Escape; sleep 0.5
# The first row: a revisit more than 3 days overdue.
click 300 $((267 + dy))
shot ticket-detail-revisit-overdue 1.2
xdotool key Escape; sleep 0.5
# A closed ticket with its whole timeline (the state filter's third option; zh only).
if [[ $lang == zh ]]; then
  click 265 $((157 + dy))              # the state filter (未关闭)
  click 265 $((266 + dy))              # its third option: 已关闭
  click 300 $((267 + dy))
  shot ticket-detail-closed 3
fi
