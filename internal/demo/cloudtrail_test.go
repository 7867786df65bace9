package demo

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/acme-signing-helper/acme-signing-helper/audit"
)

// TestRunCloudTrail: with Options.CloudTrail the demo writes its three
// CreateSession records and, per session, its later calls with the
// session's assumed-role identity; the impersonators read the secrets
// object from another address, the host its configuration; no secret the
// demo saw is in the file.
func TestRunCloudTrail(t *testing.T) {
	var out bytes.Buffer
	var secrets [][]byte
	o := testOptions(&out)
	o.CloudTrail = filepath.Join(t.TempDir(), "ct.json")
	o.OnSecret = func(b []byte) { secrets = append(secrets, append([]byte(nil), b...)) }
	if err := Run(context.Background(), o); err != nil {
		t.Fatalf("Run: %v\n%s", err, out.String())
	}
	data, err := os.ReadFile(o.CloudTrail)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(o.CloudTrail); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("mode of the CloudTrail file: %v, %v; want 0600", fi.Mode(), err)
	}
	for _, s := range secrets {
		if len(s) >= 8 && bytes.Contains(data, bytes.TrimSpace(s)) {
			t.Errorf("the CloudTrail file holds a secret the demo saw")
		}
	}
	type key struct{ identity, name, object, ip string }
	var calls []key
	_, err = audit.ReadCalls(context.Background(), []string{o.CloudTrail}, audit.Options{Jobs: 1}, audit.CallOptions{Marker: "sourceIdentity"}, func(c audit.Call) {
		if c.Problem != "" {
			t.Errorf("call %s:%s: %s", c.EventSource, c.EventName, c.Problem)
		}
		if c.SessionCreated.IsZero() || !c.Time.After(c.SessionCreated) {
			t.Errorf("call %s at %v, session created %v", c.EventName, c.Time, c.SessionCreated)
		}
		obj := ""
		for _, r := range c.Resources {
			if r.Type == "AWS::S3::Object" {
				obj = r.ARN[strings.LastIndexByte(r.ARN, '/')+1:]
			}
		}
		calls = append(calls, key{audit.NormalizeIdentity(c.SourceIdentity), c.EventName, obj, c.SourceIP})
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[key]int{
		{"host.example.com", "GetCallerIdentity", "", "127.0.0.1"}:    1,
		{"host.example.com", "GetObject", "app.yaml", "127.0.0.1"}:    1,
		{"host.example.com", "GetCallerIdentity", "", "203.0.113.66"}: 1,
		{"host.example.com", "GetObject", "db.env", "203.0.113.66"}:   1,
		{"evil.example.com", "GetCallerIdentity", "", "203.0.113.66"}: 1,
		{"evil.example.com", "GetObject", "db.env", "203.0.113.66"}:   1,
	}
	got := map[key]int{}
	for _, c := range calls {
		got[c]++
	}
	if len(got) != len(want) {
		t.Errorf("calls: got %v, want %v", got, want)
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("calls %+v: %d, want %d (all: %v)", k, got[k], n, got)
		}
	}
	if n := strings.Count(string(data), `"eventName":"CreateSession"`); n != 3 {
		t.Errorf("%d CreateSession records, want 3", n)
	}
}

// TestRunCloudTrailUnwritable: a CloudTrail path in a missing directory
// is a *CloudTrailError after the run, and nothing is left behind.
func TestRunCloudTrailUnwritable(t *testing.T) {
	var out bytes.Buffer
	o := testOptions(&out)
	o.CloudTrail = filepath.Join(t.TempDir(), "missing", "ct.json")
	err := Run(context.Background(), o)
	var pe *CloudTrailError
	if !errors.As(err, &pe) {
		t.Fatalf("Run: %v, want a *CloudTrailError", err)
	}
	if _, err := os.Stat(o.CloudTrail); !os.IsNotExist(err) {
		t.Errorf("stat: %v, want not exist", err)
	}
}
