#!/usr/bin/env bash
# Takes the screenshots in docs/screenshots/ from the real app on a virtual
# display: first-run setup, a newer database refused, demo data, sign-in,
# the desk's tabs (check-in, board, rotation, answers, staff, settings), the
# print modal, the blank forms and the kiosk.
# Needs: xvfb xdotool imagemagick python3.
# Usage: docs/screenshots.sh [WIDTHxHEIGHT] [zh|en]
# The three sets in the docs: 1024x768 zh, 1024x768 en, 1920x1080 zh.
# OUT=dir writes the PNGs elsewhere (to look before replacing the docs' ones).
# Uses /tmp/anchang-shots.d as its data directory: run one at a time.
# The desk runs on the demo office (its DEMO banner shows) at a fixed clock,
# CLOCK (office time, default a Monday afternoon), so the board has the
# day's visitors whatever the time of day the script runs.
#
# The tab buttons and the top bar's buttons are found in a screenshot of the
# desk (text between gaps), so new tabs or a longer top bar do not break it;
# the other clicks are positions measured in the screenshots. The tickets,
# inspection, sync, kiosk-idle and FAQ-admin screenshots have their own
# scripts (docs/shots-lib.sh holds the sign-in and tab-bar finding they share).
set -euo pipefail
size=${1:-1024x768}
lang=${2:-zh}
clock=${CLOCK:-2026-11-23T15:30}
cd "$(dirname "$0")/.."
out=${OUT:-docs/screenshots}
mkdir -p "$out"
go build -o /tmp/anchang-shots .
# A fixed directory: the print modal shows where the PDF went.
dir=/tmp/anchang-shots.d
rm -rf "$dir"; mkdir -p "$dir/home"
export HOME=$dir/home
W=${size%x*}; H=${size#*x}
cx=$((W / 2)); cy=$((H / 2))
disp=":$((100 + RANDOM % 400))"
Xvfb "$disp" -screen 0 "${size}x24" -nolisten tcp >/dev/null 2>&1 & xpid=$!
apid=""
stop_app() { if [[ -n $apid ]]; then kill "$apid" 2>/dev/null || true; wait "$apid" 2>/dev/null || true; apid=""; fi; }
trap 'stop_app; kill $xpid 2>/dev/null || true; rm -rf "$dir"' EXIT
sleep 1
export DISPLAY=$disp
# start_app DATADIR [LANG]: runs the app and waits for its window; the
# demo office runs at the clock.
start_app() {
  local extra=()
  [[ $1 == "$dir/demo" ]] && extra=(--clock "$clock")
  LANG=${2:-zh_CN.UTF-8} /tmp/anchang-shots --data-dir "$1" --window-size "$size" "${extra[@]}" >/dev/null 2>>/tmp/anchang-shots.log & apid=$!
  for _ in $(seq 1 40); do sleep 0.5; xdotool search --onlyvisible --name . >/dev/null 2>&1 && break; done
  sleep 2
}
shot() { sleep "${2:-1}"; import -window root "$out/$1-$lang-$size.png"; echo "$out/$1-$lang-$size.png"; }
click() { xdotool mousemove "$1" "$2" click 1; sleep 0.6; }
sql() { python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); r=c.execute(sys.argv[2]).fetchone(); c.commit(); print(r[0] if r else '')" "$dir/$1/anchang.db" "$2"; }
# words (finding words and buttons in a screenshot) comes from
# docs/shots-lib.sh, shared with the other screenshot scripts.
. docs/shots-lib.sh

# First run: an empty data directory shows the setup form.
if [[ $lang == zh && $size == 1024x768 ]]; then
  start_app "$dir/setup"
  shot setup
  stop_app
  # A database from a newer version is refused, unchanged.
  /tmp/anchang-shots --data-dir "$dir/newer" demo --days 1 --per-day 5 >/dev/null 2>&1
  sql newer "PRAGMA user_version = 99" >/dev/null
  start_app "$dir/newer"
  shot newer-database
  stop_app
fi

/tmp/anchang-shots --data-dir "$dir/demo" --clock "$clock" demo --days 28 --per-day 60 >/dev/null 2>&1
[[ $lang == en ]] && sql demo "INSERT INTO settings(key,value) VALUES('language','en')" >/dev/null
start_app "$dir/demo"
shot signin
# Pick the last staff member with a PIN (管理员) and sign in with 258014.
# The sign-in button is the dark bar under the name and the PIN (found in
# the screenshot, right of the logo): their middles are 58 and 21 px above its top.
btn_y=$(convert "$out/signin-$lang-$size.png" -crop "1x$((H - 120))+$((cx + 150))+120" +repage -depth 8 txt:- | python3 -c '
import sys
for line in sys.stdin:
    if line.startswith("#"): continue
    xy, rest = line.split(":", 1)
    r, g, b = (int(v) for v in rest.split("(")[1].split(")")[0].split(",")[:3])
    if r < 60 and 70 < g < 130 and 70 < b < 120: print(120 + int(xy.split(",")[1])); break')
sel_y=$((btn_y - 58)); pin_y=$((btn_y - 21))
click $cx $sel_y
# The popup lists 刘主管, 张敏, 李静, 管理员: the fourth is about 4 rows below.
click $cx $((sel_y + 4 * 37))
click $cx $pin_y
xdotool type --delay 50 258014; xdotool key Return
# The desk, once its first reload has shown what it shows above the tabs
# (the calendar warning strip in November and December pushes them down).
sleep 5
import -window root "$dir/desk.png"
[[ -n ${SHOTS_DEBUG:-} ]] && cp "$dir/desk.png" "$out/"
# The tab buttons (admin): check-in, board, rotation, answers, tickets,
# staff, handover, settings — found as the first band of rows under the
# top bar with 8 words, so a strip above them does not break the clicks.
# The demo office's banner (48 px) is above the top bar.
ban=48
tab_y=""
for y0 in $(seq $((80 + ban)) 4 $((220 + ban))); do
  read -ra tabs <<<"$(words "$dir/desk.png" $y0 $((y0 + 16)))"
  if [[ ${#tabs[@]} -eq 8 ]]; then tab_y=$((y0 + 8)); break; fi
done
if [[ -z $tab_y ]]; then
  echo "tab bar not found; using the last known positions" >&2
  tab_y=149
  if [[ $lang == zh ]]; then tabs=(41 121 201 281 346 396 446 496); else tabs=(40 136 232 308 379 437 506 585); fi
fi
# Positions in the tab's content, measured from the tab bar.
phone_y=$((tab_y + 95)) row1_y=$((tab_y + 199)) formb_y=$((tab_y + 493))
settings_x=${tabs[-1]}
# The top bar's buttons, right to left: sign out, kiosk, the clock, ...
read -ra top <<<"$(words "$dir/desk.png" $((44 + ban)) $((60 + ban)))"
kiosk_x=${top[-2]}
echo "tabs: ${tabs[*]}  kiosk: $kiosk_x" >&2
shot checkin 0
# Check-in: a returning visitor's number shows their history and own consultant.
phone=$(sql demo "SELECT substr(phone,4) FROM visitors p WHERE (SELECT count(*) FROM visits v WHERE v.visitor_id=p.id)>2 LIMIT 1")
click 300 $phone_y
xdotool type --delay 30 "$phone"
shot checkin-returning 1.5
click "${tabs[1]}" $tab_y
shot board 1.5
# The first row's visitor: the detail dialog, then its print modal (a
# machine without printers saves the PDF instead).
click 150 $row1_y
shot board-detail 1
if [[ $size == 1024x768 ]]; then
  click $((cx + 131)) $((cy + 87)) # 打印登记表
  sleep 1.5
  click $((cx + 65)) $((cy + 67))  # 打印
  shot print 2
  xdotool key Escape; sleep 0.5
fi
xdotool key Escape; sleep 0.5
click "${tabs[2]}" $tab_y
shot rotation 1.5
click "${tabs[3]}" $tab_y
sleep 1
xdotool type --delay 80 daikuan
shot faq 1.5
click "${tabs[5]}" $tab_y
shot staff 1.5
click "$settings_x" $tab_y
shot settings 1.5
# Tools ▸ Blank forms: the paper forms for when the computer is down.
click 31 13
# SHOTS_DEBUG=1 keeps the desk and the open menu, to measure from.
import -window root "$dir/menu.png"
[[ -n ${SHOTS_DEBUG:-} ]] && cp "$dir/desk.png" "$dir/menu.png" "$out/"
# Its items (admin, demo office): 自助登记模式, 空白表单, … 37 px apart from y 45.
click 60 82
shot print-blank 1
click $cx $((cy + 145)) # 关闭
# Check-in with an empty form: every field's message in red.
click "${tabs[0]}" $tab_y
import -window root "$dir/form.png"
read -ra formb <<<"$(words "$dir/form.png" $((formb_y - 8)) $((formb_y + 8)))" # 登记, 清空, then the side panel
click "${formb[1]:-81}" $formb_y # 清空
click "${formb[0]:-31}" $formb_y # 登记
shot checkin-errors 1
# Kiosk: the button at the top right.
click "$kiosk_x" $((52 + ban))
shot kiosk-phone 1.5
xdotool type --delay 60 13912345678
shot kiosk-phone-typed 1
xdotool key Return
sleep 1
shot kiosk-name 1
# Positions measured from the kiosk's fixed layout (1024x768: scale 1;
# 1920x1080: scale 1.41): the surname 王, 先生, 看房, 下一步.
if [[ $size == 1024x768 ]]; then
  wang=(166 264); mr=(324 397); viewing=(256 505); next2=(645 715)
else
  wang=(474 372); mr=(696 558); viewing=(600 711); next2=(1148 1005)
fi
click ${wang[0]} ${wang[1]}
click ${mr[0]} ${mr[1]}
click ${viewing[0]} ${viewing[1]}
shot kiosk-name-chosen 0.5
click ${next2[0]} ${next2[1]}
shot kiosk-consent 1
click ${next2[0]} ${next2[1]}
shot kiosk-done 1.5
