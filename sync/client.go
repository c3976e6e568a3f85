package hqsync

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"anchang/data"
)

// Bounds of what the device reads from HQ and how long it waits.
const (
	maxErrorBody    = 64 << 10 // an error answer
	maxSmallBody    = 1 << 20  // enroll, token, push answers
	maxPullBody     = 64 << 20 // one pull page (≤ 1000 changes)
	maxSnapshotLine = 16 << 20 // one record of a snapshot
	requestTimeout  = 30 * time.Second
	pullGrace       = 15 * time.Second // a long-poll may take its wait plus this
	snapshotIdle    = 60 * time.Second // a snapshot stream silent this long is cut
	tokenMargin     = 60 * time.Second // refresh a token this long before it expires
	defaultTokenTTL = 15 * time.Minute
)

// client speaks HQ's protocol for one device: TLS pinned to the enrolled
// certificate, the protocol headers, and a bearer token fetched from
// /v1/token and renewed before it expires and on a 401.
type client struct {
	base  string // https://host[:port][/prefix], no trailing slash
	hc    *http.Client
	conns *conns
	now   func() time.Time
	log   *slog.Logger

	// creds returns the device id and secret for /v1/token.
	creds func(ctx context.Context) (deviceID, secret string, err error)
	// name, if set, returns the device's name for /v1/token ("" to leave
	// HQ's as it is).
	name func(ctx context.Context) string

	mu         sync.Mutex
	token      string
	tokenUntil time.Time // on the device's clock: refresh after this
}

// clientConfig says how to reach one HQ.
type clientConfig struct {
	URL         string // normalized
	Fingerprint string // normalized; "" = verify with RootCAs (nil = the system's)
	RootCAs     *x509.CertPool
	Wrap        func(http.RoundTripper) http.RoundTripper
	Now         func() time.Time
	Logger      *slog.Logger
}

func newClient(cfg clientConfig) *client {
	cs := &conns{}
	var rt http.RoundTripper = newTransport(pinnedTLS(cfg.Fingerprint, cfg.RootCAs), cs)
	if cfg.Wrap != nil {
		rt = cfg.Wrap(rt)
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	return &client{base: cfg.URL, hc: &http.Client{Transport: rt, CheckRedirect: noRedirect}, now: now, log: log, conns: cs}
}

// noRedirect: HQ never redirects; following one could carry the token elsewhere.
func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// conns are the connections a transport opened, so that a client that is
// done can close them all at once: an HTTP/2 connection whose last stream
// was cancelled a moment ago is not idle yet, and CloseIdleConnections would
// leave it (and its reader goroutine) behind.
type conns struct {
	mu sync.Mutex
	m  map[*trackedConn]struct{}
}

type trackedConn struct {
	net.Conn
	set  *conns
	once sync.Once
}

func (c *trackedConn) Close() error {
	c.once.Do(func() {
		c.set.mu.Lock()
		delete(c.set.m, c)
		c.set.mu.Unlock()
	})
	return c.Conn.Close()
}

func (s *conns) dial(d *net.Dialer) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		tc := &trackedConn{Conn: c, set: s}
		s.mu.Lock()
		if s.m == nil {
			s.m = map[*trackedConn]struct{}{}
		}
		s.m[tc] = struct{}{}
		s.mu.Unlock()
		return tc, nil
	}
}

// closeAll closes every connection, idle or not.
func (s *conns) closeAll() {
	s.mu.Lock()
	all := make([]*trackedConn, 0, len(s.m))
	for c := range s.m {
		all = append(all, c)
	}
	s.mu.Unlock()
	for _, c := range all {
		c.Close()
	}
}

func newTransport(tc *tls.Config, cs *conns) *http.Transport {
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           cs.dial(&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}),
		TLSClientConfig:       tc,
		TLSHandshakeTimeout:   10 * time.Second,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          4,
		IdleConnTimeout:       90 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
}

