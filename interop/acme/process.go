package acme

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Process is a server the harness started in its own process group.
type Process struct {
	Name    string
	LogPath string // stdout and stderr of the process

	cmd  *exec.Cmd
	done chan struct{}
	err  error // of Wait, valid once done is closed
}

// startProcess starts bin in a new process group with env (a complete
// environment), writing its output to logPath.
func startProcess(name, logPath string, env []string, bin string, args ...string) (*Process, error) {
	logf, err := os.OpenFile(logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open %s log: %w", name, err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = procAttr()
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &Process{Name: name, LogPath: logPath, cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		logf.Close()
		close(p.done)
	}()
	return p, nil
}

// Exited reports whether the process has ended.
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Stop kills the process group and waits for the process to end.
func (p *Process) Stop() {
	if p == nil || p.cmd == nil || p.cmd.Process == nil {
		return
	}
	if !p.Exited() {
		killGroup(p.cmd.Process)
	}
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
	}
}

// Log returns the last max bytes the process wrote.
func (p *Process) Log(max int) string {
	b, err := os.ReadFile(p.LogPath)
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	if len(b) > max {
		b = b[len(b)-max:]
	}
	return string(b)
}

// waitReady calls ready until it returns nil, the process exits, or the
// timeout passes.
func (p *Process) waitReady(ctx context.Context, timeout time.Duration, ready func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var last error
	for {
		if p.Exited() {
			return fmt.Errorf("%s: %w before it was ready (%v); log:\n%s", p.Name, errProcessExited, p.err, p.Log(2000))
		}
		if last = ready(ctx); last == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s not ready after %s: %w; log:\n%s", p.Name, timeout, last, p.Log(2000))
		case <-p.done:
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// freePort returns a loopback port that is free for TCP and, when udp is
// set, for UDP too. Another process may take it before the server binds it;
// callers retry on errProcessExited.
// A port is never handed out twice in one process, so two servers started
// one after the other do not get the same one.
func freePort(udp bool) (int, error) {
	for range 20 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		port := l.Addr().(*net.TCPAddr).Port
		ok := true
		if udp {
			u, err := net.ListenPacket("udp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
			if err == nil {
				u.Close()
			} else {
				ok = false
			}
		}
		l.Close()
		portsMu.Lock()
		if ports[port] {
			ok = false
		}
		if ok {
			ports[port] = true
		}
		portsMu.Unlock()
		if ok {
			return port, nil
		}
	}
	return 0, errors.New("no free loopback port")
}

var (
	portsMu sync.Mutex
	ports   = map[int]bool{}
)

// childEnv is the environment of every peer: the process's minus AWS_*
// variables and the pebble switches the harness sets itself, with HOME in
// home, plus extra.
func childEnv(home string, extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(k, "AWS_"), strings.HasPrefix(k, "PEBBLE_"), strings.HasPrefix(k, "LEGO_"),
			strings.HasPrefix(k, "EXEC_"), strings.HasPrefix(k, "ACME_SIGNING_HELPER_"), k == "HOME":
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "HOME="+home)
	return append(env, extra...)
}

// retryStart runs start up to three times while it fails because the
// server exited before it was ready (typically a port taken in between).
func retryStart[T any](start func() (T, error)) (T, error) {
	var (
		v   T
		err error
	)
	for range 3 {
		if v, err = start(); err == nil || !errors.Is(err, errProcessExited) {
			return v, err
		}
	}
	return v, err
}
