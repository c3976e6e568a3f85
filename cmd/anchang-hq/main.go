// Command anchang-hq is the HQ sync server and its admin verbs
// (docs/sync.md, docs/operations.md).
//
//	anchang-hq --data-dir DIR [--listen 127.0.0.1:8443] [--postgres DSN] [--cert F --key F]
//	anchang-hq --data-dir DIR office add CODE NAME | office list
//	anchang-hq --data-dir DIR code OFFICE_CODE [--hq] [--ttl 24h]
//	anchang-hq --data-dir DIR devices | revoke DEVICE | rejections [--office CODE] | purge [--days 30]
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	m := NewMain()
	if err := m.ParseFlags(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "anchang-hq:", err)
		os.Exit(2)
	}
	err := m.Run(ctx)
	if cerr := m.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "anchang-hq:", err)
		os.Exit(1)
	}
}
