package pdf

import "strings"

// run is a stretch of text drawn with one font.
type run struct {
	font int
	text string
}

// shaped is a string split into font runs, with its advance width in
// thousandths of an em (multiply by the point size / 1000 for points).
type shaped struct {
	runs  []run
	width float64
}

// shape assigns every rune of s to the first font that draws it and merges
// neighbours with the same font into runs. field names the certificate
// field in the error when some rune has no font.
func (r *Renderer) shape(field, s string) (shaped, error) {
	var out shaped
	start, cur := 0, -1
	missing := false
	for i, ch := range s {
		fi := r.pick(ch)
		if fi < 0 {
			missing = true
			continue
		}
		out.width += r.fonts[fi].width(ch)
		if fi != cur {
			if cur >= 0 {
				out.runs = append(out.runs, run{cur, s[start:i]})
			}
			start, cur = i, fi
		}
	}
	if missing {
		return shaped{}, missingError(field, r.Missing(s))
	}
	if cur >= 0 {
		out.runs = append(out.runs, run{cur, s[start:]})
	}
	return out, nil
}

// advance returns the width of ch in thousandths of an em, 0 if undrawable.
func (r *Renderer) advance(ch rune) float64 {
	if fi := r.pick(ch); fi >= 0 {
		return r.fonts[fi].width(ch)
	}
	return 0
}

// Line-breaking classes for Chinese text (a small subset of the rules in
// the W3C "Requirements for Chinese Text Layout"): closing punctuation
// must not start a line and opening punctuation must not end one.
const (
	noLineStart = "，。、；：？！）》」』〕】”’%·…—,.;:?!)]}"
	noLineEnd   = "（《「『〔【“‘([{"
)

func isWordChar(ch rune) bool {
	return ch < 0x80 && (ch >= '0' && ch <= '9' || ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch == '-' || ch == '_' || ch == '/' || ch == '.')
}

// canBreak reports whether a line may end between a and b.
func canBreak(a, b rune) bool {
	if strings.ContainsRune(noLineStart, b) || strings.ContainsRune(noLineEnd, a) {
		return false
	}
	return !(isWordChar(a) && isWordChar(b))
}

// wrap breaks s into lines no wider than maxWidth (thousandths of an em).
// It breaks between any two Chinese characters, honouring the punctuation
// rules above and keeping Latin words and numbers whole where it can; a
// single unbreakable stretch wider than the line is cut where it overflows.
func (r *Renderer) wrap(s string, maxWidth float64) []string {
	rs := []rune(s)
	var lines []string
	start := 0
	for start < len(rs) {
		w := 0.0
		end := start
		lastBreak := -1 // index i such that a break before rs[i] is allowed
		for end < len(rs) {
			cw := r.advance(rs[end])
			if w+cw > maxWidth && end > start {
				break
			}
			w += cw
			end++
			if end < len(rs) && canBreak(rs[end-1], rs[end]) {
				lastBreak = end
			}
		}
		if end < len(rs) && lastBreak > start && !canBreak(rs[end-1], rs[end]) {
			end = lastBreak
		}
		lines = append(lines, string(rs[start:end]))
		start = end
	}
	return lines
}
