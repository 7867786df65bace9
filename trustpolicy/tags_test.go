package trustpolicy

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
)

func selfSigned(t *testing.T, tmpl *x509.Certificate) *x509.Certificate {
	t.Helper()
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if tmpl.SerialNumber == nil {
		tmpl.SerialNumber = big.NewInt(0x1234)
	}
	tmpl.NotBefore = time.Unix(1_700_000_000, 0)
	tmpl.NotAfter = tmpl.NotBefore.Add(time.Hour)
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// sanWithDirectoryName builds a subjectAltName extension with two DNS
// names and a directoryName.
func sanWithDirectoryName(t *testing.T) pkix.Extension {
	t.Helper()
	dn, err := asn1.Marshal(pkix.Name{CommonName: "dir-name", Organization: []string{"Dir Org"}}.ToRDNSequence())
	if err != nil {
		t.Fatal(err)
	}
	names := []asn1.RawValue{
		{Class: asn1.ClassContextSpecific, Tag: 2, Bytes: []byte("first.example.com")},
		{Class: asn1.ClassContextSpecific, Tag: 2, Bytes: []byte("second.example.com")},
		{Class: asn1.ClassContextSpecific, Tag: 6, Bytes: []byte("spiffe://example.com/web")},
		{Class: asn1.ClassContextSpecific, Tag: 4, IsCompound: true, Bytes: dn},
	}
	v, err := asn1.Marshal(names)
	if err != nil {
		t.Fatal(err)
	}
	return pkix.Extension{Id: oidSAN, Value: v}
}

func TestTagsFromCertificate(t *testing.T) {
	c := selfSigned(t, &x509.Certificate{
		Subject: pkix.Name{
			CommonName: "first.example.com", Country: []string{"GB", "DE"}, Organization: []string{"Let's Encrypt"},
			OrganizationalUnit: []string{"Web Team"}, Province: []string{"London"}, Locality: []string{"Camden Town"},
		},
		ExtraExtensions: []pkix.Extension{sanWithDirectoryName(t)},
	})
	got := TagsFromCertificate(c)
	want := map[string]string{
		// self-signed: issuer == subject. Go encodes both countries in one
		// DER SET, which sorts them: DE is the first value on the wire.
		"x509Subject/CN": "first.example.com", "x509Subject/C": "DE", "x509Subject/OU": "Web Team",
		"x509Subject/ST": "London", "x509Subject/L": "Camden Town",
		"x509Issuer/CN": "first.example.com", "x509Issuer/C": "DE", "x509Issuer/OU": "Web Team",
		"x509Issuer/ST": "London", "x509Issuer/L": "Camden Town",
		"x509SAN/DNS":     "first.example.com",
		"x509SAN/URI":     "spiffe://example.com/web",
		"x509SAN/Name/CN": "dir-name", "x509SAN/Name/O": "Dir Org",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %v\nwant %v", got, want)
	}
	ctx := CertificateContext(c)
	if v := ctx["aws:PrincipalTag/x509SAN/DNS"]; len(v) != 1 || v[0] != "first.example.com" {
		t.Errorf("context: %v", ctx)
	}
	if _, ok := ctx["aws:PrincipalTag/x509Subject/O"]; ok {
		t.Error("O=Let's Encrypt should have been dropped")
	}
	if s := SourceIdentity(c); s != "CN=first.example.com" {
		t.Errorf("SourceIdentity: %s", s)
	}
}

func TestTagsNoCN(t *testing.T) {
	u, _ := url.Parse("https://example.com/x?y=1")
	c := selfSigned(t, &x509.Certificate{DNSNames: []string{"a.example.com"}, URIs: []*url.URL{u}, SerialNumber: big.NewInt(0xabcdef)})
	got := TagsFromCertificate(c)
	// '?' fails the tag pattern: the URI tag is dropped.
	want := map[string]string{"x509SAN/DNS": "a.example.com"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if s := SourceIdentity(c); s != "ID=abcdef" {
		t.Errorf("SourceIdentity: %s", s)
	}
	if len(TagsFromCertificate(nil)) != 0 {
		t.Error("nil certificate")
	}
}

func TestTagValueOK(t *testing.T) {
	for v, want := range map[string]bool{
		"": true, "YE1": true, "host.example.com": true, "Straße 1": true, "a+b=c@d/e:f_g-h": true,
		"Let's Encrypt": false, "a,b": false, "x*": false, "tab\t": false,
	} {
		if got := TagValueOK(v); got != want {
			t.Errorf("TagValueOK(%q) = %v, want %v", v, got, want)
		}
	}
}

func TestTagsLongValueDropped(t *testing.T) {
	long := strings.Repeat("a", 250) + ".example.com"
	c := selfSigned(t, &x509.Certificate{Subject: pkix.Name{CommonName: "ok.example.com"}, DNSNames: []string{long}})
	got := TagsFromCertificate(c)
	if _, ok := got["x509SAN/DNS"]; ok {
		t.Errorf("a %d-character value was kept", len(long))
	}
	if got["x509Subject/CN"] != "ok.example.com" {
		t.Errorf("got %v", got)
	}
}
