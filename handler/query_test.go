package handler_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

func q(params ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(params); i += 2 {
		v.Set(params[i], params[i+1])
	}
	return "/query?" + v.Encode()
}

func TestQueryPairs(t *testing.T) {
	e := newEnv(t, 100)
	c := e.issue(holder, other)[0]
	cases := []struct {
		name, path   string
		status       int
		want, absent []string
	}{
		{"empty form", "/query", 200, []string{"<form", "姓名", "证书编号", "身份证号"}, []string{"未查询到证书"}},
		{"no+name", q("no", c.CertNo, "name", "王玥"), 200, []string{"王玥", "410102********0127", c.CertNo, "/v/", "有效"}, []string{"/download/", "李彧"}},
		{"lower-case no and blanks", q("no", " "+strings.ToLower(c.CertNo)+" ", "name", "　王玥 "), 200, []string{c.CertNo}, nil},
		{"name+id", q("name", "王玥", "id", holder.IDNumber), 200, []string{c.CertNo, "/v/"}, []string{"/download/"}},
		{"all three offers download", q("name", "王玥", "id", holder.IDNumber, "no", c.CertNo), 200, []string{"/download/", "下载电子证书"}, nil},
		{"wrong name", q("no", c.CertNo, "name", "李彧"), 200, []string{"未查询到证书"}, []string{c.CertNo + "</span>", "砌筑工"}},
		{"wrong id", q("name", "王玥", "id", other.IDNumber), 200, []string{"未查询到证书"}, []string{"砌筑工"}},
		{"all three, id wrong", q("name", "王玥", "id", other.IDNumber, "no", c.CertNo), 200, []string{"未查询到证书"}, []string{"/download/"}},
		{"mistyped number", q("no", c.CertNo[:14]+"0", "name", "王玥"), 400, []string{"校验位"}, nil},
		{"bad id", q("name", "王玥", "id", "410102199001010128"), 400, []string{"身份证号校验位错误"}, nil},
		{"name only", q("name", "王玥"), 400, []string{"请填写证书编号或身份证号"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec, body := e.get(tc.path)
			if rec.Code != tc.status {
				t.Errorf("status %d, want %d", rec.Code, tc.status)
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("lacks %q", w)
				}
			}
			for _, a := range tc.absent {
				if strings.Contains(body, a) {
					t.Errorf("shows %q", a)
				}
			}
			if strings.Contains(body, "<span class=\"v\">"+holder.IDNumber) {
				t.Error("full ID number shown")
			}
		})
	}
}

func TestQueryIsRateLimitedPerIP(t *testing.T) {
	e := newEnv(t, 3)
	c := e.issue(holder)[0]
	for i := 0; i < 3; i++ {
		if rec, _ := e.get(q("no", c.CertNo, "name", "王玥")); rec.Code != 200 {
			t.Fatalf("request %d: %d", i, rec.Code)
		}
	}
	rec, body := e.get(q("name", "王玥", "id", holder.IDNumber))
	if rec.Code != http.StatusTooManyRequests || !strings.Contains(body, "查询过于频繁") {
		t.Fatalf("4th lookup: %d, want 429 with a Chinese message", rec.Code)
	}
	if strings.Contains(body, c.CertNo+"</span>") {
		t.Error("a refused lookup still shows results")
	}
	// The empty form is not a lookup and stays available.
	if rec, _ := e.get("/query"); rec.Code != 200 {
		t.Errorf("form: %d", rec.Code)
	}
	e.clock.Add(time.Minute)
	if rec, _ := e.get(q("no", c.CertNo, "name", "王玥")); rec.Code != 200 {
		t.Errorf("next window: %d", rec.Code)
	}
}

var downloadLink = regexp.MustCompile(`href="(/download/[^"]+)"`)

func TestDownloadLinkServesPDFAndExpires(t *testing.T) {
	e := newEnv(t, 100)
	c := e.issue(holder)[0]
	_, body := e.get(q("name", "王玥", "id", holder.IDNumber, "no", c.CertNo))
	m := downloadLink.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no download link")
	}
	rec, pdfBody := e.get(m[1])
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdfBody, "%PDF-") {
		t.Fatalf("download: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	if cd := rec.Header().Get("Content-Disposition"); cd != `attachment; filename="`+c.CertNo+`.pdf"` {
		t.Errorf("Content-Disposition = %q", cd)
	}
	tampered := m[1][:len(m[1])-2] + "AA"
	if rec, _ := e.get(tampered); rec.Code != http.StatusNotFound {
		t.Errorf("tampered link: %d", rec.Code)
	}
	e.clock.Add(31 * time.Minute)
	rec, body = e.get(m[1])
	if rec.Code != http.StatusNotFound || !strings.Contains(body, "已过期") {
		t.Errorf("expired link: %d", rec.Code)
	}
}

func TestLogsCarryNoPersonalData(t *testing.T) {
	e := newEnv(t, 100)
	c := e.issue(holder)[0]
	e.get(q("name", "王玥", "id", holder.IDNumber, "no", c.CertNo))
	e.get("/v/" + e.signer.Verify(c.ID, c.Version))
	e.get(q("name", "王玥", "id", "410102199001010128"))
	logs := e.logs.String()
	if !strings.Contains(logs, "route=/query") {
		t.Fatalf("expected access log lines, got %q", logs)
	}
	for _, secret := range []string{holder.IDNumber, "410102199001010128", "王玥", url.QueryEscape("王玥")} {
		if strings.Contains(logs, secret) {
			t.Errorf("logs contain %q", secret)
		}
	}
}

func TestQueryFormDoesNotEchoIDNumber(t *testing.T) {
	e := newEnv(t, 100)
	e.issue(holder)
	_, body := e.get(q("name", "王玥", "id", holder.IDNumber))
	if strings.Contains(body, holder.IDNumber) {
		t.Error("the page repeats the full ID number (in the form or elsewhere)")
	}
}
