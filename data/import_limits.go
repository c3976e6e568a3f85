package data

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

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
