package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	hqsync "anchang/sync"
	"anchang/sync/hq"
	"anchang/sync/hq/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// running is a whole HQ started through Main.
type running struct {
	m      *Main
	out    *bytes.Buffer
	logs   *bytes.Buffer
	cancel context.CancelFunc
	done   chan error
}

// MustRunMain starts HQ on 127.0.0.1:0 with args (plus --listen) and waits
// until it listens.
func MustRunMain(t *testing.T, args ...string) *running {
	t.Helper()
	r := &running{m: NewMain(), out: &bytes.Buffer{}, logs: &bytes.Buffer{}, done: make(chan error, 1)}
	r.m.Stdout, r.m.Stderr = r.out, &lockedBuf{b: r.logs}
	if err := r.m.ParseFlags(append(args, "--listen", "127.0.0.1:0")); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	go func() { r.done <- r.m.Run(ctx) }()
	select {
	case <-r.m.Ready():
	case err := <-r.done:
		t.Fatalf("HQ did not start: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("HQ did not start in 30 s")
	}
	t.Cleanup(func() { r.stop(t) })
	return r
}

func (r *running) stop(t *testing.T) {
	if r.cancel == nil {
		return
	}
	r.cancel()
	r.cancel = nil
	if err := <-r.done; err != nil {
		t.Errorf("run: %v", err)
	}
	r.m.Close()
}

type lockedBuf struct {
	b *bytes.Buffer
}

func (l *lockedBuf) Write(p []byte) (int, error) {
	return l.b.Write(p) // slog's handler serialises its writes
}

// admin runs one admin verb, as a second process would, on the same store.
func admin(t *testing.T, args ...string) string {
	t.Helper()
	m := NewMain()
	var out, errb bytes.Buffer
	m.Stdout, m.Stderr = &out, &errb
	if err := m.ParseFlags(args); err != nil {
		t.Fatal(err)
	}
	err := m.Run(context.Background())
	m.Close()
	if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	return out.String()
}

// adminErr runs a verb that should fail and returns its error.
func adminErr(t *testing.T, args ...string) error {
	t.Helper()
	m := NewMain()
	m.Stdout, m.Stderr = io.Discard, io.Discard
	if err := m.ParseFlags(args); err != nil {
		return err
	}
	defer m.Close()
	return m.Run(context.Background())
}

var fpRe = regexp.MustCompile(`fingerprint ([0-9a-f]{64})`)

func TestHQWholeServer(t *testing.T) {
	for _, backend := range []string{hq.SQLite, hq.Postgres} {
		t.Run(backend, func(t *testing.T) {
			dir := t.TempDir()
			flags := []string{"--data-dir", dir}
			if backend == hq.Postgres {
				flags = append(flags, "--postgres", pgtest.DSN(t))
			}
			r := MustRunMain(t, flags...)
			fp := fpRe.FindStringSubmatch(r.out.String())
			if fp == nil {
				t.Fatalf("no fingerprint printed: %q", r.out.String())
			}
			if st, err := os.Stat(filepath.Join(dir, "hq-key.pem")); err != nil || st.Mode().Perm() != 0o600 {
				t.Fatalf("key file: %v %v", st.Mode(), err)
			}
			url := "https://" + r.m.Addr()
			client := &http.Client{Transport: &http.Transport{TLSClientConfig: hq.PinnedTLS(fp[1])}, Timeout: 30 * time.Second}

			// The admin verbs, while the server runs.
			if out := admin(t, append(flags, "office", "add", "SH01", "上海一号案场")...); !strings.Contains(out, "office SH01 added") {
				t.Fatalf("office add: %q", out)
			}
			if out := admin(t, append(flags, "office", "list")...); !strings.Contains(out, "SH01") || !strings.Contains(out, "HQ") {
				t.Fatalf("office list: %q", out)
			}
			if out := admin(t, append(flags, "office", "rename", "SH01", "上海一号", "售楼处")...); !strings.Contains(out, "office SH01 renamed: 上海一号 售楼处") {
				t.Fatalf("office rename: %q", out)
			}
			if out := admin(t, append(flags, "office", "list")...); !strings.Contains(out, "上海一号 售楼处") {
				t.Fatalf("office list after rename: %q", out)
			}
			code := strings.TrimSpace(admin(t, append(flags, "code", "SH01", "--ttl", "1h")...))
			if !regexp.MustCompile(`^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$`).MatchString(code) {
				t.Fatalf("code %q", code)
			}
			hqCode := strings.TrimSpace(admin(t, append(flags, "code", "--hq")...))

			post := func(path, token string, body, out any) int {
				b, _ := json.Marshal(body)
				req, _ := http.NewRequest("POST", url+path, bytes.NewReader(b))
				req.Header.Set(hqsync.HeaderProtocol, "1")
				if token != "" {
					req.Header.Set("Authorization", "Bearer "+token)
				}
				resp, err := client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				rb, _ := io.ReadAll(resp.Body)
				if out != nil && resp.StatusCode == 200 {
					json.Unmarshal(rb, out)
				}
				return resp.StatusCode
			}
			var enr, hqEnr hqsync.EnrollResponse
			if st := post("/v1/enroll", "", hqsync.EnrollRequest{Code: strings.ToLower(code), DeviceID: "desk-1", InstallEpoch: 1, DeviceName: "前台一号机"}, &enr); st != 200 || enr.Tag != "A" {
				t.Fatalf("enroll: %d %+v", st, enr)
			}
			if st := post("/v1/enroll", "", hqsync.EnrollRequest{Code: code, DeviceID: "desk-2", InstallEpoch: 1}, nil); st != 401 {
				t.Fatalf("code reused: %d", st)
			}
			if st := post("/v1/enroll", "", hqsync.EnrollRequest{Code: hqCode, DeviceID: "hq-1", InstallEpoch: 1}, &hqEnr); st != 200 || hqEnr.Role != hqsync.RoleHQ {
				t.Fatalf("hq enroll: %d %+v", st, hqEnr)
			}
			var tok hqsync.TokenResponse
			if st := post("/v1/token", "", hqsync.TokenRequest{DeviceID: "desk-1", Secret: enr.Secret}, &tok); st != 200 {
				t.Fatalf("token: %d", st)
			}
			// A mutation this build's data package does not know is
			// rejected and does not block the one behind it.
			payload := []byte(`{"id":"x"}`)
			var pr hqsync.PushResponse
			st := post("/v1/push", tok.Token, hqsync.PushRequest{DeviceID: "desk-1", InstallEpoch: 1, Mutations: []hqsync.Mutation{
				{Seq: 1, Name: "no.such", Version: 1, RecordID: "x", Payload: payload, Hash: sha(payload)},
			}}, &pr)
			if st != 200 || pr.LastSeq != 1 || pr.Results[0].Status != hqsync.StatusRejected {
				t.Fatalf("push: %d %+v", st, pr)
			}
			var pull hqsync.PullResponse
			scope := hqsync.OfficeScope(enr.OfficeID)
			if st := post("/v1/pull", tok.Token, hqsync.PullRequest{Cursors: map[string]int64{scope: 0, hqsync.ScopeGlobal: 0}}, &pull); st != 200 {
				t.Fatalf("pull: %d", st)
			}
			if out := admin(t, append(flags, "devices")...); !strings.Contains(out, "desk-1") || !strings.Contains(out, "hq-1") {
				t.Fatalf("devices: %q", out)
			}
			if out := admin(t, append(flags, "rejections", "--office", "SH01")...); !strings.Contains(out, "no.such") {
				t.Fatalf("rejections: %q", out)
			}
			if out := admin(t, append(flags, "purge", "--days", "30")...); !strings.Contains(out, "purged 0 changes older than 30 days") {
				t.Fatalf("purge: %q", out)
			}
			// A verb's refusal is said in words and changes nothing.
			if err := adminErr(t, append(flags, "office", "add", "SH01", "again")...); err == nil || !strings.Contains(err.Error(), "exists") {
				t.Fatalf("office added twice: %v", err)
			}
			if err := adminErr(t, append(flags, "code", "NOPE")...); err == nil || !strings.Contains(err.Error(), "no office") {
				t.Fatalf("code for an unknown office: %v", err)
			}
			admin(t, append(flags, "revoke", "desk-1")...)
			if st := post("/v1/pull", tok.Token, hqsync.PullRequest{Cursors: map[string]int64{scope: 0}}, nil); st != 403 {
				t.Fatalf("revoked device pulled: %d", st)
			}
			// Logs: JSON lines, with device ids and statuses, never the
			// secret, the token, the code or a payload.
			r.stop(t)
			logs := r.logs.String()
			if !strings.Contains(logs, `"route":"push"`) || !strings.Contains(logs, `"device":"desk-1"`) {
				t.Errorf("logs lack the push: %s", logs)
			}
			for _, secret := range []string{enr.Secret, tok.Token, code, hqCode, `{\"id\":\"x\"}`, "前台一号机"} {
				if strings.Contains(logs, secret) {
					t.Errorf("logs contain %q", secret)
				}
			}
			// Restarted, HQ keeps its certificate.
			r2 := MustRunMain(t, flags...)
			if fp2 := fpRe.FindStringSubmatch(r2.out.String()); fp2 == nil || fp2[1] != fp[1] {
				t.Errorf("fingerprint changed on restart")
			}
		})
	}
}

func sha(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// TestNoFyne: HQ never links Fyne.
func TestNoFyne(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v: %s", err, out)
	}
	if !strings.Contains(string(out), "anchang/sync/hq") {
		t.Fatalf("go list output looks wrong: %s", out)
	}
	for _, p := range strings.Fields(string(out)) {
		if strings.HasPrefix(p, "fyne.io/") || strings.HasPrefix(p, "anchang/app") {
			t.Errorf("anchang-hq links %s", p)
		}
	}
}

func TestParseFlags(t *testing.T) {
	cases := []struct {
		args []string
		ok   bool
	}{
		{[]string{"--data-dir", "d"}, true},
		{[]string{"--data-dir", "d", "code", "SH01", "--hq", "--ttl", "2h"}, true},
		{[]string{"code", "SH01", "--data-dir", "d"}, true},
		{[]string{}, false},
		{[]string{"--postgres", "postgres://x"}, false}, // serving without a certificate
		{[]string{"--postgres", "postgres://x", "devices"}, true},
		{[]string{"--data-dir", "d", "--cert", "c"}, false},
		{[]string{"--data-dir", "d", "--nope"}, false},
	}
	for _, tc := range cases {
		m := NewMain()
		if err := m.ParseFlags(tc.args); (err == nil) != tc.ok {
			t.Errorf("%v: %v", tc.args, err)
		}
	}
}
