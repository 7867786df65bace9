package hints

import (
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"testing"

	"github.com/acme-signing-helper/acme-signing-helper/audit"
	"github.com/acme-signing-helper/acme-signing-helper/lambdadetect"
)

// TestLambdadetectErrorsHaveHints: every exported error of lambdadetect,
// as the package returns it, gets a hint; a new one fails here until it
// has an entry and a hint.
func TestLambdadetectErrorsHaveHints(t *testing.T) {
	wrap := func(err error) error { return fmt.Errorf("context: %w", err) }
	cases := map[string][]error{
		"lambdadetect.ErrUnknownEvent":  {wrap(lambdadetect.ErrUnknownEvent)},
		"lambdadetect.ErrEmptySecret":   {&lambdadetect.SeedsError{Err: lambdadetect.ErrEmptySecret}},
		"lambdadetect.ErrMissingEnv":    {&lambdadetect.EnvError{Name: lambdadetect.EnvTable, Err: lambdadetect.ErrMissingEnv}},
		"lambdadetect.ErrNotLinuxARM64": {&lambdadetect.BootstrapError{Path: "x", Err: wrap(lambdadetect.ErrNotLinuxARM64)}},
		"lambdadetect.EnvError":         {&lambdadetect.EnvError{Name: lambdadetect.EnvSeedsTTL, Value: "x", Err: errors.New("bad")}},
		"lambdadetect.EventError":       {&lambdadetect.EventError{Source: "aws.events", Err: lambdadetect.ErrUnknownEvent}},
		"lambdadetect.SeedsError":       {&lambdadetect.SeedsError{Err: errors.New("AccessDenied")}, &lambdadetect.SeedsError{Err: wrap(audit.ErrDBFormat)}},
		"lambdadetect.ObjectError":      {&lambdadetect.ObjectError{Bucket: "b", Key: "k", Err: errors.New("NoSuchKey")}, &lambdadetect.ObjectError{Bucket: "b", Key: "k", Err: &audit.FileError{Path: "-", Err: audit.ErrTruncated}}},
		"lambdadetect.RecordError":      {&lambdadetect.RecordError{EventID: "e", Err: errors.New("x")}},
		"lambdadetect.PublishError":     {&lambdadetect.PublishError{TopicARN: "t", Err: errors.New("x")}},
		"lambdadetect.ReplayTableError": {&lambdadetect.ReplayTableError{Table: "t", Op: "PutItem", Err: errors.New("x")}},
		"lambdadetect.BootstrapError":   {&lambdadetect.BootstrapError{Path: "x", Err: errors.New("no such file")}},
	}
	maps.Copy(cases, settingErrors()) // detect_cli_test.go
	names := exportedErrors(t, filepath.Join("..", "..", "lambdadetect"), "lambdadetect")
	if len(names) < 8 {
		t.Fatalf("found only %v", names)
	}
	for _, n := range names {
		errs, ok := cases[n]
		if !ok {
			t.Errorf("%s has no entry here: give it a hint in lambdadetectHint and add it", n)
			continue
		}
		for _, err := range errs {
			if h := For(err); h == "" {
				t.Errorf("%s: %v has no hint", n, err)
			}
		}
	}
	// The truncated object's hint is the one that names the object.
	if h := For(&lambdadetect.ObjectError{Bucket: "b", Key: "k", Err: &audit.FileError{Path: "-", Err: audit.ErrTruncated}}); h == For(&lambdadetect.ObjectError{Err: errors.New("x")}) {
		t.Errorf("truncated object hint %q is the generic one", h)
	}
}
