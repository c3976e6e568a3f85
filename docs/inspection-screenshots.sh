#!/usr/bin/env bash
# Takes the screenshots of the handover inspection tab (验房) in
# docs/screenshots/ from the real app on a virtual display: demo data (with
# its inspections: a signed handover a week old, its re-inspection, another
# unit in progress), signed in as the receptionist 李静. Needs: xvfb xdotool imagemagick.
# Usage: docs/inspection-screenshots.sh [WIDTHxHEIGHT] [zh|en]
set -euo pipefail
size=${1:-1024x768}
lang=${2:-zh}
# The demo office at a fixed clock, CLOCK (office time), like docs/screenshots.sh.
clock=${CLOCK:-2026-11-23T15:30}
cd "$(dirname "$0")/.."
out=docs/screenshots
mkdir -p "$out"
go build -o /tmp/anchang-shots .
dir=$(mktemp -d)
/tmp/anchang-shots --data-dir "$dir" --clock "$clock" demo --days 3 --per-day 30 >/dev/null 2>&1
if [[ $lang == en ]]; then
  python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"INSERT INTO settings(key,value) VALUES('language','en')\"); c.commit()" "$dir/anchang.db"
fi
mkdir -p "$HOME/Pictures"
[[ -e $HOME/Pictures/门框右上.jpg ]] || convert -size 1600x1200 gradient:gray70-gray30 -colorspace sRGB -type TrueColor -fill "#884422" -draw "rectangle 300,300 900,800" "$HOME/Pictures/门框右上.jpg"
disp=":$((100 + RANDOM % 400))"
Xvfb "$disp" -screen 0 "${size}x24" -nolisten tcp >/dev/null 2>&1 & xpid=$!
trap 'kill $apid $xpid 2>/dev/null || true; rm -rf "$dir"' EXIT
sleep 1
export DISPLAY=$disp
W=${size%x*}; H=${size#*x}
LANG=zh_CN.UTF-8 /tmp/anchang-shots --data-dir "$dir" --window-size "$size" --clock "$clock" >/dev/null 2>/tmp/anchang-shots.log & apid=$!
for _ in $(seq 1 40); do sleep 0.5; xdotool search --onlyvisible --name . >/dev/null 2>&1 && break; done
sleep 4
shot() { sleep "${2:-1}"; import -window root "$out/$1-$lang-$size.png"; echo "$out/$1-$lang-$size.png"; }
click() { xdotool mousemove "$1" "$2" click 1; sleep 0.7; }
cx=$((W / 2)); cy=$((H / 2))
# Sign in as 李静 (the third of 刘主管, 张敏, 李静, 管理员) with 135792; the
# clicks are found in screenshots (docs/shots-lib.sh), and the positions in
# the tab measured from its tab bar (dy: how far the demo banner and any
# warning strip push it down).
. docs/shots-lib.sh
signin 3 135792
sleep 4
tabbar 7
dy=$((tab_y - 101))
# signoff: 签字完成, the last item of the room list, under the fold at
# 1024x768 once the demo banner is there: scrolled to, then clicked.
signoff() {
  xdotool mousemove 120 $((H - 160)); for _ in 1 2 3 4 5 6; do xdotool click 5; sleep 0.1; done
  sleep 0.5; click 60 $((H - 25))
}
click "${tabs[5]}" "$tab_y"             # 验房, the sixth of the receptionist's seven tabs
shot inspection-list 1.5
click 300 $((320 + dy))                         # 5号楼 1单元0801, in progress
shot inspection-check 1.5
# 密封条 (入户门's fourth item, with the demo's defect): its 有缺陷 button, red,
# found in the screenshot's column of 有缺陷 buttons.
import -window root "$dir/check.png"
red_y=$(convert "$dir/check.png" -crop "1x$((H - tab_y - 60))+$((W - 154))+$((tab_y + 60))" +repage -depth 8 txt:- | python3 -c '
import sys
for line in sys.stdin:
    if line.startswith("#"): continue
    xy, rest = line.split(":", 1)
    r, g, b = (int(v) for v in rest.split("(")[1].split(")")[0].split(",")[:3])
    if r > 150 and g < 80 and b < 80: print(int(xy.split(",")[1])); break')
click $((W - 154)) $((tab_y + 60 + ${red_y:-410} + 10))   # 密封条: 有缺陷
click $((cx - 155)) $((cy + 53))       # 添加照片…
shot inspection-photo 1
click $((cx - 200)) $((cy - 95))       # the first entry: 门框右上.jpg
shot inspection-defect 1.5
click $((cx + 240)) $((cy + 144))      # 记录缺陷
signoff                                # 签字完成
xdotool mousemove 300 $((520 + dy)) mousedown 1
for i in $(seq 0 30); do xdotool mousemove $((300 + i * 9)) $((500 + dy + (i % 6) * 8)); sleep 0.02; done
xdotool mouseup 1
shot inspection-sign 1
click $((W - 150)) $((157 + dy))                # 房屋履历 (of 5号楼)
click $((W - 60)) $((157 + dy))                 # 返回列表
click 300 $((395 + dy))                         # 3号楼 2单元1202, completed
signoff                                # 签字完成: signatures and repair tickets
shot inspection-completed 1.5
click $((W - 150)) $((157 + dy))                # 房屋履历
shot inspection-history 1.5
click $((W - 60)) $((157 + dy))                 # 返回列表
click $((W - 46)) $((197 + dy))                 # 新建验房
shot inspection-new 1.5
