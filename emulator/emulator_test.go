package emulator_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/emulator"
	"github.com/acme-signing-helper/acme-signing-helper/internal/sigv4x509"
	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
)

// newServer returns an emulator trusting the roots of hs at t0.
func newServer(t testing.TB, mod func(*emulator.Config), hs ...*testpki.Hierarchy) (*emulator.Server, *bytes.Buffer) {
	t.Helper()
	var ct bytes.Buffer
	cfg := emulator.Config{
		Now:        func() time.Time { return t0 },
		CloudTrail: &ct,
		Rand:       rand.NewChaCha8([32]byte{1}),
	}
	for _, h := range hs {
		cfg.AnchorCerts = append(cfg.AnchorCerts, h.Root.Cert)
	}
	if mod != nil {
		mod(&cfg)
	}
	s, err := emulator.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s, &ct
}

// response is what a test reads of an answer.
type response struct {
	status    int
	errorType string
	date      string
	body      map[string]any
	raw       string
}

func serve(t testing.TB, s http.Handler, r *http.Request) response {
	t.Helper()
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	res := response{status: w.Code, errorType: w.Header().Get("X-Amzn-ErrorType"), date: w.Header().Get("Date"), raw: w.Body.String()}
	if err := json.Unmarshal(w.Body.Bytes(), &res.body); err != nil {
		t.Fatalf("response body is not JSON: %v: %q", err, w.Body.String())
	}
	return res
}

const base = "http://example.com:8443"

