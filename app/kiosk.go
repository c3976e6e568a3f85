package app

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"anchang/data"
)

// Kiosk timing.
const (
	kioskIdleReset = 60 * time.Second // back to the start after this long untouched
	kioskDoneReset = 15 * time.Second // the "please take a seat" screen stays this long
	maxKioskPhone  = 16
)

// Kiosk steps.
const (
	kioskPhone = iota
	kioskName
	kioskConsent
	kioskDone
	kioskExit
)

// kioskStore is what the visitors' self check-in needs from the store;
// *data.Store satisfies it.
type kioskStore interface {
	CheckIn(ctx context.Context, actorID string, in data.CheckInInput) (data.Visit, error)
	SignIn(ctx context.Context, staffID, pin string) (data.Staff, error) // leaving the kiosk
}

var _ kioskStore = (*data.Store)(nil)

// kioskScreen is the visitors' self check-in: phone → name and purpose →
// consent, then "please take a seat". It shows nothing about any other
// visitor (not even whether a number is known), and only a staff PIN
// leaves it.
type kioskScreen struct {
	u         *UI
	store     kioskStore
	step      int
	lastTouch time.Time
	doneAt    time.Time
	busy      bool
	scale     float32 // 1 at 1024×768; larger screens get larger text and targets

	content *fyne.Container // the current step's view

	phone       string
	surname     string // chosen by touch on the name step
	surnamePage int
	title       string
	purpose     data.Purpose
	exitPIN     string
	result      data.Visit
	errorMsg    string

	press func(key string) // the keypad's handler on the phone and PIN steps

	// What the desk had before the kiosk, given back when it leaves.
	deskTheme fyne.Theme
	deskSize  fyne.Size
	deskFull  bool
	stopTick  context.CancelFunc

	// The current step's widgets, for tests.
	keys         map[string]*widget.Button
	next         *widget.Button
	back         *widget.Button
	confirm      *widget.Button
	titleBtns    map[string]*widget.Button
	surnameBtns  map[string]*widget.Button // the current page's
	surnameGrid  *fyne.Container
	moreSurnames *widget.Button
	purposeBtns  map[data.Purpose]*widget.Button
	staffExit    *widget.Button
	display      *canvas.Text
	message      *canvas.Text
}

func (u *UI) showKiosk() {
	k := &kioskScreen{u: u, store: u.store, deskTheme: u.fa.Settings().Theme(), deskSize: u.win.Canvas().Size(), deskFull: u.win.FullScreen()}
	u.kiosk = k
	u.Stop()
	u.win.SetMainMenu(nil)
	u.win.Canvas().SetOnTypedKey(k.typedKey)
	u.win.Canvas().SetOnTypedRune(k.typedRune)
	u.setTitle(T("kiosk.title"))
	k.content = container.New(screenLayout{})
	u.win.SetContent(k.content)
	k.fitScreen() // large text and touch targets everywhere
	if !u.inline {
		u.win.SetFullScreen(true)
	}
	k.reset()
	k.stopTick = u.every(time.Second, k.tick)
}

// leave gives the desk back exactly as it was before the kiosk: its
// theme, full-screen state and window size; the kiosk's tick stops.
func (k *kioskScreen) leave(st data.Staff) {
	u := k.u
	u.kiosk = nil
	k.stopTick()
	u.fa.Settings().SetTheme(k.deskTheme)
	if !u.inline || u.win.FullScreen() != k.deskFull {
		u.win.SetFullScreen(k.deskFull)
	}
	u.signedIn(st)
	u.win.Resize(k.deskSize)
}

// screenLayout gives the kiosk the whole window and asks for no minimum
// size, so the window (full screen: the screen) decides the kiosk's size
// and its scale; a kiosk whose scaled content asked for more would grow
// the window, then its scale, then its content, a little every second.
type screenLayout struct{}

func (screenLayout) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.NewSize(1, 1) }

