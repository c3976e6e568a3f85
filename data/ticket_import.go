package data

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Carrying tickets over: an office that kept its complaint ledger on paper
// or in a spreadsheet types the matters still open into a CSV or XLSX file
// and imports it, so their deadlines and revisits are tracked from then on.
// The file's columns, in any order, with English or Chinese headers
// (docs/data.md lists them for the people who fill them in):
//
//	opened_at      受理时间   YYYY-MM-DD HH:MM or YYYY-MM-DD (office time), required
//	kind           类型       complaint/投诉, repair/报修, inquiry/咨询, suggestion/建议, required
//	category       类别       engineering/工程质量, design/规划设计, sales/销售管理,
//	                          property/物业管理, service/客户服务, other/其他, required
//	severity       级别       major/重大, important/重要, general/一般, minor/轻微, required
//	urgent         紧急       1/是/yes or empty
//	project, building, unit   项目, 楼栋, 房号
//	subject        被投诉对象 person or department complained about
//	description    事由       what happened, required
//	demand         客户诉求
//	customer_name  客户姓名   required, with phone, except for suggestions
//	phone          联系电话
//	department     责任部门
//	ref            原编号     the paper ledger's number, kept in the opening note
//
// Each row is checked as a ticket opened at the desk would be, except that
// it may be older than TicketMaxBackdate. The import applies whole or not
// at all: every bad cell is reported (line, column, reason) and nothing is
// written.

// TicketImportColumns are the columns ImportTickets reads.
var TicketImportColumns = []string{"opened_at", "kind", "category", "severity", "urgent", "project", "building", "unit",
	"subject", "description", "demand", "customer_name", "phone", "department", "ref"}

var ticketImportRequired = []string{"opened_at", "kind", "category", "severity", "description"}

// MaxTicketImportRows bounds one import file.
const MaxTicketImportRows = 5000

var ticketImportAliases = map[string]string{
	"受理时间": "opened_at", "登记时间": "opened_at", "时间": "opened_at", "类型": "kind", "类别": "category", "分类": "category",
	"级别": "severity", "等级": "severity", "紧急": "urgent", "项目": "project", "楼栋": "building", "楼号": "building",
	"房号": "unit", "单元": "unit", "被投诉对象": "subject", "被投诉人": "subject", "事由": "description", "问题描述": "description",
	"投诉内容": "description", "客户诉求": "demand", "诉求": "demand", "客户姓名": "customer_name", "客户": "customer_name",
	"联系电话": "phone", "电话": "phone", "责任部门": "department", "原编号": "ref", "编号": "ref",
}

// ticketWords maps the words a ledger uses for kinds, categories and
// severities (code, Chinese or English label) to codes.
var ticketWords = map[string]map[string]string{
	"kind": {"投诉": TicketComplaint, "报修": TicketRepair, "维修": TicketRepair, "咨询": TicketInquiry, "咨询跟进": TicketInquiry,
		"建议": TicketSuggestion},
	"category": {"工程质量": CatEngineering, "工程": CatEngineering, "规划设计": CatDesign, "设计": CatDesign, "销售管理": CatSales,
		"销售": CatSales, "物业管理": CatProperty, "物业": CatProperty, "客户服务": CatService, "服务": CatService, "其他": CatOther,
		"其它": CatOther},
	"severity": {"重大": SeverityMajor, "重要": SeverityImportant, "一般": SeverityGeneral, "轻微": SeverityMinor},
}

// ticketWordCodes are the codes each worded column accepts.
var ticketWordCodes = map[string][]string{"kind": TicketKinds, "category": TicketCategories, "severity": Severities}

func ticketWord(column, cell string) (string, bool) {
	v := strings.ToLower(strings.TrimSpace(cell))
	if slices.Contains(ticketWordCodes[column], v) {
		return v, true
	}
	code, ok := ticketWords[column][v]
	return code, ok
}

// ticketImportRow is one row of an import file read into a ticket.
type ticketImportRow struct {
	line int
	ref  string
	in   TicketInput
}

