package credentials

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/signer"
)

func newTestServer(t *testing.T, clk *fakeClock, src func() (signer.Credentials, time.Time, error)) *Server {
	t.Helper()
	s, err := NewServer(src, "acme-role")
	if err != nil {
		t.Fatal(err)
	}
	s.Now = clk.Now
	s.ECSToken = "ecs-secret-token"
	return s
}

func do(t *testing.T, h http.Handler, method, path string, hdr map[string]string) (int, string, http.Header) {
	t.Helper()
	r := httptest.NewRequest(method, path, nil)
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Code, w.Body.String(), w.Header()
}

func TestServerIMDS(t *testing.T) {
	clk := &fakeClock{now: t0}
	good := creds(1, t0.Add(time.Hour))
	s := newTestServer(t, clk, func() (signer.Credentials, time.Time, error) { return good, t0, nil })

	code, tok, hdr := do(t, s, "PUT", IMDSTokenPath, map[string]string{IMDSTTLHeader: "60"})
	if code != 200 || tok == "" || hdr.Get(IMDSTTLHeader) != "60" {
		t.Fatalf("token: %d %q %v", code, tok, hdr)
	}
	auth := map[string]string{IMDSTokenHeader: tok}
	for _, tc := range []struct {
		name, method, path string
		hdr                map[string]string
		want               int
	}{
		{"ttl 0", "PUT", IMDSTokenPath, map[string]string{IMDSTTLHeader: "0"}, 400},
		{"ttl too big", "PUT", IMDSTokenPath, map[string]string{IMDSTTLHeader: "21601"}, 400},
		{"ttl max", "PUT", IMDSTokenPath, map[string]string{IMDSTTLHeader: "21600"}, 200},
		{"ttl missing", "PUT", IMDSTokenPath, nil, 400},
		{"ttl not a number", "PUT", IMDSTokenPath, map[string]string{IMDSTTLHeader: "1h"}, 400},
		{"x-forwarded-for", "PUT", IMDSTokenPath, map[string]string{IMDSTTLHeader: "60", "X-Forwarded-For": "10.0.0.1"}, 403},
		{"token via GET", "GET", IMDSTokenPath, map[string]string{IMDSTTLHeader: "60"}, 405},
		{"list without token", "GET", IMDSCredentialsPath, nil, 401},
		{"list with bad token", "GET", IMDSCredentialsPath, map[string]string{IMDSTokenHeader: tok + "x"}, 401},
		{"list with forged token", "GET", IMDSCredentialsPath, map[string]string{IMDSTokenHeader: strings.Repeat("A", len(tok))}, 401},
		{"list", "GET", IMDSCredentialsPath, auth, 200},
		{"list POST", "POST", IMDSCredentialsPath, auth, 405},
		{"creds without token", "GET", IMDSCredentialsPath + "acme-role", nil, 401},
		{"creds", "GET", IMDSCredentialsPath + "acme-role", auth, 200},
		{"creds PUT", "PUT", IMDSCredentialsPath + "acme-role", auth, 405},
		{"other role", "GET", IMDSCredentialsPath + "admin", auth, 404},
		{"other path", "GET", "/latest/meta-data/instance-id", auth, 404},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body, _ := do(t, s, tc.method, tc.path, tc.hdr)
			if code != tc.want {
				t.Errorf("got %d, want %d (%s)", code, tc.want, body)
			}
		})
	}
	_, body, _ := do(t, s, "GET", IMDSCredentialsPath, auth)
	if body != "acme-role" {
		t.Errorf("role listing = %q", body)
	}
	_, body, hdr = do(t, s, "GET", IMDSCredentialsPath+"acme-role", auth)
	var doc map[string]string
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"Code": "Success", "Type": "AWS-HMAC", "AccessKeyId": good.AccessKeyID, "SecretAccessKey": good.SecretAccessKey,
		"Token": good.SessionToken, "Expiration": "2026-11-21T13:00:00Z", "LastUpdated": "2026-11-21T12:00:00Z"}
	if fmt.Sprint(doc) != fmt.Sprint(want) {
		t.Errorf("document = %v, want %v", doc, want)
	}
	if hdr.Get("Content-Type") != "application/json" {
		t.Errorf("content type %q", hdr.Get("Content-Type"))
	}
	// The token expires after its TTL.
	clk.Advance(61 * time.Second)
	if code, _, _ := do(t, s, "GET", IMDSCredentialsPath, auth); code != 401 {
		t.Errorf("expired token: got %d, want 401", code)
	}
	// A token of another server (another key) is refused.
	other := newTestServer(t, clk, nil)
	if code, _, _ := do(t, other, "GET", IMDSCredentialsPath, map[string]string{IMDSTokenHeader: other.newToken(t0)}); code != 401 {
		t.Errorf("token expired at issue: got %d, want 401", code)
	}
	if code, _, _ := do(t, s, "GET", IMDSCredentialsPath, map[string]string{IMDSTokenHeader: other.newToken(t0.Add(time.Hour))}); code != 401 {
		t.Errorf("other server's token: got %d, want 401", code)
	}
}

