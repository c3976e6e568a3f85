package hqsync

// Tests of the HTTP client's mechanics (pinning, tokens, errors, bounds)
// against an httptest TLS server on loopback that implements just enough of
// HQ. The protocol itself is tested against the real HQ (loop tests).

import (
	"bufio"
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"anchang/data"
)

// miniHQ answers /healthz, /v1/token and /v1/push; tokens are numbered and
// a token can be declared expired at HQ.
type miniHQ struct {
	t       *testing.T
	srv     *httptest.Server
	mu      sync.Mutex
	tokens  map[string]bool // valid tokens
	issued  atomic.Int32
	pushes  atomic.Int32
	ttl     time.Duration
	secret  string
	headers http.Header // of the last push
	status  int         // when not 0, /v1/push answers this with body
	body    string
}

func newMiniHQ(t *testing.T) *miniHQ {
	h := &miniHQ{t: t, tokens: map[string]bool{}, ttl: 15 * time.Minute, secret: "s3cr3t-device-secret-xyz"}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })
	mux.HandleFunc("POST /v1/token", func(w http.ResponseWriter, r *http.Request) {
		var in TokenRequest
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Secret != h.secret {
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"error":{"code":"unauthorized","key":"err.sync.unauthorized"}}`))
			return
		}
		n := h.issued.Add(1)
		tok := fmt.Sprintf("tok-%d-%s", n, strings.Repeat("q", 20))
		h.mu.Lock()
		h.tokens[tok] = true
		h.mu.Unlock()
		json.NewEncoder(w).Encode(TokenResponse{Token: tok, ExpiresAt: time.Now().Add(h.ttl).UnixMilli()})
	})
	mux.HandleFunc("POST /v1/push", func(w http.ResponseWriter, r *http.Request) {
		tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		h.mu.Lock()
		ok := h.tokens[tok]
		h.headers = r.Header.Clone()
		st, body := h.status, h.body
		h.mu.Unlock()
		if !ok {
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"error":{"code":"unauthorized","key":"err.sync.unauthorized"}}`))
			return
		}
		h.pushes.Add(1)
		if st != 0 {
			if st == http.StatusTooManyRequests {
				w.Header().Set("Retry-After", "7")
			}
			w.WriteHeader(st)
			w.Write([]byte(body))
			return
		}
		var in PushRequest
		json.NewDecoder(r.Body).Decode(&in)
		out := PushResponse{}
		for _, m := range in.Mutations {
			out.Results = append(out.Results, PushResult{Seq: m.Seq, Status: StatusApplied})
			out.LastSeq = m.Seq
		}
		json.NewEncoder(w).Encode(out)
	})
	h.srv = httptest.NewTLSServer(mux)
	t.Cleanup(h.srv.Close)
	return h
}

func (h *miniHQ) fingerprint() string { return Fingerprint(h.srv.Certificate().Raw) }

// expireAll makes HQ forget every token (as after a key rotation).
func (h *miniHQ) expireAll() {
	h.mu.Lock()
	clear(h.tokens)
	h.mu.Unlock()
}

func (h *miniHQ) client(fp string, now func() time.Time, log *slog.Logger) *client {
	c := newClient(clientConfig{URL: h.srv.URL, Fingerprint: fp, Now: now, Logger: log})
	c.creds = func(context.Context) (string, string, error) { return "dev-1", h.secret, nil }
	h.t.Cleanup(c.closeIdle)
	return c
}

func pushOne(ctx context.Context, c *client, seq int64) (PushResponse, error) {
	return c.push(ctx, PushRequest{DeviceID: "dev-1", InstallEpoch: 1, Mutations: []Mutation{{Seq: seq, Name: "x.y", Version: 1, RecordID: "r", Payload: json.RawMessage(`{}`), Hash: "h"}}})
}

