package sheet

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"anchang/data"
)

// Read reads the first table of an import file (the FAQ manual, a ticket
// ledger) by its name's extension: CSV in UTF-8 (GBK is refused with its
// own message) or the first sheet of an XLSX workbook (merged cells
// refused), the formula guard of an export (csvSafe) undone. Past the
// limits (limits.go) the file is refused whole. A file it cannot read is
// a *data.Error (EINVALID) the desk shows.
func Read(name string, r io.Reader) (data.Table, error) {
	b, err := readImportBytes(name, r) // whole, or refused
	if err != nil {
		return data.Table{}, err
	}
	t := data.Table{Name: name}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv":
		t.Rows, t.Lines, err = readCSVTable(b)
	case ".xlsx":
		t.Rows, t.Lines, err = readXLSXTable(b)
	default:
		err = fileErr("err.faq.import.ext", map[string]any{"Ext": filepath.Ext(name)}, nil)
	}
	if err != nil {
		return data.Table{}, err
	}
	return t, nil
}

func fileErr(key string, args map[string]any, cause error) *data.Error {
	return &data.Error{Code: data.EINVALID, Key: key, Args: args, Err: cause}
}

func readCSVTable(b []byte) ([][]string, []int, error) {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(b) {
		if line := strayByteLine(b); line > 0 {
			return nil, nil, fileErr("err.import.stray_byte", map[string]any{"Line": line}, errors.New("UTF-8 file with a stray byte"))
		}
		if s, err := simplifiedchinese.GB18030.NewDecoder().Bytes(b); err == nil && utf8.Valid(s) && strings.IndexFunc(string(s), func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0 {
			return nil, nil, fileErr("err.faq.import.gbk", nil, errors.New("file is GBK/GB18030, not UTF-8"))
		}
		return nil, nil, fileErr("err.faq.import.encoding", nil, errors.New("file is not UTF-8"))
	}
	cr := csv.NewReader(bytes.NewReader(b))
	cr.FieldsPerRecord = -1
	var table [][]string
	var lines []int
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			line := 0
			if errors.As(err, &pe) {
				line = pe.Line
			}
			return nil, nil, fileErr("err.faq.import.csv", map[string]any{"Line": line}, err)
		}
		line, _ := cr.FieldPos(0)
		for i, c := range rec {
			rec[i] = csvUnsafe(c)
		}
		table = append(table, rec)
		lines = append(lines, line)
	}
	return table, lines, nil
}

func readXLSXTable(b []byte) ([][]string, []int, error) {
	if err := checkXLSXZip(b); err != nil {
		return nil, nil, err
	}
	f, err := excelize.OpenReader(bytes.NewReader(b), xlsxOptions())
	if err != nil {
		return nil, nil, fileErr("err.faq.import.xlsx", nil, err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, nil, fileErr("err.faq.import.empty", nil, nil)
	}
	// The rows first, streamed and bounded: GetMergeCells loads the whole
	// sheet, so only a sheet within the bounds gets that far.
	rows, err := readXLSXRows(f, sheets[0])
	if err != nil {
		return nil, nil, err
	}
	merged, err := f.GetMergeCells(sheets[0], true)
	if err != nil {
		return nil, nil, fileErr("err.faq.import.xlsx", nil, err)
	}
	if len(merged) > 0 {
		var cells []string
		for _, m := range merged {
			cells = append(cells, m.GetStartAxis()+":"+m.GetEndAxis())
		}
		return nil, nil, fileErr("err.faq.import.merged", map[string]any{"Cells": strings.Join(cells, ", ")}, nil)
	}
	lines := make([]int, len(rows))
	for i := range rows {
		lines[i] = i + 1
		for j, c := range rows[i] {
			rows[i][j] = csvUnsafe(c) // an exported CSV saved as XLSX keeps the guard
		}
	}
	return rows, lines, nil
}

// Bounds on an import file (FAQ and tickets): past any of them the file is
// refused whole, early, with a message that names the limit — never read in
// part.
var (
	// MaxImportBytes is the largest import file.
	MaxImportBytes int64 = 50 << 20
	// MaxImportRows is the most rows an import's table may have.
	MaxImportRows = 100_000
	// MaxImportCells is the most cells (rows × the widest row) it may have.
	MaxImportCells = 2_000_000
	// MaxXLSXUnzipped is the most an XLSX workbook may hold unzipped (a
	// small zip bomb unpacks to gigabytes).
	MaxXLSXUnzipped int64 = 200 << 20
	// MaxImportTime bounds reading an XLSX workbook.
	MaxImportTime = 30 * time.Second
)

// readImportBytes reads the whole file, refusing one over MaxImportBytes.
func readImportBytes(name string, r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxImportBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if int64(len(b)) > MaxImportBytes {
		return nil, fileErr("err.import.too_big", map[string]any{"MB": MaxImportBytes >> 20},
			fmt.Errorf("%s is over %d bytes", name, MaxImportBytes))
	}
	return b, nil
}

// checkXLSXZip refuses a workbook whose parts unzip to more than
// MaxXLSXUnzipped, before anything is unpacked. The sizes are the zip's
// own claims; excelize's UnzipSizeLimit holds it to them while reading.
func checkXLSXZip(b []byte) error {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return fileErr("err.faq.import.xlsx", nil, err)
	}
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if total > uint64(MaxXLSXUnzipped) {
			return fileErr("err.import.xlsx_too_big", map[string]any{"MB": MaxXLSXUnzipped >> 20},
				fmt.Errorf("xlsx unzips to over %d bytes", MaxXLSXUnzipped))
		}
	}
	return nil
}

