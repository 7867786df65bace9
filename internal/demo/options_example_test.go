package demo_test

import (
	"errors"
	"fmt"

	"github.com/acme-signing-helper/acme-signing-helper/internal/demo"
)

// With fingerprint sources the session name is their TOTP code, so a
// session name of the caller's is refused; OptionError names the option.
func ExampleOptions_Validate() {
	o := demo.Options{Domain: "host.example.com", KeyType: "p256", DurationSeconds: 3600,
		Fingerprints: []string{"machine-id"}, RoleSessionName: "app1"}
	var oe *demo.OptionError
	if err := o.Validate(); errors.As(err, &oe) {
		fmt.Println(oe.Option, errors.Is(err, demo.ErrExclusive))
	}
	// Output: role-session-name true
}
