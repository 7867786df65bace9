package hints

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/audit"
	"github.com/acme-signing-helper/acme-signing-helper/lambdadetect"
	"github.com/acme-signing-helper/acme-signing-helper/permissions"
	"github.com/acme-signing-helper/acme-signing-helper/totp"
)

// settingErrors are the settings errors of audit, permissions and
// lambdadetect that Setting words, by exported name, as their checks
// return them (the exported-error tests of each package add them).
func settingErrors() map[string][]error {
	return map[string][]error{
		"audit.FormatError":                       {&audit.FormatError{Format: "xml"}},
		"audit.ErrNoPaths":                        {audit.ErrNoPaths},
		"audit.ErrNoDB":                           {audit.ErrNoDB},
		"audit.ConflictError":                     {&audit.ConflictError{Option: "stream", With: []string{"compat"}}, &audit.ConflictError{Option: "compat", With: []string{"summary", "format json"}}, &audit.ConflictError{Option: "activity", With: []string{"stream", "compat"}}},
		"audit.StdinError":                        {&audit.StdinError{Count: 2}},
		"audit.ErrRereadStdin":                    {audit.ErrRereadStdin},
		"permissions.ErrNoRole":                   {permissions.ErrNoRole},
		"permissions.ErrNeedsRole":                {permissions.ErrNeedsRole},
		"permissions.ErrNoCommand":                {permissions.ErrNoCommand},
		"permissions.FormatError":                 {&permissions.FormatError{Format: "yaml"}},
		"permissions.ErrPortRange":                {permissions.ErrPortRange, &permissions.ListenError{Option: "port", Value: 70000, Err: permissions.ErrPortRange}},
		"permissions.ErrRateTooLow":               {permissions.ErrRateTooLow, &permissions.ListenError{Option: "rate", Value: 0, Err: permissions.ErrRateTooLow}},
		"permissions.ListenError":                 {&permissions.ListenError{Option: "host", Value: "192.0.2.1", Err: permissions.ErrNotLoopback}},
		"lambdadetect.ErrNothingToDeploy":         {lambdadetect.ErrNothingToDeploy},
		"lambdadetect.ErrTemplateAndPackage":      {lambdadetect.ErrTemplateAndPackage},
		"lambdadetect.ErrBootstrapWithoutPackage": {lambdadetect.ErrBootstrapWithoutPackage},
		"lambdadetect.TemplateFormatError":        {&lambdadetect.TemplateFormatError{Format: "terraform"}},
	}
}

// TestSettingErrorsHaveHints: each settings error gets a fix from For,
// bare and wrapped, and Setting words it with a message and a fix.
func TestSettingErrorsHaveHints(t *testing.T) {
	for name, errs := range settingErrors() {
		for _, err := range errs {
			if For(err) == "" || For(errors.Join(errors.New("x"), err)) == "" {
				t.Errorf("%s: %v has no hint", name, err)
			}
			if s := Setting("cmd", err); !strings.HasPrefix(s.Error(), "cmd: ") || s.Hint() == "" || !errors.Is(s, err) {
				t.Errorf("%s: Setting = %q (hint %q), want cmd's message, a hint and the error wrapped", name, s, s.Hint())
			}
		}
	}
}

