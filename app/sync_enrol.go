package app

import (
	"context"
	"errors"
	"net"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"golang.org/x/text/unicode/norm"

	"anchang/data"
	hqsync "anchang/sync"
)

// enrolForm joins this device to an office at HQ in three steps: the HQ
// address and enrolment code, the certificate fingerprint to compare with
// what HQ printed, and the office's records arriving with a progress bar.
// The first-run screen shows it for a new device; Settings shows it in a
// modal for a standalone office that enrols later.
type enrolForm struct {
	u          *UI
	standalone bool // an office with its own records enrols (from Settings)

	url     *widget.Entry
	code    *widget.Entry
	name    *widget.Entry // the device's name; new devices only
	fields  []*field
	connect *widget.Button
	back    *widget.Button
	message *statusLine

	hqURL       *widget.Label
	fingerprint *widget.Label
	matches     *widget.Button
	differs     *widget.Button

	progress     *widget.ProgressBar
	progressText *widget.Label

	form, check, run *fyne.Container // the steps; one is visible
	in               hqsync.EnrollInput
	shown            time.Time // when the progress bar was last redrawn

	onBack func() // leave the form (back to setup, or close the modal)
	onDone func() // enrolled: the office's records are here
}

func newEnrolForm(u *UI, standalone bool, onBack, onDone func()) *enrolForm {
	return &enrolForm{u: u, standalone: standalone, onBack: onBack, onDone: onDone}
}

func (f *enrolForm) buildUI() fyne.CanvasObject {
	f.url = &widget.Entry{PlaceHolder: T("sync.enrol.url.hint")}
	f.code = &widget.Entry{PlaceHolder: T("sync.enrol.code.hint")}
	f.name = &widget.Entry{PlaceHolder: T("setup.device_name.hint")}
	f.code.OnSubmitted = func(string) { f.onConnect() }
	f.name.OnSubmitted = func(string) { f.onConnect() }
	f.fields = []*field{
		newField("hq_url", "sync.enrol.url", f.url),
		newField("code", "sync.enrol.code", f.code),
	}
	if f.standalone {
		f.name.Hide() // the device keeps its name
	} else {
		f.fields = append(f.fields, newField("device_name", "setup.device_name", f.name))
	}
	f.connect = &widget.Button{Text: T("sync.enrol.connect"), Importance: widget.HighImportance, OnTapped: f.onConnect}
	f.back = &widget.Button{Text: T("sync.enrol.back"), OnTapped: f.onBack}
	f.message = newStatusLine()
	f.form = container.NewVBox(formGrid(f.fields...), container.NewHBox(f.connect, f.back))

	f.hqURL = &widget.Label{Wrapping: fyne.TextWrapBreak}
	f.fingerprint = &widget.Label{TextStyle: fyne.TextStyle{Monospace: true}, SizeName: theme.SizeNameSubHeadingText}
	f.matches = &widget.Button{Text: T("sync.enrol.fp.matches"), Importance: widget.HighImportance, OnTapped: f.onConfirm}
	f.differs = &widget.Button{Text: T("sync.enrol.fp.differs"), OnTapped: f.onMismatch}
	ask := &widget.Label{Text: T("sync.enrol.fp.ask"), Wrapping: fyne.TextWrapWord}
	f.check = container.NewVBox(f.hqURL, ask, container.NewCenter(f.fingerprint), container.NewHBox(f.matches, f.differs))
	f.check.Hide()

	f.progress = widget.NewProgressBar()
	f.progressText = &widget.Label{Text: T("sync.enrol.joining"), Wrapping: fyne.TextWrapWord}
	f.run = container.NewVBox(f.progressText, f.progress)
	f.run.Hide()

	intro := T("sync.enrol.intro")
	if f.standalone {
		intro = T("sync.enrol.intro.standalone")
	}
	introLabel := &widget.Label{Text: intro, Wrapping: fyne.TextWrapWord}
	return container.NewVBox(introLabel, f.form, f.check, f.run, f.message)
}

