package signer

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/rolesanywhere-credential-helper/rolesanywhere"
	"github.com/aws/rolesanywhere-credential-helper/rolesanywhere/types"
	smithy "github.com/aws/smithy-go"
	smithyauth "github.com/aws/smithy-go/auth"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/acme-signing-helper/acme-signing-helper/internal/certsubject"
	"github.com/acme-signing-helper/acme-signing-helper/internal/rawfile"
	"github.com/acme-signing-helper/acme-signing-helper/internal/sessionname"
)

// Session duration bounds of CreateSession, in seconds.
const (
	MinDurationSeconds     = 900
	MaxDurationSeconds     = 43200
	DefaultDurationSeconds = 3600
)

// Defaults of Config.
const (
	DefaultTimeout     = 30 * time.Second
	DefaultMaxAttempts = 3
)

// Config describes one CreateSession call.
type Config struct {
	TrustAnchorARN string
	ProfileARN     string
	RoleARN        string
	// Region signs and routes the request; "" takes the trust anchor ARN's.
	Region string
	// Endpoint overrides the regional endpoint (https://rolesanywhere.REGION.amazonaws.com).
	// A value without a scheme gets https://.
	Endpoint string
	// DurationSeconds is 900..43200; 0 means 3600.
	DurationSeconds int
	// RoleSessionName is sent as roleSessionName when not empty.
	RoleSessionName string
	// SessionName, when set, is called with the signing time of the first
	// attempt and its result sent as roleSessionName (overriding
	// RoleSessionName). The result is treated as a secret until sent: it is
	// never logged.
	SessionName func(signingTime time.Time) (string, error)

	// NoVerifySSL turns off TLS certificate verification (the caller should
	// warn). CABundle is a PEM file of extra CAs for the endpoint
	// (AWS_CA_BUNDLE). Proxies come from HTTPS_PROXY/NO_PROXY.
	NoVerifySSL bool
	CABundle    string
	// HTTPClient replaces the client built from the settings above.
	HTTPClient *http.Client

	// Timeout bounds the whole call including retries (0: DefaultTimeout).
	Timeout time.Duration
	// MaxAttempts bounds the attempts of the SDK's standard retryer
	// (0: DefaultMaxAttempts). Throttling (429 and throttling codes) and
	// 5xx answers are retried with jittered exponential backoff.
	MaxAttempts int
	// MaxBackoff caps the wait between attempts (0: the SDK's 20 s).
	MaxBackoff time.Duration

	// Now is the signing clock (nil: time.Now).
	Now func() time.Time
	// Logger gets debug details (never secrets); nil discards them.
	Logger *slog.Logger
}

// validSessionName reports whether s matches the API's roleSessionName
// pattern and length, ^[\w+=,.@-]{2,64}$ (ASCII only). A loop rather than
// a package-level regexp: compiling one at start-up costs every cold
// credential-process call, names or not.
func validSessionName(s string) bool {
	return sessionname.Valid(s)
}

// parsedARNs are the validated ARNs.
type parsedARNs struct {
	trustAnchor, profile, role arn.ARN
}

// parseARN parses the ARN of field (a Config field's name in words).
func parseARN(field, value, service, resourcePrefix string) (arn.ARN, error) {
	if value == "" {
		return arn.ARN{}, fmt.Errorf("%w: %s is empty", ErrInvalidARN, field)
	}
	a, err := arn.Parse(value)
	if err != nil {
		return a, fmt.Errorf("%w: %s %q: %v", ErrInvalidARN, field, value, err)
	}
	if a.Service != service {
		return a, fmt.Errorf("%w: %s %q is an ARN of service %q, want %q", ErrInvalidARN, field, value, a.Service, service)
	}
	if !strings.HasPrefix(a.Resource, resourcePrefix) || len(a.Resource) == len(resourcePrefix) {
		return a, fmt.Errorf("%w: %s %q names resource %q, want %sID", ErrInvalidARN, field, value, a.Resource, resourcePrefix)
	}
	if service != "iam" && a.Region == "" {
		return a, fmt.Errorf("%w: %s %q has no region", ErrInvalidARN, field, value)
	}
	return a, nil
}

