package data

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"
)

// ImportFAQ takes a manual file's table (data/sheet.Read) and applies it whole, or applies nothing
// and reports every bad cell of every row. Each row becomes a new version
// of its entry when its content differs, then moves to its status. Admins
// only.
//
// A row's entry is, in this order: the entry with the row's id; the
// starter entry whose stable id it is (FAQStableID: a manual exported on
// one device names the starter entries so that every other device finds
// its own); the entry asking the same question in the same scope; else a
// new entry (with the row's id, if it has one). So a manual moves between
// offices, and comes back, as new versions of the same entries.
//
// It is written in chunks (import_staged.go): the desk's writes go on
// meanwhile, and the manual appears at once when the import ends.
func (s *Store) ImportFAQ(ctx context.Context, actorID string, t Table) (FAQImportResult, error) {
	rows, bad, err := parseFAQTable(t.Rows, t.Lines)
	if err != nil {
		return FAQImportResult{}, err
	}
	words, err := s.VagueWords(ctx)
	if err != nil {
		return FAQImportResult{}, err
	}
	id, err := s.beginImport(ctx, actorID, Role.CanEditFAQ, "faq")
	if err != nil {
		return FAQImportResult{}, err
	}
	s.hook("planning", len(rows))
	p, err := s.planFAQImport(ctx, actorID, rows, bad, words)
	if err == nil && len(p.bad) > 0 {
		err = importErr(p.bad)
	}
	if err != nil {
		s.importDone(id)
		if rerr := s.rollbackImport(context.WithoutCancel(ctx), id); rerr != nil {
			return FAQImportResult{}, fmt.Errorf("%w (and the import's slot: %v)", err, rerr)
		}
		return FAQImportResult{}, err
	}
	final, _ := json.Marshal(p.final)
	err = s.runImport(ctx, id, recordSteps(p.at, p.steps), true, func(ctx context.Context, tx *txn) error {
		// The import's status events come after every other event of
		// its entries (pendingOrd + their seqs), so their derived state
		// is what the plan ends with; one statement sets it.
		_, err := tx.ExecContext(ctx, `UPDATE faq_entries SET latest_version = j.v, latest_status = j.s, updated_at = ?2,
			live_version = CASE j.s WHEN 'approved' THEN j.v WHEN 'retired' THEN NULL ELSE faq_entries.live_version END
			FROM (SELECT json_extract(value, '$[0]') AS id, json_extract(value, '$[1]') AS v, json_extract(value, '$[2]') AS s
				FROM json_each(?1)) AS j WHERE faq_entries.id = j.id`, string(final), p.at)
		if err != nil {
			return fmt.Errorf("faq import: derive: %w", err)
		}
		return nil
	})
	if err != nil {
		return FAQImportResult{}, err
	}
	s.faqChanged()
	return p.res, nil
}

// faqPlan is an import worked out before anything is written.
type faqPlan struct {
	steps []payload // what to record, in order
	final [][3]any  // the entries the steps change: id, newest version, its status
	res   FAQImportResult
	bad   FAQImportErrors
	at    int64
}

// bookEntry is an entry as the import plans it: as stored, then as the
// rows before have changed it.
type bookEntry struct {
	id      string
	cur     FAQVersion // newest version (content loaded when first needed)
	loaded  bool
	office  string // office of the newest version
	created bool   // made by this import
}

// faqBook is what the planner knows of the manual: every entry's newest
// question and status, the categories, the starter entries' stable ids.
type faqBook struct {
	entries map[string]*bookEntry
	byQ     map[[2]string]map[string]bool // (scope, question) → entries asking it, retired ones too
	stable  map[string]string             // stable id → entry
	cats    map[string]bool
}

// starterNamespace names the stable ids of the starter manual's entries.
var starterNamespace = uuid.NewSHA1(uuid.NameSpaceURL, []byte("anchang:faq_starter"))

// FAQStableID is the id a starter entry carries in an exported file on
// every device: made from the question it was loaded with (its version
// 1), so every device that loaded the same starter manual names it the
// same, whatever random id the entry has locally. Entries are not given
// this id as their own: a standalone office's own starter entries and
// HQ's published ones would then share ids and clash in sync.
func FAQStableID(starterQuestion string) string {
	return uuid.NewSHA1(starterNamespace, []byte(starterQuestion)).String()
}

