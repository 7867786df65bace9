package main

import (
	"fmt"

	"github.com/acme-signing-helper/acme-signing-helper/internal/version"
)

func runVersion(e *env, args []string) error {
	fs := newFlagSet(e, "version", "[flags]\n\nPrint the version and the VCS revision this program was built from.")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("version takes no arguments", "version: unexpected argument %q", fs.Arg(0))
	}
	_, err := fmt.Fprintf(e.stdout, "acme-signing-helper %s\n", version.Read())
	return err
}
