package hints

import (
	"errors"
	"fmt"
	"testing"

	"github.com/acme-signing-helper/acme-signing-helper/emulator"
	"github.com/acme-signing-helper/acme-signing-helper/internal/demo"
	"github.com/acme-signing-helper/acme-signing-helper/trustpolicy"
)

// TestTrustpolicyEmulatorHints: every sentinel and error type of packages
// trustpolicy, emulator and internal/demo gets a hint from hintOf, also when wrapped, so
// a new one without a hint fails here.
func TestTrustpolicyEmulatorDemoHints(t *testing.T) {
	errs := map[string]error{
		"ErrInvalidPolicy":       trustpolicy.ErrInvalidPolicy,
		"ErrUnsupportedOperator": trustpolicy.ErrUnsupportedOperator,
		"ErrBadConditionValue":   trustpolicy.ErrBadConditionValue,
		"ErrRequired":            trustpolicy.ErrRequired,
		"ParseError":             &trustpolicy.ParseError{Statement: 1, Field: "Effect", Err: fmt.Errorf("%w: x", trustpolicy.ErrInvalidPolicy)},
		"ConditionError operator": &trustpolicy.ConditionError{Statement: 1, Operator: "StringSortOf",
			Err: fmt.Errorf("%w %q", trustpolicy.ErrUnsupportedOperator, "StringSortOf")},
		"ConditionError value": &trustpolicy.ConditionError{Statement: 1, Operator: "IpAddress", Key: "aws:SourceIp",
			Err: fmt.Errorf("%w: x", trustpolicy.ErrBadConditionValue)},
		"ErrNoAnchors":          emulator.ErrNoAnchors,
		"ErrFaultSpec":          emulator.ErrFaultSpec,
		"NotCAError":            &emulator.NotCAError{Subject: "CN=leaf"},
		"demo PathError":        &demo.PathError{Op: "make a temporary directory", Err: errors.New("x")},
		"demo PathError in Dir": &demo.PathError{Op: "write the lego layout", Dir: true, Err: errors.New("x")},
		"demo DirError":         &demo.DirError{Path: "x", Err: errors.New("x")},
		"demo ListenError":      &demo.ListenError{Addr: "127.0.0.1", Err: errors.New("x")},
		"demo CloudTrailError":  &demo.CloudTrailError{Path: "ct.json", Err: errors.New("x")},
	}
	for _, opt := range []string{"trust-anchor-arn", "match", "workload", "totp-digits", "issuer-cn", "revoke", "zone-id", "domain", "client", "cidr", "session-duration", "anchor-cert"} {
		errs["OptionError "+opt] = &trustpolicy.OptionError{Option: opt, Value: "x", Err: fmt.Errorf("bad")}
		errs["OptionError "+opt+" required"] = &trustpolicy.OptionError{Option: opt, Err: trustpolicy.ErrRequired}
	}
	for name, err := range errs {
		if For(err) == "" {
			t.Errorf("%s: no hint", name)
		}
		if For(fmt.Errorf("cmd: %w", err)) == "" {
			t.Errorf("%s wrapped: no hint", name)
		}
	}
	// The errors the packages make reach their hints too.
	for name, f := range map[string]func() error{
		"Parse":    func() error { _, err := trustpolicy.Parse([]byte(`{`)); return err },
		"Role":     func() error { _, err := trustpolicy.Role(trustpolicy.RoleOptions{}); return err },
		"SourceIP": func() error { _, err := trustpolicy.SourceIP([]string{"10.0.0.0/33"}); return err },
		"Route53 client": func() error {
			_, err := trustpolicy.Route53(trustpolicy.Route53Options{ZoneID: "Z1", Domains: []string{"example.com"}, Client: "caddy"})
			return err
		},
		"ParseFault": func() error { _, err := emulator.ParseFault("nope"); return err },
		"New":        func() error { _, err := emulator.New(emulator.Config{}); return err },
		"Evaluate": func() error {
			p, err := trustpolicy.Parse([]byte(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"sts:*","Condition":{"StringSortOf":{"k":"v"}}}}`))
			if err != nil {
				return err
			}
			_, err = trustpolicy.EvaluateCreateSession(p, trustpolicy.CreateSessionRequest{})
			return err
		},
	} {
		err := f()
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		if For(err) == "" {
			t.Errorf("%s: %v has no hint", name, err)
		}
	}
}
