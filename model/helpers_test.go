package model

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// testToday is the fixed "today" of the model tests: 2026-03-15 noon, China time.
var testToday = time.Date(2026, 3, 15, 12, 0, 0, 0, ChinaZone)

// refCheck computes the ISO 7064 MOD 11-2 check character of a digit string
// straight from the definition, independently of the code under test: the
// weight of the i-th digit from the right end (check character at weight 1)
// is 2^i mod 11, and the check value c makes Σ digit·weight + c ≡ 1 (mod 11),
// with 10 written as X.
func refCheck(t testing.TB, digits string) byte {
	t.Helper()
	sum, w := 0, 2 // the rightmost data digit has weight 2^1
	for i := len(digits) - 1; i >= 0; i-- {
		d := digits[i]
		if d < '0' || d > '9' {
			t.Fatalf("refCheck(%q): not a digit string", digits)
		}
		sum += int(d-'0') * w
		w = w * 2 % 11
	}
	c := ((1-sum)%11 + 11) % 11
	if c == 10 {
		return 'X'
	}
	return byte('0' + c)
}

// withCheck appends the reference check character to 17 digits.
func withCheck(t testing.TB, first17 string) string {
	t.Helper()
	if len(first17) != 17 {
		t.Fatalf("withCheck(%q): want 17 digits", first17)
	}
	return first17 + string(refCheck(t, first17))
}

// fieldErr asserts that err is a *FieldError of field whose message contains
// want (exact match when exact is true), and that it classifies as ErrInvalid.
func fieldErr(t testing.TB, err error, field, want string, exact bool) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s error %q", field, want)
	}
	if !errors.Is(err, ErrInvalid) {
		t.Errorf("error %v does not wrap ErrInvalid", err)
	}
	var fe *FieldError
	if !errors.As(err, &fe) {
		t.Fatalf("error %v (%T) is not a *FieldError", err, err)
	}
	if fe.Field != field {
		t.Errorf("error field = %q, want %q (message %q)", fe.Field, field, fe.Message)
	}
	if exact && fe.Message != want {
		t.Errorf("error message = %q, want %q", fe.Message, want)
	}
	if !exact && !strings.Contains(fe.Message, want) {
		t.Errorf("error message = %q, want it to contain %q", fe.Message, want)
	}
}
