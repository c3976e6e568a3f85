package app

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"anchang/data"
)

// The manual's configuration, for the admin: its categories (the domain's
// eleven to start with; more may be added, none removed, since entries
// point at them), the vague words an approved answer may not contain, and
// the search's synonym list (HQ's on an enrolled office device: shown,
// not edited).

type faqConfigStore interface {
	FAQCategories(ctx context.Context) ([]data.FAQCategory, error)
	VagueWords(ctx context.Context) ([]string, error)
	AddFAQCategory(ctx context.Context, actorID string, c data.FAQCategory) error
	SetVagueWords(ctx context.Context, actorID string, words []string) error
	FAQSynonyms(ctx context.Context) ([]data.FAQSynonym, error)
	SetFAQSynonyms(ctx context.Context, actorID string, groups []data.FAQSynonym) error
}

type faqConfig struct {
	u     *UI
	store faqConfigStore

	cats     []data.FAQCategory
	catList  *widget.List
	code     *widget.Entry
	nameZH   *widget.Entry
	nameEN   *widget.Entry
	catF     []*field
	catMsg   *statusLine
	words    *widget.Entry
	wordsF   *field
	wordsMsg *statusLine
	syn      *widget.Entry
	synF     *field
	synMsg   *statusLine
	synSave  *widget.Button
	onChange func() // the editor's lists and lint follow
	added    bool   // show the list's end (the category just added) once loaded
}

func newFAQConfig(u *UI, onChange func()) *faqConfig {
	return &faqConfig{u: u, store: u.store, onChange: onChange}
}

func (c *faqConfig) buildUI() fyne.CanvasObject {
	c.catList = widget.NewList(func() int { return len(c.cats) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			cat := c.cats[i]
			o.(*widget.Label).SetText(cat.NameZH + "  ·  " + cat.NameEN + "  ·  " + cat.Code)
		})
	c.code = &widget.Entry{PlaceHolder: "after_sales"}
	c.nameZH = &widget.Entry{PlaceHolder: "售后服务"}
	c.nameEN = &widget.Entry{PlaceHolder: "After-sales service"}
	c.catF = []*field{
		newField("code", "faq.config.code", c.code),
		newField("name_zh", "faq.config.name_zh", c.nameZH),
		newField("name_en", "faq.config.name_en", c.nameEN),
	}
	c.catMsg = newStatusLine()
	add := &widget.Button{Text: T("faq.config.add"), Importance: widget.HighImportance, OnTapped: c.onAdd}
	addHint := c.u.byHQHint(add)
	cats := section(T("faq.config.categories"), T("faq.config.categories_hint"),
		container.NewBorder(nil, container.NewVBox(formGrid(c.catF...), container.NewBorder(nil, nil, nil, add, addHint), c.catMsg), nil, nil, c.catList))

	c.words = &widget.Entry{MultiLine: true, Wrapping: fyne.TextWrapWord}
	c.words.SetMinRowsVisible(5)
	c.wordsF = newField("vague_words", "faq.config.words", c.words)
	c.wordsMsg = newStatusLine()
	save := &widget.Button{Text: T("faq.config.save_words"), Importance: widget.HighImportance, OnTapped: c.onSaveWords}
	saveHint := c.u.byHQHint(save)
	words := section(T("faq.config.words_title"), T("faq.config.words_hint"),
		container.NewVBox(formGrid(c.wordsF), container.NewBorder(nil, nil, nil, save, saveHint), c.wordsMsg))

	c.syn = &widget.Entry{MultiLine: true, Wrapping: fyne.TextWrapWord, PlaceHolder: "车位：停车位、车库"}
	c.syn.SetMinRowsVisible(5)
	c.synF = newField("synonyms", "faq.config.synonyms", c.syn)
	c.synMsg = newStatusLine()
	c.synSave = &widget.Button{Text: T("faq.config.save_synonyms"), Importance: widget.HighImportance, OnTapped: c.onSaveSynonyms}
	synHint := c.u.byHQHint(c.synSave)
	syn := section(T("faq.config.synonyms_title"), T("faq.config.synonyms_hint"),
		container.NewVBox(formGrid(c.synF), container.NewBorder(nil, nil, nil, c.synSave, synHint), c.synMsg))
	return container.NewGridWithColumns(2, cats, container.NewVScroll(container.NewVBox(words, syn)))
}

