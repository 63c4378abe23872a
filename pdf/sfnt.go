package pdf

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
)

// sfnt is a TrueType font parsed once, up front, so that rendering a
// certificate never has to re-read a multi-megabyte font file. It keeps the
// raw file in memory and indexes exactly what subsetting and text measuring
// need: the Unicode→glyph map, glyph offsets and horizontal metrics.
type sfnt struct {
	tables     map[string][]byte
	unitsPerEm int
	numGlyphs  int
	// loca has numGlyphs+1 entries; glyph g occupies glyf[loca[g]:loca[g+1]].
	loca []uint32
	glyf []byte
	// advance and lsb are expanded to one entry per glyph, which makes the
	// hmtx run-length shortcut (trailing glyphs sharing the last advance)
	// invisible to the rest of the package.
	advance []uint16
	lsb     []int16
	// bmp maps every Basic Multilingual Plane code point to its glyph id
	// (0 = not mapped). A dense table makes Missing and layout lookups a
	// single index instead of a binary search through cmap segments.
	bmp []uint16

	// PDF font descriptor values, in thousandths of an em.
	ascent, descent, capHeight int
	bbox                       [4]int
	underlinePos, underlineTh  int

	// zglyphs caches each simple glyph's compressed record (*zlibPart by
	// glyph id), filled on first use; see compressedGlyph.
	zglyphs sync.Map
}

var be = binary.BigEndian

// parseSFNT indexes a TrueType font held in data. path is only used in
// error messages so that a broken deployment names the offending file.
func parseSFNT(path string, data []byte) (*sfnt, error) {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("pdf: font %s: %s", path, fmt.Sprintf(format, args...))
	}
	if len(data) < 12 {
		return nil, fail("file too short")
	}
	switch be.Uint32(data) {
	case 0x00010000, 0x74727565: // TrueType outlines; the only kind gofpdf embeds
	case 0x4F54544F:
		return nil, fail("CFF-flavoured OpenType is not supported, need TrueType outlines")
	case 0x74746366:
		return nil, fail("font collections (.ttc) are not supported")
	default:
		return nil, fail("not a TrueType font")
	}
	f := &sfnt{tables: map[string][]byte{}}
	n := int(be.Uint16(data[4:]))
	if len(data) < 12+16*n {
		return nil, fail("truncated table directory")
	}
	for i := 0; i < n; i++ {
		rec := data[12+16*i:]
		off, size := uint64(be.Uint32(rec[8:])), uint64(be.Uint32(rec[12:]))
		if off+size > uint64(len(data)) {
			return nil, fail("table %q lies outside the file", rec[:4])
		}
		f.tables[string(rec[:4])] = data[off : off+size]
	}
	for _, t := range []string{"head", "hhea", "maxp", "hmtx", "loca", "glyf", "cmap", "OS/2", "post"} {
		if f.tables[t] == nil {
			return nil, fail("missing required table %q", t)
		}
	}
	if err := f.parseMetrics(); err != nil {
		return nil, fail("%v", err)
	}
	if err := f.parseCmap(); err != nil {
		return nil, fail("%v", err)
	}
	return f, nil
}

var errShort = errors.New("table too short")

func (f *sfnt) parseMetrics() error {
	head, hhea, maxp := f.tables["head"], f.tables["hhea"], f.tables["maxp"]
	if len(head) < 54 || len(hhea) < 36 || len(maxp) < 6 {
		return errShort
	}
	f.unitsPerEm = int(be.Uint16(head[18:]))
	if f.unitsPerEm == 0 {
		return errors.New("unitsPerEm is zero")
	}
	f.numGlyphs = int(be.Uint16(maxp[4:]))
	em := func(v uint16) int { return int(int16(v)) * 1000 / f.unitsPerEm }
	f.bbox = [4]int{em(be.Uint16(head[36:])), em(be.Uint16(head[38:])), em(be.Uint16(head[40:])), em(be.Uint16(head[42:]))}
	f.ascent, f.descent = em(be.Uint16(hhea[4:])), em(be.Uint16(hhea[6:]))
	f.capHeight = f.ascent
	if os2 := f.tables["OS/2"]; len(os2) >= 90 && be.Uint16(os2) >= 2 {
		f.capHeight = em(be.Uint16(os2[88:]))
	}
	if post := f.tables["post"]; len(post) >= 32 {
		f.underlinePos, f.underlineTh = em(be.Uint16(post[8:])), em(be.Uint16(post[10:]))
	} else {
		return errors.New("post table too short")
	}
	longLoca := be.Uint16(head[50:]) == 1

	loca := f.tables["loca"]
	f.loca = make([]uint32, f.numGlyphs+1)
	for g := range f.loca {
		if longLoca {
			if len(loca) < 4*g+4 {
				return errors.New("loca too short")
			}
			f.loca[g] = be.Uint32(loca[4*g:])
		} else {
			if len(loca) < 2*g+2 {
				return errors.New("loca too short")
			}
			f.loca[g] = 2 * uint32(be.Uint16(loca[2*g:]))
		}
	}
	f.glyf = f.tables["glyf"]
	for g := 0; g < f.numGlyphs; g++ {
		if f.loca[g] > f.loca[g+1] || int(f.loca[g+1]) > len(f.glyf) {
			return fmt.Errorf("loca entry %d out of order or beyond glyf", g)
		}
	}

	nh := int(be.Uint16(hhea[34:]))
	hmtx := f.tables["hmtx"]
	if nh == 0 || nh > f.numGlyphs || len(hmtx) < 4*nh+2*(f.numGlyphs-nh) {
		return errors.New("hmtx inconsistent with hhea/maxp")
	}
	f.advance = make([]uint16, f.numGlyphs)
	f.lsb = make([]int16, f.numGlyphs)
	for g := 0; g < f.numGlyphs; g++ {
		if g < nh {
			f.advance[g] = be.Uint16(hmtx[4*g:])
			f.lsb[g] = int16(be.Uint16(hmtx[4*g+2:]))
		} else {
			f.advance[g] = f.advance[nh-1]
			f.lsb[g] = int16(be.Uint16(hmtx[4*nh+2*(g-nh):]))
		}
	}
	return nil
}

