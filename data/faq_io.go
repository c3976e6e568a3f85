package data

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// The manual's file format, for CSV (UTF-8) and XLSX (first sheet) alike:
// a header row naming the columns, in any order, then one entry per row.
// docs/faq.md describes it for the people who fill it in.
//
//	id            entry id (UUID); empty = match by scope + question, else new
//	category      category code, e.g. loans (required)
//	scope         "" = every project, or an office code
//	status        draft, review, approved or retired ("" = draft)
//	question      the question, zh-CN (required)
//	alternatives  other phrasings, one per line (or separated by |)
//	tags          tags, one per line (or separated by |)
//	answer        the answer, zh-CN (required)
//	question_en   the question in English
//	answer_en     the answer in English
//	effective_on  YYYY-MM-DD ("" = today)
//	expires_on    YYYY-MM-DD or ""
//	template      1 = starter content to be replaced
//	version       written on export, ignored on import
var FAQColumns = []string{"id", "category", "scope", "status", "question", "alternatives", "tags", "answer",
	"question_en", "answer_en", "effective_on", "expires_on", "template", "version"}

var faqRequiredColumns = []string{"category", "question", "answer"}

// faqColumnAliases are the Chinese headers accepted for each column.
var faqColumnAliases = map[string]string{
	"编号": "id", "分类": "category", "范围": "scope", "状态": "status", "问题": "question", "其他问法": "alternatives",
	"标签": "tags", "答案": "answer", "英文问题": "question_en", "英文答案": "answer_en", "生效日期": "effective_on",
	"失效日期": "expires_on", "模板": "template", "版本": "version",
}

// FAQRowError is one bad cell or row of an import file.
type FAQRowError struct {
	Line   int    // 1-based line (CSV) or row (XLSX) of the file; 0 = the whole file
	Column string // column name, "" = the row
	Key    string // translation key of the reason
	Args   map[string]any
}

// FAQImportErrors lists every problem; it is the cause of err.faq.import.rows.
type FAQImportErrors []FAQRowError

func (l FAQImportErrors) Error() string {
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "line %d", e.Line)
		if e.Column != "" {
			fmt.Fprintf(&b, " column %s", e.Column)
		}
		b.WriteString(": " + e.Key)
	}
	return b.String()
}

// FAQImportResult counts what an import did.
type FAQImportResult struct {
	Created, Updated, Unchanged int
}

type faqRow struct {
	line   int
	id     string
	status FAQStatus
	in     FAQInput
	bad    bool // a cell could not be read
}

func fileErr(key string, args map[string]any, cause error) *Error {
	return &Error{Code: EINVALID, Key: key, Args: args, Err: cause}
}

// readFAQFile parses an import file by its name's extension (.csv, .xlsx)
// without touching the database. A broken file gives one *Error; rows with
// unreadable cells come back listed in FAQImportErrors.
func readFAQFile(name string, r io.Reader) ([]faqRow, FAQImportErrors, error) {
	table, lines, err := readTable(name, r)
	if err != nil {
		return nil, nil, err
	}
	return parseFAQTable(table, lines)
}

