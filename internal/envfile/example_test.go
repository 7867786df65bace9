package envfile_test

import (
	"fmt"
	"strings"

	"github.com/acme-signing-helper/acme-signing-helper/internal/envfile"
)

func ExampleParse() {
	settings, err := envfile.Parse(strings.NewReader("# lego's files\nACME_SIGNING_HELPER_ACME_DIR=/etc/lego\nexport ACME_SIGNING_HELPER_DOMAIN=\"host.example.com\"\n"), "settings.env")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range settings {
		fmt.Printf("line %d: %s=%s\n", s.Line, s.Key, s.Value)
	}
	// Output:
	// line 2: ACME_SIGNING_HELPER_ACME_DIR=/etc/lego
	// line 3: ACME_SIGNING_HELPER_DOMAIN=host.example.com
}
