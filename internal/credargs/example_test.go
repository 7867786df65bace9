package credargs_test

import (
	"fmt"

	"github.com/spf13/pflag"

	"github.com/acme-signing-helper/acme-signing-helper/internal/credargs"
)

// A command with its own --format passes on the credential-process flags
// in effect; here one came from the command line and one from the
// environment (set on the layered flag set only).
func ExamplePassOn() {
	build := func() *pflag.FlagSet {
		fs := pflag.NewFlagSet("record", pflag.ContinueOnError)
		fs.String("config", "", "settings `FILE`")
		fs.String("format", "policy", "output `FORMAT`")
		fs.String("region", "", "signing `REGION`")
		fs.String("role-arn", "", "role `ARN`")
		return fs
	}
	args := []string{"--format", "json", "--region", "eu-west-2"}
	given, all := build(), build()
	_ = given.Parse(args)
	_ = all.Parse(args)
	_ = all.Set("role-arn", "arn:aws:iam::123456789012:role/app") // from the environment
	fmt.Println(credargs.PassOn(given, all, map[string]bool{"format": true}))
	fmt.Println(credargs.AnySet(all, func(name string) bool { return name != "format" }))
	// Output:
	// [--region eu-west-2 --role-arn arn:aws:iam::123456789012:role/app]
	// true
}