// pinnedTLS verifies HQ by the SHA-256 of its leaf certificate when a
// fingerprint is pinned (HQ's self-signed certificate: its dates are not
// checked, so a device whose clock is years off still connects), and by the
// system's roots (or roots) when not.
func pinnedTLS(fingerprint string, roots *x509.CertPool) *tls.Config {
	if fingerprint == "" {
		return &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: roots}
	}
	want, _ := hex.DecodeString(fingerprint)
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		// The chain is not verified against roots; VerifyConnection checks
		// the pin instead, on every handshake, resumed ones included.
		InsecureSkipVerify: true,
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 || len(want) != sha256.Size {
				return errFingerprint
			}
			got := sha256.Sum256(cs.PeerCertificates[0].Raw)
			if subtle.ConstantTimeCompare(got[:], want) != 1 {
				return errFingerprint
			}
			return nil
		},
	}
}

// NormalizeURL checks an HQ address as a user typed it and returns it as
// the device stores it: https, a host, no trailing slash. A bare host gets
// https://; plain http is refused.
func NormalizeURL(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", &data.Error{Code: data.EINVALID, Field: "hq_url", Key: KeyBadURL}
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err == nil && !strings.EqualFold(u.Scheme, "https") {
		return "", &data.Error{Code: data.EINVALID, Field: "hq_url", Key: KeyURLNotHTTPS, Err: fmt.Errorf("hq url %q", raw)}
	}
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", &data.Error{Code: data.EINVALID, Field: "hq_url", Key: KeyBadURL, Err: fmt.Errorf("hq url %q", raw)}
	}
	u.Scheme = "https"
	u.Host = strings.ToLower(u.Host)
	return strings.TrimRight(u.String(), "/"), nil
}

// NormalizeFingerprint accepts a SHA-256 fingerprint as printed (hex, any
// case, with or without colons, spaces or dashes) and returns it as 64
// lowercase hex digits. "" stays "" (use the system's roots).
func NormalizeFingerprint(s string) (string, error) {
	var b strings.Builder
	for _, r := range strings.TrimSpace(s) {
		switch {
		case r == ':' || r == ' ' || r == '-':
		case r >= '0' && r <= '9', r >= 'a' && r <= 'f':
			b.WriteRune(r)
		case r >= 'A' && r <= 'F':
			b.WriteRune(r + ('a' - 'A'))
		default:
			return "", &data.Error{Code: data.EINVALID, Field: "fingerprint", Key: KeyBadFingerprint}
		}
	}
	if n := b.Len(); n != 0 && n != 2*sha256.Size {
		return "", &data.Error{Code: data.EINVALID, Field: "fingerprint", Key: KeyBadFingerprint}
	}
	return b.String(), nil
}

// FormatFingerprint shows a fingerprint as people compare it: upper-case
// hex pairs separated by colons.
func FormatFingerprint(fp string) string {
	n, err := NormalizeFingerprint(fp)
	if err != nil || n == "" {
		return fp
	}
	var b strings.Builder
	for i := 0; i < len(n); i += 2 {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(strings.ToUpper(n[i : i+2]))
	}
	return b.String()
}

// Fingerprint is the SHA-256 of a certificate's DER bytes, as 64 lowercase
// hex digits: what HQ prints and what a device pins.
func Fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:])
}

// Probe connects to HQ at hqURL without trusting it yet and returns the
// SHA-256 fingerprint of its certificate (64 lowercase hex digits; show it
// with FormatFingerprint), for the user to compare with the one HQ printed
// before enrolling. It checks that the server answers as HQ (/healthz).
func Probe(ctx context.Context, hqURL string) (string, error) {
	return probe(ctx, hqURL, nil)
}

