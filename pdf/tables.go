package pdf

import (
	"math/bits"
	"sort"
)

// buildCmap writes a cmap with a single Windows Unicode BMP (3,1) format 4
// subtable, the one PDF viewers consult to find a glyph from the Unicode
// value of its name. Runs of consecutive code points with consecutive
// glyph ids share a segment.
func buildCmap(runes []rune, gid func(rune) uint16) []byte {
	type seg struct{ start, end, delta uint16 }
	segs := make([]seg, 0, len(runes)+1)
	for _, r := range runes {
		c, g := uint16(r), gid(r)
		if k := len(segs) - 1; k >= 0 && segs[k].end+1 == c && segs[k].delta == g-c {
			segs[k].end = c
			continue
		}
		segs = append(segs, seg{c, c, g - c})
	}
	segs = append(segs, seg{0xFFFF, 0xFFFF, 1}) // mandatory terminator → glyph 0

	segX2 := 2 * len(segs)
	search, sel := binarySearchHeader(len(segs), 2)
	out := make([]byte, 12+16+4*segX2)
	be.PutUint16(out[2:], 1) // one encoding record
	be.PutUint16(out[4:], 3)
	be.PutUint16(out[6:], 1)
	be.PutUint32(out[8:], 12)
	sub := out[12:]
	be.PutUint16(sub[0:], 4)
	be.PutUint16(sub[2:], uint16(len(sub)))
	be.PutUint16(sub[6:], uint16(segX2))
	be.PutUint16(sub[8:], uint16(search))
	be.PutUint16(sub[10:], uint16(sel))
	be.PutUint16(sub[12:], uint16(segX2-search))
	for i, s := range segs {
		be.PutUint16(sub[14+2*i:], s.end)
		be.PutUint16(sub[16+segX2+2*i:], s.start)
		be.PutUint16(sub[16+2*segX2+2*i:], s.delta)
		// idRangeOffset stays 0: every segment is a pure delta mapping.
	}
	return out
}

// buildName writes a minimal 'name' table. The originals carry tens of
// kilobytes of licence text per font, which would otherwise be embedded in
// every certificate.
func buildName(name string) []byte {
	u := make([]byte, 0, 2*len(name))
	for _, r := range name {
		u = be.AppendUint16(u, uint16(r))
	}
	ids := []uint16{1, 2, 3, 4, 6}
	values := [][]byte{u, {0, 'R', 0, 'e', 0, 'g', 0, 'u', 0, 'l', 0, 'a', 0, 'r'}, u, u, u}
	hdr := 6 + 12*len(ids)
	out := make([]byte, hdr)
	be.PutUint16(out[2:], uint16(len(ids)))
	be.PutUint16(out[4:], uint16(hdr))
	var strs []byte
	for i, id := range ids {
		rec := out[6+12*i:]
		be.PutUint16(rec[0:], 3)
		be.PutUint16(rec[2:], 1)
		be.PutUint16(rec[4:], 0x409)
		be.PutUint16(rec[6:], id)
		be.PutUint16(rec[8:], uint16(len(values[i])))
		be.PutUint16(rec[10:], uint16(len(strs)))
		strs = append(strs, values[i]...)
	}
	return append(out, strs...)
}

// buildPost writes a version 2 'post' table naming each glyph "uniXXXX"
// after its character. The PDF selects glyphs by those same names (see
// the /Differences encoding), so viewers that look names up in 'post'
// and those that go name → Unicode → cmap both find the right glyph.
// Glyphs without a character (.notdef, composite parts) use name 0.
func buildPost(orig []byte, names []rune) []byte {
	out := make([]byte, 34+2*len(names), 34+10*len(names))
	copy(out, orig[:32])
	be.PutUint32(out, 0x00020000)
	be.PutUint16(out[32:], uint16(len(names)))
	k := 0
	for i, r := range names {
		if r == 0 {
			continue
		}
		be.PutUint16(out[34+2*i:], uint16(258+k)) // 258 standard Mac names come first
		k++
		out = append(out, 7)
		out = appendUniName(out, r)
	}
	return out
}

const hexDigits = "0123456789ABCDEF"

// appendUniName appends the Adobe Glyph List name "uniXXXX" for a BMP rune.
func appendUniName(b []byte, r rune) []byte {
	return append(b, 'u', 'n', 'i', hexDigits[r>>12&15], hexDigits[r>>8&15], hexDigits[r>>4&15], hexDigits[r&15])
}

// assembleSFNT writes the table directory and the tables in tables, each
// padded to four bytes, leaving room for a glyf table of glyfLen bytes
// (checksum glyfSum) that the caller appends right after the returned
// bytes. Putting glyf last lets its compressed form be reused.
func assembleSFNT(tables map[string][]byte, glyfLen int, glyfSum uint32) []byte {
	tags := make([]string, 0, len(tables)+1)
	size := 12 + 16*(len(tables)+1)
	for t, d := range tables {
		tags = append(tags, t)
		size += (len(d) + 3) &^ 3
	}
	tags = append(tags, "glyf")
	sort.Strings(tags)
	out := make([]byte, 12+16*len(tags), size)
	be.PutUint32(out, 0x00010000)
	be.PutUint16(out[4:], uint16(len(tags)))
	search, sel := binarySearchHeader(len(tags), 16)
	be.PutUint16(out[6:], uint16(search))
	be.PutUint16(out[8:], uint16(sel))
	be.PutUint16(out[10:], uint16(16*len(tags)-search))
	glyfRec := -1
	for i, t := range tags {
		rec := out[12+16*i:]
		copy(rec, t)
		if t == "glyf" {
			glyfRec = i
			continue
		}
		d := tables[t]
		be.PutUint32(rec[4:], checksum(d))
		be.PutUint32(rec[8:], uint32(len(out)))
		be.PutUint32(rec[12:], uint32(len(d)))
		out = append(out, d...)
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
	}
	rec := out[12+16*glyfRec:]
	be.PutUint32(rec[4:], glyfSum)
	be.PutUint32(rec[8:], uint32(len(out)))
	be.PutUint32(rec[12:], uint32(glyfLen))
	return out
}

// binarySearchHeader returns the searchRange and entrySelector fields
// that TrueType puts before a table of n entries of size bytes each (the
// table directory, cmap format 4 segments): size times the largest power
// of two not above n, and that power's exponent. rangeShift is
// size*n - searchRange.
func binarySearchHeader(n, size int) (searchRange, entrySelector int) {
	entrySelector = bits.Len(uint(n)) - 1
	return size << entrySelector, entrySelector
}

// checksum is the TrueType table checksum: the sum of big-endian uint32
// words, the last one zero-padded.
func checksum(d []byte) uint32 {
	var sum uint32
	n := len(d) &^ 3
	for i := 0; i < n; i += 4 {
		sum += be.Uint32(d[i:])
	}
	if n < len(d) {
		var w [4]byte
		copy(w[:], d[n:])
		sum += be.Uint32(w[:])
	}
	return sum
}
