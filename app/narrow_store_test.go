package app

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"testing"

	"anchang/data"
)

// narrowScreens are the files whose screens hold their own small store;
// they reach the UI's whole store only to hand it to a screen as it is
// made (a "store: u.store" field).
var narrowScreens = []string{
	"board.go", "staff.go", "rotation.go",
	"faq.go", "faq_handoff.go", "faq_history.go", "faq_admin.go", "faq_editor.go", "faq_io.go", "faq_report.go", "faq_words.go",
	"inspection.go", "inspection_check.go", "inspection_defect.go", "inspection_history.go", "inspection_new.go",
	"inspection_sign.go", "inspection_templates.go", "inspection_tickets.go", "inspection_print.go",
	"settings.go", "sync_settings.go", "care_revisits.go",
	"ticket_policy.go", "ticket_ledger.go", "holidays.go",
	"visit_history.go", "ticket_import.go", "tickets.go", "ticket_open.go", "ticket_action.go", "ticket_detail.go",
	"ticket_print.go", "checkin.go", "kiosk.go", "signin.go",
}

// No narrowed screen reads u.store (or x.u.store) except to hand it to
// itself at construction.
func TestNarrowScreensKeepToTheirStore(t *testing.T) {
	fset := token.NewFileSet()
	for _, name := range narrowScreens {
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				if kv, ok := n.(*ast.KeyValueExpr); ok {
					if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "store" {
						return false // handing the store to a screen being made
					}
				}
				sel, ok := n.(*ast.SelectorExpr)
				if !ok || sel.Sel.Name != "store" {
					return true
				}
				switch x := sel.X.(type) {
				case *ast.Ident:
					if x.Name == "u" {
						t.Errorf("%s: %s reaches the whole store (u.store)", fset.Position(sel.Pos()), fn.Name.Name)
					}
				case *ast.SelectorExpr:
					if x.Sel.Name == "u" {
						t.Errorf("%s: %s reaches the whole store (….u.store)", fset.Position(sel.Pos()), fn.Name.Name)
					}
				}
				return true
			})
		}
	}
}

// fakeStaffStore is the staff screen's narrow store: a fixed list, and
// saving through a function field.
type fakeStaffStore struct {
	staff  []data.Staff
	create func(ctx context.Context, actorID string, in data.StaffInput) (data.Staff, error)
}

func (f *fakeStaffStore) Today() string { return "2026-11-23" }
func (f *fakeStaffStore) ListStaff(context.Context, bool) ([]data.Staff, error) {
	return f.staff, nil
}
func (f *fakeStaffStore) Rotation(context.Context, string) ([]data.RotationEntry, error) {
	return nil, nil
}
func (f *fakeStaffStore) CreateStaff(ctx context.Context, actorID string, in data.StaffInput) (data.Staff, error) {
	return f.create(ctx, actorID, in)
}
func (f *fakeStaffStore) UpdateStaff(context.Context, string, string, data.StaffInput, bool) error {
	panic("UpdateStaff not expected")
}

// The staff screen reads and writes only its own small store: it lists
// what the fake holds, saves through it as the signed-in admin, and shows
// the fake's refusal in the user's words.
func TestStaffOverItsNarrowStore(t *testing.T) {
	h := newHarness(t, true)
	h.signInAs("管理员")
	h.selectTab("员工")
	s := h.u.shell.staff
	var gotActor string
	var got data.StaffInput
	fake := &fakeStaffStore{
		staff: []data.Staff{{ID: "s1", Name: "欧阳娜娜", Role: data.RoleConsultant, Active: true}},
		create: func(_ context.Context, actor string, in data.StaffInput) (data.Staff, error) {
			gotActor, got = actor, in
			return data.Staff{}, nil
		},
	}
	s.store = fake
	s.reload()
	h.shows("欧阳娜娜")
	if len(s.staff) != 1 {
		t.Fatalf("the screen lists %d staff, the store holds 1", len(s.staff))
	}

	s.name.SetText("周子航")
	selectOption(t, s.role, "置业顾问")
	s.onSave()
	h.shows("已保存：周子航")
	if gotActor != h.staffID("管理员") || got.Name != "周子航" || got.Role != data.RoleConsultant {
		t.Fatalf("saved %+v as %q", got, gotActor)
	}

	fake.create = func(context.Context, string, data.StaffInput) (data.Staff, error) {
		return data.Staff{}, &data.Error{Code: data.EFORBIDDEN, Key: "err.staff.self_demote"}
	}
	s.name.SetText("周子航")
	selectOption(t, s.role, "置业顾问")
	s.onSave()
	h.shows("不能取消自己的管理员角色或停用自己。")
}

// fakeRotationStore is the rotation screen's narrow store: a fixed queue,
// and actions through a function field.
type fakeRotationStore struct {
	entries []data.RotationEntry
	action  func(ctx context.Context, actorID, consultantID, action string) error
}

func (f *fakeRotationStore) Today() string { return "2026-11-23" }
func (f *fakeRotationStore) Rotation(context.Context, string) ([]data.RotationEntry, error) {
	return f.entries, nil
}
func (f *fakeRotationStore) RotationLog(context.Context, string, int) ([]data.RotationEvent, error) {
	return nil, nil
}
func (f *fakeRotationStore) ListStaff(context.Context, bool) ([]data.Staff, error) { return nil, nil }
func (f *fakeRotationStore) RotationAction(ctx context.Context, actorID, consultantID, action string) error {
	return f.action(ctx, actorID, consultantID, action)
}

// The rotation screen reads and acts only through its own small store: it
// shows the fake's queue, acts as the signed-in user, and shows a refusal
// in the user's words.
func TestRotationOverItsNarrowStore(t *testing.T) {
	h := newHarness(t, true)
	h.signInAs("李静")
	h.selectTab("顾问轮排")
	r := h.u.shell.rotation
	var got [3]string
	fake := &fakeRotationStore{
		entries: []data.RotationEntry{{ConsultantID: "c1", Name: "欧阳娜娜", Turn: 1, Status: data.RotAvailable, Next: true}},
		action: func(_ context.Context, actor, consultant, action string) error {
			got = [3]string{actor, consultant, action}
			return nil
		},
	}
	r.store = fake
	r.reload()
	h.shows("下一位接待：欧阳娜娜")
	r.act("c1", data.RotSkip)
	if want := [3]string{h.staffID("李静"), "c1", data.RotSkip}; got != want {
		t.Fatalf("acted %v, want %v", got, want)
	}
	fake.action = func(context.Context, string, string, string) error {
		return &data.Error{Code: data.EINVALID, Key: "err.rotation.not_on"}
	}
	r.act("c1", data.RotBusy)
	h.shows("该顾问今天没有上岗。")
}
