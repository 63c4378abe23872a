package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"ecert/model"
)

// IssueReport says what became of each roster row. Rows count from the
// header row as 1, as in the spreadsheet.
type IssueReport struct {
	Issued   []IssuedRow   `json:"issued"`
	Existing []IssuedRow   `json:"existing"`
	Rejected []RejectedRow `json:"rejected"`
}

// IssuedRow is a row that has (or already had) a certificate.
type IssuedRow struct {
	Row    int    `json:"row"`
	CertNo string `json:"cert_no"`
	Name   string `json:"name"`
}

// RejectedRow is a row that cannot be issued, with every reason.
type RejectedRow struct {
	Row    int      `json:"row"`
	Errors []string `json:"errors"`
}

// ErrRejected is returned with a report whose Rejected list is not empty;
// nothing has been written. It wraps model.ErrInvalid.
var ErrRejected = fmt.Errorf("roster has rejected rows, nothing issued: %w", model.ErrInvalid)

// lookupChunk bounds the IN lists of existence checks, well under both
// MySQL's packet and SQLite's variable limits.
const lookupChunk = 500

// batchSize is the rows per multi-row INSERT. MySQL gains from large
// batches (fewer round trips); the pure-Go SQLite driver binds parameters
// in time quadratic in their count per statement, so there small batches
// are fastest (measured: 1000 rows per INSERT ran at 1,800 rows/s, small
// ones many times that).
func batchSize(tx *gorm.DB) int {
	if tx.Dialector.Name() == "sqlite" {
		return sqliteBatch
	}
	return 1000
}

const sqliteBatch = 20

// Issue issues certificates for validated requests in one transaction:
// either every new row is issued or none is. Rows already in the registry
// (same 身份证号, 职业, 等级, still valid) are reported as existing. A
// 身份证号 registered under another 姓名 rejects its row, as does a row
// repeating an earlier one. Callers validate fields first (RawRow.Parse)
// and pass rows that failed as pre-rejected so the report is complete.
func (r *Registry) Issue(ctx context.Context, reqs []model.IssueRequest, preRejected []RejectedRow, operator string) (*IssueReport, error) {
	report := &IssueReport{Issued: []IssuedRow{}, Existing: []IssuedRow{}, Rejected: append([]RejectedRow{}, preRejected...)}
	err := r.retry(ctx, func(tx *gorm.DB) error {
		report.Issued, report.Existing = report.Issued[:0], report.Existing[:0]
		report.Rejected = append(report.Rejected[:0], preRejected...)
		known, err := loadKnown(tx, reqs)
		if err != nil {
			return err
		}
		fresh := classify(reqs, known, report)
		if len(report.Rejected) > 0 {
			sort.Slice(report.Rejected, func(i, j int) bool { return report.Rejected[i].Row < report.Rejected[j].Row })
			return ErrRejected
		}
		if len(fresh) == 0 {
			return nil
		}
		// Serials first: the counter row lock serialises concurrent
		// issuance before anything else is locked, which keeps lock order
		// the same in every transaction.
		firstSerial, err := allocateAll(tx, fresh)
		if err != nil {
			return err
		}
		orgs, err := ensureOrgs(tx, fresh)
		if err != nil {
			return err
		}
		certs, err := buildCerts(fresh, orgs, firstSerial)
		if err != nil {
			return err
		}
		if err := tx.CreateInBatches(certs, batchSize(tx)).Error; err != nil {
			return translate(err, "insert certificates")
		}
		events := make([]model.Event, len(certs))
		for i := range certs {
			events[i] = model.Event{
				CertID: certs[i].ID, CertNo: certs[i].CertNo, Kind: model.EventIssued,
				Version: 1, Operator: operator, After: snapshotJSON(&certs[i]),
				CreatedAt: tx.NowFunc(),
			}
			report.Issued = append(report.Issued, IssuedRow{Row: fresh[i].Row, CertNo: certs[i].CertNo, Name: certs[i].Name})
		}
		if err := tx.CreateInBatches(events, batchSize(tx)).Error; err != nil {
			return translate(err, "insert events")
		}
		return r.runHooks(tx, certs, events)
	})
	if err != nil {
		if errors.Is(err, ErrRejected) {
			report.Issued = []IssuedRow{}
			return report, err
		}
		return nil, err
	}
	return report, nil
}

// known is what the registry already holds about the roster's people.
type known struct {
	nameByID    map[string]string // 身份证号 → 姓名 on record
	certNoByKey map[string]string // ActiveKey → 证书编号 of the valid certificate
}

