package credentials

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/signer"
)

func TestRoleName(t *testing.T) {
	for _, tt := range []struct{ arn, want string }{
		{"arn:aws:iam::123456789012:role/app", "app"},
		{"arn:aws:iam::123456789012:role/path/to/app", "app"},
		{"not an arn", ""},
	} {
		if got := RoleName(tt.arn); got != tt.want {
			t.Errorf("RoleName(%q): got %q, want %q", tt.arn, got, tt.want)
		}
	}
}

func testRefresher() *Refresher {
	return &Refresher{Margin: time.Minute, Fetch: func(context.Context) (signer.Credentials, error) {
		return signer.Credentials{AccessKeyID: "AKIA", SecretAccessKey: "s", SessionToken: "t", Expiration: time.Now().Add(time.Hour)}, nil
	}}
}

// TestServeReadyError: a failing ready callback stops the server and
// comes back as a *ReadyError.
func TestServeReadyError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cause := errors.New("no directory")
	err = Serve(t.Context(), ln, http.NotFoundHandler(), testRefresher(), nil, func() error { return cause })
	var re *ReadyError
	if !errors.As(err, &re) || !errors.Is(err, cause) {
		t.Fatalf("got %v, want a *ReadyError wrapping %v", err, cause)
	}
}

// TestServeStopsWithContext: requests are answered while serving; a done
// context shuts down and returns nil.
func TestServeStopsWithContext(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := testRefresher()
	if _, err := r.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		done <- Serve(ctx, ln, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) }), r, nil, nil)
	}()
	resp, err := http.Get("http://" + ln.Addr().String() + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTeapot {
		t.Errorf("got status %d, want %d", resp.StatusCode, http.StatusTeapot)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("got %v after the context ended, want nil", err)
	}
}

func TestServeValues(t *testing.T) {
	for p, want := range map[string]bool{"/credentials": true, "/a/b": true, "credentials": false, "/latest/x": false} {
		if got := ValidECSPath(p); got != want {
			t.Errorf("ValidECSPath(%q): got %v, want %v", p, got, want)
		}
	}
	for n, want := range map[string]bool{"app": true, "a/b": false, "a b": false} {
		if got := ValidRoleName(n); got != want {
			t.Errorf("ValidRoleName(%q): got %v, want %v", n, got, want)
		}
	}
	if got, want := strings.Join(ClientEnv("http://127.0.0.1:9911", "/credentials", ""), " "), "AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:9911/"; got != want {
		t.Errorf("ClientEnv without token: got %q, want %q", got, want)
	}
	got := ClientEnv("http://127.0.0.1:9911", "/credentials", "/var/lib/t")
	if len(got) != 3 || got[1] != "AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:9911/credentials" || got[2] != "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=/var/lib/t" {
		t.Errorf("ClientEnv with token: got %q", got)
	}
}
