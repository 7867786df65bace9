// Package emulator is a local IAM Roles Anywhere CreateSession endpoint that
// verifies what it is sent before it answers, the way the service does: the
// SigV4-X509 Authorization header, the request date against its clock, the
// signature with the leaf certificate's public key, the chain from the leaf
// to one of the configured trust anchor certificates, the ARNs in the query
// and the JSON body, then asks Config.Authorize (TrustPolicy applies a role
// trust policy there). It answers with the service's restJson1 shapes (201 and
// a credential set, or AccessDeniedException, ValidationException,
// ResourceNotFoundException, ThrottlingException), writes one
// CloudTrail-shaped record per call, and can inject faults (throttling,
// server errors, delays, truncated bodies, hangs, a skewed clock) for tests.
//
// A *Server is an http.Handler: use it with httptest.NewServer, or through
// the serve-emulator and demo commands.
//
// Security considerations: the credentials it issues are random strings that
// AWS does not know; they are worthless outside the emulator. They still
// travel as secrets: the secret access key and session token appear only in
// the HTTP response, never in a CloudTrail record, a log line or an error.
// The emulator trusts exactly the anchor certificates it is given; it is a
// test and demonstration tool and must not be exposed beyond loopback as an
// authentication service.
package emulator

import (
	"bytes"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/internal/sigv4x509"
)

// Defaults used when Config leaves a field empty.
const (
	DefaultRegion    = "us-east-1"
	DefaultAccountID = "123456789012"
	DefaultRoleName  = "acme-signing-helper-demo"
	// DefaultMaxSkew is how far X-Amz-Date may be from the emulator's clock.
	DefaultMaxSkew = 5 * time.Minute
	// MaxBodyBytes bounds the request body read.
	MaxBodyBytes = 64 << 10
)

// DefaultTrustAnchorARN is the trust anchor ARN the emulator expects when
// Config names none.
func DefaultTrustAnchorARN(region, account string) string {
	return fmt.Sprintf("arn:%s:rolesanywhere:%s:%s:trust-anchor/00000000-0000-4000-8000-00000000a1c0", partition(region), region, account)
}

// DefaultProfileARN is the profile ARN the emulator expects when Config
// names none.
func DefaultProfileARN(region, account string) string {
	return fmt.Sprintf("arn:%s:rolesanywhere:%s:%s:profile/00000000-0000-4000-8000-0000000097f1", partition(region), region, account)
}

// DefaultRoleARN is the role ARN the emulator allows when Config names none.
func DefaultRoleARN(region, account string) string {
	return fmt.Sprintf("arn:%s:iam::%s:role/%s", partition(region), account, DefaultRoleName)
}

// partition is the ARN partition of a region.
func partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

// Config configures a Server. Only AnchorCerts is required.
type Config struct {
	// AnchorCerts are the trust anchor certificates (roots or
	// intermediates) a leaf must chain to.
	AnchorCerts []*x509.Certificate
	// TrustAnchorARNs, ProfileARNs and RoleARNs are the ARNs accepted in
	// the query (default: one of each, see DefaultTrustAnchorARN etc.).
	TrustAnchorARNs []string
	ProfileARNs     []string
	RoleARNs        []string
	// Region is the region of the endpoint and of the credential scope
	// (default us-east-1); AccountID the account (default 123456789012).
	Region    string
	AccountID string
	// SessionNamePattern, when set, must match the effective session name
	// (as a trust policy condition on sts:RoleSessionName would).
	SessionNamePattern *regexp.Regexp
	// AcceptRoleSessionName is the profile's acceptRoleSessionName; nil
	// means true. When false, a request naming roleSessionName is refused
	// with "Not authorized to set roleSessionName.".
	AcceptRoleSessionName *bool
	// RequireSubject refuses leaf certificates with an empty subject
	// (AccessDeniedException). The default accepts them: AWS documents no
	// subject requirement for end-entity certificates, and such a session
	// gets no x509Subject/CN tag and an ID= source identity.
	RequireSubject bool
	// Now is the emulator's clock (default time.Now).
	Now func() time.Time
	// MaxSkew is the allowed difference between X-Amz-Date and Now
	// (default 5 minutes).
	MaxSkew time.Duration
	// Authorize, when set, is asked last, after every check passed; an
	// error refuses the call with AccessDeniedException and the error's
	// text as message (a trust policy evaluator plugs in here).
	Authorize func(AuthorizeInput) error
	// CloudTrail receives one JSON record (a Record) per line per call.
	CloudTrail io.Writer
	// Logger gets debug details of every refusal (default: discard).
	Logger *slog.Logger
	// Rand is the source of credentials and event IDs (default
	// crypto/rand.Reader). Tests pass a seeded reader for golden output.
	Rand io.Reader
}

