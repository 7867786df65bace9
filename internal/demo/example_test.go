package demo_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"

	"github.com/acme-signing-helper/acme-signing-helper/internal/demo"
	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
)

// Run the demo without TOTP and keep the printout; main passes its own
// enroll identity and detect printer in the two function options.
func ExampleRun() {
	var out bytes.Buffer
	err := demo.Run(context.Background(), demo.Options{
		Domain: "host.example.com", KeyType: testpki.ECDSAP256, DurationSeconds: 3600, NoTOTP: true,
		Stdout: &out,
	})
	if err != nil {
		panic(err)
	}
	sc := bufio.NewScanner(&out)
	sc.Scan()
	fmt.Println(sc.Text())
	// Output:
	// acme-signing-helper demo: an offline CreateSession round trip; nothing leaves this machine.
}
