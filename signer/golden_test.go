package signer

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/internal/sigv4x509"
	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
)

var update = flag.Bool("update", false, "regenerate testdata/golden-* files")

// goldenTime is the fixed signing clock of the golden tests.
var goldenTime = time.Date(2026, 11, 21, 12, 34, 56, 0, time.UTC)

// goldenMaterial loads (or with -update writes) a fixed testpki hierarchy.
func goldenMaterial(t *testing.T, name string, kt testpki.KeyType) *Material {
	t.Helper()
	cert := filepath.Join("testdata", "golden-"+name+"-fullchain.pem")
	key := filepath.Join("testdata", "golden-"+name+"-key.pem")
	if *update {
		start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		h, err := testpki.New(testpki.Options{Now: start, Intermediates: 1, Leaf: testpki.LeafOptions{
			KeyType: kt, DNSNames: []string{"golden.example.com"}, NotBefore: start, NotAfter: start.AddDate(10, 0, 0)}})
		if err != nil {
			t.Fatal(err)
		}
		kp, err := testpki.KeyPEM(h.Leaf.Key, testpki.DefaultKeyFormat(h.Leaf.Key))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(cert, testpki.CertPEM(h.Leaf.Cert, h.Intermediates[0].Cert, h.Root.Cert), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(key, kp, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	m, err := Load(LoadOptions{Certificate: cert, PrivateKey: key, Now: func() time.Time { return goldenTime }})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("%s differs:\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

// TestGolden signs a CreateSession request through the real rolesanywhere
// client stack (default endpoint resolution, its serializer) with a fixed
// clock, and compares the canonical request and string to sign with golden
// files; the request never leaves the process.
func TestGolden(t *testing.T) {
	for _, tt := range []struct {
		name string
		kt   testpki.KeyType
		alg  string
	}{{"rsa", testpki.RSA2048, sigv4x509.AlgorithmRSA}, {"ecdsa", testpki.ECDSAP256, sigv4x509.AlgorithmECDSA}} {
		t.Run(tt.name, func(t *testing.T) {
			m := goldenMaterial(t, tt.name, tt.kt)
			if m.Algorithm != tt.alg || len(m.Chain) != 1 {
				t.Fatalf("got %s with %d chain", m.Algorithm, len(m.Chain))
			}
			var sigs []signature
			var sent *http.Request
			var body []byte
			cfg := Config{TrustAnchorARN: testTA, ProfileARN: testProfile, RoleARN: testRole, RoleSessionName: "287082", DurationSeconds: 900,
				Now: func() time.Time { return goldenTime },
				HTTPClient: &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
					sent = r
					var err error
					if body, err = io.ReadAll(r.Body); err != nil {
						return nil, err
					}
					return &http.Response{StatusCode: 201, Header: http.Header{"Content-Type": {"application/json"}}, Request: r,
						Body: io.NopCloser(strings.NewReader(`{"credentialSet":[{"credentials":{"accessKeyId":"A","secretAccessKey":"S","sessionToken":"T","expiration":"2026-11-21T12:49:56Z"}}]}`))}, nil
				})},
			}
			ctx := context.Background()
			arns, region, err := cfg.resolve()
			if err != nil || region != "eu-west-2" || arns.role.AccountID != "123456789012" {
				t.Fatal(region, err)
			}
			creds, err := createSessionObserved(ctx, m, cfg, func(s signature) { sigs = append(sigs, s) })
			if err != nil {
				t.Fatal(err)
			}
			if creds.AccessKeyID != "A" || len(sigs) != 1 {
				t.Fatalf("got %v, %d signatures", creds, len(sigs))
			}
			if got, want := sent.URL.String(), "https://rolesanywhere.eu-west-2.amazonaws.com/sessions?profileArn="; !strings.HasPrefix(got, want) {
				t.Errorf("URL %s, want prefix %s", got, want)
			}
			checkGolden(t, filepath.Join("testdata", "golden-"+tt.name+".canonical"), sigs[0].CanonicalRequest)
			checkGolden(t, filepath.Join("testdata", "golden-"+tt.name+".sts"), sigs[0].StringToSign)
			if got := string(body); got != `{"durationSeconds":900,"roleSessionName":"287082"}` {
				t.Errorf("body %s", got)
			}
			auth := sent.Header.Get("Authorization")
			if auth != sigs[0].Authorization {
				t.Errorf("sent Authorization %q, signed %q", auth, sigs[0].Authorization)
			}
			wantPrefix := fmt.Sprintf("%s Credential=%s/20261121/eu-west-2/rolesanywhere/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-x509;x-amz-x509-chain, Signature=", tt.alg, m.Leaf.SerialNumber)
			if !strings.HasPrefix(auth, wantPrefix) {
				t.Errorf("Authorization %q, want prefix %q", auth, wantPrefix)
			}
			if sent.Header.Get("X-Amz-Date") != "20261121T123456Z" {
				t.Errorf("X-Amz-Date %q", sent.Header.Get("X-Amz-Date"))
			}
			// Round trip: the signature verifies with the certificate's key
			// over SHA-256 of the string to sign.
			sig, err := hex.DecodeString(auth[len(wantPrefix):])
			if err != nil {
				t.Fatal(err)
			}
			digest := sha256.Sum256([]byte(sigs[0].StringToSign))
			if err := verifyWith(m.Leaf, digest[:], sig); err != nil {
				t.Error(err)
			}
			digest[0] ^= 1
			if verifyWith(m.Leaf, digest[:], sig) == nil {
				t.Error("signature verifies over a different digest")
			}
			if tt.name == "rsa" {
				// PKCS#1 v1.5 is deterministic: the whole header is golden.
				checkGolden(t, filepath.Join("testdata", "golden-rsa.authorization"), auth)
			}
		})
	}
}

func verifyWith(c *x509.Certificate, digest, sig []byte) error {
	switch k := c.PublicKey.(type) {
	case *rsa.PublicKey:
		return rsa.VerifyPKCS1v15(k, crypto.SHA256, digest, sig)
	case *ecdsa.PublicKey:
		if !ecdsa.VerifyASN1(k, digest, sig) {
			return fmt.Errorf("ECDSA signature does not verify")
		}
		return nil
	}
	return fmt.Errorf("key %T", c.PublicKey)
}
