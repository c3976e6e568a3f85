package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"anchang/assets"
	"anchang/data"
	hqsync "anchang/sync"
	"anchang/sync/hq"
)

// globalChanges reads HQ's global scope from its store.
func globalChanges(t *testing.T, dir string) []hqsync.Change {
	t.Helper()
	st, err := hq.OpenSQLite(context.Background(), filepath.Join(dir, "hq.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var out []hqsync.Change
	if _, err := st.Snapshot(context.Background(), hqsync.ScopeGlobal, func(hqsync.SnapshotHeader) error { return nil }, func(c hqsync.Change) error {
		out = append(out, c)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// officeDevice is a fresh office device loaded with HQ's global scope.
func officeDevice(t *testing.T, changes []hqsync.Change) *data.Store {
	t.Helper()
	ctx := context.Background()
	s, err := data.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	id, err := s.SyncIdentity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	office := "0193a2b4-0000-7000-8000-0000000000aa"
	if err := s.Enroll(ctx, data.Enrollment{HQURL: "https://hq.example", HQID: "x", DeviceID: id.DeviceID, OfficeID: office, OfficeCode: "SH01",
		OfficeName: "上海一号案场", Role: data.SyncRoleOffice, Tag: "A", Scopes: []string{"office:" + office, "global"}, Secret: "x"}); err != nil {
		t.Fatal(err)
	}
	var pulled []data.PulledChange
	for _, c := range changes {
		pulled = append(pulled, data.PulledChange{Seq: c.Seq, Name: c.Name, Version: c.Version, RecordID: c.RecordID, Payload: c.Payload, OriginDevice: c.OriginDevice, OriginSeq: c.OriginSeq})
	}
	i := 0
	if err := s.ApplySnapshot(ctx, "global", int64(len(changes)), "", func() (data.PulledChange, bool, error) {
		if i == len(pulled) {
			return data.PulledChange{}, false, nil
		}
		i++
		return pulled[i-1], true, nil
	}); err != nil {
		t.Fatal(err)
	}
	return s
}

// `anchang-hq import faq|template|holidays FILE` publishes to global, in
// the desk's formats, for every office; a bad file publishes nothing and
// says why in words.
func TestImportPublishesToEveryOffice(t *testing.T) {
	t.Setenv("LANG", "en_US.UTF-8")
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "")
	dir := t.TempDir()
	flags := []string{"--data-dir", dir}
	admin(t, append(flags, "office", "add", "SH01", "上海一号案场")...)
	write := func(name, body string) string {
		p := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}

	// Bad files: the reason, nothing in global.
	for _, c := range []struct{ kind, file, body, want string }{
		{"faq", "manual.csv", "category,question\nprices,均价多少？\n", "answer"},
		{"faq", "manual.csv", "category,question,answer,status\nnope,均价多少？,每平方米五万元。,approved\n", "Line 2 · category"},
		{"holidays", "2027.json", `{"year":2027,"days":[{"name":"元旦","date":"2026-01-01","isOffDay":true}]}`, ""},
		{"template", "t.json", `{"code":"x"}`, ""},
	} {
		err := adminErr(t, append(flags, "import", c.kind, write(c.file, c.body))...)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "err.") {
			t.Errorf("%s %q: %v", c.kind, c.body, err)
		}
	}
	if err := adminErr(t, append(flags, "import", "manual", write("m.csv", "x"))...); err == nil {
		t.Error("import of an unknown kind")
	}
	if g := globalChanges(t, dir); len(g) != 0 {
		t.Fatalf("bad files published %d changes", len(g))
	}

	out := admin(t, append(flags, "import", "faq", write("manual.csv",
		"category,question,answer,status\nprices,均价多少？,每平方米五万元。,approved\nparking,车位怎么卖？,车位二十万元一个。,\n"))...)
	if !strings.Contains(out, "2 new entries") {
		t.Fatalf("faq import: %s", out)
	}
	out = admin(t, append(flags, "import", "holidays", write("2027.json", `{"year":2027,"papers":[],"days":[
 {"name":"元旦","date":"2027-01-01","isOffDay":true},{"name":"春节","date":"2027-02-06","isOffDay":true}]}`))...)
	if !strings.Contains(out, "2027 holiday schedule") {
		t.Fatalf("holidays import: %s", out)
	}
	tpl := filepath.Join(t.TempDir(), "handover.json")
	if err := os.WriteFile(tpl, assets.HandoverTemplate, 0o600); err != nil {
		t.Fatal(err)
	}
	out = admin(t, append(flags, "import", "template", tpl)...)
	if !strings.Contains(out, "inspection template") {
		t.Fatalf("template import: %s", out)
	}
	// Importing the manual again changes one answer: a new version of it.
	out = admin(t, append(flags, "import", "faq", write("manual.csv",
		"category,question,answer,status\nprices,均价多少？,每平方米五万五千元。,approved\nparking,车位怎么卖？,车位二十万元一个。,\n"))...)
	if !strings.Contains(out, "0 new entries, 1 updated, 1 unchanged") {
		t.Fatalf("faq import again: %s", out)
	}

	g := globalChanges(t, dir)
	var names []string
	for _, c := range g {
		if c.OriginDevice != hq.HQOrigin {
			t.Errorf("%s from %s, not HQ", c.Name, c.OriginDevice)
		}
		d, err := data.DescribeMutation(c.Name, c.Version, c.Payload)
		if err != nil || d.OfficeID != "" || d.Spec.Owner != data.OwnerHQ {
			t.Errorf("%s: %+v, %v", c.Name, d, err)
		}
		if strings.Contains(string(c.Payload), `"created_by":"0`) {
			t.Errorf("%s made by a scratch staff member: %s", c.Name, c.Payload)
		}
		if !slices.Contains(names, c.Name) {
			names = append(names, c.Name)
		}
	}
	slices.Sort(names)
	if got := strings.Join(names, " "); got != "faq.category faq.save faq.status holiday.import inspection.template" {
		t.Errorf("published %s", got)
	}

	// An office device loading global has them.
	s := officeDevice(t, g)
	ctx := context.Background()
	entries, err := s.ListFAQ(ctx, data.FAQFilter{Editing: true})
	if err != nil {
		t.Fatal(err)
	}
	live := map[string]string{}
	for _, e := range entries {
		if v, err := s.LiveFAQ(ctx, e.ID); err == nil {
			live[v.Question] = v.Answer
		}
	}
	if live["均价多少？"] != "每平方米五万五千元。" || len(live) != 1 {
		t.Errorf("live answers at the office: %v", live)
	}
	if years, err := s.HolidayYears(ctx); err != nil || !slices.Contains(years, 2027) {
		t.Errorf("holiday years %v, %v", years, err)
	}
	if _, err := s.CurrentInspectionTemplate(ctx, "handover"); err != nil {
		t.Errorf("template at the office: %v", err)
	}
}
