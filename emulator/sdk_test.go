package emulator_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/rolesanywhere-credential-helper/rolesanywhere"
	"github.com/aws/rolesanywhere-credential-helper/rolesanywhere/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/acme-signing-helper/acme-signing-helper/emulator"
)

// signMiddleware signs each attempt with the test client, so the official
// smithy client's serializer and deserializer talk to the emulator: its
// answers must parse as the real service's do.
type signMiddleware struct {
	t testing.TB
	c *client
}

func (signMiddleware) ID() string { return "testSigV4X509" }

func (m signMiddleware) HandleFinalize(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
	req := in.Request.(*smithyhttp.Request)
	var body []byte
	if s := req.GetStream(); s != nil {
		b, err := io.ReadAll(s)
		if err != nil {
			return middleware.FinalizeOutput{}, middleware.Metadata{}, err
		}
		body = b
		if err := req.RewindStream(); err != nil {
			return middleware.FinalizeOutput{}, middleware.Metadata{}, err
		}
	}
	m.c.sign(m.t, req.Request, body)
	return next.HandleFinalize(ctx, in)
}

// sdkClient is the official client with the SDK's standard retryer (which
// decides what is retryable, so the emulator's throttling and 5xx answers
// must look like the service's), but without its backoff delays: waiting
// them out proves nothing and cost seconds per run.
func sdkClient(t testing.TB, url string, c *client, maxAttempts int) *rolesanywhere.Client {
	return rolesanywhere.New(rolesanywhere.Options{
		Region:       emulator.DefaultRegion,
		BaseEndpoint: aws.String(url),
		Credentials:  aws.AnonymousCredentials{},
		HTTPClient:   &http.Client{Timeout: 5 * time.Second},
		Retryer: retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = maxAttempts
			o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
		}),
		APIOptions: []func(*middleware.Stack) error{func(s *middleware.Stack) error {
			return s.Finalize.Add(signMiddleware{t: t, c: c}, middleware.After)
		}},
	})
}

func createInput(durationSeconds int32, sessionName string) *rolesanywhere.CreateSessionInput {
	q := defaultQuery()
	in := &rolesanywhere.CreateSessionInput{
		ProfileArn:      aws.String(q.Get("profileArn")),
		RoleArn:         aws.String(q.Get("roleArn")),
		TrustAnchorArn:  aws.String(q.Get("trustAnchorArn")),
		DurationSeconds: aws.Int32(durationSeconds),
	}
	if sessionName != "" {
		in.RoleSessionName = aws.String(sessionName)
	}
	return in
}

func TestSDKClientParsesAnswers(t *testing.T) {
	loadPKIs(t)
	s, _ := newServer(t, func(c *emulator.Config) { c.Now = time.Now }, pkis.ec)
	ts := httptest.NewServer(s)
	defer ts.Close()
	c := newClient(pkis.ec)
	c.date = time.Now()
	cl := sdkClient(t, ts.URL, c, 1)
	ctx := context.Background()

	out, err := cl.CreateSession(ctx, createInput(1800, "123456"))
	if err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
	if len(out.CredentialSet) != 1 || out.CredentialSet[0].Credentials == nil {
		t.Fatalf("got %+v", out)
	}
	cr := out.CredentialSet[0].Credentials
	if aws.ToString(cr.AccessKeyId) == "" || aws.ToString(cr.SecretAccessKey) == "" || aws.ToString(cr.SessionToken) == "" {
		t.Errorf("empty credentials in %+v", cr)
	}
	exp, err := time.Parse(time.RFC3339, aws.ToString(cr.Expiration))
	if err != nil || time.Until(exp) < 29*time.Minute || time.Until(exp) > 31*time.Minute {
		t.Errorf("got expiration %q (%v), want in 30 minutes", aws.ToString(cr.Expiration), err)
	}
	if got := aws.ToString(out.CredentialSet[0].SourceIdentity); got != "CN=host.example.com" {
		t.Errorf("got sourceIdentity %q", got)
	}
	if acc, ok := s.LastAccepted(); !ok || acc.SessionName != "123456" {
		t.Errorf("got LastAccepted %+v", acc)
	}

	// Each modelled error comes back as its type.
	_, err = cl.CreateSession(ctx, createInput(100, ""))
	var ve *types.ValidationException
	if !errors.As(err, &ve) {
		t.Errorf("duration 100: got %v, want a ValidationException", err)
	}
	in := createInput(3600, "")
	in.TrustAnchorArn = aws.String("arn:aws:rolesanywhere:us-east-1:123456789012:trust-anchor/nope")
	_, err = cl.CreateSession(ctx, in)
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("unknown trust anchor: got %v, want a ResourceNotFoundException", err)
	}
	c.date = time.Now().Add(-time.Hour)
	_, err = cl.CreateSession(ctx, createInput(3600, ""))
	var ad *types.AccessDeniedException
	if !errors.As(err, &ad) || ad.ErrorMessage() == "" {
		t.Errorf("stale date: got %v, want an AccessDeniedException", err)
	}
}

func TestSDKRetriesThrottling(t *testing.T) {
	loadPKIs(t)
	s, _ := newServer(t, func(c *emulator.Config) { c.Now = time.Now }, pkis.ec)
	ts := httptest.NewServer(s)
	defer ts.Close()
	c := newClient(pkis.ec)
	c.date = time.Now()
	s.InjectFault(emulator.Fault{Status: 429, Count: 2})
	cl := sdkClient(t, ts.URL, c, 3)
	if _, err := cl.CreateSession(context.Background(), createInput(3600, "")); err != nil {
		t.Fatalf("429 twice then success: got %v", err)
	}
	if s.Requests() != 3 || s.Calls() != 1 {
		t.Errorf("got %d requests, %d calls; want 3 and 1", s.Requests(), s.Calls())
	}
	// Persistent 500: the SDK gives up with an error naming the status.
	s.InjectFault(emulator.Fault{Status: 500, Count: -1})
	_, err := cl.CreateSession(context.Background(), createInput(3600, ""))
	var re *smithyhttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() != 500 {
		t.Errorf("persistent 500: got %v", err)
	}
}
