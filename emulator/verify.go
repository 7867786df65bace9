package emulator

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/internal/sessionname"
	"github.com/acme-signing-helper/acme-signing-helper/internal/sigv4x509"
	"github.com/acme-signing-helper/acme-signing-helper/trustpolicy"
)

// Error codes the emulator answers with (header X-Amzn-ErrorType).
const (
	CodeAccessDenied     = "AccessDeniedException"
	CodeValidation       = "ValidationException"
	CodeResourceNotFound = "ResourceNotFoundException"
	CodeThrottling       = "ThrottlingException"
	CodeInternal         = "InternalServerException"
)

// Messages of the service that clients recognise.
const (
	MsgUntrusted          = "Untrusted signing certificate"
	MsgSessionNameRefused = "Not authorized to set roleSessionName."
	MsgRoleNotInProfile   = "Requested Role isn't one of those listed in the Profile."
)

// apiError is a refusal: HTTP status, error code, the message sent to the
// client and a detail that only goes to the debug log.
type apiError struct {
	status int
	code   string
	msg    string
	detail string
}

func (e *apiError) Error() string { return e.code + ": " + e.msg }

func accessDenied(msg string) *apiError {
	return &apiError{status: http.StatusForbidden, code: CodeAccessDenied, msg: msg}
}

func untrusted(detail string) *apiError {
	return &apiError{status: http.StatusForbidden, code: CodeAccessDenied, msg: MsgUntrusted, detail: detail}
}

func validationf(format string, a ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, code: CodeValidation, msg: fmt.Sprintf(format, a...)}
}

// parsedRequest is what the emulator extracted from a CreateSession request
// before judging it.
type parsedRequest struct {
	Auth           sigv4x509.Auth
	Date           time.Time
	Leaf           *x509.Certificate
	Chain          []*x509.Certificate
	ChainHeader    string
	ProfileARN     string
	RoleARN        string
	TrustAnchorARN string
	Body           SessionRequest
}

// SessionRequest is the CreateSession JSON body.
type SessionRequest struct {
	DurationSeconds    *int              `json:"durationSeconds,omitempty"`
	RoleSessionName    *string           `json:"roleSessionName,omitempty"`
	InstanceProperties map[string]string `json:"instanceProperties,omitempty"`
}

// ParseChainHeader decodes X-Amz-X509-Chain: standard base64 DER
// certificates separated by commas, at most sigv4x509.MaxChain.
func ParseChainHeader(v string) ([]*x509.Certificate, error) {
	if v == "" {
		return nil, nil
	}
	parts := strings.Split(v, ",")
	if len(parts) > sigv4x509.MaxChain {
		return nil, fmt.Errorf("X-Amz-X509-Chain holds %d certificates, at most %d are allowed", len(parts), sigv4x509.MaxChain)
	}
	out := make([]*x509.Certificate, 0, len(parts))
	for i, p := range parts {
		c, err := parseB64Cert(strings.TrimSpace(p))
		if err != nil {
			return nil, fmt.Errorf("X-Amz-X509-Chain certificate %d: %w", i+1, err)
		}
		out = append(out, c)
	}
	return out, nil
}

func parseB64Cert(s string) (*x509.Certificate, error) {
	der, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("not standard base64: %w", err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("not a DER certificate: %w", err)
	}
	return c, nil
}

// ParseSessionRequest decodes the CreateSession JSON body (empty means {}).
func ParseSessionRequest(body []byte) (SessionRequest, error) {
	var sr SessionRequest
	if len(bytes.TrimSpace(body)) == 0 {
		return sr, nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&sr); err != nil {
		return sr, fmt.Errorf("request body is not a CreateSession JSON document: %w", err)
	}
	if dec.More() {
		return sr, errors.New("request body has data after the JSON document")
	}
	return sr, nil
}

// call is the state of one CreateSession call, for the response and the
// CloudTrail record.
type call struct {
	requestID      string
	parsed         parsedRequest
	leaf           *x509.Certificate
	chain          []*x509.Certificate
	chainHeader    string
	sessionName    string
	sessionGiven   bool
	sourceIdentity string
	duration       int
	canonical      string         // the canonical request verified
	stringToSign   string         // its string to sign
	input          AuthorizeInput // what Config.Authorize is asked
	resp           *sessionResponse
	err            *apiError
}

