package credentials

import (
	"bytes"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/signer"
)

// FuzzProcessJSON: the hand-written credential_process output is
// signer.Credentials.ProcessJSON's, byte for byte, for any strings and
// times (stdout is a contract).
func FuzzProcessJSON(f *testing.F) {
	f.Add("ASIAEXAMPLE12345678", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "IQoJb3JpZ2luX2VjE+/=", int64(1795000000), int64(0))
	f.Add("A<B", `s"\`, "t&\u2028\x00", int64(-62135596800), int64(1))
	f.Add("", "", "", int64(253402300800), int64(999999999))
	f.Add("é", "\xff", "tab\there", int64(0), int64(5))
	f.Fuzz(func(t *testing.T, id, secret, token string, sec, nsec int64) {
		c := signer.Credentials{AccessKeyID: id, SecretAccessKey: secret, SessionToken: token, Expiration: time.Unix(sec, nsec)}
		want, werr := c.ProcessJSON()
		got, gerr := ProcessJSON(c)
		if (werr == nil) != (gerr == nil) || !bytes.Equal(got, want) {
			t.Fatalf("ProcessJSON = %q, %v; signer's = %q, %v", got, gerr, want, werr)
		}
	})
}
