// Command bench-emulator serves a verifying Roles Anywhere emulator on
// 127.0.0.1 for bench/credential-process.sh: it generates a throwaway
// ACME-like PKI (internal/testpki) in --dir, trusts its root, listens with
// TLS on a free loopback port and writes a shell-sourceable file --dir/env
// naming the endpoint, the certificate files and the ARNs. It runs until
// SIGINT or SIGTERM.
//
// `bench-emulator --print-calls --dir DIR` asks the emulator serving DIR
// (GET /bench/calls on its endpoint) how many CreateSession calls it has
// answered, so the script can prove that every cold run reached it and that
// a cache hit made no call. Asking, rather than rewriting a file after every
// request, keeps bookkeeping out of the timed answers.
//
// --server-key chooses the key of the endpoint's own TLS certificate
// (self-signed, for 127.0.0.1): p256 (the default, a cheap handshake for
// every client) or rsa2048 (like the real service's certificates, about a
// millisecond of server time per handshake). Both clients of a benchmark
// meet the same server, so the choice moves both figures by the same amount.
//
// --plain-http serves plain HTTP instead (ENDPOINT http://127.0.0.1:PORT):
// no handshake at all, so the figures are the clients' own work (process
// start, key and certificate loading, signing, one HTTP exchange), which is
// what the cold-call target compares. Both clients accept an http://
// --endpoint.
//
// Security considerations: test material only. The keys are random and
// written 0600 into the caller's directory; the credentials are the
// emulator's worthless fakes; the listener is loopback only.
package main

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
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
	serverKey     string
	printCalls    bool
	plainHTTP     bool
}

func run(args []string, stderr io.Writer) int {
	var o options
	fs := pflag.NewFlagSet("bench-emulator", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.dir, "dir", "", "directory for the PKI and the env file (required)")
	fs.DurationVar(&o.latency, "latency", 0, "delay added to every CreateSession answer (a round trip to the real service is about 50ms)")
	fs.StringVar(&o.keyType, "key-type", string(testpki.ECDSAP256), "leaf key type: p256, p384, rsa2048, ...")
	fs.IntVar(&o.intermediates, "intermediates", 1, "number of intermediate CAs")
	fs.StringVar(&o.serverKey, "server-key", string(testpki.ECDSAP256), "key type of the endpoint's TLS certificate: p256, rsa2048, ...")
	fs.BoolVar(&o.plainHTTP, "plain-http", false, "serve plain HTTP on 127.0.0.1 instead of TLS (--server-key is then unused)")
	fs.BoolVar(&o.printCalls, "print-calls", false, "print the number of CreateSession calls answered by the emulator serving --dir, and exit")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if o.printCalls && o.dir != "" && fs.NArg() == 0 {
		n, err := printCalls(o.dir)
		if err != nil {
			fmt.Fprintf(stderr, "bench-emulator: --print-calls: %v\n", err)
			return 1
		}
		fmt.Println(n)
		return 0
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
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && r.URL.Path == callsPath {
			fmt.Fprintln(w, emu.Calls())
			return
		}
		emu.ServeHTTP(w, r)
	})
	ts := httptest.NewUnstartedServer(handler)
	transport := o.serverKey + " server key"
	if o.plainHTTP {
		transport = "plain HTTP"
		ts.Start()
	} else {
		serverCert, err := selfSignedServerCert(testpki.KeyType(o.serverKey))
		if err != nil {
			return fmt.Errorf("--server-key %s: %w", o.serverKey, err)
		}
		ts.EnableHTTP2 = true
		ts.TLS = &tls.Config{Certificates: []tls.Certificate{serverCert}}
		ts.StartTLS()
	}
	defer ts.Close()
	defer emu.Close()

	env := fmt.Sprintf("ENDPOINT=%s\nCERT=%s\nKEY=%s\nCHAIN=%s\nTRUST_ANCHOR_ARN=%s\nPROFILE_ARN=%s\nROLE_ARN=%s\nREGION=%s\n",
		ts.URL, files.Certificate, files.Key, files.Chain,
		emu.TrustAnchorARNs()[0], emu.ProfileARNs()[0], emu.RoleARNs()[0], emu.Region())
	envFile := filepath.Join(o.dir, "env")
	if err := writeAtomic(envFile, env); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "bench-emulator: serving %s (latency %v, %s), env in %s\n", ts.URL, o.latency, transport, envFile)
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

// selfSignedServerCert makes the endpoint's TLS certificate for 127.0.0.1
// with a fresh key of type kt. Clients of the benchmark skip verification
// (--no-verify-ssl), as the official helper has no other way to trust it.
func selfSignedServerCert(kt testpki.KeyType) (tls.Certificate, error) {
	key, err := testpki.NewKey(kt)
	if err != nil {
		return tls.Certificate{}, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "bench-emulator"},
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

// callsPath answers the number of CreateSession calls so far.
const callsPath = "/bench/calls"

// printCalls asks the emulator serving dir for its call count.
func printCalls(dir string) (int, error) {
	b, err := os.ReadFile(filepath.Join(dir, "env"))
	if err != nil {
		return 0, err
	}
	var endpoint string
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "ENDPOINT="); ok {
			endpoint = v
		}
	}
	if !strings.HasPrefix(endpoint, "https://127.0.0.1:") && !strings.HasPrefix(endpoint, "http://127.0.0.1:") {
		return 0, fmt.Errorf("%s/env: ENDPOINT %q is not a loopback emulator", dir, endpoint)
	}
	// The emulator's certificate is self-signed and throwaway; the
	// connection never leaves the machine.
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	resp, err := c.Get(endpoint + callsPath)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("GET %s: %s", callsPath, resp.Status)
	}
	return strconv.Atoi(strings.TrimSpace(string(body)))
}
