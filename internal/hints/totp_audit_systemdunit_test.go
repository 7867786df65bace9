package hints

import (
	"compress/gzip"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/acme-signing-helper/acme-signing-helper/audit"
	"github.com/acme-signing-helper/acme-signing-helper/internal/systemdunit"
	"github.com/acme-signing-helper/acme-signing-helper/totp"
)

// exportedErrors lists the exported error sentinels (var ErrX) and error
// types (type XError) declared in the non-test files of a package.
func exportedErrors(t *testing.T, dir, pkg string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range af.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok {
				continue
			}
			for _, s := range g.Specs {
				switch s := s.(type) {
				case *ast.ValueSpec:
					for _, n := range s.Names {
						if n.IsExported() && strings.HasPrefix(n.Name, "Err") {
							names = append(names, pkg+"."+n.Name)
						}
					}
				case *ast.TypeSpec:
					if s.Name.IsExported() && strings.HasSuffix(s.Name.Name, "Error") {
						names = append(names, pkg+"."+s.Name.Name)
					}
				}
			}
		}
	}
	sort.Strings(names)
	return names
}

// TestTOTPAuditSystemdunitErrorsHaveHints: every error of totp, audit and
// systemdunit, as the package returns it, gets a hint from hintOf. A new
// sentinel or error type in one of them fails here until it has an entry
// (and a hint).
func TestTOTPAuditSystemdunitErrorsHaveHints(t *testing.T) {
	wrap := func(err error) error { return fmt.Errorf("context: %w", err) }
	notExist := &fs.PathError{Op: "open", Path: "/x", Err: fs.ErrNotExist}
	denied := &fs.PathError{Op: "open", Path: "/x", Err: fs.ErrPermission}
	// Each name maps to the errors the package returns for it (a sentinel
	// that only comes inside a type is listed with that type).
	cases := map[string][]error{
		"totp.ErrInvalidSpec":      {&totp.SpecError{Spec: "x", Reason: "unknown source kind"}},
		"totp.SpecError":           {&totp.SpecError{Spec: "x", Reason: "empty"}, &totp.SpecError{Spec: "hostname", Reason: totp.ReasonDuplicate}},
		"totp.ErrEmptySource":      {&totp.SourceError{Spec: totp.Spec{Kind: totp.KindHostname}, Err: totp.ErrEmptySource}},
		"totp.SourceError":         {&totp.SourceError{Err: notExist}, &totp.SourceError{Err: denied}, &totp.SourceError{Err: errors.New("other")}},
		"totp.ErrLoosePermissions": {wrap(&totp.PermissionError{Path: "/etc/seed", Mode: 0o666})},
		"totp.PermissionError":     {&totp.PermissionError{Path: "it's", Mode: 0o620}},
		"totp.ErrSeedChanged":      {wrap(&totp.SeedChangedError{Identity: "CN=a"})},
		"totp.SeedChangedError":    {&totp.SeedChangedError{Identity: "CN=a"}},
		"totp.ErrInvalidTime":      {wrap(totp.ErrInvalidTime)},
		"totp.ErrBeforeEpoch":      {totp.ErrBeforeEpoch},
		"totp.ErrInvalidAlgorithm": {wrap(totp.ErrInvalidAlgorithm)},
		"totp.ErrInvalidCode":      {totp.ErrInvalidCode},
		"totp.ErrInvalidKey":       {wrap(totp.ErrInvalidKey)},
		"totp.ErrInvalidDigits":    {totp.ErrInvalidDigits},
		"totp.ErrInvalidWindow":    {totp.ErrInvalidWindow},
		"totp.ErrNoIdentity":       {wrap(totp.ErrNoIdentity)},
		"totp.EnrollError":         {&totp.EnrollError{Op: "write", Path: "db.json", Err: errors.New("x")}, &totp.EnrollError{Op: "merge", Err: &totp.SeedChangedError{Identity: "CN=a"}}, &totp.EnrollError{Op: "load", Err: &totp.PermissionError{Path: "db.json"}}},
		"totp.ErrAmbiguousSeed":    {wrap(totp.ErrAmbiguousSeed)},
		"totp.NoMatchError":        {&totp.NoMatchError{Window: 1}},
		"totp.ErrCodeLength":       {&totp.CodeLengthError{Got: 6, Want: 8}},
		"totp.CodeLengthError":     {&totp.CodeLengthError{Got: 8, Want: 6}},
		"audit.ErrDBWritable":      {&audit.DBError{Path: "db.json", Op: "check", Err: audit.ErrDBWritable}},
		"audit.ErrDBFormat":        {&audit.DBError{Path: "db.json", Op: "parse", Err: wrap(audit.ErrDBFormat)}},
		"audit.DBError":            {&audit.DBError{Path: "db.json", Op: "open", Err: notExist}},
		"audit.ErrNotJSON":         {&audit.FileError{Path: "a.json", Err: wrap(audit.ErrNotJSON)}},
		"audit.ErrTruncated":       {&audit.FileError{Path: "a.json", Err: wrap(audit.ErrTruncated)}},
		"audit.FileError":          {&audit.FileError{Path: "a.json.gz", Err: gzip.ErrChecksum}, &audit.FileError{Path: "a.json.gz", Err: gzip.ErrHeader}, &audit.FileError{Path: "a.json", Err: notExist}},
	}
	for _, o := range []string{"jobs", "max-record-bytes", "identity-field", "session-name-field", "time-field", "window", "digits", "skew", "replay-horizon", "replay-index-size"} {
		cases["audit.OptionError"] = append(cases["audit.OptionError"], &audit.OptionError{Option: o, Value: 1, Err: audit.ErrOutOfRange})
	}
	for name, rule := range map[string]error{"ErrNegative": audit.ErrNegative, "ErrTooSmall": audit.ErrTooSmall, "ErrOutOfRange": audit.ErrOutOfRange, "ErrDigits": audit.ErrDigits} {
		cases["audit."+name] = []error{wrap(&audit.OptionError{Option: "jobs", Value: -1, Err: rule})}
	}
	// The errors Check makes reach their hints.
	for _, err := range []error{audit.Options{Jobs: -1}.Check(), audit.Options{MaxRecordBytes: 10}.Check(), audit.StreamOptions{}.Check(),
		audit.Options{MaxRecordBytes: 1 << 20, TimeFields: []string{"a..b"}}.Check(), audit.CheckPolicy(totp.Policy{Window: -1}), audit.CheckPolicy(totp.Policy{Digits: 9})} {
		if err == nil || For(err) == "" {
			t.Errorf("audit check %v: no hint", err)
		}
	}
	opt := func(rule error) []error { return []error{&systemdunit.OptionError{Option: "x", Value: "y", Err: rule}} }
	for name, rule := range map[string]error{
		"ErrUnknownMode": systemdunit.ErrUnknownMode, "ErrNotDNSName": systemdunit.ErrNotDNSName,
		"ErrNotEmail": systemdunit.ErrNotEmail, "ErrNotUserName": systemdunit.ErrNotUserName,
		"ErrNotProvider": systemdunit.ErrNotProvider, "ErrNotAbsolutePath": systemdunit.ErrNotAbsolutePath,
		"ErrNotCalendar": systemdunit.ErrNotCalendar, "ErrOutOfRange": systemdunit.ErrOutOfRange,
		"ErrNotProfile": systemdunit.ErrNotProfile, "ErrSpecialCharacters": systemdunit.ErrSpecialCharacters,
		"ErrNotTPMKey": systemdunit.ErrNotTPMKey, "ErrNotTPMDevice": systemdunit.ErrNotTPMDevice,
	} {
		cases["systemdunit."+name] = opt(rule)
	}
	cases["systemdunit.OptionError"] = opt(systemdunit.ErrNotDNSName)
	cases["systemdunit.WriteError"] = []error{&systemdunit.WriteError{Path: "/u/x.service", Err: errors.New("denied")}}
	maps.Copy(cases, settingErrors()) // detect_cli_test.go
	names := append(exportedErrors(t, filepath.Join("..", "..", "totp"), "totp"), exportedErrors(t, filepath.Join("..", "..", "audit"), "audit")...)
	names = append(names, exportedErrors(t, filepath.Join("..", "..", "internal", "systemdunit"), "systemdunit")...)
	if len(names) < 10 {
		t.Fatalf("found only %v: is the package source where the test looks?", names)
	}
	for _, n := range names {
		errs, ok := cases[n]
		if !ok {
			t.Errorf("%s has no entry here: give it a hint in totpHint or auditHint (hints.go) and add it", n)
			continue
		}
		for _, err := range errs {
			if h := For(err); h == "" {
				t.Errorf("%s: %v has no hint", n, err)
			}
		}
	}
}

