package sheet

import (
	"archive/zip"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"anchang/data"
)

func readFile(t *testing.T, path string) error {
	t.Helper()
	f, err := os.Open(path)
	mustOK(t, err)
	defer f.Close()
	_, err = Read(path, f)
	return err
}

// wantKey: err is the coded error a file is refused with.
func wantKey(t *testing.T, err error, code, key string) {
	t.Helper()
	e, ok := data.AsError(err)
	if !ok || e.Code != code || e.Key != key {
		t.Fatalf("got %v, want %s %s", err, code, key)
	}
}

// A file over the limit is refused whole with the limit in the message —
// not cut at 50 MiB, stored in part and reported as GBK.
func TestImportRefusesAFileOverTheLimit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.csv")
	f, err := os.Create(path)
	mustOK(t, err)
	fmt.Fprintln(f, "category,question,answer")
	row := "loans,首付比例第%d问是多少？," + strings.Repeat("首付比例按国家政策执行，", 40) + "\n"
	for i := 0; int64(i)*int64(len(row)) < MaxImportBytes+(1<<20); i++ {
		fmt.Fprintf(f, row, i)
	}
	mustOK(t, f.Close())
	start := time.Now()
	err = readFile(t, path)
	wantKey(t, err, data.EINVALID, "err.import.too_big")
	if e, _ := data.AsError(err); e.Args["MB"] != int64(50) {
		t.Errorf("message args %v, want the 50 MB limit", e.Args)
	}
	t.Logf("refused %d MB in %v", MaxImportBytes>>20, time.Since(start))
}

// xlsxWithSheet makes a real workbook whose first sheet's XML is sheet.
func xlsxWithSheet(t *testing.T, path string, sheet func(w *bytes.Buffer)) {
	t.Helper()
	f := excelize.NewFile()
	var base bytes.Buffer
	mustOK(t, f.Write(&base))
	f.Close()
	zr, err := zip.NewReader(bytes.NewReader(base.Bytes()), int64(base.Len()))
	mustOK(t, err)
	out, err := os.Create(path)
	mustOK(t, err)
	zw := zip.NewWriter(out)
	for _, e := range zr.File {
		w, err := zw.Create(e.Name)
		mustOK(t, err)
		if e.Name == "xl/worksheets/sheet1.xml" {
			var b bytes.Buffer
			sheet(&b)
			_, err = w.Write(b.Bytes())
			mustOK(t, err)
			continue
		}
		r, err := e.Open()
		mustOK(t, err)
		var b bytes.Buffer
		_, err = b.ReadFrom(r)
		mustOK(t, err)
		r.Close()
		_, err = w.Write(b.Bytes())
		mustOK(t, err)
	}
	mustOK(t, zw.Close())
	mustOK(t, out.Close())
}

const sheetHead = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`
const sheetTail = `</sheetData></worksheet>`

// Small XLSX files that unpack to a lot, or hold too many rows or cells,
// are refused early, quickly and with the limit named.
func TestXLSXBombsRefusedEarly(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name  string
		sheet func(w *bytes.Buffer)
		key   string
	}{
		{"bomb", func(w *bytes.Buffer) { // 300 MB of one repeated row
			w.WriteString(sheetHead)
			row := `<row><c t="inlineStr"><is><t>` + strings.Repeat("a", 1000) + `</t></is></c></row>`
			for w.Len() < 300<<20 {
				w.WriteString(row)
			}
			w.WriteString(sheetTail)
		}, "err.import.xlsx_too_big"},
		{"rows", func(w *bytes.Buffer) { // 150,000 short rows
			w.WriteString(sheetHead)
			for i := 1; i <= 150_000; i++ {
				fmt.Fprintf(w, `<row r="%d"><c r="A%d" t="inlineStr"><is><t>x</t></is></c></row>`, i, i)
			}
			w.WriteString(sheetTail)
		}, "err.import.too_many_rows"},
		{"cells", func(w *bytes.Buffer) { // 1,000 rows, each reaching column XFD
			w.WriteString(sheetHead)
			for i := 1; i <= 1000; i++ {
				fmt.Fprintf(w, `<row r="%d"><c r="XFD%d" t="inlineStr"><is><t>x</t></is></c></row>`, i, i)
			}
			w.WriteString(sheetTail)
		}, "err.import.too_many_cells"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.name+".xlsx")
			xlsxWithSheet(t, path, tc.sheet)
			fi, _ := os.Stat(path)
			start := time.Now()
			err := readFile(t, path)
			took := time.Since(start)
			wantKey(t, err, data.EINVALID, tc.key)
			if took > 20*time.Second {
				t.Errorf("refused after %v", took)
			}
			t.Logf("%s: %d KB refused in %v", tc.name, fi.Size()>>10, took)
		})
	}
}

// One stray byte in a UTF-8 file is reported with its line, not as GBK;
// a real GBK file is still said to be GBK.
func TestImportStrayByteHasALine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "stray.csv")
	body := "category,question,answer\nloans,首付比例是多少？,按国家政策执行。\nloans,贷款\xff年限？,最长三十年。\nloans,公积金能用吗？,可以。\n"
	mustOK(t, os.WriteFile(path, []byte(body), 0o600))
	err := readFile(t, path)
	wantKey(t, err, data.EINVALID, "err.import.stray_byte")
	if e, _ := data.AsError(err); e.Args["Line"] != 3 {
		t.Fatalf("line %v, want 3", e.Args["Line"])
	}
	gbk := filepath.Join(t.TempDir(), "gbk.csv")
	// "category,question,answer\nloans,首付,两成\n" in GBK
	mustOK(t, os.WriteFile(gbk, []byte("category,question,answer\nloans,\xca\xd7\xb8\xb6,\xc1\xbd\xb3\xc9\n"), 0o600))
	wantKey(t, readFile(t, gbk), data.EINVALID, "err.faq.import.gbk")
}
