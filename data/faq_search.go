package data

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"anchang/data/namepy"
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
	// Approximate: no entry holds every term as typed (or as a synonym of
	// it); these were found by the question's words, by their pairs of
	// characters or by their sound. The desk counts such a search as a
	// miss for the report when it is submitted.
	Approximate bool
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
	ord   int32 // rank among equal scores: shorter question first, then id
}

type pyPos struct {
	doc  int32
	text uint16
	slot uint16
}

// A posting is doc<<8 | mask: which fields of the entry hold the gram or
// word (bit per faqField), and bitStart when the question (Chinese or
// English) begins with it. One- and two-character terms and Latin words
// are scored from the posting alone, without reading the text.
type posting uint32

const bitStart = 1 << 6

func (p posting) doc() int32  { return int32(p >> 8) }
func (p posting) mask() uint8 { return uint8(p) }

type faqIndex struct {
	docs  []*faqDoc
	grams map[uint64][]posting // one character (r) or two (r1<<32 | r2)
	words []string             // sorted
	wpost [][]posting          // postings of words[i]
	pyAt  map[[2]byte][]pyPos  // start positions by the term's first two letters
	pyAt3 map[[3]byte][]pyPos  // and by its first three
	pyAt4 map[[4]byte][]pyPos  // and by its first four
	syn   synonymRules         // the synonym list, folded

	scratch sync.Pool // *searchScratch: per-search arrays, not garbage per keystroke
}

// searchScratch holds a search's per-entry arrays.
type searchScratch struct {
	total        []int32
	score        []int32
	exact, alive []bool
	pinyin       []bool
	covered      []int32 // question search: weight of the pieces matched
	sum          []int32 // question search: a long piece's pair scores
	pairs        []int32 // and how many of its pairs matched
}

func (sc *searchScratch) reset(n int) {
	if len(sc.total) != n {
		*sc = searchScratch{total: make([]int32, n), score: make([]int32, n), exact: make([]bool, n), alive: make([]bool, n), pinyin: make([]bool, n),
			covered: make([]int32, n), sum: make([]int32, n), pairs: make([]int32, n)}
		return
	}
	clear(sc.covered)
	clear(sc.total)
	clear(sc.score)
	clear(sc.exact)
	clear(sc.alive)
	clear(sc.pinyin)
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
	syn, err := s.FAQSynonyms(ctx)
	if err != nil {
		return nil, err
	}
	ix := buildFAQIndex(vs)
	ix.syn = newSynonymRules(syn)
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

func isLatin(r rune) bool { return r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)) }

