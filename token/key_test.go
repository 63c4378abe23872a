package token

import (
	"bytes"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestLoadKeyGeneratesAndKeeps(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "data", "sub", "signing.key") // directories do not exist yet
	k1, err := LoadKey("", path)
	if err != nil {
		t.Fatal(err)
	}
	if len(k1) != 32 || bytes.Equal(k1, make([]byte, 32)) {
		t.Fatalf("generated key %x: want 32 random bytes", k1)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if mode := fi.Mode().Perm(); mode != 0o600 {
		t.Errorf("key file mode %o, want 600", mode)
	}
	data, _ := os.ReadFile(path)
	if strings.TrimSpace(string(data)) != hex.EncodeToString(k1) {
		t.Errorf("key file holds %q, want the hex of the returned key", data)
	}
	k2, err := LoadKey("", path)
	if err != nil || !bytes.Equal(k1, k2) {
		t.Fatalf("second LoadKey = %x, %v; want the first key %x", k2, err, k1)
	}
	// Tokens signed before a restart still verify after it.
	s1, _ := NewSigner(k1, nil)
	s2, _ := NewSigner(k2, nil)
	if _, _, err := s2.ParseVerify(s1.Verify(9, 1)); err != nil {
		t.Errorf("token from before the restart rejected: %v", err)
	}
	// No temporary files are left behind.
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("key directory holds %v, want only the key", names)
	}
	// Another path gets another key.
	k3, err := LoadKey("", filepath.Join(dir, "other.key"))
	if err != nil || bytes.Equal(k1, k3) {
		t.Errorf("second key file: %x, %v; want a different key", k3, err)
	}
}

func TestLoadKeyConfigured(t *testing.T) {
	dir := t.TempDir()
	key32 := strings.Repeat("ab", 32)
	key48 := strings.Repeat("0f", 48)
	tests := []struct {
		name, configured string
		want             []byte
		ok               bool
	}{
		{"32 bytes", key32, bytes.Repeat([]byte{0xab}, 32), true},
		{"48 bytes", key48, bytes.Repeat([]byte{0x0f}, 48), true},
		{"upper-case hex", strings.ToUpper(key32), bytes.Repeat([]byte{0xab}, 32), true},
		{"31 bytes", strings.Repeat("ab", 31), nil, false},
		{"short", "abcd", nil, false},
		{"not hex", strings.Repeat("zz", 32), nil, false},
		{"odd length", key32 + "a", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.name+".key")
			got, err := LoadKey(tt.configured, path)
			if tt.ok != (err == nil) || !bytes.Equal(got, tt.want) {
				t.Fatalf("LoadKey(%q) = %x, %v; want %x ok=%v", tt.configured, got, err, tt.want, tt.ok)
			}
			if !tt.ok && !strings.Contains(err.Error(), "security.signing_key") {
				t.Errorf("error %q does not name security.signing_key", err)
			}
			// A configured key is used as is; nothing is written.
			if _, err := os.Stat(path); !os.IsNotExist(err) {
				t.Errorf("LoadKey with a configured key touched %s: %v", path, err)
			}
		})
	}
}

func TestLoadKeyBadFile(t *testing.T) {
	dir := t.TempDir()
	tests := []struct{ name, content string }{
		{"short", strings.Repeat("ab", 16) + "\n"},
		{"not hex", "not a key\n"},
		{"empty", ""},
	}
	for _, tt := range tests {
		path := filepath.Join(dir, tt.name)
		if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
			t.Fatal(err)
		}
		if k, err := LoadKey("", path); err == nil {
			t.Errorf("%s key file accepted: %x", tt.name, k)
		} else if !strings.Contains(err.Error(), path) {
			t.Errorf("error %q does not name the file", err)
		}
		// The bad file is not silently replaced.
		if data, _ := os.ReadFile(path); string(data) != tt.content {
			t.Errorf("%s key file was rewritten to %q", tt.name, data)
		}
	}
	// A hand-written key file with surrounding blanks is read.
	path := filepath.Join(dir, "hand")
	os.WriteFile(path, []byte("  "+strings.Repeat("cd", 32)+"\r\n\n"), 0o600)
	if k, err := LoadKey("", path); err != nil || !bytes.Equal(k, bytes.Repeat([]byte{0xcd}, 32)) {
		t.Errorf("hand-written key file: %x, %v", k, err)
	}
}

func TestLoadKeyConcurrentFirstStart(t *testing.T) {
	for round := 0; round < 20; round++ {
		path := filepath.Join(t.TempDir(), "signing.key")
		const n = 8
		keys := make([][]byte, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				keys[i], errs[i] = LoadKey("", path)
			}()
		}
		close(start)
		wg.Wait()
		for i := 0; i < n; i++ {
			if errs[i] != nil {
				t.Fatalf("round %d goroutine %d: %v", round, i, errs[i])
			}
			if !bytes.Equal(keys[i], keys[0]) {
				t.Fatalf("round %d: goroutine %d got key %x, goroutine 0 got %x", round, i, keys[i], keys[0])
			}
		}
		onDisk, err := LoadKey("", path)
		if err != nil || !bytes.Equal(onDisk, keys[0]) {
			t.Fatalf("round %d: key on disk %x differs from the one returned %x", round, onDisk, keys[0])
		}
	}
}
