package main

import (
	"testing"

	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
)

// plainPKI makes a throwaway PKI and writes it into dir in the plain
// layout (the directory is created).
func plainPKI(t testing.TB, dir string, o testpki.Options) (*testpki.Hierarchy, testpki.Files) {
	t.Helper()
	h, err := testpki.New(o)
	if err != nil {
		t.Fatal(err)
	}
	f, err := h.WritePlain(dir)
	if err != nil {
		t.Fatal(err)
	}
	return h, f
}
