package data

import (
	"slices"
	"strings"
	"unicode"

	"anchang/data/namepy"
)

// A question the way a visitor asks it rarely holds the manual's words as
// one run: 定金能退吗 against 定金是多少？可以退吗？. When no entry holds
// every term of the query (faqIndex.searchTerms), the search reads the
// query as a question (searchQuestion):
//
//  1. Question words and particles (怎么, 有没有, 吗, …: questionWords)
//     split each Chinese run into pieces: 定金能退吗 → 定金 | 退.
//  2. Each piece is looked up as typed and through the synonym list; a
//     piece of two or more characters that is found nowhere is read as
//     pinyin and matched against the questions, alternatives and tags (an
//     input method's homophone slip: 代款 → daikuan → 贷款; 公基金 → 公积金);
//     a piece of three or more found neither way scores by the pairs of
//     adjacent characters it (or its synonym form) shares with the entry,
//     half of them at least (是否按期交楼 → 按期交房 → 逾期交房).
//  3. A piece weighs its length in characters. An entry scores the sum of
//     weight × the piece's score in its best field, and must cover at least
//     more than half the query's weight: 定金能退吗 finds the deposit entry, not every
//     entry with 退 in it.
//
// Segmenting with a dictionary (github.com/go-ego/gse) was measured
// against this and not taken: its dictionary takes seconds and tens of
// megabytes to load on the desk, and the manual's own words (which the
// index already holds as character pairs) are what a question must meet.

// questionWords split a question into the pieces that carry its meaning.
// Longer ones are tried first at each position.
var questionWords = func() []string {
	ws := []string{
		"有没有", "是不是", "能不能", "可不可以", "会不会", "要不要", "怎么样", "怎么办", "为什么",
		"怎么", "怎样", "如何", "什么", "哪些", "哪个", "哪里", "哪儿", "多少", "多久", "几个", "请问", "一下",
		"可以", "能否", "是否", "我们", "你们", "我想", "想要", "需要", "知道", "咨询", "没有", "的话", "还是", "或者",
		"这个", "那个", "现在", "一般", "吗", "呢", "吧", "啊", "呀", "嘛", "的", "了", "么", "是", "有", "能", "要",
		"我", "你", "在", "和", "与", "及", "请", "想", "都", "也", "还", "就", "给", "得", "该", "去",
	}
	slices.SortStableFunc(ws, func(a, b string) int { return len([]rune(b)) - len([]rune(a)) })
	return ws
}()

// questionPieces splits a folded query into pieces: Latin runs as they
// are, Chinese runs cut at question words and punctuation.
func questionPieces(q string) []faqTerm {
	var out []faqTerm
	rs := []rune(q)
	start := -1
	flush := func(end int) {
		if start >= 0 && end > start {
			out = append(out, faqTerm{text: string(rs[start:end])})
		}
		start = -1
	}
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case isLatin(r):
			flush(i)
			j := i
			for j < len(rs) && isLatin(rs[j]) {
				j++
			}
			out = append(out, faqTerm{text: string(rs[i:j]), latin: true})
			i = j
			continue
		case !isCJKWordRune(r):
			flush(i)
			i++
			continue
		}
		if n := questionWordAt(rs[i:]); n > 0 {
			flush(i)
			i += n
			continue
		}
		if start < 0 {
			start = i
		}
		i++
	}
	flush(len(rs))
	if len(out) > 8 {
		out = out[:8]
	}
	return out
}

// questionWordAt is the length of the question word rs begins with, or 0.
func questionWordAt(rs []rune) int {
	for _, w := range questionWords {
		wr := []rune(w)
		if len(wr) <= len(rs) && slices.Equal(rs[:len(wr)], wr) {
			return len(wr)
		}
	}
	return 0
}

// Scores of a question's pieces found by sound or by pairs, below the
// same piece found as typed.
const (
	questionPinyinPenalty = 10
	questionPairsPenalty  = 15
)

// searchQuestion finds the entries that answer query read as a question;
// it returns them with the pieces to highlight.
func (ix *faqIndex) searchQuestion(query string, sc *searchScratch) ([]ranked, []faqTerm) {
	pieces := questionPieces(foldText(query))
	n := len(ix.docs)
	var weight int32
	var shown []faqTerm
	ts := termScores{score: sc.score, pinyin: sc.pinyin}
	all := func(int32) bool { return true }
	for _, p := range pieces {
		w := int32(len([]rune(p.text)))
		if p.latin {
			w = min(w, 4)
		}
		weight += w
		clear(ts.score)
		clear(ts.pinyin)
		if p.latin {
			ix.matchLatin(p.text, all, &ts)
			shown = append(shown, p)
		} else {
			p = ix.cjkTerm(p.text)
			ix.match(p, nil, &ts)
			shown = append(shown, p)
			if !anyScore(ts.score) && w >= 2 && w <= 8 {
				for _, py := range pieceReadings(p.text) {
					ix.matchPinyin(py, &ts)
					shown = append(shown, faqTerm{text: strings.Join(py, ""), latin: true})
				}
				for d := range ts.score {
					ts.score[d] = max(ts.score[d]-questionPinyinPenalty, 0)
				}
			}
			if !anyScore(ts.score) && w >= 3 {
				for _, text := range append([]string{p.text}, p.alts...) {
					ix.matchPairs(text, sc, &ts)
					for i, r := 1, []rune(text); i < len(r); i++ {
						shown = append(shown, faqTerm{text: string(r[i-1 : i+1])})
					}
				}
			}
		}
		for d := range n {
			if s := ts.score[d]; s > 0 {
				sc.total[d] += w * s
				sc.covered[d] += w
				sc.exact[d] = sc.exact[d] || !ts.pinyin[d]
			}
		}
	}
	var found []ranked
	for d := range n {
		if 2*sc.covered[d] > weight {
			found = append(found, ranked{int32(d), sc.total[d] / max(weight, 1)})
		}
	}
	return found, shown
}

