package permissions

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/acme-signing-helper/acme-signing-helper/audit"
	"github.com/acme-signing-helper/acme-signing-helper/internal/cloudtrailgen"
)

// checkErr fails unless err is nil (want nil) or matches want: with
// errors.Is, or by type for the pointer types of this package.
func checkErr(t *testing.T, err, want error) {
	t.Helper()
	var ok bool
	switch want.(type) {
	case nil:
		ok = err == nil
	case *FormatError:
		var fe *FormatError
		ok = errors.As(err, &fe)
	case *RoleARNError:
		var re *RoleARNError
		ok = errors.As(err, &re)
	case *WindowError:
		var we *WindowError
		ok = errors.As(err, &we)
	case *audit.OptionError:
		var oe *audit.OptionError
		ok = errors.As(err, &oe)
	default:
		ok = errors.Is(err, want)
	}
	if !ok {
		t.Errorf("got %v (%T), want %T %v", err, err, want, want)
	}
}

func TestGenerateOptionsCheck(t *testing.T) {
	const role = "arn:aws:iam::123456789012:role/web"
	ok := func() GenerateOptions {
		return GenerateOptions{Output: Output{Format: "policy", RoleARN: role}, Read: audit.Options{MaxRecordBytes: audit.DefaultMaxRecordBytes}, Paths: []string{"x"}}
	}
	for _, tt := range []struct {
		name   string
		mutate func(*GenerateOptions)
		want   error
	}{
		{"ok", func(*GenerateOptions) {}, nil},
		{"window", func(o *GenerateOptions) { o.Since, o.Until = "2026-11-01T00:00:00Z", "@1795290570" }, nil},
		{"no role first", func(o *GenerateOptions) { o.RoleARN, o.Paths = "", nil }, ErrNoRole},
		{"no paths", func(o *GenerateOptions) { o.Paths, o.Format = nil, "yaml" }, audit.ErrNoPaths},
		{"read options", func(o *GenerateOptions) { o.Read.Jobs, o.Format = -1, "yaml" }, &audit.OptionError{}},
		{"format", func(o *GenerateOptions) { o.Format, o.RoleARN = "yaml", "arn:aws:iam::1:user/x" }, &FormatError{}},
		{"role not a role", func(o *GenerateOptions) { o.RoleARN, o.Since = "arn:aws:iam::1:user/x", "yesterday" }, &RoleARNError{}},
		{"since", func(o *GenerateOptions) { o.Since = "yesterday" }, &WindowError{}},
		{"until", func(o *GenerateOptions) { o.Until = "2026-13-01" }, &WindowError{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := ok()
			tt.mutate(&o)
			checkErr(t, o.Check(), tt.want)
			if o.Filter.Since != (GenerateOptions{}).Filter.Since {
				t.Error("Check changed the filter")
			}
		})
	}
}