// starterIDs maps each starter entry (loaded by EnsureStarterFAQ here or
// on HQ's device: version 1 by nobody, approved with the note "starter")
// to its stable id.
func starterIDs(ctx context.Context, q queryer) (map[string]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT v.entry_id, v.question FROM faq_versions v WHERE v.version = 1 AND v.created_by IS NULL
		AND EXISTS (SELECT 1 FROM faq_status_events e WHERE e.entry_id = v.entry_id AND e.version = 1 AND e.note = 'starter')`)
	if err != nil {
		return nil, fmt.Errorf("starter entries: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, q string
		if err := rows.Scan(&id, &q); err != nil {
			return nil, fmt.Errorf("starter entries: %w", err)
		}
		out[id] = FAQStableID(q)
	}
	return out, rows.Err()
}

func (s *Store) loadFAQBook(ctx context.Context) (*faqBook, error) {
	b := &faqBook{entries: map[string]*bookEntry{}, byQ: map[[2]string]map[string]bool{}, stable: map[string]string{}, cats: map[string]bool{}}
	rows, err := s.db.QueryContext(ctx, `SELECT x.id, x.latest_version, x.latest_status, v.scope, v.question, v.office_id
		FROM faq_entries x JOIN faq_versions v ON v.entry_id = x.id AND v.version = x.latest_version`)
	if err != nil {
		return nil, fmt.Errorf("faq import: %w", err)
	}
	for rows.Next() {
		e := &bookEntry{}
		var status string
		if err := rows.Scan(&e.id, &e.cur.Version, &status, &e.cur.Scope, &e.cur.Question, &e.office); err != nil {
			rows.Close()
			return nil, fmt.Errorf("faq import: %w", err)
		}
		e.cur.EntryID, e.cur.Status = e.id, FAQStatus(status)
		b.entries[e.id] = e
		b.index(e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("faq import: %w", err)
	}
	starters, err := starterIDs(ctx, s.db)
	if err != nil {
		return nil, err
	}
	for id, sid := range starters {
		if old, ok := b.stable[sid]; !ok || old > id {
			b.stable[sid] = id // two (an office's own and HQ's): the same one every time
		}
	}
	cats, err := s.FAQCategories(ctx)
	if err != nil {
		return nil, err
	}
	for _, c := range cats {
		b.cats[c.Code] = true
	}
	return b, nil
}

func (b *faqBook) index(e *bookEntry) {
	k := [2]string{e.cur.Scope, e.cur.Question}
	if b.byQ[k] == nil {
		b.byQ[k] = map[string]bool{}
	}
	b.byQ[k][e.id] = true
}

func (b *faqBook) unindex(e *bookEntry) {
	delete(b.byQ[[2]string{e.cur.Scope, e.cur.Question}], e.id)
}

// target is the entry a row updates ("" = a new one).
func (b *faqBook) target(id string, in FAQInput) string {
	if id != "" {
		if _, ok := b.entries[id]; ok {
			return id
		}
		if e, ok := b.stable[id]; ok {
			return e
		}
	}
	var retired string
	for e := range b.byQ[[2]string{in.Scope, in.Question}] {
		if b.entries[e].cur.Status != FAQRetired {
			return e
		}
		if retired == "" || e < retired {
			retired = e
		}
	}
	return retired
}

// duplicate is another entry, not retired, that asks the question.
func (b *faqBook) duplicate(target string, in FAQInput) bool {
	for e := range b.byQ[[2]string{in.Scope, in.Question}] {
		if e != target && b.entries[e].cur.Status != FAQRetired {
			return true
		}
	}
	return false
}

// planFAQImport checks every row against the manual as stored and as the
// rows before it change it, and works out the changes, writing nothing.
func (s *Store) planFAQImport(ctx context.Context, by string, rows []faqRow, bad FAQImportErrors, words []string) (*faqPlan, error) {
	st, err := s.stamp()
	if err != nil {
		return nil, err
	}
	book, err := s.loadFAQBook(ctx)
	if err != nil {
		return nil, err
	}
	hq, err := isHQDevice(ctx, s.db)
	if err != nil {
		return nil, err
	}
	var enrolled bool
	var role string
	if err := s.db.QueryRowContext(ctx, `SELECT enrolled, role FROM sync_state WHERE id = 1`).Scan(&enrolled, &role); err != nil && !isNoRows(err) {
		return nil, fmt.Errorf("sync state: %w", err)
	}
	officeDevice := enrolled && role == SyncRoleOffice // drafts only (docs/sync.md)
	p := &faqPlan{bad: bad, at: st.at}
	if len(book.cats) == 0 { // a new device: the default categories come first
		for _, c := range DefaultFAQCategories {
			cst := st
			cst.id = defaultCategoryID(c.Code)
			p.steps = append(p.steps, &faqCategory{recStamp: newRecStamp(cst, by), Code: c.Code, NameZH: c.NameZH, NameEN: c.NameEN, Sort: c.Sort, Active: true})
			book.cats[c.Code] = true
		}
	}
	now := s.now().In(s.Location())
	seen := map[[2]string]int{}
	touched := map[string]bool{}
	cellBad := map[int][]string{} // the cells reading the file found bad, by line
	for _, e := range bad {
		cellBad[e.Line] = append(cellBad[e.Line], e.Column)
	}
	for _, row := range rows {
		line := row.line
		reported := map[string]bool{} // columns with a problem on this line
		for _, c := range cellBad[line] {
			reported[c] = true
		}
		report := func(column, key string, args map[string]any) {
			if reported[column] {
				return
			}
			reported[column] = true
			p.bad = append(p.bad, FAQRowError{Line: line, Column: column, Key: key, Args: args})
		}
		in := row.in
		for _, e := range in.check(now) {
			report(e.Field, e.Key, e.Args)
		}
		if row.status == FAQApproved {
			for _, is := range LintFAQ(in, words) {
				n := 0
				for _, o := range LintFAQ(in, words) {
					if o.Field == is.Field {
						n++
					}
				}
				report(is.Field, "err.faq.vague", map[string]any{"Count": n, "Word": is.Word})
			}
		}
		if !reported["category"] && !book.cats[in.Category] {
			report("category", "err.faq.category", map[string]any{"Category": in.Category})
		}
		if reported["question"] || reported["scope"] {
			continue
		}
		key := [2]string{in.Scope, in.Question}
		if first, dup := seen[key]; dup {
			report("question", "err.faq.import.dup_row", map[string]any{"Line": first})
			continue
		}
		seen[key] = line
		target := book.target(row.id, in)
		if book.duplicate(target, in) {
			report("question", "err.faq.duplicate", nil)
		}
		if len(reported) > 0 {
			continue // this row will not be applied; the next ones are checked against the manual without it
		}
		steps, err := s.planFAQRow(ctx, book, st, by, row, target, in, hq)
		if err != nil {
			if e, ok := AsError(err); ok {
				report(e.Field, e.Key, e.Args)
				continue
			}
			return nil, err
		}
		for _, step := range steps {
			switch x := step.(type) {
			case *faqSave:
				touched[x.EntryID] = true
			case *faqStatus:
				touched[x.EntryID] = true
				if officeDevice && !x.draft() {
					report("status", "err.sync.approved_at_hq", nil)
				}
			}
		}
		if target == "" {
			p.res.Created++
		} else if len(steps) > 0 && isSave(steps[0]) {
			p.res.Updated++
		} else {
			p.res.Unchanged++
		}
		p.steps = append(p.steps, steps...)
	}
	for id := range touched {
		e := book.entries[id]
		p.final = append(p.final, [3]any{id, e.cur.Version, string(e.cur.Status)})
	}
	return p, nil
}

func isSave(p payload) bool { _, ok := p.(*faqSave); return ok }

// planFAQRow works out one good row's changes and moves the book on: a
// new version when the content differs, then the status moves to the
// row's status. A move back (approved to draft) is an *Error.
func (s *Store) planFAQRow(ctx context.Context, book *faqBook, st stamp, by string, row faqRow, target string, in FAQInput, hq bool) ([]payload, error) {
	var e *bookEntry
	if target == "" {
		id := row.id
		if id == "" || book.entries[id] != nil {
			id = newID()
		}
		e = &bookEntry{id: id, loaded: true, office: st.office, created: true}
		book.entries[id] = e
	} else {
		e = book.entries[target]
		if !e.loaded {
			cur, err := findFAQVersion(ctx, s.db, e.id, 0)
			if err != nil {
				return nil, err
			}
			e.cur, e.loaded = cur, true
		}
	}
	var steps []payload
	save := func(in FAQInput) {
		vst := st
		vst.id = newID()
		book.unindex(e)
		e.cur = FAQVersion{FAQInput: in, EntryID: e.id, Version: e.cur.Version + 1, Status: FAQDraft}
		e.office = st.office
		book.index(e)
		steps = append(steps, &faqSave{recStamp: newRecStamp(vst, by), EntryID: e.id, Version: e.cur.Version,
			Category: in.Category, Scope: in.Scope, Question: in.Question, Alternatives: nonNil(in.Alternatives), Answer: in.Answer,
			QuestionEN: in.QuestionEN, AnswerEN: in.AnswerEN, Tags: nonNil(in.Tags), EffectiveOn: in.EffectiveOn, ExpiresOn: in.ExpiresOn, Template: in.Template})
	}
	move := func(to FAQStatus) {
		ev := st
		ev.id = newID()
		steps = append(steps, &faqStatus{recStamp: newRecStamp(ev, by), EntryID: e.id, Version: e.cur.Version, Status: to})
		e.cur.Status = to
	}
	if e.created || !e.cur.FAQInput.sameContent(in) {
		save(in)
	}
	want, cur := row.status, e.cur.Status
	if faqPath[want] < faqPath[cur] && !(cur == FAQReview && want == FAQDraft) {
		return nil, &Error{Code: ECONFLICT, Field: "status", Key: "err.faq.transition", Args: map[string]any{"From": string(cur), "To": string(want)}}
	}
	if cur == FAQReview && want == FAQDraft {
		move(FAQDraft)
		return steps, nil
	}
	for faqPath[e.cur.Status] < faqPath[want] {
		next := []FAQStatus{FAQDraft, FAQReview, FAQApproved, FAQRetired}[faqPath[e.cur.Status]+1]
		if next == FAQApproved && hq && e.office != st.office {
			// An HQ device approving an office's draft publishes its own
			// version of it first (publishOfficeDraft).
			save(e.cur.FAQInput)
		}
		move(next)
	}
	return steps, nil
}
