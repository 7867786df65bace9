package credentials_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/credentials"
	"github.com/acme-signing-helper/acme-signing-helper/signer"
)

// A Cache hands out stored credentials while they have more than the margin
// of validity left, and calls the Fetcher (signer.CreateSession in the
// binary) only when they do not, once for any number of concurrent
// processes.
func ExampleCache_Get() {
	dir, _ := os.MkdirTemp("", "cache-example")
	defer os.RemoveAll(dir)
	calls := 0
	fetch := func(ctx context.Context) (signer.Credentials, error) {
		calls++
		return signer.Credentials{AccessKeyID: "ASIAEXAMPLE", SecretAccessKey: "secret", SessionToken: "token", Expiration: time.Now().Add(time.Hour)}, nil
	}
	c := &credentials.Cache{Dir: filepath.Join(dir, "acme-signing-helper")}
	key := credentials.Key("leaf-sha256", "trust-anchor-arn", "profile-arn", "role-arn", "3600")
	for i := 0; i < 3; i++ {
		cr, src, err := c.Get(context.Background(), key, fetch)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(cr.AccessKeyID, src)
	}
	fmt.Println("calls:", calls)
	// Output:
	// ASIAEXAMPLE fetch
	// ASIAEXAMPLE cache
	// ASIAEXAMPLE cache
	// calls: 1
}
