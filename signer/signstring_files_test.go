package signer

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
)

func TestFormatSignature(t *testing.T) {
	sig := []byte{0x01, 0xab}
	for format, want := range map[string]string{"text": "01ab", "json": `"01ab"`, "bin": "\x01\xab"} {
		got, err := FormatSignature(sig, format)
		if err != nil || string(got) != want {
			t.Errorf("%s: got %q, %v, want %q", format, got, err, want)
		}
	}
	if _, err := FormatSignature(sig, "base64"); !errors.Is(err, ErrUnsupportedFormat) {
		t.Errorf("base64: got %v, want ErrUnsupportedFormat", err)
	}
}

func TestSignFixedStringFiles(t *testing.T) {
	h, err := testpki.New(testpki.Options{Leaf: testpki.LeafOptions{KeyType: testpki.ECDSAP256}})
	if err != nil {
		t.Fatal(err)
	}
	f, err := h.WritePlain(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	sig, with, err := SignFixedStringFiles(rand.Reader, f.Certificate, f.Key, nil, crypto.SHA256)
	if err != nil || with != f.Key {
		t.Fatalf("got %q, %v, want the key file %q", with, err, f.Key)
	}
	msg, err := FixedStringToSign(h.Leaf.Key.Public())
	if err != nil {
		t.Fatal(err)
	}
	d := sha256.Sum256(msg)
	if !ecdsa.VerifyASN1(h.Leaf.Key.Public().(*ecdsa.PublicKey), d[:], sig) {
		t.Fatalf("signature %s does not verify", hex.EncodeToString(sig))
	}
	// A certificate next to the key must be readable.
	bad := filepath.Join(t.TempDir(), "bad.pem")
	if err := os.WriteFile(bad, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := SignFixedStringFiles(rand.Reader, bad, f.Key, nil, crypto.SHA256); err == nil {
		t.Fatal("an unreadable certificate next to the key: got nil error")
	}
}
