package permissions

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/acme-signing-helper/acme-signing-helper/internal/atomicfile"
)

// Formats are the output formats of a Result: "policy" (the policy
// document), "cloudformation" (an AWS::IAM::ManagedPolicy attached to the
// role) and "json" (one object with the policy and the report).
var Formats = []string{"policy", "cloudformation", "json"}

// Render is the result in format (one of Formats; anything else is
// "policy"): the policy document, a CloudFormation template attached to
// roleName, or one JSON object {"policy": ..., "report": ...} whose
// policy is null when nothing was granted. Policy and CloudFormation
// return ErrNoActions when nothing was granted.
func (r *Result) Render(format, roleName string) ([]byte, error) {
	switch format {
	case "json":
		v := struct {
			Policy json.RawMessage `json:"policy"`
			Report Report          `json:"report"`
		}{Policy: json.RawMessage("null"), Report: r.Report}
		if doc, err := r.PolicyJSON(); err == nil {
			v.Policy = doc
		}
		out, err := json.MarshalIndent(v, "", "  ")
		return append(out, '\n'), err
	case "cloudformation":
		return r.CloudFormation(roleName)
	}
	return r.PolicyJSON()
}

// Write writes the rendered result to out and, unless format is "json"
// (which holds it), the report as text to report, first. It returns a
// write error as it happens; else ErrNoActions when nothing was granted
// (after writing what there is: the report, and the JSON object).
func (r *Result) Write(out, report io.Writer, format, roleName string) error {
	doc, err := r.Render(format, roleName)
	if format != "json" {
		if werr := r.Report.WriteText(report); werr != nil {
			return werr
		}
	}
	if err == nil {
		if _, werr := out.Write(doc); werr != nil {
			return fmt.Errorf("write policy: %w", werr)
		}
	}
	if err != nil {
		return err
	}
	if len(r.Policy.Statement) == 0 {
		return ErrNoActions
	}
	return nil
}

// WriteFile writes the rendered result to path atomically (a temporary
// file renamed over it), mode 0644: a policy holds no secret.
func (r *Result) WriteFile(path, format, roleName string) error {
	doc, err := r.Render(format, roleName)
	if err != nil {
		return err
	}
	return atomicfile.Write(path, doc, 0o644, nil)
}
