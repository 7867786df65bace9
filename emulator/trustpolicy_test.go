package emulator_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/acme-signing-helper/acme-signing-helper/emulator"
	"github.com/acme-signing-helper/acme-signing-helper/trustpolicy"
)

// The emulator applies a generated role trust policy: a TOTP-shaped
// session name is admitted, another name and a revoked identity are refused
// with AccessDeniedException naming the statement and condition.
func TestTrustPolicyAuthorize(t *testing.T) {
	loadPKIs(t)
	anchor := emulator.DefaultTrustAnchorARN("us-east-1", "123456789012")
	policy := func(t *testing.T, revoke ...string) *trustpolicy.Policy {
		p, err := trustpolicy.Role(trustpolicy.RoleOptions{TrustAnchorARNs: []string{anchor}, Workloads: []string{"*.example.com"},
			TOTPDigits: 6, IssuerCNs: []string{"Test Intermediate 1"}, Revoke: revoke})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct {
		name   string
		p      func(t *testing.T) *trustpolicy.Policy
		body   string
		status int
		msg    string
	}{
		{"totp name admitted", func(t *testing.T) *trustpolicy.Policy { return policy(t) }, `{"roleSessionName":"654321"}`, 201, ""},
		{"other name refused", func(t *testing.T) *trustpolicy.Policy { return policy(t) }, `{"roleSessionName":"abc"}`, 403,
			`^Unable to assume role arn:aws:iam::123456789012:role/.*: the role's trust policy does not allow sts:AssumeRole: implicitly denied: closest is statement 2 \(Sid "RolesAnywhereAssumeRole"\): condition StringLike "sts:RoleSessionName" not met$`},
		{"default name refused", func(t *testing.T) *trustpolicy.Policy { return policy(t) }, `{}`, 403, `sts:RoleSessionName`},
		{"revoked refused", func(t *testing.T) *trustpolicy.Policy { return policy(t, "HOST.example.com") }, `{"roleSessionName":"654321"}`, 403,
			`does not allow sts:AssumeRole: explicitly denied by statement 3 \(Sid "DenyRevoked"\): StringEqualsIgnoreCase "aws:PrincipalTag/x509Subject/CN" matched`},
		{"wrong issuer refused", func(t *testing.T) *trustpolicy.Policy {
			p := policy(t)
			for i := range p.Statement[:2] {
				p.Statement[i].Condition["StringEquals"][trustpolicy.KeyIssuerCN] = trustpolicy.Strings{"YE1"}
			}
			return p
		}, `{"roleSessionName":"654321"}`, 403, `does not allow sts:AssumeRole: .*x509Issuer/CN`},
		{"tag session checked too", func(t *testing.T) *trustpolicy.Policy {
			p := policy(t)
			p.Statement = p.Statement[1:]
			return p
		}, `{"roleSessionName":"654321"}`, 403, `does not allow sts:TagSession: implicitly denied: no statement applies`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			authorize, err := emulator.TrustPolicy(tc.p(t))
			if err != nil {
				t.Fatal(err)
			}
			s, _ := newServer(t, func(c *emulator.Config) { c.Authorize = authorize }, pkis.ec)
			c := newClient(pkis.ec)
			c.body = tc.body
			res := serve(t, s, c.request(t, base))
			if res.status != tc.status {
				t.Fatalf("got %d %s, want %d", res.status, res.raw, tc.status)
			}
			if tc.status == 201 {
				return
			}
			msg, _ := res.body["message"].(string)
			if res.errorType != "AccessDeniedException" || !regexp.MustCompile(tc.msg).MatchString(msg) {
				t.Errorf("got %s %q, want AccessDeniedException matching %q", res.errorType, msg, tc.msg)
			}
		})
	}
}

func TestTrustPolicyInvalid(t *testing.T) {
	p, err := trustpolicy.Parse([]byte(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"sts:*","Condition":{"StringSortOf":{"k":"v"}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := emulator.TrustPolicy(p); err == nil || !strings.Contains(err.Error(), "StringSortOf") {
		t.Errorf("got %v, want an error naming the operator", err)
	}
	if _, err := emulator.TrustPolicy(nil); err == nil {
		t.Error("nil policy accepted")
	}
}

func TestTrustPolicyRefusesResourceAtStart(t *testing.T) {
	p, err := trustpolicy.Parse([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"rolesanywhere.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"*"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := emulator.TrustPolicy(p); !errors.Is(err, trustpolicy.ErrTrustResource) {
		t.Fatalf("got %v, want ErrTrustResource when the emulator is set up, not at the first call", err)
	}
}
