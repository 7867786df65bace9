package interop

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// exchange is one request the proxy passed on and the answer it got.
type exchange struct {
	authorization string // as sent on (after any tampering)
	chain         string // X-Amz-X509-Chain as received
	status        int
	errorType     string // X-Amzn-ErrorType
	date          string // Date header of the answer
	body          []byte
}

// proxy is a TLS reverse proxy between a client under test and the
// emulator. It records every exchange and, when tamper is set, changes the
// Authorization header after the client signed the request. The Host header
// is passed on unchanged, so an untampered request still verifies: the
// control case proves the proxy itself breaks nothing.
type proxy struct {
	srv    *httptest.Server
	tamper atomic.Pointer[func(string) string]

	mu        sync.Mutex
	exchanges []exchange
}

// newProxy starts a proxy in front of target (an httptest server).
func newProxy(t *testing.T, target *httptest.Server) *proxy {
	t.Helper()
	return newProxyTo(t, target.URL, target.Client().Transport)
}

// newProxyTo starts a proxy in front of the server at base, reached with
// transport.
func newProxyTo(t *testing.T, base string, transport http.RoundTripper) *proxy {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{}
	rp := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(u)
			// SetURL rewrites Host; keep the one the client signed.
			r.Out.Host = r.In.Host
			if f := p.tamper.Load(); f != nil {
				r.Out.Header.Set("Authorization", (*f)(r.In.Header.Get("Authorization")))
			}
		},
		Transport: transport,
		ModifyResponse: func(resp *http.Response) error {
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				return err
			}
			resp.Body = io.NopCloser(bytes.NewReader(body))
			p.mu.Lock()
			defer p.mu.Unlock()
			p.exchanges = append(p.exchanges, exchange{
				authorization: resp.Request.Header.Get("Authorization"),
				chain:         resp.Request.Header.Get("X-Amz-X509-Chain"),
				status:        resp.StatusCode,
				errorType:     resp.Header.Get("X-Amzn-ErrorType"),
				date:          resp.Header.Get("Date"),
				body:          body,
			})
			return nil
		},
	}
	p.srv = httptest.NewTLSServer(rp)
	t.Cleanup(p.srv.Close)
	return p
}

// URL is the proxy's https:// base URL.
func (p *proxy) URL() string { return p.srv.URL }

// setTamper installs f (nil: pass the header on unchanged).
func (p *proxy) setTamper(f func(string) string) {
	if f == nil {
		p.tamper.Store(nil)
		return
	}
	p.tamper.Store(&f)
}

// Exchanges returns a copy of what passed so far.
func (p *proxy) Exchanges() []exchange {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]exchange(nil), p.exchanges...)
}

// flipSignatureDigit changes the first hex digit of the Signature in an
// Authorization header to another hex digit: one flipped bit pattern in the
// first signature byte. A header without a signature is returned as is.
func flipSignatureDigit(auth string) string {
	const key = "Signature="
	i := strings.LastIndex(auth, key)
	if i < 0 || i+len(key) >= len(auth) {
		return auth
	}
	j := i + len(key)
	flipped := byte('0')
	if auth[j] == '0' {
		flipped = '1'
	}
	return auth[:j] + string(flipped) + auth[j+1:]
}

func TestFlipSignatureDigit(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"AWS4-X509-ECDSA-SHA256 Credential=1/x, SignedHeaders=host, Signature=3045ab", "AWS4-X509-ECDSA-SHA256 Credential=1/x, SignedHeaders=host, Signature=0045ab"},
		{"A Credential=1/x, SignedHeaders=host, Signature=0f", "A Credential=1/x, SignedHeaders=host, Signature=1f"},
		{"A Credential=1/x, SignedHeaders=host", "A Credential=1/x, SignedHeaders=host"},
		{"A Signature=", "A Signature="},
		{"", ""},
	} {
		if got := flipSignatureDigit(tc.in); got != tc.want {
			t.Errorf("flipSignatureDigit(%q): got %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestHideSecrets(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{"Version":1,"AccessKeyId":"ASIA1","SecretAccessKey":"s3cr+t/=","SessionToken":"tok","Expiration":"x"}`,
			`{"Version":1,"AccessKeyId":"ASIA1","SecretAccessKey":"<redacted>","SessionToken":"<redacted>","Expiration":"x"}`},
		{"aws_secret_access_key = abc\naws_session_token=def\n", "aws_secret_access_key = <redacted>\naws_session_token=<redacted>\n"},
		{`"Token": "imds"`, `"Token": "<redacted>"`},
		{"no secrets here", "no secrets here"},
	} {
		if got := hideSecrets(tc.in); got != tc.want {
			t.Errorf("hideSecrets(%q): got %q, want %q", tc.in, got, tc.want)
		}
	}
}
