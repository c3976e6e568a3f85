package hqsync_test

import (
	"context"
	"testing"

	"anchang/data"
	"anchang/sync/hq"
	"anchang/sync/hq/hqtest"
)

// Photos and signatures made at one device reach HQ apart from their
// records, and a second device fetches the ones its records refer to.
func TestBlobsTravel(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := hqtest.Start(t, hq.SQLite)
	a := fresh(t, nil)
	if _, err := a.s.LoadDemo(ctx, data.DemoOptions{Days: 2, PerDay: 5, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	pending, err := a.s.PendingBlobs(ctx, 1000)
	if err != nil || len(pending) == 0 {
		t.Fatalf("the demo made no blobs: %v", err)
	}
	id := a.identity()
	h.AddOffice(id.OfficeCode, id.OfficeName)
	a.mustEnroll(h, h.Code(id.OfficeCode), quiet())
	rep := a.round(quiet())
	if rep.BlobsUp != len(pending) {
		t.Fatalf("sent %d blobs of %d: %+v", rep.BlobsUp, len(pending), rep)
	}
	if left, _ := a.s.PendingBlobs(ctx, 1000); len(left) != 0 {
		t.Fatalf("%d blobs still pending", len(left))
	}
	b := fresh(t, nil)
	b.mustEnroll(h, h.Code(id.OfficeCode), quiet())
	missing, _ := b.s.MissingBlobs(ctx, 1000)
	if len(missing) == 0 {
		t.Fatal("the second device's records refer to no blob")
	}
	got := 0
	for range 10 { // 50 a round
		rep := b.round(quiet())
		got += rep.BlobsDown
		if rep.BlobsDown == 0 {
			break
		}
	}
	if left, _ := b.s.MissingBlobs(ctx, 1000); len(left) != 0 || got != len(missing) {
		t.Fatalf("fetched %d of %d; %d still missing", got, len(missing), len(left))
	}
	for _, bi := range missing {
		want, err := a.s.Blob(ctx, bi.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		gotB, err := b.s.Blob(ctx, bi.SHA256)
		if err != nil || string(gotB) != string(want) {
			t.Fatalf("blob %.12s differs at b (%v)", bi.SHA256, err)
		}
	}
	t.Logf("%d blobs up, %d down", len(pending), got)
}
