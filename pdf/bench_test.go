package pdf

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"testing"

	"github.com/phpdave11/gofpdf"
)

func BenchmarkRender(b *testing.B) {
	r := testRenderer(b)
	c := sampleCert()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Render(c); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkQRMatrix isolates the go-qrcode encoder, which evaluates all
// eight mask patterns and is the largest single cost in BenchmarkRender.
func BenchmarkQRMatrix(b *testing.B) {
	url := sampleCert().VerifyURL
	b.ReportAllocs()
	for b.Loop() {
		if _, err := qrMatrix(url); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMissing(b *testing.B) {
	r := testRenderer(b)
	c := sampleCert()
	s := c.Occupation + c.Level + c.Name + c.Sex + c.IDNumber + c.CertNo + c.OrgName
	b.ReportAllocs()
	for b.Loop() {
		if m := r.Missing(s); len(m) != 0 {
			b.Fatalf("unexpected missing %q", m)
		}
	}
}

// BenchmarkRenderNaive is the baseline the Renderer is measured against:
// the straightforward gofpdf way of producing the same page, loading the
// full TrueType files into every document and placing the QR code as a
// PNG image.
func BenchmarkRenderNaive(b *testing.B) {
	testRenderer(b) // skips when the fonts are absent
	var fonts [][]byte
	for _, p := range DefaultFontPaths() {
		data, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		fonts = append(fonts, data)
	}
	c := sampleCert()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := renderNaive(fonts, c); err != nil {
			b.Fatal(err)
		}
	}
}

func renderNaive(fonts [][]byte, c Certificate) ([]byte, error) {
	pdf := gofpdf.New("L", "mm", "A4", "")
	pdf.SetAutoPageBreak(false, 0)
	// Only the fonts actually used on the page are loaded, as a careful
	// naive implementation would: Kai for the text, Droid for 玥.
	pdf.AddUTF8FontFromBytes("kai", "", fonts[0])
	pdf.AddUTF8FontFromBytes("droid", "", fonts[2])
	pdf.AddPage()
	pdf.SetDrawColor(150, 24, 30)
	pdf.SetLineWidth(2.2)
	pdf.Rect(9, 9, 279, 192, "D")
	pdf.SetLineWidth(0.5)
	pdf.Rect(13, 13, 271, 184, "D")
	pdf.SetFont("kai", "", 26)
	pdf.Text(40, 41, "河南省住房和城乡建设行业技能人员职业培训合格证")
	pdf.SetFont("kai", "", 15)
	pdf.Text(38, 68, "职业（工种）："+c.Occupation)
	pdf.Text(142, 68, "等级："+c.Level)
	pdf.Text(38, 81, "姓名：王")
	pdf.SetFont("droid", "", 15)
	pdf.Text(60, 81, "玥")
	pdf.SetFont("kai", "", 15)
	pdf.Text(38, 94, "性别："+c.Sex)
	pdf.Text(38, 107, "身份证号："+c.IDNumber)
	pdf.Text(38, 120, "证书编号："+c.CertNo)
	pdf.Text(38, 133, "培训考核机构："+c.OrgName)
	pdf.SetFont("kai", "", 14)
	pdf.Text(38, 152, "本电子证书由住房和城乡建设部监制，表明持证人已通过住房城乡建设行业职业技能培训考核，")
	pdf.Text(38, 160, "成绩合格。")
	pdf.SetFont("kai", "", 15)
	pdf.Text(200, 176, "发证时间："+issuedDate(c.IssuedOn))
	pdf.SetFont("kai", "", 11)
	pdf.Text(100, 190, "本证书查询网站（"+c.Website+"）")
	pdf.Text(222, 107, "扫一扫，查询验证")

	rows, err := qrMatrix(c.VerifyURL)
	if err != nil {
		return nil, err
	}
	const scale = 8
	n := len(rows) + 2*qrQuietZone
	img := image.NewGray(image.Rect(0, 0, n*scale, n*scale))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	for y, row := range rows {
		for x, dark := range row {
			if dark {
				for dy := 0; dy < scale; dy++ {
					for dx := 0; dx < scale; dx++ {
						img.SetGray((x+qrQuietZone)*scale+dx, (y+qrQuietZone)*scale+dy, color.Gray{})
					}
				}
			}
		}
	}
	var pngBuf bytes.Buffer
	if err := png.Encode(&pngBuf, img); err != nil {
		return nil, err
	}
	pdf.RegisterImageOptionsReader("qr", gofpdf.ImageOptions{ImageType: "PNG"}, &pngBuf)
	pdf.ImageOptions("qr", 214, 58, 44, 44, false, gofpdf.ImageOptions{}, 0, "")
	var out bytes.Buffer
	err = pdf.Output(&out)
	return out.Bytes(), err
}
