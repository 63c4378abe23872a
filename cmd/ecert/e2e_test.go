package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"ecert/internal/wxcrypt"
	"ecert/store/storetest"

	"ecert/internal/testenv"
)

// These tests run the real binary as an operator would: import a roster,
// render the PDF, scan its QR from a 150 dpi rendering, open the link on a
// running server, revoke from the CLI and see it on the page, then stop the
// server with SIGTERM.

var ecertBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ecert-bin")
	if err != nil {
		panic(err)
	}
	ecertBin = filepath.Join(dir, "ecert")
	if out, err := exec.Command("go", "build", "-o", ecertBin, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build ecert: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// site is one installation: a working directory with its database (SQLite,
// or a fresh MySQL schema when ECERT_TEST_MYSQL_DSN is set) and a port.
type site struct {
	t    *testing.T
	dir  string
	env  []string
	base string
}

func newSite(t *testing.T) *site {
	dir := t.TempDir()
	db := storetest.MustOpenDB(t, nil)
	port := freePort(t)
	base := "http://127.0.0.1:" + port
	return &site{t: t, dir: dir, base: base, env: append(os.Environ(),
		"ECERT_DATABASE_DRIVER="+db.Driver,
		"ECERT_DATABASE_DSN="+db.DSN,
		"ECERT_SERVER_ADDR=127.0.0.1:"+port,
		"ECERT_SERVER_PUBLIC_URL="+base,
		"ECERT_LOG_LEVEL=info",
	)}
}

func freePort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	return port
}

// run executes ecert and returns stdout, stderr and the exit code.
func (s *site) run(args ...string) (string, string, int) {
	s.t.Helper()
	cmd := exec.Command(ecertBin, args...)
	cmd.Dir, cmd.Env = s.dir, s.env
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		s.t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

func (s *site) write(name, content string) string {
	p := filepath.Join(s.dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		s.t.Fatal(err)
	}
	return p
}

const header = "姓名,性别,身份证号,职业（工种）,等级,培训考核机构,工作单位,发证日期\n"

type importReport struct {
	Issued, Existing []struct {
		Row    int    `json:"row"`
		CertNo string `json:"cert_no"`
		Name   string `json:"name"`
	}
	Rejected []struct {
		Row    int      `json:"row"`
		Errors []string `json:"errors"`
	}
}

func parseReport(t *testing.T, out string) importReport {
	var r importReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("import --json printed %q: %v", out, err)
	}
	return r
}

func TestImportRejectsWholeRosterWithRowReasons(t *testing.T) {
	s := newSite(t)
	s.write("bad.csv", header+
		"王玥,女,410102199001010127,砌筑工,四级/中级工,河南省建设培训中心,郑州一建,2026-03-01\n"+
		"李彧,男,410105198512030117,钢筋工,初级工,河南省建设培训中心,,2026-03-02\n"+
		"张燊,男,411302199207150311,电工,六级,洛阳建筑职业培训学校,,2026-03-05\n"+
		"王𠮷,男,411302199207150418,电工,三级,洛阳建筑职业培训学校,,2026-03-05\n")
	out, _, code := s.run("import", "bad.csv", "--json")
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	r := parseReport(t, out)
	if len(r.Issued) != 0 || len(r.Rejected) != 3 || r.Rejected[0].Row != 3 || r.Rejected[1].Row != 4 || r.Rejected[2].Row != 5 {
		t.Fatalf("report = %+v", r)
	}
	if !strings.Contains(r.Rejected[0].Errors[0], "身份证号校验位错误") || !strings.Contains(r.Rejected[1].Errors[0], "等级") {
		t.Errorf("reasons = %+v", r.Rejected)
	}
	if !strings.Contains(strings.Join(r.Rejected[2].Errors, ""), "姓名中的字「𠮷」无法用证书字体打印") {
		t.Errorf("a name no font can draw: %+v", r.Rejected[2])
	}
	text, _, _ := s.run("import", "bad.csv")
	if !strings.Contains(text, "第3行：身份证号校验位错误") {
		t.Errorf("text report = %q", text)
	}
	// Nothing was issued: the good row imports as new afterwards.
	s.write("good.csv", header+"王玥,女,410102199001010127,砌筑工,四级/中级工,河南省建设培训中心,郑州一建,2026-03-01\n")
	out, _, code = s.run("import", "--json", "good.csv")
	if r := parseReport(t, out); code != 0 || len(r.Issued) != 1 || r.Issued[0].CertNo != "HN2026000000018" {
		t.Fatalf("after a rejected roster: exit %d, %+v", code, r)
	}
}

