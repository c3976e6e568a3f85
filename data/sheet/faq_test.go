package sheet

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"anchang/assets"
	"anchang/data"
)

// faqStore is a set-up office store with the starter manual.
func faqStore(t *testing.T) (*data.Store, data.Staff) {
	t.Helper()
	ctx := context.Background()
	s, err := data.Open(ctx, t.TempDir())
	mustOK(t, err)
	t.Cleanup(func() { s.Close() })
	admin, err := s.Setup(ctx, data.SetupInput{OfficeName: "星河湾售楼处", OfficeCode: "xhw-01", DeviceName: "前台", AdminName: "管理员", AdminPIN: "258014"})
	mustOK(t, err)
	n, err := s.EnsureStarterFAQ(ctx, assets.StarterFAQ)
	mustOK(t, err)
	if n < 60 {
		t.Fatalf("starter manual: %d entries", n)
	}
	return s, admin
}

// exportFile is the store's manual written as name (.csv or .xlsx).
func exportFile(t *testing.T, s *data.Store, name string) []byte {
	t.Helper()
	table, err := s.ExportFAQ(context.Background())
	mustOK(t, err)
	var b bytes.Buffer
	mustOK(t, WriteFAQ(&b, name, table))
	return b.Bytes()
}

// importFile reads a file as the desk does and imports it.
func importFile(t *testing.T, s *data.Store, admin data.Staff, name string, r io.Reader) (data.FAQImportResult, error) {
	t.Helper()
	tb, err := Read(name, r)
	if err != nil {
		return data.FAQImportResult{}, err
	}
	return s.ImportFAQ(context.Background(), admin.ID, tb)
}

// A manual exported as CSV or XLSX and read back is the same manual: into
// the same store nothing changes; into a new device every entry arrives
// and exports the same again.
func TestFAQFileRoundTrip(t *testing.T) {
	ctx := context.Background()
	for _, ext := range []string{".csv", ".xlsx"} {
		t.Run(ext, func(t *testing.T) {
			src, admin := faqStore(t)
			file := exportFile(t, src, "manual"+ext)
			res, err := importFile(t, src, admin, "manual"+ext, bytes.NewReader(file))
			mustOK(t, err)
			if res.Created != 0 || res.Updated != 0 || res.Unchanged < 60 {
				t.Fatalf("re-import %+v", res)
			}
			dst, err := data.Open(ctx, t.TempDir())
			mustOK(t, err)
			defer dst.Close()
			dstAdmin, err := dst.Setup(ctx, data.SetupInput{OfficeName: "另一个售楼处", OfficeCode: "xhw-02", DeviceName: "前台", AdminName: "管理员", AdminPIN: "258014"})
			mustOK(t, err)
			res, err = importFile(t, dst, dstAdmin, "manual"+ext, bytes.NewReader(file))
			mustOK(t, err)
			if res.Created < 60 || res.Updated != 0 || res.Unchanged != 0 {
				t.Fatalf("import into a new device %+v", res)
			}
			if a, b := exportFile(t, src, "x.csv"), exportFile(t, dst, "x.csv"); !bytes.Equal(a, b) {
				t.Fatal("the round trip changed the manual")
			}
		})
	}
}

// An exported CSV comes back clean through a spreadsheet, whichever way
// the spreadsheet treats the protective apostrophe: kept as text and saved
// as CSV or XLSX (LibreOffice, WPS), or hidden and saved without it
// (Excel). Every entry comes back unchanged; none gains an apostrophe.
func TestFAQCSVRoundTripThroughSpreadsheets(t *testing.T) {
	ctx := context.Background()
	s, admin := faqStore(t)
	answers := map[string]string{
		"公式题一": "- 首付三成\n- 贷款最长三十年",
		"公式题二": "=以合同为准",
		"公式题三": "'引号开头的回答",
		"公式题四": "+86 热线请拨总台",
	}
	for q, a := range answers {
		_, err := s.SaveFAQ(ctx, admin.ID, "", data.FAQInput{Category: "loans", Question: q, Answer: a})
		mustOK(t, err)
	}
	entries, err := s.ExportFAQ(ctx)
	mustOK(t, err)
	n := len(entries) - 1
	var exported bytes.Buffer
	mustOK(t, WriteFAQ(&exported, "manual.csv", entries))
	cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(exported.Bytes(), []byte("\xef\xbb\xbf"))))
	table, err := cr.ReadAll()
	mustOK(t, err)
	dir := t.TempDir()

	// What each spreadsheet saves.
	keepsCSV := filepath.Join(dir, "kept.csv")
	mustOK(t, os.WriteFile(keepsCSV, exported.Bytes(), 0o600))
	keepsXLSX := filepath.Join(dir, "kept.xlsx")
	mustOK(t, os.WriteFile(keepsXLSX, xlsxFile(t, table, ""), 0o600))
	hidden := filepath.Join(dir, "hidden.csv")
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	for _, rec := range table {
		out := make([]string, len(rec))
		for j, c := range rec {
			out[j] = strings.TrimPrefix(c, "'") // Excel's quote prefix: shown and saved without it
		}
		mustOK(t, w.Write(out))
	}
	w.Flush()
	mustOK(t, os.WriteFile(hidden, b.Bytes(), 0o600))

	for _, path := range []string{keepsCSV, keepsXLSX, hidden} {
		file, err := os.Open(path)
		mustOK(t, err)
		res, err := importFile(t, s, admin, path, file)
		file.Close()
		if err != nil {
			t.Fatalf("%s: %v", filepath.Base(path), err)
		}
		if res.Updated != 0 || res.Created != 0 || res.Unchanged != n {
			t.Errorf("%s: %+v, want all %d unchanged", filepath.Base(path), res, n)
		}
		entries, err := s.ListFAQ(ctx, data.FAQFilter{Editing: true})
		mustOK(t, err)
		for _, e := range entries {
			if want, ok := answers[e.Latest.Question]; ok && e.Latest.Answer != want {
				t.Errorf("%s: %s came back as %q, want %q", filepath.Base(path), e.Latest.Question, e.Latest.Answer, want)
			}
		}
	}
}
