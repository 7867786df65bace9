package certsubject

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"testing"
)

func TestEmpty(t *testing.T) {
	for _, tc := range []struct {
		name string
		cert *x509.Certificate
		want bool
	}{
		{"no subject", &x509.Certificate{RawSubject: []byte{0x30, 0x00}}, true},
		{"absent", &x509.Certificate{}, true},
		{"CN", &x509.Certificate{Subject: pkix.Name{Names: []pkix.AttributeTypeAndValue{{Type: []int{2, 5, 4, 3}, Value: "h"}}}, RawSubject: []byte{0x30, 0x0c}}, false},
	} {
		if got := Empty(tc.cert); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}
