package data

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"
)

// DemoOptions size the demo data.
type DemoOptions struct {
	Days   int // past days of visits, today included
	PerDay int // average visits per weekday; weekends get about 1.6×
	Seed   uint64
	// Now, when set, is the demo office's clock (CreateDemo).
	Now func() time.Time

	step func(string) // CreateDemo's kill-test hook
}

// DemoAdminPIN signs in as the demo office's admin (管理员). The demo
// receptionists use DemoStaffPIN.
const (
	DemoAdminPIN = "258014"
	DemoStaffPIN = "135792"
)

// DemoResult says what LoadDemo made.
type DemoResult struct {
	Visits      int
	Visitors    int
	Consultants int
	Tickets     int // complaints, repairs, inquiries and suggestions in every state (ticket_demo.go), and the demo inspection's repair tickets
	Inspections int // handover inspections: completed and signed, re-inspection, in progress (inspection_demo.go)
	AdminID     string
	// SignIns are the staff this run made, with their PINs: none when the
	// demo was there already.
	SignIns []DemoSignIn
	// Existing: the directory held a finished demo office already and
	// nothing was added (CreateDemo).
	Existing bool
}

var demoSurnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
var demoGiven = []rune("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彩春菊凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽")
var demoConsultants = []string{"陈思远", "林晓雯", "王浩然", "赵雅琴", "周子健", "孙丽娜", "吴嘉怡", "郑凯文"}

// LoadDemo fills the store with demo records: staff, source channels,
// several weeks of visits with return visitors, and each day's rotation. On a
// store that is not set up yet it does the setup too (admin PIN
// DemoAdminPIN). Everything goes through the outbox like any other change.
// It is the generator behind CreateDemo, which the desk and the command
// line use (a demo office of its own, never mixed into a real one's
// records); tests load it into their own stores.
func (s *Store) LoadDemo(ctx context.Context, opt DemoOptions) (DemoResult, error) {
	step := opt.step
	if step == nil {
		step = func(string) {}
	}
	if opt.Days <= 0 {
		opt.Days = 42
	}
	if opt.PerDay <= 0 {
		opt.PerDay = 60
	}
	var res DemoResult
	if !s.IsSetUp() {
		admin, err := s.Setup(ctx, SetupInput{OfficeName: "星河湾售楼处（演示）", OfficeCode: "DEMO", DeviceName: "前台一号机", AdminName: "管理员", AdminPIN: DemoAdminPIN})
		if err != nil {
			return res, err
		}
		res.AdminID = admin.ID
		res.SignIns = append(res.SignIns, DemoSignIn{Name: admin.Name, Role: RoleAdmin, PIN: DemoAdminPIN})
		step("setup")
	}
	staff, err := s.ListStaff(ctx, false)
	if err != nil {
		return res, err
	}
	var admin Staff
	var consultants []Staff
	for _, st := range staff {
		switch st.Role {
		case RoleAdmin:
			if admin.ID == "" {
				admin = st
			}
		case RoleConsultant:
			consultants = append(consultants, st)
		}
	}
	res.AdminID = admin.ID
	if len(consultants) == 0 {
		for _, n := range demoConsultants {
			c, err := s.CreateStaff(ctx, admin.ID, StaffInput{Name: n, Role: RoleConsultant})
			if err != nil {
				return res, err
			}
			consultants = append(consultants, c)
		}
		step("consultants")
		for _, p := range []StaffInput{{Name: "李静", Role: RoleReceptionist, PIN: DemoStaffPIN}, {Name: "张敏", Role: RoleReceptionist, PIN: DemoStaffPIN}, {Name: "刘主管", Role: RoleSupervisor, PIN: DemoStaffPIN}} {
			if _, err := s.CreateStaff(ctx, admin.ID, p); err != nil {
				return res, err
			}
			res.SignIns = append(res.SignIns, DemoSignIn{Name: p.Name, Role: p.Role, PIN: p.PIN})
		}
		step("staff")
	}
	res.Consultants = len(consultants)
	sources, err := s.Sources(ctx)
	if err != nil {
		return res, err
	}
	g := &demoGen{s: s, rng: rand.New(rand.NewPCG(opt.Seed, opt.Seed^0x9e3779b97f4a7c15)), consultants: consultants, sources: sources, by: admin.ID}
	now := s.now().In(s.Location())
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	for d := opt.Days - 1; d >= 0; d-- {
		day := today.AddDate(0, 0, -d)
		n := opt.PerDay/2 + g.rng.IntN(opt.PerDay+1)
		if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
			n = n * 8 / 5
		}
		if err := g.day(ctx, day, n, d == 0, now); err != nil {
			return res, err
		}
		if d == opt.Days/2 {
			step("days")
		}
	}
	res.Visits, res.Visitors = g.visits, len(g.visitors)
	step("visits")
	if res.Tickets, err = g.tickets(ctx, now, opt.Days); err != nil {
		return res, err
	}
	step("tickets")
	n, defectTickets, err := g.inspections(ctx, now)
	res.Inspections, res.Tickets = n, res.Tickets+defectTickets
	if err != nil {
		return res, err
	}
	step("inspections")
	if err := g.demoCareResults(ctx, now); err != nil {
		return res, err
	}
	step("care")
	return res, nil
}

