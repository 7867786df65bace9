package audit_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/acme-signing-helper/acme-signing-helper/audit"
	"github.com/acme-signing-helper/acme-signing-helper/totp"
)

// Detect checks a CloudTrail log file against the seed database, the way
// the seed's mismatch-detection script checks one event.
func ExampleDetect() {
	dir, _ := os.MkdirTemp("", "audit-example")
	defer os.RemoveAll(dir)
	// The seed of foo.not-your-co.com is sha1sum of its fingerprint file.
	db, _ := audit.ParseDB([]byte(`[{"CN=foo.not-your-co.com": "1da356b5273ffde77ff8cde6ec18f47cbc2cf48a"}]`))
	log := filepath.Join(dir, "trail.json")
	os.WriteFile(log, []byte(`{"Records":[
{"eventTime":"2026-11-21T19:49:41Z","eventSource":"rolesanywhere.amazonaws.com","eventName":"CreateSession","requestParameters":{"roleSessionName":"799040"},"responseElements":{"x509Subject":"CN=foo.not-your-co.com"}},
{"eventTime":"2026-11-21T19:49:45Z","eventSource":"rolesanywhere.amazonaws.com","eventName":"CreateSession","requestParameters":{"roleSessionName":"428306"},"responseElements":{"x509Subject":"CN=foo.not-your-co.com"}},
{"eventTime":"2026-11-21T19:50:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject"}
]}`), 0o600)

	results, _, err := audit.Detect(context.Background(), []string{log}, audit.Options{}, &audit.Checker{DB: db, Policy: totp.SeedScriptPolicy})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range results {
		fmt.Println(r.Verdict, r.Identity, r.SessionName)
	}
	// Output:
	// legit foo.not-your-co.com 799040
	// mismatch foo.not-your-co.com 428306
}
