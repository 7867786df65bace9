package tpm

import (
	"encoding/hex"
	"encoding/pem"
	"testing"
)

// opensslP256 is the DER of a TSS2 key file that OpenSSL's tpm2 provider
// wrote on a throwaway swtpm (a wrapped blob: useless without that TPM).
const opensslP256 = "3081f006066781050a0103a003010101020440000001045800560023000b00060072000000100010000300100020f5911920362967a96046d8a7c2c4d37efa32abb08c7671073bf8b3d509ae112000200ef59a4d46e1b8d3eb3db648ae35de922867421204c51d180957038f2d6cca31048180007e00205fa856730d1052f9b178962260a242ad0eee7079f1964fe9ae344c36c878272e001010f3d1adff14e884a2384fcd39d8a7f4a5038acf45b5c5fb6cbce16722a3392ef7f389aa03fdf3efb379f3a8e7a1a74a5b25e283511c2e1eb75add5a717bae1a388fb71a0101450390ff9931a4e68b24c26585b24f392a42c2b3"

// FuzzParseKeyFile: any DER in a TSS2 PEM block gives a key or an error,
// never a panic, and a parsed key yields its public key.
func FuzzParseKeyFile(f *testing.F) {
	der, _ := hex.DecodeString(opensslP256)
	f.Add(der)
	f.Add([]byte("not a key"))
	f.Fuzz(func(t *testing.T, der []byte) {
		kf, err := parseKeyFile(pem.EncodeToMemory(&pem.Block{Type: PEMType, Bytes: der}))
		if err != nil {
			return
		}
		if pub, err := kf.PublicKey(); err == nil {
			_ = checkSigningKey(pub, kf.HasSigner())
		}
	})
}

// FuzzParseRefs: device specs and handle references never panic.
func FuzzParseRefs(f *testing.F) {
	for _, s := range []string{"", "/dev/tpmrm0", "unix:/run/swtpm.sock", "mssim:127.0.0.1:2321", "mssim:nope", "handle:0x81000001", "handle:2164260865", "handle:0x01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, _, _ = ParseDevice(s)
		if h, err := ParseHandle(s); err == nil && h>>24 != 0x81 {
			t.Fatalf("ParseHandle(%q) = %#x, not persistent", s, h)
		}
	})
}

func TestParseOpenSSLKeyFile(t *testing.T) {
	der, err := hex.DecodeString(opensslP256)
	if err != nil {
		t.Fatal(err)
	}
	kf, err := parseKeyFile(pem.EncodeToMemory(&pem.Block{Type: PEMType, Bytes: der}))
	if err != nil {
		t.Fatal(err)
	}
	pub, err := kf.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	if err := checkSigningKey(pub, kf.HasSigner()); err != nil {
		t.Fatal(err)
	}
	if kf.HasAuth() {
		t.Error("the key has no password, HasAuth says it has")
	}
}