// CheckRequired checks that c names the trust anchor, the profile and the
// role (a *FieldError wrapping ErrRequired for the first empty one, in
// that order) and does not set both RoleSessionName and SessionName
// (ErrSessionNameConflict). Validate then checks the values.
func (c *Config) CheckRequired() error {
	for _, f := range []struct{ field, v string }{{"TrustAnchorARN", c.TrustAnchorARN}, {"ProfileARN", c.ProfileARN}, {"RoleARN", c.RoleARN}} {
		if f.v == "" {
			return &FieldError{Field: f.field, Err: ErrRequired}
		}
	}
	if c.SessionName != nil && c.RoleSessionName != "" {
		return &FieldError{Field: "RoleSessionName", Err: ErrSessionNameConflict}
	}
	return nil
}

// Validate checks the ARNs, region, duration and session name without any
// I/O. Errors wrap ErrInvalidARN, ErrRegionMismatch, ErrDuration,
// ErrNoRegion or ErrSessionName.
func (c *Config) Validate() error {
	_, _, err := c.resolve()
	return err
}

func (c *Config) resolve() (parsedARNs, string, error) {
	var p parsedARNs
	var err error
	if p.trustAnchor, err = parseARN("trust anchor ARN", c.TrustAnchorARN, "rolesanywhere", "trust-anchor/"); err != nil {
		return p, "", err
	}
	if p.profile, err = parseARN("profile ARN", c.ProfileARN, "rolesanywhere", "profile/"); err != nil {
		return p, "", err
	}
	if p.role, err = parseARN("role ARN", c.RoleARN, "iam", "role/"); err != nil {
		return p, "", err
	}
	if p.trustAnchor.Region != p.profile.Region {
		return p, "", fmt.Errorf("%w: trust anchor in %s, profile in %s", ErrRegionMismatch, p.trustAnchor.Region, p.profile.Region)
	}
	if p.trustAnchor.Partition != p.profile.Partition || p.trustAnchor.Partition != p.role.Partition {
		return p, "", fmt.Errorf("%w: partitions differ (trust anchor %s, profile %s, role %s)", ErrInvalidARN, p.trustAnchor.Partition, p.profile.Partition, p.role.Partition)
	}
	region := c.Region
	if region == "" {
		region = p.trustAnchor.Region
	}
	if region == "" {
		return p, "", ErrNoRegion
	}
	if p.trustAnchor.Region != "" && region != p.trustAnchor.Region {
		// The service only accepts a request signed for the region of
		// its trust anchor and profile (403 otherwise).
		return p, "", fmt.Errorf("%w: signing region %s, trust anchor and profile in %s", ErrSigningRegion, region, p.trustAnchor.Region)
	}
	if d := c.DurationSeconds; d != 0 && (d < MinDurationSeconds || d > MaxDurationSeconds) {
		return p, "", fmt.Errorf("%w: %d seconds (want %d to %d)", ErrDuration, d, MinDurationSeconds, MaxDurationSeconds)
	}
	if c.RoleSessionName != "" && !validSessionName(c.RoleSessionName) {
		// The value may be a TOTP code: do not echo it.
		return p, "", fmt.Errorf("%w: the role session name has %d characters or characters outside [A-Za-z0-9_+=,.@-]", ErrSessionName, len(c.RoleSessionName))
	}
	return p, region, nil
}

// endpointOverride is Endpoint with https:// when it has no scheme, or "".
func (c *Config) endpointOverride() string {
	ep := c.Endpoint
	if ep != "" && !strings.Contains(ep, "://") {
		ep = "https://" + ep
	}
	return ep
}

// EndpointURL is the URL CreateSession calls: Endpoint (https:// added
// when it has no scheme), else the regional endpoint that the rolesanywhere
// client resolves for Region or the trust anchor ARN's region. It is ""
// when there is neither an endpoint nor a region. It does no I/O and does
// not validate the ARNs.
func (c Config) EndpointURL() string {
	if ep := c.endpointOverride(); ep != "" {
		return ep
	}
	region := c.Region
	if region == "" {
		if a, err := arn.Parse(c.TrustAnchorARN); err == nil {
			region = a.Region
		}
	}
	if region == "" {
		return ""
	}
	ep, err := rolesanywhere.NewDefaultEndpointResolverV2().ResolveEndpoint(context.Background(), rolesanywhere.EndpointParameters{Region: aws.String(region)})
	if err != nil {
		return ""
	}
	return ep.URI.String()
}

