package main

import (
	"errors"
	"strings"
	"testing"
)

func TestTrustPolicyRoleValidate(t *testing.T) {
	ok := func() trustPolicyRoleOptions {
		return trustPolicyRoleOptions{anchors: []string{"arn:aws:rolesanywhere:eu-west-2:123456789012:trust-anchor/x"}, workloads: []string{"*.example.com"}, match: "cn", format: "json", digits: 6}
	}
	tests := []struct {
		name string
		mod  func(*trustPolicyRoleOptions)
		want string // "" for valid
	}{
		{"defaults", func(*trustPolicyRoleOptions) {}, ""},
		{"san", func(o *trustPolicyRoleOptions) { o.match = "san" }, ""},
		{"cloudformation", func(o *trustPolicyRoleOptions) { o.format, o.anchors, o.anchorCert = "cloudformation", nil, "ca.pem" }, ""},
		{"no anchor", func(o *trustPolicyRoleOptions) { o.anchors = nil }, "--trust-anchor-arn is required"},
		{"anchor cert with json", func(o *trustPolicyRoleOptions) { o.anchorCert = "ca.pem" }, "--anchor-cert given without --format cloudformation"},
		{"cloudformation without cert", func(o *trustPolicyRoleOptions) { o.format, o.anchors = "cloudformation", nil }, "needs --anchor-cert"},
		{"cloudformation with arn", func(o *trustPolicyRoleOptions) { o.format, o.anchorCert = "cloudformation", "ca.pem" }, "not used with --format cloudformation"},
		{"format", func(o *trustPolicyRoleOptions) { o.format = "yaml" }, `unknown --format "yaml"`},
		{"match", func(o *trustPolicyRoleOptions) { o.match = "CN" }, `unknown --match "CN"`},
		{"no workload", func(o *trustPolicyRoleOptions) { o.workloads = nil }, "--workload is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := ok()
			tt.mod(&o)
			err := o.validate()
			checkValidate(t, err, tt.want)
		})
	}
}

func TestSimulateValidate(t *testing.T) {
	ok := func() simulateOptions {
		return simulateOptions{policy: "p.json", tags: []string{"x509Subject/CN=a.example.com"}, sessionName: "123456", sourceArn: "arn:aws:rolesanywhere:eu-west-2:123456789012:trust-anchor/x", format: "text"}
	}
	tests := []struct {
		name string
		mod  func(*simulateOptions)
		want string
	}{
		{"tags", func(*simulateOptions) {}, ""},
		{"certificate", func(o *simulateOptions) { o.tags, o.certificate = nil, "leaf.pem" }, ""},
		{"json and ip", func(o *simulateOptions) { o.format, o.sourceIP = "json", "2001:db8::1" }, ""},
		{"no policy", func(o *simulateOptions) { o.policy = "" }, "--policy is required"},
		{"neither", func(o *simulateOptions) { o.tags = nil }, "--certificate or --tag is required"},
		{"both", func(o *simulateOptions) { o.certificate = "leaf.pem" }, "--certificate and --tag both given"},
		{"no session", func(o *simulateOptions) { o.sessionName = "" }, "--session-name is required"},
		{"no source arn", func(o *simulateOptions) { o.sourceArn = "" }, "--source-arn is required"},
		{"bad ip", func(o *simulateOptions) { o.sourceIP = "10.0.0.0/8" }, `--source-ip "10.0.0.0/8" is not an IP address`},
		{"format", func(o *simulateOptions) { o.format = "yaml" }, `unknown --format "yaml"`},
		{"action", func(o *simulateOptions) { o.actions = []string{"AssumeRole"} }, `--action "AssumeRole" has no service prefix`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := ok()
			tt.mod(&o)
			checkValidate(t, o.validate(), tt.want)
		})
	}
}

func checkValidate(t *testing.T, err error, want string) {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatalf("got %v, want no error", err)
		}
		return
	}
	var ue *usageError
	if !errors.As(err, &ue) {
		t.Fatalf("got %v, want a usage error", err)
	}
	if !strings.Contains(err.Error(), want) || ue.Hint() == "" {
		t.Errorf("got %q (hint %q), want it to contain %q and a hint", err, ue.Hint(), want)
	}
}
