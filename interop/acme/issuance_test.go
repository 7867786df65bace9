package acme

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

func TestPeerVersions(t *testing.T) {
	tl := tools(t)
	if tl.PebbleVersion != wantPebbleVersion {
		t.Errorf("pebble version = %s, want %s", tl.PebbleVersion, wantPebbleVersion)
	}
	if tl.LegoVersion != wantLegoVersion {
		t.Errorf("lego version = %s, want %s", tl.LegoVersion, wantLegoVersion)
	}
	// The binaries report the versions they were built from.
	out, err := exec.Command(tl.Pebble, "-version").CombinedOutput()
	if err != nil || !strings.Contains(string(out), wantPebbleVersion) {
		t.Errorf("pebble -version = %q, %v; want it to name %s", out, err, wantPebbleVersion)
	}
	out, err = exec.Command(tl.Lego, "--version").CombinedOutput()
	if err != nil || !strings.Contains(string(out), wantLegoVersion) {
		t.Errorf("lego --version = %q, %v; want it to name %s", out, err, wantLegoVersion)
	}
	// challtestsrv has no version flag; it is pebble's own command,
	// built from the same module version.
	t.Logf("pebble %s, pebble-challtestsrv %s (same module), lego %s; build of peers and acme-signing-helper took %s",
		tl.PebbleVersion, tl.PebbleVersion, tl.LegoVersion, bins.buildTime.Round(time.Millisecond))
}

// TestIssuance checks what lego wrote for every fixture host: lego's layout,
// the subject each pebble profile gives, the key type, a chain that verifies
// to the root pebble's management API serves, the issuer bundle order, and
// that pebble's VA really asked challtestsrv for the TXT record.
func TestIssuance(t *testing.T) {
	w := getWorld(t)
	t.Logf("issued %d certificates in two parallel waves in %s", len(w.hosts), w.issueTime.Round(time.Millisecond))
	ctx := context.Background()
	tests := []struct {
		name          string
		root          []byte
		peb           *Pebble
		intermediates int
		wantCN        string // "" = empty subject
		keyType       string
	}{
		{host1, w.rootA, w.pebA, 1, host1, "ec256"},
		{host2, w.rootA, w.pebA, 1, host2, "rsa2048"},
		{geny, w.rootB, w.pebB, 2, geny, "ec256"},
		{nocn, w.rootA, w.pebA, 1, "", "ec256"},
	}
	if len(tests) != len(w.hosts)-1 { // the impostor is host1's twin
		t.Fatalf("fixture has %d hosts, test covers %d", len(w.hosts), len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := w.hosts[tt.name]
			f := h.lego.Files(tt.name)
			for _, p := range []string{f.Cert, f.Key, f.Issuer, f.Meta} {
				if _, err := os.Stat(p); err != nil {
					t.Fatalf("lego layout: %v", err)
				}
			}
			if d, certURL, err := ReadMeta(f.Meta); err != nil || d != tt.name || !strings.HasPrefix(certURL, strings.TrimSuffix(tt.peb.DirectoryURL, "/dir")) {
				t.Errorf("lego resource %s: domain %q certUrl %q err %v; want domain %q at %s", f.Meta, d, certURL, err, tt.name, tt.peb.DirectoryURL)
			}
			bundle, err := ReadChain(f.Cert)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := len(bundle), 1+tt.intermediates; got != want {
				t.Fatalf("%s holds %d certificates, want leaf + %d intermediates", f.Cert, got, tt.intermediates)
			}
			leaf := bundle[0]
			if len(leaf.DNSNames) != 1 || leaf.DNSNames[0] != tt.name {
				t.Errorf("leaf DNS names = %v, want [%s]", leaf.DNSNames, tt.name)
			}
			if leaf.Subject.CommonName != tt.wantCN {
				t.Errorf("leaf CN = %q, want %q", leaf.Subject.CommonName, tt.wantCN)
			}
			if tt.wantCN == "" && len(leaf.Subject.Names) != 0 {
				t.Errorf("leaf subject = %q, want empty (pebble's default profile)", leaf.Subject)
			}
			switch pub := leaf.PublicKey.(type) {
			case *ecdsa.PublicKey:
				if tt.keyType != "ec256" || pub.Curve != elliptic.P256() {
					t.Errorf("leaf key is ECDSA %s, want %s", pub.Curve.Params().Name, tt.keyType)
				}
			case *rsa.PublicKey:
				if tt.keyType != "rsa2048" || pub.N.BitLen() != 2048 {
					t.Errorf("leaf key is RSA %d, want %s", pub.N.BitLen(), tt.keyType)
				}
			default:
				t.Errorf("leaf key %T, want %s", pub, tt.keyType)
			}

			// The issuer bundle lists the leaf's issuer first, then its
			// issuer: each certificate signs the one before it.
			for i := 1; i < len(bundle); i++ {
				if err := bundle[i-1].CheckSignatureFrom(bundle[i]); err != nil {
					t.Errorf("bundle[%d] (%s) is not signed by bundle[%d] (%s): %v", i-1, bundle[i-1].Subject, i, bundle[i].Subject, err)
				}
			}
			issuerFile, err := ReadChain(f.Issuer)
			if err != nil {
				t.Fatal(err)
			}
			if len(issuerFile) != tt.intermediates || !issuerFile[0].Equal(bundle[1]) {
				t.Errorf("%s: %d certificates, first %s; want the %d of the bundle, leaf's issuer first", f.Issuer, len(issuerFile), issuerFile[0].Subject, tt.intermediates)
			}
			// The management API's intermediate is the leaf's issuer.
			im, err := tt.peb.Intermediate(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if blk, _ := pem.Decode(im); blk == nil || !bytes.Equal(blk.Bytes, bundle[1].Raw) {
				t.Errorf("pebble's /intermediates/0 is not the leaf's issuer %s", bundle[1].Subject)
			}

			// The chain verifies to the root from the management API.
			roots := x509.NewCertPool()
			if !roots.AppendCertsFromPEM(tt.root) {
				t.Fatal("no root from pebble")
			}
			inters := x509.NewCertPool()
			for _, c := range bundle[1:] {
				inters.AddCert(c)
			}
			chains, err := leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inters, DNSName: tt.name, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
			if err != nil {
				t.Fatalf("leaf does not verify to pebble's root: %v", err)
			}
			if got := len(chains[0]); got != 2+tt.intermediates {
				t.Errorf("verified chain length %d, want leaf + %d intermediates + root", got, tt.intermediates)
			}
			// Without the second intermediate the chain is broken.
			if tt.intermediates == 2 {
				only := x509.NewCertPool()
				only.AddCert(bundle[1])
				if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: only, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err == nil {
					t.Error("leaf verified with one of its two intermediates missing")
				}
			}

			// Pebble's VA looked the record up at challtestsrv.
			qs, err := w.cts.DNSHistory(ctx, "_acme-challenge."+tt.name)
			if err != nil {
				t.Fatal(err)
			}
			if !hasTXTQuestion(qs) {
				t.Errorf("challtestsrv got no TXT question for _acme-challenge.%s (got %v): DNS-01 was not validated", tt.name, qs)
			}
		})
	}
}

