package main

import (
	"strings"
	"testing"

	"ecert/model"
)

func (s *notifySite) outboxCmd(args ...string) (string, string, int) {
	s.t.Helper()
	var out, errb strings.Builder
	code := cmdWeChatOutbox(append(args, "-config", s.config), &out, &errb)
	return out.String(), errb.String(), code
}

func TestOutboxStatusAndRequeue(t *testing.T) {
	s := newNotifySite(t)
	if _, errOut, code := s.notify("", "--template", "notice", "--all-bound", "--yes"); code != 0 {
		t.Fatalf("notify: %d %s", code, errOut)
	}
	rows := s.outbox()
	if len(rows) < 3 {
		t.Fatalf("queued %d rows", len(rows))
	}
	// One ended failed, one unknown (as the worker would leave them).
	s.db.Model(&model.Outbox{}).Where("id = ?", rows[0].ID).Updates(map[string]any{"status": model.OutboxFailed, "attempts": 6})
	s.db.Model(&model.Outbox{}).Where("id = ?", rows[1].ID).Updates(map[string]any{"status": model.OutboxUnknown, "attempts": 1})

	out, _, code := s.outboxCmd("status")
	if code != 0 || !strings.Contains(out, "failed            1") || !strings.Contains(out, "unknown           1") {
		t.Fatalf("status: %d\n%s", code, out)
	}
	out, _, code = s.outboxCmd("requeue", "--status", "failed")
	if code != 0 || !strings.Contains(out, "1 notification(s) would be sent again") {
		t.Fatalf("preview: %d %s", code, out)
	}
	if s.outbox()[0].Status != model.OutboxFailed {
		t.Fatal("the preview changed a row")
	}
	out, _, code = s.outboxCmd("requeue", "--status", "failed,unknown", "--yes")
	if code != 0 || !strings.Contains(out, "requeued 2") {
		t.Fatalf("requeue: %d %s", code, out)
	}
	for _, r := range s.outbox()[:2] {
		if r.Status != model.OutboxPending || r.Attempts != 0 {
			t.Errorf("row %d after requeue: %s, %d attempts", r.ID, r.Status, r.Attempts)
		}
	}
	if _, errOut, code := s.outboxCmd("requeue", "--status", "sent", "--yes"); code != 1 || !strings.Contains(errOut, "only failed or unknown") {
		t.Errorf("requeue sent: %d %s", code, errOut)
	}
	if _, _, code := s.outboxCmd("requeue"); code != 2 {
		t.Errorf("requeue without --status: %d", code)
	}
}