func (s *Server) handle(r *http.Request, body []byte, now time.Time) *call {
	c := &call{}
	q := r.URL.Query()
	c.parsed.ProfileARN, c.parsed.RoleARN, c.parsed.TrustAnchorARN = q.Get("profileArn"), q.Get("roleArn"), q.Get("trustAnchorArn")
	// Decode the body and the certificate early so a refused call's
	// record still names them.
	sr, bodyErr := ParseSessionRequest(body)
	c.parsed.Body = sr
	if sr.RoleSessionName != nil {
		c.sessionGiven = true
		c.sessionName = *sr.RoleSessionName
	}
	if v := r.Header.Get(sigv4x509.HeaderX509); v != "" {
		if leaf, err := parseB64Cert(v); err == nil {
			c.leaf = leaf
		}
	}
	c.err = s.verify(r, body, now, c, bodyErr)
	return c
}

// verify runs every check in the order the service is believed to: the
// signature first (authentication), then the certificate's trust, then
// the request's parameters, then authorisation.
func (s *Server) verify(r *http.Request, body []byte, now time.Time, c *call, bodyErr error) *apiError {
	authz := r.Header.Get("Authorization")
	if authz == "" {
		return accessDenied("Missing Authentication Token: no Authorization header")
	}
	auth, err := sigv4x509.ParseAuthorization(authz)
	if err != nil {
		return accessDenied("Authorization header is malformed: " + strings.TrimPrefix(err.Error(), sigv4x509.ErrMalformedAuthorization.Error()+": "))
	}
	c.parsed.Auth = auth

	// Date.
	dv := r.Header.Get(sigv4x509.HeaderDate)
	if dv == "" {
		return accessDenied("Missing X-Amz-Date header")
	}
	date, err := time.Parse(sigv4x509.TimeFormat, dv)
	if err != nil {
		return accessDenied(fmt.Sprintf("X-Amz-Date %q is not in the format %s", dv, sigv4x509.TimeFormat))
	}
	c.parsed.Date = date
	ts := func(t time.Time) string { return t.UTC().Format(sigv4x509.TimeFormat) }
	mins := int(s.cfg.MaxSkew / time.Minute)
	if date.Before(now.Add(-s.cfg.MaxSkew)) {
		return accessDenied(fmt.Sprintf("Signature expired: %s is now earlier than %s (%s - %d min.)", ts(date), ts(now.Add(-s.cfg.MaxSkew)), ts(now), mins))
	}
	if date.After(now.Add(s.cfg.MaxSkew)) {
		return accessDenied(fmt.Sprintf("Signature not yet current: %s is still later than %s (%s + %d min.)", ts(date), ts(now.Add(s.cfg.MaxSkew)), ts(now), mins))
	}
	if auth.Date != date.Format(sigv4x509.DateFormat) {
		return accessDenied(fmt.Sprintf("Credential should be scoped to a valid date: scope date %s does not match X-Amz-Date %s", auth.Date, dv))
	}
	if auth.Region != s.cfg.Region {
		return accessDenied(fmt.Sprintf("Credential should be scoped to a valid region, not '%s'; this endpoint serves '%s'", auth.Region, s.cfg.Region))
	}

	// Signed headers.
	signed := map[string]bool{}
	for _, h := range auth.SignedHeaders {
		if h != strings.ToLower(h) || h == "" {
			return accessDenied(fmt.Sprintf("SignedHeaders entry %q must be a lower-case header name", h))
		}
		signed[h] = true
	}
	chainHeader := r.Header.Get(sigv4x509.HeaderChain)
	required := []string{"content-type", "host", "x-amz-date", "x-amz-x509"}
	if chainHeader != "" {
		required = append(required, "x-amz-x509-chain")
	}
	for _, h := range required {
		if !signed[h] {
			return accessDenied(fmt.Sprintf("SignedHeaders must include %s; it has %s", h, strings.Join(auth.SignedHeaders, ";")))
		}
	}

	// Certificates.
	xv := r.Header.Get(sigv4x509.HeaderX509)
	if xv == "" {
		return accessDenied("Missing X-Amz-X509 header")
	}
	leaf, err := parseB64Cert(xv)
	if err != nil {
		return accessDenied("X-Amz-X509 header is not a certificate: " + err.Error())
	}
	c.leaf = leaf
	c.parsed.Leaf = leaf
	if leaf.SerialNumber.String() != auth.Serial {
		return accessDenied(fmt.Sprintf("Credential serial %s does not match the X-Amz-X509 certificate's serial %s", auth.Serial, leaf.SerialNumber.String()))
	}
	chain, err := ParseChainHeader(chainHeader)
	if err != nil {
		return accessDenied(err.Error())
	}
	c.chain, c.chainHeader = chain, chainHeader
	c.parsed.Chain, c.parsed.ChainHeader = chain, chainHeader

	// Signature.
	canonical, stringToSign, aerr := s.canonical(r, body, auth, date)
	if aerr != nil {
		return aerr
	}
	if aerr := verifySignature(leaf, auth, stringToSign); aerr != nil {
		aerr.detail = "canonical request:\n" + canonical
		return aerr
	}
	c.canonical, c.stringToSign = canonical, stringToSign

	// Trust.
	if aerr := s.checkLeaf(leaf, chain, now); aerr != nil {
		return aerr
	}

	// Parameters.
	if aerr := s.checkARNs(c.parsed); aerr != nil {
		return aerr
	}
	if bodyErr != nil {
		return validationf("%v", bodyErr)
	}
	c.duration = 3600
	if d := c.parsed.Body.DurationSeconds; d != nil {
		if *d < 900 {
			return validationf("1 validation error detected: Value '%d' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900", *d)
		}
		if *d > 43200 {
			return validationf("1 validation error detected: Value '%d' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200", *d)
		}
		c.duration = *d
	}
	c.sourceIdentity = trustpolicy.SourceIdentity(leaf)
	if c.sessionGiven {
		if !s.acceptName {
			return accessDenied(MsgSessionNameRefused)
		}
		if !sessionname.Valid(c.sessionName) {
			return validationf("1 validation error detected: Value at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: %s", sessionname.Pattern)
		}
	} else {
		c.sessionName = DefaultSessionName(leaf)
	}
	if re := s.cfg.SessionNamePattern; re != nil && !re.MatchString(c.sessionName) {
		return accessDenied(fmt.Sprintf("Unable to assume role %s: the role's trust policy requires sts:RoleSessionName to match %s, got %q", c.parsed.RoleARN, re.String(), c.sessionName))
	}
	c.input = AuthorizeInput{
		Leaf: leaf, Chain: chain,
		TrustAnchorARN: c.parsed.TrustAnchorARN, ProfileARN: c.parsed.ProfileARN, RoleARN: c.parsed.RoleARN,
		RoleSessionName: c.sessionName, RoleSessionNameGiven: c.sessionGiven,
		SourceIdentity: c.sourceIdentity, SourceIP: sourceIP(r.RemoteAddr), Time: now,
	}
	if s.cfg.Authorize != nil {
		if err := s.cfg.Authorize(c.input); err != nil {
			return accessDenied(err.Error())
		}
	}
	resp, err := s.issue(c, now)
	if err != nil {
		return &apiError{status: http.StatusInternalServerError, code: CodeInternal, msg: "could not issue credentials", detail: err.Error()}
	}
	c.resp = resp
	return nil
}

