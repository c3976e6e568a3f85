package data

import "testing"

// Every mutation version records the schema that introduced it, and HQ
// refuses a desk below it (sync/hq, TestOldDeskIsNotHandedWhatItCannotRead).
// A version above 1 without one would reach older desks that fail on it;
// one above this binary's schema would have HQ refuse current desks.
func TestMutationMinSchema(t *testing.T) {
	for _, m := range Mutations() {
		if m.MinSchema > SchemaVersion {
			t.Errorf("%s v%d needs schema %d, above this binary's %d: HQ would refuse current desks", m.Name, m.Version, m.MinSchema, SchemaVersion)
		}
		if m.Version > 1 && m.MinSchema == 0 {
			t.Errorf("%s v%d has no MinSchema: a desk that only knows v%d would be handed it", m.Name, m.Version, m.Version-1)
		}
		if got := MutationMinSchema(m.Name, m.Version); got != m.MinSchema {
			t.Errorf("MutationMinSchema(%s, %d) = %d, spec says %d", m.Name, m.Version, got, m.MinSchema)
		}
	}
	for _, tc := range []struct {
		name    string
		version int
		want    int
	}{
		{MutTicketOpen, 1, 0},
		{MutTicketOpen, 2, 13},
		{MutTicketEvent, 1, 0},
		{"no.such", 1, 0},
	} {
		if got := MutationMinSchema(tc.name, tc.version); got != tc.want {
			t.Errorf("MutationMinSchema(%s, %d) = %d, want %d", tc.name, tc.version, got, tc.want)
		}
	}
}
