package data

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/mozillazg/go-pinyin"
)

// The FAQ search is an in-memory index of the answers the desk may give
// (the live approved versions in this office's scope), rebuilt from the
// database after any FAQ change. Measured over 10,000 entries it answers in
// well under a millisecond (BenchmarkFAQSearch), so the UI can call it on
// every keystroke. SQLite's FTS5 trigram tokenizer cannot serve 1- and
// 2-character Chinese queries (docs/FACTS), hence an index of our own:
//
//   - Chinese (any non-ASCII run): every character and every pair of
//     adjacent characters maps to the entries containing it. A query of
//     one character uses the first, longer ones intersect the pairs, and
//     each candidate is confirmed by a substring test.
//   - Latin letters and digits: a sorted word list; a query term matches
//     words it begins (loan → loans).
//   - Pinyin: the question, alternatives and tags are read as syllables
//     (every reading of a polyphonic character). A term of letters matches
//     consecutive syllables, each typed in full or by its initial, the last
//     possibly unfinished: daikuan, dk, daik → 贷款. Start positions are
//     indexed by the term's first two letters. Answers are not matched by
//     pinyin: it would flood the results with homophones.
//
// Terms (split at spaces and between Chinese and Latin) must all match.
// Each term scores its best field; exact characters outrank pinyin, and
// the question outranks alternatives and tags, which outrank the answer.

// FAQMatch is one highlighted span: a field of the entry and a range of
// characters (runes) in it.
type FAQMatch struct {
	Field string // question, alternative, tag, question_en, answer, answer_en
	Index int    // which alternative or tag; 0 otherwise
	Start int
	End   int
}

// FAQHit is one search result.
type FAQHit struct {
	Entry   FAQVersion
	Score   int
	Pinyin  bool // matched by pinyin only (no exact characters)
	Matches []FAQMatch
}

// FAQSearchResult is a ranked page of hits.
type FAQSearchResult struct {
	Hits  []FAQHit
	Total int // all matching entries
}

type faqField uint8

const (
	fQuestion faqField = iota
	fAlt
	fTag
	fQuestionEN
	fAnswer
	fAnswerEN
)

var faqFieldNames = [...]string{"question", "alternative", "tag", "question_en", "answer", "answer_en"}

// Scores of a term by where and how it matched.
const (
	scoreQuestion       = 100
	scoreQuestionEN     = 90
	scoreQuestionPinyin = 60
	scoreQuestionInit   = 50 // pinyin typed by initials
	scoreAlt            = 45
	scoreTag            = 42
	scoreAltPinyin      = 30
	scoreAltInit        = 25
	scoreAnswer         = 20
	scoreAnswerEN       = 18
	bonusStart          = 15 // the question begins with the term
	bonusWhole          = 10 // the question is the term
)

var fieldExact = [...]int{scoreQuestion, scoreAlt, scoreTag, scoreQuestionEN, scoreAnswer, scoreAnswerEN}

type pySlot struct {
	readings []string
	start    int // character offset in the text
	n        int // characters it covers
}

type faqText struct {
	field faqField
	index int
	norm  string   // folded: lower case, half-width; same characters as the original
	slots []pySlot // question, alternatives and tags only
}

type faqDoc struct {
	v     FAQVersion
	texts []faqText
	qlen  int
}

type pyPos struct {
	doc  int32
	text uint16
	slot uint16
}

type faqIndex struct {
	docs  []*faqDoc
	grams map[uint64][]int32 // one character (r) or two (r1<<32 | r2) → docs
	words []string           // sorted
	wdocs [][]int32          // docs of words[i]
	pyAt  map[[2]byte][]pyPos
}

// faqCache holds the index; gen counts FAQ changes so that an index built
// while a change committed is not kept.
type faqCache struct {
	mu     sync.Mutex
	gen    uint64
	idxGen uint64
	idx    *faqIndex
}

func (s *Store) faqChanged() {
	s.faq.mu.Lock()
	s.faq.gen++
	s.faq.idx = nil
	s.faq.mu.Unlock()
}

