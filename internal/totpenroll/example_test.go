package totpenroll_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
	"github.com/acme-signing-helper/acme-signing-helper/internal/totpenroll"
	"github.com/acme-signing-helper/acme-signing-helper/internal/totpkey"
)

// totp enroll checks its options, finds the workload's certificate and
// stores the fingerprint's key under the certificate's identity. Without
// a database the one entry is returned to be printed (it holds the seed:
// clear it after use). The fingerprint is one file, so the seed is its
// SHA-1 (sha1sum prints the same hex).
func ExampleRun() {
	dir, err := os.MkdirTemp("", "totpenroll-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	h, err := testpki.New(testpki.Options{Leaf: testpki.LeafOptions{DNSNames: []string{"host.example.com"}}})
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := h.WriteLego(dir, "host.example.com"); err != nil { // lego's --path
		fmt.Println(err)
		return
	}
	monkey := filepath.Join(dir, "monkey.jpg")
	if err := os.WriteFile(monkey, []byte("not really a picture"), 0o644); err != nil {
		fmt.Println(err)
		return
	}

	o := totpenroll.Options{
		Key:     totpkey.Source{Fingerprints: []string{"file:" + monkey}},
		ACMEDir: dir, Domain: "host.example.com",
	}
	if err := o.Check(); err != nil {
		fmt.Println(err)
		return
	}
	res, err := totpenroll.Run(o)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Identity)
	fmt.Printf("%s\n", res.Entry)
	clear(res.Entry)

	// --replace without a database has nothing to replace.
	o.Replace = true
	fmt.Println(o.Check())
	// Output:
	// CN=host.example.com
	// [
	//   {"CN=host.example.com": "deaabdb02c825d2f83ea1848151174e6a473265e"}
	// ]
	// replacing a stored seed needs a seeds database
}
