package e2e

import (
	"bytes"
	"errors"
	"io"
	"log"
	"net/http"
	"strings"
	gosync "sync"
)

// Fault is what the fault transport does with one request.
type Fault int

const (
	// Pass forwards the request and its answer.
	Pass Fault = iota
	// Offline fails the request before anything is sent.
	Offline
	// DropAnswer forwards the request, lets HQ answer completely (so what
	// HQ commits is committed), then throws the answer away and fails: the
	// device never learns the outcome.
	DropAnswer
	// Duplicate delivers the request twice (a retry the network made) and
	// returns the second answer.
	Duplicate
	// CutAnswer forwards the request and returns the first half of HQ's
	// answer, then a read error: a connection cut mid-response.
	CutAnswer
	// Hold forwards the request and returns its answer, and also keeps a
	// copy that Faults.Replay delivers again later, after newer requests: a
	// stale duplicate arriving out of order.
	Hold
)

func (f Fault) String() string {
	return [...]string{"pass", "offline", "drop-answer", "duplicate", "cut-answer", "hold"}[f]
}

// ErrInjected is the error a faulted request fails with.
var ErrInjected = errors.New("e2e: injected network fault")

// Faults is a fault-injecting http.RoundTripper wrapper for the device's
// client (hqsync.Options.WrapTransport). Decide picks each request's fault;
// nil passes everything. AfterForward, if set, runs after HQ answered a
// request and before the answer goes back (a test kills the device there).
type Faults struct {
	mu           gosync.Mutex
	Decide       func(r *http.Request) Fault
	AfterForward func(r *http.Request, status int)
	// OnSent, if set, runs when a request's body has been read to its end
	// by the transport: the request is on its way, HQ has not answered.
	OnSent func(r *http.Request)
	held   []heldRequest
	next   http.RoundTripper
	Counts map[Fault]int
}

type heldRequest struct {
	method, url string
	header      http.Header
	body        []byte
}

// Wrap is for hqsync.Options.WrapTransport.
func (f *Faults) Wrap(rt http.RoundTripper) http.RoundTripper {
	f.mu.Lock()
	f.next = rt
	f.mu.Unlock()
	return roundTripper{f}
}

// Set replaces the decision function.
func (f *Faults) Set(decide func(r *http.Request) Fault) {
	f.mu.Lock()
	f.Decide = decide
	f.mu.Unlock()
}

// Always returns a decision that applies fault to every request whose path
// starts with prefix ("" for all) and passes the rest.
func Always(fault Fault, prefix string) func(r *http.Request) Fault {
	return func(r *http.Request) Fault {
		if strings.HasPrefix(r.URL.Path, prefix) {
			return fault
		}
		return Pass
	}
}

type roundTripper struct{ f *Faults }

func (rt roundTripper) RoundTrip(r *http.Request) (*http.Response, error) {
	f := rt.f
	f.mu.Lock()
	decide, next, after, sent := f.Decide, f.next, f.AfterForward, f.OnSent
	fault := Pass
	if decide != nil {
		fault = decide(r)
	}
	if f.Counts == nil {
		f.Counts = map[Fault]int{}
	}
	f.Counts[fault]++
	f.mu.Unlock()
	if fault == Offline {
		if r.Body != nil {
			r.Body.Close()
		}
		return nil, ErrInjected
	}
	var body []byte
	if r.Body != nil {
		var err error
		body, err = io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil {
			return nil, err
		}
	}
	send := func() (*http.Response, error) {
		c := r.Clone(r.Context())
		c.Body = io.NopCloser(bytes.NewReader(body))
		if sent != nil {
			c.Body = io.NopCloser(&eofHook{r: bytes.NewReader(body), fn: func() { sent(r) }})
		}
		c.ContentLength = int64(len(body))
		c.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		return next.RoundTrip(c)
	}
	if fault == Hold {
		f.mu.Lock()
		f.held = append(f.held, heldRequest{method: r.Method, url: r.URL.String(), header: r.Header.Clone(), body: body})
		f.mu.Unlock()
	}
	if fault == Duplicate {
		res, err := send()
		if err != nil {
			return nil, err
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}
	res, err := send()
	if err != nil {
		return nil, err
	}
	switch fault {
	case DropAnswer, CutAnswer:
		b, err := io.ReadAll(res.Body)
		res.Body.Close()
		if after != nil {
			after(r, res.StatusCode)
		}
		if err != nil || fault == DropAnswer {
			return nil, ErrInjected
		}
		res.Body = io.NopCloser(io.MultiReader(bytes.NewReader(b[:len(b)/2]), errReader{}))
		res.ContentLength = -1
		res.Header.Del("Content-Length")
		return res, nil
	}
	if after != nil {
		b, err := io.ReadAll(res.Body)
		res.Body.Close()
		after(r, res.StatusCode)
		if err != nil {
			return nil, err
		}
		res.Body = io.NopCloser(bytes.NewReader(b))
	}
	return res, nil
}

// eofHook calls fn once when r is read to its end.
type eofHook struct {
	r    io.Reader
	fn   func()
	done bool
}

func (e *eofHook) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err == io.EOF && !e.done {
		e.done = true
		e.fn()
	}
	return n, err
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, ErrInjected }

// Held is how many requests wait to be replayed.
func (f *Faults) Held() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.held)
}

// Replay delivers every held request again, oldest first, through the
// underlying transport (answers are read and dropped: nobody waits for
// them). It returns the statuses HQ answered.
func (f *Faults) Replay() []int {
	f.mu.Lock()
	held, next := f.held, f.next
	f.held = nil
	f.mu.Unlock()
	var out []int
	for _, h := range held {
		req, err := http.NewRequest(h.method, h.url, bytes.NewReader(h.body))
		if err != nil {
			continue
		}
		req.Header = h.header
		res, err := next.RoundTrip(req)
		if err != nil {
			out = append(out, 0)
			continue
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		out = append(out, res.StatusCode)
	}
	return out
}

func newDiscardLog() *log.Logger { return log.New(io.Discard, "", 0) }
