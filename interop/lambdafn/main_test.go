package lambdafn

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// bins are built once by TestMain: our binary (from the main module, as
// it ships: CGO_ENABLED=0) and the runtime interface emulator (from this
// module's go.mod, the version issue 17 names).
var bins struct {
	bootstrap, rie string
	err            error
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "lambdafn-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bins.bootstrap, bins.rie = filepath.Join(dir, "bootstrap"), filepath.Join(dir, "aws-lambda-rie")
	if bins.err = goBuild(filepath.Join("..", ".."), bins.bootstrap, "./cmd/acme-signing-helper"); bins.err == nil {
		bins.err = goBuild(".", bins.rie, "github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie")
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func goBuild(dir, out, pkg string) error {
	gobin := filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	if _, err := os.Stat(gobin); err != nil {
		gobin = "go"
	}
	// -tags lambda.norpc as the shipped build (.ci/run, bench/lib.sh): the
	// function speaks only the Runtime API.
	cmd := exec.Command(gobin, "build", "-tags", "lambda.norpc", "-o", out, pkg)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build %s: %w\n%s", pkg, err, stderr.String())
	}
	return nil
}

func needBins(t *testing.T) {
	t.Helper()
	if bins.err != nil {
		t.Fatalf("build: %v", bins.err)
	}
}

// freeAddr returns a free loopback address.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// emulator is one runtime interface emulator running our bootstrap: one
// execution environment.
type emulator struct {
	t    *testing.T
	addr string
	cmd  *exec.Cmd

	mu    sync.Mutex
	lines []string // the emulator's output, with the function's
}

var reportRE = regexp.MustCompile(`REPORT RequestId: \S+\t(?:Init Duration: ([0-9.]+) ms\t)?Duration: ([0-9.]+) ms`)

func startEmulator(t *testing.T, env map[string]string) *emulator {
	t.Helper()
	needBins(t)
	e := &emulator{t: t, addr: freeAddr(t)}
	e.cmd = exec.Command(bins.rie, "--runtime-interface-emulator-address", e.addr, "--runtime-api-address", freeAddr(t), "--log-level", "error", bins.bootstrap)
	e.cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "AWS_LAMBDA_FUNCTION_TIMEOUT=300", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256"}
	for k, v := range env {
		e.cmd.Env = append(e.cmd.Env, k+"="+v)
	}
	pr, pw := io.Pipe()
	e.cmd.Stdout, e.cmd.Stderr = pw, pw
	if err := e.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			e.mu.Lock()
			e.lines = append(e.lines, sc.Text())
			e.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		e.cmd.Process.Kill()
		e.cmd.Wait()
		pw.Close()
		if t.Failed() {
			t.Logf("emulator output:\n%s", strings.Join(e.output(), "\n"))
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("tcp", e.addr)
		if err == nil {
			c.Close()
			return e
		}
		if time.Now().After(deadline) {
			t.Fatalf("emulator not listening on %s: %v", e.addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (e *emulator) output() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.lines...)
}

// invocation is the result of one invoke.
type invocation struct {
	status  int
	body    string
	elapsed time.Duration
}

func (i invocation) failed() bool {
	return i.status != http.StatusOK || strings.Contains(i.body, `"errorMessage"`)
}

// invoke posts event to the emulator's invocation endpoint.
func (e *emulator) invoke(event []byte) invocation {
	e.t.Helper()
	start := time.Now()
	resp, err := http.Post("http://"+e.addr+"/2015-03-31/functions/function/invocations", "application/json", bytes.NewReader(event))
	if err != nil {
		e.t.Fatalf("invoke: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return invocation{status: resp.StatusCode, body: string(b), elapsed: time.Since(start)}
}

// verdictLines are the function's verdict log lines so far.
func (e *emulator) verdictLines() []string {
	var out []string
	for _, l := range e.output() {
		if i := strings.Index(l, `{"verdict":`); i >= 0 {
			out = append(out, l[i:])
		}
	}
	return out
}

// reports returns the emulator's Init Duration (0 if none yet) and the
// Duration of each invocation, in ms.
func (e *emulator) reports() (initMS float64, durations []float64) {
	for _, l := range e.output() {
		m := reportRE.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		if m[1] != "" {
			initMS, _ = strconv.ParseFloat(m[1], 64)
		}
		d, _ := strconv.ParseFloat(m[2], 64)
		durations = append(durations, d)
	}
	return initMS, durations
}

// bootstrapPeakRSS is the VmHWM (peak resident set) of the bootstrap
// process the emulator started, in bytes.
func (e *emulator) bootstrapPeakRSS() (int64, error) {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return 0, err
	}
	for _, d := range ents {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", d.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...
		rest := string(stat[bytes.LastIndexByte(stat, ')')+2:])
		f := strings.Fields(rest)
		if len(f) < 2 || f[1] != strconv.Itoa(e.cmd.Process.Pid) {
			continue
		}
		exe, _ := os.Readlink(filepath.Join("/proc", d.Name(), "exe"))
		if exe != bins.bootstrap {
			continue
		}
		status, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
		if err != nil {
			return 0, err
		}
		for _, l := range strings.Split(string(status), "\n") {
			if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
				kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
				return kb << 10, err
			}
		}
	}
	return 0, fmt.Errorf("no bootstrap process under the emulator (pid %d)", e.cmd.Process.Pid)
}
