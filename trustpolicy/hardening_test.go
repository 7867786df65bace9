package trustpolicy

import (
	"errors"
	"strings"
	"testing"
)

// TestHardeningRejectedElements is issue 13 point 6, the red-team cases:
// elements IAM rejects make Evaluate (NotPrincipal with Allow, in any
// policy) and EvaluateCreateSession and Lint (NotPrincipal at all,
// Resource and NotResource, in a role trust policy) fail, never decide.
func TestHardeningRejectedElements(t *testing.T) {
	const ok = `{"Effect":"Allow","Principal":{"Service":"rolesanywhere.amazonaws.com"},"Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"]}`
	tests := []struct {
		name      string
		stmts     string
		evaluate  error // what Evaluate returns (nil: it decides)
		trust     error // what EvaluateCreateSession returns
		element   string
		statement int
		lint      string
	}{
		{"NotPrincipal with Allow", `{"Effect":"Allow","NotPrincipal":{"Service":"ec2.amazonaws.com"},"Action":"sts:*"}`,
			ErrNotPrincipalAllow, ErrNotPrincipalAllow, "NotPrincipal", 1, "error:not-principal:1"},
		{"NotPrincipal with Deny", ok + `,{"Sid":"D","Effect":"Deny","NotPrincipal":{"Service":"rolesanywhere.amazonaws.com"},"Action":"sts:*"}`,
			nil, ErrTrustNotPrincipal, "NotPrincipal", 2, "error:not-principal:2"},
		{"Resource", `{"Effect":"Allow","Principal":{"Service":"rolesanywhere.amazonaws.com"},"Action":"sts:*","Resource":"*"}`,
			nil, ErrTrustResource, "Resource", 1, "error:trust-resource:1"},
		{"NotResource in a Deny", ok + `,{"Effect":"Deny","Principal":"*","Action":"sts:*","NotResource":"arn:aws:iam::123456789012:role/x"}`,
			nil, ErrTrustResource, "NotResource", 2, "error:trust-resource:2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustParse(t, []byte(`{"Version":"2012-10-17","Statement":[`+tt.stmts+`]}`))
			d, err := Evaluate(p, Request{Principal: RolesAnywhereService, Action: ActionAssumeRole})
			if !errors.Is(err, tt.evaluate) || (tt.evaluate == nil) != (err == nil) {
				t.Errorf("Evaluate: got %+v, %v; want error %v", d, err, tt.evaluate)
			}
			cd, err := EvaluateCreateSession(p, CreateSessionRequest{})
			var ee *ElementError
			if !errors.Is(err, tt.trust) || !errors.As(err, &ee) || ee.Element != tt.element || ee.Statement != tt.statement {
				t.Fatalf("EvaluateCreateSession: got %+v, %v; want %v on %s of statement %d", cd, err, tt.trust, tt.element, tt.statement)
			}
			if cd.Allowed || len(cd.Actions) > 0 {
				t.Errorf("EvaluateCreateSession decided: %+v", cd)
			}
			if tt.trust == ErrTrustResource && !strings.Contains(err.Error(), "has prohibited field "+tt.element) {
				t.Errorf("got %q, want IAM's reason", err)
			}
			if err := p.ValidateTrust(); !errors.Is(err, tt.trust) {
				t.Errorf("ValidateTrust: got %v, want %v", err, tt.trust)
			}
			got := strings.Join(codes(Lint(p)), " ")
			if !strings.Contains(got, tt.lint) {
				t.Errorf("Lint: got %v, want %s", got, tt.lint)
			}
			if !HasErrors(Lint(p)) {
				t.Errorf("Lint: no error finding")
			}
		})
	}
}
