package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	hqsync "anchang/sync"

	"github.com/Shopify/toxiproxy/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
)

// netProxy puts toxiproxy (in this process) between the devices and HQ.
func netProxy(t *testing.T, upstreamURL string) *toxiproxy.Proxy {
	t.Helper()
	srv := toxiproxy.NewServer(toxiproxy.NewMetricsContainer(prometheus.NewRegistry()), zerolog.Nop())
	p := toxiproxy.NewProxy(srv, "hq", "127.0.0.1:0", strings.TrimPrefix(upstreamURL, "https://"))
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Stop)
	return p
}

func addToxic(t *testing.T, p *toxiproxy.Proxy, js string) {
	t.Helper()
	if _, err := p.Toxics.AddToxicJson(strings.NewReader(js)); err != nil {
		t.Fatal(err)
	}
}

// Connections reset, cut, stalled and truncated mid-response (TCP faults
// from toxiproxy), and an answer cut at the HTTP level: each round fails,
// what a device holds stays consistent with its cursor, and once the
// network heals everything converges with nothing lost or doubled.
func TestNetworkCuts(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	h := startHQ(t)
	url, fp := h.Endpoint()
	px := netProxy(t, url)
	o := newOfficeVia(t, ctx, h, "https://"+px.Listen, fp, "SH01", "上海一号案场", 2)
	w, r := o.devices[0], o.devices[1]
	scope := hqsync.OfficeScope(o.hq.ID)
	syncAll(t, ctx, w, r)
	n := 15
	if long() {
		n = 40
	}
	for _, tc := range []struct {
		name  string
		toxic string // toxiproxy toxic as JSON; "" for the HTTP-level cut
		fault Fault
	}{
		{"reset", `{"name":"t","type":"reset_peer","stream":"downstream","attributes":{"timeout":20}}`, Pass},
		{"truncated", `{"name":"t","type":"limit_data","stream":"downstream","attributes":{"bytes":5000}}`, Pass},
		{"upload cut", `{"name":"t","type":"limit_data","stream":"upstream","attributes":{"bytes":6000}}`, Pass},
		{"stalled", `{"name":"t","type":"timeout","stream":"downstream","attributes":{"timeout":300}}`, Pass},
		{"http answer cut", "", CutAnswer},
		{"http answer lost", "", DropAnswer},
	} {
		t.Run(tc.name, func(t *testing.T) {
			writeN(t, ctx, w, n, tc.name)
			if err := w.SyncUntilQuiet(ctx, 5); err != nil {
				t.Fatal(err)
			}
			writeN(t, ctx, r, n, tc.name)
			if tc.toxic != "" {
				addToxic(t, px, tc.toxic)
			} else {
				r.Faults.Set(Always(tc.fault, ""))
			}
			rctx, rcancel := context.WithTimeout(ctx, 20*time.Second)
			_, err := r.Round(rctx)
			rcancel()
			if err == nil {
				t.Errorf("%s: the round succeeded", tc.name)
			} else {
				t.Logf("%s: %v", tc.name, err)
			}
			if tc.toxic != "" {
				if err := px.Toxics.RemoveToxic(ctx, "t"); err != nil {
					t.Fatal(err)
				}
			}
			r.Faults.Set(nil)
			cursorConsistent(t, ctx, h, r, scope)
			syncAll(t, ctx, w, r)
			checkAll(t, ctx, h, w, r)
		})
	}
	// A new device's bootstrap cut mid-snapshot: the enrollment is kept,
	// nothing of the cut stream is applied, the next round loads the scope.
	t.Run("snapshot cut", func(t *testing.T) {
		d, err := OpenDevice(ctx, t.TempDir(), "SH01-new", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		code, err := h.Code(ctx, "SH01", false)
		if err != nil {
			t.Fatal(err)
		}
		addToxic(t, px, `{"name":"t","type":"limit_data","stream":"downstream","attributes":{"bytes":30000}}`)
		_, err = d.Enroll(ctx, "https://"+px.Listen, fp, code)
		if err == nil {
			t.Fatal("enrollment through a cut snapshot succeeded")
		}
		t.Logf("snapshot cut: %v", err)
		if err := px.Toxics.RemoveToxic(ctx, "t"); err != nil {
			t.Fatal(err)
		}
		cur, err := d.Store.Cursors(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := cur[scope]; ok {
			ids, _ := d.Store.AuditRecordIDs(ctx, "visit")
			t.Logf("scope loaded before the cut (cursor %d, %d visits)", cur[scope], len(ids))
		}
		cursorConsistent(t, ctx, h, d, scope)
		if err := d.PickActor(ctx); err == nil {
			writeN(t, ctx, d, 1, "after the cut")
		}
		syncAll(t, ctx, w, r, d)
		checkAll(t, ctx, h, w, r, d)
	})
}