// readTicketTable reads the rows of an import table; unreadable cells are
// listed in bad.
func readTicketTable(table [][]string, lines []int, loc *time.Location) ([]ticketImportRow, FAQImportErrors, error) {
	table, lines, col, err := tableColumns(table, lines, TicketImportColumns, ticketImportAliases, ticketImportRequired)
	if err != nil {
		return nil, nil, err
	}
	var rows []ticketImportRow
	var bad FAQImportErrors
	for i, rec := range table[1:] {
		line := lines[i+1]
		if strings.TrimSpace(strings.Join(rec, "")) == "" {
			continue
		}
		if len(rows) == MaxTicketImportRows {
			return nil, nil, fileErr("err.ticket.import.too_many", map[string]any{"Max": MaxTicketImportRows}, nil)
		}
		get := func(c string) string {
			if j, ok := col[c]; ok && j < len(rec) {
				return rec[j]
			}
			return ""
		}
		row := ticketImportRow{line: line, ref: strings.TrimSpace(get("ref"))}
		row.in = TicketInput{Project: get("project"), Building: get("building"), Unit: get("unit"), Subject: get("subject"),
			Description: get("description"), Demand: get("demand"), CustomerName: get("customer_name"), Phone: get("phone"),
			Department: get("department")}
		for _, c := range []struct {
			name string
			dst  *string
		}{{"kind", &row.in.Kind}, {"category", &row.in.Category}, {"severity", &row.in.Severity}} {
			code, ok := ticketWord(c.name, get(c.name))
			if !ok {
				bad = append(bad, FAQRowError{Line: line, Column: c.name, Key: "err.ticket.import.word",
					Args: map[string]any{"Value": truncRunes(strings.TrimSpace(get(c.name)), 20), "Allowed": allowedWords(c.name)}})
			}
			*c.dst = code
		}
		switch u := strings.ToLower(strings.TrimSpace(get("urgent"))); u {
		case "", "0", "false", "否", "no":
		case "1", "true", "是", "yes", "紧急":
			row.in.Urgent = true
		default:
			bad = append(bad, FAQRowError{Line: line, Column: "urgent", Key: "err.ticket.import.bool"})
		}
		at, err := parseImportTime(get("opened_at"), loc)
		if err != nil {
			bad = append(bad, FAQRowError{Line: line, Column: "opened_at", Key: "err.ticket.import.time",
				Args: map[string]any{"Value": truncRunes(strings.TrimSpace(get("opened_at")), 20)}})
		}
		row.in.OpenedAt = at
		if ref, e := cleanLine("ref", row.ref, false, MaxTicketPlaceLen); e != nil {
			bad = append(bad, FAQRowError{Line: line, Column: "ref", Key: e.Key, Args: e.Args})
		} else {
			row.ref = ref
		}
		rows = append(rows, row)
	}
	if len(rows) == 0 {
		return nil, nil, fileErr("err.faq.import.empty", nil, nil)
	}
	return rows, bad, nil
}

// allowedWords lists what a worded column accepts, for the message: each
// code with its first Chinese word, "投诉/complaint、报修/repair…".
func allowedWords(column string) string {
	var words []string
	for _, code := range ticketWordCodes[column] {
		var zh []string
		for w, c := range ticketWords[column] {
			if c == code {
				zh = append(zh, w)
			}
		}
		slices.SortFunc(zh, func(a, b string) int { return len(b) - len(a) }) // the full name first (工程质量 before 工程)
		if len(zh) > 0 {
			words = append(words, zh[0]+"/"+code)
		} else {
			words = append(words, code)
		}
	}
	return strings.Join(words, "、")
}

// parseImportTime reads "YYYY-MM-DD HH:MM[:SS]", "YYYY/MM/DD HH:MM" or a
// day alone (taken as 09:00) in the office's time zone.
func parseImportTime(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(strings.ReplaceAll(s, "/", "-"))
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02 15:04:05", "2006-1-2 15:04", "2006-1-2 15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	for _, layout := range []string{time.DateOnly, "2006-1-2"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t.Add(9 * time.Hour), nil
		}
	}
	return time.Time{}, fmt.Errorf("not a time: %q", s)
}

