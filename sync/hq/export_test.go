package hq

// For the external tests (package hq_test): the small mutation registry.
var (
	TestDescribe = testDescribe
	Mut          = mut
)

type TestPayload = testPayload
