package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"ecert/model"
	"ecert/pdf"
	"ecert/roster"
	"ecert/store"
	"ecert/store/storetest"
)

var (
	surnames = []rune("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕")
	given    = []rune("玥彧燊旻祎伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志文")
	jobs     = []string{"砌筑工", "钢筋工", "混凝土工", "架子工", "电工", "焊工", "木工", "防水工", "抹灰工", "油漆工"}
	levels   = []string{"五级/初级工", "四级", "中级工", "三级/高级工", "二级", "一级/高级技师"}
)

// rosterCSV builds an n-row roster of distinct, valid people.
func rosterCSV(n int) []byte {
	var b bytes.Buffer
	b.WriteString("姓名,性别,身份证号,职业（工种）,等级,培训考核机构,工作单位,发证日期\n")
	for i := 0; i < n; i++ {
		male := i%2 == 0
		sex := "女"
		if male {
			sex = "男"
		}
		birth := time.Date(1965, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%12000)
		id := model.MakeIDNumber("410102", birth, (i/12000)*2+1, male)
		name := string([]rune{surnames[i%len(surnames)], given[i/len(surnames)%len(given)], given[i%len(given)]})
		fmt.Fprintf(&b, "%s,%s,%s,%s,%s,河南省第%d建设职业培训学校,郑州建工集团第%d项目部,2026-03-%02d\n",
			name, sex, id, jobs[i%len(jobs)], levels[i%len(levels)], i%40+1, i%300, i%28+1)
	}
	return b.Bytes()
}

// BenchmarkImport100k is the whole import of a 100,000-row roster: parse,
// validate (ID numbers, glyph coverage of every name), and issue in one
// transaction. Set ECERT_TEST_MYSQL_DSN to measure MySQL.
func BenchmarkImport100k(b *testing.B) {
	n := benchRows()
	data := rosterCSV(n)
	r, err := pdf.NewRenderer(pdf.DefaultFontPaths())
	if err != nil {
		b.Fatal(err)
	}
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, model.ChinaZone)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db := storetest.MustOpenDB(b, nil)
		reg := store.NewRegistry(db.DB)
		b.StartTimer()
		start := time.Now()
		rows, err := roster.ParseCSV(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		rep, err := importRows(context.Background(), reg, r, rows, "bench", now)
		if err != nil {
			b.Fatal(err)
		}
		if len(rep.Issued) != n {
			b.Fatalf("issued %d of %d; rejected %v", len(rep.Issued), n, rep.Rejected[:min(3, len(rep.Rejected))])
		}
		b.ReportMetric(float64(n)/time.Since(start).Seconds(), "rows/s")
	}
}

func TestRosterGeneratorIsValid(t *testing.T) {
	r, err := pdf.NewRenderer(pdf.DefaultFontPaths())
	if err != nil {
		t.Fatal(err)
	}
	rows, err := roster.ParseCSV(bytes.NewReader(rosterCSV(2000)))
	if err != nil {
		t.Fatal(err)
	}
	_, rejected := validateRows(rows, time.Date(2026, 11, 1, 0, 0, 0, 0, model.ChinaZone), r)
	if len(rejected) != 0 {
		t.Fatalf("generated roster has rejected rows: %v", rejected[:min(3, len(rejected))])
	}
}

// benchRows is 100,000 unless ECERT_BENCH_ROWS asks for fewer (profiling).
func benchRows() int {
	if v, err := strconv.Atoi(os.Getenv("ECERT_BENCH_ROWS")); err == nil && v > 0 {
		return v
	}
	return 100_000
}
