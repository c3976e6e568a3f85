package data

import (
	"errors"
	"fmt"
)

// Error codes. They cross the wire once sync lands, so the list is only ever
// appended to.
const (
	EINVALID   = "invalid"   // input fails validation
	ECONFLICT  = "conflict"  // the change contradicts the current state
	ENOTFOUND  = "not_found" // no such record
	EFORBIDDEN = "forbidden" // the acting staff member may not do this
	ELOCKED    = "locked"    // too many failed sign-ins
	ESCHEMA    = "schema"    // the database was written by a newer version
	ENOTSETUP  = "not_setup" // the first-run setup has not been done
	EINTERNAL  = "internal"  // anything else
	EINUSE     = "in_use"    // another instance has the data directory
	ESTORAGE   = "storage"   // the disk is full, read-only or failing
	EDAMAGED   = "damaged"   // the database file is damaged
)

// Error is the store's one error type. Key names a translation in
// assets/lang; Args fill its template. The UI shows the translated Key; the
// log gets Error(), which never contains personal data.
type Error struct {
	Code  string
	Field string         // the input field at fault, if any
	Key   string         // translation key of the user-facing message
	Args  map[string]any // template data for Key
	Err   error          // underlying cause, for the log
}

func (e *Error) Error() string {
	s := e.Code
	if e.Field != "" {
		s += " " + e.Field
	}
	s += ": " + e.Key
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// ErrorCode returns the code of err, EINTERNAL for foreign errors and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	var fe FieldErrors
	if errors.As(err, &fe) {
		return EINVALID
	}
	return EINTERNAL
}

// AsError returns err as *Error when it is one.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

func invalid(field, key string, args map[string]any) *Error {
	return &Error{Code: EINVALID, Field: field, Key: key, Args: args}
}

func errorf(code, key, format string, a ...any) *Error {
	return &Error{Code: code, Key: key, Err: fmt.Errorf(format, a...)}
}
