// Package document joins a registry certificate to its printed form: the
// verification URL its QR carries and the PDF the pdf package renders.
package document

import (
	"ecert/model"
	"ecert/pdf"
	"ecert/token"
)

// Maker renders certificates for the CLI and the download route.
type Maker struct {
	renderer  *pdf.Renderer
	signer    *token.Signer
	publicURL string // no trailing slash
	website   string
}

// NewMaker needs the external base URL (server.public_url) and the query
// website printed on the footer line (pdf.website).
func NewMaker(r *pdf.Renderer, s *token.Signer, publicURL, website string) *Maker {
	return &Maker{renderer: r, signer: s, publicURL: publicURL, website: website}
}

// VerifyURL is what the certificate's QR code holds.
func (m *Maker) VerifyURL(c *model.Certificate) string {
	return m.publicURL + "/v/" + m.signer.Verify(c.ID, c.Version)
}

// PDF renders the certificate's current version.
func (m *Maker) PDF(c *model.Certificate) ([]byte, error) {
	return m.renderer.Render(pdf.Certificate{
		Occupation: c.Occupation,
		Level:      c.Level.String(),
		Name:       c.Name,
		Sex:        c.Sex,
		IDNumber:   c.IDNumber,
		CertNo:     c.CertNo,
		OrgName:    c.OrgName,
		IssuedOn:   c.IssuedDate(),
		VerifyURL:  m.VerifyURL(c),
		Website:    m.website,
		Revoked:    c.Status == model.StatusRevoked,
	})
}
