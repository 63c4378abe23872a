package handler

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"ecert/model"
)

// download serves a certificate's current PDF for a signed link that
// expires (security.download_ttl). An expired or altered link gets the same
// not-found page as a forged QR.
func (s *server) download(c *gin.Context) {
	id, _, err := s.Signer.ParseDownload(c.Param("token"))
	if err != nil {
		s.render(c, http.StatusNotFound, "message.html", messagePage{Title: "证书下载", Message: "下载链接无效或已过期，请重新查询后下载"})
		return
	}
	cert, err := s.Registry.FindByID(c.Request.Context(), id)
	if errors.Is(err, model.ErrNotFound) {
		s.notFound(c)
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	doc, err := s.Documents.PDF(cert)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="`+cert.CertNo+`.pdf"`)
	c.Header("Cache-Control", "private, no-store")
	c.Data(http.StatusOK, "application/pdf", doc)
}
