package main

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
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
	// parallel N FILE PROG [ARGS...] runs N copies of PROG at once (in
	// $WORK, with PATH, HOME, XDG_CACHE_HOME and the credential-process
	// ACME_SIGNING_HELPER_* variables of the script) and writes their
	// stdouts, one after the other, to FILE; every copy must exit 0.
	"parallel": func(ts *testscript.TestScript, neg bool, args []string) {
		if len(args) < 3 || neg {
			ts.Fatalf("usage: parallel N FILE PROG [ARGS...]")
		}
		n, err := strconv.Atoi(args[0])
		ts.Check(err)
		names := []string{"PATH", "HOME", "XDG_CACHE_HOME", "TMPDIR"}
		fs := pflag.NewFlagSet("x", pflag.ContinueOnError)
		(&credentialProcessOptions{}).addFlags(fs)
		(&cacheOptions{}).addFlags(fs)
		fs.VisitAll(func(f *pflag.Flag) { names = append(names, envName(f.Name)) })
		env := os.Environ()
		for _, k := range names {
			if v := ts.Getenv(k); v != "" {
				env = append(env, k+"="+v)
			}
		}
		prog := ""
		for _, dir := range filepath.SplitList(ts.Getenv("PATH")) {
			if st, err := os.Stat(filepath.Join(dir, args[2])); err == nil && !st.IsDir() {
				prog = filepath.Join(dir, args[2])
				break
			}
		}
		if prog == "" {
			ts.Fatalf("parallel: %s not found in the script's PATH", args[2])
		}
		outs := make([]bytes.Buffer, n)
		errs := make([]bytes.Buffer, n)
		cmds := make([]*exec.Cmd, n)
		for i := range cmds {
			c := exec.Command(prog, args[3:]...)
			c.Args[0] = args[2]
			c.Dir, c.Env, c.Stdout, c.Stderr = ts.Getenv("WORK"), env, &outs[i], &errs[i]
			ts.Check(c.Start())
			cmds[i] = c
		}
		var all bytes.Buffer
		for i, c := range cmds {
			if err := c.Wait(); err != nil {
				ts.Fatalf("copy %d: %v\n%s", i, err, errs[i].String())
			}
			all.Write(outs[i].Bytes())
		}
		ts.Check(os.WriteFile(ts.MkAbs(args[1]), all.Bytes(), 0o600))
	},
	// samelines FILE N checks that FILE has exactly N non-empty lines, all
	// equal (N concurrent runs printed the same credentials).
	"samelines": func(ts *testscript.TestScript, neg bool, args []string) {
		if len(args) != 2 || neg {
			ts.Fatalf("usage: samelines FILE N")
		}
		var lines []string
		for _, l := range strings.Split(ts.ReadFile(args[0]), "\n") {
			if strings.TrimSpace(l) != "" {
				lines = append(lines, l)
			}
		}
		if fmt.Sprint(len(lines)) != args[1] {
			ts.Fatalf("%s has %d lines, want %s", args[0], len(lines), args[1])
		}
		for i, l := range lines {
			if l != lines[0] {
				ts.Fatalf("%s: line %d differs from line 1", args[0], i+1)
			}
		}
	},
	// truncate GLOB cuts every file matching GLOB to half its size (a
	// cache entry damaged by hand); at least one must match.
	"truncate": func(ts *testscript.TestScript, neg bool, args []string) {
		if len(args) != 1 || neg {
			ts.Fatalf("usage: truncate GLOB")
		}
		m, err := filepath.Glob(ts.MkAbs(args[0]))
		if err != nil || len(m) == 0 {
			ts.Fatalf("truncate: nothing matches %s", args[0])
		}
		for _, p := range m {
			st, err := os.Stat(p)
			ts.Check(err)
			ts.Check(os.Truncate(p, st.Size()/2))
		}
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
