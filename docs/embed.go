// Package docs carries the user guide into the desk: Help → 用户指南 shows
// guide.md (app/help.go), so the desk and the repository never disagree.
package docs

import _ "embed"

// Guide is docs/guide.md.
//
//go:embed guide.md
var Guide string
