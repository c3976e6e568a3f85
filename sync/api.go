package hqsync

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// The endpoints of docs/sync.md, one method each.

func (c *client) enroll(ctx context.Context, in EnrollRequest) (EnrollResponse, error) {
	var out EnrollResponse
	err := c.call(ctx, request{method: http.MethodPost, path: "/v1/enroll", in: in, limit: maxSmallBody}, &out)
	if err != nil {
		return out, err
	}
	if out.DeviceID == "" || out.Secret == "" || len(out.Scopes) == 0 {
		return out, syncError(CodeUnavailable, KeyBadResponse, errors.New("/v1/enroll: answer without device, secret or scopes"))
	}
	return out, nil
}

func (c *client) push(ctx context.Context, in PushRequest) (PushResponse, error) {
	var out PushResponse
	err := c.call(ctx, request{method: http.MethodPost, path: "/v1/push", in: in, auth: true, limit: maxSmallBody}, &out)
	return out, err
}

func (c *client) pull(ctx context.Context, in PullRequest) (PullResponse, error) {
	var out PullResponse
	timeout := time.Duration(in.WaitMS)*time.Millisecond + pullGrace
	err := c.call(ctx, request{method: http.MethodPost, path: "/v1/pull", in: in, auth: true, limit: maxPullBody, timeout: timeout}, &out)
	return out, err
}

// snapshotStream reads GET /v1/snapshot of one scope line by line.
type snapshotStream struct {
	Header SnapshotHeader
	r      *bufio.Reader
	body   io.Closer
	cancel context.CancelFunc
	idle   *time.Timer
	read   int64
	done   bool
}

// snapshot opens a scope's snapshot and reads its header line. The caller
// reads the changes with next and closes the stream.
func (c *client) snapshot(ctx context.Context, scope string) (*snapshotStream, error) {
	return c.snapshotPath(ctx, scope, "/v1/snapshot?scope="+url.QueryEscape(scope))
}

func (c *client) snapshotPath(ctx context.Context, scope, path string) (*snapshotStream, error) {
	ctx, cancel := context.WithCancel(ctx)
	r := request{method: http.MethodGet, path: path, auth: true, timeout: 24 * time.Hour}
	var res *http.Response
	var rcancel context.CancelFunc
	for attempt := 0; ; attempt++ {
		var err error
		res, rcancel, err = c.do(ctx, r, nil)
		if err != nil {
			cancel()
			return nil, err
		}
		if res.StatusCode == http.StatusUnauthorized && attempt == 0 {
			drain(res)
			rcancel()
			c.dropToken()
			continue
		}
		if res.StatusCode/100 != 2 {
			err := readError("/v1/snapshot", res)
			res.Body.Close()
			rcancel()
			cancel()
			return nil, err
		}
		break
	}
	s := &snapshotStream{r: bufio.NewReaderSize(res.Body, 64<<10), body: res.Body, cancel: func() { rcancel(); cancel() }}
	// A stream that goes silent is cut, so a dead connection cannot hold
	// the bootstrap (and its open transaction) for ever.
	s.idle = time.AfterFunc(snapshotIdle, cancel)
	line, err := s.line()
	if err != nil {
		s.Close()
		return nil, err
	}
	if err := json.Unmarshal(line, &s.Header); err != nil || s.Header.Scope != scope || s.Header.Count < 0 {
		s.Close()
		return nil, syncError(CodeUnavailable, KeyBadResponse, fmt.Errorf("/v1/snapshot %s: bad header: %v", scope, err))
	}
	return s, nil
}

// line reads one NDJSON line, at most maxSnapshotLine bytes.
func (s *snapshotStream) line() ([]byte, error) {
	var buf []byte
	for {
		part, err := s.r.ReadSlice('\n')
		buf = append(buf, part...)
		if len(buf) > maxSnapshotLine {
			return nil, syncError(CodeUnavailable, KeyBadResponse, fmt.Errorf("/v1/snapshot: line over %d bytes", maxSnapshotLine))
		}
		if err == nil {
			s.idle.Reset(snapshotIdle)
			return bytes.TrimSpace(buf), nil
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if errors.Is(err, io.EOF) {
			return nil, syncError(CodeUnreachable, KeyUnreachable, fmt.Errorf("/v1/snapshot: stream cut after %d records", s.read))
		}
		return nil, transportError(fmt.Errorf("/v1/snapshot: read: %w", err))
	}
}

// next returns the next change; ok is false after the trailer, which must
// count what came.
func (s *snapshotStream) next() (Change, bool, error) {
	if s.done {
		return Change{}, false, nil
	}
	line, err := s.line()
	if err != nil {
		return Change{}, false, err
	}
	if bytes.HasPrefix(line, []byte(`{"done"`)) {
		var t SnapshotTrailer
		if err := json.Unmarshal(line, &t); err != nil || !t.Done {
			return Change{}, false, syncError(CodeUnavailable, KeyBadResponse, fmt.Errorf("/v1/snapshot: bad trailer: %v", err))
		}
		if t.Count != s.read || t.Count != s.Header.Count {
			return Change{}, false, syncError(CodeUnavailable, KeyBadResponse, fmt.Errorf("/v1/snapshot: trailer counts %d, header %d, read %d", t.Count, s.Header.Count, s.read))
		}
		s.done = true
		return Change{}, false, nil
	}
	var ch Change
	if err := json.Unmarshal(line, &ch); err != nil || ch.Name == "" {
		return Change{}, false, syncError(CodeUnavailable, KeyBadResponse, fmt.Errorf("/v1/snapshot: bad record %d: %v", s.read+1, err))
	}
	s.read++
	if s.read > s.Header.Count {
		return Change{}, false, syncError(CodeUnavailable, KeyBadResponse, fmt.Errorf("/v1/snapshot: more records than the header's %d", s.Header.Count))
	}
	return ch, true, nil
}

// Close ends the stream.
func (s *snapshotStream) Close() error {
	s.idle.Stop()
	s.cancel()
	return s.body.Close()
}
