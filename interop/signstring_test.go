package interop

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
)

// TestReadCertificateDataSame is acceptance 2 for read-certificate-data:
// for RSA and ECDSA certificates (a leaf file and a full chain) ours prints
// exactly the official helper's bytes.
func TestReadCertificateDataSame(t *testing.T) {
	official, ours := officialHelper(t), ourBinary(t)
	for _, kt := range []testpki.KeyType{testpki.RSA2048, testpki.RSA4096, testpki.ECDSAP256, testpki.ECDSAP384} {
		t.Run(string(kt), func(t *testing.T) {
			t.Parallel()
			p := newPKI(t, kt, testpki.ECDSAP384, 1, "")
			for _, file := range []string{p.files.Certificate, p.files.FullChain} {
				var outs []string
				for _, bin := range []string{official, ours} {
					r := run(t, cleanEnv(t), bin, "read-certificate-data", "--certificate", file)
					if r.code != 0 {
						t.Fatalf("%s read-certificate-data:\n%s", bin, r)
					}
					outs = append(outs, r.stdout)
				}
				if outs[0] != outs[1] {
					t.Errorf("read-certificate-data differs:\nofficial: %s\nours:     %s", outs[0], outs[1])
				}
				var d struct {
					KeyType      string `json:"keyType"`
					SerialNumber string `json:"serialNumber"`
				}
				if err := json.Unmarshal([]byte(outs[1]), &d); err != nil || d.SerialNumber != p.h.Leaf.Cert.SerialNumber.String() {
					t.Errorf("ours: %q (%v), want the leaf's serial %v", outs[1], err, p.h.Leaf.Cert.SerialNumber)
				}
			}
		})
	}
}

// TestSignStringRSASame is acceptance 2 for sign-string with RSA: PKCS#1
// v1.5 is deterministic, so ours must print the official helper's bytes for
// every digest and format.
func TestSignStringRSASame(t *testing.T) {
	official, ours := officialHelper(t), ourBinary(t)
	for _, kf := range []testpki.KeyFormat{testpki.PKCS8, testpki.PKCS1} {
		t.Run(string(kf), func(t *testing.T) {
			t.Parallel()
			p := newPKI(t, testpki.RSA2048, testpki.RSA2048, 1, kf)
			n := 0
			for _, digest := range []string{"SHA256", "SHA384", "SHA512"} {
				for _, format := range []string{"json", "text", "bin"} {
					args := []string{"sign-string", "--certificate", p.files.Certificate, "--private-key", p.files.Key, "--digest", digest, "--format", format}
					a := run(t, cleanEnv(t), official, args...)
					b := run(t, cleanEnv(t), ours, args...)
					if a.code != 0 || b.code != 0 {
						t.Fatalf("%v:\nofficial:\n%s\nours:\n%s", args, a, b)
					}
					if a.stdout != b.stdout {
						t.Errorf("%s %s: outputs differ:\nofficial: %q\nours:     %q", digest, format, a.stdout, b.stdout)
					}
					if len(a.stdout) < 256 {
						t.Errorf("%s %s: official printed %d bytes, too short for an RSA-2048 signature", digest, format, len(a.stdout))
					}
					n++
				}
			}
			if n != 9 {
				t.Fatalf("compared %d cases, want 9", n)
			}
		})
	}
}

// fixedString is the official helper's sign-string test string, built here
// from its definition.
func fixedString(t *testing.T, pub crypto.PublicKey) []byte {
	t.Helper()
	var b []byte
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		var err error
		if b, err = k.Bytes(); err != nil {
			t.Fatal(err)
		}
	case *rsa.PublicKey:
		b = x509.MarshalPKCS1PublicKey(k)
	}
	sum := sha256.Sum256(append([]byte("IAM RA"), b...))
	return append([]byte("AWS Roles Anywhere Credential Helper Signing Test1"), sum[:]...)
}