func TestServerNeverServesWithoutCredentials(t *testing.T) {
	clk := &fakeClock{now: t0}
	for _, srcErr := range []error{fmt.Errorf("%w at x: endpoint down", ErrExpired), ErrNoCredentials} {
		s := newTestServer(t, clk, func() (signer.Credentials, time.Time, error) { return signer.Credentials{}, time.Time{}, srcErr })
		_, tok, _ := do(t, s, "PUT", IMDSTokenPath, map[string]string{IMDSTTLHeader: "60"})
		for _, req := range []struct {
			path string
			hdr  map[string]string
		}{
			{IMDSCredentialsPath + "acme-role", map[string]string{IMDSTokenHeader: tok}},
			{DefaultECSPath, map[string]string{"Authorization": "ecs-secret-token"}},
		} {
			code, body, _ := do(t, s, "GET", req.path, req.hdr)
			if code != http.StatusServiceUnavailable || strings.Contains(body, "Success") || strings.Contains(body, "AccessKeyId") {
				t.Errorf("%s with %v: %d %s", req.path, srcErr, code, body)
			}
		}
	}
}

func TestServerECS(t *testing.T) {
	clk := &fakeClock{now: t0}
	good := creds(1, t0.Add(time.Hour))
	s := newTestServer(t, clk, func() (signer.Credentials, time.Time, error) { return good, t0, nil })
	for _, tc := range []struct {
		name, method string
		auth         string
		want         int
	}{
		{"ok", "GET", "ecs-secret-token", 200},
		{"no auth", "GET", "", 401},
		{"wrong auth", "GET", "ecs-secret-tokenx", 401},
		{"prefix", "GET", "ecs-secret", 401},
		{"POST", "POST", "ecs-secret-token", 405},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hdr := map[string]string{}
			if tc.auth != "" {
				hdr["Authorization"] = tc.auth
			}
			code, body, _ := do(t, s, tc.method, DefaultECSPath, hdr)
			if code != tc.want {
				t.Fatalf("got %d, want %d: %s", code, tc.want, body)
			}
			if code != 200 {
				if strings.Contains(body, good.SecretAccessKey) {
					t.Errorf("refusal leaks the secret: %s", body)
				}
				return
			}
			var doc map[string]string
			if err := json.Unmarshal([]byte(body), &doc); err != nil {
				t.Fatal(err)
			}
			want := map[string]string{"AccessKeyId": good.AccessKeyID, "SecretAccessKey": good.SecretAccessKey, "Token": good.SessionToken, "Expiration": "2026-11-21T13:00:00Z"}
			if fmt.Sprint(doc) != fmt.Sprint(want) {
				t.Errorf("document = %v, want %v", doc, want)
			}
		})
	}
	s.ECSToken = ""
	if code, _, _ := do(t, s, "GET", DefaultECSPath, map[string]string{"Authorization": ""}); code != 401 {
		t.Errorf("empty configured token: got %d, want 401", code)
	}
	s.ECSPath = ""
	if code, _, _ := do(t, s, "GET", DefaultECSPath, map[string]string{"Authorization": "x"}); code != 404 {
		t.Errorf("ECS disabled: got %d, want 404", code)
	}
}

