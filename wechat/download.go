package wechat

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"ecert/model"
)

// download answers the 证书下载 click: a signed, expiring link to the PDF of
// each valid certificate of the bound holder. WeChat cannot send a PDF
// file in a reply, so the link opens it in the in-app browser.
func (s *Server) download(ctx context.Context, openID string) (reply, error) {
	b, err := s.opts.Registry.BindingFor(ctx, openID)
	switch {
	case errors.Is(err, model.ErrNotFound):
		return textReply(msgDownloadUnbound), nil
	case err != nil:
		return reply{}, err
	}
	certs, err := s.opts.Registry.CertificatesOf(ctx, b.IDNumber)
	if err != nil {
		return reply{}, err
	}
	var valid []*model.Certificate
	for i := range certs {
		if certs[i].Status == model.StatusValid {
			valid = append(valid, &certs[i])
		}
	}
	if len(valid) == 0 {
		return textReply(fmt.Sprintf("持证人%s名下暂无有效证书。\n如有疑问，请联系您的培训考核机构。", b.Name)), nil
	}
	var out strings.Builder
	fmt.Fprintf(&out, "%s的电子证书（链接%s内有效）：", b.Name, humanDuration(s.opts.DownloadTTL))
	for i, c := range valid {
		if i == maxListed {
			fmt.Fprintf(&out, "\n\n另有%d本证书，请在<a href=\"%s/query\">网页查询</a>中下载。", len(valid)-maxListed, s.opts.PublicURL)
			break
		}
		tok := s.opts.Signer.Download(c.ID, c.Version, s.opts.DownloadTTL)
		fmt.Fprintf(&out, "\n\n%d. %s %s\n证书编号：%s\n<a href=\"%s/download/%s\">打开电子证书（PDF）</a>",
			i+1, c.Occupation, c.Level, c.CertNo, s.opts.PublicURL, tok)
	}
	out.WriteString("\n\n点链接打开PDF后，可保存到手机或打印。链接过期后，再点菜单“证书下载”获取新链接。")
	return textReply(out.String()), nil
}

// humanDuration writes a TTL the way a holder reads it: 30分钟, 2小时.
func humanDuration(d time.Duration) string {
	switch {
	case d >= time.Hour && d%time.Hour == 0:
		return fmt.Sprintf("%d小时", d/time.Hour)
	case d >= time.Minute:
		return fmt.Sprintf("%d分钟", d/time.Minute)
	}
	return fmt.Sprintf("%d秒", d/time.Second)
}
