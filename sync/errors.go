package hqsync

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net/http"
	"strconv"
	"time"

	"anchang/data"
)

// Translation keys of the errors a device shows about sync (assets/lang).
// HQ's answers carry their own key, which the device shows as it came; these
// are for what the device finds itself and for answers without a key.
const (
	KeyUnreachable         = "err.sync.unreachable"
	KeyFingerprintMismatch = "err.sync.fingerprint_mismatch"
	KeyUntrusted           = "err.sync.untrusted_cert"
	KeyBadURL              = "err.sync.url"
	KeyURLNotHTTPS         = "err.sync.url_https"
	KeyBadFingerprint      = "err.sync.bad_fingerprint"
	KeyBadCode             = "err.sync.code_invalid"
	KeyCodeExpired         = "err.sync.code_expired"
	KeyCodeUsed            = "err.sync.code_used"
	KeyOfficeHasHistory    = "err.sync.office_has_history"
	KeyRevoked             = "err.sync.revoked"
	KeyUpdateRequired      = "err.sync.update_required"
	KeyUnavailable         = "err.sync.unavailable"
	KeyRateLimited         = "err.sync.rate_limited"
	KeyBadResponse         = "err.sync.bad_response"
	KeyIntegrity           = "err.sync.integrity"
	KeyNotEnrolled         = "err.sync.not_enrolled"
	KeyAlreadyEnrolled     = "err.sync.already_enrolled"
	KeyUnauthorized        = "err.sync.unauthorized"
	KeyForbidden           = "err.sync.forbidden"
	KeyRejected            = "err.sync.rejected"
)

// CodeUnreachable is the code of a request that never got an answer from HQ
// (no route, refused, timed out, cut). It does not cross the wire.
const CodeUnreachable = "unreachable"

// syncError makes the coded error the UI shows; err is the cause, for the log.
func syncError(code, key string, err error) *data.Error {
	return &data.Error{Code: code, Key: key, Err: err}
}

// errFingerprint is the cause of a TLS handshake refused by the pin.
var errFingerprint = errors.New("certificate fingerprint does not match the pinned one")

// transportError maps a failed round trip (no HTTP answer) to a coded error.
func transportError(err error) *data.Error {
	if errors.Is(err, errFingerprint) {
		return syncError(CodeUnreachable, KeyFingerprintMismatch, err)
	}
	var unknown x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	var hostname x509.HostnameError
	var verify *tls.CertificateVerificationError
	if errors.As(err, &unknown) || errors.As(err, &invalid) || errors.As(err, &hostname) || errors.As(err, &verify) {
		return syncError(CodeUnreachable, KeyUntrusted, err)
	}
	return syncError(CodeUnreachable, KeyUnreachable, err)
}

// answerError maps an HTTP error answer to a coded error. The wire error's
// key wins when HQ sent one; otherwise the status says what happened.
func answerError(status int, we *WireError, header http.Header, cause error) *data.Error {
	e := &data.Error{Err: cause}
	if we != nil {
		e.Code, e.Key, e.Args = we.Code, we.Key, we.Args
	}
	if e.Code == "" {
		switch status {
		case http.StatusUnauthorized:
			e.Code = CodeUnauthorized
		case http.StatusForbidden:
			e.Code = data.EFORBIDDEN
		case http.StatusNotFound:
			e.Code = data.ENOTFOUND
		case http.StatusConflict:
			e.Code = data.ECONFLICT
		case http.StatusGone:
			e.Code = CodeResync
		case http.StatusRequestEntityTooLarge:
			e.Code = CodeTooLarge
		case http.StatusUpgradeRequired:
			e.Code = CodeUpdateRequired
		case http.StatusTooManyRequests:
			e.Code = CodeRateLimited
		case http.StatusBadRequest:
			e.Code = data.EINVALID
		default:
			e.Code = CodeUnavailable
		}
	}
	if e.Key == "" {
		switch e.Code {
		case CodeUnauthorized:
			e.Key = KeyUnauthorized
		case CodeRevoked:
			e.Key = KeyRevoked
		case CodeUpdateRequired:
			e.Key = KeyUpdateRequired
		case CodeRateLimited:
			e.Key = KeyRateLimited
		case data.EFORBIDDEN:
			e.Key = KeyForbidden
		case data.EINVALID, data.ENOTFOUND, CodeTooLarge:
			e.Key = KeyBadResponse
		default:
			e.Key = KeyUnavailable
		}
	}
	if e.Code == CodeRateLimited {
		if s, err := strconv.Atoi(header.Get("Retry-After")); err == nil && s > 0 {
			if e.Args == nil {
				e.Args = map[string]any{}
			}
			e.Args["RetryAfter"] = s
		}
	}
	return e
}

// retryAfter is how long HQ asked the device to wait (429), or 0.
func retryAfter(err error) time.Duration {
	e, ok := data.AsError(err)
	if !ok || e.Code != CodeRateLimited || e.Args == nil {
		return 0
	}
	if s, ok := e.Args["RetryAfter"].(int); ok {
		return time.Duration(s) * time.Second
	}
	return 0
}

// ErrorKey is the translation key of err for the UI ("" for nil), with
// err.internal for errors that are not coded.
func ErrorKey(err error) string {
	if err == nil {
		return ""
	}
	if e, ok := data.AsError(err); ok && e.Key != "" {
		return e.Key
	}
	return "err.internal"
}
