// Command bench-emulator serves a verifying Roles Anywhere emulator on
// 127.0.0.1 for bench/credential-process.sh: it generates a throwaway
// ACME-like PKI (internal/testpki) in --dir, trusts its root, listens with
// TLS on a free loopback port and writes a shell-sourceable file --dir/env
// naming the endpoint, the certificate files and the ARNs. After every
// request it rewrites --dir/calls with the number of CreateSession calls so
// far, so the script can prove that a cache hit made no call. It runs until
// SIGINT or SIGTERM.
//
// Security considerations: test material only. The keys are random and
// written 0600 into the caller's directory; the credentials are the
// emulator's worthless fakes; the listener is loopback only.
package main

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"github.com/acme-signing-helper/acme-signing-helper/emulator"
	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

type options struct {
	dir           string
	latency       time.Duration
	keyType       string
	intermediates int
}

func run(args []string, stderr io.Writer) int {
	var o options
	fs := pflag.NewFlagSet("bench-emulator", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.dir, "dir", "", "directory for the PKI and the env file (required)")
	fs.DurationVar(&o.latency, "latency", 0, "delay added to every CreateSession answer (a round trip to the real service is about 50ms)")
	fs.StringVar(&o.keyType, "key-type", string(testpki.ECDSAP256), "leaf key type: p256, p384, rsa2048, ...")
	fs.IntVar(&o.intermediates, "intermediates", 1, "number of intermediate CAs")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if o.dir == "" || fs.NArg() != 0 || o.latency < 0 {
		fmt.Fprintln(stderr, "bench-emulator: --dir is required, --latency must not be negative, no arguments")
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := serve(ctx, o, stderr); err != nil {
		fmt.Fprintf(stderr, "bench-emulator: %v\n", err)
		return 1
	}
	return 0
}

func serve(ctx context.Context, o options, stderr io.Writer) error {
	h, err := testpki.New(testpki.Options{
		Intermediates: o.intermediates,
		Leaf:          testpki.LeafOptions{KeyType: testpki.KeyType(o.keyType), DNSNames: []string{"bench.example.com"}},
	})
	if err != nil {
		return fmt.Errorf("generate PKI: %w", err)
	}
	if err := os.MkdirAll(o.dir, 0o700); err != nil {
		return err
	}
	files, err := h.WritePlain(o.dir)
	if err != nil {
		return fmt.Errorf("write PKI to %s: %w", o.dir, err)
	}
	emu, err := emulator.New(emulator.Config{AnchorCerts: []*x509.Certificate{h.Root.Cert}})
	if err != nil {
		return err
	}
	if o.latency > 0 {
		emu.InjectFault(emulator.Fault{Delay: o.latency, Count: -1})
	}
	callsFile := filepath.Join(o.dir, "calls")
	if err := writeAtomic(callsFile, "0\n"); err != nil {
		return err
	}
	var mu sync.Mutex // orders the rewrites of the calls file
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		emu.ServeHTTP(w, r)
		mu.Lock()
		defer mu.Unlock()
		if err := writeAtomic(callsFile, strconv.Itoa(emu.Calls())+"\n"); err != nil {
			fmt.Fprintf(stderr, "bench-emulator: %v\n", err)
		}
	})
	ts := httptest.NewTLSServer(handler)
	defer ts.Close()
	defer emu.Close()

	env := fmt.Sprintf("ENDPOINT=%s\nCERT=%s\nKEY=%s\nCHAIN=%s\nTRUST_ANCHOR_ARN=%s\nPROFILE_ARN=%s\nROLE_ARN=%s\nREGION=%s\n",
		ts.URL, files.Certificate, files.Key, files.Chain,
		emu.TrustAnchorARNs()[0], emu.ProfileARNs()[0], emu.RoleARNs()[0], emu.Region())
	envFile := filepath.Join(o.dir, "env")
	if err := writeAtomic(envFile, env); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "bench-emulator: serving %s (latency %v), env in %s\n", ts.URL, o.latency, envFile)
	<-ctx.Done()
	fmt.Fprintf(stderr, "bench-emulator: %d CreateSession calls\n", emu.Calls())
	return nil
}

// writeAtomic replaces path with data (temp file and rename), so a reader
// never sees a partial file.
func writeAtomic(path, data string) error {
	tmp := path + ".tmp." + strconv.Itoa(os.Getpid())
	if err := os.WriteFile(tmp, []byte(data), 0o600); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return errors.Join(err, os.Remove(tmp))
	}
	return nil
}
