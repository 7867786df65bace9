package signer

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestValidateSigningRegion: a --region other than the ARNs' is refused
// before any call (the service answers 403), like the other ARN checks.
func TestValidateSigningRegion(t *testing.T) {
	c := Config{
		TrustAnchorARN: "arn:aws:rolesanywhere:us-east-1:123456789012:trust-anchor/00000000-0000-4000-8000-000000000001",
		ProfileARN:     "arn:aws:rolesanywhere:us-east-1:123456789012:profile/00000000-0000-4000-8000-000000000002",
		RoleARN:        "arn:aws:iam::123456789012:role/r",
	}
	for _, tc := range []struct {
		region string
		want   error
	}{
		{"", nil},
		{"us-east-1", nil},
		{"eu-west-2", ErrSigningRegion},
	} {
		c.Region = tc.region
		err := c.Validate()
		if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
			t.Errorf("region %q: got %v, want %v", tc.region, err, tc.want)
		}
		if err != nil && (!strings.Contains(err.Error(), "eu-west-2") || !strings.Contains(err.Error(), "us-east-1")) {
			t.Errorf("region %q: %v does not name both regions", tc.region, err)
		}
	}
}

// TestAPIErrorClockSkewWording: the skew reads "ahead of ours", and the
// service's own parentheses are not nested in ours.
func TestAPIErrorClockSkewWording(t *testing.T) {
	e := &APIError{Kind: ErrClockSkew, StatusCode: 403, Code: "AccessDeniedException",
		Message: "Signature expired: 20260101T000000Z is now earlier than 20260101T000500Z (20260101T001000Z - 5 min.)", Skew: 10 * time.Minute}
	got := e.Error()
	for _, bad := range []string{"ahead ours", "))", ".))"} {
		if strings.Contains(got, bad) {
			t.Errorf("%q contains %q", got, bad)
		}
	}
	if !strings.Contains(got, "the server's clock is 10m0s ahead of ours") || !strings.Contains(got, "HTTP 403 AccessDeniedException: Signature expired") {
		t.Errorf("got %q", got)
	}
}