// TestGenerateOptionsGenerate: Generate with the settings is Generate
// with the parsed role and window.
func TestGenerateOptionsGenerate(t *testing.T) {
	c, err := cloudtrailgen.GenerateActivity(t.TempDir(), cloudtrailgen.Config{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	roleARN := "arn:aws:iam::" + c.Account + ":role/" + cloudtrailgen.ActivityWebRole
	ro := audit.Options{MaxRecordBytes: audit.DefaultMaxRecordBytes}
	o := GenerateOptions{Output: Output{Format: "policy", RoleARN: roleARN}, Filter: Filter{Identity: c.Workloads[0].Identity}, Read: ro, Paths: []string{c.Dir}}
	if err := o.Check(); err != nil {
		t.Fatal(err)
	}
	got, _, err := o.Generate(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	role, _ := ParseRoleARN(roleARN)
	want, _, err := Generate(context.Background(), []string{c.Dir}, ro, role, Filter{Identity: c.Workloads[0].Identity})
	if err != nil {
		t.Fatal(err)
	}
	if g, w := grants(got.Policy), grants(want.Policy); !slices.Equal(g, w) || len(g) == 0 {
		t.Errorf("got %v, want %v", g, w)
	}
	o.Until = "2000-01-01T00:00:00Z" // before every call
	if r, _, err := o.Generate(context.Background()); err != nil || len(r.Policy.Statement) != 0 {
		t.Errorf("window before the calls: %v, %d statements", err, len(r.Policy.Statement))
	}
	o.RoleARN = "arn:aws:iam::1:user/x"
	if _, _, err := o.Generate(context.Background()); !errors.Is(err, ErrBadRoleARN) {
		t.Errorf("unchecked bad role: got %v, want ErrBadRoleARN", err)
	}
}

func TestOutput(t *testing.T) {
	for _, tt := range []struct {
		o          Output
		format, cf error
		roleName   string
	}{
		{Output{Format: "policy"}, nil, nil, ""},
		{Output{Format: "json", RoleARN: "arn:aws:iam::123456789012:role/path/app"}, nil, nil, "app"},
		{Output{Format: "cloudformation", RoleARN: "arn:aws:iam::123456789012:role/app"}, nil, nil, "app"},
		{Output{Format: "cloudformation"}, nil, ErrNeedsRole, ""},
		{Output{Format: "cloudformation", RoleARN: "arn:aws:iam::1:user/x"}, nil, nil, ""},
		{Output{Format: "yaml"}, &FormatError{}, nil, ""},
	} {
		checkErr(t, tt.o.CheckFormat(), tt.format)
		checkErr(t, tt.o.CheckRole(), tt.cf)
		if got := tt.o.RoleName(); got != tt.roleName {
			t.Errorf("%+v: RoleName() = %q, want %q", tt.o, got, tt.roleName)
		}
	}
	if got, want := (&FormatError{Format: "yaml"}).Error(), `unknown format "yaml"`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	// Write and WriteFile render as Result's, for the role of RoleARN.
	b := NewBuilder()
	b.Add(Observation{Service: "sts.amazonaws.com", Operation: "GetCallerIdentity"})
	r := b.Result()
	o := Output{Format: "cloudformation", RoleARN: "arn:aws:iam::123456789012:role/app"}
	var out, report bytes.Buffer
	if err := o.Write(r, &out, &report); err != nil {
		t.Fatal(err)
	}
	want, _ := r.Render("cloudformation", "app")
	if !bytes.Equal(out.Bytes(), want) || report.Len() == 0 {
		t.Errorf("Write: %s\nreport %q, want %s", out.Bytes(), report.String(), want)
	}
	path := filepath.Join(t.TempDir(), "p.yaml")
	if err := o.WriteFile(r, path); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, want) {
		t.Errorf("WriteFile: %s, want %s", got, want)
	}
}

func TestListenSettingsCheck(t *testing.T) {
	ok := func() ListenSettings {
		return ListenSettings{Output: Output{Format: "policy"}, Host: "127.0.0.1", Port: 0, Options: ListenOptions{Rate: 1}}
	}
	for _, tt := range []struct {
		name   string
		mutate func(*ListenSettings)
		want   error
		text   string
	}{
		{"ok", func(*ListenSettings) {}, nil, ""},
		{"ipv6 loopback", func(s *ListenSettings) { s.Host, s.Port = "::1", 65535 }, nil, ""},
		{"port", func(s *ListenSettings) { s.Port, s.Options.Rate = 65536, 0 }, ErrPortRange, "port 65536 is out of range"},
		{"negative port", func(s *ListenSettings) { s.Port = -1 }, ErrPortRange, "port -1 is out of range"},
		{"rate", func(s *ListenSettings) { s.Options.Rate, s.Format = 0, "cloudformation" }, ErrRateTooLow, "rate 0 is below 1 a second"},
		{"cloudformation without role", func(s *ListenSettings) { s.Format, s.Host = "cloudformation", "192.0.2.1" }, ErrNeedsRole, ""},
		{"format", func(s *ListenSettings) { s.Format, s.RoleARN = "yaml", "x" }, &FormatError{}, ""},
		{"role", func(s *ListenSettings) { s.RoleARN, s.Host = "arn:aws:iam::1:user/x", "192.0.2.1" }, &RoleARNError{}, ""},
		{"host", func(s *ListenSettings) { s.Host = "192.0.2.1" }, ErrNotLoopback, `host 192.0.2.1 not a loopback address`},
		{"host name", func(s *ListenSettings) { s.Host = "localhost" }, ErrNotLoopback, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := ok()
			tt.mutate(&s)
			err := s.Check()
			checkErr(t, err, tt.want)
			var le *ListenError
			if tt.text != "" && (!errors.As(err, &le) || err.Error() != tt.text) {
				t.Errorf("got %q, want a *ListenError %q", err, tt.text)
			}
		})
	}
	// Listen listens where the settings say.
	l, err := ok().Listen()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if a := l.Addr(); !a.Addr().IsLoopback() || a.Port() == 0 {
		t.Errorf("listening on %v", a)
	}
}

func TestSplitCommand(t *testing.T) {
	for _, tt := range []struct {
		args           string
		flags, command string
		err            error
	}{
		{"-- aws s3 ls", "", "aws s3 ls", nil},
		{"--format json -- aws -- x", "--format json", "aws -- x", nil},
		{"--help", "--help", "", nil},
		{"-h --", "-h --", "", nil},
		{"-h -- true", "-h", "true", nil},
		{"", "", "", ErrNoCommand},
		{"aws s3 ls", "", "", ErrNoCommand},
		{"--format json --", "", "", ErrNoCommand},
	} {
		flags, command, err := SplitCommand(strings.Fields(tt.args))
		if strings.Join(flags, " ") != tt.flags || strings.Join(command, " ") != tt.command || err != tt.err {
			t.Errorf("SplitCommand(%q) = %q, %q, %v; want %q, %q, %v", tt.args, flags, command, err, tt.flags, tt.command, tt.err)
		}
	}
}
