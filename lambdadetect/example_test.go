package lambdadetect_test

import (
	"fmt"

	"github.com/acme-signing-helper/acme-signing-helper/lambdadetect"
)

// Only CloudTrail log files are read from the trail bucket; digest files
// and anything else in it are skipped.
func ExampleIsTrailLogKey() {
	for _, k := range []string{
		"AWSLogs/123456789012/CloudTrail/eu-west-2/2026/11/21/123456789012_CloudTrail_eu-west-2_20261121T1950Z_abc.json.gz",
		"AWSLogs/o-abc123/123456789012/CloudTrail/eu-west-2/2026/11/21/123456789012_CloudTrail_eu-west-2_20261121T1950Z_abc.json.gz",
		"AWSLogs/123456789012/CloudTrail-Digest/eu-west-2/2026/11/21/123456789012_CloudTrail-Digest_eu-west-2_x.json.gz",
	} {
		fmt.Println(lambdadetect.IsTrailLogKey(k))
	}
	// Output:
	// true
	// true
	// false
}
