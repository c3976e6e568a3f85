package data

import (
	"context"
	"encoding/json"
	"testing"

	"anchang/assets"
)

// The starter manual's 怎么投诉 promised a reply in 24 hours while the
// default policy answers complaints within 2 working days (issue 10): the
// approval lint flags such a promise; the manual now agrees with the policy.
func TestFAQPromiseAgainstPolicy(t *testing.T) {
	p := DefaultSLAPolicy()
	for _, tc := range []struct {
		name    string
		in      FAQInput
		promise string // "" = no issue
		key     string
	}{
		{"the old 怎么投诉", FAQInput{Question: "怎么投诉？", Answer: "您可以在前台填写《客户意见登记表》。我们在24小时内回复，处理结果会回访确认。"}, "24小时内回复", "err.faq.promise.complaint.response"},
		{"the old English answer", FAQInput{Question: "怎么投诉？", AnswerEN: "We reply within 24 hours and call back."}, "reply within 24 hours", "err.faq.promise.complaint.response"},
		{"Chinese numerals", FAQInput{Tags: []string{"投诉"}, Answer: "我们一天内给您答复。"}, "一天内给您答复", "err.faq.promise.complaint.response"},
		{"resolution sooner than 3 working days", FAQInput{Question: "投诉多久解决？", Answer: "两个工作日内解决。"}, "两个工作日内解决", "err.faq.promise.complaint.resolution"},
		{"agrees: 2 working days", FAQInput{Question: "怎么投诉？", Answer: "我们在2个工作日内答复。", AnswerEN: "We reply within 2 working days."}, "", ""},
		{"agrees: 3 working days to resolve", FAQInput{Question: "投诉多久解决？", Answer: "3个工作日内解决。"}, "", ""},
		{"repair reply in 24 hours is the policy", FAQInput{Question: "怎么报修？", Answer: "24小时内回复。"}, "", ""},
		{"repair resolved in a day is sooner than 3 working days", FAQInput{Question: "怎么报修？", Answer: "一般维修1天内解决。"}, "1天内解决", "err.faq.promise.repair.resolution"},
		{"not about complaints or repairs", FAQInput{Question: "几点开门？", Answer: "24小时内回复您的预约。"}, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			issues := PromiseIssues(tc.in, p)
			if tc.promise == "" {
				if len(issues) != 0 {
					t.Fatalf("flagged %+v", issues)
				}
				return
			}
			if len(issues) != 1 || issues[0].Word != tc.promise || promiseError(issues).Key != tc.key {
				t.Fatalf("%+v, want %q (%s)", issues, tc.promise, tc.key)
			}
			text := tc.in.Answer
			if issues[0].Field == "answer_en" {
				text = tc.in.AnswerEN
			}
			if string([]rune(text)[issues[0].Start:issues[0].End]) != tc.promise {
				t.Fatalf("span %d:%d", issues[0].Start, issues[0].End)
			}
		})
	}
	// The starter manual agrees with the default policy, entry by entry.
	var m starterManual
	mustOK(t, json.Unmarshal(assets.StarterFAQ, &m))
	for _, e := range m.Entries {
		in := FAQInput{Question: e.Question, Alternatives: e.Alternatives, Tags: e.Tags, Answer: e.Answer, AnswerEN: e.AnswerEN}
		if issues := PromiseIssues(in, p); len(issues) != 0 {
			t.Errorf("starter %q: %+v", e.Question, issues)
		}
	}
}

// Approving an answer that promises too soon is refused, and nothing changes.
func TestFAQApprovalRefusesAPromiseThePolicyContradicts(t *testing.T) {
	ctx := context.Background()
	s, admin, _ := newTestStore(t)
	v, err := s.SaveFAQ(ctx, admin.ID, "", FAQInput{Category: "other", Question: "怎么投诉？", Answer: "请拨打400-800-5678，我们在24小时内回复。", EffectiveOn: "2026-01-01"})
	mustOK(t, err)
	mustOK(t, s.SetFAQStatus(ctx, admin.ID, v.EntryID, FAQReview, ""))
	err = s.SetFAQStatus(ctx, admin.ID, v.EntryID, FAQApproved, "")
	if e, ok := AsError(err); !ok || e.Key != "err.faq.promise.complaint.response" || e.Args["Limit"] != "2wd" || e.Field != "answer" {
		t.Fatalf("approve: %v", err)
	}
	if res, _ := s.SearchFAQ(ctx, "投诉", 5); res.Total != 0 {
		t.Fatal("the refused entry went live")
	}
}
