package hq_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	hqsync "anchang/sync"
	"anchang/sync/hq"
	"anchang/sync/hq/hqtest"
)

// dev is a test device talking to HQ over TLS.
type dev struct {
	t      testing.TB
	h      *hqtest.HQ
	c      *http.Client
	id     string
	epoch  int64
	secret string
	token  string
	enr    hqsync.EnrollResponse
	seq    int64
}

func call(t testing.TB, c *http.Client, method, url, token string, body any, out any) (int, http.Header, []byte) {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = strings.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	req, _ := http.NewRequest(method, url, rd)
	req.Header.Set(hqsync.HeaderProtocol, strconv.Itoa(hqsync.Protocol))
	req.Header.Set(hqsync.HeaderSchema, "7")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode == 200 {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, url, err, b)
		}
	}
	return resp.StatusCode, resp.Header, b
}

func enrollDev(t testing.TB, h *hqtest.HQ, code, id string) *dev {
	t.Helper()
	d := &dev{t: t, h: h, c: h.Client(), id: id, epoch: 1}
	st, _, b := call(t, d.c, "POST", h.URL+"/v1/enroll", "", hqsync.EnrollRequest{Code: code, DeviceID: id, InstallEpoch: 1, DeviceName: "desk", Schema: 7}, &d.enr)
	if st != 200 {
		t.Fatalf("enroll %s: %d %s", id, st, b)
	}
	d.secret = d.enr.Secret
	d.refresh()
	return d
}

func (d *dev) refresh() {
	d.t.Helper()
	var tr hqsync.TokenResponse
	st, _, b := call(d.t, d.c, "POST", d.h.URL+"/v1/token", "", hqsync.TokenRequest{DeviceID: d.id, Secret: d.secret}, &tr)
	if st != 200 {
		d.t.Fatalf("token: %d %s", st, b)
	}
	d.token = tr.Token
}

func (d *dev) push(ms ...hqsync.Mutation) (int, hqsync.PushResponse) {
	d.t.Helper()
	var r hqsync.PushResponse
	st, _, _ := call(d.t, d.c, "POST", d.h.URL+"/v1/push", d.token, hqsync.PushRequest{DeviceID: d.id, InstallEpoch: d.epoch, Mutations: ms}, &r)
	return st, r
}

func (d *dev) thing(id string) hqsync.Mutation {
	d.seq++
	return hq.Mut(d.seq, "t.thing", hq.TestPayload{ID: id, OfficeID: d.enr.OfficeID})
}

func (d *dev) pull(cursors map[string]int64, waitMS int) (int, hqsync.PullResponse) {
	d.t.Helper()
	var r hqsync.PullResponse
	st, _, _ := call(d.t, d.c, "POST", d.h.URL+"/v1/pull", d.token, hqsync.PullRequest{Cursors: cursors, Limit: 100, WaitMS: waitMS}, &r)
	return st, r
}

func start(t *testing.T, backend string, opts hqtest.Options) *hqtest.HQ {
	opts.Describe = hq.TestDescribe
	return hqtest.StartWith(t, backend, opts)
}