// readTable reads the first table of an import file by its name's
// extension: CSV in UTF-8 (GBK is refused with its own message) or the
// first sheet of an XLSX workbook (merged cells refused). lines are each
// row's line (CSV) or row number (XLSX), for messages.
func readTable(name string, r io.Reader) (table [][]string, lines []int, err error) {
	b, err := readImportBytes(name, r) // whole, or refused (import_limits.go)
	if err != nil {
		return nil, nil, err
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv":
		return readCSVTable(b)
	case ".xlsx":
		return readXLSXTable(b)
	}
	return nil, nil, fileErr("err.faq.import.ext", map[string]any{"Ext": filepath.Ext(name)}, nil)
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

func parseFAQTable(table [][]string, lines []int) ([]faqRow, FAQImportErrors, error) {
	table, lines, col, err := tableColumns(table, lines, FAQColumns, faqColumnAliases, faqRequiredColumns)
	if err != nil {
		return nil, nil, err
	}
	var rows []faqRow
	var bad FAQImportErrors
	for i, rec := range table[1:] {
		line := lines[i+1]
		if strings.TrimSpace(strings.Join(rec, "")) == "" {
			continue
		}
		get := func(c string) string {
			if j, ok := col[c]; ok && j < len(rec) {
				return rec[j]
			}
			return ""
		}
		row := faqRow{line: line, id: strings.TrimSpace(get("id"))}
		nbad := len(bad)
		row.in = FAQInput{
			Category: get("category"), Scope: get("scope"), Question: get("question"), Answer: get("answer"),
			QuestionEN: get("question_en"), AnswerEN: get("answer_en"), EffectiveOn: get("effective_on"), ExpiresOn: get("expires_on"),
			Alternatives: splitCell(get("alternatives")), Tags: splitCell(get("tags")),
		}
		switch t := strings.ToLower(strings.TrimSpace(get("template"))); t {
		case "", "0", "false", "否", "no":
		case "1", "true", "是", "yes":
			row.in.Template = true
		default:
			bad = append(bad, FAQRowError{Line: line, Column: "template", Key: "err.faq.import.bool"})
		}
		switch st := FAQStatus(strings.ToLower(strings.TrimSpace(get("status")))); st {
		case "":
			row.status = FAQDraft
		case FAQDraft, FAQReview, FAQApproved, FAQRetired:
			row.status = st
		default:
			bad = append(bad, FAQRowError{Line: line, Column: "status", Key: "err.faq.import.status", Args: map[string]any{"Status": string(st)}})
		}
		if row.id != "" {
			if _, err := uuid.Parse(row.id); err != nil {
				bad = append(bad, FAQRowError{Line: line, Column: "id", Key: "err.faq.import.id"})
			}
		}
		row.bad = len(bad) > nbad
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return nil, nil, fileErr("err.faq.import.empty", nil, nil)
	}
	return rows, bad, nil
}

// tableColumns finds the header of an import table (blank rows before it
// are skipped) and maps each known column, named by its code or a Chinese
// alias, to its position; other columns are ignored. A column named twice
// or a required one missing is an *Error. It returns the rows after the
// header.
func tableColumns(table [][]string, lines []int, known []string, aliases map[string]string, required []string) ([][]string, []int, map[string]int, error) {
	for len(table) > 0 && strings.TrimSpace(strings.Join(table[0], "")) == "" {
		table, lines = table[1:], lines[1:]
	}
	if len(table) == 0 {
		return nil, nil, nil, fileErr("err.faq.import.empty", nil, nil)
	}
	col := map[string]int{}
	for i, h := range table[0] {
		h = strings.ToLower(strings.TrimSpace(h))
		if a, ok := aliases[h]; ok {
			h = a
		}
		if !slices.Contains(known, h) {
			continue
		}
		if _, dup := col[h]; dup {
			return nil, nil, nil, fileErr("err.faq.import.dup_column", map[string]any{"Column": h}, nil)
		}
		col[h] = i
	}
	var missing []string
	for _, c := range required {
		if _, ok := col[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return nil, nil, nil, fileErr("err.faq.import.missing_columns", map[string]any{"Columns": strings.Join(missing, ", ")}, nil)
	}
	return table, lines, col, nil
}

func importErr(bad FAQImportErrors) *Error {
	slices.SortStableFunc(bad, func(a, b FAQRowError) int { return a.Line - b.Line })
	return &Error{Code: EINVALID, Key: "err.faq.import.rows", Args: map[string]any{"Count": len(bad)}, Err: bad}
}

// splitCell splits a list cell at line breaks and |.
func splitCell(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' || r == '|' || r == '｜' })
}

var faqPath = map[FAQStatus]int{FAQDraft: 0, FAQReview: 1, FAQApproved: 2, FAQRetired: 3}

// ExportFAQ writes every entry at its newest version, in the import format,
// as CSV (UTF-8 with a byte-order mark, which Excel needs) or XLSX by the
// name's extension.
func (s *Store) ExportFAQ(ctx context.Context, name string, w io.Writer) (int, error) {
	entries, err := s.ListFAQ(ctx, FAQFilter{Editing: true})
	if err != nil {
		return 0, err
	}
	// A starter entry goes out under its stable id, which every device
	// that loaded the starter manual maps to its own entry (ImportFAQ).
	starters, err := starterIDs(ctx, s.db)
	if err != nil {
		return 0, err
	}
	table := [][]string{FAQColumns}
	for _, e := range entries {
		v := e.Latest
		if sid, ok := starters[e.ID]; ok {
			e.ID = sid
		}
		tmpl := "0"
		if v.Template {
			tmpl = "1"
		}
		table = append(table, []string{e.ID, v.Category, v.Scope, string(v.Status), v.Question, strings.Join(v.Alternatives, "\n"),
			strings.Join(v.Tags, "\n"), v.Answer, v.QuestionEN, v.AnswerEN, v.EffectiveOn, v.ExpiresOn, tmpl, strconv.Itoa(v.Version)})
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv":
		if _, err := io.WriteString(w, "\xef\xbb\xbf"); err != nil {
			return 0, fmt.Errorf("export: %w", err)
		}
		cw := csv.NewWriter(w)
		if err := cw.WriteAll(csvSafe(table)); err != nil {
			return 0, fmt.Errorf("export: %w", err)
		}
	case ".xlsx":
		f := excelize.NewFile()
		defer f.Close()
		sheet := "FAQ"
		if err := f.SetSheetName("Sheet1", sheet); err != nil {
			return 0, fmt.Errorf("export: %w", err)
		}
		for i, rec := range table {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			row := make([]any, len(rec))
			for j, v := range rec {
				row[j] = v
			}
			if err := f.SetSheetRow(sheet, cell, &row); err != nil {
				return 0, fmt.Errorf("export: %w", err)
			}
		}
		_ = f.SetColWidth(sheet, "E", "E", 40)
		_ = f.SetColWidth(sheet, "H", "H", 80)
		if _, err := f.WriteTo(w); err != nil {
			return 0, fmt.Errorf("export: %w", err)
		}
	default:
		return 0, fileErr("err.faq.import.ext", map[string]any{"Ext": filepath.Ext(name)}, nil)
	}
	return len(entries), nil
}

// starterManual is the shape of assets/faq/starter.json.
type starterManual struct {
	Template    bool   `json:"template"`
	NoticeZH    string `json:"notice_zh"`
	EffectiveOn string `json:"effective_on"`
	Entries     []struct {
		Category     string   `json:"category"`
		Question     string   `json:"question"`
		Alternatives []string `json:"alternatives"`
		Tags         []string `json:"tags"`
		Answer       string   `json:"answer"`
		QuestionEN   string   `json:"question_en"`
		AnswerEN     string   `json:"answer_en"`
	} `json:"entries"`
}

// EnsureStarterFAQ loads the starter manual (assets.StarterFAQ) as approved
// template entries when the device has no FAQ entries yet, and the default
// categories. It does nothing before setup or once any entry exists, and
// returns how many entries it loaded.
func (s *Store) EnsureStarterFAQ(ctx context.Context, manual []byte) (int, error) {
	if !s.IsSetUp() {
		return 0, nil
	}
	var m starterManual
	if err := json.Unmarshal(manual, &m); err != nil {
		return 0, fmt.Errorf("starter faq: %w", err)
	}
	words, err := s.VagueWords(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	err = s.tx(ctx, func(tx *txn) error {
		var have int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM faq_entries`).Scan(&have); err != nil {
			return err
		}
		if have > 0 {
			return nil
		}
		// An enrolled office's manual comes from HQ (and its own history).
		var role string
		if err := tx.QueryRowContext(ctx, `SELECT role FROM sync_state WHERE id = 1 AND enrolled = 1`).Scan(&role); err != nil && !isNoRows(err) {
			return err
		}
		if role == SyncRoleOffice {
			return nil
		}
		st, err := s.stamp()
		if err != nil {
			return err
		}
		if err := ensureFAQCategories(ctx, tx, st.office, st.device, st.at, ""); err != nil {
			return err
		}
		for i, e := range m.Entries {
			in := FAQInput{Category: e.Category, Question: e.Question, Alternatives: e.Alternatives, Tags: e.Tags, Answer: e.Answer,
				QuestionEN: e.QuestionEN, AnswerEN: e.AnswerEN, EffectiveOn: m.EffectiveOn, Template: m.Template}
			if err := in.validate(s.now()); err != nil {
				return fmt.Errorf("starter faq entry %d: %w", i+1, err)
			}
			est := st
			est.id = newID()
			v, _, err := saveFAQ(ctx, tx, est, "", "", in)
			if err != nil {
				return fmt.Errorf("starter faq entry %d: %w", i+1, err)
			}
			for _, to := range []FAQStatus{FAQReview, FAQApproved} {
				if err := setFAQStatus(ctx, tx, est, "", v.EntryID, to, "starter", words); err != nil {
					return fmt.Errorf("starter faq entry %d: %w", i+1, err)
				}
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	s.faqChanged()
	return n, nil
}

// csvGuarded are the first characters csvSafe guards: a spreadsheet reads
// = + - @ (or a leading tab or carriage return) as a formula, and hides a
// leading apostrophe, so a cell that really starts with one is guarded too.
const csvGuarded = "=+-@\t\r'"

// csvSafe guards exported cells against spreadsheet formula injection: a
// cell starting with a csvGuarded character gets a leading apostrophe.
// Import removes it again (csvUnsafe) from CSV and XLSX alike, so the round
// trip is clean whether the spreadsheet hides the apostrophe (Excel: the
// file comes back without it) or keeps it as text (LibreOffice, WPS: the
// file comes back with it, as CSV or saved as XLSX).
func csvSafe(table [][]string) [][]string {
	out := make([][]string, len(table))
	for i, rec := range table {
		out[i] = make([]string, len(rec))
		for j, c := range rec {
			if c != "" && strings.ContainsRune(csvGuarded, rune(c[0])) {
				c = "'" + c
			}
			out[i][j] = c
		}
	}
	return out
}

// csvUnsafe undoes csvSafe for one imported cell.
func csvUnsafe(c string) string {
	if len(c) > 1 && c[0] == '\'' && strings.ContainsRune(csvGuarded, rune(c[1])) {
		return c[1:]
	}
	return c
}