func TestPinnedFingerprint(t *testing.T) {
	h := newMiniHQ(t)
	ctx := context.Background()
	other := strings.Repeat("ab", 32)
	pool := x509.NewCertPool()
	pool.AddCert(h.srv.Certificate())
	for _, tc := range []struct {
		name    string
		fp      string
		roots   *x509.CertPool
		wantKey string
	}{
		{"pinned", h.fingerprint(), nil, ""},
		{"pinned, upper case with colons", FormatFingerprint(h.fingerprint()), nil, ""},
		{"another fingerprint", other, nil, KeyFingerprintMismatch},
		{"no pin, system roots", "", nil, KeyUntrusted},
		{"no pin, roots that hold the certificate", "", pool, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fp, err := NormalizeFingerprint(tc.fp)
			if err != nil {
				t.Fatal(err)
			}
			c := newClient(clientConfig{URL: h.srv.URL, Fingerprint: fp, RootCAs: tc.roots})
			c.creds = func(context.Context) (string, string, error) { return "dev-1", h.secret, nil }
			defer c.closeIdle()
			before := h.issued.Load()
			_, err = pushOne(ctx, c, 1)
			if got := keyOf(err); got != tc.wantKey {
				t.Fatalf("key %q, want %q (err %v)", got, tc.wantKey, err)
			}
			if tc.wantKey != "" && h.issued.Load() != before {
				t.Fatal("the secret went to a server that failed the check")
			}
		})
	}
}

func keyOf(err error) string {
	if err == nil {
		return ""
	}
	return ErrorKey(err)
}

func TestProbe(t *testing.T) {
	h := newMiniHQ(t)
	ctx := context.Background()
	fp, err := Probe(ctx, h.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if fp != h.fingerprint() {
		t.Fatalf("probe %s, certificate %s", fp, h.fingerprint())
	}
	// Without the scheme, as a user types it.
	if fp2, err := Probe(ctx, strings.TrimPrefix(h.srv.URL, "https://")); err != nil || fp2 != fp {
		t.Fatalf("bare host: %s %v", fp2, err)
	}
	// Nothing listening.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	if _, err := Probe(ctx, "https://"+addr); keyOf(err) != KeyUnreachable {
		t.Fatalf("closed port: %v", err)
	}
	// Plain http is refused before any connection.
	if _, err := Probe(ctx, "http://"+addr); keyOf(err) != KeyURLNotHTTPS {
		t.Fatalf("http: %v", err)
	}
	// A TLS server that is not HQ.
	other := httptest.NewTLSServer(http.NotFoundHandler())
	defer other.Close()
	if _, err := Probe(ctx, other.URL); keyOf(err) != KeyUnavailable {
		t.Fatalf("not hq: %v", err)
	}
}

func TestTokenRefreshOn401AndBeforeExpiry(t *testing.T) {
	h := newMiniHQ(t)
	ctx := context.Background()
	var mu sync.Mutex
	clock := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	advance := func(d time.Duration) { mu.Lock(); clock = clock.Add(d); mu.Unlock() }
	c := h.client(h.fingerprint(), now, nil)

	for i := range 3 {
		if _, err := pushOne(ctx, c, int64(i+1)); err != nil {
			t.Fatal(err)
		}
	}
	if n := h.issued.Load(); n != 1 {
		t.Fatalf("tokens issued for three pushes: %d, want 1", n)
	}
	// HQ forgets the token: the next call gets 401, fetches a new token and
	// succeeds without the caller noticing.
	h.expireAll()
	if _, err := pushOne(ctx, c, 4); err != nil {
		t.Fatalf("after 401: %v", err)
	}
	if n := h.issued.Load(); n != 2 {
		t.Fatalf("tokens after a 401: %d, want 2", n)
	}
	// Near its expiry (by HQ's lifetime, on the device's clock) the token is
	// renewed before it is used.
	advance(14*time.Minute + 30*time.Second)
	if _, err := pushOne(ctx, c, 5); err != nil {
		t.Fatal(err)
	}
	if n := h.issued.Load(); n != 3 {
		t.Fatalf("tokens after 14.5 minutes: %d, want 3", n)
	}
	// A wrong secret: the 401 of /v1/token is not retried for ever.
	h.expireAll()
	c.creds = func(context.Context) (string, string, error) { return "dev-1", "wrong", nil }
	if _, err := pushOne(ctx, c, 6); keyOf(err) != KeyUnauthorized {
		t.Fatalf("wrong secret: %v", err)
	}
}

