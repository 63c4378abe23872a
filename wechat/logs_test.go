package wechat_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/sirupsen/logrus"

	"ecert/internal/fixture"
	"ecert/model"
	"ecert/wechat"
)

// failingRegistry makes every lookup fail, so the error paths log.
type failingRegistry struct{ wechat.Registry }

func (failingRegistry) FindByNameAndID(context.Context, string, string) ([]model.Certificate, error) {
	return nil, errors.New("database is down")
}

// No openid and no ID number may reach the logs at the default level,
// neither ours (slog) nor the SDK's (logrus) — even when something else in
// the process switched logrus to debug, as the SDK's root package does.
func TestLogsCarryNoPersonalData(t *testing.T) {
	var sdk fixture.LogBuffer
	oldOut, oldLevel := logrus.StandardLogger().Out, logrus.GetLevel()
	logrus.SetOutput(&sdk)
	logrus.SetLevel(logrus.DebugLevel)
	t.Cleanup(func() { logrus.SetOutput(oldOut); logrus.SetLevel(oldLevel) })

	e := newEnv(t)
	if logrus.GetLevel() > logrus.WarnLevel {
		t.Fatalf("logrus left at %s", logrus.GetLevel())
	}
	c := e.issue(holder)[0]
	const openID = "oSECRET_openid_42"
	e.text(openID, "王玥 "+holder.IDNumber)
	e.text(openID, "绑定 王玥 "+holder.IDNumber+" "+c.CertNo)
	e.event(openID, "CLICK", wechat.KeyCertDownload)
	e.post(textMsg(openID, "王玥 "+holder.IDNumber, 3), func(q url.Values, _ *string) { q.Set("msg_signature", "bad") })

	// And when the database fails, the error line must not carry them either.
	bad := newEnv(t, func(o *wechat.Options) { o.Registry = failingRegistry{o.Registry} })
	if r := bad.text(openID, "王玥 "+holder.IDNumber); !strings.Contains(r.Content, "系统繁忙") {
		t.Fatalf("failure reply: %q", r.Content)
	}
	if !strings.Contains(bad.logs.String(), "wechat conversation failed") {
		t.Fatal("the failure was not logged; the test would prove nothing")
	}
	for name, logs := range map[string]string{"slog": e.logs.String() + bad.logs.String(), "logrus": sdk.String()} {
		for _, secret := range []string{openID, holder.IDNumber} {
			if strings.Contains(logs, secret) {
				t.Errorf("%s output contains %q:\n%s", name, secret, logs)
			}
		}
	}
}
