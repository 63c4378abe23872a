package pdf

import (
	"bytes"
	"compress/zlib"
	"hash/adler32"
	"io"
	"slices"
	"testing"
)

// TestSubsetRoundTrip parses the subset the PDF embeds and checks every
// requested character maps to a byte-identical outline with the same
// advance, across the shared block / per-document boundary.
func TestSubsetRoundTrip(t *testing.T) {
	r := testRenderer(t)
	for fi, runes := range map[int][]rune{
		0: []rune("0证书王钢筋工河南省abcXYZ"), // mixes the shared block and extras
		2: []rune("彧旻玥燊祎"),            // Droid: many composite glyphs
	} {
		slices.Sort(runes)
		f := r.fonts[fi]
		z, size := f.subsetZ(r.fixed[fi], runes, "Test")
		zr, err := zlib.NewReader(bytes.NewReader(z)) // also verifies the spliced Adler-32
		if err != nil {
			t.Fatal(err)
		}
		raw, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("font %d: spliced zlib stream: %v", fi, err)
		}
		if len(raw) != size {
			t.Errorf("font %d: subset is %d bytes, reported %d", fi, len(raw), size)
		}
		if len(raw) > 200<<10 {
			t.Errorf("font %d: subset of %d characters is %d bytes", fi, len(runes), len(raw))
		}
		sub, err := parseSFNT("subset", raw)
		if err != nil {
			t.Fatalf("font %d: subset does not parse: %v", fi, err)
		}
		for _, ch := range runes {
			g, sg := f.glyph(ch), sub.glyph(ch)
			if sg == 0 {
				t.Errorf("font %d: %q missing from subset cmap", fi, ch)
				continue
			}
			if sub.advance[sg] != f.advance[g] {
				t.Errorf("font %d: %q advance %d, want %d", fi, ch, sub.advance[sg], f.advance[g])
			}
			if !sameOutline(f, g, sub, sg) {
				t.Errorf("font %d: %q outline differs in subset", fi, ch)
			}
		}
	}
}

// sameOutline compares glyphs, allowing the subset's padding to four
// bytes and following composite components (whose ids are renumbered in
// the subset) recursively.
func sameOutline(a *sfnt, ga uint16, b *sfnt, gb uint16) bool {
	if int(gb) >= b.numGlyphs {
		return false // a component id that was not renumbered
	}
	oa, ob := a.outline(ga), b.outline(gb)
	if pad := len(ob) - len(oa); pad < 0 || pad > 3 || !bytes.Equal(ob[len(oa):], make([]byte, pad)) {
		return false
	}
	ob = ob[:len(oa)]
	var ca, cb []uint16
	oa, ob = bytes.Clone(oa), bytes.Clone(ob)
	forEachComponent(oa, func(at int, g uint16) { ca = append(ca, g); oa[at], oa[at+1] = 0, 0 })
	forEachComponent(ob, func(at int, g uint16) { cb = append(cb, g); ob[at], ob[at+1] = 0, 0 })
	if len(ca) != len(cb) || !bytes.Equal(oa, ob) {
		return false
	}
	for i := range ca {
		if !sameOutline(a, ca[i], b, cb[i]) {
			return false
		}
	}
	return true
}

func TestZlibSplice(t *testing.T) {
	a, b, c := bytes.Repeat([]byte("证书"), 5000), []byte("shared block"), make([]byte, 70000)
	for i := range c {
		c[i] = byte(i * 7)
	}
	got := zlibSplice(zlibPart{data: a}, zlibPart{data: b, z: deflateBest(b), adler: adler32.Checksum(b)}, zlibPart{data: c})
	zr, err := zlib.NewReader(bytes.NewReader(got))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if want := slices.Concat(a, b, c); !bytes.Equal(out, want) {
		t.Errorf("spliced stream inflates to %d bytes, want %d", len(out), len(want))
	}
	if got, want := adler32Combine(adler32.Checksum(a), adler32.Checksum(c), len(c)), adler32.Checksum(slices.Concat(a, c)); got != want {
		t.Errorf("adler32Combine = %08x, want %08x", got, want)
	}
}