// A device whose clock is a day ahead or back in 2001 keeps a token for
// HQ's lifetime: not refreshed on every call, not kept past its expiry.
func TestTokenLifetimeIgnoresDeviceClock(t *testing.T) {
	for _, skew := range []time.Time{time.Now().Add(24 * time.Hour), time.Now().Add(-24 * time.Hour), time.Date(2001, 3, 4, 5, 6, 7, 0, time.UTC)} {
		t.Run(skew.Format("2006-01-02"), func(t *testing.T) {
			h := newMiniHQ(t)
			var mu sync.Mutex
			clock := skew
			now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
			c := h.client(h.fingerprint(), now, nil)
			for i := range 3 {
				if _, err := pushOne(context.Background(), c, int64(i+1)); err != nil {
					t.Fatal(err)
				}
			}
			if n := h.issued.Load(); n != 1 {
				t.Fatalf("tokens: %d, want 1", n)
			}
			mu.Lock()
			clock = clock.Add(15 * time.Minute)
			mu.Unlock()
			if _, err := pushOne(context.Background(), c, 4); err != nil {
				t.Fatal(err)
			}
			if n := h.issued.Load(); n != 2 {
				t.Fatalf("tokens after 15 minutes: %d, want 2", n)
			}
		})
	}
}

func TestHeadersAndErrorAnswers(t *testing.T) {
	h := newMiniHQ(t)
	c := h.client(h.fingerprint(), nil, nil)
	ctx := context.Background()
	if _, err := pushOne(ctx, c, 1); err != nil {
		t.Fatal(err)
	}
	if got := h.headers.Get(HeaderProtocol); got != strconv.Itoa(Protocol) {
		t.Errorf("protocol header %q", got)
	}
	if got := h.headers.Get(HeaderSchema); got != strconv.Itoa(data.SchemaVersion) {
		t.Errorf("schema header %q", got)
	}
	for _, tc := range []struct {
		status   int
		body     string
		wantCode string
		wantKey  string
	}{
		{426, `{"error":{"code":"update_required","key":"err.sync.update_required"}}`, CodeUpdateRequired, KeyUpdateRequired},
		{403, `{"error":{"code":"revoked","key":"err.sync.revoked"}}`, CodeRevoked, KeyRevoked},
		{409, `{"error":{"code":"conflict","key":"err.sync.office_has_history"}}`, data.ECONFLICT, KeyOfficeHasHistory},
		{429, `{"error":{"code":"rate_limited"}}`, CodeRateLimited, KeyRateLimited},
		{503, `<html>bad gateway</html>`, CodeUnavailable, KeyUnavailable},
		{502, ``, CodeUnavailable, KeyUnavailable},
		{426, ``, CodeUpdateRequired, KeyUpdateRequired},
		{200, `{"last_seq":`, CodeUnavailable, KeyBadResponse},
		{200, `{"last_seq":1,"results":[` + strings.Repeat(`{"seq":1,"status":"applied"},`, 40000) + `]}`, CodeUnavailable, KeyBadResponse},
	} {
		t.Run(fmt.Sprintf("%d %.30s", tc.status, tc.body), func(t *testing.T) {
			h.mu.Lock()
			h.status, h.body = tc.status, tc.body
			h.mu.Unlock()
			_, err := pushOne(ctx, c, 2)
			e, ok := data.AsError(err)
			if !ok || e.Code != tc.wantCode || e.Key != tc.wantKey {
				t.Fatalf("got %v, want %s %s", err, tc.wantCode, tc.wantKey)
			}
			if tc.status == 429 && retryAfter(err) != 7*time.Second {
				t.Fatalf("retry after %v", retryAfter(err))
			}
		})
	}
}

