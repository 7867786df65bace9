package credentials

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/signer"
)

// ServeOptions are the settings of a credentials endpoint (the serve
// command) as plain values: where it listens, what it answers and when it
// renews. Check validates them.
type ServeOptions struct {
	// Listen is the HOST:PORT to listen on (DefaultAddr); an address
	// other than loopback needs AllowRemote.
	Listen      string
	AllowRemote bool
	// Port, when given (see Check), replaces Listen by 127.0.0.1:Port, as
	// the official helper's --port.
	Port int
	// HopLimit is Listen's: the IP TTL / IPv6 hop limit of the answers
	// (0 keeps the system default).
	HopLimit int
	// RoleName is the role the IMDS listing shows ("": the role ARN's
	// name, RoleName).
	RoleName string
	// ECSPath is the URL path of the ECS endpoint (DefaultECSPath); the
	// endpoint is on only with AuthTokenFile, the token file
	// (ReadOrCreateToken).
	ECSPath       string
	AuthTokenFile string
	// RefreshMargin is the Refresher's Margin.
	RefreshMargin time.Duration
	// ReadyFile, when set, receives the base URL once serving.
	ReadyFile string
}

// The rules Check and CheckListener apply; a *ServeOptionError wraps the
// one an option breaks.
var (
	// ErrPortAndListen: a port was given together with a listen address.
	ErrPortAndListen = errors.New("excludes a listen address")
	ErrOutOfRange    = errors.New("out of range")
	ErrNotLoopback   = errors.New("is not a loopback address")
	ErrNotPositive   = errors.New("is not positive")
	// ErrECSPath: an ECS path that is not absolute or lies in /latest/
	// (ValidECSPath).
	ErrECSPath = errors.New("is not an absolute path outside /latest/")
	// ErrRoleName: a role name with '/' or spaces (ValidRoleName).
	ErrRoleName = errors.New("is not one path element")
)

// ServeOptionError is an option of ServeOptions that Check or
// CheckListener refuses. Option names the field in lower case with dashes
// (HopLimit is "hop-limit", RefreshMargin "refresh-margin"), as the serve
// command's flags are named; Value is its value, Bound the address a
// listener was bound to (CheckListener), Err the rule it breaks
// (ErrOutOfRange, ...) or the parser's error of a listen address.
type ServeOptionError struct {
	Option string
	Value  any
	Bound  string
	Err    error
}

func (e *ServeOptionError) Error() string {
	if e.Bound != "" {
		return fmt.Sprintf("%s %#v is bound to %s: %v", e.Option, e.Value, e.Bound, e.Err)
	}
	return fmt.Sprintf("%s %#v: %v", e.Option, e.Value, e.Err)
}

// Unwrap returns the rule the option breaks.
func (e *ServeOptionError) Unwrap() error { return e.Err }

// Check returns a *ServeOptionError for the first option that cannot
// work, or nil. listenGiven and portGiven say whether Listen and Port
// were set by the user: they exclude each other, and a given Port
// replaces Listen by 127.0.0.1:Port.
func (o *ServeOptions) Check(listenGiven, portGiven bool) error {
	bad := func(option string, v any, rule error) error {
		return &ServeOptionError{Option: option, Value: v, Err: rule}
	}
	if portGiven {
		if listenGiven {
			return bad("port", o.Port, ErrPortAndListen)
		}
		if o.Port < 1 || o.Port > 65535 {
			return bad("port", o.Port, ErrOutOfRange)
		}
		o.Listen = net.JoinHostPort("127.0.0.1", strconv.Itoa(o.Port))
	}
	if _, _, err := net.SplitHostPort(o.Listen); err != nil {
		return bad("listen", o.Listen, err)
	}
	if !o.AllowRemote && !IsLoopback(o.Listen) {
		return bad("listen", o.Listen, ErrNotLoopback)
	}
	if o.HopLimit < 0 || o.HopLimit > 255 {
		return bad("hop-limit", o.HopLimit, ErrOutOfRange)
	}
	if o.ECSPath != "" && !ValidECSPath(o.ECSPath) {
		return bad("ecs-path", o.ECSPath, ErrECSPath)
	}
	if o.RoleName != "" && !ValidRoleName(o.RoleName) {
		return bad("role-name", o.RoleName, ErrRoleName)
	}
	if o.RefreshMargin <= 0 {
		return bad("refresh-margin", o.RefreshMargin, ErrNotPositive)
	}
	return nil
}

// CheckListener checks what ln was bound to (a host name may resolve to
// other addresses than Check saw): a *ServeOptionError with
// ErrNotLoopback when it is not loopback and AllowRemote is not set.
func (o *ServeOptions) CheckListener(ln net.Listener) error {
	if IsLoopbackListener(ln) || o.AllowRemote {
		return nil
	}
	return &ServeOptionError{Option: "listen", Value: o.Listen, Bound: ln.Addr().String(), Err: ErrNotLoopback}
}

// Server returns the Server of o answering from source: the IMDS role
// RoleName, set to the name of roleARN when empty, and with token (the
// content of AuthTokenFile) the ECS endpoint at ECSPath; without a token
// the ECS endpoint is off.
func (o *ServeOptions) Server(source func() (signer.Credentials, time.Time, error), roleARN, token string) (*Server, error) {
	if o.RoleName == "" {
		o.RoleName = RoleName(roleARN)
	}
	srv, err := NewServer(source, o.RoleName)
	if err != nil {
		return nil, err
	}
	srv.ECSPath = ""
	if token != "" {
		srv.ECSPath, srv.ECSToken = o.ECSPath, token
	}
	return srv, nil
}
