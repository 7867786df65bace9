package credentials

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/signer"
)

// IMDS paths and headers, as the EC2 instance metadata service has them.
const (
	IMDSTokenPath       = "/latest/api/token"
	IMDSCredentialsPath = "/latest/meta-data/iam/security-credentials/"
	IMDSTokenHeader     = "X-aws-ec2-metadata-token"
	IMDSTTLHeader       = "X-aws-ec2-metadata-token-ttl-seconds"
	// IMDSMaxTTL is the longest token lifetime in seconds (6 hours).
	IMDSMaxTTL = 21600
	// DefaultECSPath is where the ECS container-credentials document is
	// served.
	DefaultECSPath = "/credentials"
	// DefaultAddr is the address serve listens on by default, as the
	// official helper's.
	DefaultAddr = "127.0.0.1:9911"
)

// Server answers the IMDSv2 credential requests and the ECS container-
// credentials request with the credentials of Source.
type Server struct {
	// Source returns the credentials to serve or why there are none
	// (Refresher.Current in the binary).
	Source func() (signer.Credentials, time.Time, error)
	// RoleName is what the IMDS role listing returns.
	RoleName string
	// ECSPath serves the container-credentials document ("" disables
	// ECS; DefaultECSPath is the usual value).
	ECSPath string
	// ECSToken is the value the Authorization header of an ECS request must
	// equal. ECS requests are refused while it is empty.
	ECSToken string
	// Now is the clock (time.Now if nil).
	Now func() time.Time
	// Log gets one line per refused or failed request (never secrets).
	Log *slog.Logger

	key []byte // signs IMDS tokens
}

// NewServer returns a Server with a fresh random token-signing key.
func NewServer(source func() (signer.Credentials, time.Time, error), roleName string) (*Server, error) {
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		return nil, fmt.Errorf("make token key: %w", err)
	}
	return &Server{Source: source, RoleName: roleName, ECSPath: DefaultECSPath, key: k}, nil
}

// String names the role and the ECS path; the ECS token and the IMDS
// token key are secrets and never printed (%v, %+v, %#v, %s).
func (s *Server) String() string {
	return fmt.Sprintf("credentials.Server{role %q, ECS path %q, ECS token set %v}", s.RoleName, s.ECSPath, s.ECSToken != "")
}

// GoString hides the ECS token and the IMDS token key.
func (s *Server) GoString() string { return s.String() }

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Server) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.New(slog.DiscardHandler)
}

// newToken makes an IMDS session token valid until exp: a base64 blob of the
// expiry and its HMAC, so the server keeps no state.
func (s *Server) newToken(exp time.Time) string {
	var b [8 + sha256.Size]byte
	binary.BigEndian.PutUint64(b[:8], uint64(exp.Unix()))
	m := hmac.New(sha256.New, s.key)
	m.Write(b[:8])
	copy(b[8:], m.Sum(nil))
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// tokenValid checks a token's MAC and expiry.
func (s *Server) tokenValid(tok string) bool {
	// Strict: one spelling per token (no slack in the last character).
	b, err := base64.RawURLEncoding.Strict().DecodeString(tok)
	if err != nil || len(b) != 8+sha256.Size {
		return false
	}
	m := hmac.New(sha256.New, s.key)
	m.Write(b[:8])
	if !hmac.Equal(m.Sum(nil), b[8:]) {
		return false
	}
	return s.now().Before(time.Unix(int64(binary.BigEndian.Uint64(b[:8])), 0))
}

// ServeHTTP routes IMDS and ECS requests.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Server", "EC2ws")
	switch {
	case r.URL.Path == IMDSTokenPath:
		s.serveToken(w, r)
	case s.ECSPath != "" && r.URL.Path == s.ECSPath:
		s.serveECS(w, r)
	case r.URL.Path == IMDSCredentialsPath || r.URL.Path == strings.TrimSuffix(IMDSCredentialsPath, "/"):
		if s.imdsAllowed(w, r) {
			w.Header().Set("Content-Type", "text/plain")
			fmt.Fprint(w, s.RoleName)
		}
	case strings.HasPrefix(r.URL.Path, IMDSCredentialsPath):
		if !s.imdsAllowed(w, r) {
			return
		}
		if strings.TrimPrefix(r.URL.Path, IMDSCredentialsPath) != s.RoleName {
			httpError(w, http.StatusNotFound)
			return
		}
		s.serveIMDSCredentials(w)
	default:
		httpError(w, http.StatusNotFound)
	}
}

func httpError(w http.ResponseWriter, code int) {
	http.Error(w, strconv.Itoa(code)+" - "+http.StatusText(code), code)
}

func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPut {
		w.Header().Set("Allow", http.MethodPut)
		httpError(w, http.StatusMethodNotAllowed)
		return
	}
	// Any forwarding header, even an empty one, means a proxy may be
	// relaying someone else's request (the IMDSv2 rule); the standard
	// Forwarded header (RFC 7239) as well as X-Forwarded-For.
	if _, xff := r.Header["X-Forwarded-For"]; xff || len(r.Header.Values("Forwarded")) > 0 {
		s.log().Warn("refused token request with X-Forwarded-For or Forwarded (a proxy?)", "remote", r.RemoteAddr)
		httpError(w, http.StatusForbidden)
		return
	}
	ttl, err := strconv.Atoi(strings.TrimSpace(r.Header.Get(IMDSTTLHeader)))
	if err != nil || ttl < 1 || ttl > IMDSMaxTTL {
		httpError(w, http.StatusBadRequest)
		return
	}
	w.Header().Set(IMDSTTLHeader, strconv.Itoa(ttl))
	w.Header().Set("Content-Type", "text/plain")
	fmt.Fprint(w, s.newToken(s.now().Add(time.Duration(ttl)*time.Second)))
}

