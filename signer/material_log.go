package signer

import (
	"strings"
	"time"
)

// LogAttrs are the facts of m for a debug log, as slog key-value pairs:
// where the files were found, the leaf's subject, serial and expiry, the
// chain's length and the key's algorithm. They name the key by its file
// only: no key material, no password.
func (m *Material) LogAttrs() []any {
	return []any{"layout", string(m.Layout), "certificate", m.CertificatePath, "private_key", m.PrivateKeyPath,
		"intermediates", strings.Join(m.IntermediatePaths, ","), "subject", m.Leaf.Subject.String(), "serial", m.Leaf.SerialNumber.String(),
		"not_after", m.Leaf.NotAfter.UTC().Format(time.RFC3339), "chain", len(m.Chain), "algorithm", m.Algorithm}
}
