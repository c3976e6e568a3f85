package hq

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"anchang/data"
	hqsync "anchang/sync"

	"pgregory.net/rapid"
)

// testServer is a Server over a store, driven in-process (no TLS): for
// property and fuzz tests, where thousands of requests must be cheap.
type testServer struct {
	s     *Server
	st    *SQLStore
	a, b  Device
	tokA  string
	bRecs []string // record ids in office B's scope
}

func newTestServer(t testing.TB, backend string) *testServer {
	t.Helper()
	st := openTestStore(t, backend)
	s, err := New(context.Background(), Config{Store: st, Describe: testDescribe,
		DeviceRate: 1e9, DeviceBurst: 1 << 30, AddrRate: 1e9, AddrBurst: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	ts := &testServer{s: s, st: st}
	ts.a = enrolled(t, st, "SHA", "dev-a", hqsync.RoleOffice)
	ts.b = enrolled(t, st, "SHB", "dev-b", hqsync.RoleOffice)
	hqDev := enrolled(t, st, "", "dev-hq", hqsync.RoleHQ)
	push(t, st, hqDev, 1, mut(1, "t.ref", testPayload{ID: "g1"}))
	for i := int64(1); i <= 3; i++ {
		id := fmt.Sprint("b", i)
		ts.bRecs = append(ts.bRecs, id)
		push(t, st, ts.b, 1, mut(i, "t.thing", testPayload{ID: id, OfficeID: ts.b.OfficeID}))
	}
	push(t, st, ts.a, 1, mut(1, "t.thing", testPayload{ID: "a1", OfficeID: ts.a.OfficeID}))
	ts.tokA = s.signToken(claims{Device: ts.a.ID, Office: ts.a.OfficeID, Role: ts.a.Role, Exp: time.Now().Add(time.Hour).UnixMilli()})
	return ts
}

func (ts *testServer) do(method, path, token string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	req.Header.Set(hqsync.HeaderProtocol, strconv.Itoa(hqsync.Protocol))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	ts.s.Handler().ServeHTTP(w, req)
	return w
}

// officeB is a fingerprint of everything office B has at HQ.
func (ts *testServer) officeB(t testing.TB) string {
	t.Helper()
	scope := hqsync.OfficeScope(ts.b.OfficeID)
	h := sha256.New()
	for _, q := range []string{
		`SELECT seq || ':' || record_id || ':' || payload FROM hq_changes WHERE scope = ? ORDER BY seq`,
		`SELECT entity || ':' || record_id || ':' || seq || ':' || payload FROM hq_records WHERE scope = ? ORDER BY entity, record_id`,
		`SELECT scope || ':' || head FROM hq_scopes WHERE scope = ?`,
	} {
		rows, err := ts.st.rdb.Query(ts.st.q(q), scope)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			rows.Scan(&s)
			h.Write([]byte(s + "\n"))
		}
		rows.Close()
	}
	return hex.EncodeToString(h.Sum(nil))
}

// TestOfficeCannotReachAnotherOffice: random requests from office A's
// device — forged office ids, scopes, record ids and references in the
// bodies — never change office B's data and never return any of it.
func TestOfficeCannotReachAnotherOffice(t *testing.T) {
	for _, backend := range []string{SQLite, Postgres} {
		t.Run(backend, func(t *testing.T) {
			ts := newTestServer(t, backend)
			before := ts.officeB(t)
			scopeA, scopeB := hqsync.OfficeScope(ts.a.OfficeID), hqsync.OfficeScope(ts.b.OfficeID)
			seq := int64(1)
			rapid.Check(t, func(rt *rapid.T) {
				officeID := rapid.SampledFrom([]string{ts.a.OfficeID, ts.a.OfficeID, ts.a.OfficeID, ts.b.OfficeID, "", "nope", HQOfficeID}).Draw(rt, "office")
				recordID := rapid.SampledFrom(append(append([]string{"a1", "g1", "new-" + strconv.FormatInt(seq, 10)}, ts.bRecs...), ts.bRecs...)).Draw(rt, "record")
				refs := rapid.SliceOfN(rapid.Custom(func(rt *rapid.T) data.Ref {
					return data.Ref{
						Entity: rapid.SampledFrom([]string{"thing", "ref", "staff"}).Draw(rt, "entity"),
						ID:     rapid.SampledFrom(append([]string{"a1", "g1", "zz"}, ts.bRecs...)).Draw(rt, "ref"),
					}
				}), 0, 1).Draw(rt, "refs")
				switch rapid.IntRange(0, 4).Draw(rt, "kind") {
				case 0, 1, 2: // push
					name := rapid.SampledFrom([]string{"t.thing", "t.thing", "t.staff", "t.ref"}).Draw(rt, "name")
					seq++
					m := mut(seq, name, testPayload{ID: recordID, OfficeID: officeID, Refs: refs})
					body, _ := json.Marshal(hqsync.PushRequest{
						DeviceID:     rapid.SampledFrom([]string{ts.a.ID, ts.a.ID, ts.b.ID}).Draw(rt, "device"),
						InstallEpoch: 1, Mutations: []hqsync.Mutation{m}})
					w := ts.do("POST", "/v1/push", ts.tokA, body)
					if w.Code == 200 {
						var r hqsync.PushResponse
						json.Unmarshal(w.Body.Bytes(), &r)
						for _, res := range r.Results {
							if res.Scope != "" && res.Scope != scopeA {
								rt.Fatalf("A's push applied into %s", res.Scope)
							}
						}
					} else if w.Code != 403 {
						rt.Fatalf("push: %d %s", w.Code, w.Body)
					}
					if w.Code == 403 {
						seq-- // refused whole: the seq was not used
					}
				default: // pull or snapshot
					cursors := map[string]int64{}
					for _, sc := range rapid.SliceOfNDistinct(rapid.SampledFrom([]string{scopeA, scopeB, "global", "office:", "office:" + HQOfficeID, "office:nope"}), 1, 3, func(s string) string { return s }).Draw(rt, "scopes") {
						cursors[sc] = rapid.Int64Range(-1, 5).Draw(rt, "cursor")
					}
					body, _ := json.Marshal(hqsync.PullRequest{Cursors: cursors, Limit: 100})
					w := ts.do("POST", "/v1/pull", ts.tokA, body)
					_, asksB := cursors[scopeB]
					if w.Code == 200 {
						var r hqsync.PullResponse
						json.Unmarshal(w.Body.Bytes(), &r)
						for sc, p := range r.Scopes {
							if sc != scopeA && sc != hqsync.ScopeGlobal {
								rt.Fatalf("A read scope %s", sc)
							}
							for _, c := range p.Changes {
								if c.OriginDevice == ts.b.ID {
									rt.Fatalf("A read B's change %s", c.RecordID)
								}
							}
						}
					} else if w.Code != 403 && !(w.Code == 400) {
						rt.Fatalf("pull: %d %s", w.Code, w.Body)
					}
					if asksB && w.Code != 403 {
						rt.Fatalf("pull of B's scope answered %d", w.Code)
					}
					sw := ts.do("GET", "/v1/snapshot?scope="+scopeB, ts.tokA, nil)
					if sw.Code != http.StatusForbidden {
						rt.Fatalf("snapshot of B's scope answered %d", sw.Code)
					}
				}
				if after := ts.officeB(t); after != before {
					rt.Fatalf("office B's data changed")
				}
			})
		})
	}
}
