package iamdata_test

import (
	"fmt"

	"github.com/acme-signing-helper/acme-signing-helper/internal/iamdata"
)

func Example() {
	d := iamdata.MustLoad()
	a, ok := d.Action("s3:listbucket")
	fmt.Println(a, a.Group(), ok)
	_, ok = d.Action("sts:AssumeRoles")
	fmt.Println("sts:AssumeRoles", ok)
	fmt.Println(a.SupportsConditionKey("s3:prefix"))
	// Output:
	// s3:ListBucket List true
	// sts:AssumeRoles false
	// true
}