// reload reads the categories and the word list.
func (c *faqConfig) reload() {
	type config struct {
		cats  []data.FAQCategory
		words []string
		syn   []data.FAQSynonym
	}
	u := c.u
	load(u, func(ctx context.Context) (config, error) {
		cats, err := c.store.FAQCategories(ctx)
		if err != nil {
			return config{}, err
		}
		words, err := c.store.VagueWords(ctx)
		if err != nil {
			return config{}, err
		}
		syn, err := c.store.FAQSynonyms(ctx)
		return config{cats, words, syn}, err
	}, func(cf config, err error) {
		if err != nil {
			c.catMsg.SetError(u.errText(err))
			return
		}
		c.cats = cf.cats
		c.catList.Refresh()
		if c.added {
			c.added = false
			c.catList.ScrollToBottom()
		}
		c.words.SetText(strings.Join(cf.words, "\n"))
		c.syn.SetText(data.FormatFAQSynonyms(cf.syn))
		// On an enrolled office device the list is HQ's (the store refuses
		// a change with err.sync.approved_at_hq): shown, not edited; the
		// save button is disabled beside 由总部统一发布 (byHQHint).
		if u.byHQ() {
			c.syn.Disable()
		}
	})
}

func (c *faqConfig) onAdd() {
	u := c.u
	cat := data.FAQCategory{Code: c.code.Text, NameZH: c.nameZH.Text, NameEN: c.nameEN.Text}
	showFieldErrors(c.catF, nil, nil)
	c.catMsg.SetText("")
	actor := u.user.ID
	do(u, func(ctx context.Context) error { return c.store.AddFAQCategory(ctx, actor, cat) }, func(err error) {
		if err != nil {
			if !showFieldErrors(c.catF, fieldErrorsOf(err), c.catMsg.SetError) {
				c.catMsg.SetError(u.errText(err))
			}
			return
		}
		c.catMsg.SetSuccess(T("faq.config.added", map[string]any{"Name": strings.TrimSpace(cat.NameZH)}))
		c.code.SetText("")
		c.nameZH.SetText("")
		c.nameEN.SetText("")
		c.added = true
		c.reload()
		if c.onChange != nil {
			c.onChange()
		}
	})
}

func (c *faqConfig) onSaveWords() {
	u := c.u
	var words []string
	for _, w := range strings.Split(c.words.Text, "\n") {
		if w = strings.TrimSpace(w); w != "" {
			words = append(words, w)
		}
	}
	showFieldErrors([]*field{c.wordsF}, nil, nil)
	c.wordsMsg.SetText("")
	actor := u.user.ID
	do(u, func(ctx context.Context) error { return c.store.SetVagueWords(ctx, actor, words) }, func(err error) {
		if err != nil {
			if !showFieldErrors([]*field{c.wordsF}, fieldErrorsOf(err), c.wordsMsg.SetError) {
				c.wordsMsg.SetError(u.errText(err))
			}
			return
		}
		if len(words) == 0 {
			c.wordsMsg.SetSuccess(T("faq.config.words_default"))
		} else {
			c.wordsMsg.SetSuccess(T("faq.config.words_saved", map[string]any{"Count": len(words)}))
		}
		c.reload()
		if c.onChange != nil {
			c.onChange()
		}
	})
}

func (c *faqConfig) onSaveSynonyms() {
	u := c.u
	showFieldErrors([]*field{c.synF}, nil, nil)
	c.synMsg.SetText("")
	groups, err := data.ParseFAQSynonyms(c.syn.Text)
	if err != nil {
		if !showFieldErrors([]*field{c.synF}, fieldErrorsOf(err), c.synMsg.SetError) {
			c.synMsg.SetError(u.errText(err))
		}
		return
	}
	actor := u.user.ID
	do(u, func(ctx context.Context) error { return c.store.SetFAQSynonyms(ctx, actor, groups) }, func(err error) {
		if err != nil {
			if !showFieldErrors([]*field{c.synF}, fieldErrorsOf(err), c.synMsg.SetError) {
				c.synMsg.SetError(u.errText(err))
			}
			return
		}
		if len(groups) == 0 {
			c.synMsg.SetSuccess(T("faq.config.synonyms_default"))
		} else {
			c.synMsg.SetSuccess(T("faq.config.synonyms_saved", map[string]any{"Count": len(groups)}))
		}
		c.reload()
	})
}
