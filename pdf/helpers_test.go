package pdf

import (
	"os"
	"sync"
	"testing"
	"time"

	"ecert/internal/testenv"
)

var (
	sharedOnce sync.Once
	shared     *Renderer
	sharedErr  error
)

// testRenderer returns one Renderer for the whole test binary; parsing the
// fonts is the slow part and the Renderer is meant to be shared anyway.
func testRenderer(t testing.TB) *Renderer {
	t.Helper()
	sharedOnce.Do(func() {
		for _, p := range DefaultFontPaths() {
			if _, err := os.Stat(p); err != nil {
				sharedErr = err
				return
			}
		}
		shared, sharedErr = NewRenderer(DefaultFontPaths())
	})
	if sharedErr != nil {
		testenv.Unavailable(t, "fonts unavailable: %v", sharedErr)
	}
	return shared
}

// render renders c with the shared Renderer, failing the test on error.
func render(t testing.TB, c Certificate) []byte {
	t.Helper()
	pdf, err := testRenderer(t).Render(c)
	if err != nil {
		t.Fatal(err)
	}
	return pdf
}

func sampleCert() Certificate {
	return Certificate{
		Occupation: "钢筋工",
		Level:      "四级/中级工",
		Name:       "王玥",
		Sex:        "女",
		IDNumber:   "41010519900307002X",
		CertNo:     "HNJS2026030100123",
		OrgName:    "河南省建设教育协会培训中心",
		IssuedOn:   time.Date(2026, 3, 1, 0, 0, 0, 0, chinaTime),
		VerifyURL:  "https://ecert.hnjsjn.com/v/HNJS2026030100123?k=9f2c4e",
		Website:    "http://www.hnjsjn.com",
	}
}
