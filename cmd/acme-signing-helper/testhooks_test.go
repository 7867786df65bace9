package main

import "os"

// envKillBeforeRename is a test hook of the scripts (update.txtar): when
// set to 1, update kills itself between writing the new credentials file
// and renaming it into place. It exists only in the test binary, which
// runs the scripts' acme-signing-helper: the production binary has no such
// variable, only the nil updateBeforeRename this sets.
const envKillBeforeRename = envPrefix + "TEST_KILL_BEFORE_RENAME"

// installTestHooks sets the test-only dependencies the environment asks
// for; TestMain calls it before run in the scripts' acme-signing-helper.
func installTestHooks() {
	if os.Getenv(envKillBeforeRename) == "1" {
		updateBeforeRename = func() {
			// SIGKILL on Unix, TerminateProcess on Windows: nothing
			// deferred runs, as in a crash.
			if p, err := os.FindProcess(os.Getpid()); err == nil {
				p.Kill()
			}
			select {}
		}
	}
}
