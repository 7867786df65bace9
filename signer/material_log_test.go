package signer

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
)

// TestMaterialLogAttrs: the debug facts of loaded material name its files
// and certificate, never the key.
func TestMaterialLogAttrs(t *testing.T) {
	m := loadPlain(t, newPKI(t, testpki.Options{}))
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("loaded certificate", m.LogAttrs()...)
	out := buf.String()
	for _, want := range []string{"layout=explicit", "certificate=" + m.CertificatePath, "serial=" + m.Leaf.SerialNumber.String(), "algorithm=" + m.Algorithm} {
		if !strings.Contains(out, want) {
			t.Errorf("log %q lacks %q", out, want)
		}
	}
	if strings.Contains(out, "PRIVATE KEY") || strings.Contains(out, "!BADKEY") {
		t.Errorf("log %q holds key material or a malformed pair", out)
	}
}
