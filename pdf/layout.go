package pdf

import (
	"io"
	"slices"

	"github.com/phpdave11/gofpdf"
)

// Page geometry in millimetres, A4 landscape. The layout follows 附件1 of
// the notice: centred title, a column of labelled fields on the left, the
// QR code on the right, the statement, issue date and the query website.
const (
	pageW = 297.0
	pageH = 210.0

	outerInset = 9.0  // centre line of the thick outer rule
	outerWidth = 2.2  // thick outer rule
	innerInset = 13.0 // centre line of the thin inner rule
	innerWidth = 0.5

	titleY    = 41.0
	titleSize = 26.0
	titleMin  = 16.0

	fieldX     = 38.0  // left edge of the field column
	fieldMaxX  = 200.0 // fields stop short of the QR column
	levelX     = 142.0 // 等级 shares the first line with 职业（工种）
	firstRowY  = 68.0
	rowStep    = 13.0
	fieldSize  = 15.0
	fieldMin   = 10.0 // below this a value wraps instead of shrinking
	stmtY      = 152.0
	stmtSize   = 14.0
	stmtMin    = 11.0
	stmtMaxX   = 259.0
	dateY      = 176.0
	footerY    = 190.0
	footerSize = 11.0

	qrX       = 214.0 // quiet zone included
	qrY       = 58.0
	qrSize    = 44.0
	qrCaption = 10.5

	ptToMM = 25.4 / 72
)

// Fixed wording of the certificate.
const (
	title     = "河南省住房和城乡建设行业技能人员职业培训合格证"
	statement = "本电子证书由住房和城乡建设部监制，表明持证人已通过住房城乡建设行业职业技能培训考核，成绩合格。"
	caption   = "扫一扫，查询验证"
	revoked   = "已注销"

	// fixedText is every character printed on nearly every certificate:
	// the fixed wording, field labels, date characters, the sexes and the
	// characters of ID numbers. Its glyphs are prepared once per font (see
	// glyphBlock); anything more would bloat every PDF, since the whole
	// block is embedded each time.
	fixedText = title + statement + caption +
		"职业（工种）：等级姓名性别身份证号证书编号培训考核机构发证时间年月日本证书查询网站男女/" +
		"0123456789X"
)

type rgb struct{ r, g, b int }

var (
	ink      = rgb{25, 25, 25}
	frameRed = rgb{150, 24, 30}
	stampRed = rgb{220, 0, 0}
)

// textOp is one piece of text placed on the page.
type textOp struct {
	x, y   float64 // baseline start, mm
	size   float64 // points
	color  rgb
	bold   bool
	rotate float64 // degrees anticlockwise about (x, y)
	s      shaped
}

// doc is a laid-out certificate: everything needed to emit the PDF, with
// font usage known up front so that each font is subset exactly once.
type doc struct {
	r     *Renderer
	c     *Certificate
	texts []textOp
	qr    [][]bool
	used  [][]rune // per font, the runes drawn with it
}

type align int

const (
	left align = iota
	center
	right
)

func mm(widthEm, size float64) float64 { return widthEm / 1000 * size * ptToMM }

// place adds sh to the page with the given alignment relative to x. The
// returned op may be adjusted (bold, rotate) until the next text is added.
func (d *doc) place(sh shaped, x, y, size float64, a align, color rgb) *textOp {
	switch a {
	case center:
		x -= mm(sh.width, size) / 2
	case right:
		x -= mm(sh.width, size)
	}
	d.texts = append(d.texts, textOp{x: x, y: y, size: size, color: color, s: sh})
	return &d.texts[len(d.texts)-1]
}

// put shapes s and places it; see place.
func (d *doc) put(field, s string, x, y, size float64, a align, color rgb) (*textOp, error) {
	sh, err := d.r.shape(field, s)
	if err != nil {
		return nil, err
	}
	return d.place(sh, x, y, size, a, color), nil
}