// xlsxOptions are excelize's own bounds, matching ours.
func xlsxOptions() excelize.Options {
	return excelize.Options{UnzipSizeLimit: MaxXLSXUnzipped, UnzipXMLSizeLimit: 16 << 20}
}

// readXLSXRows reads the sheet's rows through excelize's streaming
// iterator, refusing more than MaxImportRows rows, MaxImportCells cells or
// MaxImportTime.
func readXLSXRows(f *excelize.File, sheet string) ([][]string, error) {
	it, err := f.Rows(sheet)
	if err != nil {
		return nil, fileErr("err.faq.import.xlsx", nil, err)
	}
	defer it.Close()
	deadline := time.Now().Add(MaxImportTime)
	var rows [][]string
	cells, widest := 0, 0
	for it.Next() {
		if len(rows) >= MaxImportRows {
			return nil, fileErr("err.import.too_many_rows", map[string]any{"Max": MaxImportRows}, fmt.Errorf("over %d rows", MaxImportRows))
		}
		cols, err := it.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, fileErr("err.faq.import.xlsx", nil, err)
		}
		if len(cols) > widest {
			widest = len(cols)
		}
		cells += len(cols)
		if cells > MaxImportCells || (len(rows)+1)*widest > MaxImportCells {
			return nil, fileErr("err.import.too_many_cells", map[string]any{"Max": MaxImportCells}, fmt.Errorf("over %d cells", MaxImportCells))
		}
		if len(rows)%1000 == 0 && time.Now().After(deadline) {
			return nil, fileErr("err.import.too_slow", map[string]any{"Seconds": int(MaxImportTime / time.Second)}, fmt.Errorf("xlsx read over %v", MaxImportTime))
		}
		rows = append(rows, cols)
	}
	if err := it.Error(); err != nil {
		return nil, fileErr("err.faq.import.xlsx", nil, err)
	}
	// GetRows drops trailing empty rows; so does this.
	for len(rows) > 0 && len(rows[len(rows)-1]) == 0 {
		rows = rows[:len(rows)-1]
	}
	return rows, nil
}

// strayByteLine is the line of the first byte that is not UTF-8 in a file
// that is otherwise UTF-8 (its multi-byte characters outnumber the bad
// bytes ten to one), or 0 when the file looks like another encoding.
func strayByteLine(b []byte) int {
	good, bad, first := 0, 0, -1
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			bad++
			if first < 0 {
				first = i
			}
		case n > 1:
			good++
		}
		i += n
	}
	if first < 0 || good < 10*bad {
		return 0
	}
	return bytes.Count(b[:first], []byte("\n")) + 1
}
