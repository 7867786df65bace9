package suggest_test

import (
	"fmt"

	"github.com/acme-signing-helper/acme-signing-helper/internal/suggest"
)

func ExampleClosest() {
	fmt.Println(suggest.Closest("ACME_SIGNING_HELPER_TRUST_ANCHOR", []string{"ACME_SIGNING_HELPER_TRUST_ANCHOR_ARN", "ACME_SIGNING_HELPER_PROFILE_ARN"}))
	// Output: ACME_SIGNING_HELPER_TRUST_ANCHOR_ARN
}
