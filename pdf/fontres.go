package pdf

import (
	"encoding/json"
	"hash/fnv"
	"slices"
	"strconv"

	"github.com/phpdave11/gofpdf"
)

// How fonts reach the PDF. gofpdf's own UTF-8 font support re-parses the
// font, JSON-encodes and hashes a 64K-entry width table and compresses a
// 128 KB CID map for every document: several milliseconds even for a tiny
// font. Its plain TrueType path is cheap, so each configured font becomes,
// per document, one embedded subset (see subsetZ) exposed through simple
// fonts of up to slotSize single-byte codes. Each code is given the glyph
// name "uniXXXX" in the /Differences encoding; PDF viewers resolve such
// names to the Unicode character, both to find the glyph through the
// subset's Unicode cmap and for text extraction and copy-paste.

// slotSize is the number of single-byte codes used per simple font:
// 33–255, leaving 0–32 (controls and the word-spacing space) unused.
const (
	firstCode = 33
	slotSize  = 256 - firstCode
)

// gofpdfFontDef mirrors the JSON font definition gofpdf's AddFontFromBytes
// reads (its fontDefType).
type gofpdfFontDef struct {
	Tp   string
	Name string
	Desc struct {
		Ascent, Descent, CapHeight, Flags int
		FontBBox                          struct{ Xmin, Ymin, Xmax, Ymax int }
		ItalicAngle, StemV, MissingWidth  int
	}
	Up, Ut       int
	Cw           []int
	Enc          string
	Diff         string
	File         string
	OriginalSize int
}

const flagNonSymbolic = 32 // glyphs are selected through the named encoding

func slotFamily(font, slot int) string {
	return "f" + strconv.Itoa(font) + "s" + strconv.Itoa(slot)
}

// addFonts embeds, for every configured font the document uses, a subset
// holding the fixed certificate text and the document's own characters.
func (d *doc) addFonts(pdf *gofpdf.Fpdf) error {
	for i, used := range d.used {
		if len(used) == 0 {
			continue
		}
		f := d.r.fonts[i]
		psName := "EcertF" + strconv.Itoa(i)
		z, size := f.subsetZ(d.r.fixed[i], used, psName)
		file := "e" + strconv.Itoa(i) + ".z" // ".z" makes gofpdf mark it FlateDecode
		for slot := 0; slot*slotSize < len(used); slot++ {
			chunk := used[slot*slotSize : min(len(used), (slot+1)*slotSize)]
			def := gofpdfFontDef{
				Tp:           "TrueType",
				Name:         subsetTag(chunk) + "+" + psName,
				Up:           f.underlinePos,
				Ut:           f.underlineTh,
				Cw:           make([]int, 256),
				File:         file,
				OriginalSize: size,
			}
			def.Desc.Ascent, def.Desc.Descent, def.Desc.CapHeight = f.ascent, f.descent, f.capHeight
			def.Desc.Flags = flagNonSymbolic
			def.Desc.FontBBox.Xmin, def.Desc.FontBBox.Ymin = f.bbox[0], f.bbox[1]
			def.Desc.FontBBox.Xmax, def.Desc.FontBBox.Ymax = f.bbox[2], f.bbox[3]
			def.Desc.StemV = 80
			diff := make([]byte, 0, 3+9*len(chunk))
			diff = strconv.AppendInt(diff, firstCode, 10)
			for k, r := range chunk {
				def.Cw[firstCode+k] = int(f.width(r) + 0.5)
				diff = append(diff, " /"...)
				diff = appendUniName(diff, r)
			}
			def.Diff = string(diff)
			js, err := json.Marshal(&def)
			if err != nil {
				return err
			}
			pdf.AddFontFromBytes(slotFamily(i, slot), "", js, z)
		}
	}
	return pdf.Error()
}

// subsetTag derives the six-letter subset prefix PDF asks for from the
// characters in the subset, so that different subsets get different
// names and the same one always gets the same name.
func subsetTag(runes []rune) string {
	h := fnv.New32a()
	var b [3]byte
	for _, r := range runes {
		b[0], b[1], b[2] = byte(r>>16), byte(r>>8), byte(r)
		h.Write(b[:])
	}
	v := h.Sum32()
	tag := make([]byte, 6)
	for i := range tag {
		tag[i] = 'A' + byte(v%26)
		v /= 26
	}
	return string(tag)
}

// drawRun writes text drawn with font fi at (x, y), switching between the
// font's slots as needed, and returns the x after it.
func (d *doc) drawRun(pdf *gofpdf.Fpdf, fi int, text string, x, y, size float64) float64 {
	used := d.used[fi]
	f := d.r.fonts[fi]
	codes := make([]byte, 0, len(text))
	slot := -1
	segX := x
	flush := func() {
		if len(codes) > 0 {
			pdf.SetFont(slotFamily(fi, slot), "", size)
			pdf.Text(segX, y, string(codes))
			codes = codes[:0]
		}
	}
	for _, r := range text {
		k, _ := slices.BinarySearch(used, r)
		if s := k / slotSize; s != slot {
			flush()
			slot, segX = s, x
		}
		codes = append(codes, byte(firstCode+k%slotSize))
		x += mm(f.width(r), size)
	}
	flush()
	return x
}
