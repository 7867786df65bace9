package main

import (
	"fmt"
	"runtime/debug"
)

func runVersion(e *env, args []string) error {
	fs := newFlagSet(e, "version", "[flags]\n\nPrint the version and the VCS revision this program was built from.")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("version takes no arguments", "version: unexpected argument %q", fs.Arg(0))
	}
	version, revision, modified := "(devel)", "unknown", ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" {
			version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				revision = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					modified = " (modified)"
				}
			}
		}
	}
	_, err := fmt.Fprintf(e.stdout, "acme-signing-helper %s revision %s%s\n", version, revision, modified)
	return err
}
