package wechat_test

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"ecert/model"
	"ecert/wechat"
)

const alice = "oALICE_openid_0001"

func mustContain(t *testing.T, got string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("reply lacks %q:\n%s", w, got)
		}
	}
}

func mustNotContain(t *testing.T, got string, bad ...string) {
	t.Helper()
	for _, b := range bad {
		if strings.Contains(got, b) {
			t.Errorf("reply contains %q:\n%s", b, got)
		}
	}
}

var linkRe = regexp.MustCompile(`href="([^"]+)"`)

func links(s string) []string {
	var out []string
	for _, m := range linkRe.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	return out
}

func TestSubscribeWelcomesAndExplains(t *testing.T) {
	e := newEnv(t)
	r := e.event(alice, "subscribe", "")
	if r.MsgType != "text" || r.ToUserName != alice || r.FromUserName != wxAccount {
		t.Fatalf("reply header: %+v", r)
	}
	mustContain(t, r.Content, "证书查询", "证书下载", "绑定 姓名 身份证号 证书编号")
}

func TestClickQueryExplainsHow(t *testing.T) {
	e := newEnv(t)
	r := e.event(alice, "CLICK", wechat.KeyCertQuery)
	mustContain(t, r.Content, "证书编号", "姓名", "身份证号")
}

func TestQueryByCertNo(t *testing.T) {
	e := newEnv(t)
	c := e.issue(holder)[0]
	for _, typed := range []string{c.CertNo, strings.ToLower(c.CertNo), "  " + c.CertNo + "\u3000", toFullWidth(c.CertNo)} {
		r := e.text(alice, typed)
		if r.MsgType != "news" || len(r.Articles) != 1 {
			t.Fatalf("%q: want one news article, got %+v", typed, r)
		}
		a := r.Articles[0]
		mustContain(t, a.Title, "有效", "砌筑工", "四级/中级工")
		mustContain(t, a.Description, c.CertNo, "王玥", "410102********0127")
		mustNotContain(t, r.Raw, holder.IDNumber)
		if want := publicURL + "/v/" + e.signer.Verify(c.ID, c.Version); a.URL != want {
			t.Fatalf("link %s, want %s", a.URL, want)
		}
		if page := e.get(a.URL); page.Code != http.StatusOK || !strings.Contains(page.Body.String(), c.CertNo) {
			t.Fatalf("verification page: %d", page.Code)
		}
	}
}

func toFullWidth(s string) string {
	var b strings.Builder
	for _, r := range s {
		b.WriteRune(r - 0x21 + 0xFF01)
	}
	return b.String()
}

func TestQueryMistypedCheckCharacter(t *testing.T) {
	e := newEnv(t)
	c := e.issue(holder)[0]
	wrong := c.CertNo[:14] + string("0123456789X"[(strings.IndexByte("0123456789X", c.CertNo[14])+1)%11])
	r := e.text(alice, wrong)
	if r.Content != "证书编号校验位错误，请核对后重新发送。" {
		t.Fatalf("got %q", r.Content)
	}
}

func TestQueryByNameAndIDListsEveryCertificate(t *testing.T) {
	e := newEnv(t)
	cs := e.issue(holder, holderSecond, other)
	if _, err := e.registry.Revoke(context.Background(), cs[1].CertNo, model.RevokeRequest, "", "test"); err != nil {
		t.Fatal(err)
	}
	for _, typed := range []string{"王玥 410102199001010127", "  王玥\u3000\u3000410102199001010127 ", "王玥　４１０１０２１９９００１０１０１２７"} {
		r := e.text(alice, typed)
		if r.MsgType != "text" {
			t.Fatalf("%q: %+v", typed, r)
		}
		mustContain(t, r.Content, "查询到2本证书", cs[0].CertNo, cs[1].CertNo, "砌筑工", "钢筋工", "【有效】", "【已注销】", "410102********0127")
		mustNotContain(t, r.Content, holder.IDNumber, cs[2].CertNo)
		if got := links(r.Content); len(got) != 2 {
			t.Fatalf("links %v", got)
		}
		for _, l := range links(r.Content) {
			if !strings.HasPrefix(l, publicURL+"/v/") || e.get(l).Code != http.StatusOK {
				t.Fatalf("bad link %s", l)
			}
		}
	}
}

func TestQueryNoMatchSaysOnlyNotFound(t *testing.T) {
	e := newEnv(t)
	e.issue(holder)
	for _, typed := range []string{"王玥 410105198512030116", "李四 410102199001010127", unissuedNo} {
		r := e.text(alice, typed)
		if r.Raw == "success" || r.Content != "未查询到证书" || len(r.Articles) != 0 {
			t.Fatalf("%q: got %+v", typed, r)
		}
	}
}