func (screenLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

// size is a layout size at 1024×768, scaled for this screen.
func (k *kioskScreen) size(w, h float32) fyne.Size { return fyne.NewSize(w*k.scale, h*k.scale) }

// fitScreen scales text and touch targets to the screen: 1 at 1024×768, up
// to 2. The kiosk's window is full screen and its content never enlarges it
// (screenLayout), so the canvas is the screen. It reports whether the scale
// changed.
func (k *kioskScreen) fitScreen() bool {
	sz := k.u.win.Canvas().Size()
	scale := min(sz.Width/1024, sz.Height/768)
	scale = max(1, min(2, scale))
	if scale == k.scale {
		return false
	}
	k.scale = scale
	k.u.fa.Settings().SetTheme(kioskTheme(scale))
	return true
}

// touch records an interaction, postponing the idle reset.
func (k *kioskScreen) touch() { k.lastTouch = k.u.now() }

// tick resets an abandoned check-in and leaves the done screen.
func (k *kioskScreen) tick() {
	if k.u.kiosk != k { // a tick queued before the kiosk was left
		return
	}
	if k.fitScreen() { // the window went full screen or changed size
		k.show(k.step)
	}
	now := k.u.now()
	switch {
	case k.step == kioskDone && now.Sub(k.doneAt) >= kioskDoneReset:
		k.reset()
	case k.step == kioskDone || k.busy || now.Sub(k.lastTouch) < kioskIdleReset:
	case k.step != kioskPhone || k.phone != "" || k.errorMsg != "":
		// An abandoned check-in, or half a number the last visitor left
		// on the first step: the next visitor starts clean.
		k.reset()
	}
}

// reset clears everything the last visitor typed and shows the first step.
func (k *kioskScreen) reset() {
	k.phone, k.surname, k.title, k.purpose, k.exitPIN, k.errorMsg = "", "", "", "", "", ""
	k.surnamePage = 0
	k.result = data.Visit{}
	k.show(kioskPhone)
}

func (k *kioskScreen) show(step int) {
	k.step = step
	k.errorMsg = "" // an error belongs to the page it was made on
	k.press = nil
	k.touch()
	var view fyne.CanvasObject
	switch step {
	case kioskPhone:
		view = k.phoneView()
	case kioskName:
		view = k.nameView()
	case kioskConsent:
		view = k.consentView()
	case kioskDone:
		view = k.doneView()
	case kioskExit:
		view = k.exitView()
	}
	k.content.Objects = []fyne.CanvasObject{view}
	k.content.Refresh()
}

// typedRune lets a hardware keyboard (or a barcode-style keypad) type on
// the phone and PIN steps as the on-screen keypad does.
func (k *kioskScreen) typedRune(r rune) {
	if (r < '0' || r > '9') && r != '+' {
		return
	}
	if k.step == kioskDone && !k.busy {
		// The next visitor types while "please take a seat" still shows:
		// their number starts a new check-in instead of being dropped.
		k.reset()
	}
	if k.press == nil {
		return
	}
	k.touch()
	k.press(string(r))
}

func (k *kioskScreen) typedKey(ev *fyne.KeyEvent) {
	switch {
	case k.press != nil && ev.Name == fyne.KeyBackspace:
		k.touch()
		k.press("⌫")
	case ev.Name == fyne.KeyReturn || ev.Name == fyne.KeyEnter:
		if k.step == kioskPhone {
			k.onPhoneNext()
		} else if k.step == kioskExit {
			k.onExit()
		}
	}
}

// text is a centred canvas text of size points at 1024×768, scaled up on
// larger screens.
func (k *kioskScreen) text(s string, size float32) *canvas.Text {
	t := canvas.NewText(s, colorForeground)
	t.TextSize = size * k.scale
	t.Alignment = fyne.TextAlignCenter
	return t
}

// reserved is s, or a space for an empty line: a line keeps its height
// when it is empty, so nothing below or above it moves when text appears.
func reserved(s string) string {
	if s == "" {
		return " "
	}
	return s
}

func (k *kioskScreen) messageText() *canvas.Text {
	k.message = k.text(reserved(k.errorMsg), 26)
	k.message.Color = colorError
	return k.message
}

func (k *kioskScreen) setError(msg string) {
	k.errorMsg = msg
	if k.message != nil {
		k.message.Text = reserved(msg)
		k.message.Refresh()
	}
}

// frame lays a step out: a header, the body, the step's buttons, and the
// discreet staff button.
func (k *kioskScreen) frame(stepNo int, prompt string, body fyne.CanvasObject, buttons ...fyne.CanvasObject) fyne.CanvasObject {
	welcome := k.text(T("kiosk.welcome", map[string]any{"Office": k.u.office.Name}), 40)
	welcome.Color = colorPrimary
	stepLabel := k.text("", 22)
	if stepNo > 0 {
		stepLabel.Text = T("kiosk.step", map[string]any{"N": stepNo, "Of": 3})
	}
	k.staffExit = &widget.Button{Text: T("kiosk.staff"), Importance: widget.LowImportance, OnTapped: func() { k.exitPIN = ""; k.errorMsg = ""; k.show(kioskExit) }}
	stepLabel.Text = reserved(stepLabel.Text)
	top := container.NewVBox(
		// The step label is centred on the screen, not in the space the
		// staff button leaves.
		container.NewStack(stepLabel, container.NewHBox(layout.NewSpacer(), k.staffExit)),
		welcome,
		k.text(reserved(prompt), 32),
	)
	var sized []fyne.CanvasObject
	for _, b := range buttons {
		sized = append(sized, container.NewGridWrap(k.size(260, 76), b))
	}
	bottom := container.NewVBox(k.messageText(), container.NewCenter(container.NewHBox(sized...)))
	return container.NewPadded(container.NewBorder(top, bottom, nil, nil, container.NewCenter(body)))
}

// keypad is a large numeric keypad; extra is the bottom-left key ("+" or "").
func (k *kioskScreen) keypad(press func(string), extra string) fyne.CanvasObject {
	k.keys = map[string]*widget.Button{}
	var btns []fyne.CanvasObject
	for _, key := range []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", extra, "0", "⌫"} {
		if key == "" {
			btns = append(btns, layout.NewSpacer())
			continue
		}
		key := key
		b := &widget.Button{Text: key, OnTapped: func() { k.touch(); press(key) }}
		k.keys[key] = b
		btns = append(btns, b)
	}
	return container.NewGridWrap(k.size(420, 380), container.NewGridWithColumns(3, btns...))
}

