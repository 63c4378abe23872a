// Command loadgen drives ecert's WeChat callback (safe/AES mode) over
// loopback TCP from a process of its own, as cheaply per request as it
// can: every callback is built, encrypted, signed and serialised as raw
// HTTP/1.1 bytes before the clock starts, and each connection then only
// writes those bytes and parses the status line, the headers and a
// Content-Length (or chunked) body.
//
//	go build -o bin/loadgen ./scripts/loadgen
//	bin/loadgen -addr 127.0.0.1:8080 -token T -aes-key K -app-id A \
//	    -text '王玥 410102199001010127' -c 200 -d 10s
//
// Without -rate every connection sends its next request as soon as the
// last is answered (a closed loop: saturation, where latency is about
// connections / throughput whatever the server does). With -rate the
// connections together send that many requests per second on a fixed
// schedule (an open loop) and latency counts from each request's
// scheduled send time, so a server falling behind shows as latency, not
// as a lower send rate.
//
// The crypto comes from ecert/internal/wxcrypt, written from WeChat's
// documentation independently of the server's, as the tests use it.
package main

import (
	"bufio"
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"ecert/internal/wxcrypt"
)

// Bounds whatever the flags say: a run's memory and length, and the
// server's 5-minute timestamp window (every callback is stamped at build
// time).
const (
	maxRequests = 1_000_000
	maxDuration = 4 * time.Minute
	maxConns    = 2000
)

type config struct {
	addr, path           string
	token, aesKey, appID string
	toUser, text         string
	openIDs              int
	conns, n, rate       int
	duration, timeout    time.Duration
	expect, want         string
	quiet                bool
}