func TestQueryBadIDNumberGetsValidatorMessage(t *testing.T) {
	e := newEnv(t)
	r := e.text(alice, "王玥 410102199001010128")
	mustContain(t, r.Content, "身份证号校验位错误", "请核对后重新发送")
	r = e.text(alice, "410102199001010127")
	mustContain(t, r.Content, "请同时发送姓名和身份证号")
}

func TestQueryRateLimitedPerOpenID(t *testing.T) {
	e := newEnv(t, withLimit(2))
	c := e.issue(holder)[0]
	e.text(alice, c.CertNo)
	e.text(alice, c.CertNo)
	if r := e.text(alice, c.CertNo); !strings.Contains(r.Content, "查询过于频繁") {
		t.Fatalf("third query in a minute: %+v", r)
	}
	if r := e.text("oBOB", c.CertNo); len(r.Articles) != 1 {
		t.Fatalf("another user is not limited: %+v", r)
	}
	e.clock.Add(time.Minute)
	if r := e.text(alice, c.CertNo); len(r.Articles) != 1 {
		t.Fatalf("after the window: %+v", r)
	}
}

func TestBindUnbindAndDownload(t *testing.T) {
	e := newEnv(t)
	cs := e.issue(holder, holderSecond, other)
	ctx := context.Background()
	if _, err := e.registry.Revoke(ctx, cs[1].CertNo, model.RevokeRequest, "", "test"); err != nil {
		t.Fatal(err)
	}

	r := e.event(alice, "CLICK", wechat.KeyCertDownload)
	mustContain(t, r.Content, "绑定 姓名 身份证号 证书编号", "证书下载")

	r = e.text(alice, "绑定 王玥 410102199001010127 "+cs[0].CertNo)
	mustContain(t, r.Content, "绑定成功", "王玥", "410102********0127", "证书下载", "解绑")
	b, err := e.registry.BindingFor(ctx, alice)
	if err != nil || b.IDNumber != holder.IDNumber || b.Name != "王玥" {
		t.Fatalf("binding %+v, %v", b, err)
	}
	r = e.text(alice, "绑定王玥　"+cs[0].CertNo+" 410102199001010127")
	mustContain(t, r.Content, "无需重复绑定")

	r = e.event(alice, "CLICK", wechat.KeyCertDownload)
	mustContain(t, r.Content, "王玥", "30分钟", cs[0].CertNo, "PDF", "保存", "打印")
	mustNotContain(t, r.Content, cs[1].CertNo, cs[2].CertNo) // revoked, and someone else's
	ls := links(r.Content)
	if len(ls) != 1 || !strings.HasPrefix(ls[0], publicURL+"/download/") {
		t.Fatalf("links %v", ls)
	}
	pdf := e.get(ls[0])
	if pdf.Code != http.StatusOK || pdf.Header().Get("Content-Type") != "application/pdf" {
		t.Fatalf("download: %d %s", pdf.Code, pdf.Header().Get("Content-Type"))
	}

	// Binding to another holder replaces the first.
	r = e.text(alice, "绑定 李彧 410105198512030116 "+cs[2].CertNo)
	mustContain(t, r.Content, "绑定成功", "原来绑定", "李彧")
	if ids := e.boundTo(holder.IDNumber); len(ids) != 0 {
		t.Fatalf("old holder still bound to %v", ids)
	}
	if ids := e.boundTo(other.IDNumber); len(ids) != 1 || ids[0] != alice {
		t.Fatalf("new holder bound to %v", ids)
	}

	r = e.text(alice, "解绑")
	mustContain(t, r.Content, "已解除绑定")
	if _, err := e.registry.BindingFor(ctx, alice); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("still bound: %v", err)
	}
	r = e.text(alice, "解绑")
	mustContain(t, r.Content, "尚未绑定")
	r = e.event(alice, "CLICK", wechat.KeyCertDownload)
	mustContain(t, r.Content, "请先绑定")
}

func TestBindFormatErrorsAreExplainedNotCounted(t *testing.T) {
	e := newEnv(t)
	c := e.issue(holder)[0]
	for i := 0; i < 7; i++ {
		r := e.text(alice, "绑定 王玥 410102199001010127")
		mustContain(t, r.Content, "绑定格式：绑定 姓名 身份证号 证书编号")
	}
	if r := e.text(alice, "绑定 王玥 410102199001010127 "+c.CertNo); !strings.Contains(r.Content, "绑定成功") {
		t.Fatalf("format errors locked binding out: %s", r.Content)
	}
}

