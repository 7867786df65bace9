package credentials_test

import (
	"errors"
	"fmt"

	"github.com/acme-signing-helper/acme-signing-helper/credentials"
)

// A port given on its own replaces the listen address by 127.0.0.1:PORT;
// given together with a listen address, Check refuses it.
func ExampleServeOptions_Check() {
	o := credentials.ServeOptions{Listen: credentials.DefaultAddr, Port: 1338, HopLimit: 1, RefreshMargin: credentials.DefaultRefreshMargin}
	fmt.Println(o.Check(false, true), o.Listen)
	err := o.Check(true, true)
	fmt.Println(errors.Is(err, credentials.ErrPortAndListen))
	// Output:
	// <nil> 127.0.0.1:1338
	// true
}
