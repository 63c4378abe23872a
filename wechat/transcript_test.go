package wechat_test

import (
	"strings"
	"testing"

	"ecert/wechat"
)

// TestTranscript walks a holder through every conversation and prints
// what their phone shows (go test ./wechat -run Transcript -v), for
// reading the wording as a holder would.
func TestTranscript(t *testing.T) {
	e := newEnv(t)
	cs := e.issue(holder, holderSecond)
	const me = "oTRANSCRIPT"
	show := func(said string, r wxReply) {
		text := r.Content
		if len(r.Articles) > 0 {
			a := r.Articles[0]
			text = "[图文] " + a.Title + "\n" + a.Description + "\n→ " + a.URL
		}
		if r.Raw == "success" {
			text = "(no reply)"
		}
		if text == "" {
			t.Errorf("%s: empty reply", said)
		}
		t.Logf("\n>>> %s\n%s\n", said, strings.TrimSpace(text))
	}
	show("关注公众号", e.event(me, "subscribe", ""))
	show("点 证书查询", e.event(me, "CLICK", wechat.KeyCertQuery))
	show("发送 "+cs[0].CertNo, e.text(me, cs[0].CertNo))
	show("发送 王玥 410102199001010127", e.text(me, "王玥 410102199001010127"))
	show("发送 王玥 410102199001010128（输错）", e.text(me, "王玥 410102199001010128"))
	show("发送 "+cs[0].CertNo[:14]+"0（输错）", e.text(me, cs[0].CertNo[:14]+"0"))
	show("发送 张三 410105198512030116", e.text(me, "张三 410105198512030116"))
	show("点 证书下载（未绑定）", e.event(me, "CLICK", wechat.KeyCertDownload))
	show("发送 绑定 王玥 410102199001010127", e.text(me, "绑定 王玥 410102199001010127"))
	show("发送 绑定 王玥 410105198512030116 "+cs[0].CertNo, e.text(me, "绑定 王玥 410105198512030116 "+cs[0].CertNo))
	show("发送 绑定 王玥 410102199001010127 "+cs[0].CertNo, e.text(me, "绑定 王玥 410102199001010127 "+cs[0].CertNo))
	show("点 证书下载（已绑定）", e.event(me, "CLICK", wechat.KeyCertDownload))
	show("扫码 "+cs[1].CertNo, e.event(me, "SCAN", cs[1].CertNo))
	show("扫码关注 qrscene_"+cs[0].CertNo, e.event("oNEWCOMER", "subscribe", "qrscene_"+cs[0].CertNo))
	show("发送 解绑", e.text(me, "解绑"))
	show("发送 你好", e.text(me, "你好"))
}
