package data

import "testing"

// fixtureV3Check runs after the v3 fixture's own checks; the tickets tests
// extend it once the ticket API exists.
func fixtureV3Check(t *testing.T, s *Store) {}
