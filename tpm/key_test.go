package tpm_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/acme-signing-helper/acme-signing-helper/internal/swtpmtest"
	"github.com/acme-signing-helper/acme-signing-helper/tpm"
)

func verify(t *testing.T, pub crypto.PublicKey, digest, sig []byte) {
	t.Helper()
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		if !ecdsa.VerifyASN1(k, digest, sig) {
			t.Fatal("ECDSA signature does not verify")
		}
	case *rsa.PublicKey:
		if err := rsa.VerifyPKCS1v15(k, crypto.SHA256, digest, sig); err != nil {
			t.Fatalf("RSA signature does not verify: %v", err)
		}
	default:
		t.Fatalf("public key %T", pub)
	}
}

func TestGenerateKeySign(t *testing.T) {
	sim := swtpmtest.Start(t)
	for _, kt := range tpm.KeyTypes() {
		for _, pw := range []string{"", "s3cret"} {
			t.Run(string(kt)+"/password="+pw, func(t *testing.T) {
				o := tpm.KeyOptions{Device: sim.Device(), Password: []byte(pw)}
				pemKey, err := tpm.GenerateKey(o, kt)
				if err != nil {
					t.Fatal(err)
				}
				if !tpm.IsKeyFile(pemKey) {
					t.Fatalf("not a TSS2 key file:\n%s", pemKey)
				}
				k, err := tpm.LoadKeyFile("key.pem", pemKey, o)
				if err != nil {
					t.Fatal(err)
				}
				d := sha256.Sum256([]byte("hello"))
				sig, err := k.Sign(nil, d[:], crypto.SHA256)
				if err != nil {
					t.Fatal(err)
				}
				verify(t, k.Public(), d[:], sig)
				if pw != "" {
					_, err := tpm.LoadKeyFile("key.pem", pemKey, tpm.KeyOptions{Device: sim.Device()})
					if !errors.Is(err, tpm.ErrKeyPasswordRequired) {
						t.Fatalf("no password: got %v, want ErrKeyPasswordRequired", err)
					}
					_, err = tpm.LoadKeyFile("key.pem", pemKey, tpm.KeyOptions{Device: sim.Device(), Password: []byte("wrong")})
					if !errors.Is(err, tpm.ErrKeyPassword) {
						t.Fatalf("wrong password: got %v, want ErrKeyPassword", err)
					}
					if strings.Contains(err.Error(), "wrong") {
						t.Fatalf("error shows the password: %v", err)
					}
				}
			})
		}
	}
}

// needProvider skips (or fails in CI) when OpenSSL's tpm2 provider is
// missing.
func needProvider(t *testing.T, sim *swtpmtest.TPM) {
	t.Helper()
	swtpmtest.Need(t, "openssl")
	cmd := exec.Command("openssl", "list", "-providers", "-provider", "tpm2")
	cmd.Env = append(os.Environ(), sim.Env()...)
	if out, err := cmd.CombinedOutput(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("OpenSSL tpm2 provider (Debian tpm2-openssl): %v\n%s", err, out)
		}
		t.Skipf("OpenSSL tpm2 provider missing: %v", err)
	}
}

func run(t *testing.T, env []string, name string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return out
}

// TestOpenSSLProviderKeys loads keys that OpenSSL's tpm2 provider made.
func TestOpenSSLProviderKeys(t *testing.T) {
	sim := swtpmtest.Start(t)
	needProvider(t, sim)
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"ec-p256", []string{"-algorithm", "EC", "-pkeyopt", "group:P-256"}},
		{"ec-p384", []string{"-algorithm", "EC", "-pkeyopt", "group:P-384"}},
		{"rsa2048", []string{"-algorithm", "RSA", "-pkeyopt", "bits:2048"}},
		{"rsa3072", []string{"-algorithm", "RSA", "-pkeyopt", "bits:3072"}},
	} {
		for _, pw := range []string{"", "pw-" + tc.name} {
			t.Run(tc.name+"/password="+pw, func(t *testing.T) {
				out := filepath.Join(dir, tc.name+pw+".pem")
				args := append([]string{"genpkey", "-provider", "tpm2", "-provider", "default"}, tc.args...)
				if pw != "" {
					args = append(args, "-pkeyopt", "user-auth:"+pw)
				}
				run(t, sim.Env(), "openssl", append(args, "-out", out)...)
				b, err := os.ReadFile(out)
				if err != nil {
					t.Fatal(err)
				}
				k, err := tpm.LoadKeyFile(out, b, tpm.KeyOptions{Device: sim.Device(), Password: []byte(pw)})
				if err != nil {
					t.Fatal(err)
				}
				d := sha256.Sum256([]byte(tc.name))
				sig, err := k.Sign(nil, d[:], crypto.SHA256)
				if err != nil {
					t.Fatal(err)
				}
				verify(t, k.Public(), d[:], sig)
			})
		}
	}
}

