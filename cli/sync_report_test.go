package cli

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"anchang/assets"
	"anchang/cli/say"
	hqsync "anchang/sync"
)

// A round that started a new install epoch (the device's own older backup
// restored) says so in either language, and is not "nothing to do".
func TestPrintReportNewEpoch(t *testing.T) {
	for _, code := range []string{"en", "zh"} {
		b, err := assets.Translations(code)
		if err != nil {
			t.Fatal(err)
		}
		tr := say.Lang{}
		if err := json.Unmarshal(b, &tr); err != nil {
			t.Fatal(err)
		}
		var w bytes.Buffer
		printReport(&w, tr, hqsync.Report{NewEpoch: 1796671460299822447}, func(s string) string { return s })
		out := w.String()
		want, ok := tr["sync.cli.new_epoch"]
		if !ok || !strings.Contains(out, want) {
			t.Errorf("%s: %q, want the new-epoch line %q", code, out, want)
		}
		if strings.Contains(out, tr["sync.cli.nothing"]) {
			t.Errorf("%s: a new epoch reported as nothing to do: %q", code, out)
		}
	}
}