// anonymousAuth makes the client skip the SDK's SigV4 signing: our
// finalize middleware signs instead.
type anonymousAuth struct{}

func (anonymousAuth) ResolveAuthSchemes(context.Context, *rolesanywhere.AuthResolverParameters) ([]*smithyauth.Option, error) {
	return []*smithyauth.Option{{SchemeID: smithyauth.SchemeIDAnonymous}}, nil
}

// MaxCABundleBytes bounds what NewHTTPClient reads of Config.CABundle:
// Debian's whole ca-certificates bundle is about 220 KB.
const MaxCABundleBytes = 4 << 20

// MaxAnswerBytes bounds what CreateSession reads of an answer body:
// CreateSession answers are about 2 KB. A longer body (a hostile endpoint
// or proxy) fails with an *AnswerTooLargeError inside an *APIError of
// Kind ErrBadResponse, after reading at most MaxAnswerBytes+1 bytes.
const MaxAnswerBytes = 256 << 10

// AnswerTooLargeError is an answer body longer than Limit bytes; reading
// stopped there.
type AnswerTooLargeError struct {
	Limit int64
}

func (e *AnswerTooLargeError) Error() string {
	return fmt.Sprintf("answer larger than %d bytes", e.Limit)
}

// cappedBody is an answer body that fails with an *AnswerTooLargeError
// once more than limit bytes arrive.
type cappedBody struct {
	rc    io.ReadCloser
	left  int64
	limit int64
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		var one [1]byte
		n, err := b.rc.Read(one[:])
		if n > 0 {
			return 0, &AnswerTooLargeError{Limit: b.limit}
		}
		return 0, err
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *cappedBody) Close() error { return b.rc.Close() }

// NewHTTPClient returns the HTTP client CreateSession uses for c:
// HTTPClient when set, else one with proxies from the environment
// (HTTPS_PROXY, NO_PROXY), TLS 1.2 or later, the extra CAs of CABundle
// (read only for verified TLS), and no verification with NoVerifySSL.
// Errors are a *CABundleError.
func (c *Config) NewHTTPClient() (*http.Client, error) {
	if c.HTTPClient != nil {
		return c.HTTPClient, nil
	}
	tlsConf := &tls.Config{MinVersion: tls.VersionTLS12}
	// The bundle matters only for verified TLS: parsing it (and the system
	// pool it extends) costs milliseconds, so skip it otherwise.
	plainHTTP := strings.HasPrefix(strings.ToLower(c.Endpoint), "http://")
	if c.CABundle != "" && !c.NoVerifySSL && !plainHTTP {
		// A regular file only (AWS_CA_BUNDLE=/dev/zero or a FIFO fails at
		// once), at most MaxCABundleBytes.
		pemBytes, err := rawfile.ReadFile(c.CABundle, MaxCABundleBytes)
		if err != nil {
			return nil, &CABundleError{Path: c.CABundle, Err: err}
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pemBytes) {
			return nil, &CABundleError{Path: c.CABundle}
		}
		tlsConf.RootCAs = pool
	}
	tlsConf.InsecureSkipVerify = c.NoVerifySSL
	// HTTP/1.1 over TLS: a process makes one CreateSession request (plus
	// retries), so HTTP/2's multiplexing buys nothing, while its connection
	// set-up (preface, SETTINGS, frame reader and writer goroutines on both
	// ends) costs about half a millisecond of a cold call on loopback.
	protocols := new(http.Protocols)
	protocols.SetHTTP1(true)
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:       tlsConf,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		Protocols:             protocols,
		MaxIdleConns:          2,
		IdleConnTimeout:       30 * time.Second,
	}
	return &http.Client{Transport: tr}, nil
}