// isCJKWordRune: characters a Chinese term is made of (not punctuation or space).
func isCJKWordRune(r rune) bool {
	return r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Han, r) || r == '㎡')
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
			if ps := namepy.Readings(r); len(ps) > 0 {
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
	ix := &faqIndex{grams: map[uint64][]posting{}, pyAt: map[[2]byte][]pyPos{}, pyAt3: map[[3]byte][]pyPos{}, pyAt4: map[[4]byte][]pyPos{}}
	ix.scratch.New = func() any { return &searchScratch{} }
	words := map[string][]posting{}
	var k4 [][4]byte
	grams := map[uint64]uint8{}
	ws := map[string]uint8{}
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
		clear(grams)
		clear(ws)
		for ti, t := range d.texts {
			bit := uint8(1) << t.field
			start := func(i int) uint8 {
				if i == 0 && (t.field == fQuestion || t.field == fQuestionEN) {
					return bit | bitStart
				}
				return bit
			}
			var prev rune
			rs := []rune(t.norm)
			for i := 0; i < len(rs); i++ {
				r := rs[i]
				if isLatin(r) {
					j := i
					for j < len(rs) && isLatin(rs[j]) {
						j++
					}
					ws[string(rs[i:j])] |= start(i)
					i, prev = j-1, 0
					continue
				}
				if !isCJKWordRune(r) {
					prev = 0
					continue
				}
				grams[uint64(r)] |= start(i)
				if prev != 0 {
					grams[uint64(prev)<<32|uint64(r)] |= start(i - 1)
				}
				prev = r
			}
			for si := range t.slots {
				pos := pyPos{doc: di, text: uint16(ti), slot: uint16(si)}
				for k := range pyKeys2(t.slots[si:]) {
					ix.pyAt[k] = append(ix.pyAt[k], pos)
				}
				for k := range pyKeys3(t.slots[si:]) {
					ix.pyAt3[k] = append(ix.pyAt3[k], pos)
				}
				k4 = pyKeys4(t.slots[si:], k4)
				for _, k := range k4 {
					ix.pyAt4[k] = append(ix.pyAt4[k], pos)
				}
			}
		}
		for g, m := range grams {
			ix.grams[g] = append(ix.grams[g], posting(di)<<8|posting(m))
		}
		for w, m := range ws {
			words[w] = append(words[w], posting(di)<<8|posting(m))
		}
	}
	byLen := slices.Clone(ix.docs)
	slices.SortFunc(byLen, func(a, b *faqDoc) int {
		if a.qlen != b.qlen {
			return a.qlen - b.qlen
		}
		return strings.Compare(a.v.EntryID, b.v.EntryID)
	})
	for i, d := range byLen {
		d.ord = int32(i)
	}
	ix.words = make([]string, 0, len(words))
	for w := range words {
		ix.words = append(ix.words, w)
	}
	sort.Strings(ix.words)
	ix.wpost = make([][]posting, len(ix.words))
	for i, w := range ix.words {
		ix.wpost[i] = words[w]
	}
	return ix
}

// pyKeys2 are the first two letters of every way of typing a run of
// syllables: two letters of the first, or its initial and the next one's.
func pyKeys2(sl []pySlot) map[[2]byte]bool {
	keys := map[[2]byte]bool{}
	for _, p := range sl[0].readings {
		if len(p) >= 2 {
			keys[[2]byte{p[0], p[1]}] = true
		}
		if len(sl) > 1 {
			for _, n := range sl[1].readings {
				keys[[2]byte{p[0], n[0]}] = true
			}
		}
	}
	return keys
}

// pyKeys3 are the first three letters of every way of typing a run of
// syllables (pyMatch's rules): three letters of the first syllable; two
// of it (a two-letter syllable, or zh/ch/sh) and one of the next; its
// initial and two of the next, or the initials of the next two.
func pyKeys3(sl []pySlot) map[[3]byte]bool {
	keys := map[[3]byte]bool{}
	for _, p := range sl[0].readings {
		if len(p) >= 3 {
			keys[[3]byte{p[0], p[1], p[2]}] = true
		}
		if len(sl) < 2 {
			continue
		}
		for _, n := range sl[1].readings {
			if len(p) == 2 || initialLen(p) == 2 {
				keys[[3]byte{p[0], p[1], n[0]}] = true
			}
			if len(n) >= 2 {
				keys[[3]byte{p[0], n[0], n[1]}] = true
			}
			if len(sl) > 2 { // initials, or a one-letter syllable (a, e, o) in full
				for _, m := range sl[2].readings {
					keys[[3]byte{p[0], n[0], m[0]}] = true
				}
			}
		}
	}
	return keys
}

// pyKeys4 appends to keys the first four letters of every way of typing
// a run of syllables (pyMatch's rules): each syllable in full or by its
// initial (zh, ch, sh or z, c, s); an unfinished last syllable types a
// prefix of the full one, so its first four letters are among these. The
// result is sorted, without repeats.
func pyKeys4(sl []pySlot, keys [][4]byte) [][4]byte {
	keys = keys[:0]
	var typed [4]byte
	var walk func(i, n int)
	walk = func(i, n int) {
		if n >= 4 {
			keys = append(keys, typed)
			return
		}
		if i >= len(sl) {
			return
		}
		for _, r := range sl[i].readings {
			walk1 := func(l int) {
				m := copy(typed[n:], r[:l])
				walk(i+1, n+m)
			}
			walk1(len(r)) // in full
			if il := initialLen(r); il < len(r) {
				walk1(il) // by its initial
				if il == 2 {
					walk1(1) // zh typed as z
				}
			}
		}
	}
	walk(0, 0)
	slices.SortFunc(keys, func(a, b [4]byte) int { return bytes.Compare(a[:], b[:]) })
	return slices.Compact(keys)
}

