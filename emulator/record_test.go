package emulator_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/acme-signing-helper/acme-signing-helper/emulator"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestCloudTrailGolden checks the records of one accepted and one refused
// call with a fixed clock and a seeded random source. The certificate is
// random per run, so its base64 is checked, then replaced by "<cert>".
func TestCloudTrailGolden(t *testing.T) {
	loadPKIs(t)
	s, ct := newServer(t, nil, pkis.ec)
	c := newClient(pkis.ec)
	c.body = `{"durationSeconds":1800,"roleSessionName":"123456"}`
	r := c.request(t, base)
	r.Header.Set("User-Agent", "aws-sdk-go-v2/1.40.0 test")
	r.RemoteAddr = "198.51.100.7:40000"
	if res := serve(t, s, r); res.status != http.StatusCreated {
		t.Fatalf("got %d %s", res.status, res.raw)
	}
	c.body = `{"durationSeconds":99}`
	r = c.request(t, base)
	r.Header.Set("User-Agent", "aws-sdk-go-v2/1.40.0 test")
	r.RemoteAddr = "198.51.100.7:40001"
	if res := serve(t, s, r); res.status != http.StatusBadRequest {
		t.Fatalf("got %d %s", res.status, res.raw)
	}

	cert := base64.StdEncoding.EncodeToString(pkis.ec.Leaf.Cert.Raw)
	if n := strings.Count(ct.String(), `"cert":"`+cert+`"`); n != 2 {
		t.Fatalf("the leaf appears %d times as requestParameters.cert, want 2", n)
	}
	// The serial is random too: it is in the default-free fields only via
	// the certificate, and the subject ARN depends on the fixed names.
	got := strings.ReplaceAll(ct.String(), cert, "<cert>")

	// Each line is one JSON object that round-trips through Record.
	for i, line := range strings.Split(strings.TrimSuffix(got, "\n"), "\n") {
		var rec emulator.Record
		dec := json.NewDecoder(strings.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&rec); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(rec); err != nil {
			t.Fatal(err)
		}
		if strings.TrimSpace(buf.String()) != line {
			t.Errorf("line %d does not round-trip:\n%s\n%s", i+1, line, buf.String())
		}
	}
	if regexp.MustCompile(`(?i)secretAccessKey|sessionToken`).MatchString(got) {
		t.Errorf("a record names a secret field:\n%s", got)
	}

	path := filepath.Join("testdata", "cloudtrail.golden.jsonl")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("CloudTrail records differ from %s (run with -update after checking):\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}
