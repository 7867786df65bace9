package main

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

// The testscript commands of setup_path.txtar, which follows the README's
// "Set it up" path: the CloudFormation template is checked by structure
// (which resource holds which property), and the role's trust policy is
// taken out of it for the emulator, which plays the deployed stack.
func init() {
	scriptCmds["jsoneq"] = jsonEqCmd
	scriptCmds["cfnpolicy"] = cfnPolicyCmd
	scriptCmds["jsonsame"] = jsonSameCmd
}

// jsonSameCmd is
//
//	jsonsame FILE1 FILE2
//
// The two files hold the same JSON value (key order and spacing aside).
func jsonSameCmd(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: jsonsame FILE1 FILE2")
	}
	var a, b any
	for i, v := range []*any{&a, &b} {
		if err := json.Unmarshal([]byte(ts.ReadFile(args[i])), v); err != nil {
			ts.Fatalf("%s: %v", args[i], err)
		}
	}
	if same := reflect.DeepEqual(a, b); same == neg {
		ts.Fatalf("%s is %s, %s is %s", args[0], jsonText(a), args[1], jsonText(b))
	}
}

// jsonEqCmd is
//
//	jsoneq FILE PATH=VALUE...
//
// Each PATH (keys joined by '.', array indexes as numbers) must exist in
// the JSON document FILE and equal VALUE: a JSON literal (true, 3600,
// "x", [...]), else the bare string, or with @NAME the content of file
// NAME as a string.
func jsonEqCmd(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 || neg {
		ts.Fatalf("usage: jsoneq FILE PATH=VALUE...")
	}
	var doc any
	if err := json.Unmarshal([]byte(ts.ReadFile(args[0])), &doc); err != nil {
		ts.Fatalf("%s: %v", args[0], err)
	}
	for _, c := range args[1:] {
		path, want, ok := strings.Cut(c, "=")
		if !ok {
			ts.Fatalf("jsoneq: %q is not PATH=VALUE", c)
		}
		var w any
		if name, ok := strings.CutPrefix(want, "@"); ok {
			w = ts.ReadFile(name)
		} else if err := json.Unmarshal([]byte(want), &w); err != nil {
			w = want
		}
		got, err := jsonPath(doc, path)
		if err != nil {
			ts.Fatalf("%s: %v", args[0], err)
		}
		if !reflect.DeepEqual(got, w) {
			ts.Fatalf("%s: %s is %s, want %s", args[0], path, jsonText(got), jsonText(w))
		}
	}
}

// cfnPolicyCmd is
//
//	cfnpolicy TEMPLATE ROLE ANCHOR-ARN OUT
//
// It writes to OUT the AssumeRolePolicyDocument of the AWS::IAM::Role
// resource ROLE of the CloudFormation TEMPLATE, with each reference to a
// trust anchor's ARN ({"Fn::GetAtt": [ID, "TrustAnchorArn"]}, ID an
// AWS::RolesAnywhere::TrustAnchor of the template) replaced by ANCHOR-ARN:
// the policy CloudFormation would give the role. Any other intrinsic
// function left in the policy fails.
func cfnPolicyCmd(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 4 || neg {
		ts.Fatalf("usage: cfnpolicy TEMPLATE ROLE ANCHOR-ARN OUT")
	}
	var tmpl struct {
		Resources map[string]struct {
			Type       string
			Properties map[string]any
		}
	}
	if err := json.Unmarshal([]byte(ts.ReadFile(args[0])), &tmpl); err != nil {
		ts.Fatalf("%s: %v", args[0], err)
	}
	role, ok := tmpl.Resources[args[1]]
	if !ok || role.Type != "AWS::IAM::Role" {
		ts.Fatalf("%s: no AWS::IAM::Role resource %q", args[0], args[1])
	}
	var subst func(v any) (any, error)
	subst = func(v any) (any, error) {
		switch v := v.(type) {
		case map[string]any:
			if ga, ok := v["Fn::GetAtt"].([]any); ok && len(v) == 1 && len(ga) == 2 && ga[1] == "TrustAnchorArn" {
				id, _ := ga[0].(string)
				if tmpl.Resources[id].Type != "AWS::RolesAnywhere::TrustAnchor" {
					return nil, fmt.Errorf("Fn::GetAtt %v does not name a trust anchor of the template", ga)
				}
				return args[2], nil
			}
			out := map[string]any{}
			for k, e := range v {
				if strings.HasPrefix(k, "Fn::") || k == "Ref" {
					return nil, fmt.Errorf("intrinsic function %s left in the policy", k)
				}
				s, err := subst(e)
				if err != nil {
					return nil, err
				}
				out[k] = s
			}
			return out, nil
		case []any:
			out := make([]any, len(v))
			for i, e := range v {
				s, err := subst(e)
				if err != nil {
					return nil, err
				}
				out[i] = s
			}
			return out, nil
		}
		return v, nil
	}
	p, err := subst(role.Properties["AssumeRolePolicyDocument"])
	if err != nil || p == nil {
		ts.Fatalf("%s: role %s: AssumeRolePolicyDocument: %v", args[0], args[1], err)
	}
	b, err := json.MarshalIndent(p, "", "  ")
	ts.Check(err)
	ts.Check(os.WriteFile(ts.MkAbs(args[3]), append(b, '\n'), 0o644))
}

// jsonPath walks doc along the dotted path.
func jsonPath(doc any, path string) (any, error) {
	cur := doc
	for _, k := range strings.Split(path, ".") {
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[k]
			if !ok {
				return nil, fmt.Errorf("%s: no key %q", path, k)
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(c) {
				return nil, fmt.Errorf("%s: no element %q", path, k)
			}
			cur = c[i]
		default:
			return nil, fmt.Errorf("%s: %q is below a %T", path, k, cur)
		}
	}
	return cur, nil
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
