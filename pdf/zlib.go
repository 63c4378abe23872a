package pdf

import (
	"bytes"
	"compress/flate"
	"hash/adler32"
	"sync"
)

// A zlib stream is a two-byte header, raw DEFLATE data and the Adler-32 of
// the uncompressed bytes. DEFLATE data compressed in independent pieces
// can be concatenated as long as every piece but the last ends with a
// byte-aligned, non-final block, which is exactly what a sync flush
// produces; Adler-32 values of pieces combine arithmetically. That lets a
// font subset reuse the compressed glyphs shared by every certificate.

// zlibPart is one piece of a spliced stream. If z is nil, data goes into
// stored (uncompressed) blocks; otherwise z and adler are data's
// precomputed flushed DEFLATE form and Adler-32.
type zlibPart struct {
	data  []byte
	z     []byte
	adler uint32
}

// zlibSplice returns the zlib stream of the concatenation of parts' data.
// No compressor runs here: pieces are either precompressed or stored.
func zlibSplice(parts ...zlibPart) []byte {
	size := 2 + 5 + 4
	for _, p := range parts {
		if p.z != nil {
			size += len(p.z)
		} else {
			size += len(p.data) + 5*(len(p.data)/0xFFFF+1)
		}
	}
	out := make([]byte, 0, size)
	out = append(out, 0x78, 0x01) // deflate, 32K window, no dictionary
	sum := uint32(1)
	for _, p := range parts {
		if p.z != nil {
			out = append(out, p.z...)
			sum = adler32Combine(sum, p.adler, len(p.data))
			continue
		}
		for d := p.data; len(d) > 0; {
			n := min(len(d), 0xFFFF)
			// Non-final stored block: header bits 000 padded to a byte,
			// then LEN and its complement, little-endian.
			out = append(out, 0, byte(n), byte(n>>8), ^byte(n), ^byte(n>>8))
			out = append(out, d[:n]...)
			d = d[n:]
		}
		sum = adler32Combine(sum, adler32.Checksum(p.data), len(p.data))
	}
	out = append(out, 1, 0, 0, 0xFF, 0xFF) // empty final stored block
	return be.AppendUint32(out, sum)
}

// deflaters recycles compressors for the cached pieces; a new one
// allocates about a megabyte.
var deflaters = sync.Pool{New: func() any {
	w, _ := flate.NewWriter(nil, flate.BestCompression)
	return w
}}

// deflateBest compresses data as hard as DEFLATE allows and ends with a
// sync flush, for pieces computed once and spliced into many streams.
func deflateBest(data []byte) []byte {
	var buf bytes.Buffer
	w := deflaters.Get().(*flate.Writer)
	defer deflaters.Put(w)
	w.Reset(&buf)
	w.Write(data)
	w.Flush()
	return buf.Bytes()
}

// adler32Combine returns the Adler-32 of A‖B from those of A and B and the
// length of B (the method of zlib's adler32_combine).
func adler32Combine(a, b uint32, lenB int) uint32 {
	const mod = 65521
	rem := uint32(lenB % mod)
	s1 := a & 0xffff
	s2 := rem * s1 % mod
	s1 += (b & 0xffff) + mod - 1
	s2 += (a >> 16) + (b >> 16) + mod - rem
	if s1 >= mod {
		s1 -= mod
	}
	if s1 >= mod {
		s1 -= mod
	}
	if s2 >= 2*mod {
		s2 -= 2 * mod
	}
	if s2 >= mod {
		s2 -= mod
	}
	return s2<<16 | s1
}
