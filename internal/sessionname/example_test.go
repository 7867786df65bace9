package sessionname_test

import (
	"fmt"

	"github.com/acme-signing-helper/acme-signing-helper/internal/sessionname"
)

func ExampleValid() {
	fmt.Println(sessionname.Valid("123456")) // a TOTP code
	fmt.Println(sessionname.Valid("host 1")) // a space
	fmt.Println(sessionname.Valid("x"))      // too short
	// Output:
	// true
	// false
	// false
}
