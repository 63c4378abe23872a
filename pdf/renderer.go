package pdf

import (
	"bytes"
	"fmt"
	"os"
	"slices"
)

// Renderer holds parsed fonts; safe for concurrent use by many goroutines.
// Nothing in it is written after NewRenderer returns.
type Renderer struct {
	fonts []*sfnt
	// fixed[i] holds font i's glyphs for fixedText, shared by every
	// document's subset of font i.
	fixed []*glyphBlock
}

// DefaultFontPaths lists the Debian font files, Kai first: AR PL KaitiM GB
// gives the certificate its calligraphic official look, the matching Song
// face fills the few GB2312 gaps Kai has, and Droid Sans Fallback covers
// the rare name characters (玥 彧 燊 旻 祎 …) that the GB2312-era arphic
// faces leave blank.
func DefaultFontPaths() []string {
	return []string{
		"/usr/share/fonts/truetype/arphic-gkai00mp/gkai00mp.ttf",
		"/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf",
		"/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
	}
}

// NewRenderer reads and indexes the TrueType files in fontPaths once. Each
// character is drawn with the first font in the list that has a real glyph
// for it. A missing or unparsable file is an error: silently dropping a
// fallback font would turn into blank characters on certificates.
func NewRenderer(fontPaths []string) (*Renderer, error) {
	if len(fontPaths) == 0 {
		return nil, fmt.Errorf("pdf: no font files configured")
	}
	r := &Renderer{}
	for _, p := range fontPaths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("pdf: read font file: %w", err)
		}
		f, err := parseSFNT(p, data)
		if err != nil {
			return nil, err
		}
		r.fonts = append(r.fonts, f)
	}
	perFont := make([][]rune, len(r.fonts))
	for _, ch := range fixedText {
		if fi := r.pick(ch); fi >= 0 {
			perFont[fi] = append(perFont[fi], ch)
		}
	}
	for i, f := range r.fonts {
		r.fixed = append(r.fixed, f.newGlyphBlock(sortedSet(perFont[i])))
	}
	if m := r.Missing(title + statement); len(m) > 0 {
		return nil, missingError("fixed certificate text", m)
	}
	return r, nil
}

// pick returns the index of the first font that draws ch, or -1.
func (r *Renderer) pick(ch rune) int {
	for i, f := range r.fonts {
		if f.draws(ch) {
			return i
		}
	}
	return -1
}

// Missing returns the runes of s that none of the configured fonts can
// draw, deduplicated, in order of first appearance. Characters outside the
// Basic Multilingual Plane are always reported: gofpdf cannot encode them.
func (r *Renderer) Missing(s string) []rune {
	var out []rune
	for _, ch := range s {
		if r.pick(ch) < 0 && !slices.Contains(out, ch) {
			out = append(out, ch)
		}
	}
	return out
}

// Render lays out c on one A4 landscape page and returns the PDF. The same
// input always yields the same bytes.
func (r *Renderer) Render(c Certificate) ([]byte, error) {
	if err := c.validate(); err != nil {
		return nil, err
	}
	d, err := r.layout(&c)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.Grow(48 << 10)
	if err := d.write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
