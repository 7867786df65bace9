package emulator_test

import (
	"context"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/emulator"
	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
)

func TestLoopbackHost(t *testing.T) {
	for h, want := range map[string]bool{"localhost": true, "127.0.0.1": true, "::1": true, "127.0.0.2": true, "0.0.0.0": false, "192.0.2.1": false, "example.com": false, "": false} {
		if got := emulator.LoopbackHost(h); got != want {
			t.Errorf("LoopbackHost(%q) = %v, want %v", h, got, want)
		}
	}
}

// TestServe: Serve answers until the context is done, calls OnShutdown,
// then returns nil after a clean shutdown; the listener is closed.
func TestServe(t *testing.T) {
	loadPKIs(t)
	srv, err := emulator.New(emulator.Config{AnchorCerts: []*x509.Certificate{pkis.ec.Root.Cert}})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	shutdown := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- emulator.Serve(ctx, ln, srv, emulator.ServeOptions{OnShutdown: func() { close(shutdown) }})
	}()
	resp, err := http.Post("http://"+ln.Addr().String()+"/sessions", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatalf("POST: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusCreated {
		t.Errorf("unsigned request: status %d, want a refusal", resp.StatusCode)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after the context was done")
	}
	select {
	case <-shutdown:
	default:
		t.Error("OnShutdown was not called")
	}
	if _, err := net.Dial("tcp", ln.Addr().String()); err == nil {
		t.Error("the listener still accepts connections")
	}
}

// TestServeListenerError: a closed listener ends Serve with the server's
// error, without waiting for the context.
func TestServeListenerError(t *testing.T) {
	loadPKIs(t)
	srv, err := emulator.New(emulator.Config{AnchorCerts: []*x509.Certificate{pkis.ec.Root.Cert}})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln.Close()
	if err := emulator.Serve(context.Background(), ln, srv, emulator.ServeOptions{}); err == nil {
		t.Error("Serve on a closed listener: nil error")
	}
}

func TestWriteBanner(t *testing.T) {
	loadPKIs(t)
	srv, err := emulator.New(emulator.Config{AnchorCerts: []*x509.Certificate{pkis.ec.Root.Cert}})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	srv.WriteBanner(&b, emulator.Banner{URL: "http://127.0.0.1:1", SessionPattern: "^[0-9]{6}$", NoAcceptName: true, Faults: []string{"status=500"}, CAFile: "ca.pem"})
	for _, want := range []string{
		"serve-emulator: listening on http://127.0.0.1:1 (region us-east-1)\n",
		"  anchor:           " + pkis.ec.Root.Cert.Subject.String() + "\n",
		"  trust anchor ARN: " + srv.TrustAnchorARNs()[0] + "\n",
		"  role ARN:         " + srv.RoleARNs()[0] + "\n",
		"  session names must match ^[0-9]{6}$\n",
		"  roleSessionName is refused",
		"  fault queued:     status=500\n",
		"  server CA:        ca.pem (AWS_CA_BUNDLE=ca.pem)\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("banner lacks %q:\n%s", want, b.String())
		}
	}
}

// TestNewRefusesLeafAnchor: a trust anchor must be a CA; New and
// CheckAnchor say which certificate is not.
func TestNewRefusesLeafAnchor(t *testing.T) {
	h, err := testpki.New(testpki.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := emulator.CheckAnchor(h.Root.Cert); err != nil {
		t.Fatalf("root: %v", err)
	}
	_, err = emulator.New(emulator.Config{AnchorCerts: []*x509.Certificate{h.Root.Cert, h.Leaf.Cert}})
	var ne *emulator.NotCAError
	if !errors.As(err, &ne) || ne.Subject != h.Leaf.Cert.Subject.String() || !strings.Contains(err.Error(), "anchor certificate 1") {
		t.Fatalf("got %v, want a NotCAError for the leaf (certificate 1)", err)
	}
}