func loadKnown(tx *gorm.DB, reqs []model.IssueRequest) (*known, error) {
	k := &known{nameByID: map[string]string{}, certNoByKey: map[string]string{}}
	ids := make([]string, 0, len(reqs))
	seen := map[string]bool{}
	for i := range reqs {
		if !seen[reqs[i].IDNumber] {
			seen[reqs[i].IDNumber] = true
			ids = append(ids, reqs[i].IDNumber)
		}
	}
	for chunk := range slices.Chunk(ids, lookupChunk) {
		var rows []model.Certificate
		err := tx.Select("id_number", "name", "cert_no", "active_key").
			Where("id_number IN ?", chunk).Find(&rows).Error
		if err != nil {
			return nil, translate(err, "look up existing certificates")
		}
		for _, c := range rows {
			k.nameByID[c.IDNumber] = c.Name
			if c.ActiveKey != nil {
				k.certNoByKey[*c.ActiveKey] = c.CertNo
			}
		}
	}
	return k, nil
}

// classify sorts requests into existing, rejected and fresh (to issue).
func classify(reqs []model.IssueRequest, k *known, report *IssueReport) []model.IssueRequest {
	var fresh []model.IssueRequest
	firstRowByKey := map[string]int{}
	firstByID := map[string]model.IssueRequest{}
	for _, req := range reqs {
		key := req.ActiveKey()
		switch name, ok := k.nameByID[req.IDNumber]; {
		case ok && name != req.Name:
			report.Rejected = append(report.Rejected, RejectedRow{Row: req.Row, Errors: []string{
				"身份证号已登记在其他姓名下（姓名变更请提交信息变更申请）"}})
			continue
		}
		if prev, ok := firstByID[req.IDNumber]; ok && prev.Name != req.Name {
			report.Rejected = append(report.Rejected, RejectedRow{Row: req.Row, Errors: []string{
				fmt.Sprintf("身份证号与第%d行相同但姓名不同", prev.Row)}})
			continue
		}
		if prevRow, ok := firstRowByKey[key]; ok {
			report.Rejected = append(report.Rejected, RejectedRow{Row: req.Row, Errors: []string{
				fmt.Sprintf("与第%d行重复（同一身份证号、职业和等级）", prevRow)}})
			continue
		}
		firstRowByKey[key] = req.Row
		if _, ok := firstByID[req.IDNumber]; !ok {
			firstByID[req.IDNumber] = req
		}
		if no, ok := k.certNoByKey[key]; ok {
			report.Existing = append(report.Existing, IssuedRow{Row: req.Row, CertNo: no, Name: req.Name})
			continue
		}
		fresh = append(fresh, req)
	}
	return fresh
}

// ensureOrgs returns the organisation ID for every name in reqs, creating
// the ones not yet known.
func ensureOrgs(tx *gorm.DB, reqs []model.IssueRequest) (map[string]uint64, error) {
	var names []string
	seen := map[string]bool{}
	for _, r := range reqs {
		if !seen[r.OrgName] {
			seen[r.OrgName] = true
			names = append(names, r.OrgName)
		}
	}
	newOrgs := make([]model.Organization, len(names))
	for i, n := range names {
		newOrgs[i] = model.Organization{Name: n}
	}
	if err := tx.Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(newOrgs, batchSize(tx)).Error; err != nil {
		return nil, translate(err, "create organisations")
	}
	ids := make(map[string]uint64, len(names))
	for chunk := range slices.Chunk(names, lookupChunk) {
		var orgs []model.Organization
		if err := tx.Where("name IN ?", chunk).Find(&orgs).Error; err != nil {
			return nil, translate(err, "look up organisations")
		}
		for _, o := range orgs {
			ids[o.Name] = o.ID
		}
	}
	return ids, nil
}

// allocateAll reserves serials for every year in the requests, years in
// ascending order, and returns the first serial of each year.
func allocateAll(tx *gorm.DB, reqs []model.IssueRequest) (map[int]int, error) {
	countByYear := map[int]int{}
	var years []int
	for _, r := range reqs {
		y := r.IssuedOn.Year()
		if countByYear[y] == 0 {
			years = append(years, y)
		}
		countByYear[y]++
	}
	sort.Ints(years)
	first := map[int]int{}
	for _, y := range years {
		n, err := allocateSerials(tx, y, countByYear[y])
		if err != nil {
			return nil, err
		}
		first[y] = n
	}
	return first, nil
}

// buildCerts makes the certificates, numbering them in roster order from
// the reserved serials.
func buildCerts(reqs []model.IssueRequest, orgs map[string]uint64, next map[int]int) ([]model.Certificate, error) {
	certs := make([]model.Certificate, len(reqs))
	for i, r := range reqs {
		y := r.IssuedOn.Year()
		no, err := model.FormatCertNo(y, next[y])
		if err != nil {
			return nil, err
		}
		next[y]++
		key := r.ActiveKey()
		certs[i] = model.Certificate{
			CertNo: no, Name: r.Name, Sex: r.Sex, IDNumber: r.IDNumber,
			Occupation: r.Occupation, Level: r.Level, OrgID: orgs[r.OrgName], OrgName: r.OrgName,
			Employer: r.Employer, IssuedOn: model.FormatDate(r.IssuedOn),
			Status: model.StatusValid, Version: 1, Source: r.Source, PaperNo: r.PaperNo,
			ActiveKey: &key,
		}
		if certs[i].Source == "" {
			certs[i].Source = model.SourceElectronic
		}
	}
	return certs, nil
}
