package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/acme-signing-helper/acme-signing-helper/internal/swtpmtest"
	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
	"github.com/acme-signing-helper/acme-signing-helper/tpm"
)

// The testscript commands of the TPM scripts (testdata/script/tpm*.txtar),
// added to scriptCmds here so that testcmds_test.go stays as it is.
func init() {
	// swtpm VAR starts a fresh swtpm, stopped when the script ends, and sets
	// VAR to its --tpm-device (unix:PATH) and VAR_TCTI to the TCTI string of
	// tpm2-tools and OpenSSL's tpm2 provider.
	scriptCmds["swtpm"] = func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) != 1 {
			ts.Fatalf("usage: swtpm VAR")
		}
		if _, err := exec.LookPath("swtpm"); err != nil {
			ts.Fatalf("swtpm not installed (precede with 'needexec swtpm' and '[!exec:swtpm] skip'): %v", err)
		}
		dir, err := os.MkdirTemp("", "swtpm")
		ts.Check(err)
		sim, stop, err := swtpmtest.Launch(dir)
		ts.Check(err)
		ts.Defer(func() { stop(); os.RemoveAll(dir) })
		ts.Setenv(args[0], sim.Device())
		ts.Setenv(args[0]+"_TCTI", sim.TCTI())
	}
	// tpmcert DEVICE KEY [PASSWORD] DIR issues DIR/root.pem and a leaf
	// certificate DIR/leaf.pem (host.example.com) for the public key of the
	// TPM key KEY (a TSS2 key file or handle:...) on DEVICE.
	scriptCmds["tpmcert"] = func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) < 3 || len(args) > 4 {
			ts.Fatalf("usage: tpmcert DEVICE KEY [PASSWORD] DIR")
		}
		o := tpm.KeyOptions{Device: args[0]}
		if len(args) == 4 {
			o.Password = []byte(args[2])
		}
		var key *tpm.Key
		var err error
		if tpm.IsHandle(args[1]) {
			key, err = tpm.LoadHandle(args[1], o)
		} else {
			var b []byte
			b, err = os.ReadFile(ts.MkAbs(args[1]))
			ts.Check(err)
			key, err = tpm.LoadKeyFile(args[1], b, o)
		}
		ts.Check(err)
		now := time.Now()
		root, err := testpki.NewRoot("TPM Test Root", testpki.ECDSAP256, now)
		ts.Check(err)
		leaf, err := root.IssueLeaf(testpki.LeafOptions{DNSNames: []string{"host.example.com"}, Key: key}, now)
		ts.Check(err)
		dir := ts.MkAbs(args[len(args)-1])
		ts.Check(os.MkdirAll(dir, 0o755))
		ts.Check(os.WriteFile(filepath.Join(dir, "root.pem"), testpki.CertPEM(root.Cert), 0o644))
		ts.Check(os.WriteFile(filepath.Join(dir, "leaf.pem"), testpki.CertPEM(leaf.Cert), 0o644))
	}
}