// Accepted describes the last request the emulator accepted: who signed,
// what the trust policy step saw, and the request as the emulator
// verified it (the canonical request and string to sign it rebuilt, so a
// caller showing them does not build them a second time).
type Accepted struct {
	Leaf  *x509.Certificate
	Chain []*x509.Certificate // as sent in X-Amz-X509-Chain, in order
	// ChainHeader is the raw X-Amz-X509-Chain value ("" when absent).
	ChainHeader    string
	SessionName    string
	SourceIdentity string
	Time           time.Time
	// Input is what Config.Authorize was (or would have been) asked;
	// Input.Request() is the call for trustpolicy.EvaluateCreateSession.
	Input AuthorizeInput
	// Method and Path are the HTTP method and path; Body the JSON body
	// as received.
	Method, Path string
	Body         []byte
	// Authorization is the parsed Authorization header.
	Authorization sigv4x509.Auth
	// CanonicalRequest and StringToSign are what the signature was
	// verified over, rebuilt from the request as received.
	CanonicalRequest string
	StringToSign     string
}

// Serial is the leaf certificate's serial number.
func (a Accepted) Serial() *big.Int { return a.Leaf.SerialNumber }

// Server is the CreateSession endpoint. It is safe for concurrent use.
type Server struct {
	cfg         Config
	anchors     *x509.CertPool
	acceptName  bool
	trustAnchor map[string]bool
	profiles    map[string]bool
	roles       map[string]bool
	log         *slog.Logger

	mu       sync.Mutex
	now      func() time.Time
	rand     io.Reader
	calls    int
	requests int
	last     *Accepted
	faults   []Fault
	closed   chan struct{}
	ctMu     sync.Mutex
	closeOne sync.Once

	// verified caches successful chain verifications (see rememberChain).
	vmu      sync.Mutex
	verified map[[32]byte]validity
}

// ErrNoAnchors is returned by New when Config has no anchor certificate.
var ErrNoAnchors = errors.New("emulator: no trust anchor certificate configured")

// NotCAError is a trust anchor certificate that is not a CA (a leaf):
// Roles Anywhere's trust anchor is the CA that issued the certificates.
type NotCAError struct {
	Subject string // the certificate's subject, as x509.Name.String
}

func (e *NotCAError) Error() string { return fmt.Sprintf("%q is not a CA certificate", e.Subject) }

// CheckAnchor is the rule for a trust anchor certificate: a CA (root or
// intermediate), else a *NotCAError.
func CheckAnchor(c *x509.Certificate) error {
	if !c.IsCA {
		return &NotCAError{Subject: c.Subject.String()}
	}
	return nil
}

