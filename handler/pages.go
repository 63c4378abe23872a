package handler

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"

	"github.com/gin-gonic/gin"
)

//go:embed templates/*.html
var templateFS embed.FS

type pages struct {
	t *template.Template
}

func parsePages() (*pages, error) {
	t, err := template.ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	return &pages{t: t}, nil
}

// render executes into a buffer first, so a template error becomes a clean
// 500 instead of a half-written page.
func (s *server) render(c *gin.Context, status int, name string, data any) {
	var buf bytes.Buffer
	if err := s.pages.t.ExecuteTemplate(&buf, name, data); err != nil {
		s.Logger.Error("render page", "page", name, "err", err)
		c.Data(http.StatusInternalServerError, "text/plain; charset=utf-8", []byte("系统繁忙，请稍后再试"))
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

type messagePage struct {
	Title   string
	Message string
}

func (s *server) message(c *gin.Context, status int, msg string) {
	s.render(c, status, "message.html", messagePage{Title: "提示", Message: msg})
}

// notFound is the one answer for any unknown, forged or altered token: it
// must not tell which of those it was.
func (s *server) notFound(c *gin.Context) {
	s.render(c, http.StatusNotFound, "notfound.html", messagePage{Title: "证书查验"})
}