// canonical rebuilds the canonical request and string to sign from the
// request as received: only the signed headers, host from r.Host.
func (s *Server) canonical(r *http.Request, body []byte, auth sigv4x509.Auth, date time.Time) (string, string, *apiError) {
	h := http.Header{}
	for _, name := range auth.SignedHeaders {
		if name == "host" {
			continue
		}
		vals := r.Header.Values(name)
		if len(vals) == 0 && name == "content-length" && r.ContentLength >= 0 {
			vals = []string{fmt.Sprint(r.ContentLength)}
		}
		if len(vals) == 0 {
			return "", "", accessDenied(fmt.Sprintf("Signed header %q is missing from the request", name))
		}
		h[http.CanonicalHeaderKey(name)] = vals
	}
	canonical, signedNames := sigv4x509.CanonicalRequest(r.Method, r.URL.EscapedPath(), r.URL.Query(), h, r.Host, sigv4x509.HashHex(body))
	if signedNames != strings.Join(auth.SignedHeaders, ";") {
		return "", "", accessDenied(fmt.Sprintf("SignedHeaders %q must be sorted and free of duplicates", strings.Join(auth.SignedHeaders, ";")))
	}
	sts := sigv4x509.StringToSign(auth.Algorithm, date, auth.Scope, canonical)
	return canonical, sts, nil
}

const msgSignatureMismatch = "The request signature we calculated does not match the signature you provided."

