package handler_test

import (
	"net/http"
	"strings"
	"testing"
)

func TestHealthz(t *testing.T) {
	e := newEnv(t, 100)
	if rec, body := e.get("/healthz"); rec.Code != http.StatusOK || !strings.Contains(body, `"ok"`) {
		t.Fatalf("healthy: %d %s", rec.Code, body)
	}
	sqlDB, _ := e.db.DB.DB()
	sqlDB.Close()
	if rec, _ := e.get("/healthz"); rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("database gone: %d, want 503", rec.Code)
	}
}

func TestUnknownRouteIsNotFoundPage(t *testing.T) {
	e := newEnv(t, 100)
	rec, body := e.get("/nothing-here")
	if rec.Code != http.StatusNotFound || !strings.Contains(body, "证书不存在或二维码无效") {
		t.Fatalf("%d", rec.Code)
	}
}
