package main

import (
	"context"
	"os"
	"path/filepath"

	"anchang/data"
)

func must(err error) {
	if err != nil {
		panic(err)
	}
}

// mk ROOT LANG: ROOT/nokey (an office's database without its key) and
// ROOT/short (an admin with a 4-digit PIN from before).
func main() {
	ctx := context.Background()
	root, lang := os.Args[1], os.Args[2]
	a := filepath.Join(root, "a")
	s, err := data.Open(ctx, a)
	must(err)
	admin, err := s.Setup(ctx, data.SetupInput{OfficeName: "星河湾售楼处", OfficeCode: "XHW", DeviceName: "前台一号机", AdminName: "管理员", AdminPIN: "258014"})
	must(err)
	_, err = s.CreateStaff(ctx, admin.ID, data.StaffInput{Name: "李静", Role: data.RoleReceptionist, PIN: "135792"})
	must(err)
	must(s.SetSetting(ctx, "language", lang))
	must(os.MkdirAll(filepath.Join(root, "nokey"), 0o700))
	must(s.Backup(ctx, filepath.Join(root, "nokey", data.DBFileName)))
	s.Close()

	b := filepath.Join(root, "short")
	s, err = data.Open(ctx, b)
	must(err)
	admin, err = s.Setup(ctx, data.SetupInput{OfficeName: "星河湾售楼处", OfficeCode: "XHW", DeviceName: "前台一号机", AdminName: "老管理员", AdminPIN: "258014"})
	must(err)
	c, err := s.CreateStaff(ctx, admin.ID, data.StaffInput{Name: "王芳", Role: data.RoleConsultant, PIN: "4826"})
	must(err)
	must(s.UpdateStaff(ctx, admin.ID, c.ID, data.StaffInput{Name: c.Name, Role: data.RoleAdmin}, true))
	must(s.UpdateStaff(ctx, c.ID, admin.ID, data.StaffInput{Name: admin.Name, Role: data.RoleAdmin}, false))
	must(s.SetSetting(ctx, "language", lang))
	s.Close()
}
