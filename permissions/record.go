package permissions

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/credentials"
	"github.com/acme-signing-helper/acme-signing-helper/internal/atomicfile"
)

// RecordProfile is the AWS config profile Record writes when the command
// gets its credentials from a credential_process.
const RecordProfile = "acme-signing-helper-record"

// DefaultQuiet is a RecordOptions.Quiet that catches what SDKs send as
// they exit.
const DefaultQuiet = 200 * time.Millisecond

// RecordOptions configure Record.
type RecordOptions struct {
	// Env is the command's environment; Record adds AWS_CSM_ENABLED,
	// AWS_CSM_HOST and AWS_CSM_PORT (and, with CredentialProcess,
	// AWS_CONFIG_FILE, AWS_PROFILE and AWS_SDK_LOAD_CONFIG).
	Env []string
	// CredentialProcess, when set, is the argv (program first) of the
	// credential_process the command's SDK gets its credentials from:
	// Record writes a config file with profile RecordProfile, 0600 in a
	// 0700 temporary directory removed when Record returns.
	CredentialProcess []string
	// Stdin, Stdout and Stderr are the command's.
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Quiet: after the command exits, datagrams are read until none came
	// for Quiet (0: only those already queued; DefaultQuiet is the CLI's).
	Quiet time.Duration
	// Started, if set, is called with the CSM address before the command
	// starts.
	Started func(addr string)
}

// Recording is what Record observed.
type Recording struct {
	// Result is the policy of the command's ApiCall datagrams.
	*Result
	Stats CSMStats
	// ExitCode is the command's exit status: a command that failed made
	// calls all the same, and they are recorded.
	ExitCode int
}

// CommandError is a command Record could not run (not found, not
// executable).
type CommandError struct {
	Name string
	Err  error
}

func (e *CommandError) Error() string { return fmt.Sprintf("run %q: %v", e.Name, e.Err) }
func (e *CommandError) Unwrap() error { return e.Err }

// ProcessLineError is a CredentialProcess that a credential_process line
// cannot carry (a line break or NUL in a word, an empty program).
type ProcessLineError struct{ Err error }

func (e *ProcessLineError) Error() string { return e.Err.Error() }
func (e *ProcessLineError) Unwrap() error { return e.Err }

// Record runs command with client-side monitoring on, its datagrams sent
// to a Listener on an ephemeral loopback port, and returns the policy of
// the calls its SDK reported. The command's own exit status is in the
// Recording, not an error.
func Record(ctx context.Context, command []string, o RecordOptions) (*Recording, error) {
	env := o.Env
	if o.CredentialProcess != nil {
		cfg, cleanup, err := writeProfile(o.CredentialProcess)
		if err != nil {
			return nil, err
		}
		defer cleanup()
		env = append(env[:len(env):len(env)], "AWS_CONFIG_FILE="+cfg, "AWS_PROFILE="+RecordProfile, "AWS_SDK_LOAD_CONFIG=1")
	}
	l, err := Listen("127.0.0.1:0", ListenOptions{})
	if err != nil {
		return nil, err
	}
	defer l.Close()
	sctx, stop := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- l.Serve(sctx) }()
	port := strconv.Itoa(int(l.Addr().Port()))
	c := exec.CommandContext(ctx, command[0], command[1:]...)
	c.Env = append(env[:len(env):len(env)], "AWS_CSM_ENABLED=true", "AWS_CSM_HOST=127.0.0.1", "AWS_CSM_PORT="+port)
	c.Stdin, c.Stdout, c.Stderr = o.Stdin, o.Stdout, o.Stderr
	if o.Started != nil {
		o.Started("127.0.0.1:" + port)
	}
	runErr := c.Run()
	stop()
	if err := <-served; err != nil {
		return nil, fmt.Errorf("read datagrams: %w", err)
	}
	l.Drain(o.Quiet)
	rec := &Recording{Stats: l.Stats()}
	var xe *exec.ExitError
	switch {
	case errors.As(runErr, &xe):
		rec.ExitCode = xe.ExitCode()
	case runErr != nil:
		return nil, &CommandError{Name: command[0], Err: runErr}
	}
	rec.Result = l.Result()
	return rec, nil
}

// writeProfile writes an AWS config file (0600, in a 0700 temporary
// directory) whose profile RecordProfile runs argv as its
// credential_process.
func writeProfile(argv []string) (path string, cleanup func(), err error) {
	line, err := credentials.CredentialProcessLine(argv)
	if err != nil {
		return "", nil, &ProcessLineError{Err: err}
	}
	dir, err := os.MkdirTemp("", "acme-signing-helper-record-")
	if err != nil {
		return "", nil, err
	}
	cleanup = func() { os.RemoveAll(dir) }
	path = filepath.Join(dir, "config")
	if err := atomicfile.Write(path, []byte(credentials.ConfigProfile(RecordProfile, line)), 0o600, nil); err != nil {
		cleanup()
		return "", nil, err
	}
	return path, cleanup, nil
}

// Collect serves l until ctx is done (Serve), and on each value received
// from flush calls save with the result so far (permissions listen
// writes its output file on SIGHUP).
func (l *Listener) Collect(ctx context.Context, flush <-chan os.Signal, save func(*Result)) error {
	served := make(chan error, 1)
	go func() { served <- l.Serve(ctx) }()
	for {
		select {
		case <-flush:
			save(l.Result())
		case err := <-served:
			return err
		}
	}
}