// fit places s in the box from x to maxX on baseline y: at size if it fits,
// else at the largest size down to minSize that fits, else wrapped at
// minSize with the lines centred vertically on y. Long organisation names
// and occupations thus never run into the QR code or the next field.
func (d *doc) fit(field, s string, x, maxX, y, size, minSize float64) error {
	avail := maxX - x
	sh, err := d.r.shape(field, s)
	if err != nil {
		return err
	}
	if w := mm(sh.width, size); w > avail {
		size = max(minSize, size*avail/w)
	}
	if mm(sh.width, size) <= avail+1e-9 {
		d.place(sh, x, y, size, left, ink)
		return nil
	}
	lines := d.r.wrap(s, avail/(size*ptToMM)*1000)
	lead := size * ptToMM * 1.15
	y -= lead * float64(len(lines)-1) / 2
	for i, l := range lines {
		if _, err := d.put(field, l, x, y+lead*float64(i), size, left, ink); err != nil {
			return err
		}
	}
	return nil
}

// field places "label：value" with the value fitted into the space left.
func (d *doc) field(label, value string, x, maxX, y float64) error {
	op, err := d.put(label, label+"：", x, y, fieldSize, left, ink)
	if err != nil {
		return err
	}
	return d.fit(label, value, x+mm(op.s.width, fieldSize), maxX, y, fieldSize, fieldMin)
}

func (r *Renderer) layout(c *Certificate) (*doc, error) {
	d := &doc{r: r, c: c}
	titleText, err := r.shape("标题", title)
	if err != nil {
		return nil, err
	}
	size := min(titleSize, max(titleMin, (pageW-2*innerInset-24)/mm(titleText.width, 1)))
	d.place(titleText, pageW/2, titleY, size, center, ink).bold = true

	y := firstRowY
	if err := d.field("职业（工种）", c.Occupation, fieldX, levelX-4, y); err != nil {
		return nil, err
	}
	if err := d.field("等级", c.Level, levelX, fieldMaxX, y); err != nil {
		return nil, err
	}
	for _, f := range []struct{ label, value string }{
		{"姓名", c.Name},
		{"性别", c.Sex},
		{"身份证号", c.IDNumber},
		{"证书编号", c.CertNo},
		{"培训考核机构", c.OrgName},
	} {
		y += rowStep
		if err := d.field(f.label, f.value, fieldX, fieldMaxX, y); err != nil {
			return nil, err
		}
	}

	// One line across the page when it fits at a readable size.
	if err := d.fit("声明", statement, fieldX, stmtMaxX, stmtY, stmtSize, stmtMin); err != nil {
		return nil, err
	}

	if _, err := d.put("发证时间", "发证时间："+issuedDate(c.IssuedOn), stmtMaxX, dateY, fieldSize, right, ink); err != nil {
		return nil, err
	}
	if c.Website != "" {
		if _, err := d.put("查询网站", "本证书查询网站（"+c.Website+"）", pageW/2, footerY, footerSize, center, ink); err != nil {
			return nil, err
		}
	}

	d.qr, err = qrMatrix(c.VerifyURL)
	if err != nil {
		return nil, err
	}
	if _, err := d.put("二维码说明", caption, qrX+qrSize/2, qrY+qrSize+5, qrCaption, center, ink); err != nil {
		return nil, err
	}

	if c.Revoked {
		op, err := d.put("注销", revoked, pageW/2-10, 128, 72, center, stampRed)
		if err != nil {
			return nil, err
		}
		op.rotate, op.bold = 18, true
	}

	d.collect()
	return d, nil
}

// collect gathers, per font, the sorted set of runes drawn with it.
func (d *doc) collect() {
	d.used = make([][]rune, len(d.r.fonts))
	for _, t := range d.texts {
		for _, rn := range t.s.runs {
			for _, ch := range rn.text {
				d.used[rn.font] = append(d.used[rn.font], ch)
			}
		}
	}
	for i, u := range d.used {
		d.used[i] = sortedSet(u)
	}
}

// sortedSet sorts rs and drops repeats, in place.
func sortedSet(rs []rune) []rune {
	slices.Sort(rs)
	return slices.Compact(rs)
}

