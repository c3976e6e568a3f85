package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"anchang/data"
)

// The app's own file-open modal for photos (Fyne's file dialog is in the
// dialog package, which draws bold titles and so loads the CJK font
// again). It lists folders and image files; reading a folder and the
// picked file happen off the UI goroutine.

// photoExts are the files the picker offers.
var photoExts = map[string]bool{".jpg": true, ".jpeg": true, ".png": true, ".gif": true}

// pickStartDir is where the picker opens: the last folder a photo came
// from, else the Pictures folder, else home.
var pickStartDir string

type pickEntry struct {
	name string
	dir  bool
	size int64
}

// pickImageFile shows the picker; picked gets the chosen file's bytes on
// the UI goroutine.
func pickImageFile(u *UI, picked func([]byte)) {
	path := &widget.Label{Truncation: fyne.TextTruncateEllipsis}
	status := newStatusLine()
	var entries []pickEntry
	var dir string
	var m *modal
	list := widget.NewList(func() int { return len(entries) }, func() fyne.CanvasObject {
		return container.NewBorder(nil, nil, widget.NewIcon(theme.FolderIcon()), widget.NewLabel(""), &widget.Label{Truncation: fyne.TextTruncateEllipsis})
	}, func(id widget.ListItemID, o fyne.CanvasObject) {
		e := entries[id]
		box := o.(*fyne.Container)
		box.Objects[0].(*widget.Label).SetText(e.name)
		icon := box.Objects[1].(*widget.Icon)
		size := box.Objects[2].(*widget.Label)
		if e.dir {
			icon.SetResource(theme.FolderIcon())
			size.SetText("")
		} else {
			icon.SetResource(theme.FileImageIcon())
			size.SetText(fileSize(e.size))
		}
	})
	var open func(string)
	open = func(d string) {
		status.SetText("")
		load(u, func(context.Context) ([]pickEntry, error) { return readPickDir(d) }, func(es []pickEntry, err error) {
			if err != nil {
				status.SetError(T("insp.photo.cannot_read", map[string]any{"Path": d}))
				return
			}
			dir, entries = d, es
			path.SetText(d)
			list.UnselectAll()
			list.Refresh()
			list.ScrollToTop()
		})
	}
	list.OnSelected = func(id widget.ListItemID) {
		if id >= len(entries) {
			return
		}
		e := entries[id]
		full := filepath.Join(dir, e.name)
		if e.dir {
			open(full)
			return
		}
		status.SetText(T("insp.photo.reading"))
		load(u, func(context.Context) ([]byte, error) { return readPhotoFile(full) }, func(b []byte, err error) {
			if err != nil {
				if e, ok := data.AsError(err); ok {
					status.SetError(T(e.Key, e.Args))
				} else {
					status.SetError(T("insp.photo.cannot_read", map[string]any{"Path": full}))
				}
				list.UnselectAll()
				return
			}
			pickStartDir = dir
			m.Hide()
			picked(b)
		})
	}
	up := &widget.Button{Icon: theme.MoveUpIcon(), Text: T("insp.photo.up"), OnTapped: func() {
		if p := filepath.Dir(dir); p != dir {
			open(p)
		}
	}}
	home := &widget.Button{Icon: theme.HomeIcon(), OnTapped: func() { open(startPickDir()) }}
	hint := caption(T("insp.photo.hint", map[string]any{"Max": data.MaxPhotoFileBytes >> 20}))
	content := container.NewBorder(container.NewVBox(container.NewBorder(nil, nil, container.NewHBox(up, home), nil, path), hint), status, nil, nil, list)
	m = u.showModal(T("insp.photo.pick"), container.NewGridWrap(fyne.NewSize(560, 380), content), T("dialog.cancel"))
	start := pickStartDir
	if start == "" {
		start = startPickDir()
	}
	open(start)
}

// startPickDir is the user's Pictures folder, or home.
func startPickDir() string {
	home, err := os.UserHomeDir()
	if err != nil {
		if runtime.GOOS == "windows" {
			return `C:\`
		}
		return "/"
	}
	for _, d := range []string{"Pictures", "图片", "Desktop", "桌面"} {
		if st, err := os.Stat(filepath.Join(home, d)); err == nil && st.IsDir() {
			return filepath.Join(home, d)
		}
	}
	return home
}

// readPickDir lists a folder's subfolders and image files, folders first,
// hidden ones left out.
func readPickDir(dir string) ([]pickEntry, error) {
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []pickEntry
	for _, de := range des {
		name := de.Name()
		if strings.HasPrefix(name, ".") {
			continue
		}
		if de.IsDir() {
			out = append(out, pickEntry{name: name, dir: true})
			continue
		}
		if !photoExts[strings.ToLower(filepath.Ext(name))] {
			continue
		}
		info, err := de.Info()
		if err != nil {
			continue
		}
		out = append(out, pickEntry{name: name, size: info.Size()})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].dir != out[j].dir {
			return out[i].dir
		}
		return strings.ToLower(out[i].name) < strings.ToLower(out[j].name)
	})
	return out, nil
}

// readPhotoFile reads a picked file, refusing one too big before reading it.
func readPhotoFile(path string) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, errors.New("not a file")
	}
	if st.Size() > data.MaxPhotoFileBytes {
		return nil, &data.Error{Code: data.EINVALID, Field: "photo", Key: "err.photo.too_big", Args: map[string]any{"Max": data.MaxPhotoFileBytes >> 20}}
	}
	return os.ReadFile(path)
}

// fileSize is "2.4 MB" or "180 KB".
func fileSize(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d KB", (n+1023)/1024)
}