// step shows one of the three steps.
func (f *enrolForm) step(c *fyne.Container) {
	for _, s := range []*fyne.Container{f.form, f.check, f.run} {
		if s == c {
			s.Show()
		} else {
			s.Hide()
		}
	}
}

func (f *enrolForm) onConnect() {
	in, errs := cleanEnrollInput(f.url.Text, f.code.Text, f.name.Text, f.standalone)
	f.message.SetText("")
	if showFieldErrors(f.fields, errs, f.message.SetError) {
		return
	}
	if f.standalone {
		in.DeviceName = f.u.device.Name
	}
	f.in = in
	f.connect.Disable()
	f.message.SetSuccess(T("sync.enrol.probing"))
	load(f.u, func(ctx context.Context) (string, error) {
		ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		return f.u.hq.Probe(ctx, in.HQURL)
	}, func(fp string, err error) {
		f.connect.Enable()
		if err != nil {
			f.message.SetError(f.u.syncErrText(err))
			return
		}
		f.message.SetText("")
		f.in.Fingerprint = fp
		f.hqURL.SetText(T("sync.enrol.fp.of", map[string]any{"URL": in.HQURL}))
		f.fingerprint.SetText(groupFingerprint(fp))
		f.step(f.check)
	})
}

// onMismatch: the fingerprint is not the one HQ printed; nothing is sent.
func (f *enrolForm) onMismatch() {
	f.in.Fingerprint = ""
	f.step(f.form)
	f.message.SetError(T("err.sync.fingerprint_differs"))
}

func (f *enrolForm) onConfirm() {
	in := f.in
	if in.Fingerprint == "" {
		f.step(f.form)
		f.message.SetError(T("err.sync.fingerprint_unconfirmed"))
		return
	}
	f.step(f.run)
	f.progress.SetValue(0)
	f.progressText.SetText(T("sync.enrol.joining"))
	in.Progress = f.onProgress // it posts to the UI goroutine itself
	load(f.u, func(ctx context.Context) (bool, error) {
		err := f.u.hq.Enroll(ctx, in)
		if err == nil {
			return true, nil
		}
		// HQ took the code but the records did not all arrive: the device
		// is enrolled, and the sync loop loads the rest.
		if id, ierr := f.u.store.SyncIdentity(ctx); ierr == nil && id.Enrolled {
			f.u.log.Warn("enrolled; loading the office's records continues in the background", "err", err)
			return true, nil
		}
		return false, err
	}, func(enrolled bool, err error) {
		if !enrolled {
			f.step(f.form)
			f.message.SetError(f.u.syncErrText(err))
			return
		}
		f.progress.SetValue(1)
		f.onDone()
	})
}

// onProgress runs on the enrolling goroutine as each scope loads; the bar
// is redrawn at most ten times a second.
func (f *enrolForm) onProgress(p hqsync.Progress) {
	f.u.threads.Do(func() {
		now := time.Now()
		if p.Done < p.Total && now.Sub(f.shown) < 100*time.Millisecond {
			return
		}
		f.shown = now
		if p.Total > 0 {
			f.progress.SetValue(float64(p.Done) / float64(p.Total))
		}
		f.progressText.SetText(T("sync.enrol.progress", map[string]any{"What": scopeText(p.Scope), "Done": p.Done, "Total": p.Total}))
	})
}

// scopeText names a scope being loaded: 案场记录, 总部统一资料.
func scopeText(scope string) string {
	if scope == hqsync.ScopeGlobal {
		return T("sync.load.global")
	}
	return T("sync.load.office")
}

// groupFingerprint writes a hex fingerprint in lower case, as HQ prints it,
// in groups of four, eight groups to a line, for reading aloud: "3f2a 9c01 …".
func groupFingerprint(fp string) string {
	fp = strings.ToLower(strings.NewReplacer(":", "", " ", "", "-", "").Replace(fp))
	if fp == "" {
		return T("sync.enrol.fp.system")
	}
	var b strings.Builder
	for i := 0; i < len(fp); i += 4 {
		if i > 0 {
			if i%32 == 0 {
				b.WriteByte('\n')
			} else {
				b.WriteByte(' ')
			}
		}
		b.WriteString(fp[i:min(i+4, len(fp))])
	}
	return b.String()
}

