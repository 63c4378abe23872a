package wechat

import (
	"bytes"
	"encoding/xml"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/silenceper/wechat/v2/officialaccount/message"
)

// The callback's XML, read and written without encoding/xml's reflection
// on the common path: under load encoding/xml was a fifth of the
// callback's CPU. Reading takes a fast path only for the flat shape
// WeChat sends (<xml><Name><![CDATA[text]]></Name><Num>123</Num>…</xml>)
// and hands anything else — attributes, namespaces, entities, comments,
// nesting, duplicates, \r, invalid characters — to encoding/xml, so the
// result is always what xml.Unmarshal gives (FuzzFastXML checks it).
// Writing produces the bytes xml.Marshal produces for the SDK's types.

// scanFlat walks <xml> children of the form <Name>text</Name> or
// <Name><![CDATA[text]]></Name>, calling set for each. It reports false,
// having perhaps called set for some children, when data is not of that
// shape or set refused a child.
func scanFlat(data []byte, set func(name, text []byte) bool) bool {
	p := skipSpace(data)
	if !bytes.HasPrefix(p, []byte("<xml>")) {
		return false
	}
	p = p[len("<xml>"):]
	for {
		p = skipSpace(p)
		if bytes.HasPrefix(p, []byte("</xml>")) {
			return len(skipSpace(p[len("</xml>"):])) == 0
		}
		// <Name>
		if len(p) < 2 || p[0] != '<' {
			return false
		}
		n := 1
		for n < len(p) && isNameByte(p[n], n == 1) {
			n++
		}
		if n == 1 || n >= len(p) || p[n] != '>' {
			return false
		}
		name := p[1:n]
		p = p[n+1:]
		var text []byte
		if rest, ok := bytes.CutPrefix(p, []byte("<![CDATA[")); ok {
			end := bytes.Index(rest, []byte("]]>"))
			if end < 0 {
				return false
			}
			text, p = rest[:end], rest[end+len("]]>"):]
		} else {
			end := bytes.IndexByte(p, '<')
			if end < 0 {
				return false
			}
			text, p = p[:end], p[end:]
			if bytes.ContainsAny(text, "&>") {
				return false
			}
		}
		if !plainChars(text) {
			return false
		}
		// </Name>
		if len(p) < len(name)+3 || p[0] != '<' || p[1] != '/' || !bytes.Equal(p[2:2+len(name)], name) || p[2+len(name)] != '>' {
			return false
		}
		p = p[len(name)+3:]
		if !set(name, text) {
			return false
		}
	}
}

// skipSpace skips the blanks encoding/xml ignores between elements, but
// not \r, which it would turn into \n inside text.
func skipSpace(p []byte) []byte {
	for len(p) > 0 && (p[0] == ' ' || p[0] == '\t' || p[0] == '\n') {
		p = p[1:]
	}
	return p
}

// isNameByte: ASCII names only, no ':' (namespaces go the slow way).
func isNameByte(c byte, first bool) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '_' ||
		!first && (c >= '0' && c <= '9' || c == '-' || c == '.')
}

// plainChars: valid UTF-8 of XML characters, without \r (which
// encoding/xml rewrites).
func plainChars(b []byte) bool {
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' {
				return false
			}
			i++
			continue
		}
		r, w := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && w == 1 || !(r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF) {
			return false
		}
		i += w
	}
	return true
}

