package notify

import (
	"errors"
	"net"
	"net/url"
	"regexp"
	"strings"
)

// outcome is what a failed send means for the row.
type outcome int

const (
	// notSent: WeChat certainly did not send it (it answered with an
	// errcode, or the connection was never made); retrying is safe.
	notSent outcome = iota
	// rejected: WeChat will never accept it; retrying is pointless.
	rejected
	// maybeSent: the request may have reached WeChat (timeout, connection
	// lost mid-request); retrying risks a duplicate.
	maybeSent
)

// permanentCodes are WeChat errcodes that no retry can fix.
var permanentCodes = map[int]bool{
	40003: true, // invalid openid
	40036: true, // invalid template_id size
	40037: true, // invalid template_id
	43004: true, // require subscribe: the user unfollowed
	43101: true, // user refused to accept the message
	47001: true, // data format error
	47003: true, // argument invalid (template data does not fit)
	48001: true, // api unauthorized: not a verified service account
}

// errCoder is what the WeChat client's API errors offer.
type errCoder interface{ ErrCode() int }

// errCode reads WeChat's errcode from a send error.
func errCode(err error) (int, bool) {
	var c errCoder
	if errors.As(err, &c) {
		return c.ErrCode(), true
	}
	return 0, false
}

func (w *Worker) classify(err error) outcome {
	if code, ok := errCode(err); ok {
		if permanentCodes[code] {
			return rejected
		}
		return notSent // an errcode is WeChat's answer that nothing was sent
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return notSent
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return notSent
	}
	return maybeSent
}

var accessToken = regexp.MustCompile(`access_token=[^&\s"]*`)

// describe is the error as it may be stored and logged: no request URL
// (it carries the access token) and no openid.
func describe(err error, openID string) string {
	s := err.Error()
	var ue *url.Error
	if errors.As(err, &ue) {
		s = ue.Op + " request failed: " + ue.Err.Error()
	}
	s = accessToken.ReplaceAllString(s, "access_token=***")
	if openID != "" {
		s = strings.ReplaceAll(s, openID, "[openid]")
	}
	return s
}
