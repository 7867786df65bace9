package doctor_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/acme-signing-helper/acme-signing-helper/doctor"
	"github.com/acme-signing-helper/acme-signing-helper/signer"
)

// Run checks lego's files for a domain and the request settings, without
// contacting the endpoint; the caller prints the report, wording a fix from
// Err where the doctor left Fix empty.
func ExampleRun() {
	rep := doctor.Run(context.Background(), doctor.Inputs{
		Load: signer.LoadOptions{AcmeDir: "/nonexistent/lego", Domain: "host.example.com"},
		Config: signer.Config{
			TrustAnchorARN: "arn:aws:rolesanywhere:eu-west-2:123456789012:trust-anchor/9fc0e3fb-c8a5-48dc-b457-f72d1c5f3cc5",
			ProfileARN:     "arn:aws:rolesanywhere:eu-west-2:123456789012:profile/603ae19d-ec74-405d-85d1-dcd5f1ab5f17",
			RoleARN:        "arn:aws:iam::123456789012:role/my_custom_role_01",
		},
		Offline: true,
	})
	for _, c := range rep.Checks {
		fmt.Println(c.Status, c.Name)
	}
	c, _ := rep.Check("files")
	var le *signer.LayoutError
	if errors.As(c.Err, &le) {
		fmt.Println("no certificate for", le.Domain, "in", le.Dir)
	}
	fmt.Println("ok:", rep.OK)
	// Output:
	// FAIL files
	// SKIP permissions
	// SKIP key
	// SKIP subject
	// SKIP key-usage
	// SKIP validity
	// SKIP chain
	// SKIP eku
	// PASS arns
	// SKIP fingerprint
	// SKIP clock
	// SKIP call
	// no certificate for host.example.com in /nonexistent/lego
	// ok: false
}
