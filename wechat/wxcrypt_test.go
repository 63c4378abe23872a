package wechat_test

import (
	"crypto/aes"

	"ecert/internal/wxcrypt"
)

// The tests play WeChat's servers with ecert/internal/wxcrypt, written
// from WeChat's documentation independently of the code under test.

func wxSign(parts ...string) string { return wxcrypt.Sign(parts...) }

func aesKeyOf(encodingAESKey string) []byte {
	k, err := wxcrypt.Key(encodingAESKey)
	if err != nil {
		panic(err)
	}
	return k
}

func wxEncrypt(key []byte, appID string, msg []byte) string {
	block, err := aes.NewCipher(key)
	if err != nil {
		panic(err)
	}
	return wxcrypt.Encrypt(block, key, appID, msg)
}

func wxDecrypt(key []byte, enc string) ([]byte, string, error) { return wxcrypt.Decrypt(key, enc) }
