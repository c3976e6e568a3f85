//go:build unix

package data

import "golang.org/x/sys/unix"

// DiskFree is the space an unprivileged user may still write where dir is.
func DiskFree(dir string) (uint64, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return 0, err
	}
	return uint64(st.Bavail) * uint64(st.Bsize), nil
}
