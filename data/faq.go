package data

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// FAQ content limits, in characters.
const (
	MaxFAQQuestionLen = 200
	MaxFAQAnswerLen   = 4000
	MaxFAQAnswerENLen = 8000
	MaxFAQAlts        = 20
	MaxFAQTags        = 20
	MaxFAQTagLen      = 20
)

// FAQStatus is where a version of an entry stands.
type FAQStatus string

const (
	FAQDraft    FAQStatus = "draft"    // 草稿
	FAQReview   FAQStatus = "review"   // 审核中
	FAQApproved FAQStatus = "approved" // 已批准
	FAQRetired  FAQStatus = "retired"  // 已停用
)

// faqMoves are the allowed status changes.
var faqMoves = map[FAQStatus][]FAQStatus{
	FAQDraft:    {FAQReview},
	FAQReview:   {FAQDraft, FAQApproved},
	FAQApproved: {FAQRetired},
}

// CanEditFAQ: FAQ content belongs to HQ's customer-relations centre. There is
// no HQ role on a device yet, so the office admin stands in for it; office
// staff see approved entries read-only.
func (r Role) CanEditFAQ() bool { return r == RoleAdmin }

// FAQInput is the content of one version of an entry.
type FAQInput struct {
	Category     string   // a FAQCategory code
	Scope        string   // "" = every project; else an office code
	Question     string   // zh-CN
	Alternatives []string // other ways visitors ask it
	Answer       string   // paragraphs; "- " lines are list items
	QuestionEN   string
	AnswerEN     string
	Tags         []string
	EffectiveOn  string // YYYY-MM-DD; "" = today
	ExpiresOn    string // YYYY-MM-DD or ""
	Template     bool   // starter content the company should replace
}

// FAQVersion is one stored version of an entry.
type FAQVersion struct {
	FAQInput
	EntryID    string
	Version    int
	Status     FAQStatus
	AuthorID   string
	ApproverID string // who approved it; "" if never approved
	CreatedAt  time.Time
	ApprovedAt time.Time
}

// FAQEntry is an entry with its newest version and the version the desk
// answers from.
type FAQEntry struct {
	ID           string
	Latest       FAQVersion
	LiveVersion  int // 0 = nothing approved to answer from
	LatestStatus FAQStatus
}

var faqScopeRe = regexp.MustCompile(`^[A-Z0-9][A-Z0-9_-]*$`)

// validate cleans the input in place and returns its first problem. now
// gives the default effective date.
func (in *FAQInput) validate(now time.Time) error {
	if errs := in.check(now); len(errs) > 0 {
		return errs[0]
	}
	return nil
}

// check cleans the input in place and lists every problem, at most one
// per field, in the order of the fields (an import reports them all).
func (in *FAQInput) check(now time.Time) []*Error {
	var errs []*Error
	add := func(e *Error) {
		if e != nil {
			errs = append(errs, e)
		}
	}
	var err *Error
	in.Question, err = cleanLine("question", in.Question, true, MaxFAQQuestionLen)
	add(err)
	in.Answer, err = cleanText("answer", in.Answer, MaxFAQAnswerLen)
	add(err)
	if err == nil && in.Answer == "" {
		add(invalid("answer", "err.field.required", nil))
	}
	in.QuestionEN, err = cleanLine("question_en", in.QuestionEN, false, MaxFAQQuestionLen*2)
	add(err)
	in.AnswerEN, err = cleanText("answer_en", in.AnswerEN, MaxFAQAnswerENLen)
	add(err)
	if in.Category = strings.TrimSpace(in.Category); in.Category == "" {
		add(invalid("category", "err.field.required", nil))
	}
	in.Scope = strings.ToUpper(strings.TrimSpace(in.Scope))
	if in.Scope != "" && (len(in.Scope) > MaxCodeLen || !faqScopeRe.MatchString(in.Scope)) {
		add(invalid("scope", "err.faq.scope", nil))
	}
	in.Alternatives, err = cleanList("alternatives", in.Alternatives, MaxFAQAlts, MaxFAQQuestionLen)
	add(err)
	in.Tags, err = cleanList("tags", in.Tags, MaxFAQTags, MaxFAQTagLen)
	add(err)
	if in.EffectiveOn = strings.TrimSpace(in.EffectiveOn); in.EffectiveOn == "" {
		in.EffectiveOn = now.Format(time.DateOnly)
	}
	eff, perr := time.Parse(time.DateOnly, in.EffectiveOn)
	if perr != nil {
		add(invalid("effective_on", "err.faq.date", nil))
	}
	if in.ExpiresOn = strings.TrimSpace(in.ExpiresOn); in.ExpiresOn != "" {
		exp, perr2 := time.Parse(time.DateOnly, in.ExpiresOn)
		switch {
		case perr2 != nil:
			add(invalid("expires_on", "err.faq.date", nil))
		case perr == nil && exp.Before(eff):
			add(invalid("expires_on", "err.faq.expiry_before", nil))
		}
	}
	return errs
}

