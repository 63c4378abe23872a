package wechat

import (
	"crypto/rand"
	"crypto/subtle"
	"errors"

	"github.com/silenceper/wechat/v2/util"
)

// sameString compares signatures in constant time.
func sameString(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// signature is WeChat's sha1 over the sorted strings: token, timestamp and
// nonce for the URL signature, plus the Encrypt text for msg_signature.
func signature(parts ...string) string { return util.Signature(parts...) }

// decrypt opens a safe-mode Encrypt field (WXBizMsgCrypt: AES-256-CBC,
// IV = key[:16], 16 random bytes + length + message + appid) and checks
// the appid it carries.
func decrypt(appID, aesKey, encrypted string) ([]byte, error) {
	_, msg, err := util.DecryptMsg(appID, encrypted, aesKey)
	if err != nil {
		return nil, errors.New("decrypt callback: " + err.Error())
	}
	return msg, nil
}

// encrypt seals a reply with fresh random bytes (the SDK's own server
// reuses the request's, which WeChat does not require).
func encrypt(appID, aesKey string, msg []byte) (string, error) {
	random := make([]byte, 16)
	if _, err := rand.Read(random); err != nil {
		return "", err
	}
	out, err := util.EncryptMsg(random, msg, appID, aesKey)
	if err != nil {
		return "", err
	}
	return string(out), nil
}
