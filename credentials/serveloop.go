package credentials

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
)

// RoleName is the last path element of a role ARN ("" if roleARN is not
// an ARN): what the IMDS role listing shows by default.
func RoleName(roleARN string) string {
	a, err := arn.Parse(roleARN)
	if err != nil {
		return ""
	}
	return a.Resource[strings.LastIndex(a.Resource, "/")+1:]
}

// ReadyError is the failure of Serve's ready callback (e.g. writing a
// ready file); Err is its error.
type ReadyError struct{ Err error }

func (e *ReadyError) Error() string { return e.Err.Error() }

// Unwrap returns the callback's error.
func (e *ReadyError) Unwrap() error { return e.Err }

// Serve answers HTTP requests on ln with h while r keeps the credentials
// fresh, until ctx is done (then it shuts the server down gracefully, at
// most 5 s, and returns nil or the shutdown's error) or the server or the
// refresher fail. ready, if not nil, runs once the server is started; its
// error stops the server and returns as a *ReadyError. The server has
// short read/write timeouts and a 16 KiB header limit: its clients are
// SDKs on the same host asking for a small document. log gets the
// server's own messages at debug level.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, r *Refresher, log *slog.Logger, ready func() error) error {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	hs := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelDebug),
	}
	errc := make(chan error, 2)
	go func() { errc <- hs.Serve(ln) }()
	go func() {
		if err := r.Run(ctx); err != nil && ctx.Err() == nil {
			errc <- err
		}
	}()
	if ready != nil {
		if err := ready(); err != nil {
			hs.Close()
			return &ReadyError{Err: err}
		}
	}
	select {
	case err := <-errc:
		hs.Close()
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// ValidECSPath reports whether p can be the ECS endpoint's URL path: an
// absolute path outside the IMDS tree (/latest/), which the same server
// answers.
func ValidECSPath(p string) bool {
	return strings.HasPrefix(p, "/") && !strings.HasPrefix(p, "/latest/")
}

// ValidRoleName reports whether name can be the role the IMDS listing
// shows: one path element, no spaces.
func ValidRoleName(name string) bool { return !strings.ContainsAny(name, "/ \t\n") }

// ClientEnv returns the environment that points the AWS SDKs and CLI at a
// Server at base (http://HOST:PORT): the IMDS endpoint, and with a token
// file (absolute) the ECS full URI at ecsPath and the token file.
func ClientEnv(base, ecsPath, tokenFile string) []string {
	env := []string{"AWS_EC2_METADATA_SERVICE_ENDPOINT=" + base + "/"}
	if tokenFile != "" {
		env = append(env, "AWS_CONTAINER_CREDENTIALS_FULL_URI="+base+ecsPath, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE="+tokenFile)
	}
	return env
}
