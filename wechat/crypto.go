package wechat

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
)

// sameString compares signatures in constant time.
func sameString(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// signature is WeChat's sha1 over the sorted strings: token, timestamp and
// nonce for the URL signature, plus the Encrypt text for msg_signature
// (the SDK's util.Signature without fmt).
func signature(parts ...string) string {
	sort.Strings(parts)
	h := sha1.New()
	for _, s := range parts {
		h.Write([]byte(s))
	}
	var sum [sha1.Size]byte
	return hex.EncodeToString(h.Sum(sum[:0]))
}

// crypter is WeChat's message crypto (WXBizMsgCrypt: AES-256-CBC, IV =
// key[:16], plaintext = 16 random bytes + 4-byte big-endian length +
// message + appid, PKCS#7 padded to 32) with the key decoded and expanded
// once, not on every callback as the SDK's util.EncryptMsg and DecryptMsg
// do. It follows those functions check for check. The AES block is only
// read after NewCipher, so one crypter serves every request.
type crypter struct {
	appID string
	key   []byte
	block cipher.Block
}

// blockSize is WeChat's PKCS#7 block, not AES's.
const blockSize = 32

func newCrypter(appID, encodingAESKey string) (*crypter, error) {
	if len(encodingAESKey) != 43 {
		return nil, errors.New("the length of encodedAESKey must be equal to 43")
	}
	key, err := base64.StdEncoding.DecodeString(encodingAESKey + "=")
	if err != nil {
		return nil, err
	}
	if len(key) != 32 {
		return nil, errors.New("encodingAESKey invalid")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return &crypter{appID: appID, key: key, block: block}, nil
}

// decrypt opens a safe-mode Encrypt field and checks the appid it carries.
func (c *crypter) decrypt(encrypted string) ([]byte, error) {
	ct, err := base64.StdEncoding.DecodeString(encrypted)
	if err != nil {
		return nil, errors.New("decrypt callback: " + err.Error())
	}
	if len(ct) < blockSize || len(ct)%blockSize != 0 {
		return nil, fmt.Errorf("decrypt callback: ciphertext length %d", len(ct))
	}
	plain := make([]byte, len(ct))
	cipher.NewCBCDecrypter(c.block, c.key[:16]).CryptBlocks(plain, ct)
	pad := int(plain[len(plain)-1])
	if pad < 1 || pad > blockSize {
		return nil, fmt.Errorf("decrypt callback: padding %d", pad)
	}
	plain = plain[:len(plain)-pad]
	if len(plain) <= 20 {
		return nil, fmt.Errorf("decrypt callback: plaintext too short (%d)", len(plain))
	}
	n := uint64(plain[16])<<24 | uint64(plain[17])<<16 | uint64(plain[18])<<8 | uint64(plain[19])
	if uint64(len(plain)) <= 20+n {
		return nil, fmt.Errorf("decrypt callback: message length %d too large", n)
	}
	if string(plain[20+n:]) != c.appID {
		return nil, errors.New("decrypt callback: appid does not match")
	}
	return plain[20 : 20+n : 20+n], nil
}

// encrypt seals a reply with fresh random bytes (the SDK's own server
// reuses the request's, which WeChat does not require).
func (c *crypter) encrypt(msg []byte) (string, error) {
	content := 20 + len(msg) + len(c.appID)
	pad := blockSize - content%blockSize
	plain := make([]byte, content+pad)
	if _, err := rand.Read(plain[:16]); err != nil {
		return "", err
	}
	n := uint32(len(msg))
	plain[16], plain[17], plain[18], plain[19] = byte(n>>24), byte(n>>16), byte(n>>8), byte(n)
	copy(plain[20:], msg)
	copy(plain[20+len(msg):], c.appID)
	for i := content; i < len(plain); i++ {
		plain[i] = byte(pad)
	}
	cipher.NewCBCEncrypter(c.block, c.key[:16]).CryptBlocks(plain, plain)
	return base64.StdEncoding.EncodeToString(plain), nil
}
