package wechat

import (
	"encoding/xml"
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

// marshal renders the passive reply XML addressed back to the sender.
func (r reply) marshal(in *inbound, now time.Time) ([]byte, error) {
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
