package hq

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"anchang/data"
	hqsync "anchang/sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/time/rate"
)

// Config is what a Server needs. Store and Describe are required.
type Config struct {
	Store    Store
	Describe DescribeFunc
	Logger   *slog.Logger     // default: discard
	Now      func() time.Time // default: time.Now

	TokenTTL  time.Duration // default 15 min
	MinSchema int           // clients below this schema get 426
	// Per device: requests per second and burst (defaults 20 and 60).
	DeviceRate  float64
	DeviceBurst int
	// Per remote address, for the unauthenticated /v1/enroll and /v1/token
	// (defaults 2/s, burst 20).
	AddrRate  float64
	AddrBurst int
	// PushTimeout bounds one push's transaction (default 30 s).
	PushTimeout time.Duration
	// MaxBlobSize bounds a blob's announced length (default 64 MiB).
	MaxBlobSize int64
}

// Server serves the sync protocol (docs/sync.md). Make it with New, serve
// Handler, and call Close when shutting down (it wakes waiting pulls).
type Server struct {
	cfg   Config
	store Store
	log   *slog.Logger
	now   func() time.Time
	key   []byte
	hqID  string

	bc      *broadcaster
	closing chan struct{}
	closed  sync.Once
	cancel  context.CancelFunc
	listen  chan struct{} // closed when the listener ends

	mu      sync.Mutex
	limits  map[string]*rate.Limiter // per device id, and per "addr:" + remote address
	touched map[string]time.Time

	reg *prometheus.Registry
	m   metrics
	mux *http.ServeMux

	// needs is the schema each mutation version that needs one requires
	// (data.MutationSpec.MinSchema), highest the highest of them.
	needs   map[MutationVersion]int
	highest int
}

// New makes a Server: it reads the signing key and HQ's id from the store
// and, on PostgreSQL, starts listening for other replicas' changes.
func New(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.Store == nil || cfg.Describe == nil {
		return nil, errors.New("hq: Config needs Store and Describe")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.TokenTTL <= 0 {
		cfg.TokenTTL = 15 * time.Minute
	}
	if cfg.DeviceRate <= 0 {
		cfg.DeviceRate, cfg.DeviceBurst = 20, 60
	}
	if cfg.DeviceBurst <= 0 {
		cfg.DeviceBurst = int(cfg.DeviceRate) + 1
	}
	if cfg.AddrRate <= 0 {
		cfg.AddrRate, cfg.AddrBurst = 2, 20
	}
	if cfg.AddrBurst <= 0 {
		cfg.AddrBurst = int(cfg.AddrRate) + 1
	}
	if cfg.PushTimeout <= 0 {
		cfg.PushTimeout = 30 * time.Second
	}
	if cfg.MaxBlobSize <= 0 {
		cfg.MaxBlobSize = 64 << 20
	}
	key, err := cfg.Store.SigningKey(ctx)
	if err != nil {
		return nil, err
	}
	id, err := cfg.Store.HQID(ctx)
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg: cfg, store: cfg.Store, log: cfg.Logger, now: cfg.Now, key: key, hqID: id,
		bc: newBroadcaster(), closing: make(chan struct{}), listen: make(chan struct{}),
		limits: map[string]*rate.Limiter{}, touched: map[string]time.Time{},
		reg: prometheus.NewRegistry(),
	}
	s.needs = map[MutationVersion]int{}
	for _, m := range data.Mutations() {
		if m.MinSchema > 0 {
			s.needs[MutationVersion{m.Name, m.Version}] = m.MinSchema
			s.highest = max(s.highest, m.MinSchema)
		}
	}
	s.m = newMetrics(s.reg)
	s.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	s.routes()
	lctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s.cancel = cancel
	go func() {
		defer close(s.listen)
		if err := s.store.Listen(lctx, s.bc.notify); err != nil {
			s.log.Error("listen for changes", "err", err)
		}
	}()
	return s, nil
}

// Handler serves every endpoint.
func (s *Server) Handler() http.Handler { return s.mux }

// Registry is the server's Prometheus registry (served at /metrics).
func (s *Server) Registry() *prometheus.Registry { return s.reg }

// Close marks the server not ready, wakes every waiting pull (they answer
// with what they have) and stops listening for other replicas. In-flight
// pushes finish; the caller then shuts the http.Server down and closes the
// store.
func (s *Server) Close() {
	s.closed.Do(func() {
		close(s.closing)
		s.cancel()
		<-s.listen
	})
}

func (s *Server) isClosing() bool {
	select {
	case <-s.closing:
		return true
	default:
		return false
	}
}

