package signer_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/signer"
)

// Load finds lego's files, checks them, and CreateSession exchanges them
// for temporary credentials. Errors carry facts to match with errors.Is
// and errors.As; the caller words the fix.
func Example() {
	m, err := signer.Load(signer.LoadOptions{AcmeDir: "/etc/lego", Domain: "host.example.com"})
	if err != nil {
		var le *signer.LayoutError
		if errors.As(err, &le) {
			fmt.Println("no certificate for", le.Domain, "; looked at", le.Tried)
		}
		return
	}
	for _, w := range m.Warnings {
		fmt.Println("warning:", w)
	}
	creds, err := signer.CreateSession(context.Background(), m, signer.Config{
		TrustAnchorARN: "arn:aws:rolesanywhere:eu-west-2:123456789012:trust-anchor/9fc0e3fb-c8a5-48dc-b457-f72d1c5f3cc5",
		ProfileARN:     "arn:aws:rolesanywhere:eu-west-2:123456789012:profile/603ae19d-ec74-405d-85d1-dcd5f1ab5f17",
		RoleARN:        "arn:aws:iam::123456789012:role/my_custom_role_01",
		// The session name is computed at signing time, e.g. a TOTP code.
		SessionName: func(t time.Time) (string, error) { return fmt.Sprintf("%06d", t.Unix()/30%1e6), nil },
	})
	switch {
	case errors.Is(err, signer.ErrUntrustedCertificate):
		fmt.Println("check the trust anchor's CA bundle")
	case err != nil:
		fmt.Println(err)
	default:
		fmt.Println(creds) // never prints the secret key or token
	}
}