func TestCreateSessionSuccess(t *testing.T) {
	loadPKIs(t)
	for _, tc := range []struct {
		name string
		h    func() *testpki.Hierarchy
		// anchor: which certificate is configured (root by default).
		anchorIntermediate bool
		body               string
		wantDuration       time.Duration
		wantSession        string // "" → serial in hex
	}{
		{name: "ecdsa", h: func() *testpki.Hierarchy { return pkis.ec }, body: `{"durationSeconds":3600}`, wantDuration: time.Hour},
		{name: "rsa", h: func() *testpki.Hierarchy { return pkis.rsa }, body: `{"durationSeconds":900}`, wantDuration: 900 * time.Second},
		{name: "two intermediates", h: func() *testpki.Hierarchy { return pkis.two }, body: `{"durationSeconds":43200}`, wantDuration: 12 * time.Hour},
		{name: "leaf under root, no chain", h: func() *testpki.Hierarchy { return pkis.none }, body: `{}`, wantDuration: time.Hour},
		{name: "empty body", h: func() *testpki.Hierarchy { return pkis.ec }, body: ``, wantDuration: time.Hour},
		{name: "intermediate as anchor", h: func() *testpki.Hierarchy { return pkis.ec }, anchorIntermediate: true, body: `{"durationSeconds":1000}`, wantDuration: 1000 * time.Second},
		{name: "session name", h: func() *testpki.Hierarchy { return pkis.ec }, body: `{"roleSessionName":"123456","instanceProperties":{"a":"b"}}`, wantDuration: time.Hour, wantSession: "123456"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := tc.h()
			s, ct := newServer(t, func(c *emulator.Config) {
				if tc.anchorIntermediate {
					c.AnchorCerts = []*x509.Certificate{h.Intermediates[0].Cert}
				}
			}, h)
			c := newClient(h)
			c.body = tc.body
			res := serve(t, s, c.request(t, base))
			if res.status != http.StatusCreated {
				t.Fatalf("got status %d (%s %s), want 201", res.status, res.errorType, res.raw)
			}
			if res.errorType != "" {
				t.Errorf("got X-Amzn-ErrorType %q on success", res.errorType)
			}
			if want := t0.Format(http.TimeFormat); res.date != want {
				t.Errorf("got Date %q, want %q", res.date, want)
			}
			set := res.body["credentialSet"].([]any)
			if len(set) != 1 {
				t.Fatalf("got %d credential sets, want 1", len(set))
			}
			item := set[0].(map[string]any)
			creds := item["credentials"].(map[string]any)
			exp, err := time.Parse(time.RFC3339, creds["expiration"].(string))
			if err != nil || !exp.Equal(t0.Add(tc.wantDuration)) {
				t.Errorf("got expiration %v (%v), want %v", creds["expiration"], err, t0.Add(tc.wantDuration))
			}
			if !regexp.MustCompile(`^ASIA[A-Z0-9]{16}$`).MatchString(creds["accessKeyId"].(string)) {
				t.Errorf("got accessKeyId %q", creds["accessKeyId"])
			}
			for _, k := range []string{"secretAccessKey", "sessionToken"} {
				if len(creds[k].(string)) < 40 {
					t.Errorf("got %s %q, too short", k, creds[k])
				}
			}
			wantSession := tc.wantSession
			if wantSession == "" {
				wantSession = hex.EncodeToString(h.Leaf.Cert.SerialNumber.Bytes())
			}
			aru := item["assumedRoleUser"].(map[string]any)
			if want := "arn:aws:sts::123456789012:assumed-role/" + emulator.DefaultRoleName + "/" + wantSession; aru["arn"] != want {
				t.Errorf("got assumedRoleUser.arn %q, want %q", aru["arn"], want)
			}
			if id := aru["assumedRoleId"].(string); !strings.HasPrefix(id, "AROA") || !strings.HasSuffix(id, ":"+wantSession) {
				t.Errorf("got assumedRoleId %q", id)
			}
			if item["sourceIdentity"] != "CN=host.example.com" {
				t.Errorf("got sourceIdentity %q, want CN=host.example.com", item["sourceIdentity"])
			}
			if item["roleArn"] != emulator.DefaultRoleARN("us-east-1", "123456789012") {
				t.Errorf("got roleArn %q", item["roleArn"])
			}
			if _, ok := item["packedPolicySize"].(float64); !ok {
				t.Errorf("packedPolicySize missing: %v", item)
			}
			if sa, _ := res.body["subjectArn"].(string); !strings.HasPrefix(sa, "arn:aws:rolesanywhere:us-east-1:123456789012:subject/") {
				t.Errorf("got subjectArn %q", sa)
			}
			if s.Calls() != 1 {
				t.Errorf("got Calls %d, want 1", s.Calls())
			}
			acc, ok := s.LastAccepted()
			if !ok || acc.Serial().Cmp(h.Leaf.Cert.SerialNumber) != 0 || acc.SessionName != wantSession || len(acc.Chain) != len(h.Intermediates) {
				t.Errorf("got LastAccepted %+v, %v", acc, ok)
			}
			if len(h.Intermediates) > 0 && !acc.Chain[0].Equal(h.Intermediates[0].Cert) {
				t.Errorf("LastAccepted chain does not start with the leaf's issuer")
			}
			// No secret in the CloudTrail record.
			for _, k := range []string{"secretAccessKey", "sessionToken"} {
				if strings.Contains(ct.String(), creds[k].(string)) {
					t.Errorf("CloudTrail record holds the %s", k)
				}
			}
			if n := strings.Count(ct.String(), "\n"); n != 1 {
				t.Errorf("got %d CloudTrail lines, want 1", n)
			}
		})
	}
}

