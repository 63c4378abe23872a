package wechat

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/silenceper/wechat/v2/officialaccount/message"
)

// ServeHTTP is /wechat/callback. Anything that fails a check gets a bare
// status and no reply, and changes nothing.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		s.handshake(w, r)
	case http.MethodPost:
		s.callback(w, r)
	default:
		w.WriteHeader(http.StatusMethodNotAllowed)
	}
}

// handshake is WeChat's URL check when the server address is configured:
// echo echostr, but only to a request signed with our token.
func (s *Server) handshake(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if code := s.checkURL(q); code != 0 {
		w.WriteHeader(code)
		return
	}
	echo := q.Get("echostr")
	if echo == "" {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, echo)
}

// checkURL verifies the URL signature and the timestamp's freshness (a
// captured callback cannot be replayed later); it returns the status to
// refuse with, or 0.
func (s *Server) checkURL(q url.Values) int {
	ts, nonce := q.Get("timestamp"), q.Get("nonce")
	if !sameString(q.Get("signature"), signature(s.opts.Token, ts, nonce)) {
		return http.StatusForbidden
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return http.StatusForbidden
	}
	if d := s.now().Sub(time.Unix(sec, 0)); d > maxClockSkew || d < -maxClockSkew {
		return http.StatusForbidden
	}
	return 0
}

func (s *Server) callback(w http.ResponseWriter, r *http.Request) {
	if r.ContentLength > maxBody {
		w.WriteHeader(http.StatusRequestEntityTooLarge)
		return
	}
	q := r.URL.Query()
	if code := s.checkURL(q); code != 0 {
		w.WriteHeader(code)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			w.WriteHeader(http.StatusRequestEntityTooLarge)
		} else {
			w.WriteHeader(http.StatusBadRequest)
		}
		return
	}
	in, safe, code := s.open(q, body)
	if code != 0 {
		w.WriteHeader(code)
		return
	}
	out := s.answer(r.Context(), in)
	s.write(w, q, safe, out)
}

// open checks and decrypts the body into a message. Safe and compatible
// mode (encrypt_type=aes) must carry a right msg_signature over the
// Encrypt field; plain mode is accepted only when no AES key is configured.
func (s *Server) open(q url.Values, body []byte) (*inbound, bool, int) {
	safe := q.Get("encrypt_type") == "aes"
	switch {
	case safe && s.opts.EncodingAESKey == "":
		return nil, false, http.StatusBadRequest
	case !safe && s.opts.EncodingAESKey != "":
		return nil, false, http.StatusForbidden
	}
	raw := body
	if safe {
		var env message.EncryptedXMLMsg
		if err := unmarshalEnvelope(body, &env); err != nil || env.EncryptedMsg == "" {
			return nil, true, http.StatusBadRequest
		}
		want := signature(s.opts.Token, q.Get("timestamp"), q.Get("nonce"), env.EncryptedMsg)
		if !sameString(q.Get("msg_signature"), want) {
			return nil, true, http.StatusForbidden
		}
		var err error
		if raw, err = s.crypt.decrypt(env.EncryptedMsg); err != nil {
			return nil, true, http.StatusBadRequest
		}
	}
	var in inbound
	if err := unmarshalInbound(raw, &in); err != nil || in.FromUserName == "" || in.MsgType == "" {
		return nil, safe, http.StatusBadRequest
	}
	return &in, safe, 0
}

// answer returns the reply XML (nil: nothing to say), once per callback:
// a retry of a callback already answered, here or on another instance,
// gets the stored reply and has no further effect.
func (s *Server) answer(parent context.Context, in *inbound) []byte {
	ctx, cancel := context.WithTimeout(parent, replyBudget)
	defer cancel()
	key := in.dedupKey()
	owned, stored, done, err := s.dedup.claim(ctx, key, retryWait)
	if err != nil {
		// Without the shared store a retry might act twice, but every
		// effect is idempotent or counted against the user only; refusing
		// all callbacks would be worse.
		s.log.Warn("wechat de-duplication unavailable", "err", err)
		owned = true
	}
	if !owned {
		if done {
			return stored
		}
		return nil // the first is still at work; WeChat keeps its answer
	}
	rep, err := s.converse(ctx, in)
	// The answer is stored (or the key released) even when the request
	// context has ended, but within a second, so a hung Redis cannot push
	// the reply past WeChat's 5 s.
	sctx, scancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
	defer scancel()
	if err != nil {
		s.log.Error("wechat conversation failed", "msgtype", in.MsgType, "event", in.Event, "err", err)
		s.dedup.release(sctx, key)
		return textReply(msgBusy).marshal(in, s.now())
	}
	var out []byte // nil: answered "success"
	if !rep.empty() {
		out = rep.marshal(in, s.now())
	}
	if err := s.dedup.store(sctx, key, out); err != nil {
		s.log.Warn("wechat de-duplication store failed", "err", err)
	}
	return out
}

// write sends the reply: "success" when there is nothing to say (WeChat's
// documented empty answer), encrypted and signed in safe mode.
func (s *Server) write(w http.ResponseWriter, q url.Values, safe bool, out []byte) {
	if len(out) == 0 {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "success")
		return
	}
	if safe {
		enc, err := s.crypt.encrypt(out)
		if err != nil {
			s.log.Error("wechat encrypt reply", "err", err)
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		ts, nonce := q.Get("timestamp"), q.Get("nonce")
		sec, _ := strconv.ParseInt(ts, 10, 64)
		out = marshalEnvelope(enc, signature(s.opts.Token, ts, nonce, enc), sec, nonce)
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.Write(out)
}
