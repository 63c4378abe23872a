package model

import (
	"fmt"
	"strings"
)

// RevokeReason is one of the four grounds for 注销 in 通知 七（二）.
type RevokeReason string

const (
	RevokeFraud      RevokeReason = "fraud"
	RevokeAccident   RevokeReason = "accident"
	RevokeMisconduct RevokeReason = "misconduct"
	RevokeRequest    RevokeReason = "request"
)

// RevokeReasons lists the codes in the notice's order.
var RevokeReasons = []RevokeReason{RevokeFraud, RevokeAccident, RevokeMisconduct, RevokeRequest}

// Label is the notice's wording of the reason.
func (r RevokeReason) Label() string {
	switch r {
	case RevokeFraud:
		return "通过不正当手段获得证书"
	case RevokeAccident:
		return "发生重大安全质量责任事故"
	case RevokeMisconduct:
		return "严重违反职业道德造成恶劣影响"
	case RevokeRequest:
		return "持证人主动要求注销"
	}
	return ""
}

// ParseRevokeReason accepts a code; the error lists the valid ones so an
// operator can correct the command at once.
func ParseRevokeReason(s string) (RevokeReason, error) {
	for _, r := range RevokeReasons {
		if string(r) == s {
			return r, nil
		}
	}
	codes := make([]string, len(RevokeReasons))
	for i, r := range RevokeReasons {
		codes[i] = fmt.Sprintf("%s (%s)", r, r.Label())
	}
	return "", fmt.Errorf("unknown revocation reason %q; use one of: %s: %w", s, strings.Join(codes, ", "), ErrInvalid)
}
