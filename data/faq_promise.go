package data

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// The manual's answers may promise a time ("我们在24小时内回复"); the
// service policy (SLAPolicy) says how long the company actually has. An
// answer promising a complaint's or a repair's reply or resolution sooner
// than the policy allows for that kind cannot be approved: the desk would
// promise what the deadlines do not hold it to (issue 10: the starter
// manual's 怎么投诉 promised 24 hours while complaints are answered within
// 2 working days).
//
// What counts: an answer about complaints (it, its question or tags say
// 投诉 / complain) or repairs (报修, 维修, repair); a number of hours,
// working days or days "内" followed by a reply (回复, 答复, 回电, 联系, reply,
// respond, call back) or a resolution (解决, 处理完毕, resolve, fix). A
// promise is compared with the longest limit of that kind in the policy,
// each limit taken at its least elapsed length (a working day as 24 hours,
// the same day as 9): a promise shorter than that is contradicted.

var (
	promiseZH = regexp.MustCompile(`([0-9]+|[一二两三四五六七八九十]+)\s*个?\s*(小时|工作日|天|日)\s*(?:内|之内|以内)\s*(?:给您|向您|为您|与您)?\s*(回复|答复|回电|联系|解决|处理完毕|处理完成)`)
	promiseEN = regexp.MustCompile(`(?i)\b(reply|replies|respond|responds|answer|call back|get back|resolve|resolves|fix|fixes)\b[^.]{0,30}?\bwithin\s+([0-9]+|one|two|three|four|five|a)\s+(working days?|business days?|hours?|days?)`)
)

var zhDigits = map[rune]int{'一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9, '十': 10}

func promiseNumber(s string) int {
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	switch strings.ToLower(s) {
	case "a", "one":
		return 1
	case "two":
		return 2
	case "three":
		return 3
	case "four":
		return 4
	case "five":
		return 5
	}
	rs := []rune(s)
	if len(rs) == 2 && rs[0] == '十' { // 十二
		return 10 + zhDigits[rs[1]]
	}
	if len(rs) == 2 && rs[1] == '十' { // 二十
		return zhDigits[rs[0]] * 10
	}
	if len(rs) == 3 && rs[1] == '十' { // 二十四
		return zhDigits[rs[0]]*10 + zhDigits[rs[2]]
	}
	return zhDigits[rs[0]]
}

// nominal is the least elapsed time a limit can take.
func (l Limit) nominal() time.Duration {
	switch l.Unit {
	case UnitHours, UnitWorkingHours, UnitOpenHours:
		return time.Duration(l.N) * time.Hour
	case UnitWorkingDays, UnitOpenDays:
		return time.Duration(l.N) * 24 * time.Hour
	case UnitSameDay, UnitOpenSameDay:
		return 9 * time.Hour
	}
	return 0
}

// PromiseIssues lists the times an entry's answers promise that the policy
// contradicts (Key faq.lint.promise), in order.
func PromiseIssues(in FAQInput, p SLAPolicy) []LintIssue {
	about := strings.ToLower(in.Question + " " + strings.Join(in.Alternatives, " ") + " " + strings.Join(in.Tags, " ") + " " + in.Answer + " " + in.AnswerEN)
	var kind string
	switch {
	case strings.Contains(about, "投诉") || strings.Contains(about, "complain"):
		kind = TicketComplaint
	case strings.Contains(about, "报修") || strings.Contains(about, "维修") || strings.Contains(about, "repair"):
		kind = TicketRepair
	default:
		return nil
	}
	var respond, resolve Limit
	for _, r := range p.Rules {
		if r.Kind != kind {
			continue
		}
		if r.Response.nominal() > respond.nominal() {
			respond = r.Response
		}
		if r.Resolution.nominal() > resolve.nominal() {
			resolve = r.Resolution
		}
	}
	var out []LintIssue
	check := func(field, text string, at []int, n int, unit, verb string) {
		d := time.Duration(n) * time.Hour
		if unit != "hour" {
			d *= 24
		}
		limit, what := respond, "response"
		if verb == "resolve" {
			limit, what = resolve, "resolution"
		}
		if limit.IsZero() || d >= limit.nominal() {
			return
		}
		rs := []rune(text)
		start := len([]rune(text[:at[0]]))
		end := len([]rune(text[:at[1]]))
		out = append(out, LintIssue{Field: field, Word: string(rs[start:end]), Start: start, End: end, Key: "faq.lint.promise",
			Args: map[string]any{"Promise": string(rs[start:end]), "Kind": kind, "What": what, "Limit": limit.String()}})
	}
	for _, m := range promiseZH.FindAllStringSubmatchIndex(in.Answer, -1) {
		n := promiseNumber(in.Answer[m[2]:m[3]])
		unit := map[string]string{"小时": "hour"}[in.Answer[m[4]:m[5]]]
		verb := "reply"
		if v := in.Answer[m[6]:m[7]]; v == "解决" || strings.HasPrefix(v, "处理") {
			verb = "resolve"
		}
		check("answer", in.Answer, m[:2], n, unit, verb)
	}
	for _, m := range promiseEN.FindAllStringSubmatchIndex(in.AnswerEN, -1) {
		n := promiseNumber(in.AnswerEN[m[4]:m[5]])
		unit := ""
		if strings.HasPrefix(strings.ToLower(in.AnswerEN[m[6]:m[7]]), "hour") {
			unit = "hour"
		}
		verb := "reply"
		if v := strings.ToLower(in.AnswerEN[m[2]:m[3]]); strings.HasPrefix(v, "resolve") || strings.HasPrefix(v, "fix") {
			verb = "resolve"
		}
		check("answer_en", in.AnswerEN, m[:2], n, unit, verb)
	}
	return out
}

// promiseError is the refusal of an approval whose answer promises a time
// the policy contradicts: err.faq.promise.<kind>.<response|resolution>.
func promiseError(issues []LintIssue) *Error {
	a := issues[0].Args
	return &Error{Code: EINVALID, Field: issues[0].Field, Key: "err.faq.promise." + a["Kind"].(string) + "." + a["What"].(string),
		Args: map[string]any{"Promise": a["Promise"], "Limit": a["Limit"]}, Err: LintIssues(issues)}
}