// ImportTickets opens the tickets of a carried-over ledger file (CSV or
// XLSX, as data/sheet.Read reads it) as the actor, a supervisor or admin, who owns
// them from then on. It applies every row or none: a bad file is one
// *Error; bad rows are listed (FAQImportErrors, the cause of
// err.faq.import.rows) and nothing is written. A row that repeats a ticket
// already in the system (same time, phone and description) is refused, so
// importing a file twice changes nothing the second time.
func (s *Store) ImportTickets(ctx context.Context, actorID string, t Table) (int, error) {
	loc := s.Location()
	rows, bad, err := readTicketTable(t.Rows, t.Lines, loc)
	if err != nil {
		return 0, err
	}
	pol, err := s.SLAPolicy(ctx)
	if err != nil {
		return 0, err
	}
	cal, err := s.Calendar(ctx)
	if err != nil {
		return 0, err
	}
	_, office, err := s.ids()
	if err != nil {
		return 0, err
	}
	now := s.now()
	// Every row is checked and its deadlines worked out first, reading
	// only; then the tickets are opened.
	type planned struct {
		row ticketImportRow
		in  TicketInput
		dl  Deadlines
	}
	var plan []planned
	seen := map[string]int{}
	for _, row := range rows {
		in := row.in
		in.carriedOver = "import " + t.Name
		if row.ref != "" {
			in.carriedOver += " · " + row.ref
		}
		if err := in.validate(now); err != nil {
			fe, ok := err.(FieldErrors)
			if !ok {
				return 0, err
			}
			for _, e := range fe {
				if !slices.ContainsFunc(bad, func(b FAQRowError) bool { return b.Line == row.line && b.Column == e.Field }) {
					bad = append(bad, FAQRowError{Line: row.line, Column: e.Field, Key: e.Key, Args: e.Args})
				}
			}
			continue
		}
		key := fmt.Sprint(in.OpenedAt.UnixMilli(), in.Phone, in.Description)
		if first, dup := seen[key]; dup {
			bad = append(bad, FAQRowError{Line: row.line, Key: "err.ticket.import.dup_row", Args: map[string]any{"Line": first}})
			continue
		}
		seen[key] = row.line
		if exists, err := s.ticketExists(ctx, office.ID, in); err != nil {
			return 0, err
		} else if exists {
			bad = append(bad, FAQRowError{Line: row.line, Key: "err.ticket.import.exists"})
			continue
		}
		dl, err := pol.Deadlines(cal, in.Kind, in.Severity, in.Urgent, in.OpenedAt)
		if err != nil {
			return 0, err
		}
		plan = append(plan, planned{row, in, dl})
	}
	if len(bad) > 0 {
		return 0, importErr(bad)
	}
	// Written in chunks (import_staged.go), so the desk's writes go on;
	// all or nothing: a failure, a cancel or a kill takes every ticket of
	// the import out again. Unlike the manual's, the tickets show as they
	// are written (for the seconds the import takes).
	id, err := s.beginImport(ctx, actorID, canCarryOver, "tickets")
	if err != nil {
		return 0, err
	}
	st, err := s.stamp()
	if err != nil {
		s.importDone(id)
		return 0, err
	}
	steps := make([]importStep, len(plan))
	for i, p := range plan {
		steps[i] = func(ctx context.Context, tx *txn) error {
			// Again inside the transaction: a desk may have opened the
			// same ticket meanwhile.
			var existing int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM tickets WHERE office_id = ? AND opened_at = ? AND phone = ? AND description = ?`,
				st.office, ms(p.in.OpenedAt), p.in.Phone, p.in.Description).Scan(&existing); err != nil {
				return fmt.Errorf("ticket import: %w", err)
			}
			if existing > 0 {
				return importErr(FAQImportErrors{{Line: p.row.line, Key: "err.ticket.import.exists"}})
			}
			rst := st
			rst.id = newID()
			if _, err := openTicketTx(ctx, tx, rst, office.Code, actorID, p.in, p.dl, loc); err != nil {
				if e, ok := AsError(err); ok && e.Code != EINTERNAL && e.Code != ESTORAGE {
					return importErr(FAQImportErrors{{Line: p.row.line, Column: e.Field, Key: e.Key, Args: e.Args}})
				}
				return err
			}
			return nil
		}
	}
	if err := s.runImport(ctx, id, steps, false, func(context.Context, *txn) error { return nil }); err != nil {
		return 0, err
	}
	return len(plan), nil
}

// ticketExists: a ticket of the office opened at the same time with the
// same phone and description is already in the system.
func (s *Store) ticketExists(ctx context.Context, officeID string, in TicketInput) (bool, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM tickets WHERE office_id = ? AND opened_at = ? AND phone = ? AND description = ?`,
		officeID, ms(in.OpenedAt), in.Phone, in.Description).Scan(&n); err != nil {
		return false, fmt.Errorf("ticket import: %w", err)
	}
	return n > 0, nil
}

// canCarryOver: bringing a paper ledger into the system is for the people
// who answer for it.
func canCarryOver(r Role) bool { return r == RoleSupervisor || r == RoleAdmin }
