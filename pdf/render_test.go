package pdf

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"ecert/internal/testenv"
)

// needTool returns the path of an external checker (see unavailable).
func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		testenv.Unavailable(t, "%s not installed", name)
	}
	return p
}

func runTool(t *testing.T, name string, args ...string) string {
	t.Helper()
	var stderr bytes.Buffer
	cmd := exec.Command(needTool(t, name), args...)
	cmd.Stderr = &stderr // zbarimg chatters about D-Bus there
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s%s", name, args, err, out, stderr.Bytes())
	}
	return string(out)
}

func renderToFile(t *testing.T, c Certificate) (string, []byte) {
	t.Helper()
	pdf := render(t, c)
	p := filepath.Join(t.TempDir(), "cert.pdf")
	if err := os.WriteFile(p, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	return p, pdf
}

func TestRenderIsValidSmallPDF(t *testing.T) {
	c := sampleCert()
	c.OrgName = "河南省建设教育协会郑州市二七区彧燊职业技能培训学校有限责任公司（第三分校）"
	p, pdf := renderToFile(t, c)
	if len(pdf) > 60<<10 {
		t.Errorf("PDF is %d bytes, want at most 60 KB", len(pdf))
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", pdf[:8])
	}
	runTool(t, "qpdf", "--check", p)
	info := runTool(t, "pdfinfo", p)
	if !regexp.MustCompile(`Pages:\s+1\n`).MatchString(info) || !strings.Contains(info, "841.89 x 595.28") {
		t.Errorf("want one A4 landscape page, pdfinfo says:\n%s", info)
	}
}

func TestTextIsExtractable(t *testing.T) {
	c := sampleCert()
	c.Name = "欧阳一二三"
	p, _ := renderToFile(t, c)
	text := runTool(t, "pdftotext", "-layout", p, "-")
	for _, want := range []string{
		title, "职业（工种）：钢筋工", "等级：四级/中级工", "姓名：欧阳一二三", "性别：女",
		"身份证号：" + c.IDNumber, "证书编号：" + c.CertNo,
		"培训考核机构：" + c.OrgName, statement, caption, "发证时间：2026年3月1日",
		"本证书查询网站（http://www.hnjsjn.com）",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("extracted text lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, revoked) {
		t.Errorf("valid certificate carries the %q mark", revoked)
	}
}

func TestQRCodeScans(t *testing.T) {
	needTool(t, "pdftoppm")
	needTool(t, "zbarimg")
	for _, url := range []string{
		"https://ecert.hnjsjn.com/v/HNJS2026030100123?k=9f2c4e",
		"https://zjt.henan.gov.cn/ecert/verify?no=HNJS2026030100123&sig=8Jd2kLq0vXz7Yw3mNc5RtUaBpE",
	} {
		c := sampleCert()
		c.VerifyURL = url
		c.Revoked = true // the stamp must not damage the code
		p, _ := renderToFile(t, c)
		png := strings.TrimSuffix(p, ".pdf")
		runTool(t, "pdftoppm", "-r", "150", "-png", "-singlefile", p, png)
		got := strings.TrimSpace(runTool(t, "zbarimg", "--raw", "-q", png+".png"))
		if got != url {
			t.Errorf("QR decodes to %q, want %q", got, url)
		}
	}
}

// TestQRIsVector checks the code is drawn as merged rectangles, not as an
// image: the page has no XObjects and paints one rectangle per horizontal
// run of dark modules.
func TestQRIsVector(t *testing.T) {
	c := sampleCert()
	pdf := render(t, c)
	if bytes.Contains(pdf, []byte("/Subtype /Image")) {
		t.Error("PDF contains an image")
	}
	rows, _ := qrMatrix(c.VerifyURL)
	runs := 0
	for _, row := range rows {
		for x := range row {
			if row[x] && (x == 0 || !row[x-1]) {
				runs++
			}
		}
	}
	if got := bytes.Count(pdf, []byte(" 1 re\n")); got != runs {
		t.Errorf("%d QR rectangles drawn, want %d (one per run of dark modules)", got, runs)
	}
}

func TestOutputIsDeterministic(t *testing.T) {
	c := sampleCert()
	a := render(t, c)
	// A separately constructed renderer, as after a restart, and a render
	// after the clock has moved on must give the same bytes.
	r2, err := NewRenderer(DefaultFontPaths())
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond)
	b, err := r2.Render(c)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Error("same certificate rendered to different bytes")
	}
	c.CertNo += "9"
	d, _ := r2.Render(c)
	if bytes.Equal(a, d) {
		t.Error("different certificates rendered to the same bytes")
	}
}

