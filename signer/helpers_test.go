package signer

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/internal/sigv4x509"
	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
)

const (
	testTA      = "arn:aws:rolesanywhere:eu-west-2:123456789012:trust-anchor/9fc0e3fb-c8a5-48dc-b457-f72d1c5f3cc5"
	testProfile = "arn:aws:rolesanywhere:eu-west-2:123456789012:profile/603ae19d-ec74-405d-85d1-dcd5f1ab5f17"
	testRole    = "arn:aws:iam::123456789012:role/my_custom_role_01"
)

func newPKI(t testing.TB, o testpki.Options) *testpki.Hierarchy {
	t.Helper()
	h, err := testpki.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func writePlain(t testing.TB, h *testpki.Hierarchy) testpki.Files {
	t.Helper()
	f, err := h.WritePlain(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func loadPlain(t testing.TB, h *testpki.Hierarchy) *Material {
	t.Helper()
	f := writePlain(t, h)
	m, err := Load(LoadOptions{Certificate: f.Certificate, PrivateKey: f.Key, Intermediates: []string{f.Chain}})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// seenRequest is what the fake endpoint verified.
type seenRequest struct {
	Date            time.Time
	Serial          string
	Chain           []*x509.Certificate
	Query           map[string]string
	DurationSeconds int
	RoleSessionName *string
}

// fakeEndpoint is a CreateSession endpoint that verifies each request's
// SigV4-X509 signature and chain (like the real service and the emulator)
// before answering; respond may replace the answer after verification.
type fakeEndpoint struct {
	t       testing.TB
	srv     *httptest.Server
	mu      sync.Mutex
	seen    []seenRequest
	failed  []string
	respond func(n int, w http.ResponseWriter) bool // true: handled
}

func newFakeEndpoint(t testing.TB) *fakeEndpoint {
	f := &fakeEndpoint{t: t}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeEndpoint) requests() []seenRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seenRequest(nil), f.seen...)
}

func (f *fakeEndpoint) serve(w http.ResponseWriter, r *http.Request) {
	s, err := verifyRequest(r)
	f.mu.Lock()
	n := len(f.seen) + len(f.failed)
	if err != nil {
		f.failed = append(f.failed, err.Error())
	} else {
		f.seen = append(f.seen, s)
	}
	f.mu.Unlock()
	if err != nil {
		f.t.Errorf("fake endpoint refused request: %v", err)
		w.Header().Set("X-Amzn-ErrorType", "AccessDeniedException")
		w.WriteHeader(403)
		fmt.Fprintf(w, `{"message":%q}`, err.Error())
		return
	}
	if f.respond != nil && f.respond(n, w) {
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(201)
	exp := s.Date.Add(time.Duration(s.DurationSeconds) * time.Second).UTC().Format(time.RFC3339)
	fmt.Fprintf(w, `{"credentialSet":[{"assumedRoleUser":{"arn":"arn:aws:sts::123456789012:assumed-role/r/s","assumedRoleId":"AROA:s"},"credentials":{"accessKeyId":"ASIAFAKE","secretAccessKey":"fakeSecretKey/123","sessionToken":"fakeSessionToken+456","expiration":%q},"packedPolicySize":0,"roleArn":%q,"sourceIdentity":"CN=x"}],"subjectArn":"arn:aws:rolesanywhere:eu-west-2:123456789012:subject/1"}`, exp, testRole)
}

// verifyRequest rebuilds the string to sign and checks the signature with
// the public key of the X-Amz-X509 certificate, and the chain order.
func verifyRequest(r *http.Request) (seenRequest, error) {
	var s seenRequest
	if r.Method != http.MethodPost || r.URL.Path != "/sessions" {
		return s, fmt.Errorf("want POST /sessions, got %s %s", r.Method, r.URL.Path)
	}
	auth, err := sigv4x509.ParseAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		return s, err
	}
	der, err := base64.StdEncoding.DecodeString(r.Header.Get(sigv4x509.HeaderX509))
	if err != nil {
		return s, fmt.Errorf("X-Amz-X509: %v", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return s, fmt.Errorf("X-Amz-X509: %v", err)
	}
	if auth.Serial != leaf.SerialNumber.String() {
		return s, fmt.Errorf("credential serial %s, leaf serial %s", auth.Serial, leaf.SerialNumber)
	}
	if ch := r.Header.Get(sigv4x509.HeaderChain); ch != "" {
		prev := leaf
		for i, p := range strings.Split(ch, ",") {
			der, err := base64.StdEncoding.DecodeString(p)
			if err != nil {
				return s, fmt.Errorf("chain %d: %v", i, err)
			}
			c, err := x509.ParseCertificate(der)
			if err != nil {
				return s, fmt.Errorf("chain %d: %v", i, err)
			}
			if err := prev.CheckSignatureFrom(c); err != nil {
				return s, fmt.Errorf("chain %d does not sign the one before: %v", i, err)
			}
			s.Chain = append(s.Chain, c)
			prev = c
		}
	}
	if s.Date, err = time.Parse(sigv4x509.TimeFormat, r.Header.Get(sigv4x509.HeaderDate)); err != nil {
		return s, fmt.Errorf("X-Amz-Date: %v", err)
	}
	if auth.Date != s.Date.Format(sigv4x509.DateFormat) || auth.Region != "eu-west-2" {
		return s, fmt.Errorf("scope %q does not match date/region", auth.Scope)
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return s, err
	}
	hdr := http.Header{}
	hasHost := false
	for _, n := range auth.SignedHeaders {
		if n == "host" {
			hasHost = true
			continue
		}
		vs := r.Header.Values(n)
		if len(vs) == 0 {
			return s, fmt.Errorf("signed header %q missing", n)
		}
		hdr[http.CanonicalHeaderKey(n)] = vs
	}
	for _, must := range []string{"host", "x-amz-date", "x-amz-x509", "content-type"} {
		if !strings.Contains(";"+strings.Join(auth.SignedHeaders, ";")+";", ";"+must+";") {
			return s, fmt.Errorf("header %s not signed", must)
		}
	}
	if !hasHost {
		return s, fmt.Errorf("host not signed")
	}
	canonical, _ := sigv4x509.CanonicalRequest(r.Method, r.URL.EscapedPath(), r.URL.Query(), hdr, r.Host, sigv4x509.HashHex(body))
	sts := sigv4x509.StringToSign(auth.Algorithm, s.Date, auth.Scope, canonical)
	sig, err := hex.DecodeString(auth.Signature)
	if err != nil {
		return s, err
	}
	digest := sha256.Sum256([]byte(sts))
	switch k := leaf.PublicKey.(type) {
	case *rsa.PublicKey:
		if auth.Algorithm != sigv4x509.AlgorithmRSA {
			return s, fmt.Errorf("RSA key with %s", auth.Algorithm)
		}
		if err := rsa.VerifyPKCS1v15(k, crypto.SHA256, digest[:], sig); err != nil {
			return s, fmt.Errorf("bad RSA signature: %v", err)
		}
	case *ecdsa.PublicKey:
		if auth.Algorithm != sigv4x509.AlgorithmECDSA {
			return s, fmt.Errorf("ECDSA key with %s", auth.Algorithm)
		}
		if !ecdsa.VerifyASN1(k, digest[:], sig) {
			return s, fmt.Errorf("bad ECDSA signature")
		}
	default:
		return s, fmt.Errorf("key %T", k)
	}
	var in struct {
		DurationSeconds int     `json:"durationSeconds"`
		RoleSessionName *string `json:"roleSessionName"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return s, fmt.Errorf("body: %v", err)
	}
	s.DurationSeconds, s.RoleSessionName = in.DurationSeconds, in.RoleSessionName
	s.Serial = auth.Serial
	s.Query = map[string]string{}
	for k := range r.URL.Query() {
		s.Query[k] = r.URL.Query().Get(k)
	}
	return s, nil
}
