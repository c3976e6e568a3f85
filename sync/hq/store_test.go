package hq

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"anchang/data"
	hqsync "anchang/sync"
	"anchang/sync/hq/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// backends runs fn once on SQLite and once on PostgreSQL, each with a fresh
// store.
func backends(t *testing.T, fn func(t *testing.T, s *SQLStore)) {
	t.Helper()
	for _, b := range []string{SQLite, Postgres} {
		t.Run(b, func(t *testing.T) {
			fn(t, openTestStore(t, b))
		})
	}
}

func openTestStore(t testing.TB, backend string) *SQLStore {
	t.Helper()
	ctx := context.Background()
	var s *SQLStore
	var err error
	switch backend {
	case SQLite:
		s, err = OpenSQLite(ctx, filepath.Join(t.TempDir(), "hq.db"))
	case Postgres:
		s, err = OpenPostgres(ctx, pgtest.DSN(t))
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// The test mutations: a small registry standing in for data's, so these
// tests do not depend on which mutations data has converted.
//
//	t.thing v1   office-owned event, entity "thing", rank 2
//	t.staff v1   office-owned, replaced, entity "staff", rank 1
//	t.ref   v1   HQ-owned, entity "ref", rank 0
//	t.draft v1   HQ-owned, an office's draft (Described.Draft), entity "draft", rank 0
type testPayload struct {
	ID       string     `json:"id"`
	OfficeID string     `json:"office_id,omitempty"`
	Refs     []data.Ref `json:"refs,omitempty"`
	Note     string     `json:"note,omitempty"`
}

var testSpecs = map[string]data.MutationSpec{
	"t.thing": {Name: "t.thing", Version: 1, Entity: "thing", Owner: data.OwnerOffice, Rank: 2},
	"t.staff": {Name: "t.staff", Version: 1, Entity: "staff", Owner: data.OwnerOffice, Replace: true, Rank: 1},
	"t.ref":   {Name: "t.ref", Version: 1, Entity: "ref", Owner: data.OwnerHQ, Rank: 0},
	"t.draft": {Name: "t.draft", Version: 1, Entity: "draft", Owner: data.OwnerHQ, Rank: 0},
}

func testDescribe(name string, version int, raw []byte) (data.Described, error) {
	spec, ok := testSpecs[name]
	if !ok || version != spec.Version {
		return data.Described{}, &data.Error{Code: data.EINVALID, Key: "err.sync.unknown_mutation"}
	}
	var p testPayload
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil || dec.More() || p.ID == "" {
		return data.Described{}, &data.Error{Code: data.EINVALID, Key: "err.sync.payload"}
	}
	if spec.Owner == data.OwnerOffice && p.OfficeID == "" {
		return data.Described{}, &data.Error{Code: data.EINVALID, Key: "err.sync.payload"}
	}
	return data.Described{Spec: spec, RecordID: p.ID, OfficeID: p.OfficeID, Refs: p.Refs, Draft: name == "t.draft"}, nil
}

func mut(seq int64, name string, p testPayload) hqsync.Mutation {
	b, _ := json.Marshal(p)
	sum := sha256.Sum256(b)
	return hqsync.Mutation{Seq: seq, Name: name, Version: 1, RecordID: p.ID, Payload: b, Hash: hex.EncodeToString(sum[:]), CreatedAt: 1}
}

var clock int64 = 1_765_000_000_000

// enrolled makes an office and enrolls a device into it.
func enrolled(t testing.TB, s Store, officeCode, deviceID, role string) Device {
	t.Helper()
	ctx := context.Background()
	officeID := HQOfficeID
	if role == hqsync.RoleOffice {
		o, err := s.OfficeByCode(ctx, officeCode)
		if err != nil {
			o, err = s.AddOffice(ctx, officeCode, officeCode+" office", clock)
			if err != nil {
				t.Fatal(err)
			}
		}
		officeID = o.ID
	}
	codeHash := hashHex("code-" + deviceID)
	if err := s.AddEnrollCode(ctx, codeHash, officeID, role, clock, clock+3600_000); err != nil {
		t.Fatal(err)
	}
	d, _, err := s.Enroll(ctx, EnrollInput{CodeHash: codeHash, DeviceID: deviceID, InstallEpoch: 1, DeviceName: "desk", SecretHash: hashHex("secret"), Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func withPayload(m hqsync.Mutation, p []byte) hqsync.Mutation {
	m.Payload = p
	m.Hash = hashHex(string(p))
	return m
}

func hashHex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func push(t testing.TB, s Store, d Device, epoch int64, ms ...hqsync.Mutation) hqsync.PushResponse {
	t.Helper()
	out, err := s.Push(context.Background(), d, &hqsync.PushRequest{DeviceID: d.ID, InstallEpoch: epoch, Mutations: ms}, testDescribe, clock)
	if err != nil {
		t.Fatal(err)
	}
	return out.Response
}

func statuses(r hqsync.PushResponse) string {
	s := ""
	for _, x := range r.Results {
		s += fmt.Sprintf("%d:%s ", x.Seq, x.Status)
		if x.Error != nil {
			s += "(" + x.Error.Key + ") "
		}
	}
	return fmt.Sprintf("%slast=%d resend=%d", s, r.LastSeq, r.ResendFrom)
}

func TestPush(t *testing.T) {
	backends(t, func(t *testing.T, s *SQLStore) {
		a := enrolled(t, s, "SH01", "dev-a", hqsync.RoleOffice)
		b := enrolled(t, s, "SH02", "dev-b", hqsync.RoleOffice)
		hqDev := enrolled(t, s, "", "dev-hq", hqsync.RoleHQ)
		if a.Tag != "A" || b.Tag != "A" || hqDev.OfficeID != HQOfficeID {
			t.Fatalf("tags %q %q office %q", a.Tag, b.Tag, hqDev.OfficeID)
		}
		offA := a.OfficeID
		thing := func(seq int64, id string, refs ...data.Ref) hqsync.Mutation {
			return mut(seq, "t.thing", testPayload{ID: id, OfficeID: offA, Refs: refs})
		}
		bad := thing(9, "x")
		bad.Hash = hashHex("other")
		tampered := thing(2, "t2")
		tampered.Payload = []byte(`{"id":"t2","office_id":"` + offA + `","note":"changed"}`)
		tampered.Hash = hashHex(string(tampered.Payload))

		steps := []struct {
			name  string
			dev   Device
			epoch int64
			muts  []hqsync.Mutation
			want  string
		}{
			{"applied", a, 1, []hqsync.Mutation{thing(1, "t1"), thing(2, "t2")}, "1:applied 2:applied last=2 resend=0"},
			{"duplicate retry", a, 1, []hqsync.Mutation{thing(1, "t1"), thing(2, "t2"), thing(3, "t3")}, "1:duplicate 2:duplicate 3:applied last=3 resend=0"},
			{"reused seq, other hash: integrity stops the batch", a, 1, []hqsync.Mutation{tampered, thing(4, "t4")}, "2:integrity (err.sync.integrity) last=3 resend=0"},
			{"gap: resend from", a, 1, []hqsync.Mutation{thing(6, "t6")}, "last=3 resend=4"},
			{"rejections do not block", a, 1, []hqsync.Mutation{
				mut(4, "t.thing", testPayload{ID: "f1", OfficeID: b.OfficeID}), // another office
				mut(5, "t.ref", testPayload{ID: "r1"}),                         // HQ-owned from an office
				thing(6, "t6", data.Ref{Entity: "thing", ID: "nope"}),          // missing ref
				mut(7, "t.nope", testPayload{ID: "n"}),                         // unknown mutation
				thing(8, "t8", data.Ref{Entity: "thing", ID: "t1"}),            // ref ok
			}, "4:rejected (err.sync.other_office) 5:rejected (err.sync.hq_owned) 6:rejected (err.sync.missing_ref) 7:rejected (err.sync.unknown_mutation) 8:applied last=8 resend=0"},
			{"bad hash rejected, seq advances", a, 1, []hqsync.Mutation{bad}, "9:rejected (err.sync.hash) last=9 resend=0"},
			{"what the database cannot store is rejected, not failed", a, 1, []hqsync.Mutation{
				withPayload(thing(10, "u1"), []byte("{\"id\":\"u1\",\"office_id\":\""+offA+"\",\"note\":\"\xff\xfe\"}")),
				func() hqsync.Mutation { m := thing(11, "u2"); m.Name = "t.thing\xff"; return m }(),
				thing(12, strings.Repeat("x", 300)),
				thing(13, "u4"),
			}, "10:rejected (err.sync.payload) 11:rejected (err.sync.payload) 12:rejected (err.sync.payload) 13:applied last=13 resend=0"},
			{"a new install epoch starts a new seq space", a, 2, []hqsync.Mutation{thing(1, "e2")}, "1:applied last=1 resend=0"},
			{"ref to another office's record refused", b, 1, []hqsync.Mutation{
				mut(1, "t.thing", testPayload{ID: "b1", OfficeID: b.OfficeID, Refs: []data.Ref{{Entity: "thing", ID: "t1"}}})}, "1:rejected (err.sync.missing_ref) last=1 resend=0"},
			{"overwriting another office's record refused", b, 1, []hqsync.Mutation{
				mut(2, "t.thing", testPayload{ID: "t1", OfficeID: b.OfficeID})}, "2:rejected (err.sync.other_office) last=2 resend=0"},
			{"HQ device writes global", hqDev, 1, []hqsync.Mutation{mut(1, "t.ref", testPayload{ID: "r1"}), thing(2, "hq-office")}, "1:applied 2:rejected (err.sync.office_owned) last=2 resend=0"},
			{"office refers to global", b, 1, []hqsync.Mutation{
				mut(3, "t.thing", testPayload{ID: "b3", OfficeID: b.OfficeID, Refs: []data.Ref{{Entity: "ref", ID: "r1"}}})}, "3:applied last=3 resend=0"},
		}
		for _, st := range steps {
			got := statuses(push(t, s, st.dev, st.epoch, st.muts...))
			if got != st.want {
				t.Errorf("%s:\n got %s\nwant %s", st.name, got, st.want)
			}
		}
		// Office A's scope holds t1 t2 t3 t8 e2 in order 1..5, densely.
		pages, err := s.Pull(context.Background(), map[string]int64{hqsync.OfficeScope(offA): 0, "global": 0}, 100)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for i, c := range pages[hqsync.OfficeScope(offA)].Changes {
			if c.Seq != int64(i+1) {
				t.Errorf("seq %d at %d", c.Seq, i)
			}
			ids = append(ids, c.RecordID)
		}
		if fmt.Sprint(ids) != "[t1 t2 t3 t8 u4 e2]" {
			t.Errorf("office A log %v", ids)
		}
		if g := pages["global"]; len(g.Changes) != 1 || g.Head != 1 || g.Changes[0].RecordID != "r1" {
			t.Errorf("global %+v", g)
		}
		rej, err := s.Rejections(context.Background(), offA, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(rej) != 8 {
			t.Errorf("office A rejections %d, want 8", len(rej))
		}
		devs, err := s.Devices(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range devs {
			if d.ID == a.ID && (d.LastSeq != 1 || d.InstallEpoch != 2) {
				t.Errorf("device a: last %d epoch %d", d.LastSeq, d.InstallEpoch)
			}
		}
	})
}

func TestPullPagesAndResync(t *testing.T) {
	backends(t, func(t *testing.T, s *SQLStore) {
		ctx := context.Background()
		a := enrolled(t, s, "SH01", "dev-a", hqsync.RoleOffice)
		scope := hqsync.OfficeScope(a.OfficeID)
		var ms []hqsync.Mutation
		for i := int64(1); i <= 25; i++ {
			ms = append(ms, mut(i, "t.thing", testPayload{ID: fmt.Sprint("r", i), OfficeID: a.OfficeID}))
		}
		push(t, s, a, 1, ms...)
		cursor := int64(0)
		var seen []int64
		for pages := 0; ; pages++ {
			p, err := s.Pull(ctx, map[string]int64{scope: cursor}, 7)
			if err != nil {
				t.Fatal(err)
			}
			pg := p[scope]
			for _, c := range pg.Changes {
				seen = append(seen, c.Seq)
			}
			if pg.Head != 25 || pg.Resync {
				t.Fatalf("page %+v", pg)
			}
			cursor = pg.Next
			if !pg.More {
				if pages != 3 {
					t.Errorf("pages %d, want 4 of 7", pages+1)
				}
				break
			}
		}
		for i, seq := range seen {
			if seq != int64(i+1) {
				t.Fatalf("seen %v", seen)
			}
		}
		if len(seen) != 25 {
			t.Fatalf("seen %d", len(seen))
		}
		// Above head (HQ restored from an older backup): resync.
		p, _ := s.Pull(ctx, map[string]int64{scope: 30}, 10)
		if !p[scope].Resync {
			t.Errorf("cursor above head: %+v", p[scope])
		}
		// Purge everything written before now+1: horizon 25.
		n, err := s.Purge(ctx, clock+1)
		if err != nil || n != 25 {
			t.Fatalf("purge %d %v", n, err)
		}
		for _, tc := range []struct {
			cursor int64
			resync bool
		}{{0, true}, {24, true}, {25, false}} {
			p, _ := s.Pull(ctx, map[string]int64{scope: tc.cursor}, 10)
			if p[scope].Resync != tc.resync {
				t.Errorf("cursor %d after purge: %+v", tc.cursor, p[scope])
			}
		}
		// The records are still in the snapshot.
		var got int64
		if _, err := s.Snapshot(ctx, scope, func(h hqsync.SnapshotHeader) error {
			got = h.Count
			if h.Cursor != 25 {
				t.Errorf("snapshot cursor %d", h.Cursor)
			}
			return nil
		}, func(hqsync.Change) error { return nil }); err != nil {
			t.Fatal(err)
		}
		if got != 25 {
			t.Errorf("snapshot count %d", got)
		}
	})
}

func TestSnapshotConsistentUnderWrites(t *testing.T) {
	backends(t, func(t *testing.T, s *SQLStore) {
		ctx := context.Background()
		a := enrolled(t, s, "SH01", "dev-a", hqsync.RoleOffice)
		scope := hqsync.OfficeScope(a.OfficeID)
		seq := int64(0)
		batch := func(n int) {
			var ms []hqsync.Mutation
			for i := 0; i < n; i++ {
				seq++
				name, rank := "t.thing", 2
				if seq%3 == 0 {
					name, rank = "t.staff", 1
				}
				_ = rank
				ms = append(ms, mut(seq, name, testPayload{ID: fmt.Sprint("r", seq%40), OfficeID: a.OfficeID, Note: fmt.Sprint(seq)}))
			}
			push(t, s, a, 1, ms...)
		}
		batch(60)
		done := make(chan struct{})
		go func() {
			defer close(done)
			for i := 0; i < 20; i++ {
				batch(5)
			}
		}()
		for round := 0; round < 5; round++ {
			var hdr hqsync.SnapshotHeader
			var lines []hqsync.Change
			n, err := s.Snapshot(ctx, scope, func(h hqsync.SnapshotHeader) error { hdr = h; return nil },
				func(c hqsync.Change) error {
					lines = append(lines, c)
					time.Sleep(100 * time.Microsecond) // let writers in meanwhile
					return nil
				})
			if err != nil {
				t.Fatal(err)
			}
			if n != hdr.Count || int64(len(lines)) != n {
				t.Fatalf("header count %d, sent %d", hdr.Count, n)
			}
			ranks := map[string]int{"t.staff": 1, "t.thing": 2}
			seen := map[string]bool{}
			for i, c := range lines {
				if c.Seq > hdr.Cursor {
					t.Fatalf("record at seq %d after the snapshot's cursor %d", c.Seq, hdr.Cursor)
				}
				if seen[c.RecordID+c.Name] {
					t.Fatalf("record %s twice", c.RecordID)
				}
				seen[c.RecordID+c.Name] = true
				if i > 0 {
					p := lines[i-1]
					if ranks[p.Name] > ranks[c.Name] || (ranks[p.Name] == ranks[c.Name] && p.Seq > c.Seq) {
						t.Fatalf("order: %s/%d before %s/%d", p.Name, p.Seq, c.Name, c.Seq)
					}
				}
			}
		}
		<-done
	})
}

func TestEnrollment(t *testing.T) {
	backends(t, func(t *testing.T, s *SQLStore) {
		ctx := context.Background()
		off, err := s.AddOffice(ctx, "sh01", "上海一号案场", clock)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddOffice(ctx, "SH01", "again", clock); data.ErrorCode(err) != data.ECONFLICT {
			t.Fatalf("duplicate office code: %v", err)
		}
		code := func(name string, ttl int64) string {
			h := hashHex(name)
			if err := s.AddEnrollCode(ctx, h, off.ID, hqsync.RoleOffice, clock, clock+ttl); err != nil {
				t.Fatal(err)
			}
			return h
		}
		enroll := func(codeHash, dev string, hist bool, now int64) (Device, error) {
			in := EnrollInput{CodeHash: codeHash, DeviceID: dev, InstallEpoch: 1, DeviceName: "d", SecretHash: hashHex(dev), Now: now}
			if hist {
				in.Standalone = &hqsync.StandaloneOffice{OfficeID: "own-" + dev, OfficeCode: "X", HasHistory: true}
			}
			d, _, err := s.Enroll(ctx, in)
			return d, err
		}
		key := func(err error) string {
			if e, ok := data.AsError(err); ok {
				return e.Key
			}
			if err != nil {
				return err.Error()
			}
			return ""
		}
		c1, c2, c3, c4, c5, c6 := code("c1", 1000), code("c2", 1000), code("c3", 1000), code("c4", 1000), code("c5", 1000), code("c6", 1000)
		cases := []struct {
			name      string
			code, dev string
			hist      bool
			now       int64
			wantKey   string
			wantTag   string
		}{
			{"unknown code", hashHex("nope"), "d1", false, clock, "err.sync.code_invalid", ""},
			{"expired", c1, "d1", false, clock + 1000, "err.sync.code_expired", ""},
			{"first device with history", c1, "d1", true, clock, "", "A"},
			{"code used twice", c1, "d2", false, clock, "err.sync.code_used", ""},
			{"second device with other history refused", c2, "d2", true, clock, "err.sync.office_has_history", ""},
			{"second device without history", c3, "d2", false, clock, "", "B"},
			{"same device re-enrolls, keeps its tag", c4, "d1", true, clock, "", "A"},
		}
		for _, tc := range cases {
			d, err := enroll(tc.code, tc.dev, tc.hist, tc.now)
			if key(err) != tc.wantKey || d.Tag != tc.wantTag {
				t.Errorf("%s: tag %q err %v", tc.name, d.Tag, err)
			}
		}
		// A device that already pushed history: a newcomer with history is refused.
		other, _ := s.AddOffice(ctx, "SH02", "二号", clock)
		h := hashHex("o1")
		s.AddEnrollCode(ctx, h, other.ID, hqsync.RoleOffice, clock, clock+1000)
		d3, _, err := s.Enroll(ctx, EnrollInput{CodeHash: h, DeviceID: "d3", InstallEpoch: 1, SecretHash: "x", Now: clock})
		if err != nil {
			t.Fatal(err)
		}
		push(t, s, d3, 1, mut(1, "t.thing", testPayload{ID: "x", OfficeID: other.ID}))
		h2 := hashHex("o2")
		s.AddEnrollCode(ctx, h2, other.ID, hqsync.RoleOffice, clock, clock+1000)
		if _, err := enroll(h2, "d4", true, clock); key(err) != "err.sync.office_has_history" {
			t.Errorf("history into an office with records: %v", err)
		}
		// HQ's own records in an office (an HQ device's) are not history.
		third, _ := s.AddOffice(ctx, "SH03", "三号", clock)
		hqDev := enrolled(t, s, "", "dev-hq", hqsync.RoleHQ)
		if r := push(t, s, hqDev, 1, mut(1, "t.ref", testPayload{ID: "sh03-setup", OfficeID: third.ID})); r.Results[0].Scope != hqsync.OfficeScope(third.ID) {
			t.Fatalf("HQ-owned office record: %+v", r)
		}
		h4 := hashHex("o4")
		s.AddEnrollCode(ctx, h4, third.ID, hqsync.RoleOffice, clock, clock+1000)
		if _, err := enroll(h4, "d5", true, clock); err != nil {
			t.Errorf("history into an office holding only HQ's records: %v", err)
		}
		// Into another office with the same device id: refused.
		h3 := hashHex("o3")
		s.AddEnrollCode(ctx, h3, other.ID, hqsync.RoleOffice, clock, clock+1000)
		if _, err := enroll(h3, "d1", false, clock); key(err) != "err.sync.device_other_office" {
			t.Errorf("device into another office: %v", err)
		}
		_ = c5
		_ = c6
		// Revocation.
		if err := s.Revoke(ctx, "d2", clock); err != nil {
			t.Fatal(err)
		}
		d2, _ := s.Device(ctx, "d2")
		if d2.RevokedAt == 0 {
			t.Error("not revoked")
		}
		if _, err := s.Push(ctx, d2, &hqsync.PushRequest{DeviceID: "d2", InstallEpoch: 1}, testDescribe, clock); data.ErrorCode(err) != hqsync.CodeRevoked {
			t.Errorf("push from a revoked device: %v", err)
		}
		if err := s.Revoke(ctx, "nobody", clock); data.ErrorCode(err) != data.ENOTFOUND {
			t.Errorf("revoke unknown: %v", err)
		}
	})
}

func TestTagNames(t *testing.T) {
	for i, want := range map[int]string{0: "A", 25: "Z", 26: "AA", 27: "AB", 51: "AZ", 52: "BA"} {
		if got := tagName(i); got != want {
			t.Errorf("tagName(%d) = %s, want %s", i, got, want)
		}
	}
}

func TestBlobs(t *testing.T) {
	backends(t, func(t *testing.T, s *SQLStore) {
		ctx := context.Background()
		blob := bytes.Repeat([]byte("photo-"), 50_000) // 300 kB
		sha := hashHex(string(blob))
		n := int64(len(blob))
		if st, _ := s.BlobState(ctx, sha); st.Offset != 0 || st.Complete {
			t.Fatalf("fresh %+v", st)
		}
		if _, err := s.BlobAppend(ctx, sha, 100, n, blob[:10], clock); data.ErrorCode(err) != data.ECONFLICT {
			t.Fatalf("wrong first offset: %v", err)
		}
		st, err := s.BlobAppend(ctx, sha, 0, n, blob[:100_000], clock)
		if err != nil || st.Offset != 100_000 || st.Complete {
			t.Fatalf("%+v %v", st, err)
		}
		var buf bytes.Buffer
		if _, err := s.BlobRead(ctx, sha, &buf); data.ErrorCode(err) != data.ENOTFOUND {
			t.Fatalf("incomplete blob readable: %v", err)
		}
		if _, err := s.BlobAppend(ctx, sha, 50, n, blob[50:60], clock); data.ErrorCode(err) != data.ECONFLICT {
			t.Fatalf("overlapping chunk: %v", err)
		}
		if st, err = s.BlobAppend(ctx, sha, 100_000, n, blob[100_000:], clock); err != nil || !st.Complete {
			t.Fatalf("%+v %v", st, err)
		}
		if _, err := s.BlobRead(ctx, sha, &buf); err != nil || !bytes.Equal(buf.Bytes(), blob) {
			t.Fatalf("read back %d bytes %v", buf.Len(), err)
		}
		// A wrong hash discards the upload.
		bad := hashHex("something else")
		if _, err := s.BlobAppend(ctx, bad, 0, 10, []byte("0123456789"), clock); data.ErrorCode(err) != data.EINVALID {
			t.Fatalf("bad hash: %v", err)
		}
		if st, _ := s.BlobState(ctx, bad); st.Offset != 0 || st.Complete {
			t.Fatalf("bad upload kept: %+v", st)
		}
	})
}

// TestTipCatchesAnOvertakenRestore: a device's cursor comes with the tip of
// the change at it. When HQ's change at that seq is another one (HQ restored
// from an older backup, then other devices pushed past the cursor again),
// the pull answers resync; the cursor alone could not tell.
func TestTipCatchesAnOvertakenRestore(t *testing.T) {
	backends(t, func(t *testing.T, s *SQLStore) {
		ctx := context.Background()
		a := enrolled(t, s, "SH01", "dev-a", hqsync.RoleOffice)
		b := enrolled(t, s, "SH01", "dev-b", hqsync.RoleOffice)
		scope := hqsync.OfficeScope(a.OfficeID)
		for i := int64(1); i <= 4; i++ {
			push(t, s, a, 1, mut(i, "t.thing", testPayload{ID: fmt.Sprint("a", i), OfficeID: a.OfficeID}))
		}
		p, _ := s.PullTips(ctx, map[string]int64{scope: 0}, nil, 2)
		pg := p[scope]
		if pg.Next != 2 || pg.Tip == "" {
			t.Fatalf("page %+v", pg)
		}
		// The tip checks out: the next page follows.
		p, _ = s.PullTips(ctx, map[string]int64{scope: 2}, map[string]string{scope: pg.Tip}, 10)
		if p[scope].Resync || len(p[scope].Changes) != 2 || p[scope].Tip == pg.Tip {
			t.Fatalf("next page %+v", p[scope])
		}
		tip4 := p[scope].Tip
		// An empty pull at the head keeps the tip.
		p, _ = s.PullTips(ctx, map[string]int64{scope: 4}, map[string]string{scope: tip4}, 10)
		if p[scope].Resync || p[scope].Tip != tip4 {
			t.Fatalf("at head %+v", p[scope])
		}
		// Seq 2 now holds b's change (what a restore then b's push does).
		var hash string
		s.rdb.QueryRow(s.q(`SELECT hash FROM hq_changes WHERE scope = ? AND seq = 2`), scope).Scan(&hash)
		if _, err := s.db.Exec(s.q(`UPDATE hq_changes SET origin_device = ?, origin_seq = 1 WHERE scope = ? AND seq = 2`), b.ID, scope); err != nil {
			t.Fatal(err)
		}
		p, _ = s.PullTips(ctx, map[string]int64{scope: 2}, map[string]string{scope: pg.Tip}, 10)
		if !p[scope].Resync {
			t.Fatalf("overtaken cursor not caught: %+v", p[scope])
		}
		p, _ = s.PullTips(ctx, map[string]int64{scope: 2}, nil, 10)
		if p[scope].Resync {
			t.Fatalf("without a tip there is nothing to check: %+v", p[scope])
		}
		// At the horizon the row is purged; its tip is kept with it.
		if _, err := s.Purge(ctx, clock+1); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			tip    string
			resync bool
		}{{tip4, false}, {pg.Tip, true}, {"", false}} {
			p, _ = s.PullTips(ctx, map[string]int64{scope: 4}, map[string]string{scope: tc.tip}, 10)
			if p[scope].Resync != tc.resync {
				t.Errorf("at the horizon with tip %q: %+v", tc.tip, p[scope])
			}
		}
		var hdr hqsync.SnapshotHeader
		s.Snapshot(ctx, scope, func(h hqsync.SnapshotHeader) error { hdr = h; return nil }, func(hqsync.Change) error { return nil })
		if hdr.Cursor != 4 || hdr.Tip != tip4 {
			t.Errorf("snapshot header %+v, want tip %s", hdr, tip4)
		}
	})
}

// A born-once record HQ already holds, pushed again by the device that made
// it under a new seq (a renumbered outbox, a new install epoch), is
// acknowledged as a duplicate of the change HQ holds and not logged again;
// a changed payload, a replaced record or another device's push is applied.
// Within one push, the same record twice is written as sequential
// application would: the last wins.
func TestBornOnceRecordAgain(t *testing.T) {
	backends(t, func(t *testing.T, s *SQLStore) {
		ctx := context.Background()
		a := enrolled(t, s, "SH01", "dev-a", hqsync.RoleOffice)
		b := enrolled(t, s, "SH01", "dev-b", hqsync.RoleOffice)
		off := a.OfficeID
		thing := func(seq int64, id, note string) hqsync.Mutation {
			return mut(seq, "t.thing", testPayload{ID: id, OfficeID: off, Note: note})
		}
		staff := func(seq int64, id, note string) hqsync.Mutation {
			return mut(seq, "t.staff", testPayload{ID: id, OfficeID: off, Note: note})
		}
		type step struct {
			name  string
			dev   Device
			epoch int64
			muts  []hqsync.Mutation
			want  string // statuses with the scope seq of each result
		}
		steps := []step{
			{"first", a, 1, []hqsync.Mutation{thing(1, "t1", "x"), staff(2, "s1", "x")}, "1:applied@1 2:applied@2 last=2"},
			{"renumbered under a new epoch", a, 2, []hqsync.Mutation{thing(1, "t1", "x"), staff(2, "s1", "x")}, "1:duplicate@1 2:applied@3 last=2"},
			{"its retry", a, 2, []hqsync.Mutation{thing(1, "t1", "x"), staff(2, "s1", "x")}, "1:duplicate@1 2:duplicate@3 last=2"},
			{"the same record under a new seq in the same epoch", a, 2, []hqsync.Mutation{thing(3, "t1", "x")}, "3:duplicate@1 last=3"},
			{"changed payload applied", a, 2, []hqsync.Mutation{thing(4, "t1", "y")}, "4:applied@4 last=4"},
			{"another device's applied", b, 1, []hqsync.Mutation{thing(1, "t1", "y")}, "1:applied@5 last=1"},
			{"twice in one push: once", a, 2, []hqsync.Mutation{thing(5, "t2", "x"), thing(6, "t2", "x"), staff(7, "s2", "x"), staff(8, "s2", "z")},
				"5:applied@6 6:duplicate@6 7:applied@7 8:applied@8 last=8"},
			{"retry of that push", a, 2, []hqsync.Mutation{thing(5, "t2", "x"), thing(6, "t2", "x"), staff(7, "s2", "x"), staff(8, "s2", "z")},
				"5:duplicate@6 6:duplicate@6 7:duplicate@7 8:duplicate@8 last=8"},
		}
		for _, st := range steps {
			r := push(t, s, st.dev, st.epoch, st.muts...)
			got := ""
			for _, x := range r.Results {
				got += fmt.Sprintf("%d:%s@%d ", x.Seq, x.Status, x.ScopeSeq)
			}
			got += fmt.Sprintf("last=%d", r.LastSeq)
			if got != st.want {
				t.Errorf("%s:\n got %s\nwant %s", st.name, got, st.want)
			}
		}
		scope := hqsync.OfficeScope(off)
		pages, err := s.Pull(ctx, map[string]int64{scope: 0}, 100)
		if err != nil {
			t.Fatal(err)
		}
		var log []string
		for _, c := range pages[scope].Changes {
			log = append(log, fmt.Sprintf("%d:%s", c.Seq, c.RecordID))
		}
		if want := "[1:t1 2:s1 3:s1 4:t1 5:t1 6:t2 7:s2 8:s2]"; fmt.Sprint(log) != want {
			t.Errorf("log %v, want %s", log, want)
		}
		recs := map[string]string{}
		if _, err := s.Snapshot(ctx, scope, func(hqsync.SnapshotHeader) error { return nil }, func(c hqsync.Change) error {
			var p testPayload
			json.Unmarshal(c.Payload, &p)
			recs[c.RecordID] = fmt.Sprintf("%s@%d", p.Note, c.Seq)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if want := "map[s1:x@3 s2:z@8 t1:y@5 t2:x@6]"; fmt.Sprint(recs) != want {
			t.Errorf("records %v, want %s", recs, want)
		}
	})
}

// A push of any size is written whole: SQLite writes it in prepared
// statements of 100, 10 and 1 rows, PostgreSQL in one statement.
func TestPushSizes(t *testing.T) {
	backends(t, func(t *testing.T, s *SQLStore) {
		a := enrolled(t, s, "SH01", "dev-a", hqsync.RoleOffice)
		seq := int64(0)
		for _, n := range []int{1, 9, 10, 11, 123, 500} {
			var ms []hqsync.Mutation
			for i := 0; i < n; i++ {
				seq++
				ms = append(ms, mut(seq, "t.thing", testPayload{ID: fmt.Sprint("r", seq), OfficeID: a.OfficeID}))
			}
			r := push(t, s, a, 1, ms...)
			if len(r.Results) != n || r.LastSeq != seq {
				t.Fatalf("push of %d: %d results, last %d", n, len(r.Results), r.LastSeq)
			}
			for i, x := range r.Results {
				if want := seq - int64(n) + int64(i) + 1; x.Status != hqsync.StatusApplied || x.ScopeSeq != want {
					t.Fatalf("push of %d: result %d %s at %d, want applied at %d", n, i, x.Status, x.ScopeSeq, want)
				}
			}
		}
		scope := hqsync.OfficeScope(a.OfficeID)
		var recs int64
		if _, err := s.Snapshot(context.Background(), scope, func(h hqsync.SnapshotHeader) error { recs = h.Count; return nil },
			func(hqsync.Change) error { return nil }); err != nil {
			t.Fatal(err)
		}
		if recs != seq {
			t.Errorf("%d records, want %d", recs, seq)
		}
	})
}
