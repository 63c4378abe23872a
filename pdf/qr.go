package pdf

import (
	"fmt"
	"strconv"

	qrcode "github.com/yeqown/go-qrcode/v2"
)

// qrQuietZone is the blank margin, in modules, that scanners need around
// the symbol; the QR specification asks for four.
const qrQuietZone = 4

// qrMatrix encodes text at error-correction level M (15% recovery: enough
// for a printed, possibly creased certificate while keeping the symbol
// small) and returns its dark modules as rows[y][x]. The library is used
// only to compute the matrix; drawing is ours.
func qrMatrix(text string) ([][]bool, error) {
	q, err := qrcode.NewWith(text, qrcode.WithErrorCorrectionLevel(qrcode.ErrorCorrectionMedium))
	if err != nil {
		return nil, fmt.Errorf("pdf: encode QR code: %w", err)
	}
	var w matrixGrabber
	if err := q.Save(&w); err != nil {
		return nil, fmt.Errorf("pdf: encode QR code: %w", err)
	}
	return w.rows, nil
}

// matrixGrabber is a qrcode.Writer that keeps the module bitmap instead of
// producing an image.
type matrixGrabber struct{ rows [][]bool }

func (g *matrixGrabber) Write(m qrcode.Matrix) error { g.rows = m.Bitmap(); return nil }
func (g *matrixGrabber) Close() error                { return nil }

// qrPath returns PDF content-stream operators that paint the symbol as
// filled vector rectangles, so it stays sharp at any zoom and print
// resolution. Coordinates are whole modules under a single transform, and
// horizontal runs of dark modules become one rectangle each, which keeps
// the stream a few kilobytes. All rectangles form one path filled once, so
// anti-aliasing cannot leave hairline seams between neighbouring modules.
//
// (x, y) is the top-left corner of the quiet zone in PDF points from the
// bottom-left of the page, module is the module size in points.
func qrPath(rows [][]bool, x, y, module float64) []byte {
	b := make([]byte, 0, 4096)
	b = append(b, "q 0 0 0 rg "...)
	// Flip the y axis so that row r is r modules below the top edge.
	b = appendFloat(b, module)
	b = append(b, " 0 0 "...)
	b = appendFloat(b, -module)
	b = append(b, ' ')
	b = appendFloat(b, x+qrQuietZone*module)
	b = append(b, ' ')
	b = appendFloat(b, y-qrQuietZone*module)
	b = append(b, " cm\n"...)
	for r, row := range rows {
		for c := 0; c < len(row); {
			if !row[c] {
				c++
				continue
			}
			start := c
			for c < len(row) && row[c] {
				c++
			}
			b = strconv.AppendInt(b, int64(start), 10)
			b = append(b, ' ')
			b = strconv.AppendInt(b, int64(r), 10)
			b = append(b, ' ')
			b = strconv.AppendInt(b, int64(c-start), 10)
			b = append(b, " 1 re\n"...)
		}
	}
	return append(b, "f Q"...)
}

func appendFloat(b []byte, v float64) []byte {
	return strconv.AppendFloat(b, v, 'f', 3, 64)
}
