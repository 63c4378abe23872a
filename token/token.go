// Package token makes and checks the signed tokens behind QR codes
// (/v/{token}) and download links (/download/{token}). A token names a
// certificate and its version and carries an HMAC-SHA256 tag, so it cannot
// be guessed, forged or altered, and stays short enough for a small QR.
package token

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"time"
)

// ErrInvalid is any token that does not verify: forged, truncated, altered,
// expired or of the wrong kind. Callers show one message for all of them.
var ErrInvalid = errors.New("invalid token")

// Kinds are the first byte of the payload, so a token of one kind is never
// accepted as the other.
const (
	kindVerify   byte = 'v'
	kindDownload byte = 'd'
)

// tagLen is the truncated HMAC length: 96 bits for QR codes (an attacker
// gets one online guess per request), 128 for download links.
const (
	verifyTagLen   = 12
	downloadTagLen = 16
)

var enc = base64.RawURLEncoding

// Signer makes and checks tokens with one key.
type Signer struct {
	key []byte
	now func() time.Time
}

// NewSigner needs a key of at least 32 bytes. now may be nil (time.Now).
func NewSigner(key []byte, now func() time.Time) (*Signer, error) {
	if len(key) < 32 {
		return nil, errors.New("signing key must be at least 32 bytes")
	}
	if now == nil {
		now = time.Now
	}
	return &Signer{key: append([]byte(nil), key...), now: now}, nil
}

// Verify is the QR token of a certificate version.
func (s *Signer) Verify(certID uint64, version int) string {
	p := make([]byte, 0, 32)
	p = append(p, kindVerify)
	p = binary.AppendUvarint(p, certID)
	p = binary.AppendUvarint(p, uint64(version))
	return enc.EncodeToString(append(p, s.tag(p, verifyTagLen)...))
}

// ParseVerify returns the certificate ID and version a QR token names.
func (s *Signer) ParseVerify(tok string) (certID uint64, version int, err error) {
	f, err := s.open(tok, kindVerify, verifyTagLen, 2)
	if err != nil {
		return 0, 0, err
	}
	return f[0], int(f[1]), nil
}

// Download is a link token for a certificate version that expires after ttl.
func (s *Signer) Download(certID uint64, version int, ttl time.Duration) string {
	p := make([]byte, 0, 40)
	p = append(p, kindDownload)
	p = binary.AppendUvarint(p, certID)
	p = binary.AppendUvarint(p, uint64(version))
	p = binary.AppendUvarint(p, uint64(s.now().Add(ttl).Unix()))
	return enc.EncodeToString(append(p, s.tag(p, downloadTagLen)...))
}

// ParseDownload checks signature and expiry of a download token.
func (s *Signer) ParseDownload(tok string) (certID uint64, version int, err error) {
	f, err := s.open(tok, kindDownload, downloadTagLen, 3)
	if err != nil {
		return 0, 0, err
	}
	if s.now().Unix() > int64(f[2]) {
		return 0, 0, ErrInvalid
	}
	return f[0], int(f[1]), nil
}

func (s *Signer) tag(payload []byte, n int) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write(payload)
	return m.Sum(nil)[:n]
}

// open decodes, checks the tag in constant time, and reads n varints.
func (s *Signer) open(tok string, kind byte, tagLen, n int) ([]uint64, error) {
	if len(tok) > 64 {
		return nil, ErrInvalid
	}
	raw, err := enc.DecodeString(tok)
	// Only the canonical text of a token is the token: the decoder ignores
	// newlines and the unused bits of the last character, which would
	// otherwise let many strings stand for one token.
	if err != nil || enc.EncodeToString(raw) != tok || len(raw) < 1+n+tagLen || raw[0] != kind {
		return nil, ErrInvalid
	}
	payload, tag := raw[:len(raw)-tagLen], raw[len(raw)-tagLen:]
	if !hmac.Equal(tag, s.tag(payload, tagLen)) {
		return nil, ErrInvalid
	}
	rest := payload[1:]
	fields := make([]uint64, n)
	for i := range fields {
		v, k := binary.Uvarint(rest)
		if k <= 0 {
			return nil, ErrInvalid
		}
		fields[i], rest = v, rest[k:]
	}
	if len(rest) != 0 {
		return nil, ErrInvalid
	}
	return fields, nil
}