func TestListenHopLimit(t *testing.T) {
	for _, tc := range []struct {
		addr    string
		hop     int
		level   int
		opt     int
		wantTTL int
	}{
		{"127.0.0.1:0", 1, syscall.IPPROTO_IP, syscall.IP_TTL, 1},
		{"127.0.0.1:0", 7, syscall.IPPROTO_IP, syscall.IP_TTL, 7},
		{"[::1]:0", 1, syscall.IPPROTO_IPV6, syscall.IPV6_UNICAST_HOPS, 1},
	} {
		l, err := Listen(context.Background(), tc.addr, tc.hop)
		if err != nil {
			if strings.Contains(tc.addr, "::1") {
				t.Logf("no IPv6 loopback here: %v", err)
				continue
			}
			t.Fatal(err)
		}
		accepted := make(chan net.Conn, 1)
		go func() {
			c, err := l.Accept()
			if err != nil {
				close(accepted)
				return
			}
			accepted <- c
		}()
		cc, err := net.Dial("tcp", l.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		sc, ok := <-accepted
		if !ok {
			t.Fatal("accept failed")
		}
		raw, err := sc.(*net.TCPConn).SyscallConn()
		if err != nil {
			t.Fatal(err)
		}
		var got int
		var gerr error
		raw.Control(func(fd uintptr) { got, gerr = getsockoptInt(fd, tc.level, tc.opt) })
		if gerr != nil || got != tc.wantTTL {
			t.Errorf("%s hop %d: accepted socket has %d (%v), want %d", tc.addr, tc.hop, got, gerr, tc.wantTTL)
		}
		cc.Close()
		sc.Close()
		l.Close()
	}
	if _, err := Listen(context.Background(), "127.0.0.1:0", 256); err == nil {
		t.Error("hop limit 256 accepted")
	}
}

func TestServeOverTCP(t *testing.T) {
	clk := &fakeClock{now: t0}
	good := creds(1, t0.Add(time.Hour))
	s := newTestServer(t, clk, func() (signer.Credentials, time.Time, error) { return good, t0, nil })
	l, err := Listen(context.Background(), "127.0.0.1:0", 1)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: s}
	go srv.Serve(l)
	defer srv.Close()
	req, _ := http.NewRequest("PUT", "http://"+l.Addr().String()+IMDSTokenPath, nil)
	req.Header.Set(IMDSTTLHeader, "21600")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	req, _ = http.NewRequest("GET", "http://"+l.Addr().String()+IMDSCredentialsPath+"acme-role", nil)
	req.Header.Set(IMDSTokenHeader, string(tok))
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct{ Code, AccessKeyId string }
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil || doc.Code != "Success" || doc.AccessKeyId != good.AccessKeyID {
		t.Errorf("got %+v, %v", doc, err)
	}
}

func TestIsLoopback(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:9911": true, "127.1.2.3:1": true, "[::1]:80": true, "localhost:9911": true,
		"0.0.0.0:9911": false, ":9911": false, "[::]:1": false, "10.0.0.1:80": false, "example.com:80": false, "garbage": false,
	} {
		if got := IsLoopback(addr); got != want {
			t.Errorf("IsLoopback(%q) = %v, want %v", addr, got, want)
		}
	}
}

// TestServerPrintsNoSecret: a Server printed by mistake shows neither the
// ECS token nor the IMDS token key.
func TestServerPrintsNoSecret(t *testing.T) {
	s, err := NewServer(nil, "acme")
	if err != nil {
		t.Fatal(err)
	}
	s.ECSToken = "0123456789abcdef-ecs-token"
	out := fmt.Sprintf("%v %+v %#v %s", s, s, s, s)
	for _, secret := range []string{s.ECSToken, string(s.key), fmt.Sprint(s.key), fmt.Sprintf("%x", s.key)} {
		if strings.Contains(out, secret) {
			t.Errorf("printed a secret: %s", out)
		}
	}
	if !strings.Contains(out, `"acme"`) || !strings.Contains(out, "ECS token set true") {
		t.Errorf("want the role and whether a token is set: %s", out)
	}
}