// flatInt is an integer element's text as xml.Unmarshal reads it; ok is
// false for anything but plain decimal digits in range.
func flatInt(text []byte) (int64, bool) {
	if len(text) == 0 || len(text) > 19 {
		return 0, false
	}
	for _, c := range text {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(string(text), 10, 64)
	return n, err == nil
}

// unmarshalEnvelope reads a safe-mode body into the SDK's envelope.
func unmarshalEnvelope(body []byte, env *message.EncryptedXMLMsg) error {
	var fast message.EncryptedXMLMsg
	var seen uint8
	once := func(bit uint8) bool { ok := seen&bit == 0; seen |= bit; return ok }
	if scanFlat(body, func(name, text []byte) bool {
		switch string(name) {
		case "ToUserName":
			fast.ToUserName = string(text)
			return once(1)
		case "Encrypt":
			fast.EncryptedMsg = string(text)
			return once(2)
		}
		return true
	}) {
		*env = fast
		return nil
	}
	return xml.Unmarshal(body, env)
}

// unmarshalInbound reads a decrypted (or plain) message.
func unmarshalInbound(raw []byte, in *inbound) error {
	var fast inbound
	var seen uint16
	once := func(bit uint16) bool { ok := seen&bit == 0; seen |= bit; return ok }
	num := func(dst *int64, text []byte, bit uint16) bool {
		n, ok := flatInt(text)
		*dst = n
		return ok && once(bit)
	}
	if scanFlat(raw, func(name, text []byte) bool {
		switch string(name) {
		case "ToUserName":
			fast.ToUserName = string(text)
			return once(1 << 0)
		case "FromUserName":
			fast.FromUserName = string(text)
			return once(1 << 1)
		case "CreateTime":
			return num(&fast.CreateTime, text, 1<<2)
		case "MsgType":
			fast.MsgType = string(text)
			return once(1 << 3)
		case "Content":
			fast.Content = string(text)
			return once(1 << 4)
		case "MsgId":
			return num(&fast.MsgID, text, 1<<5)
		case "Event":
			fast.Event = string(text)
			return once(1 << 6)
		case "EventKey":
			fast.EventKey = string(text)
			return once(1 << 7)
		case "MsgID":
			return num(&fast.TemplateMsgID, text, 1<<8)
		case "Status":
			fast.Status = string(text)
			return once(1 << 9)
		}
		return true
	}) {
		*in = fast
		return nil
	}
	return xml.Unmarshal(raw, in)
}

// appendCDATA is encoding/xml's emitCDATA: nothing for "", and a "]]>"
// inside split across two sections.
func appendCDATA(b []byte, s string) []byte {
	if s == "" {
		return b
	}
	b = append(b, "<![CDATA["...)
	for {
		i := strings.Index(s, "]]>")
		if i < 0 {
			break
		}
		b = append(b, s[:i]...)
		b = append(b, "]]]]><![CDATA[>"...)
		s = s[i+3:]
	}
	b = append(b, s...)
	return append(b, "]]>"...)
}

// appendEscaped is encoding/xml's escaping of element text. ASCII bytes
// are looked up in asciiEscapes; only other bytes are decoded as runes. The
// encrypted envelope's base64 text, the longest element in a reply, is all
// ASCII that needs no escaping and is copied in one piece.
func appendEscaped(b []byte, s string) []byte {
	last := 0
	for i := 0; i < len(s); {
		var esc string
		width := 1
		if c := s[i]; c < utf8.RuneSelf {
			if esc = asciiEscapes[c]; esc == "" {
				i++
				continue
			}
		} else {
			var r rune
			r, width = utf8.DecodeRuneInString(s[i:])
			if xmlChar(r) && !(r == utf8.RuneError && width == 1) {
				i += width
				continue
			}
			esc = "\uFFFD"
		}
		b = append(b, s[last:i]...)
		b = append(b, esc...)
		i += width
		last = i
	}
	return append(b, s[last:]...)
}

// asciiEscapes is what encoding/xml writes for each ASCII byte in element
// text: "" keeps the byte, and control characters XML does not allow
// become U+FFFD.
var asciiEscapes = func() (t [utf8.RuneSelf]string) {
	for c := range t {
		if c < 0x20 {
			t[c] = "\uFFFD"
		}
	}
	t['"'], t['\''], t['&'], t['<'], t['>'] = "&#34;", "&#39;", "&amp;", "&lt;", "&gt;"
	t['\t'], t['\n'], t['\r'] = "&#x9;", "&#xA;", "&#xD;"
	return t
}()

// xmlChar reports whether XML allows r (the Char production); the ASCII
// range is settled by asciiEscapes before this is asked.
func xmlChar(r rune) bool {
	return r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

// appendElem appends <name>escaped text</name>; omitEmpty leaves out an
// empty one, as the ",omitempty" tag does.
func appendElem(b []byte, name, text string, omitEmpty bool) []byte {
	if omitEmpty && text == "" {
		return b
	}
	b = append(b, '<')
	b = append(b, name...)
	b = append(b, '>')
	b = appendEscaped(b, text)
	b = append(b, "</"...)
	b = append(b, name...)
	return append(b, '>')
}

// marshalEnvelope is xml.Marshal of message.ResponseEncryptedXMLMsg.
func marshalEnvelope(enc, sig string, ts int64, nonce string) []byte {
	b := make([]byte, 0, len(enc)+len(nonce)+160)
	b = append(b, "<xml>"...)
	b = appendElem(b, "Encrypt", enc, false)
	b = appendElem(b, "MsgSignature", sig, false)
	b = append(b, "<TimeStamp>"...)
	b = strconv.AppendInt(b, ts, 10)
	b = append(b, "</TimeStamp>"...)
	b = appendElem(b, "Nonce", nonce, false)
	return append(b, "</xml>"...)
}
