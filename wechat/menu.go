package wechat

import (
	"context"
	"errors"
)

// MenuButton is a custom-menu button as WeChat's /cgi-bin/menu/create
// takes it: a click (Key), a view (URL, absolute), or a parent of up to
// five SubButtons.
type MenuButton struct {
	Name       string       `json:"name"`
	Type       string       `json:"type,omitempty"`
	Key        string       `json:"key,omitempty"`
	URL        string       `json:"url,omitempty"`
	SubButtons []MenuButton `json:"sub_button,omitempty"`
}

// CreateMenu replaces the account's menu. WeChat's refusal comes back as
// *APIError with its errcode and errmsg.
func (c *Client) CreateMenu(ctx context.Context, buttons []MenuButton) error {
	if len(buttons) == 0 || len(buttons) > 3 {
		return errors.New("wechat menu: want 1 to 3 top-level buttons")
	}
	body := struct {
		Button []MenuButton `json:"button"`
	}{buttons}
	return c.call(ctx, "/cgi-bin/menu/create", body, nil)
}
