package handler_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"ecert/model"
	"ecert/store"
)

func TestVerifyPageShowsValidCertificateMasked(t *testing.T) {
	e := newEnv(t, 100)
	c := e.issue(holder)[0]
	rec, body := e.get("/v/" + e.signer.Verify(c.ID, c.Version))
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, body)
	}
	for _, want := range []string{"有效", "王玥", "410102********0127", c.CertNo, "砌筑工", "四级/中级工", "河南省建设培训中心", "2026年3月1日"} {
		if !strings.Contains(body, want) {
			t.Errorf("verification page lacks %q", want)
		}
	}
	if strings.Contains(body, holder.IDNumber) {
		t.Error("verification page shows the full ID number")
	}
	if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q; a revocation must not hide behind a cache", cc)
	}
	if strings.Contains(body, "http://") && strings.Contains(body, "<link") || strings.Contains(body, "<script src") {
		t.Error("page loads external assets")
	}
}

func TestVerifyShowsRevocationMadeByAnotherProcess(t *testing.T) {
	e := newEnv(t, 100)
	c := e.issue(holder)[0]
	path := "/v/" + e.signer.Verify(c.ID, c.Version)

	// The CLI is another process with its own connection pool on the same database.
	cli, err := store.Open(store.Options{Driver: e.db.Driver, DSN: e.db.DSN})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { d, _ := cli.DB(); d.Close() }()
	if _, err := store.NewRegistry(cli).Revoke(context.Background(), c.CertNo, model.RevokeAccident, "", "cli"); err != nil {
		t.Fatal(err)
	}

	rec, body := e.get(path)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	for _, want := range []string{"已注销", "发生重大安全质量责任事故", "注销日期"} {
		if !strings.Contains(body, want) {
			t.Errorf("revoked page lacks %q", want)
		}
	}
	if strings.Contains(body, "真实有效") {
		t.Error("revoked certificate still shown as valid")
	}
}

func TestVerifyRejectsForgedTokensWithOneMessage(t *testing.T) {
	e := newEnv(t, 100)
	c := e.issue(holder)[0]
	good := e.signer.Verify(c.ID, c.Version)
	flipped := []byte(good)
	if flipped[5] == 'A' {
		flipped[5] = 'B'
	} else {
		flipped[5] = 'A'
	}
	cases := map[string]string{
		"altered":        string(flipped),
		"truncated":      good[:len(good)-3],
		"garbage":        "not-a-token",
		"unknown cert":   e.signer.Verify(c.ID+1000, 1),
		"future version": e.signer.Verify(c.ID, c.Version+1),
		"download token": e.signer.Download(c.ID, c.Version, 3600e9),
		"very long":      strings.Repeat("A", 500),
	}
	for name, tok := range cases {
		t.Run(name, func(t *testing.T) {
			rec, body := e.get("/v/" + tok)
			if rec.Code != http.StatusNotFound {
				t.Errorf("status %d, want 404", rec.Code)
			}
			if !strings.Contains(body, "证书不存在或二维码无效") {
				t.Error("missing the not-found message")
			}
			for _, leak := range []string{"王玥", c.CertNo, "410102", "砌筑工"} {
				if strings.Contains(body, leak) {
					t.Errorf("not-found page reveals %q", leak)
				}
			}
		})
	}
}

func TestVerifyOldQRAfterChangeShowsCurrentState(t *testing.T) {
	e := newEnv(t, 100)
	c := e.issue(holder)[0]
	oldQR := "/v/" + e.signer.Verify(c.ID, c.Version)
	if _, err := e.registry.Revoke(context.Background(), c.CertNo, model.RevokeRequest, "", "t"); err != nil {
		t.Fatal(err)
	}
	_, body := e.get(oldQR)
	if !strings.Contains(body, "已注销") || !strings.Contains(body, "持证人主动要求注销") {
		t.Error("a QR printed before the revocation must show the revocation")
	}
}