func TestFiveFailedBindsLockForAnHour(t *testing.T) {
	e := newEnv(t)
	c := e.issue(holder)[0]
	for i := 1; i <= 5; i++ {
		guess := model.MakeIDNumber("410102", time.Date(1990, 1, i+1, 0, 0, 0, 0, time.UTC), 12, false)
		r := e.text(alice, "绑定 王玥 "+guess+" "+c.CertNo)
		if i < 5 {
			mustContain(t, r.Content, "绑定失败", "不匹配")
		} else {
			mustContain(t, r.Content, "1小时后再试")
		}
	}
	// Even the right answer is refused now, so guessing cannot go on.
	r := e.text(alice, "绑定 王玥 410102199001010127 "+c.CertNo)
	mustContain(t, r.Content, "1小时后再试")
	if _, err := e.registry.BindingFor(context.Background(), alice); !errors.Is(err, model.ErrNotFound) {
		t.Fatal("bound while locked")
	}
	// Another openid is not affected; this one is after the hour.
	if r := e.text("oBOB", "绑定 王玥 410102199001010127 "+c.CertNo); !strings.Contains(r.Content, "绑定成功") {
		t.Fatalf("other user: %s", r.Content)
	}
	e.clock.Add(time.Hour + time.Second)
	if r := e.text(alice, "绑定 王玥 410102199001010127 "+c.CertNo); !strings.Contains(r.Content, "绑定成功") {
		t.Fatalf("after the hour: %s", r.Content)
	}
}

func TestScanEventsWithCertificateScene(t *testing.T) {
	e := newEnv(t)
	c := e.issue(holder)[0]
	r := e.event(alice, "SCAN", c.CertNo)
	mustContain(t, r.Content, "证书验证结果", "有效", "王玥", "砌筑工", "四级/中级工", c.CertNo, "410102********0127")
	mustNotContain(t, r.Content, holder.IDNumber)
	if ls := links(r.Content); len(ls) != 1 || e.get(ls[0]).Code != http.StatusOK {
		t.Fatalf("links %v", ls)
	}
	r = e.event("oNEW", "subscribe", "qrscene_"+c.CertNo)
	mustContain(t, r.Content, "欢迎关注", c.CertNo, "王玥")
	r = e.event("oNEW2", "subscribe", "qrscene_promo2026")
	mustContain(t, r.Content, "证书查询", "证书下载")
	r = e.event(alice, "SCAN", "promo2026")
	mustContain(t, r.Content, "可查询证书")
	r = e.event(alice, "SCAN", unissuedNo)
	if r.Content != "未查询到证书" {
		t.Fatalf("unknown certificate scene: %q", r.Content)
	}
}

func TestAnythingElseGetsHelp(t *testing.T) {
	e := newEnv(t)
	for _, typed := range []string{"你好", "王玥", "a b c d e"} {
		r := e.text(alice, typed)
		mustContain(t, r.Content, "查询证书", "绑定 姓名 身份证号 证书编号")
	}
	img := `<xml><ToUserName>gh_ecert</ToUserName><FromUserName>` + alice + `</FromUserName><CreateTime>1</CreateTime>` +
		`<MsgType>image</MsgType><PicUrl>http://x/y.jpg</PicUrl><MsgId>99</MsgId></xml>`
	mustContain(t, e.send(img).Content, "查询证书")
	if r := e.event(alice, "unsubscribe", ""); r.Raw != "success" {
		t.Fatalf("unsubscribe answered %q", r.Raw)
	}
	if r := e.event(alice, "VIEW", publicURL+"/query"); r.Raw != "success" {
		t.Fatalf("VIEW answered %q", r.Raw)
	}
}

func TestTemplateFinishedEventReachesHook(t *testing.T) {
	type report struct {
		id     int64
		status string
	}
	got := make(chan report, 1)
	e := newEnv(t, func(o *wechat.Options) {
		o.OnTemplateFinished = func(ctx context.Context, msgID int64, status string) {
			if _, ok := ctx.Deadline(); !ok {
				t.Error("hook context has no deadline")
			}
			got <- report{msgID, status}
		}
	})
	msg := `<xml><ToUserName><![CDATA[gh_ecert]]></ToUserName><FromUserName><![CDATA[` + alice + `]]></FromUserName>` +
		`<CreateTime>1717200000</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[TEMPLATESENDJOBFINISH]]></Event>` +
		`<MsgID>200163836</MsgID><Status><![CDATA[failed:user block]]></Status></xml>`
	if r := e.send(msg); r.Raw != "success" {
		t.Fatalf("reply %q", r.Raw)
	}
	select {
	case r := <-got:
		if r.id != 200163836 || r.status != "failed:user block" {
			t.Fatalf("hook got %+v", r)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("hook not called")
	}
}

// unissuedNo is a well-formed 证书编号 no test issues.
var unissuedNo = func() string { no, _ := model.FormatCertNo(2026, 99999); return no }()