// CreateSession signs a CreateSession request with m and returns the
// temporary credentials. Errors are *APIError for answers of the service
// (errors.Is with ErrUntrustedCertificate, ErrAccessDenied, ...), or wrap
// ErrTimeout, ErrConnect, ErrBadResponse and the Validate errors.
func CreateSession(ctx context.Context, m *Material, cfg Config) (Credentials, error) {
	return createSessionObserved(ctx, m, cfg, nil)
}

// createSessionObserved is CreateSession with a hook that sees every
// signature (golden tests).
func createSessionObserved(ctx context.Context, m *Material, cfg Config, observe func(signature)) (Credentials, error) {
	arns, region, err := cfg.resolve()
	if err != nil {
		return Credentials{}, err
	}
	if m == nil || m.Leaf == nil || m.Key == nil {
		return Credentials{}, errors.New("create session: no certificate material")
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	hc, err := cfg.NewHTTPClient()
	if err != nil {
		return Credentials{}, err
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	duration := int32(cfg.DurationSeconds)
	if duration == 0 {
		duration = DefaultDurationSeconds
	}
	in := &rolesanywhere.CreateSessionInput{
		TrustAnchorArn:  aws.String(arns.trustAnchor.String()),
		ProfileArn:      aws.String(arns.profile.String()),
		RoleArn:         aws.String(arns.role.String()),
		DurationSeconds: aws.Int32(duration),
	}

	// The first attempt signs at the time the session name was made for.
	first := now()
	var once sync.Once
	clock := func() time.Time {
		t := time.Time{}
		used := false
		once.Do(func() { t, used = first, true })
		if used {
			return t
		}
		return now()
	}
	name := cfg.RoleSessionName
	if cfg.SessionName != nil {
		n, err := cfg.SessionName(first)
		if err != nil {
			return Credentials{}, fmt.Errorf("%w: %w", ErrSessionName, err)
		}
		if !validSessionName(n) {
			return Credentials{}, fmt.Errorf("%w: the computed name has %d characters or characters outside [A-Za-z0-9_+=,.@-]", ErrSessionName, len(n))
		}
		name = n
	}
	if name != "" {
		in.RoleSessionName = aws.String(name)
	}

	signer := newX509Signer(m, region, clock)
	attempts := 0
	signer.observe = func(s signature) {
		attempts++
		if observe != nil {
			observe(s)
		}
		log.Debug("signed CreateSession request", "attempt", attempts, "algorithm", m.Algorithm,
			"string_to_sign", s.StringToSign)
	}
	maxAttempts := cfg.MaxAttempts
	if maxAttempts <= 0 {
		maxAttempts = DefaultMaxAttempts
	}
	retryer := retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = maxAttempts
		if cfg.MaxBackoff > 0 {
			o.MaxBackoff = cfg.MaxBackoff
			o.Backoff = retry.NewExponentialJitterBackoff(cfg.MaxBackoff)
		}
		o.Retryables = append(append([]retry.IsErrorRetryable{}, o.Retryables...),
			retry.RetryableHTTPStatusCode{Codes: map[int]struct{}{http.StatusTooManyRequests: {}}})
		o.RateLimiter = ratelimit.None
	})
	opts := rolesanywhere.Options{
		Region:             region,
		HTTPClient:         hc,
		Retryer:            retryer,
		AuthSchemeResolver: anonymousAuth{},
		APIOptions: []func(*middleware.Stack) error{func(st *middleware.Stack) error {
			return st.Finalize.Add(signer, middleware.After)
		}},
	}
	endpoint := cfg.endpointOverride()
	if endpoint != "" {
		opts.BaseEndpoint = aws.String(endpoint)
	}
	log.Debug("calling CreateSession", "region", region, "endpoint", endpoint, "trust_anchor", arns.trustAnchor.String(),
		"profile", arns.profile.String(), "role", arns.role.String(), "duration_seconds", duration,
		"session_name_set", name != "", "leaf_serial", m.Leaf.SerialNumber.String(), "chain", len(m.Chain))
	rec := &recordingClient{c: hc}
	opts.HTTPClient = rec
	client := rolesanywhere.New(opts)
	out, err := client.CreateSession(ctx, in)
	if err != nil {
		if last := rec.lastError(); last != nil && isDialError(last) && !isDialError(err) {
			// The deadline ended the retries of a connection failure:
			// report the cause.
			err = errors.Join(err, last)
		}
		mapped := mapError(ctx, err, now)
		if name != "" && (cfg.SessionName != nil || totpLike(name)) {
			// A TOTP code is secret-ish until it expires: the service's
			// message may quote it.
			redactSessionName(mapped, name)
		}
		if errors.Is(mapped, ErrTimeout) {
			return Credentials{}, fmt.Errorf("%w after %s", mapped, timeout)
		}
		if refusedForSubject(mapped, m.Leaf) {
			return Credentials{}, &EmptySubjectRefusedError{Path: m.CertificatePath, Err: mapped}
		}
		return Credentials{}, mapped
	}
	if len(out.CredentialSet) == 0 || out.CredentialSet[0].Credentials == nil {
		return Credentials{}, &APIError{Kind: ErrBadResponse, Message: "the answer holds no credential set"}
	}
	cs := out.CredentialSet[0]
	c := cs.Credentials
	creds := Credentials{
		AccessKeyID:     aws.ToString(c.AccessKeyId),
		SecretAccessKey: aws.ToString(c.SecretAccessKey),
		SessionToken:    aws.ToString(c.SessionToken),
	}
	if creds.AccessKeyID == "" || creds.SecretAccessKey == "" || creds.SessionToken == "" {
		return Credentials{}, &APIError{Kind: ErrBadResponse, Message: "the credential set lacks accessKeyId, secretAccessKey or sessionToken"}
	}
	exp, err := time.Parse(time.RFC3339, aws.ToString(c.Expiration))
	if err != nil {
		return Credentials{}, &APIError{Kind: ErrBadResponse, Message: fmt.Sprintf("expiration %q is not an RFC 3339 time", aws.ToString(c.Expiration))}
	}
	creds.Expiration = exp
	var roleUser string
	if cs.AssumedRoleUser != nil {
		// The last segment is the session name (maybe a TOTP code).
		roleUser = aws.ToString(cs.AssumedRoleUser.Arn)
		if i := strings.LastIndex(roleUser, "/"); i >= 0 {
			roleUser = roleUser[:i+1] + "…"
		}
	}
	log.Debug("got credentials", "access_key_id", creds.AccessKeyID, "expiration", exp.UTC().Format(time.RFC3339),
		"assumed_role_user", roleUser, "source_identity", aws.ToString(cs.SourceIdentity), "attempts", attempts)
	return creds, nil
}

