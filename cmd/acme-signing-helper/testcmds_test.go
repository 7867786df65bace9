package main

import (
	"crypto/x509"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/spf13/pflag"

	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
)

// scriptCmds are extra testscript commands.
var scriptCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	// needexec PROG... fails in CI (CI set) when a peer program is
	// missing; elsewhere it does nothing, so follow it with
	// "[!exec:PROG] skip".
	"needexec": func(ts *testscript.TestScript, neg bool, args []string) {
		for _, p := range args {
			if _, err := exec.LookPath(p); err != nil && os.Getenv("CI") != "" {
				ts.Fatalf("%s is required in CI: %v", p, err)
			}
		}
	},
	// setenvfile NAME FILE sets $NAME to FILE's content, spaces trimmed
	// (for passing one command's output to another, e.g. a seed to oathtool).
	"setenvfile": func(ts *testscript.TestScript, neg bool, args []string) {
		if len(args) != 2 || neg {
			ts.Fatalf("usage: setenvfile NAME FILE")
		}
		ts.Setenv(args[0], strings.TrimSpace(ts.ReadFile(args[1])))
	},
	// waitfile FILE waits up to 10 s for FILE to exist and be non-empty.
	"waitfile": func(ts *testscript.TestScript, neg bool, args []string) {
		if len(args) != 1 {
			ts.Fatalf("usage: waitfile FILE")
		}
		p := ts.MkAbs(args[0])
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if b, err := os.ReadFile(p); err == nil && len(b) > 0 {
				if neg {
					ts.Fatalf("%s exists", p)
				}
				return
			}
		}
		if !neg {
			ts.Fatalf("timed out waiting for %s", p)
		}
	},
}

// testpkiMain writes a throwaway ACME-like PKI for scripts:
//
//	testpki [--layout plain|lego|certbot|acmesh] [--domain NAME] [--key TYPE]
//	        [--intermediates N] [--empty-subject] [--expired] [--ca-leaf]
//	        [--no-digital-signature] [--key-format pkcs8|sec1|pkcs1]
//	        [--key-password PASSWORD] DIR
//
// It always writes DIR/root.pem (the trust anchor) and, for the layouts,
// the files where the ACME client would put them.
func testpkiMain(args []string) int {
	fs := pflag.NewFlagSet("testpki", pflag.ContinueOnError)
	layout := fs.String("layout", "plain", "plain, lego, certbot or acmesh")
	domain := fs.String("domain", "host.example.com", "DNS name of the leaf")
	cn := fs.String("cn", "", "subject CN (default: the domain)")
	key := fs.String("key", "p256", "leaf key type")
	ints := fs.Int("intermediates", 1, "number of intermediates (0 for none)")
	empty := fs.Bool("empty-subject", false, "leave the subject empty")
	expired := fs.Bool("expired", false, "make the leaf expired")
	caLeaf := fs.Bool("ca-leaf", false, "make the leaf a CA")
	noDS := fs.Bool("no-digital-signature", false, "keyUsage without digitalSignature")
	keyFormat := fs.String("key-format", "", "pkcs8, sec1 or pkcs1 (default: what the ACME client writes)")
	keyPassword := fs.String("key-password", "", "encrypt the key (PKCS#8, PBES2, AES-256-CBC) with this throwaway test password")
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: testpki [flags] DIR", err)
		return 2
	}
	dir := fs.Arg(0)
	now := time.Now()
	n := *ints
	if n == 0 {
		n = -1
	}
	lo := testpki.LeafOptions{CN: *cn, DNSNames: []string{*domain}, KeyType: testpki.KeyType(*key), EmptySubject: *empty, IsCA: *caLeaf}
	if *expired {
		lo.NotBefore, lo.NotAfter = now.AddDate(0, 0, -100), now.AddDate(0, 0, -10)
	}
	if *noDS {
		lo.KeyUsage = x509.KeyUsageKeyEncipherment
	}
	h, err := testpki.New(testpki.Options{Intermediates: n, Leaf: lo, Now: now})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	var f testpki.Files
	switch *layout {
	case "plain":
		f, err = h.WritePlain(dir)
	case "lego":
		f, err = h.WriteLego(dir, *domain)
	case "certbot":
		f, err = h.WriteCertbot(dir, *domain)
	case "acmesh":
		f, err = h.WriteAcmeSh(dir, *domain)
	default:
		err = fmt.Errorf("unknown layout %q", *layout)
	}
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, "root.pem"), testpki.CertPEM(h.Root.Cert), 0o644)
	}
	if err == nil && *keyFormat != "" {
		var b []byte
		if b, err = testpki.KeyPEM(h.Leaf.Key, testpki.KeyFormat(strings.ToLower(*keyFormat))); err == nil {
			err = os.WriteFile(f.Key, b, 0o600)
		}
	}
	if err == nil && *keyPassword != "" {
		var b []byte
		if b, err = testpki.EncryptedPKCS8PEM(h.Leaf.Key, []byte(*keyPassword)); err == nil {
			err = os.WriteFile(f.Key, b, 0o600)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}
