package token

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// LoadKey returns the signing key: the configured hex key if set, else the
// key in path, generated there on first start and kept, so printed QR codes
// stay valid across restarts.
func LoadKey(configured, path string) ([]byte, error) {
	if configured != "" {
		return decodeKey(configured, "security.signing_key")
	}
	data, err := os.ReadFile(path)
	if err == nil {
		return decodeKey(strings.TrimSpace(string(data)), path)
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read signing key: %w", err)
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("create key directory: %w", err)
	}
	// Write a private temporary file, then hard-link it into place: the link
	// fails if another process got there first, and nobody can read a
	// half-written key. The loser reads the winner's key.
	tmp, err := os.CreateTemp(filepath.Dir(path), ".signing-key-*")
	if err != nil {
		return nil, fmt.Errorf("create signing key: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(hex.EncodeToString(key) + "\n"); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("write signing key: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("write signing key: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, os.ErrExist) {
			return LoadKey("", path)
		}
		return nil, fmt.Errorf("install signing key: %w", err)
	}
	return key, nil
}

func decodeKey(s, where string) ([]byte, error) {
	key, err := hex.DecodeString(s)
	if err != nil || len(key) < 32 {
		return nil, fmt.Errorf("%s: want at least 32 bytes as hex", where)
	}
	return key, nil
}