func (s *Store) faqIndex(ctx context.Context) (*faqIndex, error) {
	s.faq.mu.Lock()
	if s.faq.idx != nil && s.faq.idxGen == s.faq.gen {
		ix := s.faq.idx
		s.faq.mu.Unlock()
		return ix, nil
	}
	gen := s.faq.gen
	s.faq.mu.Unlock()
	vs, err := s.liveFAQ(ctx)
	if err != nil {
		return nil, err
	}
	ix := buildFAQIndex(vs)
	s.faq.mu.Lock()
	if s.faq.gen == gen {
		s.faq.idx, s.faq.idxGen = ix, gen
	}
	s.faq.mu.Unlock()
	return ix, nil
}

// liveFAQ reads the approved versions the desk may answer from (any date).
func (s *Store) liveFAQ(ctx context.Context) ([]FAQVersion, error) {
	_, o, err := s.ids()
	if err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+faqVersionCols+` FROM faq_entries x
		JOIN faq_versions v ON v.entry_id = x.id AND v.version = x.live_version
		WHERE x.live_version IS NOT NULL AND v.scope IN ('', ?)`, o.Code)
	if err != nil {
		return nil, fmt.Errorf("load faq: %w", err)
	}
	defer rows.Close()
	var out []FAQVersion
	for rows.Next() {
		v, err := scanFAQVersion(rows)
		if err != nil {
			return nil, fmt.Errorf("load faq: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// foldText lower-cases and maps full-width ASCII to half-width, one
// character for one, so offsets in the folded text are offsets in the original.
func foldText(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			r -= 0xFEE0
		case r == 0x3000:
			r = ' '
		}
		return unicode.ToLower(r)
	}, s)
}

func isLatin(r rune) bool { return r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)) }

// isCJKWordRune: characters a Chinese term is made of (not punctuation or space).
func isCJKWordRune(r rune) bool {
	return r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Han, r) || r == '㎡')
}

var pyArgs = func() pinyin.Args {
	a := pinyin.NewArgs()
	a.Style = pinyin.Normal
	a.Heteronym = true
	return a
}()

// readings of a Han character without tones, with ü also as u (lv, lu).
func readings(r rune) []string {
	ps := pinyin.SinglePinyin(r, pyArgs)
	for _, p := range ps {
		if strings.Contains(p, "v") {
			if u := strings.ReplaceAll(p, "v", "u"); !slices.Contains(ps, u) {
				ps = append(ps, u)
			}
		}
	}
	return ps
}

// syllables reads a text as pinyin slots: a Han character per slot, a run
// of Latin letters and digits as one slot; punctuation and spaces are skipped.
func syllables(norm string) []pySlot {
	var out []pySlot
	rs := []rune(norm)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case unicode.Is(unicode.Han, r):
			if ps := readings(r); len(ps) > 0 {
				out = append(out, pySlot{readings: ps, start: i, n: 1})
			}
		case isLatin(r):
			j := i
			for j < len(rs) && isLatin(rs[j]) {
				j++
			}
			out = append(out, pySlot{readings: []string{string(rs[i:j])}, start: i, n: j - i})
			i = j - 1
		}
	}
	return out
}

