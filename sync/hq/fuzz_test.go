package hq

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	hqsync "anchang/sync"
)

// Fuzz targets for every wire decoder HQ has: push, pull, enroll and token
// bodies, and the bearer token itself. Each body goes through the real
// handler and store (SQLite); whatever the bytes, HQ answers with a coded
// error or a valid answer — never a 500, never a panic — and office B's
// data never changes. `go test` runs the seeds; `go test -fuzz FuzzPush
// ./sync/hq` explores.

// fuzzServer is on SQLite, or on PostgreSQL with ANCHANG_FUZZ_PG=1.
func fuzzServer(f *testing.F) *testServer {
	if os.Getenv("ANCHANG_FUZZ_PG") == "1" {
		return newTestServer(f, Postgres)
	}
	return newTestServer(f, SQLite)
}

func fuzzBody(f *testing.F, path string, seeds ...any) {
	ts := fuzzServer(f)
	for _, s := range seeds {
		switch v := s.(type) {
		case string:
			f.Add([]byte(v))
		default:
			b, _ := json.Marshal(v)
			f.Add(b)
		}
	}
	before := ts.officeB(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		token := ts.tokA
		if path == "/v1/enroll" || path == "/v1/token" {
			token = ""
		}
		w := ts.do("POST", path, token, body)
		if w.Code >= 500 {
			t.Fatalf("%s: %d %s", path, w.Code, w.Body)
		}
		if w.Code != 200 {
			var eb hqsync.ErrorBody
			if err := json.Unmarshal(w.Body.Bytes(), &eb); err != nil || eb.Error.Code == "" || eb.Error.Key == "" {
				t.Fatalf("%s: %d without a coded error: %s", path, w.Code, w.Body)
			}
		} else if !json.Valid(w.Body.Bytes()) {
			t.Fatalf("%s: invalid JSON answer", path)
		}
		if ts.officeB(t) != before {
			t.Fatalf("%s changed office B's data", path)
		}
	})
}

func FuzzPush(f *testing.F) {
	fuzzBody(f, "/v1/push",
		hqsync.PushRequest{DeviceID: "dev-a", InstallEpoch: 1, Mutations: []hqsync.Mutation{mut(2, "t.thing", testPayload{ID: "x"})}},
		hqsync.PushRequest{DeviceID: "dev-a", InstallEpoch: 1, Mutations: []hqsync.Mutation{mut(1, "t.thing", testPayload{ID: "a1"})}},
		hqsync.PushRequest{DeviceID: "dev-b", InstallEpoch: 1},
		`{"device_id":"dev-a","install_epoch":1,"mutations":[{"seq":2,"name":"t.thing","version":1,"record_id":"b1","payload":{"id":"b1"},"hash":"00"}]}`,
		`{"device_id":"dev-a","install_epoch":-1}`,
		`{"device_id":"dev-a","install_epoch":1,"mutations":[{"seq":9223372036854775807}]}`,
		`{"mutations":null}`, `[]`, `null`, `{`, ``,
	)
}

func FuzzPull(f *testing.F) {
	fuzzBody(f, "/v1/pull",
		hqsync.PullRequest{Cursors: map[string]int64{"global": 0}, Limit: 10},
		hqsync.PullRequest{Cursors: map[string]int64{"global": -5, "office:x": 1}, Limit: -1},
		`{"cursors":{"global":9223372036854775807},"limit":100000}`,
		`{"cursors":{"global":0},"wait_ms":-1}`,
		`{"cursors":{"":0}}`, `{"cursors":[]}`, `{}`, `1`,
	)
}

func FuzzEnroll(f *testing.F) {
	fuzzBody(f, "/v1/enroll",
		hqsync.EnrollRequest{Code: "AAAA-BBBB-CCCC", DeviceID: "d9", InstallEpoch: 1, DeviceName: "x"},
		hqsync.EnrollRequest{Code: "k7qf 93xm 2tpa", DeviceID: "dev-b", InstallEpoch: 1, Standalone: &hqsync.StandaloneOffice{OfficeID: "o", HasHistory: true}},
		`{"code":"","device_id":""}`, `{"code":"x","device_id":"`+strings.Repeat("a", 100)+`","install_epoch":1}`, `"x"`,
	)
}

func FuzzToken(f *testing.F) {
	fuzzBody(f, "/v1/token",
		hqsync.TokenRequest{DeviceID: "dev-a", Secret: "nope"},
		hqsync.TokenRequest{DeviceID: "", Secret: ""},
		`{"device_id":"dev-a"}`, `{"secret":1}`,
	)
}

// FuzzParseToken: a bearer token that was not signed with HQ's key is
// refused, whatever its bytes; a signed one round-trips.
func FuzzParseToken(f *testing.F) {
	key := []byte("0123456789abcdef0123456789abcdef")
	s := &Server{key: key}
	now := time.UnixMilli(clock)
	good := s.signToken(claims{Device: "d", Office: "o", Role: "office", Exp: clock + 1000})
	f.Add(good)
	f.Add(good[:len(good)-1])
	f.Add("." + good)
	f.Add("e30.e30")
	f.Add("")
	f.Fuzz(func(t *testing.T, tok string) {
		c, err := parseToken(key, tok, now)
		if tok == good {
			if err != nil || c.Device != "d" {
				t.Fatalf("good token refused: %v", err)
			}
			return
		}
		if err == nil && decodedParts(tok) != decodedParts(good) {
			// Only the bytes HMAC-signed with the key pass (base64 may
			// spell them another way).
			t.Fatalf("unsigned token accepted: %q", tok)
		}
	})
}

func decodedParts(tok string) string {
	body, sig, _ := strings.Cut(tok, ".")
	b, _ := base64.RawURLEncoding.DecodeString(body)
	g, _ := base64.RawURLEncoding.DecodeString(sig)
	return string(b) + "\x00" + string(g)
}