// skewRE matches the service's messages about a signing date out of range;
// compiled on first use (errors only), not at start-up.
var skewRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)signature (has )?expired|signature not yet current|request time|clock|skew|(signing|request|x-amz-)date`)
})

// mapError turns the SDK's error into an *APIError with a hint.
func mapError(ctx context.Context, err error, now func() time.Time) error {
	e := &APIError{Kind: ErrAPI, Err: err}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.Response != nil {
		e.StatusCode = re.HTTPStatusCode()
		if d := re.Response.Header.Get("Date"); d != "" {
			if t, perr := http.ParseTime(d); perr == nil {
				e.Skew = t.Sub(now()).Truncate(time.Second)
			}
		}
	}
	var apiErr smithy.APIError
	hasAPI := errors.As(err, &apiErr)
	if hasAPI {
		e.Code, e.Message = apiErr.ErrorCode(), apiErr.ErrorMessage()
	}
	var (
		ad  *types.AccessDeniedException
		ve  *types.ValidationException
		rnf *types.ResourceNotFoundException
		de  *smithy.DeserializationError
	)
	msg := strings.ToLower(e.Message)
	var tooLarge *AnswerTooLargeError
	switch {
	case errors.As(err, &tooLarge):
		// Before the codes and statuses: whatever the answer claimed, it
		// was not read.
		e.Kind, e.Code, e.Message = ErrBadResponse, "", tooLarge.Error()
	case errors.As(err, &ad) || e.Code == "AccessDeniedException" || e.Code == "AccessDenied" ||
		e.Code == "InvalidSignatureException" || e.Code == "SignatureDoesNotMatch":
		switch {
		case strings.Contains(msg, "untrusted signing certificate"):
			e.Kind = ErrUntrustedCertificate
		case strings.Contains(msg, "not authorized to set rolesessionname"):
			// The profile's refusal, word for word what the service
			// says when acceptRoleSessionName is false.
			e.Kind = ErrRoleSessionNameNotAllowed
		case strings.Contains(msg, "rolesessionname"):
			// A trust policy condition on sts:RoleSessionName.
			e.Kind = ErrSessionNameDenied
		case skewRE().MatchString(e.Message):
			e.Kind = ErrClockSkew
		default:
			e.Kind = ErrAccessDenied
		}
	case errors.As(err, &ve) || e.Code == "ValidationException":
		e.Kind = ErrValidation
		if skewRE().MatchString(e.Message) {
			e.Kind = ErrClockSkew
		}
	case errors.As(err, &rnf) || e.Code == "ResourceNotFoundException":
		e.Kind = ErrResourceNotFound
	case e.StatusCode == http.StatusTooManyRequests || strings.Contains(strings.ToLower(e.Code), "throttl") || e.Code == "TooManyRequestsException":
		e.Kind = ErrThrottled
	case e.StatusCode >= 500:
		e.Kind = ErrServer
		if e.Message == "" {
			e.Message = http.StatusText(e.StatusCode)
		}
	case isDialError(err):
		e.Kind = ErrConnect
		e.Err = dialCause(err)
	case errors.As(err, &de):
		e.Kind = ErrBadResponse
		e.Message = "cannot decode the answer: " + de.Err.Error()
	case errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil:
		e.Kind = ErrTimeout
		e.Err = nil
	case e.StatusCode == 0:
		e.Kind = ErrConnect
		e.Err = unwrapOperation(err)
	case e.StatusCode == 201 || e.StatusCode == 200:
		e.Kind = ErrBadResponse
	}
	if e.Kind != ErrClockSkew {
		e.Skew = 0
	}
	return e
}

// isDialError reports whether err comes from failing to connect (DNS,
// refused, unreachable), even when the deadline ended the retries.
func isDialError(err error) bool {
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Op == "dial" {
		return true
	}
	var dnsErr *net.DNSError
	return errors.As(err, &dnsErr)
}

// unwrapOperation drops the SDK's "operation error RolesAnywhere:
// CreateSession" prefix.
func unwrapOperation(err error) error {
	var oe *smithy.OperationError
	if errors.As(err, &oe) {
		return oe.Err
	}
	return err
}

// recordingClient remembers the last transport error, so that a timeout
// during the retries of a connection failure can name the failure, and
// caps every answer body at MaxAnswerBytes.
type recordingClient struct {
	c    *http.Client
	mu   sync.Mutex
	last error
}

func (r *recordingClient) Do(req *http.Request) (*http.Response, error) {
	resp, err := r.c.Do(req)
	if err != nil {
		r.mu.Lock()
		r.last = err
		r.mu.Unlock()
		return resp, err
	}
	// Every answer body, whichever client (Config.HTTPClient too), is
	// read through the cap.
	resp.Body = &cappedBody{rc: resp.Body, left: MaxAnswerBytes, limit: MaxAnswerBytes}
	return resp, nil
}

func (r *recordingClient) lastError() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last
}

// dialCause is the connection error inside err.
func dialCause(err error) error {
	var oe *net.OpError
	if errors.As(err, &oe) {
		return oe
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return dnsErr
	}
	return unwrapOperation(err)
}

// refusedForSubject reports whether err is a refusal that the leaf's empty
// subject may explain: access denied, invalid or unclassified, not a
// transport, trust or clock problem.
func refusedForSubject(err error, leaf *x509.Certificate) bool {
	var ae *APIError
	if !errors.As(err, &ae) || !certsubject.Empty(leaf) {
		return false
	}
	return ae.Kind == ErrAccessDenied || ae.Kind == ErrValidation || ae.Kind == ErrAPI
}