func TestOperatorJourney(t *testing.T) {
	s := newSite(t)
	// An .xlsx roster, as offices send them, with a real date cell.
	f := excelize.NewFile()
	sheet := f.GetSheetName(0)
	cols := strings.Split(strings.TrimSpace(header), ",")
	rows := [][]any{
		{"王玥", "女", "410102199001010127", "砌筑工", "四级/中级工", "河南省建设培训中心", "郑州一建"},
		{"李彧", "男", "410105198512030116", "钢筋工", "初级工", "河南省建设培训中心", ""},
	}
	f.SetSheetRow(sheet, "A1", &cols)
	dateStyle, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
	for i, r := range rows {
		cell := fmt.Sprintf("A%d", i+2)
		f.SetSheetRow(sheet, cell, &r)
		dcell := fmt.Sprintf("H%d", i+2)
		f.SetCellValue(sheet, dcell, time.Date(2026, 3, 1+i, 0, 0, 0, 0, time.UTC))
		f.SetCellStyle(sheet, dcell, dcell, dateStyle)
	}
	if err := f.SaveAs(filepath.Join(s.dir, "roster.xlsx")); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := s.run("import", "roster.xlsx", "--json")
	if code != 0 {
		t.Fatalf("import: exit %d\n%s\n%s", code, out, errOut)
	}
	r := parseReport(t, out)
	if len(r.Issued) != 2 {
		t.Fatalf("issued = %+v", r)
	}
	certNo := r.Issued[0].CertNo
	for _, secret := range []string{"410102199001010127", "王玥"} {
		if strings.Contains(errOut, secret) {
			t.Errorf("import logged %q", secret)
		}
	}
	out, _, code = s.run("import", "roster.xlsx", "--json")
	if r := parseReport(t, out); code != 0 || len(r.Existing) != 2 || len(r.Issued) != 0 {
		t.Fatalf("second import: %+v", r)
	}

	// Render and scan.
	out, errOut, code = s.run("render", "-o", "cert.pdf", certNo)
	if code != 0 {
		t.Fatalf("render: %d %s %s", code, out, errOut)
	}
	link := scanQR(t, filepath.Join(s.dir, "cert.pdf"))
	if !strings.HasPrefix(link, s.base+"/v/") {
		t.Fatalf("QR holds %q, want %s/v/…", link, s.base)
	}

	// Serve, open the scanned link.
	srv := s.serve()
	body := httpGet(t, link, 200)
	if !strings.Contains(body, "有效") || !strings.Contains(body, "410102********0127") || strings.Contains(body, "410102199001010127") {
		t.Fatalf("verification page is wrong:\n%s", body)
	}
	q := s.base + "/query?" + url.Values{"name": {"王玥"}, "no": {certNo}}.Encode()
	if body := httpGet(t, q, 200); !strings.Contains(body, certNo) {
		t.Fatal("query page does not find the certificate")
	}

	// Revoke from the CLI while the server runs; the page shows it at once.
	out, errOut, code = s.run("revoke", certNo, "--reason", "request", "--note", "本人申请")
	if code != 0 {
		t.Fatalf("revoke: %d %s %s", code, out, errOut)
	}
	if body := httpGet(t, link, 200); !strings.Contains(body, "已注销") || !strings.Contains(body, "持证人主动要求注销") {
		t.Fatal("revocation not shown on the verification page")
	}
	if _, errOut, code := s.run("revoke", "--reason", "fraud", certNo); code != 1 || !strings.Contains(errOut, "already revoked") {
		t.Fatalf("second revoke: exit %d %s", code, errOut)
	}
	if _, errOut, code := s.run("revoke", "--reason", "bogus", certNo); code != 2 || !strings.Contains(errOut, "fraud") {
		t.Fatalf("bad reason: exit %d %s", code, errOut)
	}

	// SIGTERM drains and exits cleanly, writing out the log it batched.
	stopServer(t, srv)
	logs := srv.Stderr.(*strings.Builder).String()
	for _, want := range []string{"route=/v/:token status=200", "route=/query status=200", "shutting down"} {
		if !strings.Contains(logs, want) {
			t.Errorf("server log lacks %q:\n%s", want, logs)
		}
	}
	for _, secret := range []string{"410102199001010127", "王玥"} {
		if strings.Contains(logs, secret) {
			t.Errorf("server log holds %q", secret)
		}
	}
}