func probe(ctx context.Context, hqURL string, wrap func(http.RoundTripper) http.RoundTripper) (string, error) {
	base, err := NormalizeURL(hqURL)
	if err != nil {
		return "", err
	}
	var mu sync.Mutex
	var fp string
	tc := &tls.Config{
		MinVersion: tls.VersionTLS12,
		// Trust nothing yet: Probe only reads the certificate for the user
		// to confirm; nothing is sent but a health check.
		InsecureSkipVerify: true,
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return errFingerprint
			}
			mu.Lock()
			fp = Fingerprint(cs.PeerCertificates[0].Raw)
			mu.Unlock()
			return nil
		},
	}
	cs := &conns{}
	tr := newTransport(tc, cs)
	defer cs.closeAll()
	var rt http.RoundTripper = tr
	if wrap != nil {
		rt = wrap(rt)
	}
	hc := &http.Client{Transport: rt, CheckRedirect: noRedirect}
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/healthz", nil)
	if err != nil {
		return "", syncError(data.EINVALID, KeyBadURL, err)
	}
	res, err := hc.Do(req)
	if err != nil {
		return "", transportError(fmt.Errorf("probe %s: %w", base, err))
	}
	io.Copy(io.Discard, io.LimitReader(res.Body, maxErrorBody))
	res.Body.Close()
	if res.StatusCode/100 != 2 {
		return "", syncError(CodeUnavailable, KeyUnavailable, fmt.Errorf("probe %s: status %d", base, res.StatusCode))
	}
	mu.Lock()
	defer mu.Unlock()
	if fp == "" {
		return "", syncError(CodeUnreachable, KeyUnreachable, fmt.Errorf("probe %s: no certificate", base))
	}
	return fp, nil
}

// request is one call to HQ.
type request struct {
	method  string
	path    string // "/v1/push", with its query
	in      any    // JSON body, nil for none
	raw     []byte // a raw body (a blob's chunk) instead of in
	header  http.Header
	auth    bool // carries the bearer token
	timeout time.Duration
	limit   int64 // of the answer's body
}

// call sends r and decodes a 2xx answer into out. A 401 on an authorized
// call drops the token, fetches a new one and tries once more.
func (c *client) call(ctx context.Context, r request, out any) error {
	body, _, err := c.send(ctx, r)
	if err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return syncError(CodeUnavailable, KeyBadResponse, fmt.Errorf("%s: decode answer: %w", r.path, err))
	}
	return nil
}

// send does the round trip and returns the answer's body (read in full, up
// to r.limit) and headers.
func (c *client) send(ctx context.Context, r request) ([]byte, http.Header, error) {
	payload := r.raw
	if r.in != nil {
		b, err := json.Marshal(r.in)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: encode: %w", r.path, err)
		}
		payload = b
	}
	for attempt := 0; ; attempt++ {
		res, cancel, err := c.do(ctx, r, payload)
		if err != nil {
			return nil, nil, err
		}
		if r.auth && res.StatusCode == http.StatusUnauthorized && attempt == 0 {
			drain(res)
			cancel()
			c.dropToken()
			continue
		}
		defer cancel()
		defer res.Body.Close()
		if res.StatusCode/100 != 2 {
			return nil, nil, readError(r.path, res)
		}
		b, err := io.ReadAll(io.LimitReader(res.Body, r.limit+1))
		if err != nil {
			return nil, nil, transportError(fmt.Errorf("%s: read answer: %w", r.path, err))
		}
		if int64(len(b)) > r.limit {
			return nil, nil, syncError(CodeUnavailable, KeyBadResponse, fmt.Errorf("%s: answer over %d bytes", r.path, r.limit))
		}
		return b, res.Header, nil
	}
}