// TestSignStringECDSAVerifies is acceptance 2 for sign-string with ECDSA:
// signatures are random, so both helpers' signatures are verified over the
// fixed string built in the test; the official's verifying proves the
// string is the official's, ours verifying proves we sign it.
func TestSignStringECDSAVerifies(t *testing.T) {
	official, ours := officialHelper(t), ourBinary(t)
	for _, kt := range []testpki.KeyType{testpki.ECDSAP256, testpki.ECDSAP384} {
		t.Run(string(kt), func(t *testing.T) {
			t.Parallel()
			p := newPKI(t, kt, testpki.ECDSAP384, 1, "")
			pub := p.h.Leaf.Key.Public().(*ecdsa.PublicKey)
			msg := fixedString(t, pub)
			for _, digest := range []struct {
				name string
				h    crypto.Hash
			}{{"SHA256", crypto.SHA256}, {"SHA384", crypto.SHA384}, {"SHA512", crypto.SHA512}} {
				d := digest.h.New()
				d.Write(msg)
				sum := d.Sum(nil)
				for _, bin := range []string{official, ours} {
					for _, format := range []string{"json", "text", "bin"} {
						r := run(t, cleanEnv(t), bin, "sign-string", "--certificate", p.files.Certificate, "--private-key", p.files.Key, "--digest", digest.name, "--format", format)
						if r.code != 0 {
							t.Fatalf("%s sign-string:\n%s", bin, r)
						}
						sig := []byte(r.stdout)
						if format != "bin" {
							s := r.stdout
							if format == "json" {
								if err := json.Unmarshal([]byte(s), &s); err != nil {
									t.Fatalf("%s --format json: %q: %v", bin, r.stdout, err)
								}
							}
							var err error
							if sig, err = hex.DecodeString(s); err != nil {
								t.Fatalf("%s --format %s: %q: %v", bin, format, r.stdout, err)
							}
						}
						if !ecdsa.VerifyASN1(pub, sum, sig) {
							who := "ours"
							if strings.HasSuffix(bin, "aws_signing_helper") {
								who = "official"
							}
							t.Errorf("%s %s %s: signature does not verify over the fixed string", who, digest.name, format)
						}
					}
				}
			}
		})
	}
}

// TestSignStringPKCS12 signs with the key of openssl-made PKCS#12 files
// given as --certificate alone, as the official helper allows: ours prints
// the official's bytes for the legacy file it reads, and the same bytes for
// OpenSSL 3's default file (with a password), which it cannot read.
func TestSignStringPKCS12(t *testing.T) {
	official, ours := officialHelper(t), ourBinary(t)
	id := newOpenSSLIdentity(t, []string{"-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"}, "sha256")
	files := map[string]keyFormatCase{}
	for _, c := range id.cases {
		files[c.name] = c
	}
	legacy, modern, pemKey := files["pkcs12 3des no password"], files["pkcs12 aes-256 password"], files["pkcs8"]
	for _, digest := range []string{"SHA256", "SHA384", "SHA512"} {
		args := []string{"sign-string", "--digest", digest, "--format", "text"}
		a := run(t, cleanEnv(t), official, append(args, "--certificate", legacy.certificate)...)
		b := run(t, cleanEnv(t), ours, append(args, "--certificate", legacy.certificate)...)
		c := run(t, cleanEnv(t, "ACME_SIGNING_HELPER_PRIVATE_KEY_PASSWORD=pw"), ours, append(args, "--certificate", modern.certificate)...)
		d := run(t, cleanEnv(t), ours, append(args, "--certificate", pemKey.certificate, "--private-key", pemKey.key)...)
		if a.code != 0 || b.code != 0 || c.code != 0 || d.code != 0 {
			t.Fatalf("%s:\nofficial legacy:\n%s\nours legacy:\n%s\nours modern:\n%s\nours PEM:\n%s", digest, a, b, c, d)
		}
		if a.stdout != b.stdout || b.stdout != c.stdout || c.stdout != d.stdout || len(a.stdout) != 512 {
			t.Errorf("%s: signatures differ:\nofficial legacy: %s\nours legacy:     %s\nours modern:     %s\nours PEM:        %s", digest, a.stdout, b.stdout, c.stdout, d.stdout)
		}
	}
	// read-certificate-data of the PKCS#12 file (ours) is the official's
	// of the PEM leaf (it reads PEM only).
	a := run(t, cleanEnv(t), official, "read-certificate-data", "--certificate", pemKey.certificate)
	b := run(t, cleanEnv(t, "ACME_SIGNING_HELPER_PRIVATE_KEY_PASSWORD=pw"), ours, "read-certificate-data", "--certificate", modern.certificate)
	if a.code != 0 || b.code != 0 || a.stdout != b.stdout {
		t.Errorf("read-certificate-data: official of the PEM leaf and ours of the PKCS#12 file differ:\n%s\n%s", a, b)
	}
}
