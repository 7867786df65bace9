package interop

import (
	"crypto/x509"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/internal/swtpmtest"
	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
	"github.com/acme-signing-helper/acme-signing-helper/tpm"
)

// tpmTools runs a peer tool against the swtpm and fails the test when it
// fails.
func tpmTool(t *testing.T, sim *swtpmtest.TPM, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), sim.Env()...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

func needTPMPeers(t *testing.T) {
	t.Helper()
	for _, p := range []string{"swtpm", "openssl", "tpm2_createprimary", "tpm2_create", "tpm2_load", "tpm2_evictcontrol", "tpm2_flushcontext"} {
		if _, err := exec.LookPath(p); err != nil {
			missingPeer(t, "%s (Debian swtpm, swtpm-tools, tpm2-tools, tpm2-openssl)", p)
		}
	}
}

// TestTPMKeysBothHelpers is issue 15's acceptance 2: keys made by tools
// nobody here wrote (OpenSSL's tpm2 provider, ECDSA and RSA, with and
// without a password; tpm2_create + tpm2_evictcontrol, a persistent
// handle) get credentials from the emulator with our credential-process
// and with the official aws_signing_helper v1.7.3, given the same key and
// the same swtpm.
func TestTPMKeysBothHelpers(t *testing.T) {
	needTPMPeers(t)
	official, ours := officialHelper(t), ourBinary(t)
	sim := swtpmtest.Start(t)
	dir := t.TempDir()
	p := func(n string) string { return filepath.Join(dir, n) }

	type key struct {
		name, ref, password string
	}
	var keys []key
	for _, k := range []struct {
		name string
		args []string
		pw   string
	}{
		{"openssl-ec-p256", []string{"-algorithm", "EC", "-pkeyopt", "group:P-256"}, ""},
		{"openssl-ec-p384-password", []string{"-algorithm", "EC", "-pkeyopt", "group:P-384"}, "ec-secret"},
		{"openssl-rsa2048", []string{"-algorithm", "RSA", "-pkeyopt", "bits:2048"}, ""},
		{"openssl-rsa2048-password", []string{"-algorithm", "RSA", "-pkeyopt", "bits:2048"}, "rsa-secret"},
	} {
		args := append([]string{"genpkey", "-provider", "tpm2", "-provider", "default"}, k.args...)
		if k.pw != "" {
			args = append(args, "-pkeyopt", "user-auth:"+k.pw)
		}
		tpmTool(t, sim, "openssl", append(args, "-out", p(k.name+".pem"))...)
		keys = append(keys, key{k.name, p(k.name + ".pem"), k.pw})
	}
	tpmTool(t, sim, "tpm2_createprimary", "-C", "o", "-G", "ecc", "-c", p("primary.ctx"))
	tpmTool(t, sim, "tpm2_flushcontext", "-t")
	tpmTool(t, sim, "tpm2_create", "-C", p("primary.ctx"), "-G", "ecc256", "-u", p("h.pub"), "-r", p("h.priv"))
	tpmTool(t, sim, "tpm2_flushcontext", "-t")
	tpmTool(t, sim, "tpm2_load", "-C", p("primary.ctx"), "-u", p("h.pub"), "-r", p("h.priv"), "-c", p("h.ctx"))
	tpmTool(t, sim, "tpm2_flushcontext", "-t")
	tpmTool(t, sim, "tpm2_evictcontrol", "-C", "o", "-c", p("h.ctx"), "0x81000001")
	tpmTool(t, sim, "tpm2_flushcontext", "-t")
	keys = append(keys, key{"tpm2-tools-handle", "handle:0x81000001", ""})

	for _, k := range keys {
		t.Run(k.name, func(t *testing.T) {
			o := tpm.KeyOptions{Device: sim.Device(), Password: []byte(k.password)}
			var signer *tpm.Key
			var err error
			if tpm.IsHandle(k.ref) {
				signer, err = tpm.LoadHandle(k.ref, o)
			} else {
				var b []byte
				if b, err = os.ReadFile(k.ref); err != nil {
					t.Fatal(err)
				}
				signer, err = tpm.LoadKeyFile(k.ref, b, o)
			}
			if err != nil {
				t.Fatal(err)
			}
			now := time.Now()
			root, err := testpki.NewRoot("TPM Interop Root", testpki.ECDSAP256, now)
			if err != nil {
				t.Fatal(err)
			}
			leaf, err := root.IssueLeaf(testpki.LeafOptions{DNSNames: []string{"tpm.interop.example"}, Key: signer}, now)
			if err != nil {
				t.Fatal(err)
			}
			cert := filepath.Join(t.TempDir(), "leaf.pem")
			if err := os.WriteFile(cert, testpki.CertPEM(leaf.Cert), 0o644); err != nil {
				t.Fatal(err)
			}
			pwFile := filepath.Join(t.TempDir(), "pw")
			if err := os.WriteFile(pwFile, []byte(k.password+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			e := startEmulator(t, []*x509.Certificate{root.Cert}, nil)
			common := append([]string{"credential-process", "--certificate", cert, "--private-key", k.ref, "--endpoint", e.URL(), "--no-verify-ssl"}, e.arnFlags()...)

			officialArgs := append([]string{}, common...)
			if k.password != "" {
				officialArgs = append(officialArgs, "--tpm-key-password", k.password)
			} else {
				officialArgs = append(officialArgs, "--no-tpm-key-password")
			}
			r := run(t, cleanEnv(t, "TPM_DEVICE="+sim.Socket), official, officialArgs...)
			if r.code != 0 {
				t.Fatalf("aws_signing_helper with the TPM key refused:\n%s", r)
			}
			parseProcessOutput(t, r.stdout)

			oursArgs := append(append([]string{}, common...), "--tpm-device", sim.Device(), "--no-cache")
			if k.password != "" {
				oursArgs = append(oursArgs, "--tpm-key-password-file", pwFile)
			}
			r = run(t, cleanEnv(t), ours, oursArgs...)
			if r.code != 0 {
				t.Fatalf("acme-signing-helper with the TPM key refused:\n%s", r)
			}
			parseProcessOutput(t, r.stdout)
			if k.password != "" && strings.Contains(r.stderr, k.password) {
				t.Errorf("stderr shows the key password")
			}
			if n := len(e.issuedCredentials(t)); n != 2 {
				t.Errorf("emulator issued %d credential sets, want 2 (one per helper)", n)
			}
		})
	}
}