// stopServer sends SIGTERM and expects a clean exit within 20 s.
func stopServer(t *testing.T, srv *exec.Cmd) {
	t.Helper()
	srv.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- srv.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("server exit after SIGTERM: %v", err)
		}
	case <-time.After(20 * time.Second):
		srv.Process.Kill()
		t.Fatal("server did not stop on SIGTERM")
	}
}

// serve starts `ecert serve` and waits for /healthz.
func (s *site) serve() *exec.Cmd {
	s.t.Helper()
	cmd := exec.Command(ecertBin, "serve")
	cmd.Dir, cmd.Env = s.dir, s.env
	logs := &strings.Builder{}
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(func() { cmd.Process.Kill() })
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(s.base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return cmd
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.t.Fatalf("server did not become healthy:\n%s", logs)
	return nil
}

func httpGet(t *testing.T, u string, want int) string {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("GET %s: %d, want %d", u, resp.StatusCode, want)
	}
	return string(b)
}

// scanQR renders the PDF at 150 dpi and reads the QR as a phone would.
func scanQR(t *testing.T, pdfPath string) string {
	t.Helper()
	testenv.Tool(t, "pdftoppm")
	testenv.Tool(t, "zbarimg")
	png := strings.TrimSuffix(pdfPath, ".pdf")
	if out, err := exec.Command("pdftoppm", "-r", "150", "-png", "-singlefile", pdfPath, png).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	out, err := exec.Command("zbarimg", "--raw", "-q", png+".png").Output()
	if err != nil {
		t.Fatalf("zbarimg found no QR: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// An ID number typed into a number cell is rounded by Excel to 15 digits.
// 410102199001040000 even passes the check digit, so only the cell type
// can tell: the row must be refused, never issued to a wrong ID number.
func TestImportRefusesIDNumberStoredAsNumber(t *testing.T) {
	s := newSite(t)
	f := excelize.NewFile()
	sheet := f.GetSheetName(0)
	cols := strings.Split(strings.TrimSpace(header), ",")
	f.SetSheetRow(sheet, "A1", &cols)
	f.SetSheetRow(sheet, "A2", &[]any{"王玥", "女", 410102199001040000, "砌筑工", "四级", "河南省建设培训中心", "", "2026-03-01"})
	if err := f.SaveAs(filepath.Join(s.dir, "numeric.xlsx")); err != nil {
		t.Fatal(err)
	}
	out, _, code := s.run("import", "numeric.xlsx", "--json")
	r := parseReport(t, out)
	if code != 1 || len(r.Issued) != 0 || len(r.Rejected) != 1 || !strings.Contains(r.Rejected[0].Errors[0], "数值格式") {
		t.Fatalf("exit %d, report %+v", code, r)
	}
}

// With the 公众号 configured, serve mounts the callback (the handshake
// answers only a right signature), runs the template sender, and still
// stops cleanly on SIGTERM.
func TestServeWithWeChatConfigured(t *testing.T) {
	s := newSite(t)
	s.env = append(s.env,
		"ECERT_WECHAT_TOKEN=e2etoken",
		"ECERT_WECHAT_APP_ID=wxe2e",
		"ECERT_WECHAT_APP_SECRET=secret",
		"ECERT_WECHAT_ENCODING_AES_KEY="+strings.Repeat("a", 43),
		"ECERT_WECHAT_API_BASE=http://127.0.0.1:1", // nothing listens: no call leaves the machine
	)
	srv := s.serve()
	q := url.Values{"timestamp": {fmt.Sprint(time.Now().Unix())}, "nonce": {"n1"}, "echostr": {"hello-e2e"}}
	q.Set("signature", wxcrypt.Sign("e2etoken", q.Get("timestamp"), "n1"))
	if body := httpGet(t, s.base+"/wechat/callback?"+q.Encode(), 200); body != "hello-e2e" {
		t.Fatalf("handshake answered %q", body)
	}
	q.Set("signature", wxcrypt.Sign("wrong", q.Get("timestamp"), "n1"))
	if resp, err := http.Get(s.base + "/wechat/callback?" + q.Encode()); err != nil || resp.StatusCode == 200 {
		t.Fatalf("a bad signature was answered: %v %v", resp, err)
	}
	stopServer(t, srv)
}
