package wechat

// The hand-written XML and crypto of the callback's hot path against the
// reference they replace: encoding/xml with the SDK's types, and the SDK's
// util.EncryptMsg / DecryptMsg / Signature.

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/silenceper/wechat/v2/officialaccount/message"
	"github.com/silenceper/wechat/v2/util"
)

var xmlSeeds = []string{
	`<xml><ToUserName><![CDATA[gh_ecert]]></ToUserName><FromUserName><![CDATA[oABC]]></FromUserName><CreateTime>1780000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[王玥 410102199001010127]]></Content><MsgId>1234567890123456</MsgId></xml>`,
	"<xml>\n  <ToUserName><![CDATA[gh]]></ToUserName>\n  <Encrypt><![CDATA[abc+/=]]></Encrypt>\n</xml>\n",
	`<xml><ToUserName><![CDATA[gh]]></ToUserName><FromUserName><![CDATA[o]]></FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[TEMPLATESENDJOBFINISH]]></Event><MsgID>200163836</MsgID><Status><![CDATA[success]]></Status></xml>`,
	`<xml><Content>plain &amp; text</Content><MsgType>text</MsgType><FromUserName>o</FromUserName></xml>`,
	`<xml><Content><![CDATA[a]]]]><![CDATA[>b]]></Content></xml>`,
	`<xml><Content><![CDATA[a]]></Content><Content><![CDATA[b]]></Content></xml>`,
	`<xml><MsgId> 12 </MsgId><CreateTime>-3</CreateTime><MsgID></MsgID></xml>`,
	`<xml><MsgId>99999999999999999999</MsgId></xml>`,
	"<xml><Content><![CDATA[a\r\nb]]></Content></xml>",
	"<xml><Content>\x00</Content></xml>",
	"<xml><Content>\xff</Content></xml>",
	`<xml><Unknown><![CDATA[x]]></Unknown><Nested><A>1</A></Nested><Encrypt>e</Encrypt></xml>`,
	`<root><Encrypt>e</Encrypt><FromUserName>o</FromUserName></root>`,
	`<xml><x:Encrypt>e</x:Encrypt></xml>`,
	`<xml><Encrypt a="1">e</Encrypt></xml>`,
	`<xml><Encrypt/></xml>`,
	`<?xml version="1.0"?><xml><Encrypt>e</Encrypt></xml>`,
	`<xml><Encrypt>e</Encrypt></xml>trailing <junk`,
	`<xml><Encrypt>e</Encrypt>`,
	`<xml><Encrypt>e</Encrypts></xml>`,
	`<xml><!-- c --><Encrypt>e</Encrypt></xml>`,
	`<xml>text<Encrypt>e</Encrypt></xml>`,
	`<xml><Content>a > b</Content></xml>`,
	`<xml><Content><![CDATA[]]></Content></xml>`,
	``,
	`<xml></xml>`,
}

// sameAsXML: both messages read as encoding/xml reads them.
func sameAsXML(t *testing.T, data []byte) {
	var want, got message.EncryptedXMLMsg
	werr := xml.Unmarshal(data, &want)
	gerr := unmarshalEnvelope(data, &got)
	if (werr == nil) != (gerr == nil) || werr == nil && want != got {
		t.Errorf("envelope %q: got %+v, %v; encoding/xml %+v, %v", data, got, gerr, want, werr)
	}
	var wantIn, gotIn inbound
	werr = xml.Unmarshal(data, &wantIn)
	gerr = unmarshalInbound(data, &gotIn)
	if (werr == nil) != (gerr == nil) || werr == nil && wantIn != gotIn {
		t.Errorf("inbound %q: got %+v, %v; encoding/xml %+v, %v", data, gotIn, gerr, wantIn, werr)
	}
}

func TestFastXMLMatchesEncodingXML(t *testing.T) {
	for _, s := range xmlSeeds {
		sameAsXML(t, []byte(s))
	}
}

func FuzzFastXML(f *testing.F) {
	for _, s := range xmlSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { sameAsXML(t, data) })
}

var replyTexts = []string{
	"", "帮助", "a]]>b", "]]>", "]]]]>>", "<a href=\"https://x/query\">网页查询</a>\n\n&'\"\t\r",
	"\x00\x01bad\xffutf8\uFFFD\uFFFE", strings.Repeat("证书", 300),
}

func TestReplyMarshalMatchesSDK(t *testing.T) {
	now := time.Unix(1780000000, 0)
	for _, from := range []string{"oABC", "o]]>x", ""} {
		in := &inbound{ToUserName: "gh_ecert", FromUserName: from}
		for _, s := range replyTexts {
			check := func(r reply) {
				t.Helper()
				got := r.marshal(in, now)
				want, err := r.marshalSDK(in, now)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("reply %+v:\n got  %s\n want %s", r, got, want)
				}
			}
			check(textReply(s))
			check(reply{article: message.NewArticle(s, s+"\n点击查看证书验证页", "", "https://e.example/v/"+s)})
			check(reply{article: message.NewArticle("", "", s, "")})
		}
	}
}

