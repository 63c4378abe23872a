package roster

import "strings"

// isTrimmable reports runes that are invisible padding rather than content:
// ASCII whitespace, NBSP and the ideographic space U+3000 that Chinese IMEs
// type, and zero-width/direction marks and BOMs that copy-paste from web
// pages and WeChat leaves behind. Edges only: the caller never sees them,
// yet nothing inside a value is rewritten.
func isTrimmable(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\v', '\f', '\r',
		'\u00a0', '\u3000',
		'\u200b', '\u200c', '\u200d', '\u200e', '\u200f', '\u2060', '\ufeff':
		return true
	}
	return false
}

// cleanCell trims a data cell and undoes the tricks people use to stop Excel
// turning an 18-digit ID number into 4.10102199001E+17: a leading apostrophe
// ('410102...) and a text formula (="410102..."). Both are how the value was
// typed, not part of it.
func cleanCell(s string) string {
	s = strings.TrimFunc(s, isTrimmable)
	if s == "" {
		return s
	}
	switch {
	case s[0] == '\'':
		s = s[1:]
	case len(s) >= 3 && s[0] == '=' && s[1] == '"' && s[len(s)-1] == '"':
		// Inside an Excel string literal a quote is written twice.
		s = strings.ReplaceAll(s[2:len(s)-1], `""`, `"`)
	default:
		return s
	}
	return strings.TrimFunc(s, isTrimmable)
}
