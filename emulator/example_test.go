package emulator_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"

	"github.com/acme-signing-helper/acme-signing-helper/emulator"
	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
	"github.com/acme-signing-helper/acme-signing-helper/signer"
)

// Example runs the emulator with httptest and gets credentials from it
// through package signer, then reads the CloudTrail record it wrote.
func Example() {
	h, err := testpki.New(testpki.Options{})
	if err != nil {
		panic(err)
	}
	dir, err := os.MkdirTemp("", "emulator-example-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	files, err := h.WriteLego(dir, "host.example.com")
	if err != nil {
		panic(err)
	}

	var trail bytes.Buffer
	em, err := emulator.New(emulator.Config{
		AnchorCerts: []*x509.Certificate{h.Root.Cert}, // the trust anchor
		CloudTrail:  &trail,
	})
	if err != nil {
		panic(err)
	}
	ts := httptest.NewServer(em)
	defer ts.Close()

	m, err := signer.Load(signer.LoadOptions{Certificate: files.Certificate, PrivateKey: files.Key})
	if err != nil {
		panic(err)
	}
	r, a := emulator.DefaultRegion, emulator.DefaultAccountID
	creds, err := signer.CreateSession(context.Background(), m, signer.Config{
		TrustAnchorARN:  emulator.DefaultTrustAnchorARN(r, a),
		ProfileARN:      emulator.DefaultProfileARN(r, a),
		RoleARN:         emulator.DefaultRoleARN(r, a),
		Endpoint:        ts.URL,
		RoleSessionName: "123456",
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("access key ID starts with", creds.AccessKeyID[:4])

	var rec emulator.Record
	if err := json.Unmarshal(trail.Bytes(), &rec); err != nil {
		panic(err)
	}
	fmt.Println(rec.EventName, rec.ResponseElements.X509Subject, *rec.RequestParameters.RoleSessionName)
	fmt.Println("calls:", em.Calls())
	// Output:
	// access key ID starts with ASIA
	// CreateSession CN=host.example.com 123456
	// calls: 1
}
