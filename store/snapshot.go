package store

import (
	"encoding/json"

	"ecert/model"
)

// snapshot is the certificate data an event records before and after. It is
// a separate type so the history's JSON shape does not change when the GORM
// struct gains bookkeeping columns.
type snapshot struct {
	CertNo       string `json:"cert_no"`
	Name         string `json:"name"`
	Sex          string `json:"sex"`
	IDNumber     string `json:"id_number"`
	Occupation   string `json:"occupation"`
	Level        string `json:"level"`
	OrgName      string `json:"org_name"`
	Employer     string `json:"employer"`
	IssuedOn     string `json:"issued_on"`
	Status       string `json:"status"`
	RevokeReason string `json:"revoke_reason,omitempty"`
	Version      int    `json:"version"`
	Source       string `json:"source"`
	PaperNo      string `json:"paper_no,omitempty"`
}

func snapshotJSON(c *model.Certificate) string {
	b, _ := json.Marshal(snapshot{
		CertNo: c.CertNo, Name: c.Name, Sex: c.Sex, IDNumber: c.IDNumber,
		Occupation: c.Occupation, Level: c.Level.String(), OrgName: c.OrgName,
		Employer: c.Employer, IssuedOn: c.IssuedOn, Status: string(c.Status),
		RevokeReason: string(c.RevokeReason), Version: c.Version,
		Source: string(c.Source), PaperNo: c.PaperNo,
	})
	return string(b)
}
