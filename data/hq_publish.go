package data

import (
	"context"
	"fmt"
)

// HQ's command line publishes reference data from a file (anchang-hq
// import faq|template|holidays): it runs the desk's own import on a
// scratch store that holds HQ's global scope and is enrolled as an HQ
// device, then appends what the import recorded to global. These helpers
// are that scratch store's side. See docs/sync.md, Publishing from HQ's
// command line.

// stamped is a payload with the common record stamp.
type stamped interface{ stamp() *recStamp }

func (r *recStamp) stamp() *recStamp { return r }

// Published is one change a scratch store recorded, for HQ to append.
type Published struct {
	Described
	Payload []byte
}

// TakePublished returns the HQ-owned changes waiting in the outbox, in
// order, re-encoded as made by nobody in particular (created_by "": the
// command line) when actorID made them; the scratch admin's own staff row
// and any other office-owned change are left out. They are acknowledged,
// so a second call returns only newer ones.
func (s *Store) TakePublished(ctx context.Context, actorID string) ([]Published, error) {
	pending, err := s.PendingOutbox(ctx, 1_000_000)
	if err != nil {
		return nil, err
	}
	var out []Published
	var acks []PushOutcome
	for _, e := range pending {
		spec, p, err := decodeMutation(e.Mutation, e.Version, e.Payload)
		if err != nil {
			return nil, fmt.Errorf("publish %s: %w", e.Mutation, err)
		}
		acks = append(acks, PushOutcome{Seq: e.Seq, Status: PushApplied, Scope: "global"})
		if spec.Owner != OwnerHQ {
			continue
		}
		if st, ok := p.(stamped); ok && st.stamp().CreatedBy == actorID {
			st.stamp().CreatedBy = ""
		}
		b, _, err := encodePayload(p)
		if err != nil {
			return nil, fmt.Errorf("publish %s: %w", e.Mutation, err)
		}
		d, err := DescribeMutation(e.Mutation, e.Version, b)
		if err != nil {
			return nil, fmt.Errorf("publish %s: %w", e.Mutation, err)
		}
		out = append(out, Published{Described: d, Payload: b})
	}
	if len(acks) > 0 {
		if err := s.AckPushed(ctx, acks); err != nil {
			return nil, err
		}
	}
	return out, nil
}
