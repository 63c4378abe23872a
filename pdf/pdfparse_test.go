package pdf

import (
	"bytes"
	"compress/zlib"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// A deliberately small PDF reader for tests: it understands exactly the
// object layout gofpdf writes (no object streams, no xref streams), which
// is enough to check what was really drawn rather than trusting a text
// extractor.

type pdfObj struct {
	dict   string
	stream []byte // decoded, nil if none
}

var (
	objRe      = regexp.MustCompile(`(?s)(\d+) 0 obj\s*(.*?)endobj`)
	fontRefRe  = regexp.MustCompile(`/(F[0-9a-f]+) (\d+) 0 R`)
	baseFontRe = regexp.MustCompile(`/BaseFont /(\S+)`)
	diffRe     = regexp.MustCompile(`(?s)/Differences \[(.*)\]`)
	tfRe       = regexp.MustCompile(`^/(F[0-9a-f]+) [0-9.]+ Tf`)
)

func parsePDFObjects(t *testing.T, pdf []byte) map[int]pdfObj {
	t.Helper()
	objs := map[int]pdfObj{}
	for _, m := range objRe.FindAllSubmatch(pdf, -1) {
		n, _ := strconv.Atoi(string(m[1]))
		body := m[2]
		o := pdfObj{dict: string(body)}
		if i := bytes.Index(body, []byte("stream\n")); i >= 0 {
			o.dict = string(body[:i])
			data := body[i+len("stream\n"):]
			data = data[:bytes.LastIndex(data, []byte("endstream"))]
			data = bytes.TrimSuffix(data, []byte("\n"))
			if strings.Contains(o.dict, "/FlateDecode") {
				zr, err := zlib.NewReader(bytes.NewReader(data))
				if err != nil {
					t.Fatalf("object %d: %v", n, err)
				}
				dec, err := io.ReadAll(zr)
				if err != nil {
					t.Fatalf("object %d: inflate: %v", n, err)
				}
				data = dec
			}
			o.stream = data
		}
		objs[n] = o
	}
	return objs
}

func ref(t *testing.T, dict, key string) int {
	t.Helper()
	m := regexp.MustCompile(regexp.QuoteMeta(key) + `\s+(\d+) 0 R`).FindStringSubmatch(dict)
	if m == nil {
		t.Fatalf("no %s in %q", key, dict)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// embeddedFont is a simple font as it appears in the PDF: its code →
// glyph name encoding and the parsed font program.
type embeddedFont struct {
	baseFont string
	names    map[byte]string
	program  *sfnt
}

// drawnGlyph is one character code shown by a Tj operator.
type drawnGlyph struct {
	font *embeddedFont
	code byte
}

// drawnGlyphs returns every glyph shown in the page content, with the
// font it was shown in.
func drawnGlyphs(t *testing.T, pdf []byte) []drawnGlyph {
	t.Helper()
	objs := parsePDFObjects(t, pdf)
	fonts := map[string]*embeddedFont{} // resource name → font
	var content []byte
	for _, o := range objs {
		if strings.Contains(o.dict, "/Type /Page\n") || strings.Contains(o.dict, "/Type /Page ") {
			content = objs[ref(t, o.dict, "/Contents")].stream
		}
		for _, m := range fontRefRe.FindAllStringSubmatch(o.dict, -1) {
			n, _ := strconv.Atoi(m[2])
			fd := objs[n].dict
			if !strings.Contains(fd, "/Subtype /TrueType") {
				t.Fatalf("font %s is not a simple TrueType font: %q", m[1], fd)
			}
			ef := &embeddedFont{names: map[byte]string{}}
			ef.baseFont = baseFontRe.FindStringSubmatch(fd)[1]
			enc := objs[ref(t, fd, "/Encoding")].dict
			diff := diffRe.FindStringSubmatch(enc)[1]
			code := -1
			for _, tok := range strings.Fields(diff) {
				if strings.HasPrefix(tok, "/") {
					ef.names[byte(code)] = tok[1:]
					code++
				} else {
					code, _ = strconv.Atoi(tok)
				}
			}
			desc := objs[ref(t, fd, "/FontDescriptor")].dict
			prog := objs[ref(t, desc, "/FontFile2")].stream
			f, err := parseSFNT(ef.baseFont, prog)
			if err != nil {
				t.Fatalf("embedded font %s: %v", ef.baseFont, err)
			}
			ef.program = f
			fonts[m[1]] = ef
		}
	}
	if content == nil {
		t.Fatal("no page content found")
	}
	var out []drawnGlyph
	var cur *embeddedFont
	for i := 0; i < len(content); i++ {
		switch content[i] {
		case '/':
			if m := tfRe.FindSubmatch(content[i:]); m != nil {
				cur = fonts[string(m[1])]
				if cur == nil {
					t.Fatalf("content selects unknown font %s", m[1])
				}
			}
		case '(':
			var s []byte
			for i++; content[i] != ')'; i++ {
				if content[i] == '\\' {
					i++
					switch content[i] {
					case 'r':
						s = append(s, '\r')
					case 'n':
						s = append(s, '\n')
					default:
						s = append(s, content[i])
					}
					continue
				}
				s = append(s, content[i])
			}
			if cur == nil {
				t.Fatal("text shown before any font is selected")
			}
			for _, c := range s {
				out = append(out, drawnGlyph{cur, c})
			}
		}
	}
	return out
}

// runeFromGlyphName decodes an Adobe Glyph List "uniXXXX" name.
func runeFromGlyphName(name string) (rune, bool) {
	if len(name) != 7 || !strings.HasPrefix(name, "uni") {
		return 0, false
	}
	v, err := strconv.ParseUint(name[3:], 16, 16)
	return rune(v), err == nil
}
