package permissions

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// CSM (client-side monitoring): SDKs with AWS_CSM_ENABLED=true send one
// UDP datagram of JSON per event to AWS_CSM_HOST:AWS_CSM_PORT (default
// 127.0.0.1:31000). Type "ApiCall" is one API call (after retries),
// "ApiCallAttempt" one HTTP attempt.

// DefaultCSMPort is the port SDKs send to when AWS_CSM_PORT is unset.
const DefaultCSMPort = 31000

// CSM limits: a datagram larger than MaxDatagramBytes is counted as
// malformed; more than DefaultRate datagrams a second (burst as large)
// are dropped and counted.
const (
	MaxDatagramBytes = 8 << 10
	DefaultRate      = 10000
)

// ErrMalformedDatagram is wrapped by ParseDatagram's errors.
var ErrMalformedDatagram = errors.New("malformed CSM datagram")

// ErrNotLoopback is returned by Listen for an address that is not a
// loopback IP: CSM datagrams are unauthenticated, so only local
// processes may send them.
var ErrNotLoopback = errors.New("not a loopback address")

// CSMEvent is one CSM datagram.
type CSMEvent struct {
	Version             int    `json:"Version"`
	ClientID            string `json:"ClientId"`
	Type                string `json:"Type"`
	Service             string `json:"Service"`
	API                 string `json:"Api"`
	Timestamp           int64  `json:"Timestamp"`
	AttemptCount        int    `json:"AttemptCount"`
	Region              string `json:"Region"`
	FinalHTTPStatusCode int    `json:"FinalHttpStatusCode"`
	FinalAWSException   string `json:"FinalAwsException"`
	FinalSDKException   string `json:"FinalSdkException"`
	AWSException        string `json:"AwsException"`
}

// ParseDatagram decodes one datagram. The access key id SDKs include is
// not kept.
func ParseDatagram(b []byte) (CSMEvent, error) {
	var ev CSMEvent
	if len(b) > MaxDatagramBytes {
		return ev, fmt.Errorf("%w: %d bytes (limit %d)", ErrMalformedDatagram, len(b), MaxDatagramBytes)
	}
	d := json.NewDecoder(bytes.NewReader(b))
	if err := d.Decode(&ev); err != nil {
		return CSMEvent{}, fmt.Errorf("%w: %v", ErrMalformedDatagram, err)
	}
	if d.More() {
		return CSMEvent{}, fmt.Errorf("%w: data after the JSON object", ErrMalformedDatagram)
	}
	switch ev.Type {
	case "ApiCall", "ApiCallAttempt":
	default:
		return CSMEvent{}, fmt.Errorf("%w: Type %q is not ApiCall or ApiCallAttempt", ErrMalformedDatagram, clipString(ev.Type))
	}
	if ev.Service == "" || ev.API == "" {
		return CSMEvent{}, fmt.Errorf("%w: no Service or Api", ErrMalformedDatagram)
	}
	return ev, nil
}

func clipString(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}

// Observation is the event as a call (ApiCall events only).
func (ev CSMEvent) Observation() Observation {
	code := ev.FinalAWSException
	if code == "" && ev.FinalHTTPStatusCode >= 400 {
		code = fmt.Sprintf("HTTP %d", ev.FinalHTTPStatusCode)
	}
	if code == "" {
		code = ev.FinalSDKException
	}
	o := Observation{Service: ev.Service, Operation: ev.API, SDK: true, ErrorCode: code}
	if ev.Timestamp > 0 {
		o.Time = time.UnixMilli(ev.Timestamp).UTC()
	}
	return o
}

// CSMStats count what a Listener received.
type CSMStats struct {
	Datagrams   int64 `json:"datagrams"`
	APICalls    int64 `json:"api_calls"`
	Attempts    int64 `json:"attempts"`
	Malformed   int64 `json:"malformed"`
	RateLimited int64 `json:"rate_limited"`
}

// ListenOptions configure a Listener.
type ListenOptions struct {
	// Rate is the number of datagrams accepted per second (and the burst);
	// 0 means DefaultRate.
	Rate int
	// Now is the clock of the rate limit; nil means time.Now.
	Now func() time.Time
}

