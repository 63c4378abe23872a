// Package notify sends WeChat template messages about certificates through
// a durable outbox: certificate events and administrators' batches enqueue
// rows (in the transaction of their cause), and a worker sends them with
// retry and back-off and records WeChat's msgid and final status.
package notify

import (
	"fmt"
	"sort"
	"strings"
	"text/template"

	"ecert/config"
	"ecert/model"
)

// View is what a template's field text may use, e.g.
// "{{.Name}}，您的{{.Occupation}}（{{.Level}}）证书已签发". It holds the masked
// 身份证号 only: a template that asks for the full number fails at start.
type View struct {
	Name           string
	Sex            string
	CertNo         string
	Occupation     string
	Level          string // 四级/中级工
	OrgName        string
	Employer       string
	IssuedOn       string // 2026年3月1日
	Status         string // 有效 / 已注销
	RevokeReason   string // the notice's wording, empty unless revoked
	RevokedOn      string // Chinese date, empty unless revoked
	MaskedIDNumber string // 410102********1234
	Link           string // the verification page
}

// NewView is the certificate as a template sees it.
func NewView(c *model.Certificate, link string) View {
	v := View{
		Name: c.Name, Sex: c.Sex, CertNo: c.CertNo, Occupation: c.Occupation,
		Level: c.Level.String(), OrgName: c.OrgName, Employer: c.Employer,
		Status: c.Status.Label(), RevokeReason: c.RevokeReason.Label(),
		MaskedIDNumber: c.MaskedIDNumber(), Link: link,
	}
	if d, err := model.ParseDate(c.IssuedOn); err == nil {
		v.IssuedOn = model.ChineseDate(d)
	}
	if c.RevokedAt != nil {
		v.RevokedOn = model.ChineseDate(*c.RevokedAt)
	}
	return v
}

// Template is one configured template, parsed.
type Template struct {
	Key    string
	ID     string // WeChat's template_id
	fields map[string]*template.Template
}

// Templates are the configured templates by key, parsed once at start.
type Templates struct{ byKey map[string]*Template }

// NewTemplates parses every field of every template and renders it once
// against a sample certificate, so a typo or a field View does not have
// fails the start, not a send.
func NewTemplates(cfg map[string]config.Template) (*Templates, error) {
	ts := &Templates{byKey: map[string]*Template{}}
	sample := sampleView()
	var problems []string
	for key, ct := range cfg {
		if ct.ID == "" {
			problems = append(problems, fmt.Sprintf("wechat.templates.%s.id: must be set", key))
			continue
		}
		t := &Template{Key: key, ID: ct.ID, fields: map[string]*template.Template{}}
		for name, text := range ct.Fields {
			where := fmt.Sprintf("wechat.templates.%s.fields.%s", key, name)
			tt, err := template.New(where).Option("missingkey=error").Parse(text)
			if err == nil {
				err = tt.Execute(&strings.Builder{}, sample)
			}
			if err != nil {
				problems = append(problems, fmt.Sprintf("%s: %v", where, err))
				continue
			}
			t.fields[name] = tt
		}
		ts.byKey[key] = t
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return nil, fmt.Errorf("invalid template configuration:\n  %s", strings.Join(problems, "\n  "))
	}
	return ts, nil
}

// Get returns the template with key. An unknown key is ErrNotFound with the
// configured keys listed, for the operator who mistyped it.
func (ts *Templates) Get(key string) (*Template, error) {
	if t, ok := ts.byKey[key]; ok {
		return t, nil
	}
	keys := ts.Keys()
	if len(keys) == 0 {
		return nil, fmt.Errorf("template %q: no templates are configured (wechat.templates in config.yaml): %w", key, model.ErrNotFound)
	}
	return nil, fmt.Errorf("template %q is not configured; configured templates: %s: %w", key, strings.Join(keys, ", "), model.ErrNotFound)
}

// Keys lists the configured keys, sorted.
func (ts *Templates) Keys() []string {
	keys := make([]string, 0, len(ts.byKey))
	for k := range ts.byKey {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Render fills every field from v.
func (t *Template) Render(v View) (map[string]string, error) {
	data := make(map[string]string, len(t.fields))
	for name, tt := range t.fields {
		var b strings.Builder
		if err := tt.Execute(&b, v); err != nil {
			return nil, fmt.Errorf("render %s: %w", tt.Name(), err)
		}
		data[name] = b.String()
	}
	return data, nil
}

func sampleView() View {
	return View{
		Name: "张三", Sex: "男", CertNo: "HN2026000000018", Occupation: "砌筑工", Level: "四级/中级工",
		OrgName: "河南省建设培训中心", Employer: "郑州建工", IssuedOn: "2026年3月1日", Status: "有效",
		MaskedIDNumber: "410102********1234", Link: "https://example.invalid/v/x",
	}
}
