package trustpolicy

import (
	"bytes"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
)

const testAnchorARN = "arn:aws:rolesanywhere:eu-west-2:123456789012:trust-anchor/x"

// wantOptionError checks that err is an *OptionError for option with
// cause sentinel and With with ("" for a valid set: err nil).
func wantOptionError(t *testing.T, err error, option string, sentinel error, with string) {
	t.Helper()
	if option == "" {
		if err != nil {
			t.Fatalf("got %v, want no error", err)
		}
		return
	}
	var oe *OptionError
	if !errors.As(err, &oe) {
		t.Fatalf("got %v, want an *OptionError", err)
	}
	if oe.Option != option || !errors.Is(err, sentinel) || oe.With != with {
		t.Errorf("got option %q, err %v, with %q; want %q, %v, %q", oe.Option, oe.Err, oe.With, option, sentinel, with)
	}
}

func TestRoleTemplateOptionsValidate(t *testing.T) {
	ok := func() RoleTemplateOptions {
		return RoleTemplateOptions{Role: RoleOptions{TrustAnchorARNs: []string{testAnchorARN}, Workloads: []string{"*.example.com"}, Match: MatchCN, TOTPDigits: 6}, Format: FormatJSON}
	}
	tests := []struct {
		name     string
		mod      func(*RoleTemplateOptions)
		option   string // "" for valid
		sentinel error
		with     string
	}{
		{"defaults", func(*RoleTemplateOptions) {}, "", nil, ""},
		{"san", func(o *RoleTemplateOptions) { o.Role.Match = MatchSAN }, "", nil, ""},
		{"cloudformation", func(o *RoleTemplateOptions) {
			o.Format, o.Role.TrustAnchorARNs, o.AnchorFile = FormatCloudFormation, nil, "ca.pem"
		}, "", nil, ""},
		{"no anchor", func(o *RoleTemplateOptions) { o.Role.TrustAnchorARNs = nil }, "trust-anchor-arn", ErrRequired, ""},
		{"anchor cert with json", func(o *RoleTemplateOptions) { o.AnchorFile = "ca.pem" }, "anchor-cert", ErrConflict, "format"},
		{"cloudformation without cert", func(o *RoleTemplateOptions) {
			o.Format, o.Role.TrustAnchorARNs = FormatCloudFormation, nil
		}, "anchor-cert", ErrRequired, "format"},
		{"cloudformation with arn", func(o *RoleTemplateOptions) { o.Format, o.AnchorFile = FormatCloudFormation, "ca.pem" }, "trust-anchor-arn", ErrConflict, "format"},
		{"format", func(o *RoleTemplateOptions) { o.Format = "yaml" }, "format", ErrUnknownChoice, ""},
		{"match", func(o *RoleTemplateOptions) { o.Role.Match = "CN" }, "match", ErrUnknownChoice, ""},
		{"no workload", func(o *RoleTemplateOptions) { o.Role.Workloads = nil }, "workload", ErrRequired, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := ok()
			tt.mod(&o)
			wantOptionError(t, o.Validate(), tt.option, tt.sentinel, tt.with)
		})
	}
}

func TestRoleTemplate(t *testing.T) {
	ro := RoleOptions{TrustAnchorARNs: []string{testAnchorARN}, Workloads: []string{"*.example.com"}, Match: MatchCN, TOTPDigits: 6}
	t.Run("json", func(t *testing.T) {
		got, err := RoleTemplate(RoleTemplateOptions{Role: ro, Format: FormatJSON})
		if err != nil {
			t.Fatal(err)
		}
		p, err := Role(ro)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := Marshal(p)
		if !bytes.Equal(got, want) {
			t.Errorf("got %s, want Role's policy %s", got, want)
		}
	})
	h, err := testpki.New(testpki.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	root, leaf := write("root.pem", testpki.CertPEM(h.Root.Cert)), write("leaf.pem", testpki.CertPEM(h.Leaf.Cert))
	cfn := RoleTemplateOptions{Role: ro, Format: FormatCloudFormation, Name: "web"}
	cfn.Role.TrustAnchorARNs = nil
	t.Run("cloudformation", func(t *testing.T) {
		o := cfn
		o.AnchorFile = root
		got, err := RoleTemplate(o)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{`"AWS::RolesAnywhere::TrustAnchor"`, `"Name": "web"`, "BEGIN CERTIFICATE"} {
			if !strings.Contains(string(got), want) {
				t.Errorf("template lacks %s", want)
			}
		}
	})
	t.Run("anchor missing", func(t *testing.T) {
		o := cfn
		o.AnchorFile = filepath.Join(dir, "nothere.pem")
		_, err := RoleTemplate(o)
		var fe *FileError
		if !errors.As(err, &fe) || fe.What != "anchor certificate" || fe.Path != o.AnchorFile || !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("got %v, want a *FileError for the anchor certificate wrapping fs.ErrNotExist", err)
		}
	})
	t.Run("anchor not a CA", func(t *testing.T) {
		o := cfn
		o.AnchorFile = leaf
		_, err := RoleTemplate(o)
		var oe *OptionError
		if !errors.As(err, &oe) || oe.Option != "anchor-cert" || oe.Value != leaf {
			t.Errorf("got %v, want an anchor-cert *OptionError with the file as Value", err)
		}
	})
	t.Run("validates", func(t *testing.T) {
		_, err := RoleTemplate(RoleTemplateOptions{Role: ro, Format: "yaml"})
		wantOptionError(t, err, "format", ErrUnknownChoice, "")
	})
}

