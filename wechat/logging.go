package wechat

import "github.com/sirupsen/logrus"

// quietSDKLogs keeps the SDK's logrus output free of message bodies: at
// debug level silenceper logs whole requests and replies. Raising the
// threshold to Warn (never lowering it) is safe to repeat and undoes a
// debug level set by any other import.
func quietSDKLogs() {
	if logrus.GetLevel() > logrus.WarnLevel {
		logrus.SetLevel(logrus.WarnLevel)
	}
}
