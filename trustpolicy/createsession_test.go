package trustpolicy

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"reflect"
	"strings"
	"testing"
	"time"
)

const testAnchor = "arn:aws:rolesanywhere:us-east-1:123456789012:trust-anchor/00000000-0000-4000-8000-00000000a1c0"

func TestCreateSessionRequestContext(t *testing.T) {
	c := selfSigned(t, &x509.Certificate{Subject: pkix.Name{CommonName: "host.example.com"}, DNSNames: []string{"host.example.com"}})
	at := time.Date(2026, 11, 21, 12, 0, 0, 0, time.FixedZone("x", 3600))
	got := CreateSessionRequest{Certificate: c, TrustAnchorARN: testAnchor, RoleSessionName: "123456", SourceIP: "192.0.2.1", Time: at}.Context()
	want := map[string][]string{
		"aws:PrincipalTag/x509Subject/CN": {"host.example.com"},
		"aws:PrincipalTag/x509Issuer/CN":  {"host.example.com"},
		"aws:PrincipalTag/x509SAN/DNS":    {"host.example.com"},
		KeySourceIdentity:                 {"CN=host.example.com"},
		KeySourceArn:                      {testAnchor},
		KeyRoleSessionName:                {"123456"},
		KeySourceIP:                       {"192.0.2.1"},
		KeyCurrentTime:                    {"2026-11-21T11:00:00Z"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v\nwant %v", got, want)
	}

	// Tags without a certificate: a value failing the STS pattern is
	// dropped; Extra adds values and may set aws:CurrentTime; the fixed
	// keys win over Extra.
	got = CreateSessionRequest{
		Tags:            map[string]string{"x509Subject/CN": "a.example.com", "x509Subject/O": "Let's Encrypt"},
		TrustAnchorARN:  testAnchor,
		RoleSessionName: "name",
		Time:            at,
		Extra:           map[string][]string{"aws:PrincipalTag/x509Subject/CN": {"b.example.com"}, KeyCurrentTime: {"2020-01-01T00:00:00Z"}, KeySourceArn: {"other"}},
	}.Context()
	want = map[string][]string{
		"aws:PrincipalTag/x509Subject/CN": {"a.example.com", "b.example.com"},
		KeySourceArn:                      {testAnchor},
		KeyRoleSessionName:                {"name"},
		KeyCurrentTime:                    {"2020-01-01T00:00:00Z"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("tags: got %v\nwant %v", got, want)
	}
}

// TestEvaluateCreateSessionCertificateContext: the decision reads the
// principal tags from the certificate itself, including those only the
// certificate can give (a directoryName SAN), so no caller can forget to
// merge them.
func TestEvaluateCreateSessionCertificateContext(t *testing.T) {
	host := selfSigned(t, &x509.Certificate{Subject: pkix.Name{CommonName: "host.example.com"}, ExtraExtensions: []pkix.Extension{sanWithDirectoryName(t)}})
	other := selfSigned(t, &x509.Certificate{Subject: pkix.Name{CommonName: "evil.example.com"}, DNSNames: []string{"evil.example.com"}})
	p, err := Role(RoleOptions{TrustAnchorARNs: []string{testAnchor}, Workloads: []string{"host.example.com"}, TOTPDigits: 6})
	if err != nil {
		t.Fatal(err)
	}
	req := func(c *x509.Certificate, name string) CreateSessionRequest {
		return CreateSessionRequest{Certificate: c, TrustAnchorARN: testAnchor, RoleSessionName: name, Time: time.Unix(1_700_000_000, 0)}
	}
	d, err := EvaluateCreateSession(p, req(host, "123456"))
	if err != nil {
		t.Fatal(err)
	}
	if !d.Allowed || len(d.Actions) != 3 {
		t.Fatalf("host: got %+v, want an allow of three actions", d)
	}
	for i, a := range d.Actions {
		if a.Action != RolesAnywhereActions[i] || !a.Allowed {
			t.Errorf("host action %d: got %s %v, want %s allowed", i, a.Action, a.Verdict(), RolesAnywhereActions[i])
		}
	}
	if got := d.Deciding(); got.Action != ActionAssumeRole || !got.Allowed {
		t.Errorf("host deciding: got %s %s, want the sts:AssumeRole allow", got.Action, got.Verdict())
	}

	d, err = EvaluateCreateSession(p, req(other, "123456"))
	if err != nil {
		t.Fatal(err)
	}
	deny := d.Deciding()
	if d.Allowed || deny.Allowed || deny.Action != ActionAssumeRole || !strings.Contains(deny.Explain(p), "x509Subject/CN") {
		t.Errorf("other CN: got %v, deciding %s %q, want a deny of sts:AssumeRole on x509Subject/CN", d.Allowed, deny.Action, deny.Explain(p))
	}

	// A condition on the directoryName SAN's CN holds only with the tags
	// derived from the certificate.
	dn, err := Parse([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"rolesanywhere.amazonaws.com"},"Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"],"Condition":{"StringEquals":{"aws:PrincipalTag/x509SAN/Name/CN":"dir-name"}}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if d, err := EvaluateCreateSession(dn, req(host, "123456")); err != nil || !d.Allowed {
		t.Errorf("directoryName SAN: got %+v, %v, want allowed", d, err)
	}
	if d, err := EvaluateCreateSession(dn, req(nil, "123456")); err != nil || d.Allowed {
		t.Errorf("no certificate: got %+v, %v, want denied", d, err)
	}

	// One action only, for another principal.
	d, err = EvaluateCreateSession(p, CreateSessionRequest{Certificate: host, TrustAnchorARN: testAnchor, RoleSessionName: "123456", Principal: "ec2.amazonaws.com", Actions: []string{ActionTagSession}})
	if err != nil {
		t.Fatal(err)
	}
	if d.Allowed || len(d.Actions) != 1 || d.Actions[0].Action != ActionTagSession || d.Actions[0].Statement != -1 {
		t.Errorf("other principal: got %+v, want one implicit deny by no statement", d)
	}
}

func TestEvaluateCreateSessionError(t *testing.T) {
	p, err := Parse([]byte(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"sts:*","Condition":{"StringSortOf":{"k":"v"}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := EvaluateCreateSession(p, CreateSessionRequest{}); err == nil || !strings.Contains(err.Error(), "StringSortOf") {
		t.Errorf("got %v, want an error naming the operator", err)
	}
}

// TestSourceIdentityLength: a CN of up to 61 characters is the source
// identity, a longer one or none gives the serial (moved here from the
// emulator, which now uses SourceIdentity).
func TestSourceIdentityLength(t *testing.T) {
	for _, tc := range []struct {
		cn   string
		want string
	}{{"host.example.com", "CN=host.example.com"}, {strings.Repeat("a", 61), "CN=" + strings.Repeat("a", 61)}, {strings.Repeat("a", 62), "ID="}, {"", "ID="}} {
		c := selfSigned(t, &x509.Certificate{SerialNumber: big.NewInt(0x0a0b0c), Subject: pkix.Name{CommonName: tc.cn}, DNSNames: []string{"x.example.com"}})
		want := tc.want
		if want == "ID=" {
			want += hex.EncodeToString(c.SerialNumber.Bytes())
		}
		if got := SourceIdentity(c); got != want {
			t.Errorf("CN %q: got %q, want %q", tc.cn, got, want)
		}
	}
}

func TestValidRoleSessionName(t *testing.T) {
	for name, want := range map[string]bool{"123456": true, "a": false, "a b": false, strings.Repeat("x", 64): true, strings.Repeat("x", 65): false} {
		if got := ValidRoleSessionName(name); got != want {
			t.Errorf("%q: got %v, want %v", name, got, want)
		}
	}
}

func TestCreateSessionDecisionJSON(t *testing.T) {
	p, err := Role(RoleOptions{TrustAnchorARNs: []string{testAnchor}, Workloads: []string{"host.example.com"}, TOTPDigits: 6, Revoke: []string{"host.example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	d, err := EvaluateCreateSession(p, CreateSessionRequest{Tags: map[string]string{"x509Subject/CN": "host.example.com"}, TrustAnchorARN: testAnchor, RoleSessionName: "123456", Actions: []string{ActionAssumeRole, "sts:Other"}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"decision":"DENY","results":[` +
		`{"action":"sts:AssumeRole","decision":"DENY","explicitDeny":true,"statement":3,"sid":"DenyRevoked","conditions":[{"Operator":"StringEqualsIgnoreCase","Key":"aws:PrincipalTag/x509Subject/CN","Want":["host.example.com"],"Got":["host.example.com"]}]},` +
		`{"action":"sts:Other","decision":"DENY"}]}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
	if got, want := d.Actions[0].Detail(p, RolesAnywhereService, ActionAssumeRole), `(explicit) by statement 3 (Sid "DenyRevoked"): StringEqualsIgnoreCase "aws:PrincipalTag/x509Subject/CN" matched "host.example.com"`; got != want {
		t.Errorf("explicit detail: got %q, want %q", got, want)
	}
	if got, want := d.Actions[1].Detail(p, RolesAnywhereService, "sts:Other"), "(implicit): no statement allows sts:Other for rolesanywhere.amazonaws.com"; got != want {
		t.Errorf("no statement detail: got %q, want %q", got, want)
	}
}

func TestEmptySubject(t *testing.T) {
	if EmptySubject(selfSigned(t, &x509.Certificate{Subject: pkix.Name{CommonName: "x"}})) {
		t.Error("a subject with a CN is empty")
	}
	if !EmptySubject(selfSigned(t, &x509.Certificate{DNSNames: []string{"x.example.com"}})) {
		t.Error("an empty subject is not empty")
	}
}
