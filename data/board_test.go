package data

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestBoard(t *testing.T) {
	t.Parallel()
	s, admin, clk := newTestStore(t)
	ctx := context.Background()
	a := mustStaff(t, s, admin, "甲", RoleConsultant, "")
	b := mustStaff(t, s, admin, "乙", RoleConsultant, "")

	// Yesterday: must not show today.
	clk.Advance(-24 * time.Hour)
	yesterday := mustCheckIn(t, s, admin.ID, desk(t, s, "赵敏", "13700000000"))
	clk.Advance(24 * time.Hour)

	at := func(hh, mm int) { clk.t = time.Date(2026, 11, 23, hh, mm, 0, 0, shanghai) }
	ids := map[string]string{}
	checkIn := func(label string, in CheckInInput, actor string) {
		v := mustCheckIn(t, s, actor, in)
		ids[label] = v.ID
	}
	at(10, 0)
	in := desk(t, s, "王芳", "13812345678")
	in.ConsultantID = a.ID
	checkIn("V1", in, admin.ID)
	at(10, 5)
	mustOK(t, s.HandOver(ctx, admin.ID, ids["V1"], AreaSandTable))
	at(10, 10)
	checkIn("V2", CheckInInput{Name: "李雷", Phone: "+852 9123 4567", Purpose: PurposeConsultation, Consent: true, Via: ViaKiosk}, "")
	at(10, 20)
	in = desk(t, s, "王芳", "138 1234 5678")
	in.Purpose, in.ConsultantID = PurposeConsultation, a.ID
	checkIn("V3", in, admin.ID)
	at(10, 35)
	mustOK(t, s.HandOver(ctx, admin.ID, ids["V3"], AreaNegotiation))
	at(10, 40)
	mustOK(t, s.CheckOut(ctx, admin.ID, ids["V1"]))
	at(10, 45)
	in = desk(t, s, "张伟", "13900000004")
	in.Purpose, in.ConsultantID, in.Title = PurposeSigning, b.ID, TitleMr
	checkIn("V4", in, admin.ID)
	at(10, 50)
	checkIn("V5", desk(t, s, "百分号", "13900000005"), admin.ID)
	// Names cannot hold LIKE wildcards, but a synced or imported one might.
	_, err := s.db.Exec(`UPDATE visits SET name = '百分%号_下划线' WHERE id = ?`, ids["V5"])
	mustOK(t, err)
	at(10, 55)
	mustOK(t, s.CheckOut(ctx, admin.ID, ids["V5"]))
	at(11, 0)

	wantFig := Figures{Visits: 5, First: 4, Return: 1, Present: 3, Waiting: 2, Kiosk: 1, AvgWait: 10 * time.Minute, HandedOver: 2}
	tests := []struct {
		name string
		f    BoardFilter
		want []string
	}{
		{"all", BoardFilter{}, []string{"V5", "V4", "V3", "V2", "V1"}},
		{"waiting", BoardFilter{Status: BoardWaiting}, []string{"V4", "V2"}},
		{"serving", BoardFilter{Status: BoardServing}, []string{"V3"}},
		{"left", BoardFilter{Status: BoardLeft}, []string{"V5", "V1"}},
		{"present", BoardFilter{Status: BoardPresent}, []string{"V4", "V3", "V2"}},
		{"purpose consultation", BoardFilter{Purpose: PurposeConsultation}, []string{"V3", "V2"}},
		{"purpose signing", BoardFilter{Purpose: PurposeSigning}, []string{"V4"}},
		{"purpose none", BoardFilter{Purpose: PurposeComplaint}, nil},
		{"consultant 甲", BoardFilter{ConsultantID: a.ID}, []string{"V3", "V1"}},
		{"consultant 乙", BoardFilter{ConsultantID: b.ID}, []string{"V4"}},
		{"consultant 甲 left", BoardFilter{ConsultantID: a.ID, Status: BoardLeft}, []string{"V1"}},
		{"present consultation", BoardFilter{Status: BoardPresent, Purpose: PurposeConsultation}, []string{"V3", "V2"}},
		{"name part", BoardFilter{Query: "芳"}, []string{"V3", "V1"}},
		{"surname", BoardFilter{Query: "王"}, []string{"V3", "V1"}},
		{"name padded", BoardFilter{Query: "  李雷 "}, []string{"V2"}},
		{"other day's name", BoardFilter{Query: "赵"}, nil},
		{"pinyin whole", BoardFilter{Query: "wangfang"}, []string{"V3", "V1"}},
		{"pinyin initials", BoardFilter{Query: "wf"}, []string{"V3", "V1"}},
		{"pinyin mixed case and space", BoardFilter{Query: "Zhang W"}, []string{"V4"}},
		{"pinyin given name", BoardFilter{Query: "lei"}, []string{"V2"}},
		{"pinyin other day's name", BoardFilter{Query: "zhaomin"}, nil},
		{"pinyin no one", BoardFilter{Query: "qq"}, nil},
		{"phone tail", BoardFilter{Query: "5678"}, []string{"V3", "V1"}},
		{"phone whole", BoardFilter{Query: "13812345678"}, []string{"V3", "V1"}},
		{"phone whole full-width", BoardFilter{Query: "１３８\u3000１２３４\u3000５６７８"}, []string{"V3", "V1"}},
		{"phone tail full-width", BoardFilter{Query: "５６７８"}, []string{"V3", "V1"}},
		{"phone foreign", BoardFilter{Query: "91234567"}, []string{"V2"}},
		{"phone none", BoardFilter{Query: "2222"}, nil},
		{"percent literal", BoardFilter{Query: "%"}, []string{"V5"}},
		{"underscore literal", BoardFilter{Query: "_"}, []string{"V5"}},
		{"wildcards literal", BoardFilter{Query: "%号_"}, []string{"V5"}},
		{"percent not wildcard", BoardFilter{Query: "王%"}, nil},
		{"underscore not wildcard", BoardFilter{Query: "王_"}, nil},
		{"backslash", BoardFilter{Query: `\`}, nil},
		{"quote", BoardFilter{Query: `'`}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			board, err := s.Board(ctx, s.Today(), tt.f)
			mustOK(t, err)
			if board.Figures != wantFig {
				t.Fatalf("figures %+v, want %+v", board.Figures, wantFig)
			}
			var got []string
			for _, r := range board.Rows {
				for label, id := range ids {
					if r.VisitID == id {
						got = append(got, label)
					}
				}
			}
			if !slices.Equal(got, tt.want) || len(board.Rows) != len(tt.want) {
				t.Fatalf("rows %v, want %v", got, tt.want)
			}
		})
	}

	board, err := s.Board(ctx, s.Today(), BoardFilter{})
	mustOK(t, err)
	if board.Day != "2026-11-23" {
		t.Fatalf("day %q", board.Day)
	}
	byID := map[string]BoardRow{}
	for _, r := range board.Rows {
		byID[r.VisitID] = r
		// Only the masked phone: no field may carry the full number.
		rv := reflect.ValueOf(r)
		for i := range rv.NumField() {
			if f := rv.Field(i); f.Kind() == reflect.String {
				for _, full := range []string{"13812345678", "13900000004", "13900000005", "91234567"} {
					if strings.Contains(f.String(), full) {
						t.Fatalf("row %s field %s carries %s", r.Name, rv.Type().Field(i).Name, full)
					}
				}
			}
		}
	}
	v1, v2, v3, v4, v5 := byID[ids["V1"]], byID[ids["V2"]], byID[ids["V3"]], byID[ids["V4"]], byID[ids["V5"]]
	base := time.Date(2026, 11, 23, 10, 0, 0, 0, shanghai)
	type rowWant struct {
		row                     BoardRow
		mask, status, kind, via string
		consultant              string
		area                    Area
		wait                    time.Duration
	}
	for i, w := range []rowWant{
		{v1, "138****5678", BoardLeft, KindFirst, ViaDesk, "甲", AreaSandTable, 5 * time.Minute},
		{v2, "+852 ****4567", BoardWaiting, KindFirst, ViaKiosk, "", "", 50 * time.Minute},
		{v3, "138****5678", BoardServing, KindReturn, ViaDesk, "甲", AreaNegotiation, 15 * time.Minute},
		{v4, "139****0004", BoardWaiting, KindFirst, ViaDesk, "乙", "", 15 * time.Minute},
		{v5, "139****0005", BoardLeft, KindFirst, ViaDesk, "", "", 5 * time.Minute},
	} {
		r := w.row
		if r.PhoneMasked != w.mask || r.Status() != w.status || r.Kind != w.kind || r.Via != w.via ||
			r.ConsultantName != w.consultant || r.Area != w.area || r.Wait(clk.Now()) != w.wait {
			t.Errorf("V%d: %+v status %s wait %v", i+1, r, r.Status(), r.Wait(clk.Now()))
		}
	}
	if !v1.ArrivedAt.Equal(base) || !v1.HandedOverAt.Equal(base.Add(5*time.Minute)) || !v1.LeftAt.Equal(base.Add(40*time.Minute)) ||
		v1.PartySize != 2 || v1.Purpose != PurposeViewing || v2.PartySize != 1 || v4.Title != TitleMr {
		t.Errorf("V1 %+v\nV2 %+v\nV4 %+v", v1, v2, v4)
	}

	// The other day has its own board.
	yb, err := s.Board(ctx, s.Day(yesterday.ArrivedAt), BoardFilter{})
	mustOK(t, err)
	if yb.Figures != (Figures{Visits: 1, First: 1, Present: 1, Waiting: 1}) || len(yb.Rows) != 1 || yb.Rows[0].VisitID != yesterday.ID {
		t.Fatalf("yesterday %+v", yb)
	}
	empty, err := s.Board(ctx, "2020-01-01", BoardFilter{})
	mustOK(t, err)
	if empty.Figures != (Figures{}) || len(empty.Rows) != 0 {
		t.Fatalf("empty day %+v", empty)
	}
}

