// Package wechat is everything WeChat: the 公众号 callback server
// (/wechat/callback: handshake, signature and AES checks, de-duplication of
// retried callbacks, the conversations), and the API client (access token,
// menu, template messages). It holds no SQL: certificates and bindings come
// through the small Registry interface.
//
// It uses github.com/silenceper/wechat/v2 through its officialaccount,
// util, cache and message packages only. The root package is never
// imported: its init switches logrus to debug level, at which the SDK logs
// every decrypted message, openids and ID numbers included.
package wechat
