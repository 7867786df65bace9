package signer

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/acme-signing-helper/acme-signing-helper/internal/sigv4x509"
)

// signingMiddlewareID names the SigV4-X509 step in the finalize stack.
const signingMiddlewareID = "SigV4X509Signing"

// signedHeaderNames are the headers (besides host) the signature covers.
var signedHeaderNames = []string{"Content-Type", sigv4x509.HeaderDate, sigv4x509.HeaderX509, sigv4x509.HeaderChain}

// signature is what signing one request produced; kept for tests and
// --debug (none of it is secret).
type signature struct {
	CanonicalRequest string
	StringToSign     string
	Authorization    string
}

// x509Signer signs requests with a certificate's key.
type x509Signer struct {
	m      *Material
	region string
	now    func() time.Time
	// leafB64 and chainB64 are the header values, computed once.
	leafB64, chainB64 string
	// observe, when set, sees every signature (tests, debug logging).
	observe func(signature)
}

func newX509Signer(m *Material, region string, now func() time.Time) *x509Signer {
	s := &x509Signer{m: m, region: region, now: now}
	s.leafB64 = base64.StdEncoding.EncodeToString(m.Leaf.Raw)
	parts := make([]string, len(m.Chain))
	for i, c := range m.Chain {
		parts[i] = base64.StdEncoding.EncodeToString(c.Raw)
	}
	s.chainB64 = strings.Join(parts, ",")
	return s
}

// ID implements middleware.FinalizeMiddleware.
func (s *x509Signer) ID() string { return signingMiddlewareID }

// HandleFinalize signs the request of each attempt with a fresh date.
func (s *x509Signer) HandleFinalize(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
	req, ok := in.Request.(*smithyhttp.Request)
	if !ok {
		return middleware.FinalizeOutput{}, middleware.Metadata{}, fmt.Errorf("sign request: unexpected transport type %T", in.Request)
	}
	payloadHash := v4.GetPayloadHash(ctx)
	if payloadHash == "" || payloadHash == "UNSIGNED-PAYLOAD" {
		h := sha256.New()
		if st := req.GetStream(); st != nil {
			if _, err := io.Copy(h, st); err != nil {
				return middleware.FinalizeOutput{}, middleware.Metadata{}, fmt.Errorf("sign request: hash body: %w", err)
			}
			if err := req.RewindStream(); err != nil {
				return middleware.FinalizeOutput{}, middleware.Metadata{}, fmt.Errorf("sign request: rewind body: %w", err)
			}
		}
		payloadHash = hex.EncodeToString(h.Sum(nil))
	}
	if _, err := s.sign(req.Request, payloadHash, s.now()); err != nil {
		return middleware.FinalizeOutput{}, middleware.Metadata{}, err
	}
	return next.HandleFinalize(ctx, in)
}

// sign sets the protocol headers and Authorization on r for time t.
func (s *x509Signer) sign(r *http.Request, payloadHash string, t time.Time) (signature, error) {
	t = t.UTC()
	r.Header.Set(sigv4x509.HeaderDate, t.Format(sigv4x509.TimeFormat))
	r.Header.Set(sigv4x509.HeaderX509, s.leafB64)
	if s.chainB64 != "" {
		r.Header.Set(sigv4x509.HeaderChain, s.chainB64)
	} else {
		r.Header.Del(sigv4x509.HeaderChain)
	}
	if r.Header.Get("Content-Type") == "" {
		r.Header.Set("Content-Type", "application/json")
	}
	signed := http.Header{}
	for _, n := range signedHeaderNames {
		if v := r.Header.Values(n); len(v) > 0 {
			signed[http.CanonicalHeaderKey(n)] = v
		}
	}
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	path := r.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	query, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return signature{}, fmt.Errorf("sign request: query: %w", err)
	}
	var sig signature
	sig.CanonicalRequest, _ = sigv4x509.CanonicalRequest(r.Method, path, query, signed, host, payloadHash)
	scope := sigv4x509.Scope(t, s.region)
	sig.StringToSign = sigv4x509.StringToSign(s.m.Algorithm, t, scope, sig.CanonicalRequest)
	digest := sha256.Sum256([]byte(sig.StringToSign))
	raw, err := s.m.Key.Sign(rand.Reader, digest[:], crypto.SHA256)
	if err != nil {
		return signature{}, fmt.Errorf("sign request with the private key: %w", err)
	}
	_, signedNames := sigv4x509.CanonicalHeaders(signed, host)
	sig.Authorization = sigv4x509.Authorization(s.m.Algorithm, s.m.Leaf.SerialNumber.String(), scope, signedNames, hex.EncodeToString(raw))
	r.Header.Set("Authorization", sig.Authorization)
	if s.observe != nil {
		s.observe(sig)
	}
	return sig, nil
}