type demoVisitor struct {
	id, owner string
}

type demoGen struct {
	s           *Store
	rng         *rand.Rand
	consultants []Staff
	sources     []Source
	by          string
	visitors    []demoVisitor
	phones      map[string]bool
	visits      int
}

func (g *demoGen) name() (string, string) {
	sur := string(demoSurnames[g.rng.IntN(len(demoSurnames))])
	if g.rng.IntN(4) == 0 {
		if g.rng.IntN(2) == 0 {
			return sur, TitleMr
		}
		return sur, TitleMs
	}
	given := string(demoGiven[g.rng.IntN(len(demoGiven))])
	if g.rng.IntN(2) == 0 {
		given += string(demoGiven[g.rng.IntN(len(demoGiven))])
	}
	return sur + given, TitleNone
}

func (g *demoGen) phone() string {
	if g.phones == nil {
		g.phones = map[string]bool{}
	}
	prefixes := []string{"130", "131", "132", "135", "136", "137", "138", "139", "150", "151", "152", "157", "158", "159", "176", "177", "178", "180", "181", "182", "185", "186", "187", "188", "189", "198", "199"}
	for {
		p := fmt.Sprintf("+86%s%08d", prefixes[g.rng.IntN(len(prefixes))], g.rng.IntN(100000000))
		if !g.phones[p] {
			g.phones[p] = true
			return p
		}
	}
}

// arrival picks a time of day weighted to the late-morning and afternoon peaks.
func (g *demoGen) arrival(day time.Time) time.Time {
	hours := []int{9, 10, 10, 10, 11, 11, 11, 12, 13, 14, 14, 14, 15, 15, 15, 16, 16, 17}
	h := hours[g.rng.IntN(len(hours))]
	return day.Add(time.Duration(h)*time.Hour + time.Duration(g.rng.IntN(3600))*time.Second)
}

// day writes one day's visits and rotation in one transaction.
func (g *demoGen) day(ctx context.Context, day time.Time, n int, isToday bool, now time.Time) error {
	s := g.s
	dev, off, err := s.ids()
	if err != nil {
		return err
	}
	dayStr := day.Format(time.DateOnly)
	arrivals := make([]time.Time, 0, n)
	for range n {
		a := g.arrival(day)
		if isToday && a.After(now) {
			continue
		}
		arrivals = append(arrivals, a)
	}
	slices.SortFunc(arrivals, time.Time.Compare)
	return s.tx(ctx, func(tx *txn) error {
		mk := func(at time.Time) stamp {
			return stamp{id: newIDAt(at), office: off.ID, device: dev.ID, at: ms(at)}
		}
		// Morning: everyone on duty in a shuffled order; one or two off that day.
		order := g.rng.Perm(len(g.consultants))
		off1 := -1
		if len(order) > 4 {
			off1 = order[len(order)-1]
		}
		open := day.Add(8*time.Hour + 45*time.Minute)
		for i, ci := range order {
			// Demo data can be loaded into an office already at work:
			// whoever is on duty that day stays as they are.
			if ci == off1 || onDuty(ctx, tx, off.ID, dayStr, g.consultants[ci].ID) {
				continue
			}
			at := open.Add(time.Duration(i) * time.Minute)
			if isToday && at.After(now) { // loaded before opening time: on duty from now
				at = now
			}
			if err := rotate(ctx, tx, mk(at), g.by, dayStr, g.consultants[ci].ID, RotJoin, ""); err != nil {
				return err
			}
		}
		var pending []departure
		flush := func(until time.Time) error {
			slices.SortFunc(pending, func(a, b departure) int { return a.at.Compare(b.at) })
			for len(pending) > 0 && !pending[0].at.After(until) {
				d := pending[0]
				pending = pending[1:]
				if err := g.depart(ctx, tx, mk, d, dayStr); err != nil {
					return err
				}
			}
			return nil
		}
		for _, at := range arrivals {
			if err := flush(at); err != nil {
				return err
			}
			d, err := g.visit(ctx, tx, mk, at, dayStr, isToday, now)
			if err != nil {
				return err
			}
			if !d.at.IsZero() {
				pending = append(pending, d)
			}
		}
		if isToday {
			return flush(now)
		}
		return flush(day.AddDate(0, 0, 1))
	})
}

// departure is a visitor leaving later in the day.
type departure struct {
	at                  time.Time
	visitID, consultant string
}

