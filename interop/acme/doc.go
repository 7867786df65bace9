// Package acme runs acme-signing-helper end to end on certificates that a
// real ACME CA issued and a real ACME client wrote to disk: pebble (Let's
// Encrypt's test ACME server) with pebble-challtestsrv as its DNS server, and
// the lego CLI, all three built from the Go module cache at the versions
// pinned in interop/go.mod.
//
// The package holds the harness (BuildTools, StartChallTestSrv, StartPebble,
// Lego) and the tests that use it. The harness builds the peers once per test
// binary, starts them on loopback ports chosen at run time, waits until they
// answer and kills their process groups on Close. Issuance uses the DNS-01
// challenge through lego's exec DNS provider; the exec program is the test
// binary itself (see DNSHookMain), which posts the TXT record to
// challtestsrv's management API. Pebble really validates the challenge
// (PEBBLE_VA_ALWAYS_VALID is removed from its environment), so a record that
// is not served makes issuance fail.
//
// The lego CLI is lego's own code with one exception: lego's command package
// imports every DNS provider it supports (well over a hundred cloud SDKs),
// which would take minutes to download and build. BuildTools therefore builds
// the CLI from a copy of the module in which the generated DNS provider
// registry lists only "exec" and "manual" and the memcached and S3 HTTP-01
// providers are stubs (testdata/legooverlay). Flags, ACME logic, the account
// and certificates/ storage layout are untouched.
//
// Run it alone with
//
//	cd interop && go test -count=1 -v ./acme
//
// (-v prints the peer versions, build and issuance times). The peer binaries
// are kept in interop/bin/acme/ (ignored by git) between runs, keyed by the
// Go version, the module versions and the replaced lego files. Steps that
// need a subcommand our binary does not have yet skip, except under CI=true,
// where they fail.
//
// Security considerations: every key and certificate here is throwaway,
// issued by a pebble CA whose keys live in memory for the length of the run;
// pebble's TLS certificate and the minica root that signs it are the public
// test files shipped in the pebble module. All servers listen on 127.0.0.1
// only. Child processes get a scrubbed environment (no AWS_* variables, HOME
// in a temporary directory), so no credential of the machine can leak into
// a test or out of it.
package acme
