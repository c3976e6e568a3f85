# Helpers for the docs/*screenshots*.sh scripts, sourced after W, H, cx and
# DISPLAY are set: find words and buttons in a screenshot instead of clicking
# at fixed positions, so the demo banner, the calendar warning or a moved
# form do not break the clicks.
# Needs: imagemagick python3 xdotool.

# words IMAGE Y0 Y1: the x of the middle of each word (text or a filled
# button) in the band of rows Y0..Y1, left to right; gaps over 8 px split.
words() {
  convert "$1" -crop "${W}x$(($3 - $2))+0+$2" +repage -colorspace gray -depth 8 txt:- | python3 -c '
import sys
ink = set()
for line in sys.stdin:
    if line.startswith("#"): continue
    xy, rest = line.split(":", 1)
    g = int(rest.split("(")[1].split(")")[0].split(",")[0])
    if abs(g - 245) > 40: ink.add(int(xy.split(",")[0]))
groups = []
for x in sorted(ink):
    if groups and x - groups[-1][1] <= 8: groups[-1][1] = x
    else: groups.append([x, x])
print(" ".join(str((a + b) // 2) for a, b in groups))'
}

# signin N PIN: on the sign-in screen, picks the Nth name of the list
# (1 刘主管, 2 张敏, 3 李静, 4 管理员) and signs in with PIN. The sign-in
# button is the dark bar under the name and the PIN (found in a screenshot,
# right of the logo): their middles are 58 and 21 px above its top.
signin() {
  local img btn_y sel_y pin_y
  img=$(mktemp --suffix .png)
  import -window root "$img"
  btn_y=$(convert "$img" -crop "1x$((H - 120))+$((cx + 150))+120" +repage -depth 8 txt:- | python3 -c '
import sys
for line in sys.stdin:
    if line.startswith("#"): continue
    xy, rest = line.split(":", 1)
    r, g, b = (int(v) for v in rest.split("(")[1].split(")")[0].split(",")[:3])
    if r < 60 and 70 < g < 130 and 70 < b < 120: print(120 + int(xy.split(",")[1])); break')
  rm -f "$img"
  [[ -n $btn_y ]] || { echo "sign-in button not found" >&2; return 1; }
  sel_y=$((btn_y - 58)); pin_y=$((btn_y - 21))
  xdotool mousemove "$cx" "$sel_y" click 1; sleep 0.6
  xdotool mousemove "$cx" $((sel_y + $1 * 37)) click 1; sleep 0.6
  xdotool mousemove "$cx" "$pin_y" click 1; sleep 0.6
  xdotool type --delay 50 "$2"; xdotool key Return
}

# tabbar N: after signing in, finds the desk's tab bar as the first band of
# rows with N words from y 120 down (under the demo banner and the top bar);
# sets tab_y (its middle) and tabs (the x of each tab button).
tabbar() {
  local img y0
  img=$(mktemp --suffix .png)
  import -window root "$img"
  tab_y=""
  for y0 in $(seq 120 4 300); do
    read -ra tabs <<<"$(words "$img" "$y0" $((y0 + 16)))"
    if [[ ${#tabs[@]} -eq $1 ]]; then tab_y=$((y0 + 8)); break; fi
  done
  rm -f "$img"
  [[ -n $tab_y ]] || { echo "tab bar with $1 tabs not found" >&2; return 1; }
  echo "tab bar at y $tab_y: ${tabs[*]}" >&2
}