func TestServerRoundTrip(t *testing.T) {
	for _, backend := range []string{hq.SQLite, hq.Postgres} {
		t.Run(backend, func(t *testing.T) {
			h := start(t, backend, hqtest.Options{})
			h.AddOffice("SH01", "上海一号案场")
			a := enrollDev(t, h, h.Code("SH01"), "dev-a")
			b := enrollDev(t, h, h.Code("sh01"), "dev-b")
			if a.enr.Tag != "A" || b.enr.Tag != "B" || a.enr.OfficeCode != "SH01" || len(a.enr.Scopes) != 2 {
				t.Fatalf("enrolled %+v / %+v", a.enr, b.enr)
			}
			scope := hqsync.OfficeScope(a.enr.OfficeID)

			// b waits; a pushes; b wakes well before its wait ends.
			got := make(chan hqsync.PullResponse, 1)
			var waited time.Duration
			go func() {
				t0 := time.Now()
				_, r := b.pull(map[string]int64{scope: 0, hqsync.ScopeGlobal: 0}, 20000)
				waited = time.Since(t0)
				got <- r
			}()
			time.Sleep(300 * time.Millisecond)
			st, pr := a.push(a.thing("v1"), a.thing("v2"))
			if st != 200 || pr.LastSeq != 2 || pr.Results[1].ScopeSeq != 2 {
				t.Fatalf("push %d %+v", st, pr)
			}
			select {
			case r := <-got:
				if len(r.Scopes[scope].Changes) != 2 || waited > 5*time.Second {
					t.Fatalf("woken pull after %v: %+v", waited, r)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("long-poll not woken")
			}

			// Snapshot: header, records, trailer.
			req, _ := http.NewRequest("GET", h.URL+"/v1/snapshot?scope="+scope, nil)
			req.Header.Set(hqsync.HeaderProtocol, "1")
			req.Header.Set("Authorization", "Bearer "+b.token)
			resp, err := b.c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			sc := bufio.NewScanner(resp.Body)
			var lines []string
			for sc.Scan() {
				lines = append(lines, sc.Text())
			}
			resp.Body.Close()
			if len(lines) != 4 || !strings.Contains(lines[0], `"cursor":2`) || lines[3] != `{"done":true,"count":2}` {
				t.Fatalf("snapshot %q", lines)
			}

			// Blobs: upload in two chunks, resume from HEAD, fetch.
			blob := bytes.Repeat([]byte{7, 8, 9}, 1000)
			sha := sha256hex(blob)
			burl := h.URL + "/v1/blobs/" + sha
			patch := func(off int, chunk []byte) (int, http.Header) {
				req, _ := http.NewRequest("PATCH", burl, bytes.NewReader(chunk))
				req.Header.Set(hqsync.HeaderProtocol, "1")
				req.Header.Set("Authorization", "Bearer "+a.token)
				req.Header.Set("Upload-Offset", strconv.Itoa(off))
				req.Header.Set("Upload-Length", strconv.Itoa(len(blob)))
				resp, err := a.c.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				return resp.StatusCode, resp.Header
			}
			if st, hd := patch(0, blob[:1000]); st != 204 || hd.Get("Upload-Offset") != "1000" {
				t.Fatalf("patch: %d %v", st, hd)
			}
			if st, _, _ := call(t, b.c, "GET", burl, b.token, nil, nil); st != 404 {
				t.Fatalf("incomplete blob: %d", st)
			}
			if st, hd, _ := call(t, a.c, "HEAD", burl, a.token, nil, nil); st != 200 || hd.Get("Upload-Offset") != "1000" {
				t.Fatalf("head: %d %v", st, hd)
			}
			if st, hd := patch(500, blob[500:]); st != 409 || hd.Get("Upload-Offset") != "1000" {
				t.Fatalf("wrong offset: %d %v", st, hd)
			}
			if st, hd := patch(1000, blob[1000:]); st != 204 || hd.Get("Upload-Complete") != "1" {
				t.Fatalf("last chunk: %d %v", st, hd)
			}
			if st, _, body := call(t, b.c, "GET", burl, b.token, nil, nil); st != 200 || !bytes.Equal(body, blob) {
				t.Fatalf("get blob: %d %d bytes", st, len(body))
			}

			// Health, readiness, metrics.
			for _, p := range []string{"/healthz", "/readyz"} {
				if st, _, _ := call(t, a.c, "GET", h.URL+p, "", nil, nil); st != 200 {
					t.Errorf("%s: %d", p, st)
				}
			}
			_, _, m := call(t, a.c, "GET", h.URL+"/metrics", "", nil, nil)
			for _, want := range []string{"anchang_hq_pushes_applied_total 2", "anchang_hq_pull_waiting 0", `anchang_hq_request_duration_seconds_count{route="push",status="200"} 1`} {
				if !bytes.Contains(m, []byte(want)) {
					t.Errorf("metrics lack %q", want)
				}
			}
		})
	}
}

func sha256hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// TestRefusals: every bad request gets its status and code and changes
// nothing.
func TestRefusals(t *testing.T) {
	var skew atomic.Int64
	now := func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
	h := start(t, hq.SQLite, hqtest.Options{Now: now, Config: func(c *hq.Config) { c.DeviceRate, c.DeviceBurst = 1000, 1000 }})
	h.AddOffice("SH01", "一号")
	h.AddOffice("SH02", "二号")
	a := enrollDev(t, h, h.Code("SH01"), "dev-a")
	b := enrollDev(t, h, h.Code("SH02"), "dev-b")
	victim := enrollDev(t, h, h.Code("SH01"), "dev-v")
	h.Revoke(victim.id)
	scopeA, scopeB := hqsync.OfficeScope(a.enr.OfficeID), hqsync.OfficeScope(b.enr.OfficeID)
	forged := a.token[:len(a.token)-4] + "AAAA"
	pushA := hqsync.PushRequest{DeviceID: a.id, InstallEpoch: 1, Mutations: []hqsync.Mutation{a.thing("x")}}
	big := hqsync.PushRequest{DeviceID: a.id, InstallEpoch: 1, Mutations: []hqsync.Mutation{hq.Mut(1, "t.thing", hq.TestPayload{ID: "big", OfficeID: a.enr.OfficeID, Note: strings.Repeat("x", hqsync.MaxPushBytes+100_000)})}}
	tooMany := hqsync.PushRequest{DeviceID: a.id, InstallEpoch: 1}
	for i := 0; i <= hqsync.MaxPushMutations; i++ {
		tooMany.Mutations = append(tooMany.Mutations, hq.Mut(int64(i+1), "t.thing", hq.TestPayload{ID: fmt.Sprint(i), OfficeID: a.enr.OfficeID}))
	}
	cases := []struct {
		name, path, token string
		body              any
		proto             string
		status            int
		code              string
	}{
		{"no token", "/v1/push", "", pushA, "1", 401, "unauthorized"},
		{"forged token", "/v1/push", forged, pushA, "1", 401, "unauthorized"},
		{"garbage token", "/v1/pull", "abc.def", hqsync.PullRequest{Cursors: map[string]int64{scopeA: 0}}, "1", 401, "unauthorized"},
		{"revoked device", "/v1/pull", victim.token, hqsync.PullRequest{Cursors: map[string]int64{scopeA: 0}}, "1", 403, "revoked"},
		{"another office's scope", "/v1/pull", a.token, hqsync.PullRequest{Cursors: map[string]int64{scopeB: 0}}, "1", 403, "forbidden"},
		{"a made-up scope", "/v1/pull", a.token, hqsync.PullRequest{Cursors: map[string]int64{"office:": 0}}, "1", 403, "forbidden"},
		{"push as another device", "/v1/push", a.token, hqsync.PushRequest{DeviceID: b.id, InstallEpoch: 1, Mutations: pushA.Mutations}, "1", 403, "forbidden"},
		{"malformed JSON", "/v1/push", a.token, `{"device_id":`, "1", 400, "invalid"},
		{"trailing data", "/v1/pull", a.token, `{"cursors":{}} {}`, "1", 400, "invalid"},
		{"no cursors", "/v1/pull", a.token, `{"cursors":{}}`, "1", 400, "invalid"},
		{"oversized push", "/v1/push", a.token, big, "1", 413, "too_large"},
		{"too many mutations", "/v1/push", a.token, tooMany, "1", 413, "too_large"},
		{"old protocol", "/v1/push", a.token, pushA, "0", 426, "update_required"},
		{"no protocol", "/v1/pull", a.token, hqsync.PullRequest{Cursors: map[string]int64{scopeA: 0}}, "", 426, "update_required"},
		{"wrong secret", "/v1/token", "", hqsync.TokenRequest{DeviceID: a.id, Secret: "nope"}, "1", 401, "unauthorized"},
		{"revoked device's secret", "/v1/token", "", hqsync.TokenRequest{DeviceID: victim.id, Secret: victim.secret}, "1", 403, "revoked"},
		{"used code", "/v1/enroll", "", hqsync.EnrollRequest{Code: "AAAA-BBBB-CCCC", DeviceID: "x", InstallEpoch: 1}, "1", 401, "unauthorized"},
		{"bad device id", "/v1/enroll", "", hqsync.EnrollRequest{Code: "AAAA-BBBB-CCCC", DeviceID: "a b", InstallEpoch: 1}, "1", 400, "invalid"},
		{"bad blob name", "/v1/blobs/xyz", a.token, nil, "1", 400, "invalid"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var rd io.Reader
			switch b := tc.body.(type) {
			case nil:
			case string:
				rd = strings.NewReader(b)
			default:
				j, _ := json.Marshal(b)
				rd = bytes.NewReader(j)
			}
			method := "POST"
			if strings.HasPrefix(tc.path, "/v1/blobs") {
				method = "GET"
			}
			req, _ := http.NewRequest(method, h.URL+tc.path, rd)
			if tc.proto != "" {
				req.Header.Set(hqsync.HeaderProtocol, tc.proto)
			}
			if tc.token != "" {
				req.Header.Set("Authorization", "Bearer "+tc.token)
			}
			resp, err := a.c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var eb hqsync.ErrorBody
			json.NewDecoder(resp.Body).Decode(&eb)
			resp.Body.Close()
			if resp.StatusCode != tc.status || eb.Error.Code != tc.code || eb.Error.Key == "" {
				t.Errorf("got %d %+v, want %d %s", resp.StatusCode, eb.Error, tc.status, tc.code)
			}
		})
	}
	// Nothing reached office A's log or B's.
	for _, sc := range []string{scopeA, scopeB} {
		p, err := h.Store.Pull(context.Background(), map[string]int64{sc: 0}, 10)
		if err != nil || p[sc].Head != 0 {
			t.Errorf("%s head %d after refusals (%v)", sc, p[sc].Head, err)
		}
	}

	// Revocation takes effect on the next request, with a token still valid.
	if st, _ := a.pull(map[string]int64{scopeA: 0}, 0); st != 200 {
		t.Fatalf("pull before revoke: %d", st)
	}
	h.Revoke(a.id)
	if st, _ := a.pull(map[string]int64{scopeA: 0}, 0); st != 403 {
		t.Fatalf("pull after revoke: %d", st)
	}
	// An expired token: 401, and a new one works.
	skew.Store(int64(16 * time.Minute))
	if st, _ := b.pull(map[string]int64{scopeB: 0}, 0); st != 401 {
		t.Fatalf("expired token: %d", st)
	}
	b.refresh()
	if st, _ := b.pull(map[string]int64{scopeB: 0}, 0); st != 200 {
		t.Fatalf("fresh token: %d", st)
	}
}