// The device secret and the bearer token never reach the log, even at
// debug level.
func TestSecretsNeverLogged(t *testing.T) {
	h := newMiniHQ(t)
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := h.client(h.fingerprint(), nil, log)
	ctx := context.Background()
	pushOne(ctx, c, 1)
	h.expireAll()
	pushOne(ctx, c, 2)
	h.mu.Lock()
	h.status, h.body = 500, `{"error":{"code":"unavailable"}}`
	h.mu.Unlock()
	_, err := pushOne(ctx, c, 3)
	if err == nil {
		t.Fatal("500 accepted")
	}
	log.Error("round", "err", err)
	out := buf.String()
	if !strings.Contains(out, "/v1/push") {
		t.Fatalf("nothing logged to check:\n%s", out)
	}
	for _, secret := range []string{h.secret, "tok-1-", "tok-2-", "Bearer"} {
		if strings.Contains(out, secret) {
			t.Fatalf("log contains %q:\n%s", secret, out)
		}
	}
}

func TestNormalizeURLAndFingerprint(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"hq.example.com", "https://hq.example.com"},
		{" https://HQ.example.com:8443/ ", "https://hq.example.com:8443"},
		{"https://hq.example.com/anchang/", "https://hq.example.com/anchang"},
		{"HTTPS://10.0.0.5:8443", "https://10.0.0.5:8443"},
		{"http://hq.example.com", ""},
		{"ftp://hq.example.com", ""},
		{"https://user:pw@hq.example.com", ""},
		{"https://hq.example.com/?x=1", ""},
		{"", ""},
		{"https://", ""},
	} {
		got, err := NormalizeURL(tc.in)
		if got != tc.want || (tc.want == "") != (err != nil) {
			t.Errorf("NormalizeURL(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
		if err != nil && keyOf(err) != KeyBadURL && keyOf(err) != KeyURLNotHTTPS {
			t.Errorf("NormalizeURL(%q) key %q", tc.in, keyOf(err))
		}
	}
	hex64 := strings.Repeat("0a", 32)
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{hex64, hex64},
		{strings.ToUpper(hex64), hex64},
		{FormatFingerprint(hex64), hex64},
		{strings.Repeat("0A-", 31) + "0A", hex64},
		{hex64[:62], "!"},
		{hex64 + "00", "!"},
		{strings.Repeat("zz", 32), "!"},
	} {
		got, err := NormalizeFingerprint(tc.in)
		if tc.want == "!" {
			if err == nil || keyOf(err) != KeyBadFingerprint {
				t.Errorf("NormalizeFingerprint(%q) = %q, %v; want an error", tc.in, got, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("NormalizeFingerprint(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	if got := FormatFingerprint(hex64); !strings.HasPrefix(got, "0A:0A:") || len(got) != 95 {
		t.Errorf("FormatFingerprint = %q", got)
	}
}

func TestSnapshotStream(t *testing.T) {
	h := newMiniHQ(t)
	line := func(v any) string { b, _ := json.Marshal(v); return string(b) + "\n" }
	ch := func(seq int64) string {
		return line(Change{Seq: seq, Name: "staff.save", Version: 1, RecordID: fmt.Sprint("r", seq), Payload: json.RawMessage(`{"a":1}`)})
	}
	head := line(SnapshotHeader{Scope: "global", Cursor: 9, Count: 2})
	for _, tc := range []struct {
		name    string
		body    string
		want    int
		wantErr string
	}{
		{"whole", head + ch(3) + ch(9) + line(SnapshotTrailer{Done: true, Count: 2}), 2, ""},
		{"cut before the trailer", head + ch(3) + ch(9), 2, KeyUnreachable},
		{"cut mid-line", head + ch(3) + ch(9)[:20], 1, KeyUnreachable},
		{"trailer counts fewer", head + ch(3) + line(SnapshotTrailer{Done: true, Count: 1}), 1, KeyBadResponse},
		{"more records than the header", head + ch(3) + ch(4) + ch(9), 2, KeyBadResponse},
		{"another scope", line(SnapshotHeader{Scope: "office:x", Cursor: 9, Count: 0}), 0, KeyBadResponse},
		{"garbage", "<html>\n", 0, KeyBadResponse},
		{"garbage cut", "<html>", 0, KeyUnreachable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/v1/token" {
					h.srv.Config.Handler.ServeHTTP(w, r)
					return
				}
				w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			c := newClient(clientConfig{URL: srv.URL, Fingerprint: Fingerprint(srv.Certificate().Raw)})
			c.creds = func(context.Context) (string, string, error) { return "dev-1", h.secret, nil }
			defer c.closeIdle()
			got, err := func() (int, error) {
				s, err := c.snapshot(context.Background(), "global")
				if err != nil {
					return 0, err
				}
				defer s.Close()
				n := 0
				for {
					_, ok, err := s.next()
					if err != nil || !ok {
						return n, err
					}
					n++
				}
			}()
			if keyOf(err) != tc.wantErr {
				t.Fatalf("err %v, want key %q", err, tc.wantErr)
			}
			if got != tc.want {
				t.Fatalf("read %d records, want %d", got, tc.want)
			}
		})
	}
}

// The snapshot reader holds one record at a time: reading 10× the records
// takes no more heap than reading 5,000 (50,000 here).
func TestSnapshotReaderMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 55,000 records")
	}
	h := newMiniHQ(t)
	payload := `{"id":"` + strings.Repeat("x", 36) + `","name":"` + strings.Repeat("名", 40) + `","note":"` + strings.Repeat("n", 300) + `"}`
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/token" {
			h.srv.Config.Handler.ServeHTTP(w, r)
			return
		}
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		bw := bufio.NewWriter(w)
		fmt.Fprintf(bw, `{"scope":"global","cursor":%d,"count":%d}`+"\n", n, n)
		for i := 1; i <= n; i++ {
			fmt.Fprintf(bw, `{"seq":%d,"name":"staff.save","version":1,"record_id":"r%d","payload":%s,"origin_device":"d","origin_seq":%d}`+"\n", i, i, payload, i)
		}
		fmt.Fprintf(bw, `{"done":true,"count":%d}`+"\n", n)
		bw.Flush()
	}))
	defer srv.Close()
	c := newClient(clientConfig{URL: srv.URL, Fingerprint: Fingerprint(srv.Certificate().Raw)})
	c.creds = func(context.Context) (string, string, error) { return "dev-1", h.secret, nil }
	defer c.close()
	peak := func(n int) uint64 {
		runtime.GC()
		var base runtime.MemStats
		runtime.ReadMemStats(&base)
		s, err := c.snapshotPath(context.Background(), "global", fmt.Sprintf("/v1/snapshot?scope=global&n=%d", n))
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		var top uint64
		for i := 0; ; i++ {
			_, ok, err := s.next()
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				break
			}
			if i%1000 == 0 {
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				top = max(top, m.HeapInuse)
			}
		}
		return top - min(top, base.HeapInuse)
	}
	small, big := peak(5000), peak(50000)
	t.Logf("heap in use above the start: 5,000 records %d KiB, 50,000 records %d KiB", small>>10, big>>10)
	if big > 2*small+4<<20 {
		t.Fatalf("heap grows with the snapshot: %d KiB for 5,000, %d KiB for 50,000", small>>10, big>>10)
	}
}