// New checks cfg and returns a Server.
func New(cfg Config) (*Server, error) {
	if len(cfg.AnchorCerts) == 0 {
		return nil, ErrNoAnchors
	}
	if cfg.Region == "" {
		cfg.Region = DefaultRegion
	}
	if cfg.AccountID == "" {
		cfg.AccountID = DefaultAccountID
	}
	if len(cfg.TrustAnchorARNs) == 0 {
		cfg.TrustAnchorARNs = []string{DefaultTrustAnchorARN(cfg.Region, cfg.AccountID)}
	}
	if len(cfg.ProfileARNs) == 0 {
		cfg.ProfileARNs = []string{DefaultProfileARN(cfg.Region, cfg.AccountID)}
	}
	if len(cfg.RoleARNs) == 0 {
		cfg.RoleARNs = []string{DefaultRoleARN(cfg.Region, cfg.AccountID)}
	}
	if cfg.MaxSkew <= 0 {
		cfg.MaxSkew = DefaultMaxSkew
	}
	s := &Server{
		cfg:         cfg,
		anchors:     x509.NewCertPool(),
		acceptName:  cfg.AcceptRoleSessionName == nil || *cfg.AcceptRoleSessionName,
		trustAnchor: map[string]bool{},
		profiles:    map[string]bool{},
		roles:       map[string]bool{},
		log:         cfg.Logger,
		now:         cfg.Now,
		rand:        cfg.Rand,
		closed:      make(chan struct{}),
	}
	for i, c := range cfg.AnchorCerts {
		if c == nil {
			return nil, fmt.Errorf("emulator: anchor certificate %d is nil", i)
		}
		if err := CheckAnchor(c); err != nil {
			return nil, fmt.Errorf("emulator: anchor certificate %d: %w", i, err)
		}
		s.anchors.AddCert(c)
	}
	for _, set := range []struct {
		field string
		arns  []string
		m     map[string]bool
	}{{"TrustAnchorARNs", cfg.TrustAnchorARNs, s.trustAnchor}, {"ProfileARNs", cfg.ProfileARNs, s.profiles}, {"RoleARNs", cfg.RoleARNs, s.roles}} {
		for _, a := range set.arns {
			if !strings.HasPrefix(a, "arn:") {
				return nil, fmt.Errorf("emulator: %s: %q is not an ARN", set.field, a)
			}
			set.m[a] = true
		}
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.rand == nil {
		s.rand = rand.Reader
	}
	return s, nil
}

// Region is the region the emulator serves.
func (s *Server) Region() string { return s.cfg.Region }

// TrustAnchorARNs, ProfileARNs and RoleARNs return the accepted ARNs.
func (s *Server) TrustAnchorARNs() []string { return append([]string(nil), s.cfg.TrustAnchorARNs...) }

// ProfileARNs returns the accepted profile ARNs.
func (s *Server) ProfileARNs() []string { return append([]string(nil), s.cfg.ProfileARNs...) }

// RoleARNs returns the accepted role ARNs.
func (s *Server) RoleARNs() []string { return append([]string(nil), s.cfg.RoleARNs...) }

// SetNow replaces the emulator's clock.
func (s *Server) SetNow(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if now == nil {
		now = time.Now
	}
	s.now = now
}

// Now is the emulator's current time.
func (s *Server) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now()
}

// Calls counts the CreateSession requests that reached verification
// (requests answered by an injected status fault are not counted).
func (s *Server) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// Requests counts every request the handler received, faults included.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// LastAccepted returns the last accepted request, false when none was.
func (s *Server) LastAccepted() (Accepted, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.last == nil {
		return Accepted{}, false
	}
	a := *s.last
	a.Chain = append([]*x509.Certificate(nil), a.Chain...)
	a.Input.Chain = append([]*x509.Certificate(nil), a.Input.Chain...)
	a.Body = append([]byte(nil), a.Body...)
	a.Authorization.SignedHeaders = append([]string(nil), a.Authorization.SignedHeaders...)
	return a, true
}

// Close releases requests held by a Hang fault. The Server answers 503 to
// later requests.
func (s *Server) Close() {
	s.closeOne.Do(func() { close(s.closed) })
}

// readRand fills b from the configured reader, under the lock so a seeded
// reader gives the same bytes in the same call order.
func (s *Server) readRand(b []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, err := io.ReadFull(s.rand, b)
	return err
}

