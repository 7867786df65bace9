package dropin_test

import (
	"fmt"

	"github.com/acme-signing-helper/acme-signing-helper/internal/dropin"
)

// A command refuses a password flag before parsing, naming the flag only.
func ExamplePasswordFlag() {
	if name, ok := dropin.PasswordFlag([]string{"--certificate", "c.pem", "--pkcs8-password=hunter2"}); ok {
		fmt.Printf("--%s: key passwords are not accepted as flag values\n", name)
	}
	// Output: --pkcs8-password: key passwords are not accepted as flag values
}
