package cloudtrailgen

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/totp"
)

// TestGenerate: the corpus is deterministic for a seed, laid out like
// CloudTrail in S3, valid JSON with realistic record sizes and the asked
// fraction of Roles Anywhere records.
func TestGenerate(t *testing.T) {
	cfg := Config{Seed: 3, Files: 3, RecordsPerFile: 800, RolesAnywhereFraction: 0.05}
	a, err := Generate(t.TempDir(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Generate(t.TempDir(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	key := regexp.MustCompile(`AWSLogs/123456789012/CloudTrail/eu-west-2/2026/11/21/123456789012_CloudTrail_eu-west-2_20261121T\d{4}Z_[A-Za-z0-9]{16}\.json\.gz$`)
	kinds := map[string]int{}
	var ra, records int
	for i := range a.Files {
		x, err := os.ReadFile(a.Files[i])
		if err != nil {
			t.Fatal(err)
		}
		y, err := os.ReadFile(b.Files[i])
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between two runs with the same seed", filepath.Base(a.Files[i]))
		}
		if !key.MatchString(filepath.ToSlash(a.Files[i])) {
			t.Errorf("%s is not in the S3 key layout", a.Files[i])
		}
		zr, err := gzip.NewReader(bytes.NewReader(x))
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		var f struct{ Records []map[string]any }
		if err := json.Unmarshal(data, &f); err != nil {
			t.Fatalf("%s: %v", a.Files[i], err)
		}
		for _, r := range f.Records {
			kinds[r["eventSource"].(string)]++
			if r["eventSource"] == "rolesanywhere.amazonaws.com" {
				ra++
			}
		}
		records += len(f.Records)
	}
	if int64(records) != a.Records || records != 3*800 {
		t.Errorf("got %d records, corpus says %d, want %d", records, a.Records, 3*800)
	}
	if avg := a.Bytes / a.Records; avg < 800 || avg > 4000 {
		t.Errorf("average record of %d bytes is not CloudTrail-like", avg)
	}
	if len(kinds) < 7 {
		t.Errorf("only %d event sources: %v", len(kinds), kinds)
	}
	if ra < records*3/100 || ra > records*7/100 {
		t.Errorf("%d Roles Anywhere records of %d, want about 5%%", ra, records)
	}
	var sessions int64
	for _, n := range a.Expected {
		sessions += n
	}
	if sessions != int64(ra) {
		t.Errorf("expected verdicts cover %d sessions, want %d", sessions, ra)
	}
	if a.Calls != 0 {
		t.Errorf("%d later calls without CallsFraction", a.Calls)
	}
	if fi, err := os.Stat(filepath.Join(a.Dir, "env-sha1sum-db.json")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("seed database: %v, %v", fi, err)
	}
}

// TestGenerateCalls: with CallsFraction, later calls of legit sessions
// made with the workloads' roles, which detect --sessions finds legit and
// permissions generate turns into s3:GetObject on the objects.
func TestGenerateCalls(t *testing.T) {
	c, err := Generate(t.TempDir(), Config{Seed: 5, Files: 2, RecordsPerFile: 1000, CallsFraction: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	if c.Calls < 150 || c.Calls > 250 {
		t.Fatalf("%d later calls in 2000 records, want about 200", c.Calls)
	}
	var found int64
	for _, p := range c.Files {
		zr, err := gzip.NewReader(bytes.NewReader(must(os.ReadFile(p))))
		if err != nil {
			t.Fatal(err)
		}
		var f struct {
			Records []struct {
				EventName    string
				UserIdentity struct {
					Type, Arn      string
					SessionContext struct {
						SourceIdentity string
						Attributes     struct{ CreationDate time.Time }
					}
				}
			}
		}
		if err := json.NewDecoder(zr).Decode(&f); err != nil {
			t.Fatal(err)
		}
		for _, r := range f.Records {
			u := r.UserIdentity
			if u.Type != "AssumedRole" || !strings.HasPrefix(u.SessionContext.SourceIdentity, "CN=") {
				continue
			}
			found++
			cn := strings.TrimPrefix(u.SessionContext.SourceIdentity, "CN=")
			parts := strings.Split(u.Arn, "/")
			var w *Workload
			for i := range c.Workloads {
				if c.Workloads[i].Identity == cn {
					w = &c.Workloads[i]
				}
			}
			if w == nil || parts[1] != "workload-"+cn[:8] || r.EventName != "GetObject" {
				t.Fatalf("call %+v: not a workload's GetObject with its role", r)
			}
			code, _ := totp.Code(w.Key, u.SessionContext.Attributes.CreationDate, totp.Options{})
			if parts[2] != code {
				t.Fatalf("call %+v: session %s is not the code %s at its creation", r, parts[2], code)
			}
		}
	}
	if found != c.Calls {
		t.Fatalf("found %d calls, corpus says %d", found, c.Calls)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