func (s *Server) routes() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok\n") })
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{Registry: s.reg}))
	mux.Handle("POST /v1/enroll", s.api("enroll", false, s.enroll))
	mux.Handle("POST /v1/token", s.api("token", false, s.token))
	mux.Handle("POST /v1/push", s.api("push", true, s.push))
	mux.Handle("POST /v1/pull", s.api("pull", true, s.pull))
	mux.Handle("GET /v1/snapshot", s.api("snapshot", true, s.snapshot))
	mux.Handle("HEAD /v1/blobs/{sha}", s.api("blob_head", true, s.blobHead))
	mux.Handle("PATCH /v1/blobs/{sha}", s.api("blob_patch", true, s.blobPatch))
	mux.Handle("GET /v1/blobs/{sha}", s.api("blob_get", true, s.blobGet))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeErr(w, &data.Error{Code: data.ENOTFOUND, Key: "err.sync.no_endpoint"})
	})
	s.mux = mux
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if s.isClosing() {
		writeErr(w, &data.Error{Code: hqsync.CodeUnavailable, Key: "err.sync.unavailable"})
		return
	}
	if err := s.store.Ping(ctx); err != nil {
		s.log.Warn("readyz: store", "err", err)
		writeErr(w, &data.Error{Code: hqsync.CodeUnavailable, Key: "err.sync.unavailable"})
		return
	}
	io.WriteString(w, "ready\n")
}

// call is one API request in progress.
type call struct {
	w   http.ResponseWriter
	r   *http.Request
	dev Device // for authenticated routes
	// schema is the client's Anchang-Schema; -1 when it sent none (a tool
	// that is not a desk): such a client is never refused for it.
	schema int
	attrs  []any // log attributes the handler adds
	code   int
}

type handlerFunc func(c *call) error

// tooOld lists the mutation versions the client cannot apply (their
// MinSchema above its Anchang-Schema); none for a current client or one
// that sent no schema.
func (s *Server) tooOld(c *call) []MutationVersion {
	if c.schema < 0 || c.schema >= s.highest {
		return nil
	}
	var out []MutationVersion
	for v, need := range s.needs {
		if need > c.schema {
			out = append(out, v)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].Version < out[j].Version
	})
	return out
}

// updateRequired is the 426 a client gets instead of a change of version v,
// which it cannot apply: the key every desk knows, and in its arguments
// what needs updating (a desk that knows them shows them).
func (s *Server) updateRequired(c *call, scope string, v MutationVersion) error {
	need := s.needs[v]
	c.attrs = append(c.attrs, "schema", c.schema, "needs", need, "mutation", v.Name, "version", v.Version)
	return &data.Error{Code: hqsync.CodeUpdateRequired, Key: "err.sync.update_required", Args: map[string]any{
		"Mutation": fmt.Sprintf("%s v%d", v.Name, v.Version), "Schema": need, "Have": c.schema, "Scope": scope,
	}}
}

// api wraps a handler: protocol and schema check, authentication with the
// revocation lookup, the per-device rate limit, the error answer, the
// duration metric and one log line.
func (s *Server) api(route string, auth bool, h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := s.now()
		sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		c := &call{w: sw, r: r}
		err := s.serve(c, route, auth, h)
		if err != nil {
			writeErr(sw, err)
		}
		d := s.now().Sub(start)
		s.m.duration.WithLabelValues(route, strconv.Itoa(sw.code)).Observe(d.Seconds())
		attrs := []any{"route", route, "status", sw.code, "ms", d.Milliseconds()}
		if c.dev.ID != "" {
			attrs = append(attrs, "device", c.dev.ID)
		}
		attrs = append(attrs, c.attrs...)
		if err != nil {
			if e, ok := data.AsError(err); ok {
				attrs = append(attrs, "code", e.Code, "key", e.Key)
			} else {
				attrs = append(attrs, "err", err.Error())
			}
		}
		level := slog.LevelInfo
		if sw.code >= 500 {
			level = slog.LevelError
		}
		s.log.Log(r.Context(), level, "request", attrs...)
	})
}

func (s *Server) serve(c *call, route string, auth bool, h handlerFunc) error {
	r := c.r
	if r.Header.Get(hqsync.HeaderProtocol) != strconv.Itoa(hqsync.Protocol) {
		return &data.Error{Code: hqsync.CodeUpdateRequired, Key: "err.sync.update_required"}
	}
	c.schema = -1
	if h := r.Header.Get(hqsync.HeaderSchema); h != "" {
		v, err := strconv.Atoi(h)
		if err != nil || v < 0 {
			v = 0
		}
		c.schema = v
	}
	if s.cfg.MinSchema > 0 && c.schema < s.cfg.MinSchema {
		return &data.Error{Code: hqsync.CodeUpdateRequired, Key: "err.sync.update_required"}
	}
	if s.isClosing() {
		return &data.Error{Code: hqsync.CodeUnavailable, Key: "err.sync.unavailable"}
	}
	// Bound the time a slow reader may hold the answer (the snapshot extends
	// its deadline line by line).
	write := time.Minute + time.Duration(hqsync.MaxWaitMS)*time.Millisecond
	if route == "blob_get" {
		write = 10 * time.Minute
	}
	http.NewResponseController(c.w).SetWriteDeadline(time.Now().Add(write))
	if !auth {
		// Enrolment spends its address's budget on every request. A token
		// request is limited in token: behind a NAT or a TCP balancer every
		// device may share one address, and their renewals must not starve
		// each other.
		if route != "token" && !s.allow("addr:"+remoteHost(r)) {
			return rateLimited(c.w)
		}
		return h(c)
	}
	dev, err := s.authenticate(r)
	if err != nil {
		return err
	}
	c.dev = dev
	if !s.allow(dev.ID) {
		return rateLimited(c.w)
	}
	s.touch(r.Context(), dev.ID)
	return h(c)
}

