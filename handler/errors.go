package handler

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"ecert/model"
)

// fail maps an error onto a status and a page. Anything unknown is a 500
// with a generic message and one log line for operators.
func (s *server) fail(c *gin.Context, err error) {
	var fe *model.FieldError
	switch {
	case errors.As(err, &fe):
		s.message(c, http.StatusBadRequest, fe.Message)
	case errors.Is(err, model.ErrNotFound):
		s.notFound(c)
	case errors.Is(err, model.ErrInvalid):
		s.message(c, http.StatusBadRequest, "请求无效，请核对后重试")
	case errors.Is(err, model.ErrForbidden):
		s.message(c, http.StatusForbidden, "无权访问")
	case errors.Is(err, model.ErrConflict):
		s.message(c, http.StatusConflict, "操作冲突，请刷新后重试")
	default:
		s.Logger.Error("request failed", "route", c.FullPath(), "err", err)
		s.message(c, http.StatusInternalServerError, "系统繁忙，请稍后再试")
	}
}