func TestCreateSessionRefused(t *testing.T) {
	loadPKIs(t)
	ec := func() *testpki.Hierarchy { return pkis.ec }
	for _, tc := range []struct {
		name   string
		h      func() *testpki.Hierarchy
		trust  func() *testpki.Hierarchy // the anchor configured (default: h)
		cfg    func(*emulator.Config)
		client func(*client)
		status int
		code   string
		msg    string // regexp on the message
	}{
		{name: "flipped signature byte", client: func(c *client) {
			c.after = func(r *http.Request) {
				a := r.Header.Get("Authorization")
				i := strings.Index(a, "Signature=") + len("Signature=") + 10
				b := []byte(a)
				if b[i] == '0' {
					b[i] = '1'
				} else {
					b[i] = '0'
				}
				r.Header.Set("Authorization", string(b))
			}
		}, status: 403, code: "AccessDeniedException", msg: `^The request signature we calculated does not match`},
		{name: "flipped signature byte rsa", h: func() *testpki.Hierarchy { return pkis.rsa }, client: func(c *client) {
			c.after = func(r *http.Request) {
				a := r.Header.Get("Authorization")
				r.Header.Set("Authorization", a[:len(a)-1]+map[bool]string{true: "1", false: "0"}[a[len(a)-1] == '0'])
			}
		}, status: 403, code: "AccessDeniedException", msg: `^The request signature we calculated does not match`},
		{name: "body changed after signing", client: func(c *client) {
			c.after = func(r *http.Request) { setBody(r, `{"durationSeconds":43200}`) }
		}, status: 403, code: "AccessDeniedException", msg: `signature we calculated does not match`},
		{name: "query changed after signing", cfg: func(cfg *emulator.Config) {
			cfg.RoleARNs = []string{emulator.DefaultRoleARN("us-east-1", "123456789012"), "arn:aws:iam::123456789012:role/admin"}
		}, client: func(c *client) {
			c.after = func(r *http.Request) {
				q := r.URL.Query()
				q.Set("roleArn", "arn:aws:iam::123456789012:role/admin")
				r.URL.RawQuery = q.Encode()
			}
		}, status: 403, code: "AccessDeniedException", msg: `signature we calculated does not match`},
		{name: "signed header value changed", client: func(c *client) {
			c.after = func(r *http.Request) { r.Header.Set("Content-Type", "application/x-amz-json-1.1") }
		}, status: 403, code: "AccessDeniedException", msg: `signature we calculated does not match`},
		{name: "wrong anchor", trust: func() *testpki.Hierarchy { return pkis.other }, status: 403, code: "AccessDeniedException", msg: `^Untrusted signing certificate$`},
		{name: "missing chain intermediate", h: func() *testpki.Hierarchy { return pkis.two }, client: func(c *client) { c.chain = c.chain[:1] }, status: 403, code: "AccessDeniedException", msg: `^Untrusted signing certificate$`},
		{name: "no chain at all", client: func(c *client) { c.chain = nil }, status: 403, code: "AccessDeniedException", msg: `^Untrusted signing certificate$`},
		{name: "too many chain certificates", client: func(c *client) {
			for len(c.chain) < 6 {
				c.chain = append(c.chain, pkis.ec.Intermediates[0].Cert)
			}
		}, status: 403, code: "AccessDeniedException", msg: `holds 6 certificates, at most 5`},
		{name: "chain not base64", client: func(c *client) {
			c.before = func(r *http.Request) { r.Header.Set(sigv4x509.HeaderChain, "!!!") }
		}, status: 403, code: "AccessDeniedException", msg: `X-Amz-X509-Chain certificate 1: not standard base64`},
		{name: "stale date", client: func(c *client) { c.date = t0.Add(-6 * time.Minute) }, status: 403, code: "AccessDeniedException",
			msg: `^Signature expired: 20261121T115400Z is now earlier than 20261121T115500Z \(20261121T120000Z - 5 min\.\)$`},
		{name: "future date", client: func(c *client) { c.date = t0.Add(6 * time.Minute) }, status: 403, code: "AccessDeniedException",
			msg: `^Signature not yet current: 20261121T120600Z is still later than 20261121T120500Z \(20261121T120000Z \+ 5 min\.\)$`},
		{name: "scope date differs", client: func(c *client) { c.scopeDate = "20261120" }, status: 403, code: "AccessDeniedException", msg: `scope date 20261120 does not match`},
		{name: "bad date format", client: func(c *client) {
			c.after = func(r *http.Request) { r.Header.Set(sigv4x509.HeaderDate, "2026-11-21T12:00:00Z") }
		}, status: 403, code: "AccessDeniedException", msg: `not in the format`},
		{name: "wrong region", client: func(c *client) { c.region = "eu-west-2" }, status: 403, code: "AccessDeniedException", msg: `valid region, not 'eu-west-2'`},
		{name: "no authorization", client: func(c *client) { c.after = func(r *http.Request) { r.Header.Del("Authorization") } }, status: 403, code: "AccessDeniedException", msg: `Missing Authentication Token`},
		{name: "malformed authorization", client: func(c *client) {
			c.after = func(r *http.Request) { r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=x") }
		}, status: 403, code: "AccessDeniedException", msg: `malformed.*unknown algorithm`},
		{name: "content-type not signed", client: func(c *client) {
			c.before = func(r *http.Request) { r.Header.Del("Content-Type") }
		}, status: 403, code: "AccessDeniedException", msg: `SignedHeaders must include content-type`},
		{name: "chain not signed", client: func(c *client) {
			c.after = func(r *http.Request) { r.Header.Set(sigv4x509.HeaderChain, chainHeader(pkis.ec.Chain())) }
			c.chain = nil
		}, status: 403, code: "AccessDeniedException", msg: `SignedHeaders must include x-amz-x509-chain`},
		{name: "serial mismatch", client: func(c *client) {
			c.after = func(r *http.Request) {
				r.Header.Set(sigv4x509.HeaderX509, base64.StdEncoding.EncodeToString(pkis.other.Leaf.Cert.Raw))
			}
		}, status: 403, code: "AccessDeniedException", msg: `Credential serial \d+ does not match`},
		{name: "no certificate", client: func(c *client) { c.after = func(r *http.Request) { r.Header.Del(sigv4x509.HeaderX509) } }, status: 403, code: "AccessDeniedException", msg: `SignedHeaders must include|Missing X-Amz-X509`},
		{name: "empty subject required", cfg: func(cfg *emulator.Config) { cfg.RequireSubject = true }, h: func() *testpki.Hierarchy { return pkis.empty }, status: 403, code: "AccessDeniedException", msg: `subject is empty`},
		{name: "ca leaf", h: func() *testpki.Hierarchy { return pkis.ca }, status: 403, code: "AccessDeniedException", msg: `must not be a CA`},
		{name: "expired leaf", h: func() *testpki.Hierarchy { return pkis.expired }, status: 403, code: "AccessDeniedException", msg: `^Untrusted signing certificate$`},
		{name: "unknown trust anchor", client: func(c *client) {
			c.query.Set("trustAnchorArn", "arn:aws:rolesanywhere:us-east-1:123456789012:trust-anchor/other")
		}, status: 404, code: "ResourceNotFoundException", msg: `Trust anchor .*trust-anchor/other not found`},
		{name: "unknown profile", client: func(c *client) {
			c.query.Set("profileArn", "arn:aws:rolesanywhere:us-east-1:123456789012:profile/other")
		}, status: 404, code: "ResourceNotFoundException", msg: `Profile .* not found`},
		{name: "role not in profile", client: func(c *client) { c.query.Set("roleArn", "arn:aws:iam::123456789012:role/admin") },
			status: 403, code: "AccessDeniedException", msg: `^Requested Role isn't one of those listed in the Profile\.$`},
		{name: "missing role", client: func(c *client) { c.query.Del("roleArn") }, status: 400, code: "ValidationException", msg: `'roleArn' failed to satisfy constraint: Member must not be null`},
		{name: "malformed profile arn", client: func(c *client) { c.query.Set("profileArn", "profile/x") }, status: 400, code: "ValidationException", msg: `Value 'profile/x' at 'profileArn'`},
		{name: "duration too short", client: func(c *client) { c.body = `{"durationSeconds":899}` }, status: 400, code: "ValidationException", msg: `Value '899' at 'durationSeconds'.*greater than or equal to 900`},
		{name: "duration too long", client: func(c *client) { c.body = `{"durationSeconds":43201}` }, status: 400, code: "ValidationException", msg: `Value '43201' at 'durationSeconds'.*less than or equal to 43200`},
		{name: "body not json", client: func(c *client) { c.body = `{"durationSeconds":` }, status: 400, code: "ValidationException", msg: `not a CreateSession JSON document`},
		{name: "duration not a number", client: func(c *client) { c.body = `{"durationSeconds":"3600"}` }, status: 400, code: "ValidationException", msg: `durationSeconds`},
		{name: "session name refused by profile", cfg: func(cfg *emulator.Config) { f := false; cfg.AcceptRoleSessionName = &f },
			client: func(c *client) { c.body = `{"roleSessionName":"123456"}` }, status: 403, code: "AccessDeniedException", msg: `^Not authorized to set roleSessionName\.$`},
		{name: "session name against pattern", cfg: func(cfg *emulator.Config) { cfg.SessionNamePattern = regexp.MustCompile(`^[0-9]{6}$`) },
			client: func(c *client) { c.body = `{"roleSessionName":"12345"}` }, status: 403, code: "AccessDeniedException", msg: `sts:RoleSessionName to match \^\[0-9\]\{6\}\$, got "12345"`},
		{name: "default session name against pattern", cfg: func(cfg *emulator.Config) { cfg.SessionNamePattern = regexp.MustCompile(`^[0-9]{6}$`) },
			client: func(c *client) { c.body = `{}` }, status: 403, code: "AccessDeniedException", msg: `sts:RoleSessionName`},
		{name: "session name invalid characters", client: func(c *client) { c.body = `{"roleSessionName":"a b"}` }, status: 400, code: "ValidationException", msg: `roleSessionName`},
		{name: "authorize hook denies", cfg: func(cfg *emulator.Config) {
			cfg.Authorize = func(emulator.AuthorizeInput) error { return errors.New("denied by the trust policy statement 2") }
		}, status: 403, code: "AccessDeniedException", msg: `^denied by the trust policy statement 2$`},
		{name: "wrong path", client: func(c *client) { c.after = func(r *http.Request) { r.URL.Path = "/session" } }, status: 404, code: "UnknownOperationException", msg: `POST /sessions`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := ec()
			if tc.h != nil {
				h = tc.h()
			}
			trust := h
			if tc.trust != nil {
				trust = tc.trust()
			}
			s, ct := newServer(t, tc.cfg, trust)
			c := newClient(h)
			if tc.client != nil {
				tc.client(c)
			}
			res := serve(t, s, c.request(t, base))
			if res.status != tc.status || res.errorType != tc.code {
				t.Fatalf("got %d %s, want %d %s (body %s)", res.status, res.errorType, tc.status, tc.code, res.raw)
			}
			msg, _ := res.body["message"].(string)
			if !regexp.MustCompile(tc.msg).MatchString(msg) {
				t.Errorf("got message %q, want match for %q", msg, tc.msg)
			}
			if len(res.body) != 1 {
				t.Errorf("got error body %s, want only a message", res.raw)
			}
			if want := t0.Format(http.TimeFormat); res.date != want {
				t.Errorf("got Date %q, want the server time %q", res.date, want)
			}
			if _, ok := s.LastAccepted(); ok {
				t.Errorf("a refused call was recorded as accepted")
			}
			if tc.code == "UnknownOperationException" {
				return
			}
			var rec emulator.Record
			if err := json.Unmarshal(ct.Bytes(), &rec); err != nil {
				t.Fatalf("CloudTrail record: %v: %q", err, ct.String())
			}
			if rec.ErrorCode != tc.code || rec.ErrorMessage != msg || rec.ResponseElements != nil {
				t.Errorf("got record error %q %q (response %v), want %q %q", rec.ErrorCode, rec.ErrorMessage, rec.ResponseElements, tc.code, msg)
			}
		})
	}
}

