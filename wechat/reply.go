package wechat

import (
	"strconv"
	"time"

	"github.com/silenceper/wechat/v2/officialaccount/message"
)

// reply is what a conversation answers: a text, or a single news article
// (since 2018 WeChat shows only one article of a passive news reply, so
// several results go out as text). The zero reply answers nothing.
type reply struct {
	text    string
	article *message.Article
}

func textReply(s string) reply { return reply{text: s} }

func (r reply) empty() bool { return r.text == "" && r.article == nil }

// marshal renders the passive reply XML addressed back to the sender:
// the bytes xml.Marshal gives for the SDK's message.Text or message.News
// (marshalSDK in the tests), written directly.
func (r reply) marshal(in *inbound, now time.Time) []byte {
	b := make([]byte, 0, 256+len(r.text)+len(in.FromUserName)+len(in.ToUserName))
	b = append(b, "<xml><ToUserName>"...)
	b = appendCDATA(b, in.FromUserName)
	b = append(b, "</ToUserName><FromUserName>"...)
	b = appendCDATA(b, in.ToUserName)
	b = append(b, "</FromUserName><CreateTime>"...)
	b = strconv.AppendInt(b, now.Unix(), 10)
	b = append(b, "</CreateTime>"...)
	if a := r.article; a != nil {
		b = appendElem(b, "MsgType", string(message.MsgTypeNews), false)
		b = append(b, "<ArticleCount>1</ArticleCount><Articles><item>"...)
		b = appendElem(b, "Title", a.Title, true)
		b = appendElem(b, "Description", a.Description, true)
		b = appendElem(b, "PicUrl", a.PicURL, true)
		b = appendElem(b, "Url", a.URL, true)
		b = append(b, "</item></Articles>"...)
	} else {
		b = appendElem(b, "MsgType", string(message.MsgTypeText), false)
		b = append(b, "<Content>"...)
		b = appendCDATA(b, r.text)
		b = append(b, "</Content>"...)
	}
	return append(b, "</xml>"...)
}