func verifySignature(leaf *x509.Certificate, auth sigv4x509.Auth, stringToSign string) *apiError {
	sig, err := hex.DecodeString(auth.Signature)
	if err != nil || auth.Signature != strings.ToLower(auth.Signature) {
		return accessDenied("Signature is not lower-case hex")
	}
	digest := sha256.Sum256([]byte(stringToSign))
	switch pub := leaf.PublicKey.(type) {
	case *rsa.PublicKey:
		if auth.Algorithm != sigv4x509.AlgorithmRSA {
			return accessDenied(fmt.Sprintf("Algorithm %s does not fit the certificate's RSA key; use %s", auth.Algorithm, sigv4x509.AlgorithmRSA))
		}
		if rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig) != nil {
			return accessDenied(msgSignatureMismatch)
		}
	case *ecdsa.PublicKey:
		if auth.Algorithm != sigv4x509.AlgorithmECDSA {
			return accessDenied(fmt.Sprintf("Algorithm %s does not fit the certificate's ECDSA key; use %s", auth.Algorithm, sigv4x509.AlgorithmECDSA))
		}
		if !ecdsa.VerifyASN1(pub, digest[:], sig) {
			return accessDenied(msgSignatureMismatch)
		}
	default:
		return accessDenied(fmt.Sprintf("Unsupported certificate key type %T", leaf.PublicKey))
	}
	return nil
}

