package wechat

import (
	"context"
	"errors"
)

// SendTemplate sends a template message to openID and returns WeChat's
// msgid, which the TEMPLATESENDJOBFINISH event later reports on. link
// (optional) is opened when the holder taps the message; data maps the
// template's keys to their values.
func (c *Client) SendTemplate(ctx context.Context, openID, templateID, link string, data map[string]string) (int64, error) {
	if openID == "" || templateID == "" {
		return 0, errors.New("wechat template send: openid and template id are required")
	}
	type value struct {
		Value string `json:"value"`
	}
	body := struct {
		ToUser     string           `json:"touser"`
		TemplateID string           `json:"template_id"`
		URL        string           `json:"url,omitempty"`
		Data       map[string]value `json:"data"`
	}{ToUser: openID, TemplateID: templateID, URL: link, Data: make(map[string]value, len(data))}
	for k, v := range data {
		body.Data[k] = value{Value: v}
	}
	var res struct {
		MsgID int64 `json:"msgid"`
	}
	if err := c.call(ctx, "/cgi-bin/message/template/send", body, &res); err != nil {
		return 0, err
	}
	return res.MsgID, nil
}