func TestAuthorizeInput(t *testing.T) {
	loadPKIs(t)
	var got emulator.AuthorizeInput
	s, _ := newServer(t, func(c *emulator.Config) {
		c.Authorize = func(in emulator.AuthorizeInput) error { got = in; return nil }
	}, pkis.ec)
	c := newClient(pkis.ec)
	c.body = `{"roleSessionName":"654321"}`
	if res := serve(t, s, c.request(t, base)); res.status != 201 {
		t.Fatalf("got %d %s", res.status, res.raw)
	}
	keys := got.ConditionKeys()
	for k, want := range map[string]string{
		"aws:SourceArn":                   emulator.DefaultTrustAnchorARN("us-east-1", "123456789012"),
		"sts:RoleSessionName":             "654321",
		"sts:SourceIdentity":              "CN=host.example.com",
		"aws:SourceIp":                    "192.0.2.1",
		"aws:PrincipalTag/x509Subject/CN": "host.example.com",
		"aws:PrincipalTag/x509Issuer/CN":  "Test Intermediate 1",
		"aws:PrincipalTag/x509Issuer/O":   "Test ISRG",
		"aws:PrincipalTag/x509Issuer/C":   "US",
		"aws:PrincipalTag/x509SAN/DNS":    "host.example.com",
		"aws:CurrentTime":                 "2026-11-21T12:00:00Z",
	} {
		if len(keys[k]) != 1 || keys[k][0] != want {
			t.Errorf("got %s = %q, want %q", k, keys[k], want)
		}
	}
	if !got.RoleSessionNameGiven || got.Leaf == nil || len(got.Chain) != 1 {
		t.Errorf("got input %+v", got)
	}
}

