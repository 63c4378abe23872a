package pdf

import (
	"strings"
	"testing"
)

// rareNames are names with characters outside GB2312, which the arphic
// faces lack, plus a compound surname.
var rareNames = []string{"王玥", "李彧", "张燊", "陈旻", "刘祎", "欧阳一二三"}

// TestGlyphCoverage checks, in the PDF bytes themselves, that every
// character of every field is shown with a font whose embedded program has
// a real outline for it. Text extraction cannot prove this: a viewer
// happily extracts characters whose glyphs are blank.
func TestGlyphCoverage(t *testing.T) {
	for _, name := range rareNames {
		t.Run(name, func(t *testing.T) {
			c := sampleCert()
			c.Name = name
			c.OrgName = "郑州市彧燊建筑劳务有限公司（培训部）"
			c.Occupation = "砌筑工"
			// Kai maps the vertical brackets ︵︶ to empty glyphs: they must
			// still come out inked, from a fallback font.
			c.Level = "二级︵技师︶"
			c.Revoked = true
			pdf := render(t, c)
			drawn := map[rune]bool{}
			for _, g := range drawnGlyphs(t, pdf) {
				name, ok := g.font.names[g.code]
				if !ok {
					t.Fatalf("code %d shown in %s has no glyph name", g.code, g.font.baseFont)
				}
				ch, ok := runeFromGlyphName(name)
				if !ok {
					t.Fatalf("glyph name %q is not uniXXXX", name)
				}
				gid := g.font.program.glyph(ch)
				if gid == 0 {
					t.Errorf("%q shown in %s, whose cmap does not map it", ch, g.font.baseFont)
					continue
				}
				if len(g.font.program.outline(gid)) == 0 && !isBlank(ch) {
					t.Errorf("%q shown in %s with an empty outline (would print blank)", ch, g.font.baseFont)
					continue
				}
				drawn[ch] = true
			}
			all := strings.Join([]string{c.Occupation, c.Level, c.Name, c.Sex, c.IDNumber, c.CertNo,
				c.OrgName, issuedDate(c.IssuedOn), c.Website, title, statement, caption, revoked}, "")
			for _, ch := range all {
				if !drawn[ch] {
					t.Errorf("%q (U+%04X) of the certificate was never drawn", ch, ch)
				}
			}
		})
	}
}

// TestFallbackChoosesRealGlyph pins down why fallback exists: the Kai face
// has no usable glyph for these characters, so they must come from a
// later font that does.
func TestFallbackChoosesRealGlyph(t *testing.T) {
	r := testRenderer(t)
	// ︵ and ︶ are in Kai's cmap but with empty outlines; the names are
	// not in its cmap at all.
	for _, ch := range "︵︶玥彧燊旻祎" {
		if r.fonts[0].draws(ch) {
			t.Errorf("Kai unexpectedly draws %q; pick a rarer test character", ch)
		}
		fi := r.pick(ch)
		if fi <= 0 {
			t.Fatalf("pick(%q) = %d, want a fallback font", ch, fi)
		}
		f := r.fonts[fi]
		if g := f.glyph(ch); g == 0 || len(f.outline(g)) == 0 {
			t.Errorf("font %d chosen for %q has no outline for it", fi, ch)
		}
	}
	// Common characters stay in the first (Kai) font.
	for _, ch := range "王李张陈刘欧阳一二三证书0X" {
		if fi := r.pick(ch); fi != 0 {
			t.Errorf("pick(%q) = %d, want 0 (Kai)", ch, fi)
		}
	}
}

func TestMissing(t *testing.T) {
	r := testRenderer(t)
	var ascii []rune
	for ch := rune(0x20); ch < 0x7F; ch++ {
		ascii = append(ascii, ch)
	}
	if m := r.Missing(string(ascii)); len(m) != 0 {
		t.Errorf("printable ASCII not fully covered, missing %q", m)
	}
	for _, name := range rareNames {
		if m := r.Missing(name); len(m) != 0 {
			t.Errorf("Missing(%q) = %q", name, m)
		}
	}
	// Supplementary-plane characters (𠮷) cannot be encoded through the
	// PDF fonts used here; controls have no glyph.
	got := r.Missing("王\x01𠮷玥\x01𠮷😀")
	want := []rune{'\x01', '𠮷', '😀'}
	if string(got) != string(want) {
		t.Errorf("Missing = %q, want %q (deduplicated, in order)", got, want)
	}
}
