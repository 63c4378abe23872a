package handler

import (
	"errors"
	"net/http"
	"strings"
	"time"
	"unicode"

	"github.com/gin-gonic/gin"

	"ecert/model"
)

type queryForm struct {
	Name, No, ID string
}

type queryResult struct {
	Cert        model.Certificate
	IssuedOn    string
	VerifyURL   string
	DownloadURL string
}

type queryPage struct {
	Title   string
	Form    queryForm
	Message string
	IsError bool
	Results []queryResult
}

// query is the public lookup: 证书编号 + 姓名, or 姓名 + 身份证号. A wrong
// pair answers 未查询到证书 and nothing more, and lookups are rate-limited
// per client IP so the page cannot be used to enumerate ID numbers.
func (s *server) query(c *gin.Context) {
	form := queryForm{
		Name: trimBlanks(c.Query("name")),
		No:   model.NormalizeCertNo(c.Query("no")),
		ID:   model.NormalizeIDNumber(c.Query("id")),
	}
	page := queryPage{Title: "证书查询", Form: form}
	if form.Name == "" && form.No == "" && form.ID == "" {
		s.render(c, http.StatusOK, "query.html", page)
		return
	}
	if msg := checkQueryForm(form, s.Now()); msg != "" {
		page.Message, page.IsError = msg, true
		s.render(c, http.StatusBadRequest, "query.html", page)
		return
	}
	allowed, err := s.Limiter.Allow(c.Request.Context(), "query:"+c.ClientIP())
	if err != nil {
		// A limiter outage must not become a way around it: refuse.
		s.Logger.Error("rate limiter unavailable", "err", err)
		allowed = false
	}
	if !allowed {
		page.Message, page.IsError = "查询过于频繁，请稍后再试（每分钟查询次数有限）", true
		s.render(c, http.StatusTooManyRequests, "query.html", page)
		return
	}
	certs, err := s.lookup(c, form)
	if err != nil {
		s.fail(c, err)
		return
	}
	if len(certs) == 0 {
		page.Message, page.IsError = "未查询到证书", true
		s.render(c, http.StatusOK, "query.html", page)
		return
	}
	full := form.No != "" && form.ID != ""
	for _, cert := range certs {
		r := queryResult{
			Cert:      cert,
			IssuedOn:  model.ChineseDate(cert.IssuedDate()),
			VerifyURL: "/v/" + s.Signer.Verify(cert.ID, cert.Version),
		}
		if full && cert.Status == model.StatusValid {
			r.DownloadURL = "/download/" + s.Signer.Download(cert.ID, cert.Version, s.DownloadTTL)
		}
		page.Results = append(page.Results, r)
	}
	s.render(c, http.StatusOK, "query.html", page)
}

func (s *server) lookup(c *gin.Context, f queryForm) ([]model.Certificate, error) {
	ctx := c.Request.Context()
	if f.No == "" {
		return s.Registry.FindByNameAndID(ctx, f.Name, f.ID)
	}
	certs, err := s.Registry.FindByNameAndNo(ctx, f.Name, f.No)
	if err != nil || f.ID == "" {
		return certs, err
	}
	// All three given: the ID number must match too.
	var out []model.Certificate
	for _, cert := range certs {
		if cert.IDNumber == f.ID {
			out = append(out, cert)
		}
	}
	return out, nil
}

// checkQueryForm returns a message for a form that cannot match anything,
// checked before the database (and the rate limit) is touched. Format
// errors reveal nothing about the registry.
func checkQueryForm(f queryForm, today time.Time) string {
	if f.Name == "" {
		return "请填写姓名"
	}
	if f.No == "" && f.ID == "" {
		return "请填写证书编号或身份证号"
	}
	var fe *model.FieldError
	if f.No != "" {
		if err := model.ValidateCertNo(f.No); errors.As(err, &fe) {
			return fe.Message
		}
	}
	if f.ID != "" {
		if err := model.ValidateIDNumber(f.ID, "", today); errors.As(err, &fe) {
			return fe.Message
		}
	}
	return ""
}

func trimBlanks(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == '\u3000' })
}