// TestSettingWords: the messages and fixes the commands print, word for
// word (the testscripts and users know them).
func TestSettingWords(t *testing.T) {
	for _, tt := range []struct {
		cmd      string
		err      error
		msg, fix string
	}{
		{"detect", &audit.FormatError{Format: "xml"}, `detect: --format "xml" is not text or json`, "use --format text or --format json"},
		{"detect", audit.ErrNoPaths, "detect: no input paths", "give CloudTrail files or directories, or - for standard input: detect --db env-sha1sum-db.json AWSLogs/"},
		{"permissions generate", audit.ErrNoPaths, "permissions generate: no input paths", "give CloudTrail files or directories, or - for standard input: permissions generate --role-arn ARN AWSLogs/"},
		{"detect", audit.ErrNoDB, "detect: --db is empty", "give the seed database with --db FILE (the seed script's env-sha1sum-db.json)"},
		{"detect", &audit.OptionError{Option: "digits", Value: 9, Err: audit.ErrDigits}, "detect: --digits 9 is not 6, 7 or 8", "--digits is the length of the workloads' codes (credential-process --totp-digits): 6, 7 or 8"},
		{"detect", &audit.ConflictError{Option: "stream", With: []string{"compat"}}, "detect: --stream cannot be combined with --compat", "--compat is for single seed-style event files; drop --stream"},
		{"detect", &audit.ConflictError{Option: "compat", With: []string{"summary", "format json"}}, "detect: --compat cannot be combined with --summary or --format json", "--compat prints only legit or oh no, like the seed script: drop --summary and --format"},
		{"detect", &audit.ConflictError{Option: "activity", With: []string{"stream", "compat"}}, "detect: --activity cannot be combined with --stream or --compat", "--activity reads the logs again after the verdicts: drop --stream and --compat"},
		{"detect", &audit.StdinError{Count: 3}, "detect: standard input (-) given 3 times", "give - once"},
		{"detect", audit.ErrRereadStdin, "detect: --activity cannot read standard input", "--activity reads the logs twice: give files or directories, not -"},
		{"permissions generate", permissions.ErrNoRole, "permissions generate: --role-arn is required", "give the role the workload assumes, e.g. --role-arn arn:aws:iam::123456789012:role/my_role"},
		{"permissions generate", &permissions.FormatError{Format: "yaml"}, `permissions generate: unknown --format "yaml"`, "use --format policy, --format cloudformation or --format json"},
		{"permissions generate", &permissions.RoleARNError{ARN: "arn:aws:iam::1:user/x", Err: permissions.ErrBadRoleARN}, `permissions generate: --role-arn: role ARN "arn:aws:iam::1:user/x": not an IAM role ARN (arn:PARTITION:iam::ACCOUNT:role/NAME)`, "give the role's ARN as IAM shows it, e.g. arn:aws:iam::123456789012:role/my_role"},
		{"permissions record", permissions.ErrNeedsRole, "permissions record: --format cloudformation needs --role-arn", "give --role-arn (the role the policy is attached to), or use --format policy"},
		{"permissions record", permissions.ErrNoCommand, "permissions record: no command to run", "put the command after --: permissions record -- aws s3 ls"},
		{"permissions listen", &permissions.ListenError{Option: "port", Value: 70000, Err: permissions.ErrPortRange}, "permissions listen: --port 70000 is out of range", "give a UDP port, e.g. --port 31000 (the SDKs' default)"},
		{"permissions listen", &permissions.ListenError{Option: "rate", Value: 0, Err: permissions.ErrRateTooLow}, "permissions listen: --rate 0", "--rate is datagrams per second, at least 1"},
		{"permissions listen", &permissions.ListenError{Option: "host", Value: "192.0.2.1", Err: permissions.ErrNotLoopback}, `permissions listen: --host "192.0.2.1" is not a loopback address`, "listen on loopback only (--host 127.0.0.1 or ::1): CSM datagrams are unauthenticated"},
		{"detect deploy", lambdadetect.ErrNothingToDeploy, "detect deploy: nothing to do", "give --format cloudformation (the stack) or --zip FILE (the deployment package)"},
		{"detect deploy", lambdadetect.ErrTemplateAndPackage, "detect deploy: --format and --zip cannot be combined", "print the stack and write the package in two runs"},
		{"detect deploy", &lambdadetect.TemplateFormatError{Format: "terraform"}, `detect deploy: --format "terraform" is not cloudformation`, "use --format cloudformation"},
		{"detect deploy", lambdadetect.ErrBootstrapWithoutPackage, "detect deploy: --bootstrap without --zip", "--bootstrap goes with --zip FILE"},
	} {
		s := Setting(tt.cmd, tt.err)
		if s.Error() != tt.msg || s.Hint() != tt.fix {
			t.Errorf("Setting(%q, %v) = %q, hint %q; want %q, hint %q", tt.cmd, tt.err, s, s.Hint(), tt.msg, tt.fix)
		}
	}
}

