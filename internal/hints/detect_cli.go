package hints

import (
	"fmt"
	"strings"

	"github.com/acme-signing-helper/acme-signing-helper/audit"
	"github.com/acme-signing-helper/acme-signing-helper/lambdadetect"
	"github.com/acme-signing-helper/acme-signing-helper/permissions"
)

// SettingError is a setting a package refused (Err) in the words of the
// command line of the command that took it from its flags (the settings
// have the flags' names): Error is "CMD: --flag ..." and Hint the fix.
type SettingError struct {
	Msg string
	Fix string
	Err error
}

func (e *SettingError) Error() string { return e.Msg }
func (e *SettingError) Unwrap() error { return e.Err }

// Hint is the fix.
func (e *SettingError) Hint() string { return e.Fix }

// Setting words err, returned by the settings checks of detect (audit's
// RunOptions), permissions generate, record and listen (permissions'
// GenerateOptions, Output, ListenSettings, SplitCommand) or detect
// deploy (lambdadetect's DeployOptions), for the command cmd ("detect",
// "permissions generate", ...). An error of another kind keeps its text
// after "CMD: " and For's fix.
func Setting(cmd string, err error) *SettingError {
	msg, fix := settingWords(cmd, err)
	if msg == "" {
		msg = err.Error()
	}
	if fix == "" {
		fix = For(err)
	}
	return &SettingError{Msg: cmd + ": " + msg, Fix: fix, Err: err}
}

// inputExamples complete the fix for a command without inputs.
var inputExamples = map[string]string{
	"detect":               "detect --db env-sha1sum-db.json AWSLogs/",
	"permissions generate": "permissions generate --role-arn ARN AWSLogs/",
}

// conflictFixes are the fixes of audit's *ConflictError by Option.
var conflictFixes = map[string]string{
	"stream":   "--compat is for single seed-style event files; drop --stream",
	"compat":   "--compat prints only legit or oh no, like the seed script: drop --summary and --format",
	"activity": "--activity reads the logs again after the verdicts: drop --stream and --compat",
}

// settingWords is the message (without "CMD: ") and fix of a settings
// error e, looking at e alone; "" for what For and e's own text already
// say (and for other errors).
func settingWords(cmd string, e error) (msg, fix string) {
	switch e := e.(type) {
	case *audit.FormatError:
		return "--" + e.Error(), "use --format text or --format json"
	case *lambdadetect.TemplateFormatError:
		return "--" + e.Error(), "use --format cloudformation"
	case *audit.OptionError, *permissions.WindowError:
		return "--" + e.Error(), ""
	case *permissions.RoleARNError:
		return "--role-arn: " + e.Error(), ""
	case *audit.ConflictError:
		return "--" + e.Option + " cannot be combined with --" + strings.Join(e.With, " or --"), conflictFixes[e.Option]
	case *audit.StdinError:
		return e.Error(), "give - once"
	case *permissions.FormatError:
		return fmt.Sprintf("unknown --format %q", e.Format), "use --format policy, --format cloudformation or --format json"
	case *permissions.ListenError:
		switch e.Option {
		case "port":
			return "--" + e.Error(), "give a UDP port, e.g. --port 31000 (the SDKs' default)"
		case "rate":
			return fmt.Sprintf("--rate %v", e.Value), "--rate is datagrams per second, at least 1"
		case "host":
			return fmt.Sprintf("--host %q is not a loopback address", e.Value), "listen on loopback only (--host 127.0.0.1 or ::1): CSM datagrams are unauthenticated"
		}
	}
	switch e {
	case audit.ErrNoPaths:
		fix = "give CloudTrail files or directories, or - for standard input"
		if ex := inputExamples[cmd]; ex != "" {
			fix += ": " + ex
		}
		return "no input paths", fix
	case audit.ErrNoDB:
		return "--db is empty", "give the seed database with --db FILE (the seed script's env-sha1sum-db.json)"
	case audit.ErrRereadStdin:
		return "--activity cannot read standard input", "--activity reads the logs twice: give files or directories, not -"
	case permissions.ErrNoRole:
		return "--role-arn is required", "give the role the workload assumes, e.g. --role-arn arn:aws:iam::123456789012:role/my_role"
	case permissions.ErrNeedsRole:
		return "--format cloudformation needs --role-arn", "give --role-arn (the role the policy is attached to), or use --format policy"
	case permissions.ErrNoCommand:
		return "no command to run", "put the command after --: permissions record -- aws s3 ls"
	case lambdadetect.ErrNothingToDeploy:
		return "nothing to do", "give --format cloudformation (the stack) or --zip FILE (the deployment package)"
	case lambdadetect.ErrTemplateAndPackage:
		return "--format and --zip cannot be combined", "print the stack and write the package in two runs"
	case lambdadetect.ErrBootstrapWithoutPackage:
		return "--bootstrap without --zip", "--bootstrap goes with --zip FILE"
	}
	return "", ""
}

// settingHint names the fix for the settings errors of detect, detect
// deploy and the permissions commands (see Setting), looking at e alone.
func settingHint(e error) string {
	switch e {
	case permissions.ErrPortRange:
		return settingHintOf(&permissions.ListenError{Option: "port", Err: e})
	case permissions.ErrRateTooLow:
		return settingHintOf(&permissions.ListenError{Option: "rate", Err: e})
	}
	return settingHintOf(e)
}

func settingHintOf(e error) string {
	_, fix := settingWords("", e)
	return fix
}