// TestTOTPAuditHintTexts pins the hints whose words depend on the error's
// facts.
func TestTOTPAuditHintTexts(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want string
	}{
		{&totp.SpecError{Spec: "hostname", Reason: totp.ReasonDuplicate}, "give each --fingerprint source once"},
		{&totp.SpecError{Spec: "x", Reason: "empty"}, "a fingerprint source is one of file:PATH"},
		{&totp.SourceError{Err: &fs.PathError{Op: "open", Path: "/x", Err: fs.ErrPermission}}, "run as a user that can read the source"},
		{&totp.SourceError{Err: totp.ErrEmptySource}, "an empty source would make every machine alike"},
		{&totp.PermissionError{Path: "it's"}, `seeds are secrets: chmod 600 'it'\''s'`},
		{&totp.PermissionError{Path: "/etc/seed"}, "seeds are secrets: chmod 600 /etc/seed"},
		{&audit.DBError{Path: "db.json", Op: "check", Err: audit.ErrDBWritable}, `chmod go-w "db.json"`},
		{&audit.DBError{Path: "db.json", Op: "open", Err: fs.ErrNotExist}, "give the seed database with --db FILE"},
		{&audit.DBError{Path: "db.json", Op: "read", Err: errors.New("i/o error")}, ""},
		{&audit.FileError{Path: "a", Err: gzip.ErrHeader}, "the file is truncated or corrupt"},
		{&audit.FileError{Path: "a", Err: errors.New("other")}, ""},
	} {
		got := For(tt.err)
		if tt.want == "" && got != "" || !strings.Contains(got, tt.want) {
			t.Errorf("For(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}
