package data

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// rotStep is one thing that happens at the desk.
//
//	do: a RotationAction (join, leave, busy, available, skip, makeup, or
//	    anything else to test refusal) on who;
//	    "checkin": visitor checks in and is given to who by hand;
//	    "auto": visitor checks in with AutoAssign, want is who gets them
//	    ("-" for no one);
//	    "checkout": visitor's latest visit ends;
//	    "reassign": visitor's latest visit is given to who instead;
//	    "look": nothing happens (only queue is checked).
//
// queue, when set, is the expected queue afterwards (see renderQueue).
type rotStep struct {
	do, who, visitor, want string
	by                     string // acting staff name; "" is the admin
	code                   string // expected error code
	queue                  string
}

// renderQueue writes the queue as space-separated entries:
// name, ^ when owed a make-up turn, * for Next, :busy or :off, /n served.
func renderQueue(q []RotationEntry) string {
	var parts []string
	for _, e := range q {
		p := e.Name
		if e.Makeup {
			p += "^"
		}
		if e.Next {
			p += "*"
		}
		if e.Status != StatusAvailable {
			p += ":" + e.Status
		}
		if e.Served > 0 {
			p += fmt.Sprintf("/%d", e.Served)
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, " ")
}

// rotWorld runs rotSteps on a store with consultants 甲 乙 丙 丁.
type rotWorld struct {
	t      *testing.T
	s      *Store
	clk    *testClock
	ids    map[string]string // name → staff id
	names  map[string]string // staff id → name
	phones map[string]string // visitor label → phone
	visits map[string]string // visitor label → latest visit id
}

func newRotWorld(t *testing.T) *rotWorld {
	s, admin, clk := newTestStore(t)
	w := &rotWorld{t: t, s: s, clk: clk, ids: map[string]string{"管理员": admin.ID}, names: map[string]string{admin.ID: "管理员"},
		phones: map[string]string{}, visits: map[string]string{}}
	for _, n := range []string{"甲", "乙", "丙", "丁"} {
		c := mustStaff(t, s, admin, n, RoleConsultant, "")
		w.ids[n], w.names[c.ID] = c.ID, n
	}
	return w
}

func (w *rotWorld) queue() string {
	w.t.Helper()
	q, err := w.s.Rotation(context.Background(), w.s.Today())
	if err != nil {
		w.t.Fatal(err)
	}
	nexts := 0
	for _, e := range q {
		if e.Next {
			nexts++
			if e.Status != StatusAvailable {
				w.t.Fatalf("Next on a %s consultant", e.Status)
			}
		}
	}
	if nexts > 1 {
		w.t.Fatalf("%d entries marked Next", nexts)
	}
	return renderQueue(q)
}

func (w *rotWorld) run(steps []rotStep) {
	t := w.t
	t.Helper()
	ctx := context.Background()
	for i, st := range steps {
		w.clk.Advance(time.Minute)
		by := w.ids["管理员"]
		if st.by != "" {
			by = w.ids[st.by]
		}
		var err error
		switch st.do {
		case "checkin", "auto":
			phone, ok := w.phones[st.visitor]
			if !ok {
				phone = testPhone(len(w.phones))
				w.phones[st.visitor] = phone
			}
			in := desk(t, w.s, "客"+st.visitor, phone)
			if st.do == "checkin" {
				in.ConsultantID = w.ids[st.who]
			} else {
				in.AutoAssign = true
			}
			var v Visit
			v, err = w.s.CheckIn(ctx, by, in)
			if err == nil {
				w.visits[st.visitor] = v.ID
				got := w.names[v.ConsultantID]
				if v.ConsultantID == "" {
					got = "-"
				}
				want := st.want
				if st.do == "checkin" {
					want = st.who
				}
				if got != want {
					t.Fatalf("step %d (%s %s): assigned to %s, want %s", i, st.do, st.visitor, got, want)
				}
			}
		case "checkout":
			err = w.s.CheckOut(ctx, by, w.visits[st.visitor])
		case "reassign":
			err = w.s.Assign(ctx, by, w.visits[st.visitor], w.ids[st.who])
		case "look":
		default:
			who, ok := w.ids[st.who]
			if !ok {
				who = st.who
			}
			err = w.s.RotationAction(ctx, by, who, st.do)
		}
		if got := ErrorCode(err); got != st.code {
			t.Fatalf("step %d (%s %s%s): error %v, want code %q", i, st.do, st.who, st.visitor, err, st.code)
		}
		if st.queue != "" {
			if got := w.queue(); got != st.queue {
				t.Fatalf("step %d (%s %s%s): queue\n got %s\nwant %s", i, st.do, st.who, st.visitor, got, st.queue)
			}
		}
	}
}

func join(names ...string) []rotStep {
	var out []rotStep
	for _, n := range names {
		out = append(out, rotStep{do: RotJoin, who: n})
	}
	return out
}

func TestRotation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		steps []rotStep
	}{
		{"join order", append(join("丙", "甲", "乙"),
			rotStep{do: "look", queue: "丙* 甲 乙"}, rotStep{do: RotJoin, who: "丁", queue: "丙* 甲 乙 丁"})},
		{"assign by hand moves to the end, busy", append(join("甲", "乙", "丙"),
			rotStep{do: "checkin", visitor: "A", who: "甲", queue: "乙* 丙 甲:busy/1"},
			rotStep{do: "checkin", visitor: "B", who: "丙", queue: "乙* 甲:busy/1 丙:busy/1"},
		)},
		{"auto assign takes the next in turn", append(join("甲", "乙", "丙"),
			rotStep{do: "auto", visitor: "A", want: "甲", queue: "乙* 丙 甲:busy/1"},
			rotStep{do: "auto", visitor: "B", want: "乙", queue: "丙* 甲:busy/1 乙:busy/1"},
			rotStep{do: "auto", visitor: "C", want: "丙", queue: "甲:busy/1 乙:busy/1 丙:busy/1"},
			rotStep{do: "auto", visitor: "D", want: "-", queue: "甲:busy/1 乙:busy/1 丙:busy/1"}, // no one free: waits
			rotStep{do: "checkout", visitor: "B", queue: "甲:busy/1 乙*/1 丙:busy/1"},
			rotStep{do: "auto", visitor: "E", want: "乙", queue: "甲:busy/1 丙:busy/1 乙:busy/2"},
		)},
		{"auto assign with no one on duty waits", []rotStep{
			{do: "auto", visitor: "A", want: "-", queue: ""},
		}},
		{"check-out frees the consultant after the last visitor", append(join("甲", "乙"),
			rotStep{do: "auto", visitor: "A", want: "甲"},
			rotStep{do: "checkin", visitor: "B", who: "甲", queue: "乙* 甲:busy/2"},
			rotStep{do: "checkout", visitor: "A", queue: "乙* 甲:busy/2"},
			rotStep{do: "checkout", visitor: "B", queue: "乙* 甲/2"},
			rotStep{do: "auto", visitor: "C", want: "乙", queue: "甲*/2 乙:busy/1"},
		)},
		{"reassigning frees the first consultant", append(join("甲", "乙", "丙"),
			rotStep{do: "auto", visitor: "A", want: "甲", queue: "乙* 丙 甲:busy/1"},
			rotStep{do: "reassign", visitor: "A", who: "乙", queue: "丙* 甲/1 乙:busy/1"},
			rotStep{do: "reassign", visitor: "A", who: "乙", queue: "丙* 甲/1 乙:busy/1"}, // same one: nothing happens
			rotStep{do: "checkin", visitor: "B", who: "丙"},
			rotStep{do: "checkin", visitor: "C", who: "丙", queue: "甲*/1 乙:busy/1 丙:busy/2"},
			rotStep{do: "reassign", visitor: "C", who: "甲", queue: "乙:busy/1 丙:busy/2 甲:busy/2"}, // 丙 still has B
			rotStep{do: "checkout", visitor: "B", queue: "乙:busy/1 丙*/2 甲:busy/2"},
		)},
		{"reassigning from someone off duty leaves them off", append(join("甲", "乙"),
			rotStep{do: "auto", visitor: "A", want: "甲"},
			rotStep{do: RotLeave, who: "甲"},
			rotStep{do: "reassign", visitor: "A", who: "乙", queue: "乙:busy/1 甲:off/1"},
		)},
		{"own consultant takes a returning visitor without using a turn", append(join("甲", "乙", "丙"),
			rotStep{do: "auto", visitor: "A", want: "甲", queue: "乙* 丙 甲:busy/1"},
			rotStep{do: "checkout", visitor: "A", queue: "乙* 丙 甲/1"},
			rotStep{do: RotSkip, who: "乙", queue: "丙* 甲/1 乙"},
			rotStep{do: "auto", visitor: "A", want: "甲", queue: "丙* 甲:busy/2 乙"}, // stays in the middle
			rotStep{do: "auto", visitor: "B", want: "丙", queue: "甲:busy/2 乙* 丙:busy/1"},
		)},
		{"own consultant busy still gets their customer", append(join("甲", "乙"),
			rotStep{do: "auto", visitor: "A", want: "甲"},
			rotStep{do: "checkout", visitor: "A"},
			rotStep{do: "auto", visitor: "B", want: "乙", queue: "甲*/1 乙:busy/1"},
			rotStep{do: RotBusy, who: "甲", queue: "甲:busy/1 乙:busy/1"},
			rotStep{do: "auto", visitor: "A", want: "甲", queue: "甲:busy/2 乙:busy/1"},
		)},
		{"own consultant given by hand is not a turn", append(join("甲", "乙"),
			rotStep{do: "auto", visitor: "A", want: "甲"},
			rotStep{do: "checkout", visitor: "A", queue: "乙* 甲/1"},
			rotStep{do: "checkin", visitor: "A", who: "甲", queue: "乙* 甲:busy/2"},
		)},
		{"own consultant off duty: next in turn", append(join("甲", "乙", "丙"),
			rotStep{do: "auto", visitor: "A", want: "甲"},
			rotStep{do: "checkout", visitor: "A"},
			rotStep{do: RotLeave, who: "甲", queue: "乙* 丙 甲:off/1"},
			rotStep{do: "auto", visitor: "A", want: "乙", queue: "丙* 乙:busy/1 甲:off/1"},
		)},
		{"skip moves to the end", append(join("甲", "乙", "丙"),
			rotStep{do: RotSkip, who: "甲", queue: "乙* 丙 甲"},
			rotStep{do: RotSkip, who: "丙", queue: "乙* 甲 丙"},
			rotStep{do: "auto", visitor: "A", want: "乙"},
		)},
		{"makeup moves to the front", append(join("甲", "乙", "丙"),
			rotStep{do: RotSkip, who: "甲", queue: "乙* 丙 甲"},
			rotStep{do: RotMakeup, who: "甲", queue: "甲^* 乙 丙"},
			rotStep{do: RotMakeup, who: "丙", queue: "丙^* 甲^ 乙"},
			rotStep{do: "auto", visitor: "A", want: "丙", queue: "甲^* 乙 丙:busy/1"},
			rotStep{do: RotSkip, who: "甲", queue: "乙* 丙:busy/1 甲"},
		)},
		{"busy is skipped, available keeps the place", append(join("甲", "乙", "丙"),
			rotStep{do: RotBusy, who: "甲", queue: "甲:busy 乙* 丙"},
			rotStep{do: "auto", visitor: "A", want: "乙", queue: "甲:busy 丙* 乙:busy/1"},
			rotStep{do: RotAvailable, who: "甲", queue: "甲* 丙 乙:busy/1"},
			rotStep{do: RotAvailable, who: "甲", queue: "甲* 丙 乙:busy/1"},
		)},
		{"leave goes off, listed last", append(join("甲", "乙", "丙"),
			rotStep{do: RotLeave, who: "甲", queue: "乙* 丙 甲:off"},
			rotStep{do: RotLeave, who: "乙", queue: "丙* 甲:off 乙:off"},
			rotStep{do: RotLeave, who: "丙", queue: "甲:off 乙:off 丙:off"},
			rotStep{do: "auto", visitor: "A", want: "-"},
		)},
		{"join after leave goes to the end", append(join("甲", "乙", "丙"),
			rotStep{do: RotLeave, who: "甲", queue: "乙* 丙 甲:off"},
			rotStep{do: RotJoin, who: "甲", queue: "乙* 丙 甲"},
			rotStep{do: RotMakeup, who: "乙"},
			rotStep{do: RotLeave, who: "乙"},
			rotStep{do: RotJoin, who: "乙", queue: "丙* 甲 乙"}, // make-up is lost on leaving
		)},
		{"busy consultant leaving and rejoining is available", append(join("甲", "乙"),
			rotStep{do: "auto", visitor: "A", want: "甲"},
			rotStep{do: RotLeave, who: "甲", queue: "乙* 甲:off/1"},
			rotStep{do: RotJoin, who: "甲", queue: "乙* 甲/1"},
		)},
		{"actions off duty are refused", append(join("甲"),
			rotStep{do: RotJoin, who: "甲", code: ECONFLICT},
			rotStep{do: RotBusy, who: "乙", code: ECONFLICT},
			rotStep{do: RotAvailable, who: "乙", code: ECONFLICT},
			rotStep{do: RotSkip, who: "乙", code: ECONFLICT},
			rotStep{do: RotMakeup, who: "乙", code: ECONFLICT},
			rotStep{do: RotLeave, who: "乙", code: ECONFLICT},
			rotStep{do: RotLeave, who: "甲", queue: "甲:off"},
			rotStep{do: RotLeave, who: "甲", code: ECONFLICT},
			rotStep{do: RotBusy, who: "甲", code: ECONFLICT},
			rotStep{do: RotAvailable, who: "甲", code: ECONFLICT},
			rotStep{do: RotSkip, who: "甲", code: ECONFLICT},
			rotStep{do: RotMakeup, who: "甲", code: ECONFLICT, queue: "甲:off"},
		)},
		{"invalid actions are refused", append(join("甲"),
			rotStep{do: "dance", who: "甲", code: EINVALID},
			rotStep{do: "", who: "甲", code: EINVALID},
			rotStep{do: RotAssign, who: "甲", code: EINVALID},
			rotStep{do: RotOwn, who: "甲", code: EINVALID},
			rotStep{do: "JOIN", who: "乙", code: EINVALID, queue: "甲*"},
		)},
		{"only consultants are in the rotation", []rotStep{
			{do: RotJoin, who: "管理员", code: EINVALID},
			{do: RotJoin, who: "nobody", code: ENOTFOUND},
			{do: RotJoin, who: "甲", by: "乙", code: EFORBIDDEN},
			{do: "checkin", visitor: "A", who: "管理员", code: EINVALID, queue: ""},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newRotWorld(t)
			w.run(tt.steps)
		})
	}
}