func TestConditionKeysDropInvalidTagValues(t *testing.T) {
	loadPKIs(t)
	// A CN with an apostrophe (like "O=Let's Encrypt") fails the STS tag
	// pattern, so it is dropped; the SAN stays.
	leaf, err := pkis.ec.Intermediates[0].IssueLeaf(testpki.LeafOptions{CN: "Let's go", DNSNames: []string{"a.example.com", "b.example.com"}}, t0)
	if err != nil {
		t.Fatal(err)
	}
	keys := emulator.AuthorizeInput{Leaf: leaf.Cert}.ConditionKeys()
	if v, ok := keys["aws:PrincipalTag/x509Subject/CN"]; ok {
		t.Errorf("x509Subject/CN %q kept, want it dropped (apostrophe)", v)
	}
	if v := keys["aws:PrincipalTag/x509SAN/DNS"]; len(v) != 1 || v[0] != "a.example.com" {
		t.Errorf("got x509SAN/DNS %q, want the first DNS name", v)
	}
}

func TestNewErrors(t *testing.T) {
	if _, err := emulator.New(emulator.Config{}); !errors.Is(err, emulator.ErrNoAnchors) {
		t.Errorf("got %v, want ErrNoAnchors", err)
	}
	loadPKIs(t)
	if _, err := emulator.New(emulator.Config{AnchorCerts: []*x509.Certificate{pkis.ec.Root.Cert}, RoleARNs: []string{"role/x"}}); err == nil || !strings.Contains(err.Error(), "RoleARNs") {
		t.Errorf("got %v, want an error naming RoleARNs", err)
	}
}

