package emulator_test

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/emulator"
	"github.com/acme-signing-helper/acme-signing-helper/internal/sigv4x509"
	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
)

// t0 is the fixed time of the tests.
var t0 = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

// pkis are generated once per test binary: RSA key generation is slow.
var pkis struct {
	once                      sync.Once
	ec, rsa, other, two, none *testpki.Hierarchy
	empty, ca, expired        *testpki.Hierarchy
	err                       error
}

func loadPKIs(t testing.TB) {
	t.Helper()
	pkis.once.Do(func() {
		mk := func(o testpki.Options) *testpki.Hierarchy {
			if pkis.err != nil {
				return nil
			}
			o.Now = t0
			h, err := testpki.New(o)
			if err != nil {
				pkis.err = err
			}
			return h
		}
		pkis.ec = mk(testpki.Options{})
		pkis.rsa = mk(testpki.Options{CAKeyType: testpki.RSA2048, Leaf: testpki.LeafOptions{KeyType: testpki.RSA2048}})
		pkis.other = mk(testpki.Options{})
		pkis.two = mk(testpki.Options{Intermediates: 2})
		pkis.none = mk(testpki.Options{Intermediates: -1})
		if pkis.err != nil {
			return
		}
		// Leaves with defects, issued by the ECDSA hierarchy's intermediate.
		issue := func(o testpki.LeafOptions) *testpki.Hierarchy {
			if pkis.err != nil {
				return nil
			}
			if o.KeyType == "" {
				o.KeyType = testpki.ECDSAP256
			}
			leaf, err := pkis.ec.Intermediates[0].IssueLeaf(o, t0)
			if err != nil {
				pkis.err = err
				return nil
			}
			return &testpki.Hierarchy{Root: pkis.ec.Root, Intermediates: pkis.ec.Intermediates, Leaf: leaf}
		}
		pkis.empty = issue(testpki.LeafOptions{EmptySubject: true, DNSNames: []string{"host.example.com"}})
		pkis.ca = issue(testpki.LeafOptions{DNSNames: []string{"host.example.com"}, IsCA: true, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign})
		pkis.expired = issue(testpki.LeafOptions{DNSNames: []string{"host.example.com"}, NotBefore: t0.AddDate(0, 0, -100), NotAfter: t0.AddDate(0, 0, -10)})
	})
	if pkis.err != nil {
		t.Fatal(pkis.err)
	}
}

// client is a tiny SigV4-X509 signer for the tests, built on sigv4x509
// (the real one is package signer).
type client struct {
	leaf  *x509.Certificate
	key   crypto.Signer
	chain []*x509.Certificate
	// region of the scope (default emulator.DefaultRegion).
	region string
	date   time.Time
	query  url.Values
	body   string
	// before runs on the request before signing, after on the signed one.
	before func(r *http.Request)
	after  func(r *http.Request)
	// scopeDate overrides the scope date.
	scopeDate string
}

func newClient(h *testpki.Hierarchy) *client {
	return &client{
		leaf:  h.Leaf.Cert,
		key:   h.Leaf.Key,
		chain: h.Chain(),
		date:  t0,
		query: defaultQuery(),
		body:  `{"durationSeconds":3600}`,
	}
}

func defaultQuery() url.Values {
	r, a := emulator.DefaultRegion, emulator.DefaultAccountID
	return url.Values{
		"profileArn":     {emulator.DefaultProfileARN(r, a)},
		"roleArn":        {emulator.DefaultRoleARN(r, a)},
		"trustAnchorArn": {emulator.DefaultTrustAnchorARN(r, a)},
	}
}

func chainHeader(chain []*x509.Certificate) string {
	parts := make([]string, len(chain))
	for i, c := range chain {
		parts[i] = base64.StdEncoding.EncodeToString(c.Raw)
	}
	return strings.Join(parts, ",")
}

// request builds a signed CreateSession request for base (scheme://host).
func (c *client) request(t testing.TB, base string) *http.Request {
	t.Helper()
	u := base + "/sessions?" + c.query.Encode()
	r := httptest.NewRequest(http.MethodPost, u, strings.NewReader(c.body))
	if !strings.HasPrefix(base, "http://example") {
		// A request for a real server.
		var err error
		r, err = http.NewRequest(http.MethodPost, u, strings.NewReader(c.body))
		if err != nil {
			t.Fatal(err)
		}
	}
	c.sign(t, r, []byte(c.body))
	return r
}

func (c *client) sign(t testing.TB, r *http.Request, body []byte) {
	t.Helper()
	region := c.region
	if region == "" {
		region = emulator.DefaultRegion
	}
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set(sigv4x509.HeaderDate, c.date.UTC().Format(sigv4x509.TimeFormat))
	r.Header.Set(sigv4x509.HeaderX509, base64.StdEncoding.EncodeToString(c.leaf.Raw))
	if len(c.chain) > 0 {
		r.Header.Set(sigv4x509.HeaderChain, chainHeader(c.chain))
	}
	if c.before != nil {
		c.before(r)
		body = readBody(t, r)
	}
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	canonical, signed := sigv4x509.CanonicalRequest(r.Method, r.URL.EscapedPath(), r.URL.Query(), r.Header, host, sigv4x509.HashHex(body))
	scope := sigv4x509.Scope(c.date, region)
	if c.scopeDate != "" {
		scope = c.scopeDate + "/" + region + "/rolesanywhere/aws4_request"
	}
	alg := sigv4x509.AlgorithmECDSA
	if _, ok := c.key.Public().(*rsa.PublicKey); ok {
		alg = sigv4x509.AlgorithmRSA
	}
	digest := sha256.Sum256([]byte(sigv4x509.StringToSign(alg, c.date, scope, canonical)))
	sig, err := c.key.Sign(rand.Reader, digest[:], crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Authorization", sigv4x509.Authorization(alg, c.leaf.SerialNumber.String(), scope, signed, hex.EncodeToString(sig)))
	if c.after != nil {
		c.after(r)
	}
}

// readBody reads r's body and puts it back.
func readBody(t testing.TB, r *http.Request) []byte {
	t.Helper()
	if r.Body == nil {
		return nil
	}
	var b bytes.Buffer
	if _, err := b.ReadFrom(r.Body); err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	data := b.Bytes()
	r.Body = readCloser{bytes.NewReader(data)}
	r.ContentLength = int64(len(data))
	return data
}

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

// setBody replaces r's body.
func setBody(r *http.Request, s string) {
	r.Body = readCloser{bytes.NewReader([]byte(s))}
	r.ContentLength = int64(len(s))
}
