package emulator_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/emulator"
)

// Options hold a standalone emulator's settings as plain values; Validate
// names the option that cannot work and the rule, for the caller to word.
func ExampleOptions_Validate() {
	o := emulator.Options{AnchorFiles: []string{"root.pem"}, Listen: "0.0.0.0:0", Region: "us-east-1", MaxSkew: 5 * time.Minute}
	err := o.Validate()
	var oe *emulator.OptionError
	if errors.As(err, &oe) {
		fmt.Println(oe.Option, errors.Is(err, emulator.ErrNotLoopback))
	}
	o.AllowRemote = true
	fmt.Println(o.Validate())
	// Output:
	// listen true
	// <nil>
}
