package permissions

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"slices"
	"strconv"

	"github.com/acme-signing-helper/acme-signing-helper/audit"
)

// The rules of the commands' settings.
var (
	// ErrNoRole is a policy asked of CloudTrail without the role whose
	// sessions' calls make it.
	ErrNoRole = errors.New("no role ARN")
	// ErrNeedsRole is the cloudformation format without the role the
	// policy is attached to.
	ErrNeedsRole = errors.New("the cloudformation format needs the role ARN")
	// ErrNoCommand is Record's argument list without a command after
	// "--".
	ErrNoCommand = errors.New("no command to run")
	// ErrPortRange is a UDP port outside 0..65535.
	ErrPortRange = errors.New("is out of range")
	// ErrRateTooLow is a rate limit below one datagram a second.
	ErrRateTooLow = errors.New("is below 1 a second")
)

// FormatError is an output format that is not one of Formats.
type FormatError struct{ Format string }

func (e *FormatError) Error() string { return fmt.Sprintf("unknown format %q", e.Format) }

// ListenError is a setting of ListenSettings that cannot be used: Option
// is "port", "rate" or "host", Value its value, Err the rule it breaks
// (ErrPortRange, ErrRateTooLow, ErrNotLoopback).
type ListenError struct {
	Option string
	Value  any
	Err    error
}

func (e *ListenError) Error() string { return fmt.Sprintf("%s %v %v", e.Option, e.Value, e.Err) }
func (e *ListenError) Unwrap() error { return e.Err }

// Output is how a Result is written: Format, one of Formats, and the
// role (RoleARN) a cloudformation template attaches the policy to.
type Output struct {
	Format  string
	RoleARN string
}

// CheckFormat returns a *FormatError when Format is not one of Formats.
func (o Output) CheckFormat() error {
	if !slices.Contains(Formats, o.Format) {
		return &FormatError{Format: o.Format}
	}
	return nil
}

// CheckRole returns ErrNeedsRole for the cloudformation format without a
// RoleARN.
func (o Output) CheckRole() error {
	if o.Format == "cloudformation" && o.RoleARN == "" {
		return ErrNeedsRole
	}
	return nil
}

// RoleName is the name of RoleARN's role, "" when RoleARN is not a role
// ARN.
func (o Output) RoleName() string {
	role, err := ParseRoleARN(o.RoleARN)
	if err != nil {
		return ""
	}
	return role.Name
}

// Write writes r in the format (Result.Write) for the role.
func (o Output) Write(r *Result, out, report io.Writer) error {
	return r.Write(out, report, o.Format, o.RoleName())
}

// WriteFile writes r to path in the format (Result.WriteFile).
func (o Output) WriteFile(r *Result, path string) error {
	return r.WriteFile(path, o.Format, o.RoleName())
}

// GenerateOptions are the settings of a policy made from CloudTrail:
// the role whose Roles Anywhere sessions made the calls (Output.RoleARN,
// also the role of the cloudformation format), the Filter of the calls,
// its time window as text (Since, Until: ParseWindow), how the inputs
// are read (Read) and the inputs (Paths).
type GenerateOptions struct {
	Output
	Filter       Filter
	Since, Until string
	Read         audit.Options
	Paths        []string
}

// Check returns the first rule the settings break, in this order:
// ErrNoRole, audit.ErrNoPaths, Read.Check's *audit.OptionError,
// CheckFormat's *FormatError, ParseRoleARN's *RoleARNError and
// ParseWindow's *WindowError.
func (o GenerateOptions) Check() error {
	if o.RoleARN == "" {
		return ErrNoRole
	}
	if len(o.Paths) == 0 {
		return audit.ErrNoPaths
	}
	if err := o.Read.Check(); err != nil {
		return err
	}
	if err := o.CheckFormat(); err != nil {
		return err
	}
	if _, err := ParseRoleARN(o.RoleARN); err != nil {
		return err
	}
	return o.Filter.ParseWindow(o.Since, o.Until)
}

// Generate is Generate with the settings (after Check).
func (o GenerateOptions) Generate(ctx context.Context) (*Result, audit.Stats, error) {
	role, err := ParseRoleARN(o.RoleARN)
	if err != nil {
		return nil, audit.Stats{}, err
	}
	f := o.Filter
	if err := f.ParseWindow(o.Since, o.Until); err != nil {
		return nil, audit.Stats{}, err
	}
	return Generate(ctx, o.Paths, o.Read, role, f)
}

// ListenSettings are the settings of a Listener that collects until it
// is stopped: where it listens (Host, a loopback IP, and Port, 0 for an
// ephemeral one), its ListenOptions, and the output.
type ListenSettings struct {
	Output
	Host    string
	Port    int
	Options ListenOptions
}

// Check returns the first rule the settings break, in this order: a
// *ListenError for the port (ErrPortRange) or a rate below 1
// (ErrRateTooLow), CheckRole's ErrNeedsRole, CheckFormat's *FormatError,
// the *RoleARNError of a RoleARN that is given, and a *ListenError for a
// Host that is not a loopback IP (ErrNotLoopback).
func (s ListenSettings) Check() error {
	if s.Port < 0 || s.Port > 65535 {
		return &ListenError{Option: "port", Value: s.Port, Err: ErrPortRange}
	}
	if s.Options.Rate < 1 {
		return &ListenError{Option: "rate", Value: s.Options.Rate, Err: ErrRateTooLow}
	}
	if err := s.CheckRole(); err != nil {
		return err
	}
	if err := s.CheckFormat(); err != nil {
		return err
	}
	if s.RoleARN != "" {
		if _, err := ParseRoleARN(s.RoleARN); err != nil {
			return err
		}
	}
	if ip, err := netip.ParseAddr(s.Host); err != nil || !ip.IsLoopback() {
		return &ListenError{Option: "host", Value: s.Host, Err: ErrNotLoopback}
	}
	return nil
}

// Listen is Listen on Host and Port with Options.
func (s ListenSettings) Listen() (*Listener, error) {
	return Listen(net.JoinHostPort(s.Host, strconv.Itoa(s.Port)), s.Options)
}

// SplitCommand splits Record's arguments, "[flags] -- COMMAND ARGS...",
// at the first "--" into the flags and the command; ErrNoCommand when
// there is no "--" or nothing after it. Without a command, arguments
// that start with -h or --help are all flags (they ask for the help).
func SplitCommand(args []string) (flags, command []string, err error) {
	dash := slices.Index(args, "--")
	if dash >= 0 && dash < len(args)-1 {
		return args[:dash], args[dash+1:], nil
	}
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
		return args, nil, nil
	}
	return nil, nil, ErrNoCommand
}
