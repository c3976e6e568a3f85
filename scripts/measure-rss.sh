#!/usr/bin/env bash
# Measures the running desktop app's memory on a data directory: starts it
# on a virtual display, signs in as the demo admin (PIN 258014), opens every
# tab in turn for a while, and prints the peak and final resident set size.
# Needs: xvfb xdotool. Usage: scripts/measure-rss.sh DATA_DIR [SECONDS]
# Make a big data directory first, e.g.
#   go run . --data-dir /tmp/anchang-1m demo --days 420 --per-day 2000   (≈1,000,000 visits)
# scripts/measure-rss.sh --floor measures the smallest Fyne program
# (scripts/rssfloor) on the same display instead: the memory any Fyne app
# starts from there, with Fyne's own font and with the app's Chinese font.
set -euo pipefail
dir=${1:?usage: measure-rss.sh DATA_DIR [SECONDS] | measure-rss.sh --floor}
secs=${2:-60}
cd "$(dirname "$0")/.."
disp=":$((100 + RANDOM % 400))"
Xvfb "$disp" -screen 0 1024x768x24 -nolisten tcp >/dev/null 2>&1 & xpid=$!
apid=
trap 'kill $apid $xpid 2>/dev/null || true' EXIT
sleep 1
export DISPLAY=$disp

# breakdown PID: where the memory is: the GL driver (Mesa's software
# rasteriser under Xvfb links LLVM), the program's own file pages, and
# anonymous memory (Go heap, C heap, textures).
breakdown() {
python3 - "$1" <<'PY'
import re, sys, collections
agg = collections.Counter()
cur = None
for line in open(f"/proc/{sys.argv[1]}/smaps"):
    m = re.match(r"^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$", line)
    if m:
        name = m.group(1)
        if "LLVM" in name or "dri" in name or "libGL" in name or "glapi" in name or "gallium" in name:
            cur = "GL driver (Mesa)"
        elif name.endswith("anchang-rss") or name.endswith("rssfloor"):
            cur = "program file"
        elif name in ("", "[heap]", "[stack]") or name.startswith("/SYSV"):
            cur = "anonymous (Go heap, C heap, textures)"
        else:
            cur = "other libraries"
        continue
    if line.startswith("Rss:"):
        agg[cur] += int(line.split()[1])
for k, v in agg.most_common():
    print(f"  {v // 1024:4d} MB  {k}")
PY
}

if [[ $dir == --floor ]]; then
  go build -o /tmp/rssfloor ./scripts/rssfloor
  for flag in "" -cjk; do
    LANG=zh_CN.UTF-8 /tmp/rssfloor $flag >/dev/null 2>&1 & apid=$!
    sleep 8
    awk -v f="${flag:-fyne font}" '/^VmRSS/{printf "floor (%s): %d MB\n", f, $2/1024}' /proc/$apid/status
    breakdown $apid
    kill $apid; wait $apid 2>/dev/null || true
  done
  exit 0
fi
go build -o /tmp/anchang-rss .
LANG=zh_CN.UTF-8 /tmp/anchang-rss --data-dir "$dir" >/dev/null 2>&1 & apid=$!
for _ in $(seq 1 60); do sleep 0.5; xdotool search --onlyvisible --name . >/dev/null 2>&1 && break; done
sleep 2
click() { xdotool mousemove "$1" "$2" click 1; sleep 0.6; }
rss() { awk '/^VmRSS/{print $2}' /proc/$apid/status; }
echo "signed out: $(( $(rss) / 1024 )) MB"
# Sign in: the last name in the list is the demo's 管理员.
click 512 376; click 512 524; click 512 414
xdotool type --delay 50 258014; xdotool key Return
sleep 3
tabs=(40 120 200 262 310)
end=$((SECONDS + secs))
while ((SECONDS < end)); do
  for x in "${tabs[@]}"; do click "$x" 101; sleep 1.5; done
done
click 122 101; sleep 2
awk '/^VmHWM/{printf "peak RSS: %d MB\n", $2/1024} /^VmRSS/{printf "final RSS: %d MB\n", $2/1024}' /proc/$apid/status
breakdown $apid