func (g *demoGen) visit(ctx context.Context, tx *txn, mk func(time.Time) stamp, at time.Time, day string, isToday bool, now time.Time) (departure, error) {
	st := mk(at)
	purposes := []Purpose{PurposeViewing, PurposeViewing, PurposeViewing, PurposeConsultation, PurposeConsultation, PurposeSigning, PurposeHandover, PurposeComplaint, PurposeOther}
	purpose := purposes[g.rng.IntN(len(purposes))]
	kind := KindFirst
	var vis demoVisitor
	name, title := g.name()
	phone := ""
	if len(g.visitors) > 20 && g.rng.IntN(10) < 3 {
		kind = KindReturn
		vis = g.visitors[g.rng.IntN(len(g.visitors))]
		if err := tx.QueryRowContext(ctx, `SELECT name, title, phone FROM visitors WHERE id = ?`, vis.id).Scan(&name, &title, &phone); err != nil {
			return departure{}, err
		}
	} else {
		vis = demoVisitor{id: newIDAt(at)}
		phone = g.phone()
	}
	via := ViaDesk
	var by any = g.by
	byStr := g.by
	if g.rng.IntN(5) == 0 {
		via, by, byStr = ViaKiosk, nil, ""
	}
	units := []string{"", "", "89㎡三房", "105㎡三房", "128㎡四房", "143㎡四房", "洋房"}
	budgets := []string{"", "", "200万以内", "200-300万", "300-400万", "400万以上"}
	v := checkInValues{name: name, title: title, phone: phone, source: g.sources[g.rng.IntN(len(g.sources))].ID,
		unit: units[g.rng.IntN(len(units))], budget: budgets[g.rng.IntN(len(budgets))], via: via,
		party: 1 + g.rng.IntN(3), purpose: purpose}
	if err := insertVisit(ctx, tx, st, byStr, vis.id, kind, day, v); err != nil {
		return departure{}, err
	}
	g.visits++
	// Signings of the last 10 days have their 1-week revisits scheduled, as
	// a check-in does, and a few older ones still wait (overdue); an office
	// at work has made the rest.
	if age := now.Sub(at); purpose == PurposeSigning && (age < 10*24*time.Hour || age < 20*24*time.Hour && g.rng.IntN(10) == 0) {
		if err := g.s.scheduleSigningRevisit(ctx, tx, st, by, v); err != nil {
			return departure{}, err
		}
	}
	// Assign: own consultant for a returning visitor, else next in turn.
	consultant := vis.owner
	if consultant == "" || !onDuty(ctx, tx, st.office, day, consultant) {
		next, err := nextInTurn(ctx, tx, st.office, day)
		if err != nil {
			return departure{}, err
		}
		if next == "" { // everyone busy: the one longest since a turn serves two groups
			if err := tx.QueryRowContext(ctx, `SELECT consultant_id FROM rotation WHERE office_id = ? AND day = ? AND status = 'busy' ORDER BY turn LIMIT 1`, st.office, day).Scan(&next); err != nil {
				return departure{}, err
			}
		}
		consultant = next
	}
	assignAt := at.Add(time.Duration(10+g.rng.IntN(50)) * time.Second)
	if isToday && assignAt.After(now) { // arrived moments ago: assigned now, not in the future
		assignAt = now
	}
	if _, err := assign(ctx, tx, mk(assignAt), byStr, st.id, vis.id, vis.owner, consultant, day); err != nil {
		return departure{}, err
	}
	if vis.owner == "" {
		vis.owner = consultant
		g.visitors = append(g.visitors, vis)
	}
	handAt := at.Add(time.Duration(30+g.rng.IntN(420)) * time.Second)
	leaveAt := handAt.Add(time.Duration(15+g.rng.IntN(90)) * time.Minute)
	if isToday && handAt.After(now) {
		return departure{}, nil
	}
	area := Areas[g.rng.IntN(len(Areas))]
	if err := addVisitEvent(ctx, tx, mk(handAt), g.by, st.id, VisitHandover, consultant, area); err != nil {
		return departure{}, err
	}
	return departure{at: leaveAt, visitID: st.id, consultant: consultant}, nil
}

// depart checks a visitor out and frees their consultant if no one else of theirs is in.
func (g *demoGen) depart(ctx context.Context, tx *txn, mk func(time.Time) stamp, d departure, day string) error {
	if err := addVisitEvent(ctx, tx, mk(d.at), g.by, d.visitID, VisitCheckout, "", ""); err != nil {
		return err
	}
	var others int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM visits WHERE office_id = ? AND day = ? AND consultant_id = ? AND left_at IS NULL`,
		mk(d.at).office, day, d.consultant).Scan(&others); err != nil || others > 0 {
		return err
	}
	return g.freeConsultant(ctx, tx, mk, d.at, day, d.consultant)
}

// freeConsultant marks a busy consultant available again (their visitor left).
func (g *demoGen) freeConsultant(ctx context.Context, tx *txn, mk func(time.Time) stamp, at time.Time, day, consultant string) error {
	var status string
	err := tx.QueryRowContext(ctx, `SELECT status FROM rotation WHERE office_id = ? AND day = ? AND consultant_id = ?`, mk(at).office, day, consultant).Scan(&status)
	if isNoRows(err) || status != StatusBusy {
		return nil
	}
	if err != nil {
		return err
	}
	return rotate(ctx, tx, mk(at), g.by, day, consultant, RotAvailable, "")
}