// TestBoardLimit: rows are capped, the figures cover the whole day.
func TestBoardLimit(t *testing.T) {
	t.Parallel()
	s, _, clk := newTestStore(t)
	ctx := context.Background()
	seedDay(t, s, clk.Now().Add(-10*time.Hour), BoardLimit+37, 0)
	board, err := s.Board(ctx, s.Today(), BoardFilter{})
	mustOK(t, err)
	if len(board.Rows) != BoardLimit || board.Figures.Visits != BoardLimit+37 {
		t.Fatalf("%d rows, %d visits", len(board.Rows), board.Figures.Visits)
	}
	if !slices.IsSortedFunc(board.Rows, func(x, y BoardRow) int { return y.ArrivedAt.Compare(x.ArrivedAt) }) {
		t.Fatal("rows not newest first")
	}
}

func TestNotSetUp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := Open(ctx, t.TempDir())
	mustOK(t, err)
	defer s.Close()
	if s.IsSetUp() {
		t.Fatal("fresh store is set up")
	}
	_, err = s.Board(ctx, "2026-11-23", BoardFilter{})
	wantCode(t, err, ENOTSETUP)
	_, _, err = s.LookupPhone(ctx, "13812345678")
	wantCode(t, err, ENOTSETUP)
	_, err = s.CheckIn(ctx, "", CheckInInput{Name: "王芳", Phone: "13812345678", Purpose: PurposeViewing, Consent: true, Via: ViaKiosk})
	wantCode(t, err, ENOTSETUP)
	_, err = s.Rotation(ctx, "2026-11-23")
	wantCode(t, err, ENOTSETUP)
	_, err = s.CreateStaff(ctx, "x", StaffInput{Name: "王", Role: RoleConsultant})
	wantCode(t, err, ENOTSETUP)
	if n := countRows(t, s, "outbox"); n != 0 {
		t.Fatalf("%d outbox rows", n)
	}
}

