package wechat

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/silenceper/wechat/v2/officialaccount/message"
	"golang.org/x/text/width"

	"ecert/model"
)

// maxListed bounds a text reply listing certificates; WeChat cuts long
// texts, and a holder rarely has more.
const maxListed = 5

// splitFields folds full-width letters, digits and spaces to half-width
// and splits on any blank.
func splitFields(s string) []string { return strings.Fields(width.Fold.String(s)) }

// sortFields tells a message's words apart by their shape: a 证书编号, an
// ID number (possibly mistyped) and a name, in any order, at most one of
// each. ok is false when a word fits no free place.
func sortFields(fields []string) (name, no, id string, ok bool) {
	for _, f := range fields {
		var slot *string
		switch {
		case model.LooksLikeCertNo(f):
			slot, f = &no, model.NormalizeCertNo(f)
		case looksLikeID(f):
			slot, f = &id, model.NormalizeIDNumber(f)
		default:
			slot = &name
		}
		if *slot != "" {
			return "", "", "", false
		}
		*slot = f
	}
	return name, no, id, true
}

// looksLikeID tells an ID number (possibly mistyped) from a name.
func looksLikeID(s string) bool { return len(s) >= 15 && s[0] >= '0' && s[0] <= '9' }

// query answers a 证书编号, 姓名 + 身份证号, or 姓名 + 证书编号. Format errors
// are answered before the rate limit and the database, and reveal nothing.
func (s *Server) query(ctx context.Context, openID string, fields []string) (reply, error) {
	name, no, id, ok := sortFields(fields)
	if !ok {
		return textReply(msgHelp), nil
	}
	switch {
	case no != "" && id == "":
	case name != "" && id != "" && no == "":
	case id != "" && name == "" && no == "":
		return textReply(msgIDOnly), nil
	default:
		return textReply(msgHelp), nil
	}
	if msg := s.formatError(no, id); msg != "" {
		return textReply(msg), nil
	}
	if ok, err := s.allow(ctx, "q:", openID); err != nil || !ok {
		return textReply(msgRateLimited), err
	}
	var certs []model.Certificate
	var err error
	switch {
	case no != "" && name != "":
		certs, err = s.opts.Registry.FindByNameAndNo(ctx, name, no)
	case no != "":
		var c *model.Certificate
		if c, err = s.opts.Registry.FindByNo(ctx, no); err == nil {
			certs = []model.Certificate{*c}
		}
	default:
		certs, err = s.opts.Registry.FindByNameAndID(ctx, name, id)
	}
	if err != nil && !errors.Is(err, model.ErrNotFound) {
		return reply{}, err
	}
	return s.results(certs), nil
}

// formatError is the validator's own message for a mistyped 证书编号 or
// 身份证号, or "".
func (s *Server) formatError(no, id string) string {
	var fe *model.FieldError
	switch {
	case no != "" && errors.As(model.ValidateCertNo(no), &fe):
	case id != "" && errors.As(model.ValidateIDNumber(id, "", s.now()), &fe):
	default:
		return ""
	}
	return fe.Message + "，请核对后重新发送。"
}

// allow applies the per-openid limit. A limiter outage refuses (it must
// not become a way around the limit) and is reported as an error.
func (s *Server) allow(ctx context.Context, kind, openID string) (bool, error) {
	ok, err := s.opts.Limiter.Allow(ctx, "wx"+kind+hashKey(openID))
	if err != nil {
		return false, fmt.Errorf("rate limiter: %w", err)
	}
	return ok, nil
}

// results is one certificate as a news card, several as a text list.
func (s *Server) results(certs []model.Certificate) reply {
	switch len(certs) {
	case 0:
		return textReply(msgNotFound)
	case 1:
		c := &certs[0]
		return reply{article: message.NewArticle(
			fmt.Sprintf("证书%s｜%s %s", c.Status.Label(), c.Occupation, c.Level),
			summary(c)+"\n点击查看证书验证页", "", s.verifyURL(c))}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "查询到%d本证书：", len(certs))
	for i := range certs {
		if i == maxListed {
			fmt.Fprintf(&b, "\n\n另有%d本证书，请在<a href=\"%s/query\">网页查询</a>中查看。", len(certs)-maxListed, s.opts.PublicURL)
			break
		}
		c := &certs[i]
		fmt.Fprintf(&b, "\n\n%d. %s %s【%s】\n证书编号：%s\n身份证号：%s\n<a href=\"%s\">查看验证页</a>",
			i+1, c.Occupation, c.Level, c.Status.Label(), c.CertNo, c.MaskedIDNumber(), s.verifyURL(c))
	}
	b.WriteString("\n\n如需下载电子证书，请先发送“绑定 姓名 身份证号 证书编号”绑定本人证书。")
	return textReply(b.String())
}

// summary is a certificate's verification summary, ID number masked.
func summary(c *model.Certificate) string {
	return fmt.Sprintf("状态：%s\n姓名：%s\n职业（工种）：%s\n等级：%s\n证书编号：%s\n身份证号：%s\n发证日期：%s",
		c.Status.Label(), c.Name, c.Occupation, c.Level, c.CertNo, c.MaskedIDNumber(), model.ChineseDate(c.IssuedDate()))
}

func (s *Server) verifyURL(c *model.Certificate) string {
	return s.opts.PublicURL + "/v/" + s.opts.Signer.Verify(c.ID, c.Version)
}

// onScene answers a parametric QR code whose scene is a 证书编号 with that
// certificate's summary; any other scene gets the welcome (on subscribe)
// or the help text.
func (s *Server) onScene(ctx context.Context, scene string, subscribed bool) (reply, error) {
	fallback := msgHelp
	if subscribed {
		fallback = msgWelcome
	}
	no := model.NormalizeCertNo(scene)
	if model.ValidateCertNo(no) != nil {
		return textReply(fallback), nil
	}
	c, err := s.opts.Registry.FindByNo(ctx, no)
	switch {
	case errors.Is(err, model.ErrNotFound):
		if subscribed {
			return textReply(fallback), nil
		}
		return textReply(msgNotFound), nil
	case err != nil:
		return reply{}, err
	}
	var b strings.Builder
	if subscribed {
		b.WriteString("欢迎关注！您扫描的证书：\n\n")
	} else {
		b.WriteString("证书验证结果：\n\n")
	}
	fmt.Fprintf(&b, "%s\n<a href=\"%s\">查看证书验证页</a>\n\n发送证书编号或“姓名 身份证号”可查询其他证书。", summary(c), s.verifyURL(c))
	return textReply(b.String()), nil
}