func TestRevokedIsMarked(t *testing.T) {
	c := sampleCert()
	c.Revoked = true
	p, pdf := renderToFile(t, c)
	// The stamp is rotated, so extractors return its characters apart.
	text := runTool(t, "pdftotext", p, "-")
	for _, ch := range revoked {
		if !strings.ContainsRune(text, ch) {
			t.Errorf("revoked certificate lacks %q of %q:\n%s", ch, revoked, text)
		}
	}
	// The mark is red and big: 72 pt text in pure-ish red.
	if !bytes.Contains(pdf, []byte("0.863 0.000 0.000 rg")) || !bytes.Contains(pdf, []byte(" 72.00 Tf")) {
		t.Error("revocation mark is not drawn as large red text")
	}
	valid := render(t, sampleCert())
	if bytes.Contains(valid, []byte("0.863 0.000 0.000 rg")) {
		t.Error("valid certificate has the red revocation colour")
	}
}

func TestConcurrentRender(t *testing.T) {
	r := testRenderer(t)
	certs := make([]Certificate, len(rareNames))
	want := make([][]byte, len(certs))
	for i, n := range rareNames {
		certs[i] = sampleCert()
		certs[i].Name = n
		certs[i].CertNo += n
		want[i] = render(t, certs[i])
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; k < 6; k++ {
				i := (g + k) % len(certs)
				got, err := r.Render(certs[i])
				if err != nil {
					t.Error(err)
					return
				}
				if !bytes.Equal(got, want[i]) {
					t.Errorf("concurrent render of %s differs from sequential", certs[i].Name)
				}
			}
		}()
	}
	wg.Wait()
}

func TestRenderRejectsUndrawableAndIncomplete(t *testing.T) {
	r := testRenderer(t)
	c := sampleCert()
	c.Name = "王😀"
	if _, err := r.Render(c); !errors.Is(err, ErrMissingGlyph) || !strings.Contains(err.Error(), "U+1F600") {
		t.Errorf("Render with undrawable name: err = %v, want ErrMissingGlyph naming U+1F600", err)
	}
	for _, mutate := range []func(*Certificate){
		func(c *Certificate) { c.Name = "" },
		func(c *Certificate) { c.CertNo = "" },
		func(c *Certificate) { c.VerifyURL = "" },
		func(c *Certificate) { c.IssuedOn = time.Time{} },
	} {
		c := sampleCert()
		mutate(&c)
		if _, err := r.Render(c); err == nil {
			t.Errorf("Render accepted incomplete certificate %+v", c)
		}
	}
}

func TestNewRendererErrors(t *testing.T) {
	if _, err := NewRenderer(nil); err == nil {
		t.Error("NewRenderer(nil) succeeded")
	}
	missing := "/nonexistent/fonts/kai.ttf"
	if _, err := NewRenderer([]string{missing}); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing font: err = %v, want it to name %s", err, missing)
	}
	bogus := filepath.Join(t.TempDir(), "bogus.ttf")
	os.WriteFile(bogus, []byte("this is not a font at all"), 0o644)
	if _, err := NewRenderer([]string{bogus}); err == nil || !strings.Contains(err.Error(), bogus) {
		t.Errorf("bogus font: err = %v, want it to name %s", err, bogus)
	}
}

func TestIssuedDate(t *testing.T) {
	for _, tc := range []struct {
		in   time.Time
		want string
	}{
		{time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), "2026年3月1日"},
		{time.Date(2026, 12, 31, 9, 0, 0, 0, chinaTime), "2026年12月31日"},
		// 17:00 UTC on 28 February is already 1 March in Henan.
		{time.Date(2026, 2, 28, 17, 0, 0, 0, time.UTC), "2026年3月1日"},
	} {
		if got := issuedDate(tc.in); got != tc.want {
			t.Errorf("issuedDate(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