// cleanList cleans each item, drops empty ones and duplicates.
func cleanList(field string, items []string, maxItems, maxLen int) ([]string, *Error) {
	out := []string{}
	for _, it := range items {
		v, err := cleanLine(field, it, false, maxLen)
		if err != nil {
			return nil, err
		}
		if v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	if len(out) > maxItems {
		return nil, invalid(field, "err.faq.too_many", map[string]any{"Max": maxItems})
	}
	return out, nil
}

func (a FAQInput) sameContent(b FAQInput) bool {
	return a.Category == b.Category && a.Scope == b.Scope && a.Question == b.Question &&
		slices.Equal(a.Alternatives, b.Alternatives) && a.Answer == b.Answer &&
		a.QuestionEN == b.QuestionEN && a.AnswerEN == b.AnswerEN && slices.Equal(a.Tags, b.Tags) &&
		a.EffectiveOn == b.EffectiveOn && a.ExpiresOn == b.ExpiresOn && a.Template == b.Template
}

// SaveFAQ stores in as a new draft version: of a new entry when entryID is
// "", else of that entry. Nothing is overwritten; a save identical to the
// newest version stores nothing and returns it. Admins only.
func (s *Store) SaveFAQ(ctx context.Context, actorID, entryID string, in FAQInput) (FAQVersion, error) {
	if err := in.validate(s.now().In(s.Location())); err != nil {
		return FAQVersion{}, err
	}
	var out FAQVersion
	err := s.actorTx(ctx, actorID, Role.CanEditFAQ, func(tx *txn, st stamp) error {
		if err := noImportRunning(ctx, tx); err != nil {
			return err
		}
		if err := ensureFAQCategories(ctx, tx, st.office, st.device, st.at, actorID); err != nil {
			return err
		}
		var err error
		out, _, err = saveFAQ(ctx, tx, st, actorID, entryID, in)
		return err
	})
	if err == nil {
		s.faqChanged()
	}
	return out, err
}

// saveFAQ appends a draft version; changed is false when in equals the newest version.
func saveFAQ(ctx context.Context, tx *txn, st stamp, by, entryID string, in FAQInput) (FAQVersion, bool, error) {
	if err := checkCategory(ctx, tx, in.Category); err != nil {
		return FAQVersion{}, false, err
	}
	if err := checkDuplicateQuestion(ctx, tx, entryID, in.Scope, in.Question); err != nil {
		return FAQVersion{}, false, err
	}
	version := 1
	if entryID == "" {
		entryID = st.id
	} else {
		cur, err := findFAQVersion(ctx, tx, entryID, 0)
		if err != nil {
			return FAQVersion{}, false, err
		}
		if cur.FAQInput.sameContent(in) {
			return cur, false, nil
		}
		version = cur.Version + 1
	}
	vst := st
	vst.id = newID()
	if err := record(ctx, tx, st.at, &faqSave{recStamp: newRecStamp(vst, by), EntryID: entryID, Version: version,
		Category: in.Category, Scope: in.Scope, Question: in.Question, Alternatives: nonNil(in.Alternatives), Answer: in.Answer,
		QuestionEN: in.QuestionEN, AnswerEN: in.AnswerEN, Tags: nonNil(in.Tags), EffectiveOn: in.EffectiveOn, ExpiresOn: in.ExpiresOn, Template: in.Template}); err != nil {
		return FAQVersion{}, false, err
	}
	v := FAQVersion{FAQInput: in, EntryID: entryID, Version: version, Status: FAQDraft, AuthorID: by, CreatedAt: fromMS(st.at)}
	return v, true, nil
}

func nonNil(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

// faqSave (faq.save v1) is a new version of a FAQ entry — of a new entry
// when Version is 1 — as a draft. Versions are never changed; the entry's
// state follows from its status events (the draft one is this record's).
type faqSave struct {
	recStamp              // ID: the version's id
	EntryID      string   `json:"entry_id"`
	Version      int      `json:"version"`
	Category     string   `json:"category"` // a category's code
	Scope        string   `json:"scope"`    // "" = every project; else an office code
	Question     string   `json:"question"`
	Alternatives []string `json:"alternatives"`
	Answer       string   `json:"answer"`
	QuestionEN   string   `json:"question_en"`
	AnswerEN     string   `json:"answer_en"`
	Tags         []string `json:"tags"`
	EffectiveOn  string   `json:"effective_on"` // YYYY-MM-DD
	ExpiresOn    string   `json:"expires_on"`   // YYYY-MM-DD or ""
	Template     bool     `json:"template"`
}

func init() {
	registerMutation[faqSave](MutationSpec{Name: MutFAQSave, Version: 1, Entity: "faq_version", Owner: OwnerHQ, Rank: rankRecord})
	registerReencoder(MutFAQSave, func(ctx context.Context, tx *txn, e OutboxEntry) (payload, error) {
		// Before the registry the record was the entry; the version is in the payload.
		var old struct {
			Version int `json:"version"`
		}
		if err := json.Unmarshal(e.Payload, &old); err != nil {
			return nil, err
		}
		var p faqSave
		var by sql.NullString
		var alts, tags string
		err := tx.QueryRowContext(ctx, `SELECT id, office_id, device_id, created_at, created_by, entry_id, version, category, scope, question, alternatives,
			answer, question_en, answer_en, tags, effective_on, expires_on, template FROM faq_versions WHERE entry_id = ? AND version = ?`, e.RecordID, old.Version).
			Scan(&p.ID, &p.OfficeID, &p.DeviceID, &p.CreatedAt, &by, &p.EntryID, &p.Version, &p.Category, &p.Scope, &p.Question, &alts,
				&p.Answer, &p.QuestionEN, &p.AnswerEN, &tags, &p.EffectiveOn, &p.ExpiresOn, &p.Template)
		if err != nil {
			return nil, err
		}
		p.CreatedBy = by.String
		if err := json.Unmarshal([]byte(alts), &p.Alternatives); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(tags), &p.Tags); err != nil {
			return nil, err
		}
		p.Alternatives, p.Tags = nonNil(p.Alternatives), nonNil(p.Tags)
		return &p, nil
	})
}

func (*faqSave) spec() *MutationSpec { return specOf(MutFAQSave, 1) }
func (*faqSave) officeID() string    { return "" } // HQ's reference data
func (*faqSave) refs() []Ref         { return nil }

// A new version is always a draft (approval is a faq.status).
func (*faqSave) draft() bool { return true }

func (p *faqSave) validate() error {
	if err := p.check(); err != nil {
		return err
	}
	if err := checkIDs("entry_id", p.EntryID); err != nil {
		return err
	}
	if p.Version < 1 {
		return invalid("version", "err.field.required", nil)
	}
	if p.EffectiveOn == "" {
		return invalid("effective_on", "err.faq.date", nil)
	}
	in := FAQInput{Category: p.Category, Scope: p.Scope, Question: p.Question, Alternatives: p.Alternatives, Answer: p.Answer,
		QuestionEN: p.QuestionEN, AnswerEN: p.AnswerEN, Tags: p.Tags, EffectiveOn: p.EffectiveOn, ExpiresOn: p.ExpiresOn}
	if err := in.validate(time.Time{}); err != nil {
		return err
	}
	if len(p.Category) > MaxCodeLen {
		return invalid("category", "err.field.too_long", map[string]any{"Max": MaxCodeLen, "Len": len(p.Category)})
	}
	return nil
}

func (p *faqSave) apply(ctx context.Context, tx *txn, ac applyCtx) error {
	// An import's new entry has no version to show (latest_version 0, so
	// no list or search finds it) until the import's end derives it.
	latest := p.Version
	if ac.staged {
		latest = 0
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO faq_entries (id, office_id, device_id, created_at, created_by, latest_version, latest_status, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, 'draft', ?) ON CONFLICT (id) DO NOTHING`, p.EntryID, p.OfficeID, p.DeviceID, p.CreatedAt, p.by(), latest, p.CreatedAt); err != nil {
		return fmt.Errorf("insert faq entry: %w", err)
	}
	alts, _ := json.Marshal(nonNil(p.Alternatives))
	tags, _ := json.Marshal(nonNil(p.Tags))
	// Another device's version of the same number (two offline edits of one
	// entry) keeps its place: this one is passed over here.
	if _, err := tx.ExecContext(ctx, `INSERT INTO faq_versions (id, office_id, device_id, created_at, created_by, entry_id, version, category, scope,
		question, alternatives, answer, question_en, answer_en, tags, effective_on, expires_on, template, sync_ord)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`+keepEarliestOrd+` ON CONFLICT DO NOTHING`,
		p.ID, p.OfficeID, p.DeviceID, p.CreatedAt, p.by(), p.EntryID, p.Version, p.Category, p.Scope,
		p.Question, string(alts), p.Answer, p.QuestionEN, p.AnswerEN, string(tags), p.EffectiveOn, p.ExpiresOn, p.Template, ac.ord); err != nil {
		return fmt.Errorf("insert faq version: %w", err)
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM faq_versions WHERE id = ?`, p.ID).Scan(&n); err != nil {
		return fmt.Errorf("insert faq version: %w", err)
	}
	if n == 0 {
		return nil
	}
	// The version's draft event has the version's id.
	if _, err := tx.ExecContext(ctx, `INSERT INTO faq_status_events (id, office_id, device_id, created_at, created_by, entry_id, version, status, note, sync_ord)
		VALUES (?, ?, ?, ?, ?, ?, ?, 'draft', '', ?)`+keepEarliestOrd, p.ID, p.OfficeID, p.DeviceID, p.CreatedAt, p.by(), p.EntryID, p.Version, ac.ord); err != nil {
		return fmt.Errorf("insert faq status: %w", err)
	}
	return ac.rederive(ctx, tx, derivedFAQ, p.EntryID, "", 0)
}

// deriveFAQEntry recomputes an entry's newest version and status and the
// version the desk answers from, from its status events in sync order.
func deriveFAQEntry(ctx context.Context, tx *txn, entryID string) error {
	rows, err := tx.QueryContext(ctx, `SELECT version, status, created_at FROM faq_status_events WHERE entry_id = ? ORDER BY sync_ord, id`, entryID)
	if err != nil {
		return fmt.Errorf("derive faq entry: %w", err)
	}
	var latest int
	var status string
	var live sql.NullInt64
	var updated int64
	for rows.Next() {
		var v int
		var st string
		var at int64
		if err := rows.Scan(&v, &st, &at); err != nil {
			rows.Close()
			return fmt.Errorf("derive faq entry: %w", err)
		}
		latest, status, updated = v, st, at
		switch FAQStatus(st) {
		case FAQApproved:
			live = sql.NullInt64{Int64: int64(v), Valid: true}
		case FAQRetired:
			live = sql.NullInt64{}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("derive faq entry: %w", err)
	}
	if latest == 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE faq_entries SET latest_version = ?, latest_status = ?, live_version = ?, updated_at = ? WHERE id = ?`,
		latest, status, live, updated, entryID); err != nil {
		return fmt.Errorf("derive faq entry: %w", err)
	}
	return nil
}

func nullStr(v string) any {
	if v == "" {
		return nil
	}
	return v
}

func checkCategory(ctx context.Context, tx *txn, code string) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM faq_categories WHERE code = ? AND active = 1`, code).Scan(&n); err != nil {
		return fmt.Errorf("faq category: %w", err)
	}
	if n == 0 {
		return invalid("category", "err.faq.category", map[string]any{"Category": code})
	}
	return nil
}

// checkDuplicateQuestion refuses a question another entry of the same scope
// already asks (retired entries do not count).
func checkDuplicateQuestion(ctx context.Context, tx *txn, entryID, scope, question string) error {
	var other string
	err := tx.QueryRowContext(ctx, `SELECT e.id FROM faq_entries e JOIN faq_versions v ON v.entry_id = e.id AND v.version = e.latest_version
		WHERE v.scope = ? AND v.question = ? AND e.id != ? AND e.latest_status != 'retired' LIMIT 1`, scope, question, entryID).Scan(&other)
	if isNoRows(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("faq duplicate check: %w", err)
	}
	return invalid("question", "err.faq.duplicate", nil)
}

func addFAQStatus(ctx context.Context, tx *txn, st stamp, by, entryID string, version int, status FAQStatus, note string) error {
	ev := st
	ev.id = newID()
	return record(ctx, tx, st.at, &faqStatus{recStamp: newRecStamp(ev, by), EntryID: entryID, Version: version, Status: status, Note: note})
}

// faqStatus (faq.status v1) moves a version of an entry: to review, back
// to draft, approved, retired. (A version's first draft comes with its faq.save.)
type faqStatus struct {
	recStamp
	EntryID string    `json:"entry_id"`
	Version int       `json:"version"`
	Status  FAQStatus `json:"status"`
	Note    string    `json:"note"`
}

func init() {
	registerMutation[faqStatus](MutationSpec{Name: MutFAQStatus, Version: 1, Entity: "faq_status_event", Owner: OwnerHQ, Rank: rankEvent})
	registerReencoder(MutFAQStatus, func(ctx context.Context, tx *txn, e OutboxEntry) (payload, error) {
		var p faqStatus
		var by sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT id, office_id, device_id, created_at, created_by, entry_id, version, status, note FROM faq_status_events WHERE id = ?`, e.RecordID).
			Scan(&p.ID, &p.OfficeID, &p.DeviceID, &p.CreatedAt, &by, &p.EntryID, &p.Version, &p.Status, &p.Note)
		p.CreatedBy = by.String
		return &p, err
	})
}

func (*faqStatus) spec() *MutationSpec { return specOf(MutFAQStatus, 1) }
func (*faqStatus) officeID() string    { return "" } // HQ's reference data
// HQ holds FAQ versions (faq.save's records), never an entry record, so a
// ref to the entry could never be found there: none is declared.
func (p *faqStatus) refs() []Ref { return nil }

// A submission for review, or back to draft, is an office's draft too.
func (p *faqStatus) draft() bool { return p.Status == FAQDraft || p.Status == FAQReview }

func (p *faqStatus) validate() error {
	if err := p.check(); err != nil {
		return err
	}
	if err := checkIDs("entry_id", p.EntryID); err != nil {
		return err
	}
	if p.Version < 1 {
		return invalid("version", "err.field.required", nil)
	}
	if err := checkChoice("status", p.Status, FAQDraft, FAQReview, FAQApproved, FAQRetired); err != nil {
		return err
	}
	if _, err := cleanLine("note", p.Note, false, MaxNotesLen); err != nil {
		return err
	}
	return nil
}

func (p *faqStatus) apply(ctx context.Context, tx *txn, ac applyCtx) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO faq_status_events (id, office_id, device_id, created_at, created_by, entry_id, version, status, note, sync_ord)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`+keepEarliestOrd, p.ID, p.OfficeID, p.DeviceID, p.CreatedAt, p.by(), p.EntryID, p.Version, string(p.Status), p.Note, ac.ord); err != nil {
		return fmt.Errorf("insert faq status: %w", err)
	}
	return ac.rederive(ctx, tx, derivedFAQ, p.EntryID, "", 0)
}

// SetFAQStatus moves the newest version of an entry: draft → review,
// review → draft (sent back) or approved, approved → retired. Approving
// needs an answer free of vague wording (see LintFAQ) that promises no
// time the service policy contradicts (PromiseIssues). Admins only.
func (s *Store) SetFAQStatus(ctx context.Context, actorID, entryID string, to FAQStatus, note string) error {
	note, verr := cleanLine("note", note, false, MaxNotesLen)
	if verr != nil {
		return verr
	}
	words, err := s.VagueWords(ctx)
	if err != nil {
		return err
	}
	var policy SLAPolicy
	if to == FAQApproved {
		if policy, err = s.SLAPolicy(ctx); err != nil {
			return err
		}
	}
	err = s.actorTx(ctx, actorID, Role.CanEditFAQ, func(tx *txn, st stamp) error {
		if err := noImportRunning(ctx, tx); err != nil {
			return err
		}
		if to == FAQApproved {
			// An answer may not promise a time the service policy does not
			// hold the company to (data/faq_promise.go).
			if cur, err := findFAQVersion(ctx, tx, entryID, 0); err == nil && cur.Status == FAQReview {
				if issues := PromiseIssues(cur.FAQInput, policy); len(issues) > 0 {
					return promiseError(issues)
				}
			}
		}
		return setFAQStatus(ctx, tx, st, actorID, entryID, to, note, words)
	})
	if err == nil {
		s.faqChanged()
	}
	return err
}

func setFAQStatus(ctx context.Context, tx *txn, st stamp, by, entryID string, to FAQStatus, note string, words []string) error {
	cur, err := findFAQVersion(ctx, tx, entryID, 0)
	if err != nil {
		return err
	}
	if !slices.Contains(faqMoves[cur.Status], to) {
		return &Error{Code: ECONFLICT, Field: "status", Key: "err.faq.transition", Args: map[string]any{"From": string(cur.Status), "To": string(to)}}
	}
	if to == FAQApproved {
		if issues := LintFAQ(cur.FAQInput, words); len(issues) > 0 {
			return &Error{Code: EINVALID, Field: "answer", Key: "err.faq.vague",
				Args: map[string]any{"Count": len(issues), "Word": issues[0].Word}, Err: LintIssues(issues)}
		}
		if cur, err = publishOfficeDraft(ctx, tx, st, by, cur); err != nil {
			return err
		}
	}
	return addFAQStatus(ctx, tx, st, by, entryID, cur.Version, to, note)
}

// publishOfficeDraft: an HQ device approving a version an office drafted
// (it came through HQ's review queue, scope "hq", and lives in that
// office's scope, which other offices never read) first publishes it as a
// new version of its own, in global, with the same content; the approval
// is of that version, so every office receives both. Anywhere else cur is
// returned as it is.
func publishOfficeDraft(ctx context.Context, tx *txn, st stamp, by string, cur FAQVersion) (FAQVersion, error) {
	hq, err := isHQDevice(ctx, tx)
	if err != nil || !hq {
		return cur, err
	}
	var office string
	if err := tx.QueryRowContext(ctx, `SELECT office_id FROM faq_versions WHERE entry_id = ? AND version = ?`, cur.EntryID, cur.Version).Scan(&office); err != nil {
		return cur, fmt.Errorf("faq version: %w", err)
	}
	if office == st.office {
		return cur, nil
	}
	in := cur.FAQInput
	vst := st
	vst.id = newID()
	if err := record(ctx, tx, st.at, &faqSave{recStamp: newRecStamp(vst, by), EntryID: cur.EntryID, Version: cur.Version + 1,
		Category: in.Category, Scope: in.Scope, Question: in.Question, Alternatives: nonNil(in.Alternatives), Answer: in.Answer,
		QuestionEN: in.QuestionEN, AnswerEN: in.AnswerEN, Tags: nonNil(in.Tags), EffectiveOn: in.EffectiveOn, ExpiresOn: in.ExpiresOn, Template: in.Template}); err != nil {
		return cur, err
	}
	return findFAQVersion(ctx, tx, cur.EntryID, cur.Version+1)
}

const faqVersionCols = `v.entry_id, v.version, v.category, v.scope, v.question, v.alternatives, v.answer, v.question_en, v.answer_en, v.tags,
	v.effective_on, v.expires_on, v.template, COALESCE(v.created_by, ''), v.created_at,
	COALESCE((SELECT e.status FROM faq_status_events e WHERE e.entry_id = v.entry_id AND e.version = v.version ORDER BY e.sync_ord DESC, e.id DESC LIMIT 1), 'draft'),
	COALESCE((SELECT COALESCE(e.created_by, '') || '|' || e.created_at FROM faq_status_events e WHERE e.entry_id = v.entry_id AND e.version = v.version AND e.status = 'approved' ORDER BY e.sync_ord DESC, e.id DESC LIMIT 1), '')`

func scanFAQVersion(sc interface{ Scan(...any) error }) (FAQVersion, error) {
	var v FAQVersion
	var alts, tags, approved string
	var created int64
	err := sc.Scan(&v.EntryID, &v.Version, &v.Category, &v.Scope, &v.Question, &alts, &v.Answer, &v.QuestionEN, &v.AnswerEN, &tags,
		&v.EffectiveOn, &v.ExpiresOn, &v.Template, &v.AuthorID, &created, &v.Status, &approved)
	if err != nil {
		return v, err
	}
	v.CreatedAt = fromMS(created)
	if err := json.Unmarshal([]byte(alts), &v.Alternatives); err != nil {
		return v, fmt.Errorf("faq alternatives: %w", err)
	}
	if err := json.Unmarshal([]byte(tags), &v.Tags); err != nil {
		return v, fmt.Errorf("faq tags: %w", err)
	}
	if by, at, ok := strings.Cut(approved, "|"); ok {
		v.ApproverID = by
		var n int64
		fmt.Sscan(at, &n)
		v.ApprovedAt = fromMS(n)
	}
	return v, nil
}

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// findFAQVersion reads one version; version 0 is the newest.
func findFAQVersion(ctx context.Context, q queryer, entryID string, version int) (FAQVersion, error) {
	query := `SELECT ` + faqVersionCols + ` FROM faq_versions v WHERE v.entry_id = ? AND v.version = ?`
	args := []any{entryID, version}
	if version == 0 {
		query = `SELECT ` + faqVersionCols + ` FROM faq_versions v JOIN faq_entries x ON x.id = v.entry_id AND x.latest_version = v.version WHERE v.entry_id = ?`
		args = args[:1]
	}
	v, err := scanFAQVersion(q.QueryRowContext(ctx, query, args...))
	if isNoRows(err) {
		return FAQVersion{}, &Error{Code: ENOTFOUND, Key: "err.faq.not_found"}
	}
	if err != nil {
		return FAQVersion{}, fmt.Errorf("read faq version: %w", err)
	}
	return v, nil
}

// FAQVersionOf returns one version of an entry; version 0 is the newest.
func (s *Store) FAQVersionOf(ctx context.Context, entryID string, version int) (FAQVersion, error) {
	return findFAQVersion(ctx, s.db, entryID, version)
}

// FAQHistory returns every version of an entry, oldest first.
func (s *Store) FAQHistory(ctx context.Context, entryID string) ([]FAQVersion, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+faqVersionCols+` FROM faq_versions v WHERE v.entry_id = ? ORDER BY v.version`, entryID)
	if err != nil {
		return nil, fmt.Errorf("faq history: %w", err)
	}
	defer rows.Close()
	var out []FAQVersion
	for rows.Next() {
		v, err := scanFAQVersion(rows)
		if err != nil {
			return nil, fmt.Errorf("faq history: %w", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, &Error{Code: ENOTFOUND, Key: "err.faq.not_found"}
	}
	return out, nil
}

// FAQFilter selects entries for browsing.
type FAQFilter struct {
	Category string // "" = all
	// Editing lists every entry at its newest version (the HQ editor);
	// otherwise only what the desk may answer from: the live approved
	// version, in this office's scope and in force today.
	Editing bool
}

// ListFAQ lists entries by category order, then question.
func (s *Store) ListFAQ(ctx context.Context, f FAQFilter) ([]FAQEntry, error) {
	_, o, err := s.ids()
	if err != nil {
		return nil, err
	}
	today := s.Day(s.now())
	join := `x.live_version`
	where := `x.live_version IS NOT NULL AND v.scope IN ('', ?) AND v.effective_on <= ? AND (v.expires_on = '' OR v.expires_on >= ?)`
	args := []any{o.Code, today, today}
	if f.Editing {
		join, where, args = `x.latest_version`, `1`, nil
	}
	if f.Category != "" {
		where += ` AND v.category = ?`
		args = append(args, f.Category)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT x.id, COALESCE(x.live_version, 0), x.latest_status, `+faqVersionCols+`
		FROM faq_entries x JOIN faq_versions v ON v.entry_id = x.id AND v.version = `+join+`
		LEFT JOIN faq_categories c ON c.code = v.category
		WHERE `+where+` ORDER BY COALESCE(c.sort, 9999), v.question`, args...)
	if err != nil {
		return nil, fmt.Errorf("list faq: %w", err)
	}
	defer rows.Close()
	var out []FAQEntry
	for rows.Next() {
		var e FAQEntry
		var vals []any
		vals = append(vals, &e.ID, &e.LiveVersion, &e.LatestStatus)
		v, err := scanFAQVersion(prefixScanner{rows, vals})
		if err != nil {
			return nil, fmt.Errorf("list faq: %w", err)
		}
		e.Latest = v
		out = append(out, e)
	}
	return out, rows.Err()
}

// prefixScanner scans some leading columns into pre before handing the rest on.
type prefixScanner struct {
	sc  interface{ Scan(...any) error }
	pre []any
}

func (p prefixScanner) Scan(dest ...any) error { return p.sc.Scan(append(p.pre, dest...)...) }

// FAQCategory is a category of the manual.
type FAQCategory struct {
	Code   string
	NameZH string
	NameEN string
	Sort   int
}

// DefaultFAQCategories are the categories every office starts with.
var DefaultFAQCategories = []FAQCategory{
	{"purchase", "购房流程", "Purchase process", 10},
	{"contract", "合同条款", "Contract terms", 20},
	{"loans", "贷款政策", "Loans", 30},
	{"prices", "价格与优惠", "Prices and offers", 40},
	{"units", "户型与面积", "Unit types and areas", 50},
	{"parking", "车位", "Parking", 60},
	{"property", "物业服务与收费", "Property services and fees", 70},
	{"delivery", "工程与交付标准", "Construction and delivery standard", 80},
	{"schools", "学区与配套", "Schools and amenities", 90},
	{"risks", "不利因素提醒", "Unfavourable-factor notices", 100},
	{"other", "其他", "Other", 110},
}

var faqCategoryCodeRe = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// FAQCategories lists the active categories in display order.
func (s *Store) FAQCategories(ctx context.Context) ([]FAQCategory, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT code, name_zh, name_en, sort FROM faq_categories WHERE active = 1 ORDER BY sort, code`)
	if err != nil {
		return nil, fmt.Errorf("faq categories: %w", err)
	}
	defer rows.Close()
	var out []FAQCategory
	for rows.Next() {
		var c FAQCategory
		if err := rows.Scan(&c.Code, &c.NameZH, &c.NameEN, &c.Sort); err != nil {
			return nil, fmt.Errorf("faq categories: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// AddFAQCategory adds a category at the end of the list. Admins only.
func (s *Store) AddFAQCategory(ctx context.Context, actorID string, c FAQCategory) error {
	var verr *Error
	if c.Code = strings.TrimSpace(c.Code); !faqCategoryCodeRe.MatchString(c.Code) || len(c.Code) > MaxCodeLen {
		return invalid("code", "err.faq.category_code", nil)
	}
	if c.NameZH, verr = cleanLine("name_zh", c.NameZH, true, 30); verr != nil {
		return verr
	}
	if c.NameEN, verr = cleanLine("name_en", c.NameEN, false, 60); verr != nil {
		return verr
	}
	return s.actorTx(ctx, actorID, Role.CanEditFAQ, func(tx *txn, st stamp) error {
		// The first category added to a new office comes after the
		// domain's, not instead of them.
		if err := ensureFAQCategories(ctx, tx, st.office, st.device, st.at, actorID); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM faq_categories WHERE code = ?`, c.Code).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return invalid("code", "err.faq.category_exists", nil)
		}
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(max(sort), 0) + 10 FROM faq_categories`).Scan(&c.Sort); err != nil {
			return err
		}
		return insertFAQCategory(ctx, tx, st, actorID, c)
	})
}

func insertFAQCategory(ctx context.Context, tx *txn, st stamp, by string, c FAQCategory) error {
	return record(ctx, tx, st.at, &faqCategory{recStamp: newRecStamp(st, by), Code: c.Code, NameZH: c.NameZH, NameEN: c.NameEN, Sort: c.Sort, Active: true})
}

// faqCategory (faq.category v1) writes a category of the manual as it now is.
type faqCategory struct {
	recStamp
	Code   string `json:"code"`
	NameZH string `json:"name_zh"`
	NameEN string `json:"name_en"`
	Sort   int    `json:"sort"`
	Active bool   `json:"active"`
}

func init() {
	registerMutation[faqCategory](MutationSpec{Name: MutFAQCategory, Version: 1, Entity: "faq_category", Owner: OwnerHQ, Replace: true, Rank: rankReference})
	registerReencoder(MutFAQCategory, func(ctx context.Context, tx *txn, e OutboxEntry) (payload, error) {
		var p faqCategory
		var by sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT id, office_id, device_id, created_at, created_by, code, name_zh, name_en, sort, active FROM faq_categories WHERE id = ?`, e.RecordID).
			Scan(&p.ID, &p.OfficeID, &p.DeviceID, &p.CreatedAt, &by, &p.Code, &p.NameZH, &p.NameEN, &p.Sort, &p.Active)
		p.CreatedBy = by.String
		return &p, err
	})
}

func (*faqCategory) spec() *MutationSpec { return specOf(MutFAQCategory, 1) }
func (*faqCategory) officeID() string    { return "" } // HQ's reference data
func (*faqCategory) refs() []Ref         { return nil }

func (p *faqCategory) validate() error {
	if err := p.check(); err != nil {
		return err
	}
	if !faqCategoryCodeRe.MatchString(p.Code) || len(p.Code) > MaxCodeLen {
		return invalid("code", "err.faq.category_code", nil)
	}
	if _, err := cleanLine("name_zh", p.NameZH, true, 30); err != nil {
		return err
	}
	if _, err := cleanLine("name_en", p.NameEN, false, 60); err != nil {
		return err
	}
	return nil
}

func (p *faqCategory) apply(ctx context.Context, tx *txn, ac applyCtx) error {
	// A category whose code another id already has (two offices made it)
	// is passed over: FAQ versions name categories by code.
	if _, err := tx.ExecContext(ctx, `INSERT INTO faq_categories (id, office_id, device_id, created_at, created_by, code, name_zh, name_en, sort, active, sync_ord)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET code = excluded.code, name_zh = excluded.name_zh, name_en = excluded.name_en,
		sort = excluded.sort, active = excluded.active, sync_ord = excluded.sync_ord WHERE `+replaceIfNewer+` ON CONFLICT DO NOTHING`,
		p.ID, p.OfficeID, p.DeviceID, p.CreatedAt, p.by(), p.Code, p.NameZH, p.NameEN, p.Sort, p.Active, ac.ord, ac.echoOrd()); err != nil {
		return fmt.Errorf("write faq category: %w", err)
	}
	return nil
}

// defaultCategoryID is the id of a built-in category: the same on every
// device, so two offices' defaults are one record.
func defaultCategoryID(code string) string {
	return uuid.NewSHA1(uuid.NameSpaceURL, []byte("anchang:faq_category:"+code)).String()
}

func ensureFAQCategories(ctx context.Context, tx *txn, office, device string, at int64, by string) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM faq_categories`).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	for _, c := range DefaultFAQCategories {
		if err := insertFAQCategory(ctx, tx, stamp{id: defaultCategoryID(c.Code), office: office, device: device, at: at}, by, c); err != nil {
			return err
		}
	}
	return nil
}

// runeLen is the length of s in characters.
func runeLen(s string) int { return utf8.RuneCountInString(s) }

// LiveFAQ returns the version of an entry the desk answers from: approved,
// in this office's scope and in force today.
func (s *Store) LiveFAQ(ctx context.Context, entryID string) (FAQVersion, error) {
	_, o, err := s.ids()
	if err != nil {
		return FAQVersion{}, err
	}
	today := s.Day(s.now())
	v, err := scanFAQVersion(s.db.QueryRowContext(ctx, `SELECT `+faqVersionCols+` FROM faq_entries x
		JOIN faq_versions v ON v.entry_id = x.id AND v.version = x.live_version
		WHERE x.id = ? AND v.scope IN ('', ?) AND v.effective_on <= ? AND (v.expires_on = '' OR v.expires_on >= ?)`, entryID, o.Code, today, today))
	if isNoRows(err) {
		return FAQVersion{}, &Error{Code: ENOTFOUND, Key: "err.faq.not_found"}
	}
	if err != nil {
		return FAQVersion{}, fmt.Errorf("live faq: %w", err)
	}
	return v, nil
}