func (k *kioskScreen) phoneView() fyne.CanvasObject {
	k.display = k.text(k.phoneDisplay(), 48)
	press := func(key string) {
		switch key {
		case "⌫":
			if k.phone != "" {
				k.phone = k.phone[:len(k.phone)-1]
			}
		case "+":
			if k.phone == "" {
				k.phone = "+"
			}
		default:
			if len(k.phone) < maxKioskPhone {
				k.phone += key
			}
		}
		k.setError("")
		k.display.Text = k.phoneDisplay()
		k.display.Refresh()
	}
	k.press = press
	k.next = &widget.Button{Text: T("kiosk.next"), Importance: widget.HighImportance, OnTapped: k.onPhoneNext}
	body := container.NewVBox(k.display, k.keypad(press, "+"))
	return k.frame(1, T("kiosk.phone.prompt"), body, k.next)
}

func (k *kioskScreen) phoneDisplay() string {
	if k.phone == "" {
		return T("kiosk.phone.empty")
	}
	p := k.phone
	if len(p) == 11 && !strings.HasPrefix(p, "+") {
		return p[:3] + " " + p[3:7] + " " + p[7:]
	}
	return p
}

func (k *kioskScreen) onPhoneNext() {
	k.touch()
	if _, err := data.NormalizePhone("phone", k.phone); err != nil {
		k.setError(T(err.Key, err.Args))
		return
	}
	k.show(kioskName)
}

// kioskSurnames are the commonest Chinese surnames, most common first, in
// pages of kioskSurnamePage: a visitor picks theirs by touch, as the kiosk
// has no keyboard.
var kioskSurnames = []string{
	"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "高", "罗",
	"郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡",
	"余", "杜", "叶", "程", "苏", "魏", "吕", "丁", "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金",
	"石", "廖", "贾", "夏", "韦", "付", "方", "白", "邹", "孟", "熊", "秦", "邱", "江", "尹", "薛", "闫", "段", "雷", "侯",
}

const kioskSurnamePage = 20

