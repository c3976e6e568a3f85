package hq

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"anchang/data"
	hqsync "anchang/sync"
)

// Tokens are base64url(claims JSON) "." base64url(HMAC-SHA256(key, claims)),
// with the key kept in the store (hq_keys) so every replica accepts every
// token. They live 15 minutes; every request also looks the device up, so a
// revocation takes effect on the next request.
type claims struct {
	Device string `json:"d"`
	Office string `json:"o"`
	Role   string `json:"r"`
	Exp    int64  `json:"e"` // Unix ms
}

func (s *Server) signToken(c claims) string {
	b, _ := json.Marshal(c)
	mac := hmac.New(sha256.New, s.key)
	mac.Write(b)
	return base64.RawURLEncoding.EncodeToString(b) + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// parseToken checks a token's signature and expiry.
func parseToken(key []byte, tok string, now time.Time) (claims, error) {
	var c claims
	unauthorized := &data.Error{Code: hqsync.CodeUnauthorized, Key: "err.sync.token"}
	body, sig, ok := strings.Cut(tok, ".")
	if !ok {
		return c, unauthorized
	}
	b, err1 := base64.RawURLEncoding.DecodeString(body)
	got, err2 := base64.RawURLEncoding.DecodeString(sig)
	if err1 != nil || err2 != nil {
		return c, unauthorized
	}
	mac := hmac.New(sha256.New, key)
	mac.Write(b)
	if !hmac.Equal(mac.Sum(nil), got) {
		return c, unauthorized
	}
	if err := json.Unmarshal(b, &c); err != nil || c.Device == "" {
		return claims{}, unauthorized
	}
	if now.UnixMilli() >= c.Exp {
		return claims{}, &data.Error{Code: hqsync.CodeUnauthorized, Key: "err.sync.token_expired"}
	}
	return c, nil
}

// authenticate checks the bearer token and that its device is enrolled and
// not revoked.
func (s *Server) authenticate(r *http.Request) (Device, error) {
	h := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || tok == "" {
		return Device{}, &data.Error{Code: hqsync.CodeUnauthorized, Key: "err.sync.token"}
	}
	c, err := parseToken(s.key, tok, s.now())
	if err != nil {
		return Device{}, err
	}
	dev, err := s.store.Device(r.Context(), c.Device)
	if err != nil {
		if data.ErrorCode(err) == data.ENOTFOUND {
			return Device{}, &data.Error{Code: hqsync.CodeUnauthorized, Key: "err.sync.token"}
		}
		return Device{}, err
	}
	if dev.RevokedAt != 0 {
		return Device{}, &data.Error{Code: hqsync.CodeRevoked, Key: "err.sync.revoked"}
	}
	if dev.OfficeID != c.Office || dev.Role != c.Role {
		// Re-enrolled elsewhere since the token was signed.
		return Device{}, &data.Error{Code: hqsync.CodeUnauthorized, Key: "err.sync.token"}
	}
	return dev, nil
}

func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

func (s *Server) token(c *call) error {
	var req hqsync.TokenRequest
	if err := decode(c, 16<<10, &req); err != nil {
		return err
	}
	// Good credentials spend only their device's token budget (kept apart
	// from its budget for push and pull). Failed attempts spend their
	// address's failure budget and, once it is spent, are answered 429: a
	// guesser slows down, and devices with good credentials behind the same
	// address (a NAT, a TCP balancer) renew as before. (A secret has 256
	// random bits: the limit is against load, not guessing.)
	bad := func() error {
		if !s.allow("tokenfail:" + remoteHost(c.r)) {
			return rateLimited(c.w)
		}
		return &data.Error{Code: hqsync.CodeUnauthorized, Key: "err.sync.credentials"}
	}
	if req.DeviceID == "" || req.Secret == "" {
		return bad()
	}
	dev, err := s.store.Device(c.r.Context(), req.DeviceID)
	if err != nil {
		if data.ErrorCode(err) == data.ENOTFOUND {
			return bad()
		}
		return err
	}
	c.dev = dev
	if subtle.ConstantTimeCompare([]byte(hashSecret(req.Secret)), []byte(dev.SecretHash)) != 1 {
		return bad()
	}
	if !s.allow("token:" + dev.ID) {
		return rateLimited(c.w)
	}
	if dev.RevokedAt != 0 {
		return &data.Error{Code: hqsync.CodeRevoked, Key: "err.sync.revoked"}
	}
	// A device renamed in Settings sends its name: HQ's device list
	// follows it (same bounds as at enrolment; a bad one is ignored).
	if n := strings.TrimSpace(req.DeviceName); n != "" && n != dev.Name && len(n) <= 200 && utf8.ValidString(n) {
		if err := s.store.RenameDevice(c.r.Context(), dev.ID, n); err != nil {
			return err
		}
	}
	exp := s.now().Add(s.cfg.TokenTTL).UnixMilli()
	return writeJSON(c.w, hqsync.TokenResponse{
		Token:     s.signToken(claims{Device: dev.ID, Office: dev.OfficeID, Role: dev.Role, Exp: exp}),
		ExpiresAt: exp,
	})
}

func (s *Server) enroll(c *call) error {
	var req hqsync.EnrollRequest
	if err := decode(c, 16<<10, &req); err != nil {
		return err
	}
	if req.Code == "" || len(req.Code) > 64 || !validID(req.DeviceID) || req.InstallEpoch <= 0 || len(req.DeviceName) > 200 || !utf8.ValidString(req.DeviceName) {
		return &data.Error{Code: data.EINVALID, Key: "err.sync.malformed"}
	}
	secret := make([]byte, 32)
	rand.Read(secret)
	sec := base64.RawURLEncoding.EncodeToString(secret)
	dev, off, err := s.store.Enroll(c.r.Context(), EnrollInput{
		CodeHash: HashEnrollCode(req.Code), DeviceID: req.DeviceID, InstallEpoch: req.InstallEpoch,
		DeviceName: req.DeviceName, SecretHash: hashSecret(sec), Standalone: req.Standalone, HistoryUpto: req.HistoryUpto, Now: s.now().UnixMilli(),
	})
	if err != nil {
		return err
	}
	c.dev = dev
	c.attrs = append(c.attrs, "office", off.Code, "role", dev.Role, "tag", dev.Tag)
	resp := hqsync.EnrollResponse{
		DeviceID: dev.ID, OfficeID: off.ID, OfficeCode: off.Code, OfficeName: off.Name,
		Role: dev.Role, Tag: dev.Tag, Secret: sec, HQID: s.hqID,
	}
	if dev.Role == hqsync.RoleHQ {
		resp.OfficeID, resp.OfficeCode = "", ""
		resp.Scopes = []string{hqsync.ScopeGlobal, hqsync.ScopeHQ}
	} else {
		resp.Scopes = []string{hqsync.OfficeScope(off.ID), hqsync.ScopeGlobal}
	}
	return writeJSON(c.w, resp)
}

// validID accepts the ids devices make (UUIDs): 1–64 characters of
// letters, digits and '-', '_'.
func validID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// Enrollment codes: 12 characters from an alphabet without 0/O, 1/I/L and
// U (about 58 bits), shown as K7QF-93XM-2TPA. Only the SHA-256 of the
// normalised code is stored.
const codeAlphabet = "ABCDEFGHJKMNPQRSTVWXYZ23456789"

// NewEnrollCode makes a random enrollment code.
func NewEnrollCode() string {
	var sb strings.Builder
	b := make([]byte, 1)
	for n := 0; n < 12; {
		rand.Read(b)
		if int(b[0]) >= 256/len(codeAlphabet)*len(codeAlphabet) {
			continue // no modulo bias
		}
		if n > 0 && n%4 == 0 {
			sb.WriteByte('-')
		}
		sb.WriteByte(codeAlphabet[int(b[0])%len(codeAlphabet)])
		n++
	}
	return sb.String()
}

// HashEnrollCode normalises a typed code (upper case, spaces and dashes
// dropped) and hashes it.
func HashEnrollCode(code string) string {
	var sb strings.Builder
	for _, r := range strings.ToUpper(code) {
		if r == '-' || r == ' ' {
			continue
		}
		sb.WriteRune(r)
	}
	return hashSecret(sb.String())
}

// IssueEnrollCode makes and stores a code for the office with that code
// (HQOfficeCode, or hq true, for an HQ device). It returns the code to show
// once.
func IssueEnrollCode(ctx context.Context, st Store, officeCode string, hq bool, ttl time.Duration, now time.Time) (string, Office, error) {
	role := hqsync.RoleOffice
	if hq {
		officeCode, role = HQOfficeCode, hqsync.RoleHQ
	} else if strings.EqualFold(officeCode, HQOfficeCode) {
		role = hqsync.RoleHQ
	}
	off, err := st.OfficeByCode(ctx, officeCode)
	if err != nil {
		return "", Office{}, err
	}
	if ttl <= 0 {
		ttl = 24 * time.Hour
	}
	code := NewEnrollCode()
	if err := st.AddEnrollCode(ctx, HashEnrollCode(code), off.ID, role, now.UnixMilli(), now.Add(ttl).UnixMilli()); err != nil {
		return "", Office{}, fmt.Errorf("enroll code: %w", err)
	}
	return code, off, nil
}
