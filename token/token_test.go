package token

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"
)

var testKey = bytes.Repeat([]byte{0x5a}, 32)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newSigner(t *testing.T, key []byte, now func() time.Time) *Signer {
	t.Helper()
	s, err := NewSigner(key, now)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var ids = []struct {
	id      uint64
	version int
}{
	{1, 1}, {2, 1}, {127, 127}, {128, 128}, {1, 2}, {12345, 3}, {1 << 32, 1}, {999_999_999, 1000},
}

func TestVerifyRoundTrip(t *testing.T) {
	s := newSigner(t, testKey, nil)
	seen := map[string]bool{}
	for _, tt := range ids {
		tok := s.Verify(tt.id, tt.version)
		if seen[tok] {
			t.Errorf("token %q repeats for %d/%d", tok, tt.id, tt.version)
		}
		seen[tok] = true
		id, v, err := s.ParseVerify(tok)
		if err != nil || id != tt.id || v != tt.version {
			t.Errorf("ParseVerify(Verify(%d, %d)) = %d, %d, %v", tt.id, tt.version, id, v, err)
		}
		if len(tok) > 30 {
			t.Errorf("Verify(%d, %d) = %q is %d characters, want ≤ 30 for a small QR", tt.id, tt.version, tok, len(tok))
		}
		if strings.ContainsAny(tok, "+/=") {
			t.Errorf("token %q is not URL-safe", tok)
		}
	}
}

func TestDownloadRoundTripAndExpiry(t *testing.T) {
	c := &clock{time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}
	s := newSigner(t, testKey, c.now)
	const ttl = 30 * time.Minute
	tok := s.Download(42, 3, ttl)
	tests := []struct {
		after time.Duration
		ok    bool
	}{
		{0, true},
		{ttl - time.Second, true},
		{ttl, true},
		{ttl + time.Second, false},
		{ttl + time.Hour, false},
		{48 * time.Hour, false},
	}
	start := c.t
	for _, tt := range tests {
		c.t = start.Add(tt.after)
		id, v, err := s.ParseDownload(tok)
		if tt.ok && (err != nil || id != 42 || v != 3) {
			t.Errorf("after %v: ParseDownload = %d, %d, %v; want 42, 3", tt.after, id, v, err)
		}
		if !tt.ok && (!errors.Is(err, ErrInvalid) || id != 0 || v != 0) {
			t.Errorf("after %v: ParseDownload = %d, %d, %v; want expired", tt.after, id, v, err)
		}
	}
}

func TestKindsAreNotInterchangeable(t *testing.T) {
	s := newSigner(t, testKey, nil)
	for _, tt := range ids {
		v := s.Verify(tt.id, tt.version)
		d := s.Download(tt.id, tt.version, time.Hour)
		if _, _, err := s.ParseDownload(v); !errors.Is(err, ErrInvalid) {
			t.Errorf("verify token %q accepted as a download token: %v", v, err)
		}
		if _, _, err := s.ParseVerify(d); !errors.Is(err, ErrInvalid) {
			t.Errorf("download token %q accepted as a verify token: %v", d, err)
		}
	}
}

func TestOtherKeyRejected(t *testing.T) {
	a := newSigner(t, testKey, nil)
	b := newSigner(t, bytes.Repeat([]byte{0xa5}, 32), nil)
	if _, _, err := b.ParseVerify(a.Verify(7, 1)); !errors.Is(err, ErrInvalid) {
		t.Errorf("verify token of another key accepted: %v", err)
	}
	if _, _, err := b.ParseDownload(a.Download(7, 1, time.Hour)); !errors.Is(err, ErrInvalid) {
		t.Errorf("download token of another key accepted: %v", err)
	}
	// The same key in another Signer (another instance, a restart) agrees.
	c := newSigner(t, append([]byte(nil), testKey...), nil)
	if id, _, err := c.ParseVerify(a.Verify(7, 1)); err != nil || id != 7 {
		t.Errorf("same key, other signer: %d %v", id, err)
	}
}

// flipEach decodes tok and, for every byte and several bit patterns, yields
// the re-encoded altered token.
func flipEach(t *testing.T, tok string, fn func(i int, altered string)) {
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		t.Fatal(err)
	}
	for i := range raw {
		for _, mask := range []byte{0x01, 0x80, 0xff, 0x10} {
			b := append([]byte(nil), raw...)
			b[i] ^= mask
			fn(i, base64.RawURLEncoding.EncodeToString(b))
		}
	}
}