func TestRateLimit(t *testing.T) {
	h := start(t, hq.SQLite, hqtest.Options{Config: func(c *hq.Config) { c.DeviceRate, c.DeviceBurst = 0.5, 3 }})
	h.AddOffice("SH01", "一号")
	a := enrollDev(t, h, h.Code("SH01"), "dev-a")
	scope := hqsync.OfficeScope(a.enr.OfficeID)
	var codes []int
	var retry string
	for i := 0; i < 5; i++ {
		st, hd, _ := call(t, a.c, "POST", h.URL+"/v1/pull", a.token, hqsync.PullRequest{Cursors: map[string]int64{scope: 0}}, nil)
		codes = append(codes, st)
		if st == 429 {
			retry = hd.Get("Retry-After")
		}
	}
	if fmt.Sprint(codes) != "[200 200 200 429 429]" || retry == "" {
		t.Fatalf("statuses %v, Retry-After %q", codes, retry)
	}
}

func TestShutdownWakesLongPolls(t *testing.T) {
	h := start(t, hq.SQLite, hqtest.Options{})
	h.AddOffice("SH01", "一号")
	a := enrollDev(t, h, h.Code("SH01"), "dev-a")
	done := make(chan int, 1)
	go func() {
		st, _ := a.pull(map[string]int64{hqsync.OfficeScope(a.enr.OfficeID): 0}, 30000)
		done <- st
	}()
	time.Sleep(300 * time.Millisecond)
	t0 := time.Now()
	h.Stop()
	select {
	case st := <-done:
		if st != 200 || time.Since(t0) > 5*time.Second {
			t.Fatalf("pull answered %d after %v", st, time.Since(t0))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("shutdown did not wake the long-poll")
	}
}

// TestReplicasWakeEachOther: two HQ processes on one PostgreSQL database
// accept each other's tokens, and a push through one wakes a pull waiting
// on the other (LISTEN/NOTIFY).
func TestReplicasWakeEachOther(t *testing.T) {
	h1 := start(t, hq.Postgres, hqtest.Options{})
	h2 := start(t, hq.Postgres, hqtest.Options{Postgres: h1.DSN()})
	h1.AddOffice("SH01", "一号")
	a := enrollDev(t, h1, h1.Code("SH01"), "dev-a")
	b := enrollDev(t, h1, h2.Code("SH01"), "dev-b")
	b.h = h2 // b talks to the second replica with a token from the first
	b.c = h2.Client()
	scope := hqsync.OfficeScope(a.enr.OfficeID)
	if st, _ := b.pull(map[string]int64{scope: 0}, 0); st != 200 {
		t.Fatalf("replica 2 refused replica 1's token: %d", st)
	}
	got := make(chan time.Duration, 1)
	go func() {
		t0 := time.Now()
		_, r := b.pull(map[string]int64{scope: 0}, 20000)
		if len(r.Scopes[scope].Changes) == 1 {
			got <- time.Since(t0)
		} else {
			got <- -1
		}
	}()
	time.Sleep(500 * time.Millisecond)
	t0 := time.Now()
	if st, pr := a.push(a.thing("v1")); st != 200 || pr.LastSeq != 1 {
		t.Fatalf("push: %d %+v", st, pr)
	}
	select {
	case d := <-got:
		if d < 0 {
			t.Fatal("woken pull had no change")
		}
		t.Logf("woken across replicas %v after the push", time.Since(t0))
		if time.Since(t0) > 3*time.Second {
			t.Fatalf("cross-replica wake took %v", time.Since(t0))
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the pull on replica 2 was not woken by a push on replica 1")
	}
}

// TestOldSchemaUpdateRequired: a client below HQ's minimum schema gets 426
// update_required (and keeps its outbox); at the minimum it is served.
func TestOldSchemaUpdateRequired(t *testing.T) {
	h := start(t, hq.SQLite, hqtest.Options{Config: func(c *hq.Config) { c.MinSchema = 8 }})
	h.AddOffice("SH01", "一号")
	var enr hqsync.EnrollResponse
	c := h.Client()
	body := hqsync.EnrollRequest{Code: h.Code("SH01"), DeviceID: "old", InstallEpoch: 1}
	st, _, b := call(t, c, "POST", h.URL+"/v1/enroll", "", body, &enr) // call sends schema 7
	if st != 426 || !strings.Contains(string(b), `"update_required"`) {
		t.Fatalf("schema 7 against minimum 8: %d %s", st, b)
	}
	req, _ := http.NewRequest("POST", h.URL+"/v1/enroll", strings.NewReader(`{"code":"`+body.Code+`","device_id":"new","install_epoch":1}`))
	req.Header.Set(hqsync.HeaderProtocol, "1")
	req.Header.Set(hqsync.HeaderSchema, "8")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("schema 8: %d", resp.StatusCode)
	}
}

// TestTokenRenewalsShareAnAddress: behind a NAT or a TCP balancer every
// device renews its token from one address. Good renewals spend only their
// device's budget; failed attempts spend the address's and are then refused
// before HQ looks anything up, while devices with good credentials go on.
func TestTokenRenewalsShareAnAddress(t *testing.T) {
	h := start(t, hq.SQLite, hqtest.Options{Config: func(c *hq.Config) {
		c.AddrRate, c.AddrBurst = 0.01, 3
		c.DeviceRate, c.DeviceBurst = 0.01, 4
	}})
	h.AddOffice("SH01", "一号")
	// Enrolment spends the address's budget: 3 of 3.
	var devs []*dev
	for i := 0; i < 3; i++ {
		devs = append(devs, enrollDev(t, h, h.Code("SH01"), fmt.Sprintf("dev-%d", i)))
	}
	if st, _, _ := call(t, h.Client(), "POST", h.URL+"/v1/enroll", "", hqsync.EnrollRequest{Code: h.Code("SH01"), DeviceID: "dev-x", InstallEpoch: 1, DeviceName: "desk", Schema: 7}, nil); st != 429 {
		t.Fatalf("a fourth enrolment from the address: %d, want 429", st)
	}
	// Each device renews twice more (enrollDev renewed once): the address's
	// spent budget does not stop them.
	for _, d := range devs {
		d.refresh()
		d.refresh()
	}
	// A device past its own budget is refused, the others are not.
	tok := func(d *dev, secret string) int {
		st, _, _ := call(t, d.c, "POST", h.URL+"/v1/token", "", hqsync.TokenRequest{DeviceID: d.id, Secret: secret}, nil)
		return st
	}
	if st := tok(devs[0], devs[0].secret); st != 200 {
		t.Fatalf("fourth renewal: %d", st)
	}
	if st := tok(devs[0], devs[0].secret); st != 429 {
		t.Fatalf("fifth renewal of one device: %d, want 429", st)
	}
	// Wrong secrets spend the address's failure budget (3), then are too
	// many tries; a good renewal from the same address still goes through.
	var got []int
	for i := 0; i < 5; i++ {
		got = append(got, tok(devs[1], "wrong"))
	}
	if fmt.Sprint(got) != "[401 401 401 429 429]" {
		t.Fatalf("wrong secrets from one address: %v", got)
	}
	if st := tok(devs[2], devs[2].secret); st != 200 {
		t.Fatalf("a good renewal after a guesser's: %d", st)
	}
}
