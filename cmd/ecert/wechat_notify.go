package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"ecert/model"
	"ecert/notify"
	"ecert/store"
)

// cmdWeChatNotify is `ecert wechat notify`: queue an administrator's
// template message to chosen holders. The running `ecert serve` sends it.
func cmdWeChatNotify(args []string, stdout, stderr io.Writer) int {
	return weChatNotify(args, os.Stdin, stdout, stderr)
}

func weChatNotify(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs, configPath := newFlags("wechat notify", stderr)
	key := fs.String("template", "", "template KEY from wechat.templates (required)")
	certNo := fs.String("cert", "", "send to the holder of this certificate")
	org := fs.String("org", "", "send to holders of valid certificates from this 培训考核机构")
	all := fs.Bool("all-bound", false, "send to every bound WeChat user")
	dryRun := fs.Bool("dry-run", false, "print the recipient count and stop")
	yes := fs.Bool("yes", false, "queue without asking")
	batch := fs.String("batch", "", "batch name: a batch reaches each user at most once (default: template, audience and today's date)")
	_, err := parseArgs(fs, args, 0, "no arguments")
	if err == nil && *key == "" {
		err = errors.New("ecert wechat notify: --template KEY is required")
	}
	aud, label := store.Audience{CertNo: model.NormalizeCertNo(*certNo), OrgName: strings.TrimSpace(*org), AllBound: *all}, ""
	if err == nil {
		label, err = audienceLabel(aud)
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	a, err := openApp(fs, *configPath, stderr, needs{})
	if err != nil {
		fmt.Fprintln(stderr, "ecert wechat notify:", err)
		return 1
	}
	defer a.close()
	ts, err := notify.NewTemplates(a.cfg.WeChat.Templates)
	if err != nil {
		fmt.Fprintln(stderr, "ecert wechat notify:", err)
		return 1
	}
	tpl, err := ts.Get(*key)
	if err != nil {
		fmt.Fprintln(stderr, "ecert wechat notify: --template:", err)
		return 2
	}

	ctx := context.Background()
	ob := store.NewOutbox(a.registry.DB())
	recipients, err := resolveRecipients(ctx, a.registry, ob, aud)
	if err != nil {
		fmt.Fprintln(stderr, "ecert wechat notify:", err)
		return 1
	}
	if *batch == "" {
		*batch = fmt.Sprintf("%s/%s/%s", *key, label, model.FormatDate(time.Now()))
	}
	rows, err := notify.NewEnqueuer(ob, ts, verifyLink(a)).BatchRows(*key, *batch, recipients, time.Now())
	if err != nil {
		fmt.Fprintln(stderr, "ecert wechat notify:", err)
		return 1
	}
	fmt.Fprintf(stdout, "template %s (%s) to %s: %d recipient(s), batch %q\n", tpl.Key, tpl.ID, label, len(rows), *batch)
	switch {
	case *dryRun:
		fmt.Fprintln(stdout, "dry run: nothing queued")
		return 0
	case len(rows) == 0:
		fmt.Fprintln(stdout, "nobody to notify: nothing queued")
		return 0
	case !*yes && !confirm(stdin, stdout, len(rows)):
		fmt.Fprintln(stderr, "not confirmed: nothing queued (--yes skips the question)")
		return 1
	}
	queued, err := ob.EnqueueBatch(ctx, rows)
	if err != nil {
		fmt.Fprintln(stderr, "ecert wechat notify:", err)
		return 1
	}
	a.log.Info("notification batch queued", "template", tpl.Key, "batch", *batch, "queued", queued, "already_queued", len(rows)-queued)
	fmt.Fprintf(stdout, "queued %d message(s), %d already queued earlier in this batch; the ecert serve worker sends them\n", queued, len(rows)-queued)
	return 0
}

// audienceLabel checks that exactly one audience is named and describes it
// (also the default batch name's middle part).
func audienceLabel(a store.Audience) (string, error) {
	var labels []string
	if a.CertNo != "" {
		if err := model.ValidateCertNo(a.CertNo); err != nil {
			return "", fmt.Errorf("ecert wechat notify: --cert %s: %v", a.CertNo, err)
		}
		labels = append(labels, "cert:"+a.CertNo)
	}
	if a.OrgName != "" {
		labels = append(labels, "org:"+a.OrgName)
	}
	if a.AllBound {
		labels = append(labels, "all-bound")
	}
	if len(labels) != 1 {
		return "", errors.New("ecert wechat notify: give exactly one of --cert CERTNO, --org ORG, --all-bound")
	}
	return labels[0], nil
}

// resolveRecipients finds the audience's bound openids and, for each, the
// certificate the message describes: the one named with --cert, else the
// holder's own (see Outbox.HolderCerts).
func resolveRecipients(ctx context.Context, reg *store.Registry, ob *store.Outbox, aud store.Audience) ([]notify.Recipient, error) {
	rs, err := ob.Recipients(ctx, aud)
	if err != nil {
		return nil, err
	}
	out := make([]notify.Recipient, len(rs))
	if aud.CertNo != "" {
		c, err := reg.FindByNo(ctx, aud.CertNo)
		if err != nil {
			return nil, err
		}
		for i, r := range rs {
			out[i] = notify.Recipient{OpenID: r.OpenID, Cert: c}
		}
		return out, nil
	}
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = r.IDNumber
	}
	certs, err := ob.HolderCerts(ctx, ids, aud.OrgName)
	if err != nil {
		return nil, err
	}
	for i, r := range rs {
		out[i].OpenID = r.OpenID
		if c, ok := certs[r.IDNumber]; ok {
			out[i].Cert = &c
		}
	}
	return out, nil
}

func confirm(stdin io.Reader, stdout io.Writer, n int) bool {
	fmt.Fprintf(stdout, "queue %d template message(s)? [y/N] ", n)
	line, _ := bufio.NewReader(stdin).ReadString('\n')
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true
	}
	return false
}

// verifyLink is a certificate's verification page, as printed in its QR.
func verifyLink(a *app) notify.LinkFunc {
	return func(c *model.Certificate) string {
		return a.cfg.Server.PublicURL + "/v/" + a.signer.Verify(c.ID, c.Version)
	}
}

// setupNotifications registers the outbox hook on a.registry, so every
// issuance and revocation made through a — by `serve`, `import` or
// `revoke` — queues its template messages in its own transaction. With no
// templates configured it does nothing.
func setupNotifications(a *app) error {
	if len(a.cfg.WeChat.Templates) == 0 {
		return nil
	}
	ts, err := notify.NewTemplates(a.cfg.WeChat.Templates)
	if err != nil {
		return err
	}
	a.registry.OnEvents(notify.NewEnqueuer(store.NewOutbox(a.registry.DB()), ts, verifyLink(a)).Hook())
	return nil
}

// newNotifyWorker is the sender of queued template messages for `serve`;
// run it with Run(ctx), which returns after a graceful stop.
func newNotifyWorker(a *app, sender notify.Sender) *notify.Worker {
	return notify.NewWorker(store.NewOutbox(a.registry.DB()), sender, notify.Options{
		Logger: a.log,
	})
}