func (k *kioskScreen) nameView() fyne.CanvasObject {
	k.surnameGrid = container.NewGridWithColumns(10)
	k.moreSurnames = &widget.Button{OnTapped: func() {
		k.touch()
		k.surnamePage = (k.surnamePage + 1) % (len(kioskSurnames) / kioskSurnamePage)
		k.fillSurnames()
	}}
	k.fillSurnames()
	k.titleBtns = map[string]*widget.Button{}
	var titleRow []fyne.CanvasObject
	for _, t := range []string{data.TitleMr, data.TitleMs} {
		t := t
		b := &widget.Button{Text: T("title." + t), OnTapped: func() {
			k.touch()
			k.title = t
			k.markChoices()
			k.clearFixedError()
		}}
		k.titleBtns[t] = b
		titleRow = append(titleRow, container.NewGridWrap(k.size(160, 60), b))
	}
	titleRow = append(titleRow, container.NewGridWrap(k.size(200, 60), k.moreSurnames))
	k.purposeBtns = map[data.Purpose]*widget.Button{}
	var purposes []fyne.CanvasObject
	for _, p := range data.Purposes {
		p := p
		b := &widget.Button{Text: purposeText(p), OnTapped: func() { k.touch(); k.purpose = p; k.markChoices(); k.clearFixedError() }}
		k.purposeBtns[p] = b
		purposes = append(purposes, b)
	}
	k.markChoices()
	k.back = &widget.Button{Text: T("kiosk.back"), OnTapped: func() { k.touch(); k.show(kioskPhone) }}
	k.next = &widget.Button{Text: T("kiosk.next"), Importance: widget.HighImportance, OnTapped: k.onNameNext}
	body := container.NewVBox(
		k.text(T("kiosk.name.label"), 24),
		container.NewGridWrap(k.size(760, 124), k.surnameGrid),
		container.NewCenter(container.NewHBox(titleRow...)),
		k.text(T("kiosk.purpose.label"), 24),
		container.NewGridWrap(k.size(760, 150), container.NewGridWithColumns(3, purposes...)),
	)
	return k.frame(2, T("kiosk.name.prompt"), body, k.back, k.next)
}

// fillSurnames shows the current page of surnames; the chosen one stays
// chosen on every page.
func (k *kioskScreen) fillSurnames() {
	k.surnameBtns = map[string]*widget.Button{}
	var btns []fyne.CanvasObject
	for _, n := range kioskSurnames[k.surnamePage*kioskSurnamePage : (k.surnamePage+1)*kioskSurnamePage] {
		n := n
		b := &widget.Button{Text: n, OnTapped: func() { k.touch(); k.surname = n; k.markChoices(); k.clearFixedError() }}
		k.surnameBtns[n] = b
		btns = append(btns, b)
	}
	k.surnameGrid.Objects = btns
	k.surnameGrid.Refresh()
	k.moreSurnames.Text = T("kiosk.name.more", map[string]any{"Page": k.surnamePage + 1, "Of": len(kioskSurnames) / kioskSurnamePage})
	k.moreSurnames.Refresh()
	k.markChoices()
}

// clearFixedError takes each part of the name step's message away as the
// visitor chooses what it asked for.
func (k *kioskScreen) clearFixedError() {
	if k.errorMsg != "" {
		k.setError(k.nameError())
	}
}

// markChoices highlights the chosen title and purpose.
func (k *kioskScreen) markChoices() {
	for n, b := range k.surnameBtns {
		b.Importance = widget.MediumImportance
		if n == k.surname {
			b.Importance = widget.HighImportance
		}
		b.Refresh()
	}
	for t, b := range k.titleBtns {
		b.Importance = widget.MediumImportance
		if t == k.title {
			b.Importance = widget.HighImportance
		}
		b.Refresh()
	}
	for p, b := range k.purposeBtns {
		b.Importance = widget.MediumImportance
		if p == k.purpose {
			b.Importance = widget.HighImportance
		}
		b.Refresh()
	}
}

func (k *kioskScreen) input() data.CheckInInput {
	return data.CheckInInput{Name: k.surname, Title: k.title, Phone: k.phone, PartySize: "1", Purpose: k.purpose,
		Via: data.ViaKiosk, AutoAssign: true}
}

// nameError is the name step's message: every missing choice at once, or
// "" when the step is complete. A surname always needs 先生 or 女士.
func (k *kioskScreen) nameError() string {
	errs := data.ValidateCheckIn(k.input())
	if k.title == "" {
		errs["title"] = &data.Error{Key: "err.field.choose"}
	}
	var msgs []string
	for _, f := range []string{"name", "title", "purpose"} {
		if e, ok := errs[f]; ok {
			msgs = append(msgs, T("kiosk.field."+f)+T(e.Key, e.Args))
		}
	}
	return strings.Join(msgs, " ")
}