// faqTerm is one term of a query.
type faqTerm struct {
	text  string
	latin bool
	alts  []string // the text with synonyms replaced by the manual's word
}

// splitQuery folds the query and splits it into terms: at spaces and
// punctuation, and between Chinese and Latin runs ("LPR利率" → LPR, 利率).
func (ix *faqIndex) splitQuery(q string) []faqTerm {
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
			out = append(out, ix.cjkTerm(string(rs[i:j])))
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

// maskScore is the score of a term found exactly in the fields of mask.
func (d *faqDoc) maskScore(m uint8, termLen int) int32 {
	best := 0
	for f := fQuestion; f <= fAnswerEN; f++ {
		if m&(1<<f) != 0 && fieldExact[f] > best {
			best = fieldExact[f]
		}
	}
	if m&bitStart != 0 && (best == scoreQuestion || best == scoreQuestionEN) {
		best += bonusStart
		if best == scoreQuestion+bonusStart && d.qlen == termLen {
			best += bonusWhole
		}
	}
	return int32(best)
}

// termScores holds one term's score for every entry; pinyin marks scores
// that came from pinyin alone.
type termScores struct {
	score  []int32
	pinyin []bool
}

func (ts *termScores) keep(d int32, sc int32, py bool) {
	if sc > ts.score[d] || sc == ts.score[d] && !py && ts.pinyin[d] {
		ts.score[d], ts.pinyin[d] = sc, py
	}
}

// match scores a term against the entries still alive (every entry when
// alive is nil).
func (ix *faqIndex) match(t faqTerm, alive []bool, ts *termScores) {
	ok := func(d int32) bool { return alive == nil || alive[d] }
	if !t.latin {
		for _, a := range t.alts {
			ix.matchCJK(a, ok, ts, synonymDivisor)
		}
		ix.matchCJK(t.text, ok, ts, 1)
		return
	}
	ix.matchLatin(t.text, ok, ts)
}

// synonymDivisor: a term found through the synonym list scores a third of
// the same term typed as the manual words it, so that the words as typed
// in a question, alternative or tag (按揭资料) outrank the synonym's word
// anywhere, and the synonym's word in a question outranks the words as
// typed in an answer.
const synonymDivisor = 3

// matchCJK scores a Chinese text found exactly, divided by div.
func (ix *faqIndex) matchCJK(text string, ok func(int32) bool, ts *termScores, div int32) {
	{
		t := faqTerm{text: text}
		rs := []rune(t.text)
		if len(rs) <= 2 {
			key := uint64(rs[0])
			if len(rs) == 2 {
				key = uint64(rs[0])<<32 | uint64(rs[1])
			}
			for _, p := range ix.grams[key] {
				if d := p.doc(); ok(d) {
					ts.keep(d, max(ix.docs[d].maskScore(p.mask(), len(rs))/div, 1), false)
				}
			}
			return
		}
		for _, c := range ix.gramCandidates(rs) {
			if d := c.doc(); ok(d) {
				if sc := ix.docs[d].exactScore(t.text, c.mask(), len(rs)); sc > 0 {
					ts.keep(d, max(sc/div, 1), false)
				}
			}
		}
	}
}

// matchLatin scores a term of Latin letters and digits: words it begins,
// then pinyin.
func (ix *faqIndex) matchLatin(text string, ok func(int32) bool, ts *termScores) {
	t := faqTerm{text: text, latin: true}
	for i := sort.SearchStrings(ix.words, t.text); i < len(ix.words) && strings.HasPrefix(ix.words[i], t.text); i++ {
		if len(t.text) == 1 && len(ix.words[i]) > 1 {
			break // one letter matches only itself ("A区"), not every word it begins
		}
		n := len(t.text)
		if len(ix.words[i]) != n {
			n = -1 // a prefix of the word: never "the whole question"
		}
		for _, p := range ix.wpost[i] {
			if d := p.doc(); ok(d) {
				ts.keep(d, ix.docs[d].maskScore(p.mask(), n), false)
			}
		}
	}
	ix.matchLatinPinyin(t.text, ok, ts)
}

// matchLatinPinyin scores letters read as pinyin.
func (ix *faqIndex) matchLatinPinyin(text string, ok func(int32) bool, ts *termScores) {
	t := faqTerm{text: text, latin: true}
	if len(t.text) < 2 || len(t.text) > 40 || !isLetters(t.text) {
		return
	}
	positions := ix.pyAt[[2]byte{t.text[0], t.text[1]}]
	if len(t.text) >= 3 {
		positions = ix.pyAt3[[3]byte{t.text[0], t.text[1], t.text[2]}]
	}
	if len(t.text) >= 4 {
		positions = ix.pyAt4[[4]byte{t.text[0], t.text[1], t.text[2], t.text[3]}]
	}
	for _, p := range positions {
		if !ok(p.doc) || ts.score[p.doc] >= scoreQuestionPinyin+bonusStart/3 {
			continue
		}
		tx := &ix.docs[p.doc].texts[p.text]
		if tx.field != fQuestion && ts.score[p.doc] >= scoreAltPinyin {
			continue
		}
		_, full, matched := pyMatch(tx.slots, int(p.slot), t.text)
		if !matched {
			continue
		}
		sc := int32(scoreAltPinyin)
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
		ts.keep(p.doc, sc, true)
	}
}

func isLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return true
}