func TestTamperedTokensFail(t *testing.T) {
	s := newSigner(t, testKey, nil)
	for _, tt := range ids {
		flipEach(t, s.Verify(tt.id, tt.version), func(i int, bad string) {
			if id, v, err := s.ParseVerify(bad); !errors.Is(err, ErrInvalid) {
				t.Errorf("verify %d/%d: altered byte %d → %q accepted as %d/%d", tt.id, tt.version, i, bad, id, v)
			}
		})
		flipEach(t, s.Download(tt.id, tt.version, time.Hour), func(i int, bad string) {
			if id, v, err := s.ParseDownload(bad); !errors.Is(err, ErrInvalid) {
				t.Errorf("download %d/%d: altered byte %d → %q accepted as %d/%d", tt.id, tt.version, i, bad, id, v)
			}
		})
	}
}

// Changing any one character of the token text must not leave a token that
// still verifies, whatever base64 would tolerate.
func TestAlteredTextFails(t *testing.T) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	s := newSigner(t, testKey, nil)
	for _, tt := range ids {
		tokens := map[string]func(string) error{
			s.Verify(tt.id, tt.version): func(x string) error { _, _, err := s.ParseVerify(x); return err },
			s.Download(tt.id, tt.version, time.Hour): func(x string) error {
				_, _, err := s.ParseDownload(x)
				return err
			},
		}
		for tok, parse := range tokens {
			for i := 0; i < len(tok); i++ {
				for _, c := range []byte(alphabet) {
					if c == tok[i] {
						continue
					}
					bad := tok[:i] + string(c) + tok[i+1:]
					if err := parse(bad); err == nil {
						t.Errorf("token %q: changing character %d gives %q, which is accepted", tok, i, bad)
					}
				}
			}
		}
	}
}

func TestTruncatedAndMalformedTokensFail(t *testing.T) {
	s := newSigner(t, testKey, nil)
	v := s.Verify(12345, 3)
	d := s.Download(12345, 3, time.Hour)
	for n := 0; n < len(v); n++ {
		if _, _, err := s.ParseVerify(v[:n]); !errors.Is(err, ErrInvalid) {
			t.Errorf("truncated verify token %q accepted", v[:n])
		}
		if _, _, err := s.ParseVerify(v[len(v)-n:]); !errors.Is(err, ErrInvalid) {
			t.Errorf("verify token missing its head %q accepted", v[len(v)-n:])
		}
	}
	for n := 0; n < len(d); n++ {
		if _, _, err := s.ParseDownload(d[:n]); !errors.Is(err, ErrInvalid) {
			t.Errorf("truncated download token %q accepted", d[:n])
		}
	}
	for _, bad := range []string{
		"", "v", "!!!!", v + "A", v + "AA", v + "=", " " + v, v + "\n",
		strings.Repeat("A", 65), strings.Repeat(v, 4),
	} {
		if _, _, err := s.ParseVerify(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseVerify(%q) accepted", bad)
		}
		if _, _, err := s.ParseDownload(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseDownload(%q) accepted", bad)
		}
	}
}

func TestNewSignerKey(t *testing.T) {
	for _, n := range []int{0, 1, 16, 31} {
		if _, err := NewSigner(make([]byte, n), nil); err == nil {
			t.Errorf("NewSigner with a %d-byte key succeeded", n)
		}
	}
	key := bytes.Repeat([]byte{1}, 32)
	s := newSigner(t, key, nil)
	tok := s.Verify(1, 1)
	key[0] ^= 0xff // the caller's slice changing must not change the signer
	if _, _, err := s.ParseVerify(tok); err != nil {
		t.Errorf("signer depends on the caller's key slice: %v", err)
	}
}
