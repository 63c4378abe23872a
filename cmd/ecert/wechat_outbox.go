package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"ecert/model"
	"ecert/store"
)

func init() { wechatCommands["outbox"] = cmdWeChatOutbox }

// cmdWeChatOutbox is `ecert wechat outbox status` (rows per status) and
// `ecert wechat outbox requeue --status failed,unknown --yes` (send those
// again once WeChat or the network has recovered).
func cmdWeChatOutbox(args []string, stdout, stderr io.Writer) int {
	fs, configPath := newFlags("wechat outbox", stderr)
	statusFlag := fs.String("status", "", "requeue: comma-separated end statuses to send again (failed, unknown)")
	yes := fs.Bool("yes", false, "requeue: do it (without --yes only the count is printed)")
	rest, err := parseArgs(fs, args, 1, "status or requeue")
	if err == nil && rest[0] != "status" && rest[0] != "requeue" {
		err = fmt.Errorf("ecert wechat outbox: unknown action %q (want status or requeue)", rest[0])
	}
	var statuses []model.OutboxStatus
	if err == nil && rest[0] == "requeue" {
		for _, s := range strings.Split(*statusFlag, ",") {
			if s = strings.TrimSpace(s); s != "" {
				statuses = append(statuses, model.OutboxStatus(s))
			}
		}
		if len(statuses) == 0 {
			err = errors.New("ecert wechat outbox requeue: --status failed,unknown is required")
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	a, err := openApp(fs, *configPath, stderr, needs{})
	if err != nil {
		fmt.Fprintln(stderr, "ecert wechat outbox:", err)
		return 1
	}
	defer a.close()
	ctx := context.Background()
	ob := store.NewOutbox(a.registry.DB())
	counts, err := ob.Counts(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "ecert wechat outbox:", err)
		return 1
	}
	if rest[0] == "status" {
		for _, s := range []model.OutboxStatus{model.OutboxPending, model.OutboxSending, model.OutboxSent,
			model.OutboxFinishedSuccess, model.OutboxFinishedFailed, model.OutboxFailed, model.OutboxUnknown} {
			fmt.Fprintf(stdout, "%-17s %d\n", s, counts[s])
		}
		return 0
	}
	var n int64
	for _, s := range statuses {
		n += counts[s]
	}
	if !*yes {
		fmt.Fprintf(stdout, "%d notification(s) would be sent again; add --yes to requeue them\n", n)
		return 0
	}
	moved, err := ob.Requeue(ctx, statuses, time.Now())
	if err != nil {
		fmt.Fprintln(stderr, "ecert wechat outbox requeue:", err)
		return 1
	}
	fmt.Fprintf(stdout, "requeued %d notification(s); the running server sends them\n", moved)
	return 0
}