func main() {
	var c config
	flag.StringVar(&c.addr, "addr", "127.0.0.1:8080", "server `host:port`; loopback only")
	flag.StringVar(&c.path, "path", "/wechat/callback", "callback path")
	flag.StringVar(&c.token, "token", "", "wechat.token (required)")
	flag.StringVar(&c.aesKey, "aes-key", "", "wechat.encoding_aes_key, 43 characters (required)")
	flag.StringVar(&c.appID, "app-id", "", "wechat.app_id (required)")
	flag.StringVar(&c.toUser, "to", "gh_ecert_load", "ToUserName of the callbacks")
	flag.StringVar(&c.text, "text", "", "text message content, e.g. '姓名 身份证号' (required)")
	flag.IntVar(&c.openIDs, "openids", 5000, "distinct FromUserName openids, used in turn")
	flag.IntVar(&c.conns, "c", 200, "keep-alive connections")
	flag.IntVar(&c.n, "n", 200_000, "callbacks pre-built; the run stops when they are used up")
	flag.DurationVar(&c.duration, "d", 10*time.Second, "run length")
	flag.IntVar(&c.rate, "rate", 0, "requests per second over all connections (0: as fast as answered)")
	flag.DurationVar(&c.timeout, "timeout", 10*time.Second, "per-request read/write deadline")
	flag.StringVar(&c.expect, "expect", "<Encrypt>", "a reply body must contain this (empty: any 200)")
	flag.StringVar(&c.want, "want", "", "before the run, send one callback, decrypt the reply and require this text in it (e.g. the holder's name: the query hits)")
	flag.BoolVar(&c.quiet, "q", false, "print only the result line")
	flag.Parse()
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

func run(c config) error {
	switch {
	case c.token == "" || c.aesKey == "" || c.appID == "" || c.text == "":
		return errors.New("-token, -aes-key, -app-id and -text are required")
	case c.conns < 1 || c.conns > maxConns:
		return fmt.Errorf("-c: want 1..%d", maxConns)
	case c.n < 1 || c.n > maxRequests:
		return fmt.Errorf("-n: want 1..%d", maxRequests)
	case c.duration <= 0 || c.duration > maxDuration:
		return fmt.Errorf("-d: want up to %s (callbacks are stamped when built; the server accepts 5 minutes of skew)", maxDuration)
	case c.openIDs < 1:
		return errors.New("-openids: want at least 1")
	case c.rate < 0:
		return errors.New("-rate: want 0 or more")
	}
	addr, err := loopback(c.addr)
	if err != nil {
		return err
	}
	key, err := wxcrypt.Key(c.aesKey)
	if err != nil {
		return err
	}
	logf := func(format string, args ...any) {
		if !c.quiet {
			fmt.Fprintf(os.Stderr, format+"\n", args...)
		}
	}

	t := time.Now()
	reqs := build(c, key, addr)
	logf("built %d signed, encrypted callbacks (%d openids) in %s", len(reqs), min(c.openIDs, c.n), time.Since(t).Round(time.Millisecond))
	if c.want != "" {
		// A callback of its own, so the run's are all fresh.
		block, _ := aes.NewCipher(key)
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		plain, err := probe(addr, request(c, block, key, addr, ts, time.Now().UnixNano()/1000-1, 0), c, key)
		if err != nil {
			return fmt.Errorf("probe: %w", err)
		}
		if !strings.Contains(plain, c.want) {
			return fmt.Errorf("probe: the reply does not contain %q:\n%s", c.want, plain)
		}
		logf("probe: the decrypted reply contains %q", c.want)
	}

	// Connect everything before the clock starts.
	conns := make([]net.Conn, c.conns)
	for i := range conns {
		if conns[i], err = dial(addr); err != nil {
			return fmt.Errorf("connect %d: %w", i, err)
		}
	}
	logf("%d connections open to %s; running %s%s", len(conns), addr, c.duration, pace(c.rate))

	var (
		next   atomic.Int64
		errs   atomic.Int64
		bad    atomic.Int64 // answered, but not 200 or not the expected body
		lat    = make([][]time.Duration, c.conns)
		errMu  sync.Mutex
		first  = map[string]int{} // error texts, counted
		expect = []byte(c.expect)
	)
	noteErr := func(err error) {
		errs.Add(1)
		errMu.Lock()
		first[err.Error()]++
		errMu.Unlock()
	}
	perConn := c.n/c.conns + 1
	if c.rate > 0 {
		perConn = min(perConn, int(float64(c.rate)*c.duration.Seconds())/c.conns+2)
	}
	var ru0 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
	start := time.Now()
	stop := start.Add(c.duration)
	var wg sync.WaitGroup
	for w := range c.conns {
		lat[w] = make([]time.Duration, 0, perConn)
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn := conns[w]
			br := bufio.NewReaderSize(conn, 8<<10)
			var body []byte
			for k := 0; ; k++ {
				t0 := time.Now()
				if c.rate > 0 {
					// Connection w sends requests w, w+C, w+2C… of one
					// schedule at the given total rate.
					t0 = start.Add(time.Duration(float64(k*c.conns+w) / float64(c.rate) * float64(time.Second)))
					if !t0.Before(stop) {
						return
					}
					if d := time.Until(t0); d > 0 {
						time.Sleep(d)
					}
				} else if !t0.Before(stop) {
					return
				}
				i := next.Add(1) - 1
				if i >= int64(len(reqs)) {
					return
				}
				if conn == nil {
					var err error
					if conn, err = dial(addr); err != nil {
						noteErr(err)
						time.Sleep(10 * time.Millisecond)
						continue
					}
					br.Reset(conn)
				}
				conn.SetDeadline(time.Now().Add(c.timeout))
				var status int
				var keep bool
				_, err := conn.Write(reqs[i])
				if err == nil {
					status, keep, body, err = readResponse(br, body[:0])
				}
				if err != nil {
					noteErr(err)
					conn.Close()
					conn = nil
					continue
				}
				lat[w] = append(lat[w], time.Since(t0))
				if status != 200 || !bytes.Contains(body, expect) {
					bad.Add(1)
					errMu.Lock()
					if len(first) < 20 {
						first[fmt.Sprintf("status %d body %.80q", status, body)]++
					}
					errMu.Unlock()
				}
				if !keep {
					conn.Close()
					conn = nil
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	var ru1 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
	for _, conn := range conns {
		if conn != nil {
			conn.Close()
		}
	}

	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	if len(all) == 0 {
		return fmt.Errorf("no request was answered (%d errors: %v)", errs.Load(), first)
	}
	slices.Sort(all)
	pct := func(p float64) time.Duration { return all[int(float64(len(all)-1)*p)] }
	ms := func(d time.Duration) string { return strconv.FormatFloat(float64(d)/1e6, 'f', 1, 64) + "ms" }
	mode := "saturating"
	if c.rate > 0 {
		mode = fmt.Sprintf("paced at %d/s", c.rate)
	}
	cpu := cpuSeconds(ru1) - cpuSeconds(ru0)
	fmt.Printf("%s: %d answered over %d connections in %s: %.0f/s  p50 %s  p90 %s  p99 %s  max %s  errors %d  bad %d  (loadgen cpu %.2fs = %.0f%% of one core)\n",
		mode, len(all), c.conns, elapsed.Round(time.Millisecond), float64(len(all))/elapsed.Seconds(),
		ms(pct(0.50)), ms(pct(0.90)), ms(pct(0.99)), ms(all[len(all)-1]), errs.Load(), bad.Load(),
		cpu, 100*cpu/elapsed.Seconds())
	if int(next.Load()) >= len(reqs) && c.rate == 0 {
		fmt.Fprintf(os.Stderr, "loadgen: all %d pre-built callbacks were used before %s; raise -n for a full run\n", len(reqs), c.duration)
	}
	if len(first) > 0 {
		keys := make([]string, 0, len(first))
		for k := range first {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(os.Stderr, "loadgen: %d× %s\n", first[k], k)
		}
	}
	if errs.Load() > 0 || bad.Load() > 0 {
		return fmt.Errorf("%d errors, %d unexpected answers", errs.Load(), bad.Load())
	}
	return nil
}

func pace(rate int) string {
	if rate > 0 {
		return fmt.Sprintf(", paced at %d/s", rate)
	}
	return ", saturating"
}

func cpuSeconds(r syscall.Rusage) float64 {
	return float64(r.Utime.Nano()+r.Stime.Nano()) / 1e9
}

// loopback accepts only a loopback address: this tool is for measuring a
// server on the same machine, not for loading anyone else's.
func loopback(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("-addr %q: %w", addr, err)
	}
	if p, err := strconv.Atoi(port); err != nil || p < 1 || p > 65535 {
		return "", fmt.Errorf("-addr %q: bad port", addr)
	}
	if host == "localhost" {
		host = "127.0.0.1"
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return "", fmt.Errorf("-addr %q: refusing a non-loopback address (want 127.0.0.1, ::1 or localhost)", addr)
	}
	return net.JoinHostPort(ip.String(), port), nil
}

func dial(addr string) (net.Conn, error) {
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	// The requests are written whole; Nagle would only delay them.
	conn.(*net.TCPConn).SetNoDelay(true)
	return conn, nil
}

// build pre-builds n callbacks as raw requests, on every core.
func build(c config, key []byte, addr string) [][]byte {
	reqs := make([][]byte, c.n)
	base := time.Now().UnixNano() / 1000 // MsgIds unique across runs
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for g := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			block, _ := aes.NewCipher(key)
			for i := g; i < c.n; i += workers {
				reqs[i] = request(c, block, key, addr, ts, base+int64(i), i)
			}
		}()
	}
	wg.Wait()
	return reqs
}

func request(c config, block cipher.Block, key []byte, addr, ts string, msgID int64, i int) []byte {
	inner := fmt.Sprintf(`<xml><ToUserName><![CDATA[%s]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName>`+
		`<CreateTime>%s</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[%s]]></Content><MsgId>%d</MsgId></xml>`,
		c.toUser, fmt.Sprintf("oLOAD%07d", i%c.openIDs), ts, c.text, msgID)
	enc := wxcrypt.Encrypt(block, key, c.appID, []byte(inner))
	var nb [8]byte
	rand.Read(nb[:])
	nonce := strconv.FormatUint(binary.BigEndian.Uint64(nb[:])%1e10, 10)
	q := url.Values{
		"signature":     {wxcrypt.Sign(c.token, ts, nonce)},
		"timestamp":     {ts},
		"nonce":         {nonce},
		"openid":        {"oLOADquery"},
		"encrypt_type":  {"aes"},
		"msg_signature": {wxcrypt.Sign(c.token, ts, nonce, enc)},
	}
	body := "<xml><ToUserName><![CDATA[" + c.toUser + "]]></ToUserName><Encrypt><![CDATA[" + enc + "]]></Encrypt></xml>"
	var b bytes.Buffer
	b.Grow(len(body) + 512)
	fmt.Fprintf(&b, "POST %s?%s HTTP/1.1\r\nHost: %s\r\nUser-Agent: ecert-loadgen\r\nContent-Type: text/xml\r\nContent-Length: %d\r\n\r\n",
		c.path, q.Encode(), addr, len(body))
	b.WriteString(body)
	return b.Bytes()
}

// probe sends one request, checks the reply's msg_signature and returns
// the decrypted reply.
func probe(addr string, req []byte, c config, key []byte) (string, error) {
	conn, err := dial(addr)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(c.timeout))
	if _, err := conn.Write(req); err != nil {
		return "", err
	}
	status, _, body, err := readResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return "", err
	}
	if status != 200 {
		return "", fmt.Errorf("status %d: %.200q", status, body)
	}
	var env struct {
		Encrypt      string `xml:"Encrypt"`
		MsgSignature string `xml:"MsgSignature"`
		TimeStamp    string `xml:"TimeStamp"`
		Nonce        string `xml:"Nonce"`
	}
	if err := xml.Unmarshal(body, &env); err != nil || env.Encrypt == "" {
		return "", fmt.Errorf("reply %.200q is not an encrypted envelope", body)
	}
	if wxcrypt.Sign(c.token, env.TimeStamp, env.Nonce, env.Encrypt) != env.MsgSignature {
		return "", errors.New("reply msg_signature does not verify")
	}
	msg, appID, err := wxcrypt.Decrypt(key, env.Encrypt)
	if err != nil {
		return "", err
	}
	if appID != c.appID {
		return "", fmt.Errorf("reply carries appid %q", appID)
	}
	return string(msg), nil
}

