#!/usr/bin/env bash
# Takes the screenshots of the handover inspection tab (验房) in
# docs/screenshots/ from the real app on a virtual display: demo data (with
# its inspections: a signed handover a week old, its re-inspection, another
# unit in progress), signed in as the receptionist 李静. Needs: xvfb xdotool imagemagick.
# Usage: docs/inspection-screenshots.sh [WIDTHxHEIGHT] [zh|en]
# INSP_TAB_X overrides the x of the 验房 tab button (it moves when tabs are added).
set -euo pipefail
size=${1:-1024x768}
lang=${2:-zh}
cd "$(dirname "$0")/.."
out=docs/screenshots
mkdir -p "$out"
go build -o /tmp/anchang-shots .
dir=$(mktemp -d)
/tmp/anchang-shots --data-dir "$dir" demo --days 3 --per-day 30 >/dev/null 2>&1
if [[ $lang == en ]]; then
  python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"INSERT INTO settings(key,value) VALUES('language','en')\"); c.commit()" "$dir/anchang.db"
fi
mkdir -p "$HOME/Pictures"
[[ -e $HOME/Pictures/门框右上.jpg ]] || convert -size 1600x1200 gradient:gray70-gray30 -fill "#884422" -draw "rectangle 300,300 900,800" "$HOME/Pictures/门框右上.jpg"
disp=":$((100 + RANDOM % 400))"
Xvfb "$disp" -screen 0 "${size}x24" -nolisten tcp >/dev/null 2>&1 & xpid=$!
trap 'kill $apid $xpid 2>/dev/null || true; rm -rf "$dir"' EXIT
sleep 1
export DISPLAY=$disp
W=${size%x*}; H=${size#*x}
LANG=zh_CN.UTF-8 /tmp/anchang-shots --data-dir "$dir" --window-size "$size" >/dev/null 2>/tmp/anchang-shots.log & apid=$!
for _ in $(seq 1 40); do sleep 0.5; xdotool search --onlyvisible --name . >/dev/null 2>&1 && break; done
sleep 4
shot() { sleep "${2:-1}"; import -window root "$out/$1-$lang-$size.png"; echo "$out/$1-$lang-$size.png"; }
click() { xdotool mousemove "$1" "$2" click 1; sleep 0.7; }
cx=$((W / 2)); cy=$((H / 2))
# sign in as 李静 (the third of 刘主管, 张敏, 李静, 管理员), PIN 135792
click $cx $((cy - 10))
click $((cx - 110)) $((cy + 98))
click $((cx - 12)) $((cy + 27))
xdotool type --delay 50 135792; xdotool key Return; sleep 2
click ${INSP_TAB_X:-396} 101
shot inspection-list 1.5
click 300 320                          # 5号楼 1单元0801, in progress
shot inspection-check 1.5
click $((W - 154)) 511                 # 密封条: 有缺陷
click $((cx - 155)) $((cy + 53))       # 添加照片…
shot inspection-photo 1
click $((cx - 200)) $((cy - 20))       # the third entry: 门框右上.jpg
shot inspection-defect 1.5
click $((cx + 240)) $((cy + 144))      # 记录缺陷
click 60 723                           # 签字完成
xdotool mousemove 300 520 mousedown 1
for i in $(seq 0 30); do xdotool mousemove $((300 + i * 9)) $((500 + (i % 6) * 8)); sleep 0.02; done
xdotool mouseup 1
shot inspection-sign 1
click $((W - 150)) 157                 # 房屋履历 (of 5号楼)
click $((W - 60)) 157                  # 返回列表
click 300 395                          # 3号楼 2单元1202, completed
click 60 723                           # 签字完成: signatures and repair tickets
shot inspection-completed 1.5
click $((W - 150)) 157                 # 房屋履历
shot inspection-history 1.5
click $((W - 60)) 157                  # 返回列表
click $((W - 46)) 197                  # 新建验房
shot inspection-new 1.5
