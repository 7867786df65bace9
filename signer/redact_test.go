package signer

import (
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/big"
	"strings"
	"testing"

	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
)

// TestPrintingHidesSecrets: Material and LoadOptions printed by mistake
// (a log line, a test failure) show neither the private key nor the key
// password.
func TestPrintingHidesSecrets(t *testing.T) {
	h := newPKI(t, testpki.Options{Leaf: testpki.LeafOptions{KeyType: testpki.ECDSAP256}})
	m := loadPlain(t, h)
	key, ok := m.Key.(*ecdsa.PrivateKey)
	if !ok {
		t.Fatalf("got key %T, want ECDSA", m.Key)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	b, err := key.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	d := new(big.Int).SetBytes(b) // the private scalar, as key.D held it
	secrets := []string{d.String(), d.Text(16), hex.EncodeToString(b), base64.StdEncoding.EncodeToString(der)[:40]}
	const password = "s3cr3t-pw"
	lo := LoadOptions{Certificate: "c.pem", PrivateKey: "k.pem", Password: []byte(password)}
	out := fmt.Sprintf("%v %+v %#v %s | %v %+v %#v %s | %v %+v %#v", m, m, m, m, *m, *m, *m, *m, lo, lo, lo)
	for _, s := range append(secrets, password, fmt.Sprint([]byte(password))) {
		if strings.Contains(out, s) {
			t.Errorf("printed a secret (%.12s...): %s", s, out)
		}
	}
	if !strings.Contains(out, m.Leaf.Subject.String()) || !strings.Contains(out, "k.pem") || !strings.Contains(out, "password [redacted]") {
		t.Errorf("want the subject, the files and a redacted password: %s", out)
	}
}
