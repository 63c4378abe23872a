package model

import (
	"errors"
	"strings"
	"testing"
)

func TestParseRevokeReason(t *testing.T) {
	labels := map[string]bool{}
	for _, tt := range []struct {
		in   string
		want RevokeReason
	}{
		{"fraud", RevokeFraud},
		{"accident", RevokeAccident},
		{"misconduct", RevokeMisconduct},
		{"request", RevokeRequest},
	} {
		got, err := ParseRevokeReason(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseRevokeReason(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
		l := got.Label()
		if l == "" || labels[l] {
			t.Errorf("%q has empty or duplicate label %q", got, l)
		}
		labels[l] = true
	}
	if RevokeRequest.Label() != "持证人主动要求注销" {
		t.Errorf("RevokeRequest.Label() = %q", RevokeRequest.Label())
	}
	if RevokeReason("other").Label() != "" {
		t.Error("unknown reason has a label")
	}
	for _, in := range []string{"", "Fraud", " fraud", "注销", "other", "fraud,request"} {
		got, err := ParseRevokeReason(in)
		if got != "" || !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseRevokeReason(%q) = %q, %v; want ErrInvalid", in, got, err)
			continue
		}
		for _, r := range RevokeReasons {
			if !strings.Contains(err.Error(), string(r)) || !strings.Contains(err.Error(), r.Label()) {
				t.Errorf("error %q does not list %s (%s)", err, r, r.Label())
			}
		}
	}
}

func TestStatusLabel(t *testing.T) {
	if StatusValid.Label() != "有效" || StatusRevoked.Label() != "已注销" {
		t.Errorf("labels: %q %q", StatusValid.Label(), StatusRevoked.Label())
	}
}
