package data

import (
	"context"
	"strings"
	"testing"
	"time"
)

// A missed search is stored and sent to HQ without the phone or ID numbers
// typed into it; rooms, prices, years and dates stay.
func TestFAQMissScrubsPhonesAndIDs(t *testing.T) {
	ctx := context.Background()
	s, _, clk := newFAQStore(t)
	for _, tc := range []struct{ in, want string }{
		{"13812345678 的车位", "[电话] 的车位"},
		{"王先生 138 1234 5678 回电", "王先生 [电话] 回电"},
		{"+86-138-1234-5678", "[电话]"},
		{"电话021-62345678", "电话[电话]"},
		{"１３９１２３４５６７８", "[电话]"}, // full-width digits fold first
		{"身份证11010519491231002X能买吗", "身份证[证件号]能买吗"},
		{"证件 110105194912310021", "证件 [证件号]"},
		{"老身份证 110105491231002", "老身份证 [证件号]"},
		{"3号楼2单元1801", "3号楼2单元1801"},
		{"首付 300000 够吗", "首付 300000 够吗"},
		{"2026-12-07 开盘", "2026-12-07 开盘"},
		{"2026年交房", "2026年交房"},
	} {
		clk.Advance(time.Minute)
		mustOK(t, s.RecordFAQMiss(ctx, "", tc.in))
		var got, payload string
		mustOK(t, s.db.QueryRowContext(ctx, `SELECT query FROM faq_misses ORDER BY created_at DESC LIMIT 1`).Scan(&got))
		mustOK(t, s.db.QueryRowContext(ctx, `SELECT payload FROM outbox ORDER BY seq DESC LIMIT 1`).Scan(&payload))
		if got != tc.want {
			t.Errorf("%q stored as %q, want %q", tc.in, got, tc.want)
		}
		for _, secret := range []string{"12345678", "62345678", "1231002"} {
			if strings.Contains(tc.in, secret) && strings.Contains(payload, secret) {
				t.Errorf("%q: outbox payload carries %s: %s", tc.in, secret, payload)
			}
		}
	}
}