func anyScore(s []int32) bool {
	for _, v := range s {
		if v > 0 {
			return true
		}
	}
	return false
}

// matchPinyin scores a piece read as syllables against the questions,
// alternatives and tags: every syllable must be one of the reading of its
// character there (no initials, no unfinished syllable: the piece was
// typed in characters).
func (ix *faqIndex) matchPinyin(sylls []string, ts *termScores) {
	joined := strings.Join(sylls, "")
	if len(sylls) < 2 || len(joined) < 3 {
		return
	}
	for _, p := range ix.pyAt3[[3]byte{joined[0], joined[1], joined[2]}] {
		tx := &ix.docs[p.doc].texts[p.text]
		if int(p.slot)+len(sylls) > len(tx.slots) {
			continue
		}
		ok := true
		for k, syl := range sylls {
			if !slices.Contains(tx.slots[int(p.slot)+k].readings, syl) {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		sc := int32(scoreAltPinyin)
		if tx.field == fQuestion {
			sc = scoreQuestionPinyin
			if p.slot == 0 {
				sc += bonusStart / 3
			}
		}
		ts.keep(p.doc, sc, true)
	}
}

// matchPairs scores a piece by its pairs of adjacent characters: an entry
// with at least half of them scores their mean best-field score.
func (ix *faqIndex) matchPairs(text string, sc *searchScratch, ts *termScores) {
	rs := []rune(text)
	np := int32(len(rs) - 1)
	clear(sc.sum)
	clear(sc.pairs)
	for i := 1; i < len(rs); i++ {
		for _, p := range ix.grams[uint64(rs[i-1])<<32|uint64(rs[i])] {
			d := p.doc()
			sc.sum[d] += ix.docs[d].maskScore(p.mask(), 2)
			sc.pairs[d]++
		}
	}
	for d, k := range sc.pairs {
		if k > 0 && 2*k >= np {
			ts.keep(int32(d), max(sc.sum[d]/np-questionPairsPenalty, 1), false)
		}
	}
}

// pieceReadings are the ways a Chinese piece reads, as syllables (at most
// 4: the first reading of each character, then the others of the first
// polyphonic ones).
func pieceReadings(text string) [][]string {
	out := [][]string{nil}
	for _, r := range text {
		if !unicode.Is(unicode.Han, r) {
			return nil
		}
		ps := namepy.Readings(r)
		if len(ps) == 0 {
			return nil
		}
		var next [][]string
		for _, o := range out {
			for i, p := range ps {
				if i > 0 && len(next) >= 4 {
					break
				}
				next = append(next, append(slices.Clip(o), p))
			}
		}
		out = next[:min(len(next), 4)]
	}
	return out
}

// synonymRules replace the variants in a query by the manual's words.
type synonymRules struct {
	byFirst map[rune][]synonymRule // longest variant first
}

type synonymRule struct {
	variant []rune
	word    string
}

func newSynonymRules(groups []FAQSynonym) synonymRules {
	sr := synonymRules{byFirst: map[rune][]synonymRule{}}
	for _, g := range groups {
		w := foldText(g.Word)
		for _, v := range g.Variants {
			vr := []rune(foldText(v))
			if len(vr) == 0 {
				continue
			}
			sr.byFirst[vr[0]] = append(sr.byFirst[vr[0]], synonymRule{variant: vr, word: w})
		}
	}
	for _, rs := range sr.byFirst {
		slices.SortStableFunc(rs, func(a, b synonymRule) int { return len(b.variant) - len(a.variant) })
	}
	return sr
}

// replace returns text with every variant (the longest at each place,
// left to right) replaced by its word, and whether any was.
func (sr synonymRules) replace(text string) (string, bool) {
	if len(sr.byFirst) == 0 {
		return text, false
	}
	rs := []rune(text)
	var b strings.Builder
	changed := false
	for i := 0; i < len(rs); {
		hit := false
		for _, r := range sr.byFirst[rs[i]] {
			if len(r.variant) <= len(rs)-i && slices.Equal(rs[i:i+len(r.variant)], r.variant) {
				b.WriteString(r.word)
				i += len(r.variant)
				hit, changed = true, true
				break
			}
		}
		if !hit {
			b.WriteRune(rs[i])
			i++
		}
	}
	return b.String(), changed
}

// cjkTerm is a Chinese term with its synonym form, if any.
func (ix *faqIndex) cjkTerm(text string) faqTerm {
	t := faqTerm{text: text}
	if alt, ok := ix.syn.replace(text); ok && alt != text {
		t.alts = []string{alt}
	}
	return t
}
