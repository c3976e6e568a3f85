package data

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
	"time"

	"anchang/assets"
)

// fillFAQ stores n approved entries made from the starter manual's
// entries with varied projects, phases and extra sentences, in one transaction.
func fillFAQ(tb testing.TB, s *Store, admin Staff, n int) {
	tb.Helper()
	ctx := context.Background()
	var m starterManual
	mustOK(tb, json.Unmarshal(assets.StarterFAQ, &m))
	projects := []string{"星河湾", "锦绣华庭", "云栖府", "滨江壹号", "翡翠公馆", "望湖苑", "天悦城", "御景台"}
	extras := []string{"详情以销售中心公示为准。", "如有变化，以书面通知为准。", "请携带身份证原件办理。", "具体以合同约定为准。",
		"物业服务中心电话400-800-1234。", "车位与储藏室另行销售。", "贷款审批以银行为准。", "交付标准见合同附件。"}
	rng := rand.New(rand.NewPCG(1, 2))
	words, err := s.VagueWords(ctx)
	mustOK(tb, err)
	err = s.tx(ctx, func(tx *txn) error {
		st, err := s.stamp()
		if err != nil {
			return err
		}
		if err := ensureFAQCategories(ctx, tx, st.office, st.device, st.at, admin.ID); err != nil {
			return err
		}
		for i := 0; i < n; i++ {
			e := m.Entries[i%len(m.Entries)]
			p := projects[rng.IntN(len(projects))]
			in := FAQInput{Category: e.Category, Question: fmt.Sprintf("%s（%s%d期）", e.Question, p, i/len(m.Entries)+1),
				Alternatives: e.Alternatives, Tags: append(slices.Clone(e.Tags), p), Answer: e.Answer + extras[rng.IntN(len(extras))],
				QuestionEN: e.QuestionEN, AnswerEN: e.AnswerEN, EffectiveOn: "2026-01-01"}
			if err := in.validate(s.now()); err != nil {
				return err
			}
			est := st
			est.id = newID()
			v, _, err := saveFAQ(ctx, tx, est, admin.ID, "", in)
			if err != nil {
				return err
			}
			for _, to := range []FAQStatus{FAQReview, FAQApproved} {
				if err := setFAQStatus(ctx, tx, est, admin.ID, v.EntryID, to, "", words); err != nil {
					return err
				}
			}
		}
		return nil
	})
	mustOK(tb, err)
	s.faqChanged()
}

// benchQueries are what a receptionist types, keystroke by keystroke.
var benchQueries = []string{
	"车", "车位", "车位价", "贷", "贷款", "贷款利率", "物业费", "物业", "学区", "交房", "精装修", "五证", "不利因素",
	"d", "dk", "dai", "daik", "daikuan", "chewei", "cw", "wuyefei", "wyf", "xuequ", "jiaofang", "sf", "shoufu",
	"loan", "park", "parking", "fee", "LPR", "贷款 lilv", "车位 价格", "星河湾 物业", "公积金 gjj", "没有的问题",
	// Understood (issue 10): traditional, full-width, synonyms, questions, homophones, misses.
	"車", "車位", "物業費", "貸款利率", "ＬＰＲ", "停车位", "车库", "车库多少钱", "按揭", "验楼", "收楼", "学区房",
	"定", "定金", "定金能", "定金能退", "定金能退吗", "物业费怎么收", "车位怎么卖", "有没有学校", "请问有没有地暖呢",
	"代", "代款", "公基金", "代款利率", "是否按期交楼", "游泳池开放吗", "有没有游泳池",
}

// BenchmarkFAQSearch measures one search over 10,000 entries; p95_ms is
// the 95th percentile over every query of benchQueries (wall time), and
// p95_cpu_ms of the searching thread's CPU time.
//
//	go test ./data -run '^$' -bench FAQSearch -benchtime 20x
func BenchmarkFAQSearch(b *testing.B) {
	ctx := context.Background()
	s, admin, _ := newTestStore(b)
	fillFAQ(b, s, admin, 10000)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	start, startCPU := time.Now(), threadCPU()
	if _, err := s.SearchFAQ(ctx, "车位", 10); err != nil { // builds the index
		b.Fatal(err)
	}
	build, buildCPU := time.Since(start), threadCPU()-startCPU
	var samples, cpu []time.Duration
	b.ResetTimer()
	for b.Loop() {
		for _, q := range benchQueries {
			c0, t0 := threadCPU(), time.Now()
			if _, err := s.SearchFAQ(ctx, q, 20); err != nil {
				b.Fatal(err)
			}
			samples = append(samples, time.Since(t0))
			cpu = append(cpu, threadCPU()-c0)
		}
	}
	slices.Sort(samples)
	slices.Sort(cpu)
	p95 := samples[len(samples)*95/100]
	b.ReportMetric(float64(p95.Microseconds())/1000, "p95_ms")
	// The search's own CPU time per keystroke: on the shared 2-core machine
	// under load, wall time is mostly waiting for a core.
	b.ReportMetric(float64(cpu[len(cpu)*95/100].Microseconds())/1000, "p95_cpu_ms")
	b.ReportMetric(float64(samples[len(samples)-1].Microseconds())/1000, "max_ms")
	b.ReportMetric(float64(build.Milliseconds()), "build_ms") // after ResetTimer, which clears metrics
	b.ReportMetric(float64(buildCPU.Milliseconds()), "build_cpu_ms")
}