// do sends one request; the caller closes the body and calls cancel.
func (c *client) do(ctx context.Context, r request, payload []byte) (*http.Response, context.CancelFunc, error) {
	timeout := r.timeout
	if timeout == 0 {
		timeout = requestTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, c.base+r.path, body)
	if err != nil {
		cancel()
		return nil, nil, fmt.Errorf("%s: %w", r.path, err)
	}
	req.Header.Set(HeaderProtocol, strconv.Itoa(Protocol))
	req.Header.Set(HeaderSchema, strconv.Itoa(data.SchemaVersion))
	req.Header.Set("Accept", "application/json")
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range r.header {
		req.Header[k] = v
	}
	if r.auth {
		tok, err := c.bearer(ctx)
		if err != nil {
			cancel()
			return nil, nil, err
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	start := time.Now()
	res, err := c.hc.Do(req)
	if err != nil {
		cancel()
		if ctx.Err() != nil && errors.Is(err, context.Canceled) {
			return nil, nil, err // the caller gave up; not HQ's fault
		}
		return nil, nil, transportError(fmt.Errorf("%s %s: %w", r.method, r.path, err))
	}
	c.log.Debug("hq request", "method", r.method, "path", strings.SplitN(r.path, "?", 2)[0], "status", res.StatusCode, "ms", time.Since(start).Milliseconds())
	return res, cancel, nil
}

func drain(res *http.Response) {
	io.Copy(io.Discard, io.LimitReader(res.Body, maxErrorBody))
	res.Body.Close()
}

// readError turns a non-2xx answer into a coded error, with HQ's key when
// the body has one.
func readError(path string, res *http.Response) error {
	b, _ := io.ReadAll(io.LimitReader(res.Body, maxErrorBody))
	var eb ErrorBody
	var we *WireError
	if json.Unmarshal(b, &eb) == nil && (eb.Error.Code != "" || eb.Error.Key != "") {
		we = &eb.Error
	}
	return answerError(res.StatusCode, we, res.Header, fmt.Errorf("%s: status %d", path, res.StatusCode))
}

// bearer returns a token valid for a while, fetching one if needed.
func (c *client) bearer(ctx context.Context) (string, error) {
	c.mu.Lock()
	tok, until := c.token, c.tokenUntil
	c.mu.Unlock()
	if tok != "" && c.now().Before(until) {
		return tok, nil
	}
	if c.creds == nil {
		return "", syncError(CodeUnauthorized, KeyNotEnrolled, errors.New("no device credentials"))
	}
	id, secret, err := c.creds(ctx)
	if err != nil {
		return "", err
	}
	treq := TokenRequest{DeviceID: id, Secret: secret}
	if c.name != nil {
		treq.DeviceName = c.name(ctx)
	}
	var tr TokenResponse
	body, hdr, err := c.send(ctx, request{method: http.MethodPost, path: "/v1/token", in: treq, limit: maxSmallBody, timeout: requestTimeout})
	if err != nil {
		return "", err
	}
	if err := json.Unmarshal(body, &tr); err != nil || tr.Token == "" {
		return "", syncError(CodeUnavailable, KeyBadResponse, fmt.Errorf("/v1/token: decode answer: %v", err))
	}
	issued, _ := http.ParseTime(hdr.Get("Date"))
	ttl := tokenTTL(issued, tr.ExpiresAt)
	margin := min(tokenMargin, ttl/4)
	c.mu.Lock()
	c.token, c.tokenUntil = tr.Token, c.now().Add(ttl-margin)
	c.mu.Unlock()
	return tr.Token, nil
}

// tokenTTL is how long a token lives, measured on HQ's clock (its expiry
// minus the time HQ issued it), so a device whose clock is off by a day or
// a decade keeps its token as long as HQ does. Without HQ's time it falls
// back to the usual 15 minutes.
func tokenTTL(issued time.Time, expiresAt int64) time.Duration {
	if !issued.IsZero() && expiresAt > 0 {
		// Date has whole seconds: the token may live up to 1 s less.
		if d := time.UnixMilli(expiresAt).Sub(issued) - time.Second; d > 0 && d < 24*time.Hour {
			return d
		}
	}
	return defaultTokenTTL
}

func (c *client) dropToken() {
	c.mu.Lock()
	c.token, c.tokenUntil = "", time.Time{}
	c.mu.Unlock()
}

// closeIdle closes the client's idle connections.
func (c *client) closeIdle() { c.hc.CloseIdleConnections() }

// close closes every connection of the client; calls in flight fail.
func (c *client) close() {
	c.hc.CloseIdleConnections()
	c.conns.closeAll()
}