// Listener collects CSM datagrams on a loopback UDP port into a Builder.
type Listener struct {
	conn  *net.UDPConn
	b     *Builder
	o     ListenOptions
	stats struct {
		datagrams, calls, attempts, malformed, limited atomic.Int64
	}
	tokens float64
	last   time.Time
	mu     sync.Mutex // Result vs Serve
}

// Listen opens a UDP socket on addr ("127.0.0.1:31000", port 0 for an
// ephemeral one). addr's host must be a loopback IP: another IP, or a
// host name (which could resolve anywhere), is ErrNotLoopback.
func Listen(addr string, o ListenOptions) (*Listener, error) {
	ap, err := netip.ParseAddrPort(addr)
	if err != nil {
		if host, _, serr := net.SplitHostPort(addr); serr == nil {
			if _, perr := netip.ParseAddr(host); perr != nil {
				return nil, fmt.Errorf("listen %q: %w", addr, ErrNotLoopback)
			}
		}
		return nil, fmt.Errorf("listen %q: %w", addr, err)
	}
	if !ap.Addr().IsLoopback() {
		return nil, fmt.Errorf("listen %q: %w", addr, ErrNotLoopback)
	}
	conn, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(ap))
	if err != nil {
		return nil, fmt.Errorf("listen %q: %w", addr, err)
	}
	_ = conn.SetReadBuffer(4 << 20) // floods: the kernel drops what does not fit
	if o.Rate <= 0 {
		o.Rate = DefaultRate
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Listener{conn: conn, b: NewBuilder(), o: o, tokens: float64(o.Rate)}, nil
}

// Addr is the address datagrams go to.
func (l *Listener) Addr() netip.AddrPort { return l.conn.LocalAddr().(*net.UDPAddr).AddrPort() }

// Serve reads datagrams until ctx is done or the listener is closed, and
// returns nil then. Datagrams from a non-loopback source are dropped
// (counted as malformed).
func (l *Listener) Serve(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() { l.conn.SetReadDeadline(time.Now()) })
	defer stop()
	buf := make([]byte, MaxDatagramBytes+1)
	for {
		n, from, err := l.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return nil
			}
			return err
		}
		l.handle(buf[:n], from)
	}
}

// Drain reads the datagrams already queued, waiting at most quiet for the
// next one: what a command sent just before it exited.
func (l *Listener) Drain(quiet time.Duration) {
	buf := make([]byte, MaxDatagramBytes+1)
	for {
		l.conn.SetReadDeadline(time.Now().Add(quiet))
		n, from, err := l.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			l.conn.SetReadDeadline(time.Time{})
			return
		}
		l.handle(buf[:n], from)
	}
}

func (l *Listener) handle(b []byte, from netip.AddrPort) {
	l.stats.datagrams.Add(1)
	if !l.allow() {
		l.stats.limited.Add(1)
		return
	}
	if !from.Addr().IsLoopback() {
		l.stats.malformed.Add(1)
		return
	}
	ev, err := ParseDatagram(b)
	if err != nil {
		l.stats.malformed.Add(1)
		return
	}
	if ev.Type != "ApiCall" {
		l.stats.attempts.Add(1)
		return
	}
	l.stats.calls.Add(1)
	l.mu.Lock()
	l.b.Add(ev.Observation())
	l.mu.Unlock()
}

// allow is a token bucket of o.Rate datagrams a second.
func (l *Listener) allow() bool {
	now := l.o.Now()
	if !l.last.IsZero() {
		l.tokens = min(float64(l.o.Rate), l.tokens+now.Sub(l.last).Seconds()*float64(l.o.Rate))
	}
	l.last = now
	if l.tokens < 1 {
		return false
	}
	l.tokens--
	return true
}

// Stats returns the counts so far.
func (l *Listener) Stats() CSMStats {
	return CSMStats{Datagrams: l.stats.datagrams.Load(), APICalls: l.stats.calls.Load(), Attempts: l.stats.attempts.Load(),
		Malformed: l.stats.malformed.Load(), RateLimited: l.stats.limited.Load()}
}

// Result is the policy of the ApiCall events so far; the report's
// ProblemCount is the malformed datagrams.
func (l *Listener) Result() *Result {
	l.mu.Lock()
	defer l.mu.Unlock()
	r := l.b.Result()
	r.Report.ProblemCount = int(l.stats.malformed.Load())
	return r
}

// Close closes the socket.
func (l *Listener) Close() error { return l.conn.Close() }
