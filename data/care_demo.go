package data

import (
	"context"
	"time"
)

// demoCareResults makes the demo's revisits look like an office at work:
// most signing revisits whose window has ended were made in it, about half
// of those in their window now are done, a few are left overdue; scores
// mostly 4–5.
func (g *demoGen) demoCareResults(ctx context.Context, now time.Time) error {
	due, err := g.s.CareRevisits(ctx, g.by, CareFilterDue, CareSigning)
	if err != nil {
		return err
	}
	notes := []string{"合同条款已解释清楚，客户满意", "询问交房时间，已告知计划", "对置业顾问服务满意", "希望尽快办理按揭，已转交贷款专员"}
	for _, r := range due {
		share := 50
		if !r.To.After(now) {
			share = 85
		}
		if g.rng.IntN(100) >= share {
			continue
		}
		end := r.To
		if end.After(now) {
			end = now
		}
		at := r.From.Add(time.Duration(g.rng.Int64N(int64(end.Sub(r.From)) + 1)))
		if _, err := g.s.RecordCareRevisit(ctx, g.by, r.ID, CareResult{At: at, Method: RevisitMethods[g.rng.IntN(2)],
			Satisfaction: 4 + g.rng.IntN(2) - boolInt(g.rng.IntN(10) == 0), Quality: notes[g.rng.IntN(len(notes))]}); err != nil {
			return err
		}
	}
	return nil
}
