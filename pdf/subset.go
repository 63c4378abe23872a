package pdf

import (
	"bytes"
	"hash/adler32"
	"slices"
)

// Composite glyph flags (TrueType 'glyf' spec).
const (
	argsAreWords   = 0x0001
	haveScale      = 0x0008
	moreComponents = 0x0020
	haveXYScale    = 0x0040
	haveTwoByTwo   = 0x0080
)

// glyphBlock is a renumbered run of glyphs: new id i is old glyph order[i].
// Every subset starts with the same block of glyphs for the text printed on
// every certificate (see fixedText), so that block's glyph data can be
// prepared and compressed once per font instead of once per document.
type glyphBlock struct {
	order []uint16          // old glyph id by new id; order[0] is .notdef
	ids   map[uint16]uint16 // old → new
	names []rune            // character each new glyph is named after, 0 if none
	glyf  []byte            // glyph data in new order, components remapped
	loca  []uint32          // offset of each glyph in glyf, plus the end
	sum   uint32            // TrueType checksum of glyf
	adler uint32            // Adler-32 of glyf, for splicing zlib streams
	z     []byte            // glyf as raw DEFLATE, flushed but not final
}

// newGlyphBlock builds the shared block for runes (all drawable by f).
func (f *sfnt) newGlyphBlock(runes []rune) *glyphBlock {
	b := &glyphBlock{order: []uint16{0}, ids: map[uint16]uint16{0: 0}, names: []rune{0}}
	s := subsetter{f: f, base: &glyphBlock{ids: map[uint16]uint16{}}, order: b.order, names: b.names, extra: b.ids}
	s.addRunes(runes)
	b.order, b.names = s.order, s.names
	b.glyf, b.loca = s.glyphData(0)
	b.sum = checksum(b.glyf)
	b.adler = adler32.Checksum(b.glyf)
	b.z = deflateBest(b.glyf)
	return b
}

// subsetter extends a shared glyphBlock with the glyphs of one document.
type subsetter struct {
	f     *sfnt
	base  *glyphBlock
	order []uint16
	names []rune
	extra map[uint16]uint16 // old → new for glyphs beyond base
}

func (s *subsetter) id(g uint16) (uint16, bool) {
	if n, ok := s.base.ids[g]; ok {
		return n, true
	}
	n, ok := s.extra[g]
	return n, ok
}

func (s *subsetter) add(g uint16) uint16 {
	if n, ok := s.id(g); ok {
		return n
	}
	n := uint16(len(s.order))
	s.extra[g] = n
	s.order = append(s.order, g)
	s.names = append(s.names, 0)
	return n
}

// addRunes adds the glyphs of runes and, transitively, the components of
// any composite glyphs among them.
func (s *subsetter) addRunes(runes []rune) {
	from := len(s.order)
	for _, r := range runes {
		if n := s.add(s.f.glyph(r)); s.names[n] == 0 {
			s.names[n] = r
		}
	}
	// The loop bound grows as components are appended, so nested
	// composites are followed to any depth.
	for i := from; i < len(s.order); i++ {
		forEachComponent(s.f.outline(s.order[i]), func(_ int, g uint16) {
			if int(g) < s.f.numGlyphs {
				s.add(g)
			}
		})
	}
}

// glyphData returns the glyph records for order[from:], components
// renumbered, each padded to four bytes, and their offsets (relative to
// the first) plus the end offset.
func (s *subsetter) glyphData(from int) ([]byte, []uint32) {
	var glyf []byte
	loca := make([]uint32, 0, len(s.order)-from+1)
	for _, old := range s.order[from:] {
		loca = append(loca, uint32(len(glyf)))
		start := len(glyf)
		glyf = append(glyf, s.f.outline(old)...)
		forEachComponent(glyf[start:], func(at int, g uint16) {
			n, _ := s.id(g)
			be.PutUint16(glyf[start+at:], n)
		})
		for len(glyf)%4 != 0 {
			glyf = append(glyf, 0)
		}
	}
	return glyf, append(loca, uint32(len(glyf)))
}

