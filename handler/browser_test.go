package handler_test

import (
	"context"
	"image"
	"image/png"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"ecert/model"

	"ecert/internal/testenv"
)

// TestVerifyPageInPhoneBrowser loads the verification page in headless
// Chromium at a phone's width (375 px) and looks at the picture: the status
// banner a verifier sees first must be green for a valid certificate and
// red once it is revoked.
func TestVerifyPageInPhoneBrowser(t *testing.T) {
	chromium := testenv.Tool(t, "chromium")
	e := newEnv(t, 100)
	c := e.issue(holder)[0]
	srv := httptest.NewServer(e.router)
	defer srv.Close()
	page := srv.URL + "/v/" + e.signer.Verify(c.ID, c.Version)

	shot := func(name string) image.Image {
		out := filepath.Join(t.TempDir(), name)
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu",
			"--disable-quic", "--no-first-run", "--disable-background-networking",
			"--disable-component-update", "--disable-sync", "--hide-scrollbars",
			"--user-data-dir="+t.TempDir(), "--window-size=375,812",
			"--force-device-scale-factor=1", "--screenshot="+out, page)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("chromium: %v\n%s", err, b)
		}
		f, err := os.Open(out)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		img, err := png.Decode(f)
		if err != nil {
			t.Fatal(err)
		}
		if img.Bounds().Dx() != 375 {
			t.Fatalf("screenshot width %d", img.Bounds().Dx())
		}
		return img
	}
	green, red := bannerColours(shot("valid.png"))
	if green < 5000 || red > 100 {
		t.Errorf("valid certificate: banner has %d green and %d red pixels, want a green banner", green, red)
	}
	if _, err := e.registry.Revoke(context.Background(), c.CertNo, model.RevokeFraud, "", "t"); err != nil {
		t.Fatal(err)
	}
	green, red = bannerColours(shot("revoked.png"))
	if red < 5000 || green > 100 {
		t.Errorf("revoked certificate: banner has %d green and %d red pixels, want a red banner", green, red)
	}
}

// bannerColours counts WeUI green (#07c160) and red (#fa5151) pixels in the
// band under the page header where the status banner sits.
func bannerColours(img image.Image) (green, red int) {
	for y := 100; y < 260; y++ {
		for x := 0; x < 375; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			r, g, b = r>>8, g>>8, b>>8
			switch {
			case r < 30 && g > 170 && g < 215 && b > 70 && b < 120:
				green++
			case r > 225 && g > 60 && g < 110 && b > 60 && b < 110:
				red++
			}
		}
	}
	return green, red
}
