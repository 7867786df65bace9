package emulator_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/acme-signing-helper/acme-signing-helper/emulator"
	"github.com/acme-signing-helper/acme-signing-helper/internal/sigv4x509"
)

// FuzzCreateSession sends arbitrary Authorization, X-Amz-X509-Chain and
// body values (after a valid signature's headers) through the handler: it
// must never panic, must answer JSON, and must never accept a request whose
// signed parts were changed.
func FuzzCreateSession(f *testing.F) {
	loadPKIs(f)
	c := newClient(pkis.ec)
	valid := c.request(f, base)
	auth := valid.Header.Get("Authorization")
	chain := valid.Header.Get(sigv4x509.HeaderChain)
	f.Add(auth, chain, c.body)
	f.Add(auth, chain, `{"durationSeconds":1e99}`)
	f.Add(auth, chain, `{"roleSessionName":null,"instanceProperties":{"a":1}}`)
	f.Add("AWS4-X509-ECDSA-SHA256 Credential=1/20261121/us-east-1/rolesanywhere/aws4_request, SignedHeaders=host, Signature=00", "", "")
	f.Add(auth, chain+","+chain, "")
	f.Add(auth, ",,,,,", "[]")
	f.Add("", "", "")

	pAuth, err := sigv4x509.ParseAuthorization(auth)
	if err != nil {
		f.Fatal(err)
	}
	canon := func(v string) string { return strings.Join(strings.Fields(v), " ") }
	s, _ := newServer(f, nil, pkis.ec)
	f.Fuzz(func(t *testing.T, authz, chainHdr, body string) {
		r := httptest.NewRequest(http.MethodPost, valid.URL.String(), strings.NewReader(body))
		for k, v := range valid.Header {
			r.Header[k] = v
		}
		r.Header.Set("Authorization", authz)
		if chainHdr == "" {
			r.Header.Del(sigv4x509.HeaderChain)
		} else {
			r.Header.Set(sigv4x509.HeaderChain, chainHdr)
		}
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		var m map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
			t.Fatalf("answer is not JSON: %q", w.Body.String())
		}
		// Changes that survive canonicalisation (spaces) are no changes.
		pa, err := sigv4x509.ParseAuthorization(authz)
		changed := err != nil || !reflect.DeepEqual(pa, pAuth) || canon(chainHdr) != canon(chain) || body != c.body
		if w.Code == http.StatusCreated && changed {
			t.Fatalf("accepted a modified request: auth %q chain %q body %q", authz, chainHdr, body)
		}
		if w.Code != http.StatusCreated && w.Header().Get("X-Amzn-ErrorType") == "" {
			t.Fatalf("error %d without X-Amzn-ErrorType", w.Code)
		}
	})
}

// FuzzParseChainHeader checks the chain parser never panics and never
// returns more than five certificates.
func FuzzParseChainHeader(f *testing.F) {
	loadPKIs(f)
	f.Add(chainHeader(pkis.two.Chain()))
	f.Add("")
	f.Add(",")
	f.Add("MIIB")
	f.Fuzz(func(t *testing.T, v string) {
		certs, err := emulator.ParseChainHeader(v)
		if err == nil && len(certs) > sigv4x509.MaxChain {
			t.Fatalf("got %d certificates", len(certs))
		}
	})
}

// FuzzParseSessionRequest checks the body parser never panics.
func FuzzParseSessionRequest(f *testing.F) {
	f.Add([]byte(`{"durationSeconds":3600,"roleSessionName":"123456","instanceProperties":{"a":"b"}}`))
	f.Add([]byte(`{} {}`))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = emulator.ParseSessionRequest(b)
	})
}
