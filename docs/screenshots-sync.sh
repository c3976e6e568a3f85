#!/usr/bin/env bash
# Takes the sync screenshots in docs/screenshots/ (sync-*.png) on a virtual
# display at 1024x768, in zh and en:
#  - the first-run join screens from the real client against a real
#    anchang-hq on loopback (setup, join, fingerprint, fingerprint refused,
#    HQ unreachable);
#  - the progress bar, the top bar in each state, the sync panel and
#    Settings' HQ section from the real GL driver over fakes of HQ and the
#    loop (app/sync_glshots_test.go), since a live HQ cannot be put in each
#    state on cue.
# Needs: xvfb xdotool imagemagick xclip. Usage: docs/screenshots-sync.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out=docs/screenshots
work=$(mktemp -d)
go build -o "$work/anchang" .
go build -o "$work/anchang-hq" ./cmd/anchang-hq
go test -c -tags glshots -o "$work/glshots" ./app
disp=":$((100 + RANDOM % 400))"
Xvfb "$disp" -screen 0 1024x768x24 -nolisten tcp >/dev/null 2>&1 & xpid=$!
hpid=""; apid=""
trap 'kill $apid $hpid $xpid 2>/dev/null || true; rm -rf "$work"' EXIT
export DISPLAY=$disp
sleep 1
port=$((18000 + RANDOM % 1000))
"$work/anchang-hq" --data-dir "$work/hq" office add SH01 上海一号案场 >/dev/null 2>&1
code=$("$work/anchang-hq" --data-dir "$work/hq" code SH01 2>/dev/null | head -1)
"$work/anchang-hq" --data-dir "$work/hq" --listen "127.0.0.1:$port" >"$work/hq.log" 2>&1 & hpid=$!
sleep 2
shot() { sleep "${2:-1}"; import -window root "$out/sync-$1-$lang-1024x768.png"; echo "$out/sync-$1-$lang-1024x768.png"; }
click() { xdotool mousemove "$1" "$2" click 1; sleep 0.6; }
for lang in zh en; do
  rm -rf "$work/c"
  if [[ $lang == en ]]; then
    mkdir -p "$work/c"
    LANG=zh_CN.UTF-8 "$work/anchang" --data-dir "$work/c" --window-size 1024x768 >/dev/null 2>&1 & apid=$!
    sleep 3; kill $apid; wait $apid 2>/dev/null || true
    python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"INSERT OR REPLACE INTO settings(key,value) VALUES('language','en')\"); c.commit()" "$work/c/anchang.db"
  fi
  LANG=zh_CN.UTF-8 "$work/anchang" --data-dir "$work/c" --window-size 1024x768 >/dev/null 2>"$work/c.log" & apid=$!
  for _ in $(seq 1 40); do sleep 0.5; xdotool search --onlyvisible --name . >/dev/null 2>&1 && break; done
  sleep 2
  shot setup
  if [[ $lang == zh ]]; then click 435 291; else click 470 291; fi   # 加入总部的案场
  xdotool type --delay 30 "127.0.0.1:$port"; xdotool key Tab
  xdotool type --delay 30 "$code"; xdotool key Tab
  if [[ $lang == zh ]]; then
    # xdotool cannot type CJK reliably: paste it (xclip serves the clipboard).
    printf '前台二号机' | xclip -selection clipboard; xdotool key ctrl+v
  else xdotool type --delay 30 "Desk 2"; fi
  shot join
  click 233 508                                                       # 连接总部
  shot fingerprint 2
  if [[ $lang == zh ]]; then click 350 528; else click 380 548; fi   # 不一致
  shot fingerprint-differs
  xdotool mousemove 550 375 click 1; xdotool key ctrl+a; xdotool type --delay 30 "127.0.0.1:$((port + 1))"
  click 233 489
  shot join-unreachable 3
  kill $apid; wait $apid 2>/dev/null || true; apid=""
done
for lang in zh en; do
  (cd app && ANCHANG_SYNC_SHOTS=$lang "$work/glshots" 2>/dev/null | grep png)
done
