package data

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/google/uuid"
)

// DefaultVagueWords are the words an approved answer may not contain: the
// unified messaging (统一口径) states facts, not guesses. Offices configure
// their own list (SetVagueWords).
var DefaultVagueWords = []string{
	"可能", "大概", "应该", "差不多", "估计", "也许", "或许", "好像", "基本上", "大约", "说不定", "不一定", "据说", "听说",
	"maybe", "probably", "perhaps", "roughly", "i think", "i guess", "should be",
}

const settingVagueWords = "faq.vague_words"

// LintIssue is one occurrence of vague wording.
type LintIssue struct {
	Field string // "answer" or "answer_en"
	Word  string // the listed word found
	Start int    // offset in characters within the field
	End   int
	// Key is the translation key of why it is refused; Args fill it.
	Key  string
	Args map[string]any
}

// LintIssues is the full list, carried as the cause of err.faq.vague.
type LintIssues []LintIssue

func (l LintIssues) Error() string {
	var b strings.Builder
	for i, is := range l {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s[%d:%d] %q", is.Field, is.Start, is.End, is.Word)
	}
	return "vague wording: " + b.String()
}

// LintFAQ reports every occurrence of a vague word in the answers, in
// order. Latin words match whole words, case-insensitively.
func LintFAQ(in FAQInput, words []string) []LintIssue {
	var out []LintIssue
	for _, f := range []struct{ name, text string }{{"answer", in.Answer}, {"answer_en", in.AnswerEN}} {
		out = append(out, lintText(f.name, f.text, words)...)
	}
	return out
}

func lintText(field, text string, words []string) []LintIssue {
	if text == "" {
		return nil
	}
	runes := []rune(foldText(text))
	folded := make([][]rune, len(words))
	for i, w := range words {
		folded[i] = []rune(foldText(w))
	}
	var out []LintIssue
	for i := 0; i < len(runes); i++ {
		best := -1
		for wi, wr := range folded {
			if len(wr) == 0 || best >= 0 && len(wr) <= len(folded[best]) || i+len(wr) > len(runes) || !slices.Equal(runes[i:i+len(wr)], wr) {
				continue
			}
			if isLatinWord(wr) && (i > 0 && isLatin(runes[i-1]) || i+len(wr) < len(runes) && isLatin(runes[i+len(wr)])) {
				continue
			}
			best = wi
		}
		if best < 0 {
			continue
		}
		n := len(folded[best])
		out = append(out, LintIssue{Field: field, Word: words[best], Start: i, End: i + n, Key: "faq.lint.vague",
			Args: map[string]any{"Word": words[best], "Context": snippet(runes, i, i+n)}})
		i += n - 1
	}
	return out
}

func snippet(r []rune, start, end int) string {
	a, b := max(start-8, 0), min(end+8, len(r))
	return strings.ReplaceAll(string(r[a:b]), "\n", " ")
}

func isLatinWord(r []rune) bool {
	for _, c := range r {
		if c > unicode.MaxASCII {
			return false
		}
	}
	return true
}

// VagueWords returns the list in force: HQ's (or this desk's) record, a
// list an older desk kept in its settings, or the default.
func (s *Store) VagueWords(ctx context.Context) ([]string, error) {
	var raw string
	err := s.db.QueryRowContext(ctx, `SELECT words FROM faq_vague_words WHERE id = ?`, faqVagueWordsID).Scan(&raw)
	switch {
	case err == nil:
		var words []string
		if err := json.Unmarshal([]byte(raw), &words); err != nil {
			return nil, fmt.Errorf("read vague words: %w", err)
		}
		if len(words) == 0 {
			return DefaultVagueWords, nil
		}
		return words, nil
	case !errors.Is(err, sql.ErrNoRows):
		return nil, fmt.Errorf("read vague words: %w", err)
	}
	v, err := s.Setting(ctx, settingVagueWords, "")
	if err != nil {
		return nil, err
	}
	if v == "" {
		return DefaultVagueWords, nil
	}
	return strings.Split(v, "\n"), nil
}

// SetVagueWords replaces the list (nil restores the default). Admins only;
// on an enrolled office device it is HQ's to change (err.sync.approved_at_hq).
// The list travels as faq.vague_words, so every office approves against
// the same words.
func (s *Store) SetVagueWords(ctx context.Context, actorID string, words []string) error {
	clean, verr := cleanList("vague_words", words, 200, 20)
	if verr != nil {
		return verr
	}
	return s.actorTx(ctx, actorID, Role.CanEditFAQ, func(tx *txn, st stamp) error {
		st.id = faqVagueWordsID
		if err := record(ctx, tx, st.at, &faqVagueWords{recStamp: newRecStamp(st, actorID), Words: clean}); err != nil {
			return err
		}
		// The record replaces what an older desk kept in its settings.
		if _, err := tx.ExecContext(ctx, `DELETE FROM settings WHERE key = ?`, settingVagueWords); err != nil {
			return fmt.Errorf("drop the old vague words: %w", err)
		}
		return nil
	})
}

// faqVagueWordsID is the list's record id: the same on every device.
var faqVagueWordsID = uuid.NewSHA1(uuid.NameSpaceURL, []byte("anchang:faq_vague_words")).String()

// faqVagueWords (faq.vague_words v1) writes the vague-word list as it now
// is ([]: the default).
type faqVagueWords struct {
	recStamp
	Words []string `json:"words"`
}

func init() {
	registerMutation[faqVagueWords](MutationSpec{Name: MutFAQVagueWords, Version: 1, Entity: "faq_vague_words", Owner: OwnerHQ, Replace: true, Rank: rankReference, MinSchema: 12})
}

func (*faqVagueWords) spec() *MutationSpec { return specOf(MutFAQVagueWords, 1) }
func (*faqVagueWords) officeID() string    { return "" } // HQ's reference data
func (*faqVagueWords) refs() []Ref         { return nil }

func (p *faqVagueWords) validate() error {
	if err := p.check(); err != nil {
		return err
	}
	if p.ID != faqVagueWordsID {
		return invalid("id", "err.sync.record_id", nil)
	}
	clean, verr := cleanList("vague_words", p.Words, 200, 20)
	if verr != nil {
		return verr
	}
	if len(clean) != len(p.Words) {
		return invalid("vague_words", "err.sync.payload", nil)
	}
	return nil
}

func (p *faqVagueWords) apply(ctx context.Context, tx *txn, ac applyCtx) error {
	words := p.Words
	if words == nil {
		words = []string{}
	}
	raw, err := json.Marshal(words)
	if err != nil {
		return fmt.Errorf("write vague words: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO faq_vague_words (id, office_id, device_id, created_at, created_by, words, sync_ord)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET office_id = excluded.office_id, device_id = excluded.device_id,
		created_at = excluded.created_at, created_by = excluded.created_by, words = excluded.words, sync_ord = excluded.sync_ord WHERE `+replaceIfNewer,
		p.ID, p.OfficeID, p.DeviceID, p.CreatedAt, p.by(), string(raw), ac.ord, ac.echoOrd()); err != nil {
		return fmt.Errorf("write vague words: %w", err)
	}
	return nil
}
