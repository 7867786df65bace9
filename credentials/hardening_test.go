package credentials

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
	"github.com/acme-signing-helper/acme-signing-helper/signer"
)

// setProfileHardening are the red-team cases of the credentials-file
// editor (issue 13, point 5): a key's continuation lines, a UTF-8 byte
// order mark, CRLF line ends. FuzzSetProfile starts from them too.
var setProfileHardening = []struct {
	name, in, want string
}{
	{"continuation lines of a replaced token go with it",
		"[p]\naws_session_token = old-part-1\n  old-part-2\n\told-part-3\nregion = x\n",
		"[p]\naws_session_token = ST\nregion = x\naws_access_key_id = AK\naws_secret_access_key = SK\nx_expiration = EXP\n"},
	{"continuation after a blank line and a comment",
		"[p]\naws_session_token = old\n\n# note\n  old-2\n[q]\nk = v\n",
		"[p]\naws_session_token = ST\naws_access_key_id = AK\naws_secret_access_key = SK\nx_expiration = EXP\n\n# note\n[q]\nk = v\n"},
	{"continuation of a dropped duplicate",
		"[p]\naws_access_key_id = a\n[p]\naws_access_key_id = b\n  b-2\nregion = y\n",
		"[p]\naws_access_key_id = AK\naws_secret_access_key = SK\naws_session_token = ST\nx_expiration = EXP\n[p]\nregion = y\n"},
	{"continuation of other keys kept",
		"[p]\nregion = x\n  y\n",
		"[p]\nregion = x\n  y\n" + ours},
	{"byte order mark: no duplicate section",
		utf8BOM + "[p]\naws_access_key_id = old\n",
		utf8BOM + "[p]\naws_access_key_id = AK\naws_secret_access_key = SK\naws_session_token = ST\nx_expiration = EXP\n"},
	{"byte order mark: new section appended after it",
		utf8BOM + "[a]\nk = v\n",
		utf8BOM + "[a]\nk = v\n\n[p]\n" + ours},
	{"crlf lines replaced with crlf",
		"[p]\r\naws_session_token = old\r\n  old-2\r\nregion = x\r\n",
		"[p]\r\naws_session_token = ST\r\nregion = x\r\naws_access_key_id = AK\r\naws_secret_access_key = SK\r\nx_expiration = EXP\r\n"},
	{"crlf file without a final line end",
		"[a]\r\nk = v",
		"[a]\r\nk = v\r\n\r\n[p]\r\n" + strings.ReplaceAll(ours, "\n", "\r\n")},
	{"crlf and a byte order mark",
		utf8BOM + "[p]\r\nregion = x\r\n",
		utf8BOM + "[p]\r\nregion = x\r\n" + strings.ReplaceAll(ours, "\n", "\r\n")},
}

func TestSetProfileHardening(t *testing.T) {
	for _, tc := range setProfileHardening {
		t.Run(tc.name, func(t *testing.T) {
			got := string(SetProfile([]byte(tc.in), "p", kv))
			if got != tc.want {
				t.Errorf("got\n%q\nwant\n%q", got, tc.want)
			}
			if again := string(SetProfile([]byte(got), "p", kv)); again != got {
				t.Errorf("not idempotent:\n%q\nthen\n%q", got, again)
			}
		})
	}
}

// TestTokenForwardingHardening: a token request with any forwarding
// header, even an empty X-Forwarded-For or only Forwarded, is refused
// (issue 13, point 8).
func TestTokenForwardingHardening(t *testing.T) {
	s, err := NewServer(func() (signer.Credentials, time.Time, error) { return creds(1, t0.Add(time.Hour)), t0, nil }, "role")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		header http.Header
		want   int
	}{
		{"none", http.Header{}, http.StatusOK},
		{"x-forwarded-for", http.Header{"X-Forwarded-For": {"10.0.0.1"}}, http.StatusForbidden},
		{"empty x-forwarded-for", http.Header{"X-Forwarded-For": {""}}, http.StatusForbidden},
		{"forwarded", http.Header{"Forwarded": {"for=10.0.0.1"}}, http.StatusForbidden},
		{"forwarded ipv6", http.Header{"Forwarded": {`for="[2001:db8::1]";proto=http`}}, http.StatusForbidden},
		{"empty forwarded", http.Header{"Forwarded": {""}}, http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPut, IMDSTokenPath, nil)
			r.Header.Set(IMDSTTLHeader, "60")
			for k, v := range tc.header {
				r.Header[k] = v
			}
			w := httptest.NewRecorder()
			s.ServeHTTP(w, r)
			if w.Code != tc.want {
				t.Fatalf("got %d, want %d", w.Code, tc.want)
			}
		})
	}
}

// TestLoopbackHardening: "localhost" counts by what it resolves to, and
// a listener by the address it is bound to (issue 13, point 8).
func TestLoopbackHardening(t *testing.T) {
	ips, err := net.LookupIP("localhost")
	if err != nil {
		t.Skipf("localhost does not resolve: %v", err)
	}
	all := true
	for _, ip := range ips {
		all = all && ip.IsLoopback()
	}
	if got := IsLoopback("localhost:9911"); got != all {
		t.Errorf("IsLoopback(localhost:9911) = %v, but localhost resolves to %v", got, ips)
	}
	for _, tc := range []struct {
		addr string
		want bool
	}{
		{"127.0.0.1:0", true},
		{"localhost:0", all},
		{"0.0.0.0:0", false},
		{":0", false},
	} {
		ln, err := net.Listen("tcp", tc.addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := IsLoopbackListener(ln); got != tc.want {
			t.Errorf("IsLoopbackListener(bound %s as %s) = %v, want %v", tc.addr, ln.Addr(), got, tc.want)
		}
		ln.Close()
	}
}

// TestSessionLockWaitHardening: waiting for another process's lock on the
// entry counts against cfg.Timeout (--timeout), so a stuck holder does
// not hold the command (issue 13, point 3).
func TestSessionLockWaitHardening(t *testing.T) {
	h, err := testpki.New(testpki.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files, err := h.WritePlain(filepath.Join(dir, "pki"))
	if err != nil {
		t.Fatal(err)
	}
	now := h.Leaf.Cert.NotBefore.Add(time.Hour)
	m, err := signer.Load(signer.LoadOptions{Certificate: files.Certificate, PrivateKey: files.Key, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	cfg := signer.Config{TrustAnchorARN: "ta", ProfileARN: "p", RoleARN: "r", Timeout: 200 * time.Millisecond}
	c := &Cache{Dir: filepath.Join(dir, "cache"), Now: func() time.Time { return now }}
	if err := c.prepareDir(); err != nil {
		t.Fatal(err)
	}
	in, err := MaterialKeyInputs(m)
	if err != nil {
		t.Fatal(err)
	}
	// Another holder (a second open file description, as another process
	// would have) keeps the lock.
	unlock, err := lockFile(context.Background(), c.lockPath(CacheKey(cfg, in, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	start := time.Now()
	done := make(chan error, 1)
	go func() {
		_, err := c.Session(context.Background(), m, cfg, nil, func(context.Context) (signer.Credentials, error) {
			return creds(1, now.Add(time.Hour)), nil
		})
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("got %v, want the deadline of cfg.Timeout", err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("gave up after %s, want about %s", d, cfg.Timeout)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("still waiting for the lock after 5s with a 200ms timeout")
	}
}