func TestEnvelopeMatchesSDK(t *testing.T) {
	for _, nonce := range replyTexts {
		for _, ts := range []int64{0, -1, 1780000000} {
			want, err := xml.Marshal(message.ResponseEncryptedXMLMsg{EncryptedMsg: "QUJD+/=", MsgSignature: "0a1b", Timestamp: ts, Nonce: nonce})
			if err != nil {
				t.Fatal(err)
			}
			if got := marshalEnvelope("QUJD+/=", "0a1b", ts, nonce); !bytes.Equal(got, want) {
				t.Errorf("nonce %q ts %d:\n got  %s\n want %s", nonce, ts, got, want)
			}
		}
	}
}

func TestCrypterMatchesSDK(t *testing.T) {
	const appID = "wx0123456789abcdef"
	aesKey := base64.StdEncoding.EncodeToString([]byte("0123456789abcdefghijklmnopqrstuv"))[:43]
	c, err := newCrypter(appID, aesKey)
	if err != nil {
		t.Fatal(err)
	}
	for _, msg := range replyTexts {
		// Ours opens the SDK's, the SDK opens ours.
		sdk, err := util.EncryptMsg([]byte("0123456789abcdef"), []byte(msg), appID, aesKey)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := c.decrypt(string(sdk)); err != nil || string(got) != msg {
			t.Errorf("decrypt SDK's %q: %q, %v", msg, got, err)
		}
		ours, err := c.encrypt([]byte(msg))
		if err != nil {
			t.Fatal(err)
		}
		if _, got, err := util.DecryptMsg(appID, ours, aesKey); err != nil || string(got) != msg {
			t.Errorf("SDK decrypt of ours %q: %q, %v", msg, got, err)
		}
	}
	// What the SDK refuses, ours refuses.
	other, _ := util.EncryptMsg([]byte("0123456789abcdef"), []byte("x"), "wxother", aesKey)
	empty, _ := util.EncryptMsg([]byte("0123456789abcdef"), []byte("x"), "", aesKey)
	for _, bad := range []string{"", "!!", "QUJD", string(other), string(empty), base64.StdEncoding.EncodeToString(make([]byte, 32)),
		base64.StdEncoding.EncodeToString(make([]byte, 48))} {
		_, _, sdkErr := util.DecryptMsg(appID, bad, aesKey)
		_, err := c.decrypt(bad)
		if (sdkErr == nil) != (err == nil) {
			t.Errorf("decrypt %q: ours %v, SDK %v", bad, err, sdkErr)
		}
	}
	for _, key := range []string{"", aesKey[:42], aesKey + "A", strings.Repeat("!", 43)} {
		_, err := newCrypter(appID, key)
		_, sdkErr := util.EncryptMsg(make([]byte, 16), []byte("x"), appID, key)
		if (sdkErr == nil) != (err == nil) {
			t.Errorf("key %q: ours %v, SDK %v", key, err, sdkErr)
		}
	}
}

func TestSignatureMatchesSDK(t *testing.T) {
	for _, parts := range [][]string{{}, {"a"}, {"tok", "123", "nonce"}, {"tok", "123", "nonce", "ENC+/="}, {"b", "a", "b"}} {
		if got, want := signature(append([]string(nil), parts...)...), util.Signature(append([]string(nil), parts...)...); got != want || !reflect.DeepEqual(len(got), 40) {
			t.Errorf("%q: %s, SDK %s", parts, got, want)
		}
	}
}

// marshalSDK is marshal through encoding/xml and the SDK's types, the
// reference marshal must match.
func (r reply) marshalSDK(in *inbound, now time.Time) ([]byte, error) {
	var msg interface {
		SetToUserName(message.CDATA)
		SetFromUserName(message.CDATA)
		SetCreateTime(int64)
		SetMsgType(message.MsgType)
	}
	var kind message.MsgType
	if r.article != nil {
		msg, kind = message.NewNews([]*message.Article{r.article}), message.MsgTypeNews
	} else {
		msg, kind = message.NewText(r.text), message.MsgTypeText
	}
	msg.SetToUserName(message.CDATA(in.FromUserName))
	msg.SetFromUserName(message.CDATA(in.ToUserName))
	msg.SetCreateTime(now.Unix())
	msg.SetMsgType(kind)
	return xml.Marshal(msg)
}

// appendEscaped writes exactly what encoding/xml writes for element text,
// over every ASCII byte, the edges of XML's allowed ranges, invalid UTF-8
// and mixed text.
func TestAppendEscapedMatchesEncodingXML(t *testing.T) {
	inputs := []string{"", "QUJD+/=", "王玥 410102199001010127", "a&b<c>d\"e'f", "tab\there\r\nnew", "\xff\xfe", "a\xe7\x8eb", "\xef\xbf\xbd", "x]]>y"}
	for c := 0; c < 0x100; c++ {
		inputs = append(inputs, "a"+string(rune(c))+"b", "a"+string([]byte{byte(c)})+"b")
	}
	for _, r := range []rune{0xD7FF, 0xE000, 0xFFFD, 0xFFFE, 0xFFFF, 0x10000, 0x10FFFF, 0x1F600} {
		inputs = append(inputs, "王"+string(r)+"玥")
	}
	for _, in := range inputs {
		var want bytes.Buffer
		if err := xml.EscapeText(&want, []byte(in)); err != nil {
			t.Fatal(err)
		}
		if got := appendEscaped(nil, in); !bytes.Equal(got, want.Bytes()) {
			t.Errorf("%q: got %q, want %q", in, got, want.Bytes())
		}
	}
}
