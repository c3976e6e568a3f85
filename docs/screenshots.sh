#!/usr/bin/env bash
# Takes the screenshots in docs/screenshots/ from the real app on a virtual
# display: demo data, sign-in, every desk tab, and the kiosk.
# Needs: xvfb xdotool imagemagick. Usage: docs/screenshots.sh [WIDTHxHEIGHT] [zh|en]
set -euo pipefail
size=${1:-1024x768}
lang=${2:-zh}
cd "$(dirname "$0")/.."
out=docs/screenshots
mkdir -p "$out"
go build -o /tmp/anchang-shots .
dir=$(mktemp -d)
/tmp/anchang-shots --data-dir "$dir" demo --days 28 --per-day 60 >/dev/null 2>&1
if [[ $lang == en ]]; then
  sqlite_set="INSERT INTO settings(key,value) VALUES('language','en')"
  python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"$sqlite_set\"); c.commit()" "$dir/anchang.db"
fi
disp=":$((100 + RANDOM % 400))"
Xvfb "$disp" -screen 0 "${size}x24" -nolisten tcp >/dev/null 2>&1 & xpid=$!
trap 'kill $apid $xpid 2>/dev/null || true; rm -rf "$dir"' EXIT
sleep 1
export DISPLAY=$disp
W=${size%x*}; H=${size#*x}
LANG=zh_CN.UTF-8 /tmp/anchang-shots --data-dir "$dir" --window-size "$size" >/dev/null 2>/tmp/anchang-shots.log & apid=$!
for _ in $(seq 1 40); do sleep 0.5; xdotool search --onlyvisible --name . >/dev/null 2>&1 && break; done
sleep 2
shot() { sleep "${2:-1}"; import -window root "$out/$1-$lang-$size.png"; echo "$out/$1-$lang-$size.png"; }
click() { xdotool mousemove "$1" "$2" click 1; sleep 0.6; }
cx=$((W / 2)); cy=$((H / 2))

shot signin
# Pick the last staff member with a PIN (管理员) and sign in with 2580.
sel_y=$((cy - 8)); pin_y=$((cy + 30))
click $cx $sel_y
# The popup lists 刘主管, 张敏, 李静, 管理员: the fourth is about 4 rows below.
click $cx $((sel_y + 4 * 37))
click $cx $pin_y
xdotool type --delay 50 2580; xdotool key Return
shot checkin 2
# Tab buttons: check-in, board, rotation, answers, staff, settings (tickets and handover lie between them).
if [[ $lang == zh ]]; then tabs=(40 122 200 280 397 497); else tabs=(${EN_TABS:-40 136 232 309 437 585}); fi
# Check-in: a returning visitor's number shows their history and own consultant.
phone=$(python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute('SELECT substr(phone,4) FROM visitors p WHERE (SELECT count(*) FROM visits v WHERE v.visitor_id=p.id)>2 LIMIT 1').fetchone()[0])" "$dir/anchang.db")
click 300 189
xdotool type --delay 30 "$phone"
shot checkin-returning 1.5
click ${tabs[1]} 101
shot board 1.5
click 150 300
shot board-detail 1
xdotool key Escape; sleep 0.5
click ${tabs[2]} 101
shot rotation 1.5
click ${tabs[3]} 101
sleep 1
xdotool type --delay 80 daikuan
shot faq 1.5
click ${tabs[4]} 101
shot staff 1.5
click ${tabs[5]} 101
shot settings 1.5
# Check-in with an empty form: every field's message in red.
click ${tabs[0]} 101
click 31 586
shot checkin-errors 1
# Kiosk: the button at the top right.
click $((W - 130)) 52
shot kiosk-phone 1.5
xdotool type --delay 60 13912345678
shot kiosk-phone-typed 1
xdotool key Return
sleep 1
xdotool type --delay 80 "Wang"
shot kiosk-name 1
if [[ $size == 1024x768 ]]; then
  mr=(467 331); viewing=(322 463); next2=(645 715)
else
  mr=(840 459); viewing=(690 646); next2=(1149 1005)
fi
click ${mr[0]} ${mr[1]}
click ${viewing[0]} ${viewing[1]}
shot kiosk-name-chosen 0.5
click ${next2[0]} ${next2[1]}
shot kiosk-consent 1
click ${next2[0]} ${next2[1]}
shot kiosk-done 1.5