func TestRoute53OptionsValidate(t *testing.T) {
	_, err := Route53(Route53Options{ZoneID: "Z1", Domains: []string{"example.com"}})
	wantOptionError(t, err, "client", ErrRequired, "")
	_, err = Route53(Route53Options{Client: ClientLego, Domains: []string{"example.com"}})
	wantOptionError(t, err, "zone-id", ErrRequired, "")
	o := Route53Options{Client: ClientLego, ZoneID: "Z1"}
	wantOptionError(t, o.Validate(), "", nil, "")
}

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "p.json")
	doc := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}}`
	if err := os.WriteFile(good, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	if p, err := ReadFile(good, nil); err != nil || len(p.Statement) != 1 {
		t.Errorf("file: got %v, %v", p, err)
	}
	if p, err := ReadFile("-", strings.NewReader(doc)); err != nil || len(p.Statement) != 1 {
		t.Errorf("stdin: got %v, %v", p, err)
	}
	_, err := ReadFile(filepath.Join(dir, "nothere.json"), nil)
	var fe *FileError
	if !errors.As(err, &fe) || fe.What != "policy" || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing: got %v, want a *FileError wrapping fs.ErrNotExist", err)
	}
	// An oversized document is read one byte past the limit, so Parse
	// refuses it instead of parsing a cut one.
	big := strings.NewReader(doc + strings.Repeat(" ", MaxDocumentBytes))
	var pe *ParseError
	if _, err := ReadFile("-", big); !errors.As(err, &pe) {
		t.Errorf("oversized: got %v, want a *ParseError", err)
	}
	if _, err := ReadFile("-", strings.NewReader("{")); err == nil || errors.As(err, &fe) {
		t.Errorf("bad JSON: got %v, want Parse's error", err)
	}
}

func TestSimulateOptionsValidate(t *testing.T) {
	ok := func() SimulateOptions {
		return SimulateOptions{PolicyFile: "p.json", Tags: []string{"x509Subject/CN=a.example.com"}, RoleSessionName: "123456", TrustAnchorARN: testAnchorARN}
	}
	tests := []struct {
		name     string
		mod      func(*SimulateOptions)
		option   string
		sentinel error
		with     string
	}{
		{"tags", func(*SimulateOptions) {}, "", nil, ""},
		{"certificate", func(o *SimulateOptions) { o.Tags, o.CertificateFile = nil, "leaf.pem" }, "", nil, ""},
		{"ip", func(o *SimulateOptions) { o.SourceIP = "2001:db8::1" }, "", nil, ""},
		{"no policy", func(o *SimulateOptions) { o.PolicyFile = "" }, "policy", ErrRequired, ""},
		{"neither", func(o *SimulateOptions) { o.Tags = nil }, "certificate", ErrRequired, "tag"},
		{"both", func(o *SimulateOptions) { o.CertificateFile = "leaf.pem" }, "certificate", ErrConflict, "tag"},
		{"no session", func(o *SimulateOptions) { o.RoleSessionName = "" }, "session-name", ErrRequired, ""},
		{"no source arn", func(o *SimulateOptions) { o.TrustAnchorARN = "" }, "source-arn", ErrRequired, ""},
		{"bad ip", func(o *SimulateOptions) { o.SourceIP = "10.0.0.0/8" }, "source-ip", ErrNotIPAddress, ""},
		{"action", func(o *SimulateOptions) { o.Actions = []string{"AssumeRole"} }, "action", ErrNoServicePrefix, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := ok()
			tt.mod(&o)
			wantOptionError(t, o.Validate(), tt.option, tt.sentinel, tt.with)
		})
	}
}

func TestSimulateOptionsValidateIdentity(t *testing.T) {
	ok := func() SimulateOptions {
		return SimulateOptions{PolicyFile: "p.json", Actions: []string{"s3:GetObject"}, Resource: "*"}
	}
	tests := []struct {
		name     string
		mod      func(*SimulateOptions)
		option   string
		sentinel error
		with     string
	}{
		{"ok", func(*SimulateOptions) {}, "", nil, ""},
		{"no policy", func(o *SimulateOptions) { o.PolicyFile = "" }, "policy", ErrRequired, "resource"},
		{"no action", func(o *SimulateOptions) { o.Actions = nil }, "action", ErrRequired, "resource"},
		{"certificate", func(o *SimulateOptions) { o.CertificateFile = "leaf.pem" }, "resource", ErrConflict, "certificate"},
		{"tag", func(o *SimulateOptions) { o.Tags = []string{"a=b"} }, "resource", ErrConflict, "tag"},
		{"session name", func(o *SimulateOptions) { o.RoleSessionName = "x" }, "resource", ErrConflict, "session-name"},
		{"source arn", func(o *SimulateOptions) { o.TrustAnchorARN = testAnchorARN }, "resource", ErrConflict, "source-arn"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := ok()
			tt.mod(&o)
			wantOptionError(t, o.ValidateIdentity(), tt.option, tt.sentinel, tt.with)
		})
	}
}

func TestSimulateOptionsCreateSessionRequest(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	o := SimulateOptions{
		Tags:            []string{"aws:PrincipalTag/x509Subject/CN=a.example.com", "x509Issuer/O=Let's Encrypt", "x509Issuer/CN=YE1"},
		Context:         []string{"aws:SecureTransport=true", "k=1", "k=2"},
		RoleSessionName: "a b", TrustAnchorARN: testAnchorARN, SourceIP: "203.0.113.7",
		Principal: RolesAnywhereService, Actions: []string{ActionAssumeRole},
	}
	var logged bytes.Buffer
	req, err := o.CreateSessionRequest(nil, now, slog.New(slog.NewTextHandler(&logged, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if len(req.Tags) != 2 || req.Tags["x509Subject/CN"] != "a.example.com" || req.Tags["x509Issuer/CN"] != "YE1" {
		t.Errorf("Tags: got %v, want the prefix stripped and the bad value left out", req.Tags)
	}
	if got := req.Extra["k"]; len(got) != 2 || got[1] != "2" || req.Extra["aws:SecureTransport"][0] != "true" {
		t.Errorf("Extra: got %v", req.Extra)
	}
	if req.TrustAnchorARN != testAnchorARN || req.RoleSessionName != "a b" || req.SourceIP != "203.0.113.7" || !req.Time.Equal(now) ||
		req.Principal != RolesAnywhereService || len(req.Actions) != 1 {
		t.Errorf("request: got %+v", req)
	}
	for _, want := range []string{"fails the STS tag pattern", "CreateSession refuses this session name"} {
		if !strings.Contains(logged.String(), want) {
			t.Errorf("log lacks %q: %s", want, logged.String())
		}
	}

	h, err := testpki.New(testpki.Options{Leaf: testpki.LeafOptions{EmptySubject: true, DNSNames: []string{"a.example.com"}}})
	if err != nil {
		t.Fatal(err)
	}
	logged.Reset()
	c := SimulateOptions{CertificateFile: "leaf.pem", RoleSessionName: "123456", TrustAnchorARN: testAnchorARN}
	req, err = c.CreateSessionRequest(h.Leaf.Cert, now, slog.New(slog.NewTextHandler(&logged, nil)))
	if err != nil || req.Certificate != h.Leaf.Cert {
		t.Fatalf("certificate: got %v, %v", req.Certificate, err)
	}
	if !strings.Contains(logged.String(), "empty subject") || !strings.Contains(logged.String(), "leaf.pem") {
		t.Errorf("log lacks the empty subject warning: %s", logged.String())
	}
	if _, err := c.CreateSessionRequest(h.Leaf.Cert, now, nil); err != nil {
		t.Errorf("nil logger: %v", err)
	}

	for _, bad := range []struct{ tags, ctx []string }{{[]string{"novalue"}, nil}, {[]string{"=v"}, nil}, {[]string{"aws:PrincipalTag/=v"}, nil}} {
		b := SimulateOptions{Tags: bad.tags, Context: bad.ctx}
		_, err := b.CreateSessionRequest(nil, now, nil)
		wantOptionError(t, err, "tag", ErrNotKeyValue, "")
	}
	b := SimulateOptions{Tags: []string{"a=b"}, Context: []string{"nokey"}}
	_, err = b.CreateSessionRequest(nil, now, nil)
	wantOptionError(t, err, "context", ErrNotKeyValue, "")
}

func TestSimulateOptionsIdentityContext(t *testing.T) {
	o := SimulateOptions{Context: []string{"s3:prefix=a", "s3:prefix=b"}, SourceIP: "203.0.113.7"}
	ctx, err := o.IdentityContext()
	if err != nil {
		t.Fatal(err)
	}
	if len(ctx["s3:prefix"]) != 2 || ctx[KeySourceIP][0] != "203.0.113.7" {
		t.Errorf("got %v", ctx)
	}
	o = SimulateOptions{Context: []string{"=x"}}
	_, err = o.IdentityContext()
	wantOptionError(t, err, "context", ErrNotKeyValue, "")
}
