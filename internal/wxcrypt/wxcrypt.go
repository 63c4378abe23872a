// Package wxcrypt is WeChat's message crypto written from WeChat's
// documentation with the standard library only. The tests and the load
// generator use it to play WeChat's servers, so the server's own crypto is
// never checked against itself.
package wxcrypt

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"slices"
	"sort"
	"strings"
)

// Sign is sha1 over the lexically sorted strings, hex: both the URL
// signature (token, timestamp, nonce) and msg_signature (plus the
// ciphertext).
func Sign(parts ...string) string {
	p := slices.Clone(parts)
	sort.Strings(p)
	h := sha1.Sum([]byte(strings.Join(p, "")))
	return hex.EncodeToString(h[:])
}

// Key decodes a 43-character EncodingAESKey into the 32-byte AES key.
func Key(encodingAESKey string) ([]byte, error) {
	k, err := base64.StdEncoding.DecodeString(encodingAESKey + "=")
	if err != nil || len(k) != 32 {
		return nil, errors.New("EncodingAESKey: want 43 characters of base64 (32 bytes)")
	}
	return k, nil
}

// Encrypt is AES-256-CBC with IV = key[:16] over 16 random bytes, the
// 4-byte big-endian length of msg, msg and the appid, PKCS#7-padded to 32
// bytes, then base64. block is aes.NewCipher(key), passed in so a caller
// encrypting many messages sets it up once.
func Encrypt(block cipher.Block, key []byte, appID string, msg []byte) string {
	n := 20 + len(msg) + len(appID)
	pad := 32 - n%32
	plain := make([]byte, n+pad)
	rand.Read(plain[:16])
	binary.BigEndian.PutUint32(plain[16:20], uint32(len(msg)))
	copy(plain[20:], msg)
	copy(plain[20+len(msg):], appID)
	for j := n; j < len(plain); j++ {
		plain[j] = byte(pad)
	}
	cipher.NewCBCEncrypter(block, key[:16]).CryptBlocks(plain, plain)
	return base64.StdEncoding.EncodeToString(plain)
}

// Decrypt reverses Encrypt, returning the message and the appid it carries.
func Decrypt(key []byte, enc string) (msg []byte, appID string, err error) {
	raw, err := base64.StdEncoding.DecodeString(enc)
	if err != nil || len(raw) == 0 || len(raw)%aes.BlockSize != 0 {
		return nil, "", errors.New("bad ciphertext")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, "", err
	}
	plain := make([]byte, len(raw))
	cipher.NewCBCDecrypter(block, key[:16]).CryptBlocks(plain, raw)
	pad := int(plain[len(plain)-1])
	if pad < 1 || pad > 32 || pad > len(plain) {
		return nil, "", errors.New("bad padding")
	}
	plain = plain[:len(plain)-pad]
	if len(plain) < 20 {
		return nil, "", errors.New("short plaintext")
	}
	n := int(binary.BigEndian.Uint32(plain[16:20]))
	if 20+n > len(plain) {
		return nil, "", errors.New("bad length")
	}
	return plain[20 : 20+n], string(plain[20+n:]), nil
}
