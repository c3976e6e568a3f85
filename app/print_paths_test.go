package app

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"anchang/app/forms"
	"anchang/assets"
	"anchang/cli"
	"anchang/data"
)

// TestPrintDeskAndCommandLineAgree prints every stored form from the desk
// and from `anchang print FORM --id` and compares the two PDFs' text: one
// print path per form, so the same record reads the same from either. The
// footer (who printed it, and when) is the only line allowed to differ,
// and the phones: the receptionist sees them whole, the command line
// prints them masked.
func TestPrintDeskAndCommandLineAgree(t *testing.T) {
	h, _ := printHarness(t)
	ctx := context.Background()
	visits := h.seedVisits()
	recep := h.staffID("李静")

	tk, err := h.store.OpenTicket(ctx, recep, data.TicketInput{Kind: data.TicketComplaint, Category: data.CatEngineering,
		Severity: data.SeverityGeneral, Project: "星河湾", Building: "3栋", Unit: "1502", Subject: "工程部", Description: "客厅墙面渗水",
		Demand: "尽快修好", CustomerName: "王芳", Phone: "13812345678"})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range []data.TicketEvent{{Kind: data.EvAcknowledged}, {Kind: data.EvEscalated, Level: data.EscalateSupervisor, Note: "渗水面积大"},
		{Kind: data.EvResolved, Note: "已修补墙面"},
		{Kind: data.EvRevisited, Satisfaction: 4, Note: "客户另说窗台也要看看",
			Revisit: data.RevisitNotes{Method: "visit", Quality: "墙面已干", Effect: "及时", Suggestions: "加强巡检"}}} {
		h.clk.Advance(30 * 60e9)
		if _, err := h.store.AddTicketEvent(ctx, recep, tk.ID, ev); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := h.store.EnsureInspectionTemplate(ctx, assets.HandoverTemplate); err != nil {
		t.Fatal(err)
	}
	in, err := h.store.StartInspection(ctx, h.admin.ID, data.InspectionInput{Kind: data.InspectionHandover, Project: "星河湾二期",
		Building: "3号楼", Unit: "2单元1202", Owners: []string{"王秀英"}, Phone: "13700001111"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.store.RecordResult(ctx, h.admin.ID, in.ID, data.ResultInput{Item: "living.wall", Result: data.ResultDefect,
		Description: "客厅东墙空鼓", Location: "东墙"}); err != nil {
		t.Fatal(err)
	}
	h.signInAs("李静")

	for _, c := range []struct {
		def  *forms.Definition
		id   string
		want []string // what the form must say, so that two empty texts do not agree
	}{
		{forms.VisitorRegistration, visits[0].ID, []string{"王芳", "138****5678", "XHW-20261123-0001"}},
		{forms.DailyLog, h.store.Today(), []string{"王芳", "李强", "张伟"}},
		{forms.HandoverInspection, in.ID, []string{"王秀英", "客厅东墙空鼓"}},
		{forms.ServiceRecord, tk.ID, []string{tk.Number, "138****5678", "客厅墙面渗水", "升级至项目主"}},
		{forms.RevisitRecord, tk.Number, []string{tk.Number + "-R", "上门", "墙面已干", "加强巡检 客户另说窗台也要看看", "投诉处理后"}},
	} {
		t.Run(c.def.Name, func(t *testing.T) {
			dir := t.TempDir()
			desk := filepath.Join(dir, "desk.pdf")
			job := h.u.recordJob(c.def, c.id, func(forms.Printed) string { return "" })
			var b bytes.Buffer
			if _, err := job.render(ctx, &b, ""); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(desk, b.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
			line := filepath.Join(dir, "cli.pdf")
			var errb bytes.Buffer
			if code := cli.Run(ctx, cli.Config{DataDir: h.dir, Verb: "print", Args: []string{c.def.Name, "--id", c.id, "-o", line}}, io.Discard, &errb); code != 0 {
				t.Fatalf("anchang print %s: %d %s", c.def.Name, code, errb.String())
			}
			deskText, cliText := comparable(pdfText(t, desk)), comparable(pdfText(t, line))
			if deskText == "" {
				return // no pdftotext
			}
			contains(t, deskText, c.want...)
			if deskText != cliText {
				t.Errorf("the desk and the command line print %s differently:\n--- desk\n%s\n--- command line\n%s", c.def.Name, deskText, cliText)
			}
		})
	}
}

// comparable is a form's text without the lines that say who printed it
// and when, with the spacing pdftotext guesses folded and whole phones
// masked.
func comparable(text string) string {
	var keep []string
	for _, l := range strings.Split(text, "\n") {
		if f := strings.Fields(l); len(f) > 0 && !strings.Contains(l, "Printed") {
			keep = append(keep, strings.Join(f, " "))
		}
	}
	return wholePhone.ReplaceAllString(strings.Join(keep, "\n"), "$1****$2")
}

var wholePhone = regexp.MustCompile(`\b(1\d\d) \d{4} (\d{4})\b`)