// imdsAllowed answers 405 for anything but GET/HEAD and 401 for a missing or
// invalid token.
func (s *Server) imdsAllowed(w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		httpError(w, http.StatusMethodNotAllowed)
		return false
	}
	if !s.tokenValid(r.Header.Get(IMDSTokenHeader)) {
		httpError(w, http.StatusUnauthorized)
		return false
	}
	return true
}

const imdsTime = "2006-01-02T15:04:05Z"

func (s *Server) serveIMDSCredentials(w http.ResponseWriter) {
	cr, updated, err := s.Source()
	if err != nil {
		s.unavailable(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{
		"Code":            "Success",
		"LastUpdated":     updated.UTC().Format(imdsTime),
		"Type":            "AWS-HMAC",
		"AccessKeyId":     cr.AccessKeyID,
		"SecretAccessKey": cr.SecretAccessKey,
		"Token":           cr.SessionToken,
		"Expiration":      cr.Expiration.UTC().Format(imdsTime),
	})
}

// unavailable answers 503 with an error document: never credentials.
func (s *Server) unavailable(w http.ResponseWriter, err error) {
	s.log().Error("no valid credentials to serve", "err", err)
	code := "CredentialsUnavailable"
	if errors.Is(err, ErrExpired) {
		code = "CredentialsExpired"
	}
	writeJSON(w, http.StatusServiceUnavailable, map[string]string{
		"Code":        code,
		"Message":     err.Error(),
		"LastUpdated": s.now().UTC().Format(imdsTime),
	})
}

func (s *Server) serveECS(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		httpError(w, http.StatusMethodNotAllowed)
		return
	}
	got := r.Header.Get("Authorization")
	if s.ECSToken == "" || subtle.ConstantTimeCompare([]byte(got), []byte(s.ECSToken)) != 1 {
		s.log().Warn("refused container-credentials request: bad authorization token", "remote", r.RemoteAddr)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"code": "AccessDenied", "message": "missing or wrong Authorization header"})
		return
	}
	cr, _, err := s.Source()
	if err != nil {
		s.unavailable(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{
		"AccessKeyId":     cr.AccessKeyID,
		"SecretAccessKey": cr.SecretAccessKey,
		"Token":           cr.SessionToken,
		"Expiration":      cr.Expiration.UTC().Format(imdsTime),
	})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		httpError(w, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	w.Write(b)
}

// Listen opens a TCP listener on addr whose sockets send with an IP TTL (IPv4)
// or hop limit (IPv6) of hopLimit, so that answers die at the first router
// (1 keeps them on the host or link). hopLimit 0 leaves the system default.
// Accepted connections inherit the setting from the listening socket.
func Listen(ctx context.Context, addr string, hopLimit int) (net.Listener, error) {
	if hopLimit < 0 || hopLimit > 255 {
		return nil, fmt.Errorf("hop limit %d: want 0..255", hopLimit)
	}
	lc := net.ListenConfig{Control: func(network, address string, c syscall.RawConn) error {
		if hopLimit == 0 {
			return nil
		}
		var serr error
		err := c.Control(func(fd uintptr) {
			if strings.HasSuffix(network, "6") {
				serr = setsockoptInt(fd, syscall.IPPROTO_IPV6, syscall.IPV6_UNICAST_HOPS, hopLimit)
				// A dual-stack socket also sends IPv4.
				if serr == nil {
					_ = setsockoptInt(fd, syscall.IPPROTO_IP, syscall.IP_TTL, hopLimit)
				}
				return
			}
			serr = setsockoptInt(fd, syscall.IPPROTO_IP, syscall.IP_TTL, hopLimit)
		})
		if err != nil {
			return err
		}
		if serr != nil {
			return fmt.Errorf("set hop limit %d on %s: %w", hopLimit, address, serr)
		}
		return nil
	}}
	l, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	return l, nil
}

// IsLoopback reports whether a listen address binds only loopback
// interfaces ("127.0.0.1:9911", "[::1]:80"). A host name, "localhost"
// too, counts by what it resolves to: every address loopback. Check the
// listener itself with IsLoopbackListener once it is bound.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if ip := net.ParseIP(host); ip != nil {
		return ip.IsLoopback()
	}
	if host == "" {
		return false // every interface
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	ips, err := net.DefaultResolver.LookupIP(ctx, "ip", host)
	if err != nil || len(ips) == 0 {
		return false
	}
	for _, ip := range ips {
		if !ip.IsLoopback() {
			return false
		}
	}
	return true
}

// IsLoopbackListener reports whether ln is bound to a loopback address
// (ln.Addr(): what the system bound, not the name it was given).
func IsLoopbackListener(ln net.Listener) bool {
	a, ok := ln.Addr().(*net.TCPAddr)
	return ok && a.IP.IsLoopback()
}
