package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"ecert/model"
	"ecert/roster"
	"ecert/store"
)

func cmdImport(args []string, stdout, stderr io.Writer) int {
	fs, configPath := newFlags("import", stderr)
	asJSON := fs.Bool("json", false, "print the report as JSON")
	operator := fs.String("operator", operatorName(), "who is issuing, for the event history")
	rest, err := parseArgs(fs, args, 1, "one roster FILE (.xlsx or .csv)")
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	rows, err := readRoster(rest[0])
	if err != nil {
		fmt.Fprintln(stderr, "ecert import:", err)
		return 1
	}
	a, err := openApp(fs, *configPath, stderr, needs{renderer: true})
	if err != nil {
		fmt.Fprintln(stderr, "ecert import:", err)
		return 1
	}
	defer a.close()

	start := time.Now()
	report, err := importRows(context.Background(), a.registry, a.renderer, rows, *operator, time.Now())
	if err != nil {
		fmt.Fprintln(stderr, "ecert import:", err)
		return 1
	}
	a.log.Info("import finished", "file", filepath.Base(rest[0]), "rows", len(rows),
		"issued", len(report.Issued), "existing", len(report.Existing),
		"rejected", len(report.Rejected), "took", time.Since(start).Round(time.Millisecond))
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(report); err != nil {
			fmt.Fprintln(stderr, "ecert import:", err)
			return 1
		}
	} else {
		printReport(stdout, report)
	}
	if len(report.Rejected) > 0 {
		return 1
	}
	return 0
}

func readRoster(path string) ([]roster.Row, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows, err := roster.Parse(f, path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	return rows, nil
}

// importRows validates every row and issues the roster in one transaction.
// A report with rejected rows comes back with a nil error: that outcome is
// the report's to tell.
func importRows(ctx context.Context, reg *store.Registry, glyphs model.GlyphChecker, rows []roster.Row, operator string, now time.Time) (*store.IssueReport, error) {
	reqs, rejected := validateRows(rows, now.In(model.ChinaZone), glyphs)
	report, err := reg.Issue(ctx, reqs, rejected, operator)
	if errors.Is(err, store.ErrRejected) {
		return report, nil
	}
	return report, err
}

// validateRows checks every field of every row, collecting all problems so
// the office can fix the roster in one pass.
func validateRows(rows []roster.Row, today time.Time, glyphs model.GlyphChecker) ([]model.IssueRequest, []store.RejectedRow) {
	reqs := make([]model.IssueRequest, 0, len(rows))
	var rejected []store.RejectedRow
	for _, row := range rows {
		req, errs := model.RawRow{
			Name: row.Name, Sex: row.Sex, IDNumber: row.IDNumber, Occupation: row.Occupation,
			Level: row.Level, OrgName: row.OrgName, Employer: row.Employer, IssuedOn: row.IssuedOn,
		}.Parse(today, glyphs)
		if row.IDIsNumber {
			errs = append([]error{errors.New("身份证号单元格是数值格式，Excel只保留15位有效数字，末尾几位已丢失；请把该列设为文本格式后重新录入")}, errs...)
		}
		if len(errs) > 0 {
			msgs := make([]string, len(errs))
			for i, e := range errs {
				msgs[i] = e.Error()
			}
			rejected = append(rejected, store.RejectedRow{Row: row.Number, Errors: msgs})
			continue
		}
		req.Row = row.Number
		reqs = append(reqs, req)
	}
	return reqs, rejected
}

func printReport(w io.Writer, r *store.IssueReport) {
	if len(r.Rejected) > 0 {
		fmt.Fprintf(w, "名单有%d行不合格，未签发任何证书。请修改后重新导入：\n", len(r.Rejected))
		for _, rej := range r.Rejected {
			for _, e := range rej.Errors {
				fmt.Fprintf(w, "第%d行：%s\n", rej.Row, e)
			}
		}
		return
	}
	fmt.Fprintf(w, "签发%d本，已存在%d本。\n", len(r.Issued), len(r.Existing))
	for _, is := range r.Issued {
		fmt.Fprintf(w, "第%d行：已签发 %s %s\n", is.Row, is.CertNo, is.Name)
	}
	for _, ex := range r.Existing {
		fmt.Fprintf(w, "第%d行：已存在 %s %s\n", ex.Row, ex.CertNo, ex.Name)
	}
}