func TestBoardPhoneSearch(t *testing.T) {
	s, admin, clk := newTestStore(t)
	ctx := context.Background()
	mustCheckIn(t, s, admin.ID, desk(t, s, "王芳", "13812345678"))
	clk.Advance(time.Minute)
	mustCheckIn(t, s, admin.ID, desk(t, s, "李强", "13986001111"))
	clk.Advance(time.Minute)
	mustCheckIn(t, s, admin.ID, desk(t, s, "Smith", "+447911123456"))
	tests := []struct {
		query string
		want  []string
	}{
		{"+86 138 1234 5678", []string{"王芳"}}, // a whole number, typed any way
		{"138-1234-5678", []string{"王芳"}},
		{"5678", []string{"王芳"}},
		{"86", []string{"李强"}}, // national digits only, not the +86 country code
		{"4479", []string{"Smith"}},
		{"7911 123", []string{"Smith"}},
		{"+86 139", []string{"李强"}},
		{"139 0000 0000", nil}, // a valid number nobody has
	}
	for _, tt := range tests {
		b, err := s.Board(ctx, s.Today(), BoardFilter{Query: tt.query})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range b.Rows {
			got = append(got, r.Name)
		}
		if strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("query %q: got %v, want %v", tt.query, got, tt.want)
		}
	}
}

// TestWaitTotalAverage: the one definition of the day's average wait the
// board and the printed daily log share.
func TestWaitTotalAverage(t *testing.T) {
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	row := func(wait time.Duration) BoardRow {
		return BoardRow{ArrivedAt: at, HandedOverAt: at.Add(wait)}
	}
	tests := []struct {
		name   string
		rows   []BoardRow
		want   time.Duration
		wantOK bool
	}{
		{"nobody", nil, 0, false},
		{"nobody handed over", []BoardRow{{ArrivedAt: at}, {ArrivedAt: at, LeftAt: at.Add(time.Hour)}}, 0, false},
		{"under a minute, to the second", []BoardRow{row(20 * time.Second), row(41 * time.Second)}, 31 * time.Second, true},
		{"3m40s rounds up to 4 min", []BoardRow{row(3 * time.Minute), row(4*time.Minute + 20*time.Second)}, 4 * time.Minute, true},
		{"3m20s rounds down", []BoardRow{row(3*time.Minute + 20*time.Second), {ArrivedAt: at}}, 3 * time.Minute, true},
		{"zero wait still counts", []BoardRow{row(0)}, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var w WaitTotal
			for _, r := range tt.rows {
				w.Add(r)
			}
			got, ok := w.Average()
			if got != tt.want || ok != tt.wantOK {
				t.Fatalf("Average() = %v, %v; want %v, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}