func (d *doc) write(w io.Writer) error {
	pdf := gofpdf.NewCustom(&gofpdf.InitType{OrientationStr: "L", UnitStr: "mm", SizeStr: "A4"})
	// Fixed dates and sorted catalogs make the output a pure function of
	// the certificate, so re-issuing a PDF yields identical bytes.
	day := d.c.IssuedOn.In(chinaTime)
	pdf.SetCreationDate(day)
	pdf.SetModificationDate(day)
	pdf.SetCatalogSort(true)
	pdf.SetCompression(false)
	pdf.SetProducer("ecert", false)
	pdf.SetTitle("河南省住房和城乡建设行业技能人员职业培训合格证 "+d.c.CertNo, true)
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetMargins(0, 0, 0)
	if err := d.addFonts(pdf); err != nil {
		return err
	}
	pdf.AddPage()

	d.frame(pdf)
	for _, t := range d.texts {
		if t.rotate != 0 {
			pdf.TransformBegin()
			pdf.TransformRotate(t.rotate, t.x+mm(t.s.width, t.size)/2, t.y)
			pdf.SetAlpha(0.8, "Normal")
		}
		pdf.SetTextColor(t.color.r, t.color.g, t.color.b)
		if t.bold {
			// Stroking the glyph outline as well as filling it is the usual
			// way to embolden a face that has no bold weight.
			pdf.SetDrawColor(t.color.r, t.color.g, t.color.b)
			pdf.SetLineWidth(0.25)
			pdf.SetTextRenderingMode(2)
		}
		x := t.x
		for _, rn := range t.s.runs {
			x = d.drawRun(pdf, rn.font, rn.text, x, t.y, t.size)
		}
		if t.bold {
			pdf.SetTextRenderingMode(0)
		}
		if t.rotate != 0 {
			d.stampBox(pdf, t)
			pdf.SetAlpha(1, "Normal")
			pdf.TransformEnd()
		}
	}
	k := 72 / 25.4
	pdf.RawWriteStr(string(qrPath(d.qr, qrX*k, (pageH-qrY)*k, qrSize*k/float64(len(d.qr)+2*qrQuietZone))))
	return pdf.Output(w)
}

// frame draws the decorative double border: a thick outer rule and a thin
// inner one in dark red, with small corner squares tying them together.
func (d *doc) frame(pdf *gofpdf.Fpdf) {
	c := frameRed
	pdf.SetDrawColor(c.r, c.g, c.b)
	pdf.SetFillColor(c.r, c.g, c.b)
	pdf.SetLineWidth(outerWidth)
	pdf.Rect(outerInset, outerInset, pageW-2*outerInset, pageH-2*outerInset, "D")
	pdf.SetLineWidth(innerWidth)
	pdf.Rect(innerInset, innerInset, pageW-2*innerInset, pageH-2*innerInset, "D")
	const s = 3.0
	for _, p := range [][2]float64{
		{innerInset, innerInset}, {pageW - innerInset, innerInset},
		{innerInset, pageH - innerInset}, {pageW - innerInset, pageH - innerInset},
	} {
		pdf.Rect(p[0]-s/2, p[1]-s/2, s, s, "F")
	}
	// A short double rule under the title.
	pdf.SetLineWidth(0.6)
	pdf.Line(pageW/2-60, titleY+6, pageW/2+60, titleY+6)
	pdf.SetLineWidth(0.25)
	pdf.Line(pageW/2-60, titleY+7.4, pageW/2+60, titleY+7.4)
}

// stampBox draws the frame of the revocation stamp around its text.
func (d *doc) stampBox(pdf *gofpdf.Fpdf, t textOp) {
	w := mm(t.s.width, t.size)
	h := t.size * ptToMM
	pdf.SetDrawColor(t.color.r, t.color.g, t.color.b)
	pdf.SetLineWidth(2)
	pdf.Rect(t.x-6, t.y-h*0.95, w+12, h*1.25, "D")
}