// subsetZ builds a small, self-contained TrueType font with the shared
// block plus the glyphs for runes, and returns it zlib-compressed together
// with its uncompressed length. The PDF embeds only this subset; the
// compressed form of the shared block is reused verbatim (see zlibSplice),
// so per-document compression work is limited to a few kilobytes.
//
// runes must be sorted, unique and drawable by f.
func (f *sfnt) subsetZ(base *glyphBlock, runes []rune, name string) ([]byte, int) {
	s := subsetter{
		f:     f,
		base:  base,
		order: slices.Clip(base.order),
		names: slices.Clone(base.names),
		extra: map[uint16]uint16{},
	}
	s.addRunes(runes)
	n := len(s.order)
	extraGlyf, extraLoca := s.glyphData(len(base.order))

	loca := make([]byte, 4*(n+1))
	for i, off := range base.loca[:len(base.loca)-1] {
		be.PutUint32(loca[4*i:], off)
	}
	for i, off := range extraLoca {
		be.PutUint32(loca[4*(len(base.order)+i):], uint32(len(base.glyf))+off)
	}
	hmtx := make([]byte, 4*n)
	for i, old := range s.order {
		be.PutUint16(hmtx[4*i:], f.advance[old])
		be.PutUint16(hmtx[4*i+2:], uint16(f.lsb[old]))
	}
	head := bytes.Clone(f.tables["head"])
	be.PutUint32(head[8:], 0) // checkSumAdjustment: nothing checks it inside a PDF
	be.PutUint16(head[50:], 1)
	hhea := bytes.Clone(f.tables["hhea"])
	be.PutUint16(hhea[34:], uint16(n))
	maxp := bytes.Clone(f.tables["maxp"])
	be.PutUint16(maxp[4:], uint16(n))

	tables := map[string][]byte{
		"OS/2": f.tables["OS/2"],
		"cmap": buildCmap(runes, func(r rune) uint16 { g, _ := s.id(f.glyph(r)); return g }),
		"head": head,
		"hhea": hhea,
		"hmtx": hmtx,
		"loca": loca,
		"maxp": maxp,
		"name": buildName(name),
		"post": buildPost(f.tables["post"], s.names),
	}
	// Hinting programs are tiny in these fonts and glyph instructions may
	// call into them, so they travel with the glyphs.
	for _, t := range []string{"cvt ", "fpgm", "prep", "gasp"} {
		if d := f.tables[t]; d != nil {
			tables[t] = d
		}
	}
	glyfLen := len(base.glyf) + len(extraGlyf)
	prefix := assembleSFNT(tables, glyfLen, base.sum+checksum(extraGlyf))

	// The tables ahead of glyf are a few kilobytes that change with every
	// document; they go in stored (uncompressed) blocks because building
	// a Huffman code for them would cost more time than the bytes are
	// worth. The glyphs come from the shared block and the per-glyph cache.
	parts := make([]zlibPart, 0, 2+n-len(base.order))
	parts = append(parts, zlibPart{data: prefix}, zlibPart{data: base.glyf, z: base.z, adler: base.adler})
	for i, old := range s.order[len(base.order):] {
		data := extraGlyf[extraLoca[i]:extraLoca[i+1]]
		if len(data) > 0 && int16(be.Uint16(data)) < 0 {
			// Composite glyphs carry document-specific component ids and
			// are only a few bytes long: store them.
			parts = append(parts, zlibPart{data: data})
			continue
		}
		parts = append(parts, f.compressedGlyph(old, data))
	}
	return zlibSplice(parts...), len(prefix) + glyfLen
}

// compressedGlyph returns the simple glyph g (whose padded record is
// data) as a spliceable DEFLATE piece, compressing it on first use. The
// cache is bounded by the font's glyph count; in practice it holds the
// few thousand characters that occur in names and organisations.
func (f *sfnt) compressedGlyph(g uint16, data []byte) zlibPart {
	if p, ok := f.zglyphs.Load(g); ok {
		return *p.(*zlibPart)
	}
	p := &zlibPart{data: bytes.Clone(data), z: deflateBest(data), adler: adler32.Checksum(data)}
	f.zglyphs.Store(g, p)
	return *p
}

// forEachComponent calls fn with the byte offset and glyph id of every
// component reference in a composite glyph; simple glyphs have none.
func forEachComponent(g []byte, fn func(at int, gid uint16)) {
	if len(g) < 10 || int16(be.Uint16(g)) >= 0 {
		return
	}
	p := 10
	for {
		if p+4 > len(g) {
			return
		}
		flags := be.Uint16(g[p:])
		fn(p+2, be.Uint16(g[p+2:]))
		p += 4
		if flags&argsAreWords != 0 {
			p += 4
		} else {
			p += 2
		}
		switch {
		case flags&haveScale != 0:
			p += 2
		case flags&haveXYScale != 0:
			p += 4
		case flags&haveTwoByTwo != 0:
			p += 8
		}
		if flags&moreComponents == 0 {
			return
		}
	}
}