// ServeHTTP answers POST /sessions.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests++
	fault, hasFault := s.nextFaultLocked()
	now := s.now()
	s.mu.Unlock()
	reqID := s.uuid()

	select {
	case <-s.closed:
		s.writeError(w, reqID, now, &apiError{status: http.StatusServiceUnavailable, code: "ServiceUnavailableException", msg: "The emulator is shutting down."}, false)
		return
	default:
	}
	if hasFault {
		now = now.Add(fault.DateOffset)
		if !s.applyDelay(r, fault) {
			return
		}
		if fault.Hang {
			s.hang(r, fault)
			return
		}
		if fault.Status != 0 {
			s.writeError(w, reqID, now, fault.apiError(), fault.Truncate)
			return
		}
	}
	truncate := hasFault && fault.Truncate

	if r.Method != http.MethodPost || r.URL.Path != "/sessions" {
		s.writeError(w, reqID, now, &apiError{status: http.StatusNotFound, code: "UnknownOperationException", msg: fmt.Sprintf("No operation at %s %s; CreateSession is POST /sessions.", r.Method, r.URL.Path)}, truncate)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	if err != nil {
		s.writeError(w, reqID, now, validationf("could not read the request body: %v", err), truncate)
		return
	}
	if len(body) > MaxBodyBytes {
		s.writeError(w, reqID, now, validationf("request body larger than %d bytes", MaxBodyBytes), truncate)
		return
	}
	s.mu.Lock()
	s.calls++
	s.mu.Unlock()

	c := s.handle(r, body, now)
	c.requestID = reqID
	if c.err != nil {
		s.log.Debug("emulator: CreateSession refused", "code", c.err.code, "message", c.err.msg, "detail", c.err.detail, "remote", r.RemoteAddr)
		s.writeRecord(c, r, now)
		s.writeError(w, reqID, now, c.err, truncate)
		return
	}
	s.mu.Lock()
	s.last = &Accepted{
		Leaf: c.leaf, Chain: c.chain, ChainHeader: c.chainHeader, SessionName: c.sessionName, SourceIdentity: c.sourceIdentity, Time: now,
		Input:  c.input,
		Method: r.Method, Path: r.URL.Path, Body: body,
		Authorization:    c.parsed.Auth,
		CanonicalRequest: c.canonical, StringToSign: c.stringToSign,
	}
	s.mu.Unlock()
	s.log.Debug("emulator: CreateSession accepted", "subject", c.leaf.Subject.String(), "serial", c.leaf.SerialNumber.Text(16), "session", c.sessionName, "remote", r.RemoteAddr)
	s.writeRecord(c, r, now)
	b, err := json.Marshal(c.resp)
	if err != nil {
		s.writeError(w, reqID, now, &apiError{status: 500, code: "InternalServerException", msg: "encode response"}, truncate)
		return
	}
	s.writeJSON(w, reqID, now, http.StatusCreated, nil, b, truncate)
}

// applyDelay waits out fault.Delay; false when the client gave up first.
func (s *Server) applyDelay(r *http.Request, f Fault) bool {
	if f.Delay <= 0 {
		return true
	}
	t := time.NewTimer(f.Delay)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	case <-s.closed:
		return false
	}
}

// maxHang bounds a Hang fault so a forgotten client cannot hold a
// handler forever.
const maxHang = 5 * time.Minute

func (s *Server) hang(r *http.Request, _ Fault) {
	t := time.NewTimer(maxHang)
	defer t.Stop()
	select {
	case <-r.Context().Done():
	case <-s.closed:
	case <-t.C:
	}
}

// writeJSON writes a JSON response with the Date header of the emulator's
// clock. With truncate, Content-Length announces the whole body but only
// half is sent before the connection is closed.
func (s *Server) writeJSON(w http.ResponseWriter, reqID string, now time.Time, status int, hdr http.Header, body []byte, truncate bool) {
	h := w.Header()
	for k, v := range hdr {
		h[k] = v
	}
	h.Set("Content-Type", "application/json")
	h.Set("Date", now.UTC().Format(http.TimeFormat))
	h.Set("X-Amzn-Requestid", reqID)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if truncate {
		if hj, ok := w.(http.Hijacker); ok {
			conn, bw, err := hj.Hijack()
			if err == nil {
				defer conn.Close()
				var buf bytes.Buffer
				fmt.Fprintf(&buf, "HTTP/1.1 %d %s\r\n", status, http.StatusText(status))
				_ = h.Write(&buf)
				buf.WriteString("\r\n")
				buf.Write(body[:len(body)/2])
				_, _ = bw.Write(buf.Bytes())
				_ = bw.Flush()
				return
			}
		}
		// No hijacking (HTTP/2): a short write makes the server reset.
		w.WriteHeader(status)
		_, _ = w.Write(body[:len(body)/2])
		return
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// errorBody is the restJson1 error document.
type errorBody struct {
	Message string `json:"message"`
}

func (s *Server) writeError(w http.ResponseWriter, reqID string, now time.Time, e *apiError, truncate bool) {
	b, err := json.Marshal(errorBody{Message: e.msg})
	if err != nil {
		b = []byte(`{"message":"internal error"}`)
	}
	hdr := http.Header{"X-Amzn-Errortype": {e.code}}
	if e.status == http.StatusTooManyRequests || e.status == http.StatusServiceUnavailable {
		hdr.Set("Retry-After", "0")
	}
	s.writeJSON(w, reqID, now, e.status, hdr, b, truncate)
}

// uuid returns a random RFC 4122 version 4 UUID string.
func (s *Server) uuid() string {
	var b [16]byte
	if err := s.readRand(b[:]); err != nil {
		return "00000000-0000-4000-8000-000000000000"
	}
	return formatUUID(b)
}

func formatUUID(b [16]byte) string {
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