func buildFAQIndex(vs []FAQVersion) *faqIndex {
	ix := &faqIndex{grams: map[uint64][]int32{}, pyAt: map[[2]byte][]pyPos{}}
	words := map[string][]int32{}
	for _, v := range vs {
		d := &faqDoc{v: v, qlen: runeLen(v.Question)}
		add := func(f faqField, i int, s string) {
			if s == "" {
				return
			}
			t := faqText{field: f, index: i, norm: foldText(s)}
			if f <= fTag {
				t.slots = syllables(t.norm)
			}
			d.texts = append(d.texts, t)
		}
		add(fQuestion, 0, v.Question)
		for i, a := range v.Alternatives {
			add(fAlt, i, a)
		}
		for i, tg := range v.Tags {
			add(fTag, i, tg)
		}
		add(fQuestionEN, 0, v.QuestionEN)
		add(fAnswer, 0, v.Answer)
		add(fAnswerEN, 0, v.AnswerEN)
		di := int32(len(ix.docs))
		ix.docs = append(ix.docs, d)
		grams := map[uint64]bool{}
		ws := map[string]bool{}
		for ti, t := range d.texts {
			var prev rune
			rs := []rune(t.norm)
			for i := 0; i < len(rs); i++ {
				r := rs[i]
				if isLatin(r) {
					j := i
					for j < len(rs) && isLatin(rs[j]) {
						j++
					}
					ws[string(rs[i:j])] = true
					i, prev = j-1, 0
					continue
				}
				if !isCJKWordRune(r) {
					prev = 0
					continue
				}
				grams[uint64(r)] = true
				if prev != 0 {
					grams[uint64(prev)<<32|uint64(r)] = true
				}
				prev = r
			}
			for si, sl := range t.slots {
				keys := map[[2]byte]bool{}
				for _, p := range sl.readings {
					if len(p) >= 2 {
						keys[[2]byte{p[0], p[1]}] = true
					}
					if si+1 < len(t.slots) {
						for _, n := range t.slots[si+1].readings {
							keys[[2]byte{p[0], n[0]}] = true
						}
					}
				}
				for k := range keys {
					ix.pyAt[k] = append(ix.pyAt[k], pyPos{doc: di, text: uint16(ti), slot: uint16(si)})
				}
			}
		}
		for g := range grams {
			ix.grams[g] = append(ix.grams[g], di)
		}
		for w := range ws {
			words[w] = append(words[w], di)
		}
	}
	ix.words = make([]string, 0, len(words))
	for w := range words {
		ix.words = append(ix.words, w)
	}
	sort.Strings(ix.words)
	ix.wdocs = make([][]int32, len(ix.words))
	for i, w := range ix.words {
		ix.wdocs[i] = words[w]
	}
	return ix
}

// faqTerm is one term of a query.
type faqTerm struct {
	text  string
	latin bool
}

// splitQuery folds the query and splits it into terms: at spaces and
// punctuation, and between Chinese and Latin runs ("LPR利率" → LPR, 利率).
func splitQuery(q string) []faqTerm {
	var out []faqTerm
	rs := []rune(foldText(q))
	for i := 0; i < len(rs); {
		switch {
		case isLatin(rs[i]):
			j := i
			for j < len(rs) && isLatin(rs[j]) {
				j++
			}
			out = append(out, faqTerm{text: string(rs[i:j]), latin: true})
			i = j
		case isCJKWordRune(rs[i]):
			j := i
			for j < len(rs) && isCJKWordRune(rs[j]) {
				j++
			}
			out = append(out, faqTerm{text: string(rs[i:j])})
			i = j
		default:
			i++
		}
	}
	if len(out) > 8 {
		out = out[:8]
	}
	return out
}

// termHit is how one term matched one entry.
type termHit struct {
	score  int
	pinyin bool
}

// match scores a term against every candidate entry (all entries when
// cands is nil) and returns the matches.
func (ix *faqIndex) match(t faqTerm, cands map[int32]termHit) map[int32]termHit {
	out := map[int32]termHit{}
	keep := func(d int32, h termHit) {
		if cands != nil {
			if _, ok := cands[d]; !ok {
				return
			}
		}
		if old, ok := out[d]; !ok || h.score > old.score || h.score == old.score && !h.pinyin && old.pinyin {
			out[d] = h
		}
	}
	if !t.latin {
		for _, d := range ix.gramCandidates(t.text) {
			if sc := ix.docs[d].exactScore(t.text, false); sc > 0 {
				keep(d, termHit{score: sc})
			}
		}
		return out
	}
	lo := sort.SearchStrings(ix.words, t.text)
	seen := map[int32]bool{}
	for i := lo; i < len(ix.words) && strings.HasPrefix(ix.words[i], t.text); i++ {
		for _, d := range ix.wdocs[i] {
			if seen[d] {
				continue
			}
			seen[d] = true
			if sc := ix.docs[d].exactScore(t.text, true); sc > 0 {
				keep(d, termHit{score: sc})
			}
		}
	}
	if len(t.text) >= 2 && len(t.text) <= 40 && isLetters(t.text) {
		for _, p := range ix.pyAt[[2]byte{t.text[0], t.text[1]}] {
			doc := ix.docs[p.doc]
			tx := &doc.texts[p.text]
			_, full, ok := pyMatch(tx.slots, int(p.slot), t.text)
			if !ok {
				continue
			}
			sc := scoreAltPinyin
			if !full {
				sc = scoreAltInit
			}
			if tx.field == fQuestion {
				sc = scoreQuestionPinyin
				if !full {
					sc = scoreQuestionInit
				}
				if p.slot == 0 {
					sc += bonusStart / 3
				}
			}
			keep(p.doc, termHit{score: sc, pinyin: true})
		}
	}
	return out
}

func isLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return true
}

// gramCandidates are the entries containing every character pair of term
// (every character, for a one-character term), smallest list first.
func (ix *faqIndex) gramCandidates(term string) []int32 {
	rs := []rune(term)
	if len(rs) == 1 {
		return ix.grams[uint64(rs[0])]
	}
	var lists [][]int32
	for i := 1; i < len(rs); i++ {
		l := ix.grams[uint64(rs[i-1])<<32|uint64(rs[i])]
		if len(l) == 0 {
			return nil
		}
		lists = append(lists, l)
	}
	slices.SortFunc(lists, func(a, b []int32) int { return len(a) - len(b) })
	out := lists[0]
	for _, l := range lists[1:] {
		out = intersect(out, l)
		if len(out) == 0 {
			return nil
		}
	}
	return out
}

// intersect two ascending lists.
func intersect(a, b []int32) []int32 {
	var out []int32
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			out = append(out, a[i])
			i++
			j++
		}
	}
	return out
}

// exactScore is the best score of the term's exact characters in any
// field; word says the term must begin a Latin word.
func (d *faqDoc) exactScore(term string, word bool) int {
	best := 0
	for _, t := range d.texts {
		sc := fieldExact[t.field]
		if sc <= best {
			continue
		}
		at := indexTerm(t.norm, term, word, 0)
		if at < 0 {
			continue
		}
		if t.field == fQuestion || t.field == fQuestionEN {
			if at == 0 {
				sc += bonusStart
			}
			if len(t.norm) == len(term) {
				sc += bonusWhole
			}
		}
		best = sc
	}
	return best
}

// indexTerm finds term in s from byte offset from; with word set, only
// where a Latin word begins.
func indexTerm(s, term string, word bool, from int) int {
	for from <= len(s) {
		i := strings.Index(s[from:], term)
		if i < 0 {
			return -1
		}
		i += from
		if !word || i == 0 || !isLatin(rune(s[i-1])) {
			return i
		}
		from = i + 1
	}
	return -1
}

// pyMatch matches letters q against the syllables from slot i on: each
// syllable typed in full or by its initial (zh, ch, sh count as one), the
// last one possibly unfinished. It returns the slot after the match and
// whether every syllable was typed in full.
func pyMatch(slots []pySlot, i int, q string) (int, bool, bool) {
	if q == "" {
		return i, true, true
	}
	if i >= len(slots) {
		return 0, false, false
	}
	for _, r := range slots[i].readings {
		if strings.HasPrefix(q, r) {
			if end, full, ok := pyMatch(slots, i+1, q[len(r):]); ok {
				return end, full, true
			}
		}
	}
	for _, r := range slots[i].readings {
		if len(q) < len(r) && strings.HasPrefix(r, q) {
			return i + 1, false, true // typing the last syllable
		}
		n := initialLen(r)
		if n < len(r) && len(q) > n && q[:n] == r[:n] {
			if end, _, ok := pyMatch(slots, i+1, q[n:]); ok {
				return end, false, true
			}
		}
	}
	return 0, false, false
}

func initialLen(r string) int {
	if len(r) >= 2 && (r[:2] == "zh" || r[:2] == "ch" || r[:2] == "sh") {
		return 2
	}
	return 1
}