// TestRotationLog: every action is recorded with who did it and when.
func TestRotationLog(t *testing.T) {
	t.Parallel()
	w := newRotWorld(t)
	ctx := context.Background()
	start := w.clk.Now()
	w.run(append(join("甲", "乙"),
		rotStep{do: RotBusy, who: "甲"},               // 3
		rotStep{do: "auto", visitor: "A", want: "乙"}, // 4: assign
		rotStep{do: RotAvailable, who: "甲"},          // 5
		rotStep{do: "checkout", visitor: "A"},        // 6: 乙 available
		rotStep{do: RotSkip, who: "甲"},               // 7
		rotStep{do: RotMakeup, who: "乙"},             // 8
		rotStep{do: "auto", visitor: "A", want: "乙"}, // 9: own
		rotStep{do: RotLeave, who: "甲"},              // 10
		rotStep{do: RotJoin, who: "甲", code: ""},     // 11
		rotStep{do: RotJoin, who: "甲", code: ECONFLICT},
	))
	// A kiosk check-in assigns with no staff member acting.
	w.clk.Advance(time.Minute) // 13
	in := CheckInInput{Name: "王", Title: TitleMs, Phone: "13700000000", Purpose: PurposeViewing, Consent: true, Via: ViaKiosk, AutoAssign: true}
	v, err := w.s.CheckIn(ctx, "", in)
	mustOK(t, err)
	if w.names[v.ConsultantID] != "甲" {
		t.Fatalf("kiosk visitor given to %q", w.names[v.ConsultantID])
	}

	log, err := w.s.RotationLog(ctx, w.s.Today(), 100)
	mustOK(t, err)
	type entry struct {
		minute         int
		name, action   string
		by             string
		hasVisit       bool
		consultantByID string
	}
	var got []entry
	for _, e := range log {
		got = append(got, entry{int(e.At.Sub(start) / time.Minute), e.ConsultantName, e.Action, e.ByName, e.VisitID != "", w.names[e.ConsultantID]})
	}
	slices.Reverse(got) // the log is newest first
	want := []entry{
		{1, "甲", RotJoin, "管理员", false, "甲"},
		{2, "乙", RotJoin, "管理员", false, "乙"},
		{3, "甲", RotBusy, "管理员", false, "甲"},
		{4, "乙", RotAssign, "管理员", true, "乙"},
		{5, "甲", RotAvailable, "管理员", false, "甲"},
		{6, "乙", RotAvailable, "管理员", true, "乙"},
		{7, "甲", RotSkip, "管理员", false, "甲"},
		{8, "乙", RotMakeup, "管理员", false, "乙"},
		{9, "乙", RotOwn, "管理员", true, "乙"},
		{10, "甲", RotLeave, "管理员", false, "甲"},
		{11, "甲", RotJoin, "管理员", false, "甲"},
		{13, "甲", RotAssign, "", true, "甲"},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("log\n got %v\nwant %v", got, want)
	}
	limited, err := w.s.RotationLog(ctx, w.s.Today(), 3)
	mustOK(t, err)
	if len(limited) != 3 || limited[0].Action != RotAssign || limited[2].Action != RotLeave {
		t.Fatalf("limited log %+v", limited)
	}
	// Each day has its own queue and log.
	w.clk.Advance(24 * time.Hour)
	q, err := w.s.Rotation(ctx, w.s.Today())
	mustOK(t, err)
	log, err = w.s.RotationLog(ctx, w.s.Today(), 100)
	mustOK(t, err)
	if len(q) != 0 || len(log) != 0 {
		t.Fatalf("next day: queue %v log %v", q, log)
	}
	q, err = w.s.Rotation(ctx, w.s.Day(start))
	mustOK(t, err)
	if renderQueue(q) != "乙^:busy/2 甲:busy/1" { // taking an own customer keeps a make-up turn
		t.Fatalf("yesterday's queue %s", renderQueue(q))
	}
}