func hasTXTQuestion(qs []DNSQuestion) bool {
	for _, q := range qs {
		if q.Qtype == DNSTypeTXT {
			return true
		}
	}
	return false
}

// TestDNS01ValidationFailure proves pebble really validates DNS-01: when
// the TXT record is not served, or holds the wrong value, lego fails with
// pebble's problem, the harness reports it as a *LegoError, and no
// certificate is written.
func TestDNS01ValidationFailure(t *testing.T) {
	t.Parallel() // own names; runs beside TestForcedRenewal
	w := getWorld(t)
	tests := []struct {
		mode, name, want string
	}{
		{HookDrop, "unserved." + fleetDomain, "No TXT records found for DNS challenge"},
		{HookWrong, "wrongvalue." + fleetDomain, "Correct value not found for DNS challenge"},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			t.Parallel() // distinct names: the runs cannot meet at challtestsrv
			l := w.newLego(w.pebA, tt.name)
			l.HookMode = tt.mode
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			out, err := l.Run(ctx, LegoRequest{Domains: []string{tt.name}, KeyType: "ec256", Profile: "classic"})
			var le *LegoError
			if !errors.As(err, &le) {
				t.Fatalf("lego run with the TXT record %s: err = %v, want a *LegoError; output:\n%s", tt.mode, err, out)
			}
			if !strings.Contains(le.Output, tt.want) || !strings.Contains(le.Output, "urn:ietf:params:acme:error:unauthorized") {
				t.Errorf("lego failed without pebble's DNS-01 problem %q; error:\n%v", tt.want, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("the harness error does not report pebble's problem %q:\n%v", tt.want, err)
			}
			if _, err := os.Stat(l.Files(tt.name).Cert); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("certificate file after a failed validation: %v", err)
			}
			qs, err := w.cts.DNSHistory(ctx, "_acme-challenge."+tt.name)
			if err != nil {
				t.Fatal(err)
			}
			if !hasTXTQuestion(qs) {
				t.Errorf("pebble never asked challtestsrv for the TXT record of %s: the failure was not the validation", tt.name)
			}
		})
	}
}

// TestForcedRenewal renews a certificate with lego renew and checks that
// the files change to a new certificate for the same name and profile.
func TestForcedRenewal(t *testing.T) {
	t.Parallel() // own name; runs beside TestDNS01ValidationFailure
	w := getWorld(t)
	name := "rotate." + fleetDomain
	l := w.newLego(w.pebA, name)
	req := LegoRequest{Domains: []string{name}, KeyType: "ec256", Profile: "classic"}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := l.Run(ctx, req); err != nil {
		t.Fatal(err)
	}
	f := l.Files(name)
	before, err := ReadChain(f.Cert)
	if err != nil {
		t.Fatal(err)
	}
	keyBefore, err := os.ReadFile(f.Key)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	out, err := l.Renew(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("lego renew took %s", time.Since(t0).Round(time.Millisecond))
	after, err := ReadChain(f.Cert)
	if err != nil {
		t.Fatal(err)
	}
	if after[0].SerialNumber.Cmp(before[0].SerialNumber) == 0 {
		t.Fatalf("serial unchanged after lego renew (%x); output:\n%s", after[0].SerialNumber, out)
	}
	if after[0].Subject.CommonName != name || after[0].DNSNames[0] != name {
		t.Errorf("renewed certificate CN %q SANs %v, want %s (classic profile kept)", after[0].Subject.CommonName, after[0].DNSNames, name)
	}
	keyAfter, err := os.ReadFile(f.Key)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(keyBefore, keyAfter) {
		t.Error("lego renew kept the private key; without --reuse-key it makes a new one")
	}
	if err := after[0].CheckSignatureFrom(after[1]); err != nil {
		t.Errorf("renewed leaf not signed by the bundle's issuer: %v", err)
	}
}