// parseCmap fills the dense BMP table from the Windows Unicode (3,1) or a
// Unicode-platform format 4 subtable. Only the BMP matters: gofpdf encodes
// text as UTF-16 code units with a 64K CID→GID map, so supplementary-plane
// characters cannot be drawn through it whatever the font contains.
func (f *sfnt) parseCmap() error {
	cmap := f.tables["cmap"]
	if len(cmap) < 4 {
		return errShort
	}
	n := int(be.Uint16(cmap[2:]))
	var sub []byte
	for i := 0; i < n && len(cmap) >= 4+8*i+8; i++ {
		rec := cmap[4+8*i:]
		pid, eid, off := be.Uint16(rec), be.Uint16(rec[2:]), be.Uint32(rec[4:])
		if !(pid == 3 && eid == 1) && pid != 0 {
			continue
		}
		if int(off)+4 > len(cmap) || be.Uint16(cmap[off:]) != 4 {
			continue
		}
		sub = cmap[off:]
		break
	}
	if sub == nil {
		return errors.New("no Unicode BMP cmap (format 4) subtable")
	}
	if len(sub) < 14 {
		return errShort
	}
	segX2 := int(be.Uint16(sub[6:]))
	if len(sub) < 16+4*segX2 {
		return errors.New("cmap format 4 truncated")
	}
	ends := sub[14:]
	starts := sub[16+segX2:]
	deltas := sub[16+2*segX2:]
	rangeOffs := sub[16+3*segX2:]
	f.bmp = make([]uint16, 0x10000)
	for s := 0; s < segX2; s += 2 {
		end, start := int(be.Uint16(ends[s:])), int(be.Uint16(starts[s:]))
		delta, ro := be.Uint16(deltas[s:]), int(be.Uint16(rangeOffs[s:]))
		for c := start; c <= end && c < 0xFFFF; c++ {
			var g uint16
			if ro == 0 {
				g = uint16(c) + delta
			} else {
				// idRangeOffset is relative to its own position in the table.
				p := 16 + 3*segX2 + s + ro + 2*(c-start)
				if p+2 > len(sub) {
					continue
				}
				if g = be.Uint16(sub[p:]); g != 0 {
					g += delta
				}
			}
			if int(g) < f.numGlyphs {
				f.bmp[c] = g
			}
		}
	}
	return nil
}

// glyph returns the glyph id for r, or 0 if the font has none.
func (f *sfnt) glyph(r rune) uint16 {
	if r < 0 || r >= 0xFFFF {
		return 0
	}
	return f.bmp[r]
}

// outline returns the raw glyf record of g (empty for blank glyphs such
// as the space).
func (f *sfnt) outline(g uint16) []byte {
	return f.glyf[f.loca[g]:f.loca[g+1]]
}

// draws reports whether the font really paints r: the cmap must map it and,
// unless r is whitespace, the glyph must have an outline. The arphic faces
// map a few dozen characters (ⅱ, ň, ɑ …) to empty glyphs, which would print
// as blanks without this check.
func (f *sfnt) draws(r rune) bool {
	g := f.glyph(r)
	if g == 0 {
		return false
	}
	return isBlank(r) || len(f.outline(g)) > 0
}

// isBlank lists the characters whose glyph is legitimately empty.
func isBlank(r rune) bool {
	switch r {
	case ' ', '\u00a0', '\u3000':
		return true
	}
	return false
}

// width returns the advance of r in thousandths of the em, the unit gofpdf
// and PDF use for glyph widths.
func (f *sfnt) width(r rune) float64 {
	return float64(f.advance[f.glyph(r)]) * 1000 / float64(f.unitsPerEm)
}
