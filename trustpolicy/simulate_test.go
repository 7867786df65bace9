package trustpolicy

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestEvaluateIdentityActions(t *testing.T) {
	p := mustParse(t, []byte(`{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"arn:aws:s3:::b/*"},
		{"Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::b/secret/*"}]}`))
	ds, err := EvaluateIdentityActions(p, []string{"s3:GetObject"}, "arn:aws:s3:::b/k", nil)
	if err != nil || !ds.Allowed || len(ds.Actions) != 1 {
		t.Fatalf("allow: got %+v, %v", ds, err)
	}
	if got, want := ds.Text(p), "ALLOW\ns3:GetObject on arn:aws:s3:::b/k: ALLOW by statement 1\n"; got != want {
		t.Errorf("Text: got %q, want %q", got, want)
	}
	ds, err = EvaluateIdentityActions(p, []string{"s3:GetObject", "s3:PutObject"}, "arn:aws:s3:::b/secret/k", nil)
	if err != nil || ds.Allowed || len(ds.Actions) != 2 || ds.Verdict() != "DENY" {
		t.Fatalf("deny: got %+v, %v", ds, err)
	}
	if !strings.HasPrefix(ds.Text(p), "DENY\ns3:GetObject on arn:aws:s3:::b/secret/k: DENY (explicit) by statement 2\n") {
		t.Errorf("Text: %q", ds.Text(p))
	}
	b, err := json.Marshal(ds)
	if err != nil || !strings.HasPrefix(string(b), `{"actions":[`) || !strings.HasSuffix(string(b), `"allowed":false}`) {
		t.Errorf("JSON: %s, %v", b, err)
	}
	var ae *ActionError
	if _, err := EvaluateIdentityActions(p, []string{"s3:GetObject", "s3:NoSuchCall"}, "*", nil); !errors.As(err, &ae) || !errors.Is(err, ErrUnknownAction) {
		t.Errorf("unknown action: got %v, want an *ActionError with ErrUnknownAction", err)
	}
}

func TestCreateSessionDecisionText(t *testing.T) {
	host := selfSigned(t, &x509.Certificate{Subject: pkix.Name{CommonName: "host.example.com"}})
	p, err := Role(RoleOptions{TrustAnchorARNs: []string{testAnchor}, Workloads: []string{"host.example.com"}, TOTPDigits: 6})
	if err != nil {
		t.Fatal(err)
	}
	d, err := EvaluateCreateSession(p, CreateSessionRequest{Certificate: host, TrustAnchorARN: testAnchor, RoleSessionName: "123456", Time: time.Unix(1_700_000_000, 0)})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(d.Text(p, RolesAnywhereService), "\n"), "\n")
	if len(lines) != 4 || lines[0] != "ALLOW" {
		t.Fatalf("Text: %q, want ALLOW and three action lines", lines)
	}
	for i, a := range RolesAnywhereActions {
		if !strings.HasPrefix(lines[i+1], a+": ALLOW ") {
			t.Errorf("line %d: %q, want %s: ALLOW ...", i+1, lines[i+1], a)
		}
	}
}

func TestMarshalFindings(t *testing.T) {
	b, err := MarshalFindings(nil)
	if err != nil || string(b) != "[]\n" {
		t.Errorf("no findings: %q, %v; want \"[]\\n\"", b, err)
	}
	p := mustParse(t, []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}]}`))
	fs := Lint(p)
	b, err = MarshalFindings(fs)
	var back []Finding
	if err != nil || json.Unmarshal(b, &back) != nil || len(back) != len(fs) || len(fs) == 0 || !strings.HasSuffix(string(b), "]\n") {
		t.Errorf("findings: %s, %v (%d findings)", b, err, len(fs))
	}
}
