package wechat

import "strconv"

// inbound is the part of a callback message ecert reads. WeChat spells the
// message ID MsgId on user messages and MsgID on TEMPLATESENDJOBFINISH.
type inbound struct {
	ToUserName    string `xml:"ToUserName"`
	FromUserName  string `xml:"FromUserName"`
	CreateTime    int64  `xml:"CreateTime"`
	MsgType       string `xml:"MsgType"`
	Content       string `xml:"Content"`
	MsgID         int64  `xml:"MsgId"`
	Event         string `xml:"Event"`
	EventKey      string `xml:"EventKey"`
	TemplateMsgID int64  `xml:"MsgID"`
	Status        string `xml:"Status"`
}

// dedupKey names a callback across WeChat's retries: MsgId for messages,
// sender and CreateTime for events, as WeChat's documentation prescribes.
func (m *inbound) dedupKey() string {
	if m.MsgID != 0 {
		return "m:" + strconv.FormatInt(m.MsgID, 10)
	}
	return "e:" + m.FromUserName + ":" + strconv.FormatInt(m.CreateTime, 10) + ":" + m.Event
}
