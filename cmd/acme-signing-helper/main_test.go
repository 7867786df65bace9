package main

import (
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets testscript run the binary (and the test-only helper
// commands of testcmds_test.go) as subprocesses of the test binary.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		progName:  func() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
		"testpki": func() { os.Exit(testpkiMain(os.Args[1:])) },
	})
}

// TestScripts runs testdata/script/*.txtar: each covers a command's
// success, usage errors and hints.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Cmds:                scriptCmds,
	})
}