func TestSetNowAndSkew(t *testing.T) {
	loadPKIs(t)
	s, _ := newServer(t, nil, pkis.ec)
	c := newClient(pkis.ec)
	s.SetNow(func() time.Time { return t0.Add(4 * time.Minute) })
	if res := serve(t, s, c.request(t, base)); res.status != 201 {
		t.Fatalf("4 minutes of skew: got %d %s, want 201", res.status, res.raw)
	}
	s.SetNow(func() time.Time { return t0.Add(5*time.Minute + time.Second) })
	res := serve(t, s, c.request(t, base))
	if res.status != 403 || !strings.HasPrefix(res.body["message"].(string), "Signature expired") {
		t.Fatalf("5m1s of skew: got %d %s, want 403 Signature expired", res.status, res.raw)
	}
	if want := t0.Add(5*time.Minute + time.Second).Format(http.TimeFormat); res.date != want {
		t.Errorf("got Date %q, want %q", res.date, want)
	}
	if s.Calls() != 2 {
		t.Errorf("got Calls %d, want 2", s.Calls())
	}
}

// TestConcurrentCalls runs calls in parallel (meaningful with -race): every
// call is counted and recorded on its own line.
func TestConcurrentCalls(t *testing.T) {
	loadPKIs(t)
	var ct syncBuffer
	s, _ := newServer(t, func(c *emulator.Config) { c.CloudTrail = &ct }, pkis.ec)
	const n = 16
	reqs := make([]*http.Request, n)
	for i := range reqs {
		c := newClient(pkis.ec)
		if i%2 == 1 {
			c.body = `{"durationSeconds":1}`
		}
		reqs[i] = c.request(t, base)
	}
	codes := make(chan int, n)
	for _, r := range reqs {
		go func() {
			w := httptest.NewRecorder()
			s.ServeHTTP(w, r)
			codes <- w.Code
		}()
	}
	got := map[int]int{}
	for range n {
		got[<-codes]++
	}
	if got[201] != n/2 || got[400] != n/2 {
		t.Errorf("got status counts %v, want %d of 201 and of 400", got, n/2)
	}
	if s.Calls() != n || s.Requests() != n {
		t.Errorf("got Calls %d, Requests %d, want %d", s.Calls(), s.Requests(), n)
	}
	lines := strings.Split(strings.TrimSpace(ct.String()), "\n")
	if len(lines) != n {
		t.Fatalf("got %d records, want %d", len(lines), n)
	}
	ids := map[string]bool{}
	for _, l := range lines {
		var rec emulator.Record
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("record %q: %v", l, err)
		}
		ids[rec.EventID] = true
	}
	if len(ids) != n {
		t.Errorf("got %d distinct event IDs, want %d", len(ids), n)
	}
}

