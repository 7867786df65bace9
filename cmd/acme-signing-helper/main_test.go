package main

import (
	"os"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets testscript run the binary (and the test-only helper
// commands of testcmds_test.go) as subprocesses of the test binary.
func TestMain(m *testing.M) {
	// Under go test -race every exec of a script is a race-enabled binary,
	// which sleeps GORACE's atexit_sleep_ms (1 s by default) before it
	// exits: about 300 execs made this package take ~95 s instead of ~30.
	// testscript passes GORACE on to the commands (races are still
	// reported; only the wait for late goroutines is shortened).
	if !strings.Contains(os.Getenv("GORACE"), "atexit_sleep_ms") {
		os.Setenv("GORACE", strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=10"))
	}
	testscript.Main(m, map[string]func(){
		progName:  func() { installTestHooks(); os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
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