// TestPersistentHandle uses a key tpm2-tools made and made persistent.
func TestPersistentHandle(t *testing.T) {
	sim := swtpmtest.Start(t)
	swtpmtest.Need(t, "tpm2_createprimary", "tpm2_create", "tpm2_load", "tpm2_evictcontrol")
	dir := t.TempDir()
	p := func(n string) string { return filepath.Join(dir, n) }
	env := sim.Env()
	run(t, env, "tpm2_createprimary", "-C", "o", "-G", "ecc", "-c", p("primary.ctx"))
	run(t, env, "tpm2_flushcontext", "-t")
	for i, tc := range []struct{ alg, pw string }{{"ecc256", ""}, {"rsa2048", "hpw"}} {
		ref := []string{"handle:0x81000010", "handle:0x81000011"}[i]
		args := []string{"-C", p("primary.ctx"), "-G", tc.alg, "-u", p(tc.alg + ".pub"), "-r", p(tc.alg + ".priv")}
		if tc.pw != "" {
			args = append(args, "-p", tc.pw)
		}
		run(t, env, "tpm2_create", args...)
		run(t, env, "tpm2_flushcontext", "-t")
		run(t, env, "tpm2_load", "-C", p("primary.ctx"), "-u", p(tc.alg+".pub"), "-r", p(tc.alg+".priv"), "-c", p(tc.alg+".ctx"))
		run(t, env, "tpm2_flushcontext", "-t")
		run(t, env, "tpm2_evictcontrol", "-C", "o", "-c", p(tc.alg+".ctx"), strings.TrimPrefix(ref, "handle:"))
		run(t, env, "tpm2_flushcontext", "-t")
		t.Run(tc.alg, func(t *testing.T) {
			k, err := tpm.LoadHandle(ref, tpm.KeyOptions{Device: sim.Device(), Password: []byte(tc.pw)})
			if err != nil {
				t.Fatal(err)
			}
			d := sha256.Sum256([]byte(tc.alg))
			sig, err := k.Sign(nil, d[:], crypto.SHA256)
			if err != nil {
				t.Fatal(err)
			}
			verify(t, k.Public(), d[:], sig)
			if tc.pw != "" {
				if _, err := tpm.LoadHandle(ref, tpm.KeyOptions{Device: sim.Device(), Password: []byte("nope")}); !errors.Is(err, tpm.ErrKeyPassword) {
					t.Fatalf("wrong password: got %v, want ErrKeyPassword", err)
				}
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	sim := swtpmtest.Start(t)
	other := swtpmtest.Start(t)
	o := tpm.KeyOptions{Device: sim.Device()}
	pemKey, err := tpm.GenerateKey(o, tpm.KeyECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	corrupt := bytes.Replace(pemKey, []byte("TSS2 PRIVATE KEY-----\n"), []byte("TSS2 PRIVATE KEY-----\nAAAA"), 1)
	for _, tc := range []struct {
		name string
		load func() error
		want error
	}{
		{"no TPM", func() error {
			_, err := tpm.LoadKeyFile("k", pemKey, tpm.KeyOptions{Device: "unix:" + filepath.Join(t.TempDir(), "none")})
			return err
		}, tpm.ErrNoTPM},
		{"no device", func() error {
			_, err := tpm.LoadKeyFile("k", pemKey, tpm.KeyOptions{Device: filepath.Join(t.TempDir(), "tpm0")})
			return err
		}, noDeviceErr()},
		{"other TPM", func() error {
			_, err := tpm.LoadKeyFile("k", pemKey, tpm.KeyOptions{Device: other.Device()})
			return err
		}, tpm.ErrForeignKey},
		{"corrupt", func() error { _, err := tpm.LoadKeyFile("k", corrupt, o); return err }, tpm.ErrNotTSS2Key},
		{"not PEM", func() error { _, err := tpm.LoadKeyFile("k", []byte("hello"), o); return err }, tpm.ErrNotTSS2Key},
		{"empty handle", func() error { _, err := tpm.LoadHandle("handle:0x81000099", o); return err }, tpm.ErrNoObject},
		{"bad handle", func() error { _, err := tpm.LoadHandle("handle:0x01000099", o); return err }, tpm.ErrInvalidHandle},
		{"bad spec", func() error {
			_, err := tpm.LoadHandle("handle:0x81000001", tpm.KeyOptions{Device: "mssim:nope"})
			return err
		}, tpm.ErrInvalidDevice},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.load()
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestProbe(t *testing.T) {
	sim := swtpmtest.Start(t)
	info, err := tpm.Probe(sim.Device())
	if err != nil {
		t.Fatal(err)
	}
	if info.Manufacturer != "IBM" {
		t.Errorf("swtpm manufacturer %q, want IBM", info.Manufacturer)
	}
	if _, err := tpm.Probe("unix:" + filepath.Join(t.TempDir(), "none")); !errors.Is(err, tpm.ErrNoTPM) {
		t.Errorf("no TPM: got %v, want ErrNoTPM", err)
	}
}

// TestMssim uses swtpm's TCP server (mssim:HOST:PORT).
func TestMssim(t *testing.T) {
	dev := swtpmtest.StartTCP(t)
	o := tpm.KeyOptions{Device: dev}
	pemKey, err := tpm.GenerateKey(o, tpm.KeyECDSAP384)
	if err != nil {
		t.Fatal(err)
	}
	k, err := tpm.LoadKeyFile("k.pem", pemKey, o)
	if err != nil {
		t.Fatal(err)
	}
	d := sha256.Sum256([]byte("mssim"))
	sig, err := k.Sign(nil, d[:], crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	verify(t, k.Public(), d[:], sig)
}
