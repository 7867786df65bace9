package emulator

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"time"
)

// ServeOptions are the options of Serve.
type ServeOptions struct {
	// TLS, when set, makes Serve answer HTTPS with it (see NewServerTLS).
	TLS *tls.Config
	// ErrorLog receives the HTTP server's own errors (default: the log
	// package's standard logger).
	ErrorLog *log.Logger
	// OnShutdown, when set, is called once ctx is done, before the
	// graceful shutdown starts.
	OnShutdown func()
	// ShutdownTimeout bounds the graceful shutdown (default 5 s).
	ShutdownTimeout time.Duration
}

// Serve serves s on ln until ctx is done, then shuts the HTTP server down
// gracefully and closes s. It returns nil after a clean shutdown, the
// server's error when serving stopped by itself, or the error of the
// graceful shutdown ("shutdown: ...", wrapping http.Server.Shutdown's).
// Serve owns ln: it is closed in every case. The header read timeout
// (10 s) keeps slow clients from holding connections open.
func Serve(ctx context.Context, ln net.Listener, s *Server, o ServeOptions) error {
	hs := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second, ErrorLog: o.ErrorLog, TLSConfig: o.TLS}
	errc := make(chan error, 1)
	go func() {
		if o.TLS != nil {
			errc <- hs.ServeTLS(ln, "", "")
		} else {
			errc <- hs.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		s.Close()
		return err
	case <-ctx.Done():
	}
	if o.OnShutdown != nil {
		o.OnShutdown()
	}
	s.Close()
	timeout := o.ShutdownTimeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	sctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// LoopbackHost reports whether a listen host (the host part of
// HOST:PORT) is "localhost" or a loopback IP address: the emulator hands
// out credentials-shaped answers to anyone who can reach it, so it stays
// on loopback unless its operator says otherwise.
func LoopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// Banner is what an emulator accepts, for the lines an operator reads at
// start (WriteBanner).
type Banner struct {
	URL            string
	SessionPattern string
	NoAcceptName   bool
	Faults         []string
	// CAFile is the file of the throwaway server CA (with TLS).
	CAFile string
}

// WriteBanner writes the lines that say where s listens and which anchors
// (their subjects) and ARNs it accepts. It writes no secret.
func (s *Server) WriteBanner(w io.Writer, b Banner) {
	fmt.Fprintf(w, "serve-emulator: listening on %s (region %s)\n", b.URL, s.Region())
	for _, c := range s.cfg.AnchorCerts {
		fmt.Fprintf(w, "  anchor:           %s\n", c.Subject)
	}
	for _, a := range s.TrustAnchorARNs() {
		fmt.Fprintf(w, "  trust anchor ARN: %s\n", a)
	}
	for _, a := range s.ProfileARNs() {
		fmt.Fprintf(w, "  profile ARN:      %s\n", a)
	}
	for _, a := range s.RoleARNs() {
		fmt.Fprintf(w, "  role ARN:         %s\n", a)
	}
	if b.SessionPattern != "" {
		fmt.Fprintf(w, "  session names must match %s\n", b.SessionPattern)
	}
	if b.NoAcceptName {
		fmt.Fprintln(w, "  roleSessionName is refused (profile without acceptRoleSessionName)")
	}
	for _, f := range b.Faults {
		fmt.Fprintf(w, "  fault queued:     %s\n", f)
	}
	if b.CAFile != "" {
		fmt.Fprintf(w, "  server CA:        %s (AWS_CA_BUNDLE=%s)\n", b.CAFile, b.CAFile)
	}
}