// Bounds of the enrolment inputs.
const (
	maxURLLen  = 200
	minCodeLen = 4
	maxCodeLen = 40
)

// cleanEnrollInput trims and folds what the user typed (full-width letters,
// digits and punctuation from a Chinese input method become ASCII), adds
// https:// to a bare host, and checks the lengths and shapes. The errors are
// per field, as the form shows them.
func cleanEnrollInput(rawURL, code, name string, standalone bool) (hqsync.EnrollInput, map[string]*data.Error) {
	errs := map[string]*data.Error{}
	bad := func(f, key string, args map[string]any) {
		errs[f] = &data.Error{Code: data.EINVALID, Field: f, Key: key, Args: args}
	}
	var in hqsync.EnrollInput

	u := strings.TrimSpace(norm.NFKC.String(data.FoldInput(rawURL)))
	switch n := utf8.RuneCountInString(u); {
	case u == "":
		bad("hq_url", "err.field.required", nil)
	case n > maxURLLen:
		bad("hq_url", "err.field.too_long", map[string]any{"Max": maxURLLen, "Len": n})
	default:
		clean, err := hqsync.NormalizeURL(u)
		if e, ok := data.AsError(err); ok {
			errs["hq_url"] = e
			break
		}
		if p, perr := url.Parse(clean); err != nil || perr != nil || p.Port() != "" && !validPort(p.Port()) || strings.ContainsAny(u, " \t") {
			bad("hq_url", hqsync.KeyBadURL, nil)
			break
		}
		in.HQURL = clean
	}

	c := strings.ToUpper(strings.Join(strings.Fields(norm.NFKC.String(data.FoldInput(code))), ""))
	switch n := utf8.RuneCountInString(c); {
	case n == 0:
		bad("code", "err.field.required", nil)
	case n > maxCodeLen:
		bad("code", "err.field.too_long", map[string]any{"Max": maxCodeLen, "Len": n})
	case n < minCodeLen || strings.Trim(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") != "":
		bad("code", "err.sync.code_shape", nil)
	default:
		in.Code = c
	}

	if !standalone {
		n := strings.TrimSpace(data.FoldInput(name))
		switch l := utf8.RuneCountInString(n); {
		case n == "":
			bad("device_name", "err.field.required", nil)
		case l > data.MaxOfficeLen:
			bad("device_name", "err.field.too_long", map[string]any{"Max": data.MaxOfficeLen, "Len": l})
		case strings.IndexFunc(n, func(r rune) bool { return r < 0x20 || r == 0x7f || r == utf8.RuneError }) >= 0:
			bad("device_name", "err.field.control", nil)
		default:
			in.DeviceName = n
		}
	}
	if len(errs) > 0 {
		return hqsync.EnrollInput{}, errs
	}
	return in, nil
}

func validPort(p string) bool {
	if len(p) > 5 {
		return false
	}
	n := 0
	for _, r := range p {
		if r < '0' || r > '9' {
			return false
		}
		n = n*10 + int(r-'0')
	}
	return n > 0 && n < 65536
}

// syncErrText is the message for a failed probe, enrolment or sync round.
// Errors from the sync client and the store carry their translated key; a
// network failure reads as "HQ unreachable".
func (u *UI) syncErrText(err error) string {
	if e, ok := data.AsError(err); ok && e.Code != data.EINTERNAL && e.Key != "" {
		if s, ok := translate(e.Key, e.Args); ok {
			return s
		}
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded) {
		u.log.Info("hq unreachable", "err", err)
		return T("err.sync.unreachable")
	}
	u.log.Error("sync failed", "err", err)
	return T("err.sync.failed")
}
