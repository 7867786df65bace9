// Command acme-signing-helper turns an ACME certificate into temporary AWS
// credentials through IAM Roles Anywhere. See the README for the commands.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