// checkLeaf applies the certificate rules of the service and verifies the
// chain to a configured anchor, with no extended key usage requirement.
func (s *Server) checkLeaf(leaf *x509.Certificate, chain []*x509.Certificate, now time.Time) *apiError {
	if s.cfg.RequireSubject && trustpolicy.EmptySubject(leaf) {
		return accessDenied("Certificate subject is empty; IAM Roles Anywhere requires a non-empty subject")
	}
	if leaf.IsCA {
		return accessDenied("Signing certificate must not be a CA certificate (basicConstraints CA=true)")
	}
	if leaf.KeyUsage != 0 && leaf.KeyUsage&x509.KeyUsageDigitalSignature == 0 {
		return accessDenied("Signing certificate's key usage does not include digitalSignature")
	}
	switch leaf.SignatureAlgorithm {
	case x509.SHA1WithRSA, x509.ECDSAWithSHA1, x509.MD5WithRSA, x509.MD2WithRSA, x509.DSAWithSHA1:
		return accessDenied("Signing certificate is signed with a weak algorithm " + leaf.SignatureAlgorithm.String())
	}
	key := chainKey(leaf, chain)
	if s.chainVerified(key, now) {
		return nil
	}
	inter := x509.NewCertPool()
	for _, c := range chain {
		inter.AddCert(c)
	}
	chains, err := leaf.Verify(x509.VerifyOptions{
		Roots:         s.anchors,
		Intermediates: inter,
		CurrentTime:   now,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	if err != nil {
		return untrusted(err.Error())
	}
	s.rememberChain(key, chains[0])
	return nil
}

// maxVerifiedChains bounds the cache of verified chains.
const maxVerifiedChains = 1024

// validity is the interval in which every certificate of a verified chain
// is valid: within it, the same leaf and chain header verify again to the
// same (fixed) anchors, so the result is cached.
type validity struct{ notBefore, notAfter time.Time }

func chainKey(leaf *x509.Certificate, chain []*x509.Certificate) [32]byte {
	h := sha256.New()
	h.Write(leaf.Raw)
	for _, c := range chain {
		h.Write([]byte{0})
		h.Write(c.Raw)
	}
	var k [32]byte
	h.Sum(k[:0])
	return k
}

func (s *Server) chainVerified(key [32]byte, now time.Time) bool {
	s.vmu.Lock()
	defer s.vmu.Unlock()
	v, ok := s.verified[key]
	return ok && !now.Before(v.notBefore) && !now.After(v.notAfter)
}

func (s *Server) rememberChain(key [32]byte, path []*x509.Certificate) {
	var v validity
	for i, c := range path {
		if i == 0 || c.NotBefore.After(v.notBefore) {
			v.notBefore = c.NotBefore
		}
		if i == 0 || c.NotAfter.Before(v.notAfter) {
			v.notAfter = c.NotAfter
		}
	}
	s.vmu.Lock()
	defer s.vmu.Unlock()
	if s.verified == nil || len(s.verified) >= maxVerifiedChains {
		s.verified = map[[32]byte]validity{}
	}
	s.verified[key] = v
}

func (s *Server) checkARNs(p parsedRequest) *apiError {
	for _, q := range []struct{ name, v string }{{"profileArn", p.ProfileARN}, {"roleArn", p.RoleARN}, {"trustAnchorArn", p.TrustAnchorARN}} {
		if q.v == "" {
			return validationf("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", q.name)
		}
		if !strings.HasPrefix(q.v, "arn:") || strings.Count(q.v, ":") < 5 {
			return validationf("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must be a valid ARN", q.v, q.name)
		}
	}
	if !s.trustAnchor[p.TrustAnchorARN] {
		return &apiError{status: http.StatusNotFound, code: CodeResourceNotFound, msg: "Trust anchor " + p.TrustAnchorARN + " not found"}
	}
	if !s.profiles[p.ProfileARN] {
		return &apiError{status: http.StatusNotFound, code: CodeResourceNotFound, msg: "Profile " + p.ProfileARN + " not found"}
	}
	if !s.roles[p.RoleARN] {
		return accessDenied(MsgRoleNotInProfile)
	}
	return nil
}

// DefaultSessionName is the session name Roles Anywhere uses when the
// request names none: the leaf's serial number in lower-case hex, two
// digits per byte.
func DefaultSessionName(leaf *x509.Certificate) string {
	return serialHex(leaf)
}

func serialHex(leaf *x509.Certificate) string {
	return hex.EncodeToString(leaf.SerialNumber.Bytes())
}

func sourceIP(remote string) string {
	if host, _, err := net.SplitHostPort(remote); err == nil {
		return host
	}
	return remote
}

// sessionResponse is the CreateSession 201 body.
type sessionResponse struct {
	CredentialSet []credentialSetItem `json:"credentialSet"`
	SubjectArn    string              `json:"subjectArn"`
}

type credentialSetItem struct {
	AssumedRoleUser  assumedRoleUser `json:"assumedRoleUser"`
	Credentials      credentials     `json:"credentials"`
	PackedPolicySize int             `json:"packedPolicySize"`
	RoleArn          string          `json:"roleArn"`
	SourceIdentity   string          `json:"sourceIdentity"`
}

type assumedRoleUser struct {
	Arn           string `json:"arn"`
	AssumedRoleID string `json:"assumedRoleId"`
}

type credentials struct {
	AccessKeyID     string `json:"accessKeyId"`
	SecretAccessKey string `json:"secretAccessKey"`
	SessionToken    string `json:"sessionToken"`
	Expiration      string `json:"expiration"`
}

const upperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

func (s *Server) randString(n int, alphabet string) (string, error) {
	b := make([]byte, n)
	if err := s.readRand(b); err != nil {
		return "", err
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b), nil
}

func (s *Server) issue(c *call, now time.Time) (*sessionResponse, error) {
	akid, err := s.randString(16, upperAlnum)
	if err != nil {
		return nil, err
	}
	secret := make([]byte, 30)
	if err := s.readRand(secret); err != nil {
		return nil, err
	}
	token := make([]byte, 96)
	if err := s.readRand(token); err != nil {
		return nil, err
	}
	roleID, err := s.randString(17, upperAlnum)
	if err != nil {
		return nil, err
	}
	roleARN := c.parsed.RoleARN
	roleName := roleARN[strings.LastIndex(roleARN, "/")+1:]
	return &sessionResponse{
		CredentialSet: []credentialSetItem{{
			AssumedRoleUser: assumedRoleUser{
				Arn:           fmt.Sprintf("arn:%s:sts::%s:assumed-role/%s/%s", partition(s.cfg.Region), s.cfg.AccountID, roleName, c.sessionName),
				AssumedRoleID: "AROA" + roleID + ":" + c.sessionName,
			},
			Credentials: credentials{
				AccessKeyID:     "ASIA" + akid,
				SecretAccessKey: base64.StdEncoding.EncodeToString(secret),
				SessionToken:    "IQoJb3JpZ2luX2VtdWxhdG9y" + base64.StdEncoding.EncodeToString(token),
				Expiration:      now.Add(time.Duration(c.duration) * time.Second).UTC().Format(time.RFC3339),
			},
			PackedPolicySize: 0,
			RoleArn:          roleARN,
			SourceIdentity:   c.sourceIdentity,
		}},
		SubjectArn: s.subjectARN(c.leaf),
	}, nil
}

// subjectARN derives a stable subject ARN from the leaf's subject and
// issuer, as the service keeps one subject per identity.
func (s *Server) subjectARN(leaf *x509.Certificate) string {
	sum := sha256.Sum256(append(append([]byte{}, leaf.RawSubject...), leaf.RawIssuer...))
	var b [16]byte
	copy(b[:], sum[:16])
	return fmt.Sprintf("arn:%s:rolesanywhere:%s:%s:subject/%s", partition(s.cfg.Region), s.cfg.Region, s.cfg.AccountID, formatUUID(b))
}
