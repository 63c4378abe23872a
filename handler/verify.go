package handler

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"ecert/model"
)

type verifyPage struct {
	Title     string
	Cert      *model.Certificate
	IssuedOn  string
	RevokedOn string
	CheckedAt string
	Outdated  bool // the QR names an earlier version than the current one
}

// verify is the page a scanned QR opens. It reads the database on every
// request (no cache), so a revocation made anywhere shows at once.
func (s *server) verify(c *gin.Context) {
	id, version, err := s.Signer.ParseVerify(c.Param("token"))
	if err != nil {
		s.notFound(c)
		return
	}
	cert, err := s.Registry.FindByID(c.Request.Context(), id)
	if errors.Is(err, model.ErrNotFound) || (err == nil && version > cert.Version) {
		s.notFound(c)
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	page := verifyPage{
		Title:     "证书查验结果",
		Cert:      cert,
		IssuedOn:  model.ChineseDate(cert.IssuedDate()),
		CheckedAt: s.Now().In(model.ChinaZone).Format("2006-01-02 15:04"),
		Outdated:  version < cert.Version && cert.Status == model.StatusValid,
	}
	if cert.RevokedAt != nil {
		page.RevokedOn = model.ChineseDate(*cert.RevokedAt)
	}
	s.render(c, http.StatusOK, "verify.html", page)
}
