// Package swtpmtest starts a software TPM (swtpm) for tests: a fresh TPM
// state in a temporary directory, a Unix socket server and its control
// socket next to it (PATH and PATH.ctrl, as tpm2-tools' swtpm: TCTI expects),
// stopped when the test ends. It is imported by tests only.
package swtpmtest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TPM is a running swtpm.
type TPM struct {
	// Socket is the server socket path.
	Socket string
	// Dir is the state directory.
	Dir string
}

// Device is the spec for tpm.Open: "unix:" + Socket.
func (t *TPM) Device() string { return "unix:" + t.Socket }

// TCTI is the tpm2-tools / tpm2-openssl TCTI string: "swtpm:path=" + Socket.
func (t *TPM) TCTI() string { return "swtpm:path=" + t.Socket }

// Env are the environment variables that point tpm2-tools and OpenSSL's
// tpm2 provider at this TPM.
func (t *TPM) Env() []string {
	return []string{"TPM2TOOLS_TCTI=" + t.TCTI(), "TPM2OPENSSL_TCTI=" + t.TCTI()}
}

// Need skips the test when swtpm is not installed, or fails it when CI is
// set (CI installs every peer).
func Need(t testing.TB, tools ...string) {
	t.Helper()
	for _, tool := range append([]string{"swtpm"}, tools...) {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s not installed (CI installs swtpm, swtpm-tools, tpm2-tools, tpm2-openssl): %v", tool, err)
			}
			t.Skipf("%s not installed: %v", tool, err)
		}
	}
}

// Start starts a fresh swtpm (see Need) and stops it at the end of the test.
func Start(t testing.TB) *TPM {
	t.Helper()
	Need(t)
	dir := t.TempDir()
	if len(dir) > 80 {
		// A Unix socket path is limited to about 100 bytes.
		var err error
		if dir, err = os.MkdirTemp("", "swtpm"); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(dir) })
	}
	sim, stop, err := Launch(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return sim
}

// StartTCP starts a fresh swtpm serving TCP on loopback (the server port
// and the control port next to it, as tpm2-tools' swtpm: TCTI expects) and
// returns its "mssim:127.0.0.1:PORT" device spec; stopped at the end of
// the test.
func StartTCP(t testing.TB) string {
	t.Helper()
	Need(t)
	for attempt := 0; attempt < 5; attempt++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		dir := t.TempDir()
		cmd := exec.Command("swtpm", "socket", "--tpm2",
			"--server", fmt.Sprintf("type=tcp,port=%d,bindaddr=127.0.0.1", port),
			"--ctrl", fmt.Sprintf("type=tcp,port=%d,bindaddr=127.0.0.1", port+1),
			"--tpmstate", "dir="+dir, "--flags", "not-need-init,startup-clear")
		if err := cmd.Start(); err != nil {
			t.Fatalf("start swtpm: %v", err)
		}
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		stop := func() { cmd.Process.Kill(); <-done }
		addr := fmt.Sprintf("127.0.0.1:%d", port)
		for i := 0; i < 300; i++ {
			select {
			case <-done:
				i = 300 // exited (port taken?): try another port
				continue
			default:
			}
			if c, err := net.Dial("tcp", addr); err == nil {
				c.Close()
				t.Cleanup(stop)
				return "mssim:" + addr
			}
			time.Sleep(10 * time.Millisecond)
		}
		stop()
	}
	t.Fatal("swtpm did not listen on TCP")
	return ""
}

// Launch starts a fresh swtpm with its state, sockets and log in dir (keep
// the path short: a Unix socket path is limited to about 100 bytes) and
// returns it with the function that stops it. For test harnesses without
// a testing.TB (testscript commands).
func Launch(dir string) (*TPM, func(), error) {
	state := filepath.Join(dir, "state")
	if err := os.Mkdir(state, 0o700); err != nil {
		return nil, nil, err
	}
	sock := filepath.Join(dir, "tpm.sock")
	cmd := exec.Command("swtpm", "socket", "--tpm2",
		"--server", "type=unixio,path="+sock,
		"--ctrl", "type=unixio,path="+sock+".ctrl",
		"--tpmstate", "dir="+state,
		"--flags", "not-need-init,startup-clear")
	log, err := os.Create(filepath.Join(dir, "swtpm.log"))
	if err != nil {
		return nil, nil, err
	}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		log.Close()
		return nil, nil, fmt.Errorf("start swtpm: %w", err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	stop := func() {
		cmd.Process.Kill()
		<-done
		log.Close()
	}
	for i := 0; ; i++ {
		c, err := net.Dial("unix", sock)
		if err == nil {
			c.Close()
			break
		}
		select {
		case <-done:
			b, _ := os.ReadFile(log.Name())
			stop()
			return nil, nil, fmt.Errorf("swtpm exited: %s", b)
		default:
		}
		if i > 500 {
			stop()
			return nil, nil, fmt.Errorf("swtpm did not listen on %s: %v", sock, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return &TPM{Socket: sock, Dir: dir}, stop, nil
}
