package assets

import _ "embed"

// HandoverTemplate is the default handover inspection checklist (交付验房):
// rooms × items with the acceptance standard of each, in zh-CN with
// English, plus the meters read and the keys handed over. It belongs to HQ:
// data.Store.EnsureInspectionTemplate loads it as version 1 on a new
// device, and an admin imports a revised version (data.Store.ImportInspectionTemplate).
//
//go:embed templates/handover.json
var HandoverTemplate []byte