func (k *kioskScreen) onNameNext() {
	k.touch()
	if msg := k.nameError(); msg != "" {
		k.setError(msg)
		return
	}
	k.show(kioskConsent)
}

func (k *kioskScreen) consentView() fyne.CanvasObject {
	text := newParagraph(T("consent.text") + "\n\n" + T("consent.agree.kiosk", map[string]any{"Button": T("kiosk.confirm")}))
	scroll := container.NewVScroll(text)
	scroll.OnScrolled = func(fyne.Position) { k.touch() }
	k.back = &widget.Button{Text: T("kiosk.back"), OnTapped: func() { k.touch(); k.show(kioskName) }}
	k.confirm = &widget.Button{Text: T("kiosk.confirm"), Importance: widget.HighImportance, OnTapped: k.onConfirm}
	body := container.NewGridWrap(k.size(900, 380), scroll)
	return k.frame(3, T("consent.title", map[string]any{"Version": data.ConsentVersion}), body, k.back, k.confirm)
}

func (k *kioskScreen) onConfirm() {
	k.touch()
	if k.busy {
		return
	}
	in := k.input()
	in.Consent = true
	k.busy = true
	k.confirm.Disable()
	u := k.u
	load(u, func(ctx context.Context) (data.Visit, error) {
		return k.store.CheckIn(ctx, "", in)
	}, func(v data.Visit, err error) {
		k.busy = false
		if err != nil {
			k.confirm.Enable()
			k.setError(T("kiosk.failed"))
			u.log.Error("kiosk check-in", "err", err)
			return
		}
		k.result = v
		k.doneAt = u.now()
		k.show(kioskDone)
	})
}

func (k *kioskScreen) doneView() fyne.CanvasObject {
	line := T("kiosk.done.waiting")
	if k.result.ConsultantName != "" {
		line = T("kiosk.done.consultant", map[string]any{"Name": k.result.ConsultantName})
	}
	// The name the visitor chose, not the one on record: the kiosk says
	// nothing about a known number.
	thanks := k.text(T("kiosk.done.title", map[string]any{"Name": visitorName(k.surname, k.title)}), 44)
	thanks.Color = colorPrimary
	k.confirm = &widget.Button{Text: T("kiosk.done.ok"), Importance: widget.HighImportance, OnTapped: k.reset}
	body := container.NewVBox(thanks, k.text(line, 34), k.text(T("kiosk.done.seat"), 28))
	return k.frame(0, "", body, k.confirm)
}

func (k *kioskScreen) exitView() fyne.CanvasObject {
	k.display = k.text(reserved(strings.Repeat("●", len(k.exitPIN))), 48)
	press := func(key string) {
		switch key {
		case "⌫":
			if k.exitPIN != "" {
				k.exitPIN = k.exitPIN[:len(k.exitPIN)-1]
			}
		default:
			if len(k.exitPIN) < data.MaxPINLen {
				k.exitPIN += key
			}
		}
		k.display.Text = reserved(strings.Repeat("●", len(k.exitPIN)))
		k.display.Refresh()
	}
	k.press = press
	k.back = &widget.Button{Text: T("dialog.cancel"), OnTapped: k.reset}
	k.confirm = &widget.Button{Text: T("kiosk.exit.confirm"), Importance: widget.HighImportance, OnTapped: k.onExit}
	body := container.NewVBox(k.display, k.keypad(press, ""))
	return k.frame(0, T("kiosk.exit.prompt", map[string]any{"Name": k.u.user.Name}), body, k.back, k.confirm)
}

// onExit leaves kiosk mode with the PIN of the staff member who opened it;
// wrong PINs count towards that person's lock-out.
func (k *kioskScreen) onExit() {
	k.touch()
	u := k.u
	pin := k.exitPIN
	k.exitPIN = ""
	k.display.Text = reserved("")
	k.display.Refresh()
	actor := u.user.ID
	load(u, func(ctx context.Context) (data.Staff, error) {
		return k.store.SignIn(ctx, actor, pin)
	}, func(st data.Staff, err error) {
		if err != nil {
			k.setError(u.errText(err))
			return
		}
		k.leave(st)
	})
}
