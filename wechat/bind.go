package wechat

import (
	"context"
	"errors"
	"fmt"

	"ecert/internal/admission"
	"ecert/model"
)

// bind handles 绑定 姓名 身份证号 证书编号 (fields after 绑定, in any
// order). All three must match one certificate. Failed matches are
// counted per openid; bindMaxFailures in bindWindow lock binding out, so
// 绑定 cannot be used to guess ID numbers. Format errors are not counted:
// they reveal nothing.
func (s *Server) bind(ctx context.Context, openID string, fields []string) (reply, error) {
	name, no, id, ok := sortFields(fields)
	if !ok || name == "" || no == "" || id == "" {
		return textReply(msgBindFormat), nil
	}
	if msg := s.formatError(no, id); msg != "" {
		return textReply(msg), nil
	}
	key := hashKey(openID)
	n, err := s.failures.Count(ctx, key)
	if err != nil {
		return reply{}, fmt.Errorf("bind lockout: %w", err)
	}
	if n >= bindMaxFailures {
		return textReply(msgBindLocked), nil
	}
	certs, err := s.opts.Registry.FindByNameAndNo(ctx, name, no)
	if err != nil {
		return reply{}, err
	}
	if len(certs) != 1 || certs[0].IDNumber != id {
		n, err := s.failures.Add(ctx, key)
		if err != nil {
			return reply{}, fmt.Errorf("bind lockout: %w", err)
		}
		if left := bindMaxFailures - n; left > 0 {
			return textReply(fmt.Sprintf("%s（1小时内还可尝试%d次）。", msgBindMismatch, left)), nil
		}
		return textReply(msgBindLocked), nil
	}
	holder := &certs[0]
	// The write may wait for the database's write lock (an import holds it
	// for its whole transaction): wait outside the request bound, so a few
	// binds cannot stall every lookup behind them.
	admission.Leave(ctx)
	prev, err := s.opts.Registry.Bind(ctx, openID, holder.Name, holder.IDNumber)
	if err != nil {
		return reply{}, err
	}
	who := fmt.Sprintf("%s（身份证号 %s）", holder.Name, holder.MaskedIDNumber())
	next := "\n\n点菜单“证书下载”即可获取电子证书。如需解除绑定，请发送“解绑”。"
	switch {
	case prev == nil:
		return textReply("绑定成功！本微信已绑定持证人" + who + "。" + next), nil
	case prev.IDNumber == holder.IDNumber:
		return textReply("本微信已绑定持证人" + who + "，无需重复绑定。" + next), nil
	}
	return textReply(fmt.Sprintf("绑定成功！本微信原来绑定的持证人（%s）已解除，现绑定持证人%s。%s",
		model.MaskIDNumber(prev.IDNumber), who, next)), nil
}

func (s *Server) unbind(ctx context.Context, openID string) (reply, error) {
	admission.Leave(ctx) // a write, as in bind
	switch err := s.opts.Registry.Unbind(ctx, openID); {
	case errors.Is(err, model.ErrNotFound):
		return textReply(msgNotBound), nil
	case err != nil:
		return reply{}, err
	}
	return textReply(msgUnbound), nil
}