// syncBuffer is a bytes.Buffer for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestVerifiedChainCache checks that a cached chain verification never
// admits what a fresh one would refuse: another chain, or a time outside
// the certificates' validity.
func TestVerifiedChainCache(t *testing.T) {
	loadPKIs(t)
	s, _ := newServer(t, nil, pkis.two)
	c := newClient(pkis.two)
	for i := 0; i < 2; i++ {
		if res := serve(t, s, c.request(t, base)); res.status != 201 {
			t.Fatalf("call %d: got %d %s", i, res.status, res.raw)
		}
	}
	short := newClient(pkis.two)
	short.chain = short.chain[:1]
	if res := serve(t, s, short.request(t, base)); res.status != 403 || res.body["message"] != emulator.MsgUntrusted {
		t.Fatalf("missing intermediate after a cached success: got %d %s", res.status, res.raw)
	}
	late := pkis.two.Leaf.Cert.NotAfter.Add(time.Hour)
	s.SetNow(func() time.Time { return late })
	c.date = late
	if res := serve(t, s, c.request(t, base)); res.status != 403 || res.body["message"] != emulator.MsgUntrusted {
		t.Fatalf("expired leaf after a cached success: got %d %s", res.status, res.raw)
	}
	early := pkis.two.Leaf.Cert.NotBefore.Add(-time.Minute)
	s.SetNow(func() time.Time { return early })
	c.date = early
	if res := serve(t, s, c.request(t, base)); res.status != 403 || res.body["message"] != emulator.MsgUntrusted {
		t.Fatalf("not yet valid leaf after a cached success: got %d %s", res.status, res.raw)
	}
}

// TestLastAcceptedRequest: the accepted record holds the canonical request
// and string to sign the signature was verified over (the leaf's key
// verifies the signature over that string), the body, and the
// Authorize input, so that the demo shows them without rebuilding them.
func TestLastAcceptedRequest(t *testing.T) {
	loadPKIs(t)
	s, _ := newServer(t, nil, pkis.ec)
	c := newClient(pkis.ec)
	c.body = `{"roleSessionName":"654321"}`
	if res := serve(t, s, c.request(t, base)); res.status != 201 {
		t.Fatalf("got %d %s", res.status, res.raw)
	}
	acc, ok := s.LastAccepted()
	if !ok {
		t.Fatal("nothing accepted")
	}
	if acc.Method != http.MethodPost || acc.Path != "/sessions" || string(acc.Body) != c.body {
		t.Errorf("got %s %s body %q", acc.Method, acc.Path, acc.Body)
	}
	lines := strings.Split(acc.CanonicalRequest, "\n")
	if len(lines) < 6 || lines[0] != "POST" || lines[1] != "/sessions" || lines[len(lines)-1] != sigv4x509.HashHex(acc.Body) {
		t.Errorf("canonical request:\n%s", acc.CanonicalRequest)
	}
	if want := strings.Join(acc.Authorization.SignedHeaders, ";"); lines[len(lines)-2] != want {
		t.Errorf("canonical signed headers %q, want %q", lines[len(lines)-2], want)
	}
	if sum := sha256.Sum256([]byte(acc.CanonicalRequest)); !strings.HasSuffix(acc.StringToSign, "\n"+hex.EncodeToString(sum[:])) {
		t.Errorf("string to sign does not end with the canonical request's hash:\n%s", acc.StringToSign)
	}
	sig, err := hex.DecodeString(acc.Authorization.Signature)
	if err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256([]byte(acc.StringToSign))
	if !ecdsa.VerifyASN1(acc.Leaf.PublicKey.(*ecdsa.PublicKey), digest[:], sig) {
		t.Error("the signature does not verify over the recorded string to sign")
	}
	if acc.Input.RoleSessionName != "654321" || !acc.Input.RoleSessionNameGiven || !acc.Input.Leaf.Equal(acc.Leaf) || acc.Input.SourceIP != "192.0.2.1" {
		t.Errorf("got input %+v", acc.Input)
	}
	// The copy is the caller's.
	acc.Body[0] = 'X'
	if again, _ := s.LastAccepted(); again.Body[0] != '{' {
		t.Error("LastAccepted shares its body with the caller")
	}
}
