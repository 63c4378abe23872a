package pdf

import (
	"strings"
	"testing"
)

// TestLongFieldsStayInTheirBoxes lays out certificates with long values
// and checks no text crosses into the QR code, another column, the next
// row or the border.
func TestLongFieldsStayInTheirBoxes(t *testing.T) {
	r := testRenderer(t)
	c := sampleCert()
	c.Occupation = "建筑工程施工现场专业人员（质量员·土建施工方向·装饰装修方向）"
	c.Level = "三级/高级工（技师预备）"
	c.Name = "欧阳一二三四五六七八九十"
	c.OrgName = strings.Repeat("河南省建设教育协会郑州市二七区职业技能培训学校", 3)
	d, err := r.layout(&c)
	if err != nil {
		t.Fatal(err)
	}
	type box struct{ x0, y0, x1, y1 float64 }
	qr := box{qrX, qrY, qrX + qrSize, qrY + qrSize + 8} // with its caption
	overlap := func(a, b box) bool { return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1 }
	var boxes []box
	var texts []string
	for _, op := range d.texts {
		h := op.size * ptToMM
		b := box{op.x, op.y - 0.85*h, op.x + mm(op.s.width, op.size), op.y + 0.15*h}
		s := ""
		for _, rn := range op.s.runs {
			s += rn.text
		}
		if b.x0 < innerInset+2 || b.x1 > pageW-innerInset-2 || b.y0 < innerInset+2 || b.y1 > pageH-innerInset-2 {
			t.Errorf("%q at %+v leaves the frame", s, b)
		}
		if s != caption && overlap(b, qr) {
			t.Errorf("%q at %+v overlaps the QR code", s, b)
		}
		if op.size < fieldMin-1e-9 && s != caption && op.size != footerSize {
			t.Errorf("%q shrunk to %.1f pt, below the %.0f pt minimum", s, op.size, fieldMin)
		}
		for i, o := range boxes {
			if overlap(b, o) {
				t.Errorf("%q overlaps %q", s, texts[i])
			}
		}
		boxes = append(boxes, b)
		texts = append(texts, s)
	}
	// Every character still appears: long values wrap, never truncate.
	all := strings.Join(texts, "")
	for _, v := range []string{c.Occupation, c.Level, c.Name, c.OrgName} {
		if !strings.Contains(strings.ReplaceAll(all, "\n", ""), v) && !containsInOrder(all, v) {
			t.Errorf("%q not fully laid out", v)
		}
	}
}

// containsInOrder reports whether v's runes appear in s in order, as they
// do when v was wrapped over several lines.
func containsInOrder(s, v string) bool {
	i := 0
	rs := []rune(v)
	for _, ch := range s {
		if i < len(rs) && ch == rs[i] {
			i++
		}
	}
	return i == len(rs)
}

func TestWrapKeepsPunctuationRules(t *testing.T) {
	r := testRenderer(t)
	w := r.advance('中')
	lines := r.wrap("一二三四，五六（七八）九", 4*w)
	for _, l := range lines {
		rs := []rune(l)
		if strings.ContainsRune(noLineStart, rs[0]) {
			t.Errorf("line %q starts with closing punctuation (all: %q)", l, lines)
		}
		if strings.ContainsRune(noLineEnd, rs[len(rs)-1]) {
			t.Errorf("line %q ends with opening punctuation (all: %q)", l, lines)
		}
	}
	if got := strings.Join(lines, ""); got != "一二三四，五六（七八）九" {
		t.Errorf("wrap lost text: %q", got)
	}
	// Latin words and numbers are not split when a break exists before them.
	lines = r.wrap("编号 HNJS2026", r.advance('编')*2+r.advance(' ')+r.advance('H')*4)
	if lines[len(lines)-1] != "HNJS2026" && !strings.HasSuffix(lines[0], " ") {
		t.Errorf("number split across lines: %q", lines)
	}
}
