package roster

import (
	"bytes"
	"fmt"
	"testing"
)

func BenchmarkParseCSV100k(b *testing.B) {
	const n = 100000
	var buf bytes.Buffer
	buf.WriteString("\ufeff" + hdr)
	for i := range n {
		fmt.Fprintf(&buf, "张%d,男,=\"4101021990%08d\",钢筋工,五级,河南省建设培训中心,郑州第一建筑工程有限公司,2024-01-15\n", i, i)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		rows, err := ParseCSV(bytes.NewReader(data))
		if err != nil || len(rows) != n {
			b.Fatalf("%d rows, %v", len(rows), err)
		}
	}
}