func rateLimited(w http.ResponseWriter) error {
	w.Header().Set("Retry-After", "1")
	return &data.Error{Code: hqsync.CodeRateLimited, Key: "err.sync.rate_limited"}
}

func remoteHost(r *http.Request) string {
	h, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return h
}

func (s *Server) allow(key string) bool {
	return s.limiter(key).AllowN(s.now(), 1)
}

func (s *Server) limiter(key string) *rate.Limiter {
	s.mu.Lock()
	l := s.limits[key]
	if l == nil {
		if len(s.limits) > 100_000 { // a flood of addresses: start over
			s.limits = map[string]*rate.Limiter{}
		}
		if strings.HasPrefix(key, "addr:") || strings.HasPrefix(key, "tokenfail:") {
			l = rate.NewLimiter(rate.Limit(s.cfg.AddrRate), s.cfg.AddrBurst)
		} else {
			l = rate.NewLimiter(rate.Limit(s.cfg.DeviceRate), s.cfg.DeviceBurst)
		}
		s.limits[key] = l
	}
	s.mu.Unlock()
	return l
}

// touch records a device's last contact at most once a minute.
func (s *Server) touch(ctx context.Context, id string) {
	now := s.now()
	s.mu.Lock()
	last := s.touched[id]
	if now.Sub(last) < time.Minute {
		s.mu.Unlock()
		return
	}
	s.touched[id] = now
	s.mu.Unlock()
	if err := s.store.Touch(ctx, id, now.UnixMilli()); err != nil {
		s.log.Warn("touch device", "device", id, "err", err)
	}
}

type statusWriter struct {
	http.ResponseWriter
	code  int
	wrote bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.code, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// statusFor maps an error code to its HTTP status (docs/sync.md).
func statusFor(code string) int {
	switch code {
	case data.EINVALID:
		return http.StatusBadRequest
	case hqsync.CodeUnauthorized:
		return http.StatusUnauthorized
	case hqsync.CodeRevoked, data.EFORBIDDEN:
		return http.StatusForbidden
	case data.ENOTFOUND:
		return http.StatusNotFound
	case data.ECONFLICT, hqsync.CodeIntegrity:
		return http.StatusConflict
	case hqsync.CodeResync:
		return http.StatusGone
	case hqsync.CodeTooLarge:
		return http.StatusRequestEntityTooLarge
	case hqsync.CodeUpdateRequired:
		return http.StatusUpgradeRequired
	case hqsync.CodeRateLimited:
		return http.StatusTooManyRequests
	case hqsync.CodeUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

func writeErr(w http.ResponseWriter, err error) {
	e, ok := data.AsError(err)
	if !ok {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			e = &data.Error{Code: hqsync.CodeTooLarge, Key: "err.sync.too_large"}
		} else if errors.Is(err, context.DeadlineExceeded) {
			e = &data.Error{Code: hqsync.CodeUnavailable, Key: "err.sync.timeout"}
		} else {
			e = &data.Error{Code: data.EINTERNAL, Key: "err.sync.internal"}
		}
	}
	if sw, ok := w.(*statusWriter); ok && sw.wrote {
		return // a stream already started; the client sees it cut short
	}
	w.Header().Set("Content-Type", "application/json")
	if e.Code == hqsync.CodeUnavailable {
		w.Header().Set("Retry-After", "5")
	}
	w.WriteHeader(statusFor(e.Code))
	json.NewEncoder(w).Encode(hqsync.ErrorBody{Error: hqsync.WireError{Code: e.Code, Key: e.Key, Args: e.Args}})
}

func writeJSON(w http.ResponseWriter, v any) error {
	w.Header().Set("Content-Type", "application/json")
	return json.NewEncoder(w).Encode(v)
}

// decode reads a JSON body of at most max bytes into v: malformed JSON or
// trailing data is 400, a body over max is 413.
func decode(c *call, max int64, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(c.w, c.r.Body, max))
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return &data.Error{Code: hqsync.CodeTooLarge, Key: "err.sync.too_large", Err: err}
		}
		return &data.Error{Code: data.EINVALID, Key: "err.sync.malformed", Err: fmt.Errorf("decode: %w", err)}
	}
	if dec.More() {
		return &data.Error{Code: data.EINVALID, Key: "err.sync.malformed", Err: errors.New("trailing data")}
	}
	return nil
}