// TestDetectSettings: the settings detect refuses, as audit's
// RunOptions.Check finds them and Setting words them (the table of the
// former detect options test of package main).
func TestDetectSettings(t *testing.T) {
	ok := func() audit.RunOptions {
		return audit.RunOptions{DB: "db.json", Format: "text", Policy: totp.Policy{Window: 1, Lag: 30 * time.Second},
			Options: audit.Options{MaxRecordBytes: audit.DefaultMaxRecordBytes}, Paths: []string{"x"}}
	}
	tests := []struct {
		name   string
		mutate func(*audit.RunOptions)
		hint   string // "" means valid
	}{
		{"defaults", func(o *audit.RunOptions) {}, ""},
		{"json", func(o *audit.RunOptions) { o.Format = "json" }, ""},
		{"bad format", func(o *audit.RunOptions) { o.Format = "yaml" }, "--format text or --format json"},
		{"no paths", func(o *audit.RunOptions) { o.Paths = nil }, "give CloudTrail files"},
		{"empty db", func(o *audit.RunOptions) { o.DB = "" }, "--db FILE"},
		{"negative window", func(o *audit.RunOptions) { o.Policy.Window = -1 }, "--window counts"},
		{"huge window", func(o *audit.RunOptions) { o.Policy.Window = 101 }, "--window counts"},
		{"huge skew", func(o *audit.RunOptions) { o.Policy.Lag = 2 * time.Hour }, "--skew"},
		{"negative skew", func(o *audit.RunOptions) { o.Policy.Lag = -time.Minute }, ""},
		{"negative jobs", func(o *audit.RunOptions) { o.Jobs = -2 }, "--jobs 0"},
		{"tiny records", func(o *audit.RunOptions) { o.MaxRecordBytes = 10 }, "--max-record-bytes"},
		{"compat summary", func(o *audit.RunOptions) { o.Compat, o.Summary = true, true }, "--compat prints only"},
		{"compat json", func(o *audit.RunOptions) { o.Compat, o.Format = true, "json" }, "--compat prints only"},
		{"bad field path", func(o *audit.RunOptions) { o.TimeFields = []string{"a", ".b"} }, "--time-field as a dot path"},
		{"good field paths", func(o *audit.RunOptions) {
			o.IdentityFields = []string{"responseElements.credentialSet.0.sourceIdentity"}
		}, ""},
		{"stdin twice", func(o *audit.RunOptions) { o.Paths = []string{"-", "a", "-"} }, "give - once"},
		{"stream", func(o *audit.RunOptions) {
			o.Stream, o.StreamOptions = true, audit.StreamOptions{Horizon: time.Hour, IndexSize: 16}
		}, ""},
		{"stream compat", func(o *audit.RunOptions) {
			o.Stream, o.StreamOptions, o.Compat = true, audit.StreamOptions{Horizon: time.Hour, IndexSize: 16}, true
		}, "drop --stream"},
		{"stream short horizon", func(o *audit.RunOptions) {
			o.Stream, o.StreamOptions = true, audit.StreamOptions{Horizon: 59 * time.Second, IndexSize: 16}
		}, "--replay-horizon is how far"},
		{"stream long horizon", func(o *audit.RunOptions) {
			o.Stream, o.StreamOptions = true, audit.StreamOptions{Horizon: 169 * time.Hour, IndexSize: 16}
		}, "--replay-horizon is how far"},
		{"stream tiny index", func(o *audit.RunOptions) {
			o.Stream, o.StreamOptions = true, audit.StreamOptions{Horizon: time.Hour, IndexSize: 15}
		}, "--replay-index-size caps"},
		{"activity stdin", func(o *audit.RunOptions) { o.Activity, o.Paths = true, []string{"-"} }, "give files or directories, not -"},
		{"activity stream", func(o *audit.RunOptions) {
			o.Activity, o.Stream, o.StreamOptions = true, true, audit.StreamOptions{Horizon: time.Hour, IndexSize: 16}
		}, "drop --stream and --compat"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := ok()
			tt.mutate(&o)
			err := o.Check()
			if tt.hint == "" {
				if err != nil {
					t.Fatalf("got %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("got nil, want an error with hint %q", tt.hint)
			}
			if s := Setting("detect", err); !strings.Contains(s.Hint(), tt.hint) {
				t.Fatalf("got %v (hint %q), want hint %q", s, s.Hint(), tt.hint)
			}
		})
	}
}