// readResponse reads one HTTP/1.1 response: the status code, whether the
// connection stays open, and the body (Content-Length or chunked) appended
// to buf.
func readResponse(br *bufio.Reader, buf []byte) (status int, keep bool, body []byte, err error) {
	line, err := br.ReadSlice('\n')
	if err != nil {
		return 0, false, buf, err
	}
	// "HTTP/1.1 200 OK\r\n"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return 0, false, buf, fmt.Errorf("bad status line %.40q", line)
	}
	if status, err = strconv.Atoi(string(line[9:12])); err != nil {
		return 0, false, buf, fmt.Errorf("bad status line %.40q", line)
	}
	keep = line[7] == '1'
	length, chunked := -1, false
	for {
		h, err := br.ReadSlice('\n')
		if err != nil {
			return status, false, buf, err
		}
		h = bytes.TrimRight(h, "\r\n")
		if len(h) == 0 {
			break
		}
		name, value, ok := bytes.Cut(h, []byte(":"))
		if !ok {
			continue
		}
		value = bytes.TrimSpace(value)
		switch {
		case asciiEqualFold(name, "Content-Length"):
			if length, err = strconv.Atoi(string(value)); err != nil || length < 0 {
				return status, false, buf, fmt.Errorf("bad Content-Length %q", value)
			}
		case asciiEqualFold(name, "Transfer-Encoding"):
			chunked = asciiEqualFold(value, "chunked")
		case asciiEqualFold(name, "Connection"):
			if asciiEqualFold(value, "close") {
				keep = false
			}
		}
	}
	switch {
	case chunked:
		return readChunked(br, buf, status, keep)
	case length >= 0:
		start := len(buf)
		buf = slices.Grow(buf, length)[:start+length]
		if _, err := io.ReadFull(br, buf[start:]); err != nil {
			return status, false, buf, err
		}
		return status, keep, buf, nil
	case status == 204 || status == 304 || status/100 == 1:
		return status, keep, buf, nil
	}
	return status, false, buf, errors.New("response without Content-Length or chunked encoding")
}

func readChunked(br *bufio.Reader, buf []byte, status int, keep bool) (int, bool, []byte, error) {
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return status, false, buf, err
		}
		size, _, _ := bytes.Cut(bytes.TrimRight(line, "\r\n"), []byte(";"))
		n, err := strconv.ParseInt(string(bytes.TrimSpace(size)), 16, 32)
		if err != nil || n < 0 {
			return status, false, buf, fmt.Errorf("bad chunk size %q", line)
		}
		if n == 0 {
			for { // trailers up to the blank line
				t, err := br.ReadSlice('\n')
				if err != nil {
					return status, false, buf, err
				}
				if len(bytes.TrimRight(t, "\r\n")) == 0 {
					return status, keep, buf, nil
				}
			}
		}
		start := len(buf)
		buf = slices.Grow(buf, int(n))[:start+int(n)]
		if _, err := io.ReadFull(br, buf[start:]); err != nil {
			return status, false, buf, err
		}
		if _, err := br.Discard(2); err != nil { // CRLF after the chunk
			return status, false, buf, err
		}
	}
}

func asciiEqualFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		x, y := b[i], s[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
