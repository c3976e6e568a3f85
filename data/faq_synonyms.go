package data

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
)

// The synonym list lets the desk find an answer worded otherwise than the
// question typed: 停车位 or 车库 finds what the manual files under 车位.
// It is HQ-owned reference data like the manual itself (faq.synonyms, one
// record replaced as a whole); a standalone office's admin edits it on
// 分类与用词, an enrolled office gets HQ's.
//
// A group is a word of the manual and the variants a visitor says for it.
// A query holding a variant is searched as typed and with every variant
// replaced by its word; the better of the two counts. It is one way: 车位
// does not find 车库.

// FAQSynonym is one group: the manual's word and what else people say.
type FAQSynonym struct {
	Word     string   `json:"word"`
	Variants []string `json:"variants"`
}

// Limits of the list.
const (
	MaxFAQSynonymGroups   = 300
	MaxFAQSynonymVariants = 20
	MaxFAQSynonymLen      = 20
)

// DefaultFAQSynonyms is the starter list, drawn from the starter manual's
// own vocabulary and what visitors say for it.
var DefaultFAQSynonyms = []FAQSynonym{
	{"车位", []string{"停车位", "车库", "地库", "泊位"}},
	{"贷款", []string{"按揭", "房贷", "商贷", "借款"}},
	{"验房", []string{"验楼", "查房"}},
	{"交房", []string{"交楼", "收楼", "收房", "入伙"}},
	{"学区", []string{"学区房", "学位", "划片"}},
	{"物业费", []string{"物管费", "管理费"}},
	{"定金", []string{"订金", "诚意金"}},
	{"首付", []string{"首期", "首付款"}},
	{"售楼处", []string{"售楼部", "销售中心", "营销中心", "案场"}},
	{"户型", []string{"房型", "格局"}},
	{"精装", []string{"全装修", "装修房"}},
	{"毛坯", []string{"清水房"}},
	{"得房率", []string{"实用率", "使用率"}},
	{"公摊", []string{"分摊", "公摊面积"}},
	{"开发商", []string{"发展商", "地产商"}},
	{"投诉", []string{"举报", "意见", "维权"}},
	{"优惠", []string{"特价", "团购", "打折"}},
	{"学校", []string{"小学", "中学", "学堂"}},
	{"地铁", []string{"轨道交通", "轻轨"}},
	{"退房", []string{"退订"}},
}

// faqSynonymsID is the list's record id: the same on every device.
var faqSynonymsID = uuid.NewSHA1(uuid.NameSpaceURL, []byte("anchang:faq_synonyms")).String()

// FAQSynonyms returns the list in force: the one saved, or the starter list.
func (s *Store) FAQSynonyms(ctx context.Context) ([]FAQSynonym, error) {
	var raw string
	err := s.db.QueryRowContext(ctx, `SELECT groups FROM faq_synonyms WHERE id = ?`, faqSynonymsID).Scan(&raw)
	if isNoRows(err) {
		return cloneSynonyms(DefaultFAQSynonyms), nil
	}
	if err != nil {
		return nil, fmt.Errorf("faq synonyms: %w", err)
	}
	var out []FAQSynonym
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		return nil, fmt.Errorf("faq synonyms: %w", err)
	}
	if len(out) == 0 {
		return cloneSynonyms(DefaultFAQSynonyms), nil
	}
	return out, nil
}

func cloneSynonyms(in []FAQSynonym) []FAQSynonym {
	out := make([]FAQSynonym, len(in))
	for i, g := range in {
		out[i] = FAQSynonym{Word: g.Word, Variants: slices.Clone(g.Variants)}
	}
	return out
}

// SetFAQSynonyms replaces the list; an empty one restores the starter
// list. Admins only; on an enrolled office device it is HQ's to change
// (err.sync.approved_at_hq).
func (s *Store) SetFAQSynonyms(ctx context.Context, actorID string, groups []FAQSynonym) error {
	clean, verr := cleanSynonyms(groups)
	if verr != nil {
		return verr
	}
	err := s.actorTx(ctx, actorID, Role.CanEditFAQ, func(tx *txn, st stamp) error {
		st.id = faqSynonymsID
		return record(ctx, tx, st.at, &faqSynonyms{recStamp: newRecStamp(st, actorID), Groups: clean})
	})
	if err != nil {
		return err
	}
	s.faqChanged()
	return nil
}

