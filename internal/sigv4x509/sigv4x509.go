// Package sigv4x509 holds the parts of the SigV4-X509 signature that the
// signing side (package signer) and the verifying side (package emulator)
// must agree on byte for byte: the canonical request, the credential scope,
// the string to sign and the Authorization header.
//
// Keeping one implementation for both sides is safe because the emulator is
// tested against the official aws_signing_helper (see interop/): if this
// package drifted from the real protocol, that test would fail.
//
// Security considerations: nothing here sees a private key; signatures are
// made and checked by the callers.
package sigv4x509

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// Algorithm names for the Authorization header and the string to sign.
const (
	AlgorithmRSA   = "AWS4-X509-RSA-SHA256"
	AlgorithmECDSA = "AWS4-X509-ECDSA-SHA256"
)

// Header names and formats of the protocol.
const (
	HeaderDate  = "X-Amz-Date"
	HeaderX509  = "X-Amz-X509"
	HeaderChain = "X-Amz-X509-Chain"
	TimeFormat  = "20060102T150405Z"
	DateFormat  = "20060102"
	Service     = "rolesanywhere"
	Terminator  = "aws4_request"
	// MaxChain is the most intermediates X-Amz-X509-Chain may carry.
	MaxChain = 5
)

// ignoredHeaders are never signed.
var ignoredHeaders = map[string]bool{
	"authorization":   true,
	"user-agent":      true,
	"x-amzn-trace-id": true,
}

// HashHex returns the lower-case hex SHA-256 of b.
func HashHex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// CanonicalQuery sorts the keys and escapes per RFC 3986 (space as %20).
func CanonicalQuery(q url.Values) string {
	return strings.ReplaceAll(q.Encode(), "+", "%20")
}

// CanonicalHeaders returns the canonical header block (each "name:value\n")
// and the signed header names joined by ";". host is added as the "host"
// header; h must not hold it again.
func CanonicalHeaders(h http.Header, host string) (block, signed string) {
	vals := map[string][]string{}
	if host != "" {
		vals["host"] = []string{host}
	}
	for k, v := range h {
		lk := strings.ToLower(k)
		if ignoredHeaders[lk] || lk == "host" {
			continue
		}
		vals[lk] = append(vals[lk], v...)
	}
	names := make([]string, 0, len(vals))
	for k := range vals {
		names = append(names, k)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		vs := make([]string, len(vals[n]))
		for i, v := range vals[n] {
			vs[i] = strings.Join(strings.Fields(v), " ")
		}
		b.WriteString(n)
		b.WriteByte(':')
		b.WriteString(strings.Join(vs, ","))
		b.WriteByte('\n')
	}
	return b.String(), strings.Join(names, ";")
}

// CanonicalRequest builds the canonical request for method and path with
// the given query, headers (host passed separately) and body hash.
func CanonicalRequest(method, path string, q url.Values, h http.Header, host, bodyHashHex string) (canonical, signed string) {
	block, signed := CanonicalHeaders(h, host)
	if path == "" {
		path = "/"
	}
	return strings.Join([]string{method, path, CanonicalQuery(q), block, signed, bodyHashHex}, "\n"), signed
}

// Scope is "<yyyymmdd>/<region>/rolesanywhere/aws4_request".
func Scope(t time.Time, region string) string {
	return t.UTC().Format(DateFormat) + "/" + region + "/" + Service + "/" + Terminator
}

// StringToSign joins algorithm, date, scope and the hex SHA-256 of the
// canonical request with newlines.
func StringToSign(algorithm string, t time.Time, scope, canonical string) string {
	return algorithm + "\n" + t.UTC().Format(TimeFormat) + "\n" + scope + "\n" + HashHex([]byte(canonical))
}

// Authorization formats the Authorization header value. serial is the leaf
// certificate's serial number in decimal.
func Authorization(algorithm, serial, scope, signed, signatureHex string) string {
	return fmt.Sprintf("%s Credential=%s/%s, SignedHeaders=%s, Signature=%s", algorithm, serial, scope, signed, signatureHex)
}

// Auth is a parsed Authorization header.
type Auth struct {
	Algorithm     string
	Serial        string // decimal
	Scope         string
	Date          string // yyyymmdd from the scope
	Region        string // from the scope
	SignedHeaders []string
	Signature     string // lower-case hex
}

// ErrMalformedAuthorization is returned by ParseAuthorization.
var ErrMalformedAuthorization = errors.New("malformed Authorization header")

// ParseAuthorization parses an Authorization header made by Authorization.
func ParseAuthorization(v string) (Auth, error) {
	var a Auth
	alg, rest, ok := strings.Cut(v, " ")
	if !ok {
		return a, fmt.Errorf("%w: no algorithm", ErrMalformedAuthorization)
	}
	if alg != AlgorithmRSA && alg != AlgorithmECDSA {
		return a, fmt.Errorf("%w: unknown algorithm %q", ErrMalformedAuthorization, alg)
	}
	a.Algorithm = alg
	for _, part := range strings.Split(rest, ",") {
		k, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return a, fmt.Errorf("%w: part %q has no '='", ErrMalformedAuthorization, part)
		}
		switch k {
		case "Credential":
			serial, scope, ok := strings.Cut(val, "/")
			if !ok {
				return a, fmt.Errorf("%w: credential %q has no scope", ErrMalformedAuthorization, val)
			}
			p := strings.Split(scope, "/")
			if len(p) != 4 || p[2] != Service || p[3] != Terminator {
				return a, fmt.Errorf("%w: bad credential scope %q", ErrMalformedAuthorization, scope)
			}
			a.Serial, a.Scope, a.Date, a.Region = serial, scope, p[0], p[1]
		case "SignedHeaders":
			a.SignedHeaders = strings.Split(val, ";")
		case "Signature":
			a.Signature = val
		default:
			return a, fmt.Errorf("%w: unknown part %q", ErrMalformedAuthorization, k)
		}
	}
	if a.Serial == "" || len(a.SignedHeaders) == 0 || a.Signature == "" {
		return a, fmt.Errorf("%w: Credential, SignedHeaders and Signature are all required", ErrMalformedAuthorization)
	}
	return a, nil
}
