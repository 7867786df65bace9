package interop

import (
	"bufio"
	"bytes"
	"crypto/x509"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/emulator"
	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
)

// pki is a throwaway ACME-like hierarchy written to disk.
type pki struct {
	h     *testpki.Hierarchy
	files testpki.Files // leaf.pem, key.pem, chain.pem, fullchain.pem
	root  string        // root.pem
}

// newPKI generates root → n intermediates → leaf with the given key types
// and writes it with testpki's plain layout. keyFormat "" keeps the format
// an ACME client writes (SEC1 for ECDSA, PKCS#1 for RSA).
func newPKI(t *testing.T, leaf, ca testpki.KeyType, intermediates int, keyFormat testpki.KeyFormat) pki {
	t.Helper()
	h, err := testpki.New(testpki.Options{
		CAKeyType:     ca,
		Intermediates: intermediates,
		Leaf:          testpki.LeafOptions{KeyType: leaf, DNSNames: []string{"host.interop.example"}},
	})
	if err != nil {
		t.Fatalf("generate PKI: %v", err)
	}
	dir := t.TempDir()
	f, err := h.WritePlain(dir)
	if err != nil {
		t.Fatalf("write PKI: %v", err)
	}
	if keyFormat != "" {
		b, err := testpki.KeyPEM(h.Leaf.Key, keyFormat)
		if err != nil {
			t.Fatalf("encode key as %s: %v", keyFormat, err)
		}
		if err := os.WriteFile(f.Key, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return pki{h: h, files: f, root: filepath.Join(dir, "root.pem")}
}

// lockedBuffer collects the emulator's CloudTrail lines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) Bytes() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return bytes.Clone(l.b.Bytes())
}

// emu is an emulator on a loopback TLS server with a recording proxy in
// front of it. Clients are pointed at the proxy.
type emu struct {
	srv   *emulator.Server
	ts    *httptest.Server
	proxy *proxy
	trail *lockedBuffer
}

// startEmulator serves an emulator trusting anchors. configure, when not
// nil, may change the configuration first.
func startEmulator(t *testing.T, anchors []*x509.Certificate, configure func(*emulator.Config)) *emu {
	t.Helper()
	trail := &lockedBuffer{}
	cfg := emulator.Config{AnchorCerts: anchors, CloudTrail: trail}
	if configure != nil {
		configure(&cfg)
	}
	srv, err := emulator.New(cfg)
	if err != nil {
		t.Fatalf("emulator.New: %v", err)
	}
	ts := httptest.NewTLSServer(srv)
	t.Cleanup(func() {
		srv.Close() // releases hung handlers first
		ts.Close()
	})
	return &emu{srv: srv, ts: ts, proxy: newProxy(t, ts), trail: trail}
}

// URL is what clients use as --endpoint: the proxy.
func (e *emu) URL() string { return e.proxy.URL() }

// arnFlags are the ARN flags both helpers share.
func (e *emu) arnFlags() []string {
	return []string{
		"--trust-anchor-arn", e.srv.TrustAnchorARNs()[0],
		"--profile-arn", e.srv.ProfileARNs()[0],
		"--role-arn", e.srv.RoleARNs()[0],
	}
}

// records parses the CloudTrail lines written so far.
func (e *emu) records(t *testing.T) []emulator.Record {
	t.Helper()
	var out []emulator.Record
	sc := bufio.NewScanner(bytes.NewReader(e.trail.Bytes()))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r emulator.Record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("CloudTrail line %q: %v", sc.Text(), err)
		}
		out = append(out, r)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// issued is a credential set the emulator sent, read from the proxy's
// recording of a 201 answer.
type issued struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	Expiration      time.Time
}

// issuedCredentials returns the credentials of every 201 answer so far.
func (e *emu) issuedCredentials(t *testing.T) []issued {
	t.Helper()
	var out []issued
	for _, x := range e.proxy.Exchanges() {
		if x.status != 201 {
			continue
		}
		var resp struct {
			CredentialSet []struct {
				Credentials struct {
					AccessKeyID     string `json:"accessKeyId"`
					SecretAccessKey string `json:"secretAccessKey"`
					SessionToken    string `json:"sessionToken"`
					Expiration      string `json:"expiration"`
				} `json:"credentials"`
			} `json:"credentialSet"`
		}
		if err := json.Unmarshal(x.body, &resp); err != nil || len(resp.CredentialSet) != 1 {
			t.Fatalf("emulator's 201 body is not one credential set (%v): %d sets", err, len(resp.CredentialSet))
		}
		c := resp.CredentialSet[0].Credentials
		exp, err := time.Parse(time.RFC3339, c.Expiration)
		if err != nil {
			t.Fatalf("emulator's expiration %q: %v", c.Expiration, err)
		}
		out = append(out, issued{c.AccessKeyID, c.SecretAccessKey, c.SessionToken, exp})
	}
	return out
}

// assertSameCredentials compares what a client printed with what the
// emulator issued, field by field (secrets compared, never printed).
func assertSameCredentials(t *testing.T, got processCredentials, want issued) {
	t.Helper()
	if got.AccessKeyID != want.AccessKeyID {
		t.Errorf("AccessKeyId: got %q, want the emulator's %q", got.AccessKeyID, want.AccessKeyID)
	}
	if got.SecretAccessKey != want.SecretAccessKey {
		t.Errorf("SecretAccessKey differs from the emulator's (values not shown)")
	}
	if got.SessionToken != want.SessionToken {
		t.Errorf("SessionToken differs from the emulator's (values not shown)")
	}
	exp, err := time.Parse(time.RFC3339, got.Expiration)
	if err != nil || !exp.Equal(want.Expiration) {
		t.Errorf("Expiration: got %q, want the emulator's %s", got.Expiration, want.Expiration.Format(time.RFC3339))
	}
}

// assertNoSecretsIn fails when an issued secret appears in b (a CloudTrail
// log, stderr, ...).
func assertNoSecretsIn(t *testing.T, what string, b []byte, creds []issued) {
	t.Helper()
	for _, c := range creds {
		if bytes.Contains(b, []byte(c.SecretAccessKey)) || bytes.Contains(b, []byte(c.SessionToken)) {
			t.Errorf("%s contains an issued secret access key or session token", what)
		}
	}
}