// cleanSynonyms checks and tidies a list: words and variants on one line,
// at most MaxFAQSynonymLen characters; a variant is not its own word and
// belongs to one group only; a word is nobody's variant.
func cleanSynonyms(groups []FAQSynonym) ([]FAQSynonym, *Error) {
	if len(groups) > MaxFAQSynonymGroups {
		return nil, invalid("synonyms", "err.faq.too_many", map[string]any{"Max": MaxFAQSynonymGroups})
	}
	out := []FAQSynonym{}
	owner := map[string]string{} // folded variant → its word
	words := map[string]bool{}
	for i, g := range groups {
		line := map[string]any{"Line": i + 1}
		w, verr := cleanLine("synonyms", g.Word, false, MaxFAQSynonymLen)
		if verr != nil {
			return nil, synonymError(verr, i+1)
		}
		vs, verr := cleanList("synonyms", g.Variants, MaxFAQSynonymVariants, MaxFAQSynonymLen)
		if verr != nil {
			return nil, synonymError(verr, i+1)
		}
		if w == "" && len(vs) == 0 {
			continue
		}
		if w == "" || len(vs) == 0 {
			return nil, invalid("synonyms", "err.faq.synonym_group", line)
		}
		fw := foldText(w)
		if words[fw] {
			return nil, invalid("synonyms", "err.faq.synonym_twice", map[string]any{"Line": i + 1, "Word": w})
		}
		words[fw] = true
		for _, v := range vs {
			fv := foldText(v)
			if fv == fw {
				return nil, invalid("synonyms", "err.faq.synonym_self", map[string]any{"Line": i + 1, "Word": v})
			}
			if o, dup := owner[fv]; dup {
				return nil, invalid("synonyms", "err.faq.synonym_taken", map[string]any{"Line": i + 1, "Word": v, "Other": o})
			}
			owner[fv] = w
		}
		out = append(out, FAQSynonym{Word: w, Variants: vs})
	}
	for _, g := range out {
		if o, ok := owner[foldText(g.Word)]; ok {
			return nil, invalid("synonyms", "err.faq.synonym_taken", map[string]any{"Line": slices.IndexFunc(out, func(x FAQSynonym) bool { return x.Word == o }) + 1, "Word": g.Word, "Other": o})
		}
	}
	return out, nil
}

// synonymError says which line a field error is on.
func synonymError(e *Error, line int) *Error {
	args := map[string]any{"Line": line}
	for k, v := range e.Args {
		args[k] = v
	}
	switch e.Key {
	case "err.field.too_long":
		return invalid("synonyms", "err.faq.synonym_too_long", args)
	case "err.faq.too_many":
		return invalid("synonyms", "err.faq.synonym_too_many", args)
	}
	return invalid("synonyms", "err.faq.synonym_line", args)
}

// ParseFAQSynonyms reads the editor's text: a group a line, the word, a
// colon (：or :) and the variants separated by 、，, / or spaces. Blank lines
// are skipped. A line without a colon or without variants is refused with
// its number.
func ParseFAQSynonyms(text string) ([]FAQSynonym, error) {
	var out []FAQSynonym
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(FoldInput(line))
		if line == "" {
			continue
		}
		at := strings.IndexAny(line, ":：=")
		if at < 0 {
			return nil, invalid("synonyms", "err.faq.synonym_group", map[string]any{"Line": i + 1})
		}
		_, n := utf8.DecodeRuneInString(line[at:])
		vs := strings.FieldsFunc(line[at+n:], func(r rune) bool {
			return r == '、' || r == ',' || r == '，' || r == '/' || r == ';' || r == '；' || r == ' ' || r == '\t'
		})
		out = append(out, FAQSynonym{Word: strings.TrimSpace(line[:at]), Variants: vs})
	}
	// Line numbers in errors are the text's: clean it here with them.
	lines := []int{}
	for i, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) != "" {
			lines = append(lines, i+1)
		}
	}
	if _, verr := cleanSynonyms(out); verr != nil {
		if l, ok := verr.Args["Line"].(int); ok && l >= 1 && l <= len(lines) {
			verr.Args["Line"] = lines[l-1]
		}
		return nil, verr
	}
	return out, nil
}

// FormatFAQSynonyms is the editor's text of a list (ParseFAQSynonyms reads it back).
func FormatFAQSynonyms(groups []FAQSynonym) string {
	var b strings.Builder
	for i, g := range groups {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(g.Word)
		b.WriteString("：")
		b.WriteString(strings.Join(g.Variants, "、"))
	}
	return b.String()
}

// faqSynonyms (faq.synonyms v1) writes the synonym list as it now is.
type faqSynonyms struct {
	recStamp
	Groups []FAQSynonym `json:"groups"`
}

func init() {
	registerMutation[faqSynonyms](MutationSpec{Name: MutFAQSynonyms, Version: 1, Entity: "faq_synonyms", Owner: OwnerHQ, Replace: true, Rank: rankReference, MinSchema: 11})
}

func (*faqSynonyms) spec() *MutationSpec { return specOf(MutFAQSynonyms, 1) }
func (*faqSynonyms) officeID() string    { return "" } // HQ's reference data
func (*faqSynonyms) refs() []Ref         { return nil }

func (p *faqSynonyms) validate() error {
	if err := p.check(); err != nil {
		return err
	}
	if p.ID != faqSynonymsID {
		return invalid("id", "err.sync.record_id", nil)
	}
	clean, verr := cleanSynonyms(p.Groups)
	if verr != nil {
		return verr
	}
	if len(clean) != len(p.Groups) {
		return invalid("synonyms", "err.faq.synonym_group", map[string]any{"Line": 0})
	}
	return nil
}

func (p *faqSynonyms) apply(ctx context.Context, tx *txn, ac applyCtx) error {
	groups := p.Groups
	if groups == nil {
		groups = []FAQSynonym{}
	}
	raw, err := json.Marshal(groups)
	if err != nil {
		return fmt.Errorf("write faq synonyms: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO faq_synonyms (id, office_id, device_id, created_at, created_by, groups, sync_ord)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET office_id = excluded.office_id, device_id = excluded.device_id,
		created_at = excluded.created_at, created_by = excluded.created_by, groups = excluded.groups, sync_ord = excluded.sync_ord WHERE `+replaceIfNewer,
		p.ID, p.OfficeID, p.DeviceID, p.CreatedAt, p.by(), string(raw), ac.ord, ac.echoOrd()); err != nil {
		return fmt.Errorf("write faq synonyms: %w", err)
	}
	return nil
}
