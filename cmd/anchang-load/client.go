package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"anchang/data"
	hqsync "anchang/sync"
	"anchang/sync/hq"

	"github.com/google/uuid"
)

// device is a simulated device: the protocol of docs/sync.md spoken
// directly, with its own TLS connection (pinned to HQ's fingerprint), as a
// real device has.
type device struct {
	url    string
	hc     *http.Client
	tr     *http.Transport
	ID     string
	Epoch  int64
	secret string
	token  string
	Office string // office id
	seq    int64  // last outbox seq pushed
}

func newDevice(url, fingerprint string) *device {
	tr := &http.Transport{TLSClientConfig: hq.PinnedTLS(fingerprint), ForceAttemptHTTP2: true,
		MaxIdleConns: 2, MaxIdleConnsPerHost: 2, IdleConnTimeout: 5 * time.Minute, TLSHandshakeTimeout: 30 * time.Second}
	return &device{url: url, tr: tr, hc: &http.Client{Transport: tr, Timeout: 2 * time.Minute},
		ID: uuid.Must(uuid.NewV7()).String(), Epoch: time.Now().UnixMilli()}
}

func (d *device) close() { d.tr.CloseIdleConnections() }

// httpError is an error answer from HQ.
type httpError struct {
	Status int
	Body   hqsync.WireError
}

func (e *httpError) Error() string {
	return fmt.Sprintf("hq: %d %s %s", e.Status, e.Body.Code, e.Body.Key)
}

func (d *device) call(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, d.url+path, body)
	if err != nil {
		return err
	}
	req.Header.Set(hqsync.HeaderProtocol, strconv.Itoa(hqsync.Protocol))
	req.Header.Set(hqsync.HeaderSchema, strconv.Itoa(data.SchemaVersion))
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if d.token != "" {
		req.Header.Set("Authorization", "Bearer "+d.token)
	}
	res, err := d.hc.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode/100 != 2 {
		var eb hqsync.ErrorBody
		json.NewDecoder(io.LimitReader(res.Body, 64<<10)).Decode(&eb)
		return &httpError{Status: res.StatusCode, Body: eb.Error}
	}
	if out == nil {
		_, err = io.Copy(io.Discard, res.Body)
		return err
	}
	return json.NewDecoder(res.Body).Decode(out)
}

// enroll joins the office of code and fetches a token.
func (d *device) enroll(ctx context.Context, code string) error {
	var res hqsync.EnrollResponse
	if err := d.call(ctx, http.MethodPost, "/v1/enroll", hqsync.EnrollRequest{Code: code, DeviceID: d.ID,
		InstallEpoch: d.Epoch, DeviceName: "load " + d.ID[len(d.ID)-6:], Schema: data.SchemaVersion}, &res); err != nil {
		return fmt.Errorf("enroll: %w", err)
	}
	d.secret, d.Office = res.Secret, res.OfficeID
	return d.refresh(ctx)
}

func (d *device) refresh(ctx context.Context) error {
	d.token = ""
	var tok hqsync.TokenResponse
	if err := d.call(ctx, http.MethodPost, "/v1/token", hqsync.TokenRequest{DeviceID: d.ID, Secret: d.secret}, &tok); err != nil {
		return fmt.Errorf("token: %w", err)
	}
	d.token = tok.Token
	return nil
}

// push sends mutations (their seqs already set) and checks every one was
// applied.
func (d *device) push(ctx context.Context, muts []hqsync.Mutation) (hqsync.PushResponse, error) {
	var res hqsync.PushResponse
	err := d.call(ctx, http.MethodPost, "/v1/push", hqsync.PushRequest{DeviceID: d.ID, InstallEpoch: d.Epoch, Mutations: muts}, &res)
	if err != nil {
		return res, fmt.Errorf("push: %w", err)
	}
	for _, r := range res.Results {
		if r.Status != hqsync.StatusApplied {
			key := ""
			if r.Error != nil {
				key = r.Error.Key
			}
			return res, fmt.Errorf("push: seq %d %s %s", r.Seq, r.Status, key)
		}
	}
	if len(res.Results) != len(muts) {
		return res, fmt.Errorf("push: %d results for %d mutations (resend from %d)", len(res.Results), len(muts), res.ResendFrom)
	}
	return res, nil
}

func (d *device) pull(ctx context.Context, cursors map[string]int64, waitMS int) (hqsync.PullResponse, error) {
	var res hqsync.PullResponse
	err := d.call(ctx, http.MethodPost, "/v1/pull", hqsync.PullRequest{Cursors: cursors, Limit: hqsync.MaxPullLimit, WaitMS: waitMS}, &res)
	if err != nil {
		return res, fmt.Errorf("pull: %w", err)
	}
	return res, nil
}

// scopes are the cursors of an office device.
func (d *device) scopes() map[string]int64 {
	return map[string]int64{hqsync.OfficeScope(d.Office): 0, hqsync.ScopeGlobal: 0}
}

// heads pulls without waiting until every scope is at its head and returns
// the cursors there.
func (d *device) heads(ctx context.Context) (map[string]int64, error) {
	cur := d.scopes()
	for {
		res, err := d.pull(ctx, cur, 0)
		if err != nil {
			return nil, err
		}
		more := false
		for sc, p := range res.Scopes {
			cur[sc] = p.Next
			more = more || p.More
		}
		if !more {
			return cur, nil
		}
	}
}

// metrics reads HQ's Prometheus text (unauthenticated) and returns the
// samples named, summed over labels.
func (d *device) metrics(ctx context.Context, names ...string) (map[string]float64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, d.url+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	res, err := d.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		name, rest, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		if i := strings.IndexByte(name, '{'); i >= 0 {
			name = name[:i]
		}
		for _, n := range names {
			if n == name {
				v, _ := strconv.ParseFloat(strings.TrimSpace(rest), 64)
				out[n] += v
			}
		}
	}
	return out, sc.Err()
}
