package data

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode"
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

// VagueWords returns the office's list, or the default.
func (s *Store) VagueWords(ctx context.Context) ([]string, error) {
	v, err := s.Setting(ctx, settingVagueWords, "")
	if err != nil {
		return nil, err
	}
	if v == "" {
		return DefaultVagueWords, nil
	}
	return strings.Split(v, "\n"), nil
}

// SetVagueWords replaces the list (nil restores the default). Admins only.
func (s *Store) SetVagueWords(ctx context.Context, actorID string, words []string) error {
	clean, verr := cleanList("vague_words", words, 200, 20)
	if verr != nil {
		return verr
	}
	actor, err := s.StaffByID(ctx, actorID)
	if err != nil {
		return err
	}
	if !actor.Active || !actor.Role.CanEditFAQ() {
		return &Error{Code: EFORBIDDEN, Key: "err.forbidden"}
	}
	// The list only serves approval, which an enrolled office leaves to HQ.
	id, err := s.SyncIdentity(ctx)
	if err != nil {
		return err
	}
	if id.Enrolled && id.Role == SyncRoleOffice {
		return &Error{Code: EFORBIDDEN, Key: "err.sync.approved_at_hq", Err: fmt.Errorf("vague words on an enrolled office device")}
	}
	return s.SetSetting(ctx, settingVagueWords, strings.Join(clean, "\n"))
}
