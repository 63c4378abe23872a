package wechat

import (
	"context"
	"strings"
)

// Click keys of the menu (PRODUCT.md).
const (
	KeyCertQuery    = "CERT_QUERY"
	KeyCertDownload = "CERT_DOWNLOAD"
)

// converse decides the reply to one message. An error means the
// registry (or a limiter) failed; the caller answers 系统繁忙.
func (s *Server) converse(ctx context.Context, in *inbound) (reply, error) {
	switch in.MsgType {
	case "text":
		return s.onText(ctx, in.FromUserName, in.Content)
	case "event":
		return s.onEvent(ctx, in)
	}
	return textReply(msgHelp), nil // images, voice, locations…
}

func (s *Server) onEvent(ctx context.Context, in *inbound) (reply, error) {
	switch strings.ToUpper(in.Event) {
	case "SUBSCRIBE":
		// A parametric QR code's scene arrives as qrscene_SCENE.
		if scene, ok := strings.CutPrefix(in.EventKey, "qrscene_"); ok {
			return s.onScene(ctx, scene, true)
		}
		return textReply(msgWelcome), nil
	case "SCAN":
		return s.onScene(ctx, in.EventKey, false)
	case "CLICK":
		switch in.EventKey {
		case KeyCertQuery:
			return textReply(msgHowToQuery), nil
		case KeyCertDownload:
			return s.download(ctx, in.FromUserName)
		}
		return textReply(msgHelp), nil
	case "TEMPLATESENDJOBFINISH":
		if hook := s.opts.OnTemplateFinished; hook != nil {
			msgID, status := in.TemplateMsgID, in.Status
			s.pool.submit(func(ctx context.Context) { hook(ctx, msgID, status) })
		}
		return reply{}, nil
	}
	// unsubscribe, VIEW, LOCATION…: WeChat shows no reply to these.
	return reply{}, nil
}

// onText handles typed commands and queries. Spaces may be half- or
// full-width and repeated; letters and digits may be full-width.
func (s *Server) onText(ctx context.Context, openID, content string) (reply, error) {
	fields := splitFields(content)
	if len(fields) == 0 {
		return textReply(msgHelp), nil
	}
	// "绑定" may be typed with or without a space after it.
	if rest, ok := strings.CutPrefix(fields[0], "绑定"); ok {
		if rest != "" {
			fields = append([]string{rest}, fields[1:]...)
		} else {
			fields = fields[1:]
		}
		return s.bind(ctx, openID, fields)
	}
	switch strings.Join(fields, "") {
	case "解绑", "解除绑定":
		return s.unbind(ctx, openID)
	case "证书查询", "查询":
		return textReply(msgHowToQuery), nil
	case "证书下载", "下载":
		return s.download(ctx, openID)
	case "帮助", "?", "help", "HELP":
		return textReply(msgHelp), nil
	}
	return s.query(ctx, openID, fields)
}
