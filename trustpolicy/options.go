package trustpolicy

import (
	"errors"
	"io"
	"net/netip"
	"strings"

	"github.com/acme-signing-helper/acme-signing-helper/internal/rawfile"
)

// The Err of an *OptionError returned by a Validate method, besides
// ErrRequired. With an ErrConflict or an ErrRequired that another option
// causes, the OptionError's With names that other option.
var (
	// ErrUnknownChoice: the value is not one of the option's choices.
	ErrUnknownChoice = errors.New("not one of the choices")
	// ErrConflict: the option is not used together with option With (or
	// with With's value).
	ErrConflict = errors.New("not used with the other options given")
	// ErrNotIPAddress: the value is not an IPv4 or IPv6 address.
	ErrNotIPAddress = errors.New("not an IP address")
	// ErrNoServicePrefix: an action is not written as service:Name.
	ErrNoServicePrefix = errors.New("action has no service prefix")
	// ErrNotKeyValue: the value is not KEY=VALUE with a non-empty KEY.
	ErrNotKeyValue = errors.New("want KEY=VALUE")
)

// FileError is a policy document or trust anchor certificate that could
// not be read. What is "policy" or "anchor certificate"; Path is the file
// ("-" for standard input); Err is the cause.
type FileError struct {
	What string
	Path string
	Err  error
}

func (e *FileError) Error() string { return "read " + e.What + " " + e.Path + ": " + e.Err.Error() }
func (e *FileError) Unwrap() error { return e.Err }

// ReadFile reads and parses the policy document in the file path, or in
// stdin when path is "-". The file is opened without blocking on a FIFO
// (internal/rawfile) and at most MaxDocumentBytes+1 bytes are read, so an
// oversized document is refused by Parse rather than cut. A read failure
// is a *FileError; a document Parse refuses is Parse's error.
func ReadFile(path string, stdin io.Reader) (*Policy, error) {
	var (
		data []byte
		err  error
	)
	if path == "-" {
		data, err = io.ReadAll(io.LimitReader(stdin, MaxDocumentBytes+1))
	} else {
		data, err = readLimited(path, MaxDocumentBytes+1) // Parse refuses what is over
	}
	if err != nil {
		return nil, &FileError{What: "policy", Path: path, Err: err}
	}
	return Parse(data)
}

// readLimited reads at most n bytes of the regular file path.
func readLimited(path string, n int64) ([]byte, error) {
	f, err := rawfile.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, n))
}

// The output formats of RoleTemplate.
const (
	FormatJSON           = "json"           // the role trust policy
	FormatCloudFormation = "cloudformation" // trust anchor, profile and role
)

// RoleTemplateOptions choose what RoleTemplate writes: the trust policy
// of Role, or (Format FormatCloudFormation) a CloudFormation template with
// a trust anchor made from the CA certificates in AnchorFile, a profile
// and the role.
type RoleTemplateOptions struct {
	Role RoleOptions
	// Format is FormatJSON or FormatCloudFormation.
	Format string
	// AnchorFile is the PEM file of the trust anchor's CA certificates;
	// with FormatCloudFormation only, and then required (Role's
	// TrustAnchorARNs are then not given: the template pins the anchor it
	// creates).
	AnchorFile string
	// Name, DurationSeconds and ManagedPolicyARNs are those of
	// CloudFormationOptions.
	Name              string
	DurationSeconds   int
	ManagedPolicyARNs []string
}

// Validate checks the combination of options: the format, the anchor
// options that go with it, Role's Match and that Workloads are given. The
// error is an *OptionError (ErrRequired, ErrConflict with With "format",
// or ErrUnknownChoice); the values themselves are checked by Role.
func (o *RoleTemplateOptions) Validate() error {
	switch o.Format {
	case FormatJSON:
		if o.AnchorFile != "" {
			return &OptionError{Option: "anchor-cert", Value: o.AnchorFile, Err: ErrConflict, With: "format"}
		}
		if len(o.Role.TrustAnchorARNs) == 0 {
			return optRequired("trust-anchor-arn")
		}
	case FormatCloudFormation:
		if o.AnchorFile == "" {
			return &OptionError{Option: "anchor-cert", Err: ErrRequired, With: "format"}
		}
		if len(o.Role.TrustAnchorARNs) > 0 {
			return &OptionError{Option: "trust-anchor-arn", Value: o.Role.TrustAnchorARNs[0], Err: ErrConflict, With: "format"}
		}
	default:
		return &OptionError{Option: "format", Value: o.Format, Err: ErrUnknownChoice}
	}
	if o.Role.Match != MatchCN && o.Role.Match != MatchSAN {
		return &OptionError{Option: "match", Value: string(o.Role.Match), Err: ErrUnknownChoice}
	}
	if len(o.Role.Workloads) == 0 {
		return optRequired("workload")
	}
	return nil
}

// RoleTemplate checks o (Validate) and writes what it chooses: the trust
// policy of o.Role as Marshal writes it, or the CloudFormation template.
// An unreadable AnchorFile is a *FileError (What "anchor
// certificate"); a bundle CloudFormation refuses is an *OptionError for
// "anchor-cert" whose Value is AnchorFile; the other errors are those of
// Role and CloudFormation.
func RoleTemplate(o RoleTemplateOptions) ([]byte, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if o.Format != FormatCloudFormation {
		p, err := Role(o.Role)
		if err != nil {
			return nil, err
		}
		return Marshal(p)
	}
	pemData, err := rawfile.ReadFile(o.AnchorFile, MaxDocumentBytes)
	if err != nil {
		return nil, &FileError{What: "anchor certificate", Path: o.AnchorFile, Err: err}
	}
	out, err := CloudFormation(CloudFormationOptions{
		Role: o.Role, AnchorPEM: pemData, Name: o.Name, DurationSeconds: o.DurationSeconds, ManagedPolicyARNs: o.ManagedPolicyARNs,
	})
	var oe *OptionError
	if errors.As(err, &oe) && oe.Option == "anchor-cert" && oe.Value == "" {
		oe.Value = o.AnchorFile
	}
	return out, err
}

// Validate checks that the options Route53 needs are given: Client and
// ZoneID (an *OptionError with ErrRequired). Route53 calls it, then
// checks the values.
func (o *Route53Options) Validate() error {
	if o.Client == "" {
		return optRequired("client")
	}
	if o.ZoneID == "" {
		return optRequired("zone-id")
	}
	return nil
}

// checkActions refuses an action not written as service:Name.
func checkActions(actions []string) error {
	for _, a := range actions {
		if !strings.Contains(a, ":") {
			return &OptionError{Option: "action", Value: a, Err: ErrNoServicePrefix}
		}
	}
	return nil
}

// contextValues parses KEY=VALUE condition keys; a value adds to those
// of the same key.
func contextValues(kvs []string) (map[string][]string, error) {
	ctx := map[string][]string{}
	for _, c := range kvs {
		k, v, ok := strings.Cut(c, "=")
		if !ok || k == "" {
			return nil, &OptionError{Option: "context", Value: c, Err: ErrNotKeyValue}
		}
		ctx[k] = append(ctx[k], v)
	}
	return ctx, nil
}

// checkIP refuses a source address that is not an IP address ("" is
// none).
func checkIP(s string) error {
	if s == "" {
		return nil
	}
	if _, err := netip.ParseAddr(s); err != nil {
		return &OptionError{Option: "source-ip", Value: s, Err: ErrNotIPAddress}
	}
	return nil
}
