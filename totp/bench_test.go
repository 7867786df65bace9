package totp

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func BenchmarkCode(b *testing.B) {
	k := Key("12345678901234567890")
	t := time.Unix(1795290582, 0)
	for b.Loop() {
		if _, err := Code(k, t, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifySeedScriptPolicy is detect's per-record cost: a code that
// does not match (the worst case: every step of the window is tried).
func BenchmarkVerifySeedScriptPolicy(b *testing.B) {
	k := Key("12345678901234567890")
	t := time.Unix(1795290582, 0)
	for b.Loop() {
		if _, err := VerifyWithPolicy(k, "000000", t, SeedScriptPolicy); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDeriveKeyFile is the key of a 1 MiB fingerprint file.
func BenchmarkDeriveKeyFile(b *testing.B) {
	p := filepath.Join(b.TempDir(), "monkey.jpg")
	if err := os.WriteFile(p, make([]byte, 1<<20), 0o600); err != nil {
		b.Fatal(err)
	}
	specs := []Spec{{Kind: KindFile, Arg: p}}
	b.SetBytes(1 << 20)
	for b.Loop() {
		if _, err := DeriveKey(nil, specs); err != nil {
			b.Fatal(err)
		}
	}
}
