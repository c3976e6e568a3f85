package data

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"
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

// Table is the first table of an import file as data/sheet.Read reads
// it (CSV, or an XLSX workbook's first sheet): its rows of cells, and each
// row's line (CSV) or row number (XLSX) in the file, for messages.
type Table struct {
	Name  string // the file's name, as a carried-over ticket records it
	Rows  [][]string
	Lines []int
}

func fileErr(key string, args map[string]any, cause error) *Error {
	return &Error{Code: EINVALID, Key: key, Args: args, Err: cause}
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

// ExportFAQ is every entry at its newest version as a table in the import
// format, the header first (data/sheet.WriteFAQ writes it as CSV or XLSX).
func (s *Store) ExportFAQ(ctx context.Context) ([][]string, error) {
	entries, err := s.ListFAQ(ctx, FAQFilter{Editing: true})
	if err != nil {
		return nil, err
	}
	// A starter entry goes out under its stable id, which every device
	// that loaded the starter manual maps to its own entry (ImportFAQ).
	starters, err := starterIDs(ctx, s.db)
	if err != nil {
		return nil, err
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
	return table, nil
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