// SearchFAQ finds the answers the desk may give for a query typed so far,
// best first; limit caps the hits returned (Total counts them all). An
// empty query finds nothing. Safe to call from any goroutine.
func (s *Store) SearchFAQ(ctx context.Context, query string, limit int) (FAQSearchResult, error) {
	ix, err := s.faqIndex(ctx)
	if err != nil {
		return FAQSearchResult{}, err
	}
	return ix.search(query, s.Day(s.now()), limit), nil
}

func (ix *faqIndex) search(query, today string, limit int) FAQSearchResult {
	terms := splitQuery(query)
	if len(terms) == 0 {
		return FAQSearchResult{}
	}
	// Chinese terms first: their candidate lists are the shortest.
	slices.SortStableFunc(terms, func(a, b faqTerm) int {
		switch {
		case a.latin == b.latin:
			return 0
		case !a.latin:
			return -1
		}
		return 1
	})
	var total map[int32]termHit
	for _, t := range terms {
		m := ix.match(t, total)
		if total == nil {
			total = m
		} else {
			for d, h := range m {
				old := total[d]
				m[d] = termHit{score: old.score + h.score, pinyin: old.pinyin && h.pinyin}
			}
			total = m
		}
		if len(total) == 0 {
			return FAQSearchResult{}
		}
	}
	hits := make([]FAQHit, 0, len(total))
	for d, h := range total {
		v := &ix.docs[d].v
		if v.EffectiveOn > today || v.ExpiresOn != "" && v.ExpiresOn < today {
			continue
		}
		hits = append(hits, FAQHit{Entry: *v, Score: h.score, Pinyin: h.pinyin})
	}
	byQLen := func(h FAQHit) int { return runeLen(h.Entry.Question) }
	slices.SortFunc(hits, func(a, b FAQHit) int {
		if a.Score != b.Score {
			return b.Score - a.Score
		}
		if la, lb := byQLen(a), byQLen(b); la != lb {
			return la - lb
		}
		return strings.Compare(a.Entry.EntryID, b.Entry.EntryID)
	})
	res := FAQSearchResult{Total: len(hits)}
	if limit > 0 && len(hits) > limit {
		hits = hits[:limit]
	}
	docByID := map[string]*faqDoc{}
	for _, h := range hits {
		docByID[h.Entry.EntryID] = nil
	}
	for _, d := range ix.docs {
		if _, ok := docByID[d.v.EntryID]; ok {
			docByID[d.v.EntryID] = d
		}
	}
	for i := range hits {
		hits[i].Matches = docByID[hits[i].Entry.EntryID].matches(terms)
	}
	res.Hits = hits
	return res
}

// matches lists every span a term matched, for highlighting.
func (d *faqDoc) matches(terms []faqTerm) []FAQMatch {
	var out []FAQMatch
	for _, t := range d.texts {
		for _, term := range terms {
			for from := 0; ; {
				i := indexTerm(t.norm, term.text, term.latin, from)
				if i < 0 {
					break
				}
				start := utf8.RuneCountInString(t.norm[:i])
				out = append(out, FAQMatch{Field: faqFieldNames[t.field], Index: t.index, Start: start, End: start + utf8.RuneCountInString(term.text)})
				from = i + len(term.text)
			}
			if !term.latin || len(term.text) < 2 || !isLetters(term.text) {
				continue
			}
			for si := range t.slots {
				if end, _, ok := pyMatch(t.slots, si, term.text); ok {
					last := t.slots[end-1]
					out = append(out, FAQMatch{Field: faqFieldNames[t.field], Index: t.index, Start: t.slots[si].start, End: last.start + last.n})
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b FAQMatch) int {
		if a.Field != b.Field {
			return slices.Index(faqFieldNames[:], a.Field) - slices.Index(faqFieldNames[:], b.Field)
		}
		if a.Index != b.Index {
			return a.Index - b.Index
		}
		return a.Start - b.Start
	})
	return slices.Compact(out)
}
