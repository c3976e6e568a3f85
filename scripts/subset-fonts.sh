#!/usr/bin/env bash
# Makes the two embedded UI fonts from WenQuanYi Micro Hei (Debian package
# fonts-wqy-microhei; needs python3-fonttools):
#   assets/fonts/wqy-microhei.ttf       every CJK, Latin and symbol glyph of
#                                        the font except Korean Hangul, which a
#                                        Chinese sales office does not need
#   assets/fonts/wqy-microhei-ui.ttf    only the characters of the app's own
#                                        labels (assets/lang/*.json) and ASCII,
#                                        for Fyne's bold style (button labels)
# Fyne parses the whole theme font once per text style (~20 MB for the full
# one); buttons are bold, so the small face saves that much memory. Run this
# after adding characters to the translations (app/theme_test.go checks); it
# remakes only the UI font unless given --full.
set -euo pipefail
cd "$(dirname "$0")/.."
src=$(mktemp -d)/wqy-microhei.ttf
trap 'rm -rf "$(dirname "$src")"' EXIT
/usr/bin/python3 - "$src" <<'PY'
import sys
from fontTools.ttLib import TTCollection
TTCollection("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc").fonts[0].save(sys.argv[1])
PY
/usr/bin/python3 - "$src" <<'PY' > "$src.full"
import sys
from fontTools.ttLib import TTFont
cps = [cp for cp in TTFont(sys.argv[1]).getBestCmap()
       if not (0xAC00 <= cp <= 0xD7AF or 0x1100 <= cp <= 0x11FF or 0x3130 <= cp <= 0x318F)]
print(",".join("U+%04X" % c for c in cps))
PY
/usr/bin/python3 - <<'PY' > "$src.ui"
import json, glob
chars = set(chr(c) for c in range(0x20, 0x7F)) | set("⌫●…·（）：，。、；！？“”—–")
for f in glob.glob("assets/lang/*.json"):
    for v in json.load(open(f, encoding="utf-8")).values():
        chars |= set(v)
print(",".join("U+%04X" % ord(c) for c in sorted(chars) if ord(c) >= 0x20))
PY
export SOURCE_DATE_EPOCH=1763942400  # fixed timestamps: the same input makes the same bytes
opts=(--layout-features='*' --name-IDs='*' --name-languages='*' --notdef-outline)
if [[ ${1:-} == --full ]]; then
  /usr/bin/python3 -m fontTools.subset "$src" --unicodes-file="$src.full" "${opts[@]}" --output-file=assets/fonts/wqy-microhei.ttf
fi
/usr/bin/python3 -m fontTools.subset "$src" --unicodes-file="$src.ui" "${opts[@]}" --output-file=assets/fonts/wqy-microhei-ui.ttf
ls -l assets/fonts/*.ttf
