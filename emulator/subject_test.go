package emulator_test

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/acme-signing-helper/acme-signing-helper/emulator"
)

// TestEmptySubjectAccepted: by default the emulator accepts a leaf
// without a subject (AWS documents no subject rule): the session has an
// ID= source identity and no x509Subject/CN tag. RequireSubject refuses it
// (TestCreateSessionRefused).
func TestEmptySubjectAccepted(t *testing.T) {
	loadPKIs(t)
	s, _ := newServer(t, nil, pkis.empty)
	res := serve(t, s, newClient(pkis.empty).request(t, base))
	if res.status != 201 {
		t.Fatalf("got %d %s, want 201", res.status, res.raw)
	}
	acc, ok := s.LastAccepted()
	if !ok {
		t.Fatal("nothing accepted")
	}
	if want := "ID=" + hex.EncodeToString(pkis.empty.Leaf.Cert.SerialNumber.Bytes()); acc.SourceIdentity != want {
		t.Errorf("source identity %q, want %q", acc.SourceIdentity, want)
	}
	for k := range acc.Input.Request().Context() {
		if strings.Contains(k, "x509Subject/CN") {
			t.Errorf("condition key %s for a certificate without a subject", k)
		}
	}

	strict, _ := newServer(t, func(c *emulator.Config) { c.RequireSubject = true }, pkis.empty)
	if res := serve(t, strict, newClient(pkis.empty).request(t, base)); res.status != 403 || !strings.Contains(res.raw, "subject is empty") {
		t.Errorf("RequireSubject: got %d %s, want 403 naming the empty subject", res.status, res.raw)
	}
}