// gramCandidates are the entries containing every character pair of a
// term of three or more characters, with the fields holding all of them.
func (ix *faqIndex) gramCandidates(rs []rune) []posting {
	var lists [][]posting
	for i := 1; i < len(rs); i++ {
		l := ix.grams[uint64(rs[i-1])<<32|uint64(rs[i])]
		if len(l) == 0 {
			return nil
		}
		lists = append(lists, l)
	}
	slices.SortFunc(lists, func(a, b []posting) int { return len(a) - len(b) })
	out := slices.Clone(lists[0])
	for _, l := range lists[1:] {
		out = intersect(out, l)
		if len(out) == 0 {
			return nil
		}
	}
	return out
}

// intersect keeps the entries of a also in b (both ascending by entry),
// with the fields both have.
func intersect(a, b []posting) []posting {
	out := a[:0]
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch da, db := a[i].doc(), b[j].doc(); {
		case da < db:
			i++
		case da > db:
			j++
		default:
			m := a[i].mask() & b[j].mask() & (bitStart - 1)
			if m != 0 {
				out = append(out, posting(da)<<8|posting(m))
			}
			i++
			j++
		}
	}
	return out
}

// exactScore is the best score of the term's exact characters among the
// fields in mask (those holding all its character pairs).
func (d *faqDoc) exactScore(term string, mask uint8, termLen int) int32 {
	var found uint8
	for _, t := range d.texts {
		bit := uint8(1) << t.field
		if mask&bit == 0 || found&bit != 0 {
			continue
		}
		if at := strings.Index(t.norm, term); at >= 0 {
			found |= bit
			if at == 0 && (t.field == fQuestion || t.field == fQuestionEN) {
				found |= bitStart
			}
		}
	}
	if found == 0 {
		return 0
	}
	return d.maskScore(found, termLen)
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
// syllable typed in full or by its initial (zh, ch, sh or just z, c, s), the
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
		for _, n := range [2]int{initialLen(r), 1} {
			if n < len(r) && len(q) > n && q[:n] == r[:n] {
				if end, _, ok := pyMatch(slots, i+1, q[n:]); ok {
					return end, false, true
				}
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

type ranked struct {
	doc   int32
	score int32
}

func (ix *faqIndex) search(query, today string, limit int) FAQSearchResult {
	terms := ix.splitQuery(query)
	if len(terms) == 0 || len(ix.docs) == 0 {
		return FAQSearchResult{}
	}
	sc := ix.scratch.Get().(*searchScratch)
	defer ix.scratch.Put(sc)
	sc.reset(len(ix.docs))
	found := ix.inForce(ix.searchTerms(terms, sc), today)
	approx := false
	if len(found) == 0 {
		sc.reset(len(ix.docs))
		var pieces []faqTerm
		found, pieces = ix.searchQuestion(query, sc)
		found, terms, approx = ix.inForce(found, today), pieces, true
	}
	slices.SortFunc(found, func(a, b ranked) int {
		if a.score != b.score {
			return int(b.score - a.score)
		}
		return int(ix.docs[a.doc].ord - ix.docs[b.doc].ord)
	})
	res := FAQSearchResult{Total: len(found), Approximate: approx && len(found) > 0}
	if limit > 0 && len(found) > limit {
		found = found[:limit]
	}
	res.Hits = make([]FAQHit, len(found))
	for i, f := range found {
		d := ix.docs[f.doc]
		res.Hits[i] = FAQHit{Entry: d.v, Score: int(f.score), Pinyin: !sc.exact[f.doc], Matches: d.matches(terms)}
	}
	return res
}

// inForce keeps the entries in force on today.
func (ix *faqIndex) inForce(found []ranked, today string) []ranked {
	out := found[:0]
	for _, f := range found {
		v := &ix.docs[f.doc].v
		if v.EffectiveOn > today || v.ExpiresOn != "" && v.ExpiresOn < today {
			continue
		}
		out = append(out, f)
	}
	return out
}

// searchTerms finds the entries every term matches; sc.exact marks those
// some term matched by its characters.
func (ix *faqIndex) searchTerms(terms []faqTerm, sc *searchScratch) []ranked {
	// Chinese terms first: their postings are the shortest.
	terms = slices.Clone(terms)
	slices.SortStableFunc(terms, func(a, b faqTerm) int {
		switch {
		case a.latin == b.latin:
			return 0
		case !a.latin:
			return -1
		}
		return 1
	})
	n := len(ix.docs)
	total, exact := sc.total, sc.exact
	var alive []bool
	ts := termScores{score: sc.score, pinyin: sc.pinyin}
	for i, t := range terms {
		if i > 0 {
			clear(ts.score)
			clear(ts.pinyin)
		}
		ix.match(t, alive, &ts)
		if alive == nil {
			alive = sc.alive
		}
		anyAlive := false
		for d := range n {
			if i > 0 && !alive[d] {
				continue
			}
			alive[d] = ts.score[d] > 0
			if alive[d] {
				anyAlive = true
				total[d] += ts.score[d]
				exact[d] = exact[d] || !ts.pinyin[d]
			}
		}
		if !anyAlive {
			return nil
		}
	}
	var found []ranked
	for d := range n {
		if alive[d] {
			found = append(found, ranked{int32(d), total[d]})
		}
	}
	return found
}

// matches lists every span a term matched, for highlighting.
func (d *faqDoc) matches(terms []faqTerm) []FAQMatch {
	var out []FAQMatch
	for _, t := range d.texts {
		for _, term := range terms {
			for k := -1; k < len(term.alts); k++ {
				text := term.text
				if k >= 0 {
					text = term.alts[k]
				}
				for from := 0; ; {
					i := indexTerm(t.norm, text, term.latin, from)
					if i < 0 {
						break
					}
					start := utf8.RuneCountInString(t.norm[:i])
					out = append(out, FAQMatch{Field: faqFieldNames[t.field], Index: t.index, Start: start, End: start + utf8.RuneCountInString(text)})
					from = i + len(text)
				}
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
