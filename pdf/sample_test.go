package pdf

import (
	"os"
	"testing"
)

func TestWriteSample(t *testing.T) {
	out := os.Getenv("ECERT_SAMPLE")
	if out == "" {
		t.Skip("set ECERT_SAMPLE=/path.pdf to write a sample")
	}
	c := sampleCert()
	c.Revoked = os.Getenv("ECERT_REVOKED") != ""
	if err := os.WriteFile(out, render(t, c), 0o644); err != nil {
		t.Fatal(err)
	}
}
