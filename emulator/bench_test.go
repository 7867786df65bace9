package emulator_test

import (
	"bytes"
	"net/http/httptest"
	"testing"

	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
)

// BenchmarkCreateSession measures one verified call (signature, chain,
// record) through ServeHTTP, for ECDSA and RSA leaves.
func BenchmarkCreateSession(b *testing.B) {
	loadPKIs(b)
	for _, tc := range []struct {
		name string
		h    *testpki.Hierarchy
	}{{"ecdsa", pkis.ec}, {"rsa", pkis.rsa}} {
		b.Run(tc.name, func(b *testing.B) {
			s, ct := newServer(b, nil, tc.h)
			r := newClient(tc.h).request(b, base)
			body := []byte(newClient(tc.h).body)
			b.ReportAllocs()
			for b.Loop() {
				ct.Reset()
				r.Body = readCloser{bytes.NewReader(body)}
				w := httptest.NewRecorder()
				s.ServeHTTP(w, r)
				if w.Code != 201 {
					b.Fatalf("got %d: %s", w.Code, w.Body)
				}
			}
		})
	}
}
