package totp_test

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/totp"
)

// The seeds' gen-creds.sh: oathtool --totp $(sha1sum FILE). With a seed in
// hand (here RFC 6238's test key), Code gives what oathtool prints.
func ExampleCode() {
	key, err := totp.ParseHexKey("3132333435363738393031323334353637383930")
	if err != nil {
		panic(err)
	}
	code, err := totp.Code(key, time.Unix(59, 0), totp.Options{})
	if err != nil {
		panic(err)
	}
	fmt.Println(code)
	// Output: 287082
}

// detect's check of a CloudTrail CreateSession record: the code is legit
// when it belongs to the step of the event time or one of the two before.
func ExampleVerifyWithPolicy() {
	key, _ := totp.ParseHexKey("3132333435363738393031323334353637383930")
	signed := time.Date(2026, 11, 21, 19, 49, 42, 0, time.UTC)
	code, _ := totp.Code(key, signed, totp.Options{})

	for _, delay := range []time.Duration{time.Second, 50 * time.Second, 2 * time.Minute} {
		res, err := totp.VerifyWithPolicy(key, code, signed.Add(delay), totp.SeedScriptPolicy)
		fmt.Println(delay, res.Matched, err)
	}
	// Output:
	// 1s true <nil>
	// 50s true <nil>
	// 2m0s false <nil>
}

// Fingerprint sources are read from a System; tests point it at a fake
// root. One file: source alone gives sha1sum's key.
func ExampleDeriveKeyFromSpecs() {
	sys := &totp.System{Root: "testdata/root"}
	key, err := totp.DeriveKeyFromSpecs(sys, []string{"machine-id"})
	if err != nil {
		panic(err)
	}
	fmt.Println(key, len(key.Hex()))
	// Output: [redacted] 40
}

// credential-process --fingerprint: the role session name is the TOTP code
// of the signing time, and the workload's identity in the seeds database
// is the certificate's CN.
func ExampleSessionName() {
	key, _ := totp.ParseHexKey("3132333435363738393031323334353637383930")
	name, err := totp.SessionName(key, time.Unix(59, 0), 0)
	if err != nil {
		panic(err)
	}
	leaf := &x509.Certificate{Subject: pkix.Name{CommonName: "host.example.com"}}
	id, _ := totp.CertificateIdentity(leaf)
	fmt.Println(id, name)
	// Output: CN=host.example.com 287082
}
