package totp

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// oathtool returns the path of oathtool. It fails the test when oathtool is
// missing and CI is set (a missing peer in CI is a failure), else skips.
func oathtool(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("oathtool")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("oathtool is required in CI (Debian package oathtool): %v", err)
		}
		t.Skipf("oathtool not installed: %v", err)
	}
	return p
}

type oathRun struct {
	args   []string
	stdout string
	code   int
	err    error
}

// runAll runs oathtool for every job, a few at a time.
func runAll(t *testing.T, bin string, jobs []*oathRun) {
	t.Helper()
	var wg sync.WaitGroup
	ch := make(chan *oathRun)
	for range max(2, runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range ch {
				var out, errb bytes.Buffer
				cmd := exec.Command(bin, j.args...)
				cmd.Stdout, cmd.Stderr = &out, &errb
				err := cmd.Run()
				var ee *exec.ExitError
				switch {
				case err == nil:
				case errors.As(err, &ee):
					j.code = ee.ExitCode()
				default:
					j.err = err
				}
				j.stdout = out.String()
			}
		}()
	}
	for _, j := range jobs {
		ch <- j
	}
	close(ch)
	wg.Wait()
	for _, j := range jobs {
		if j.err != nil {
			t.Fatalf("oathtool %v: %v", j.args, j.err)
		}
	}
}

var algs = []Algorithm{SHA1, SHA256, SHA512}

func randKey(r *rand.Rand) Key {
	k := make(Key, 1+r.IntN(64))
	for i := range k {
		k[i] = byte(r.UintN(256))
	}
	return k
}

// TestOathtoolCodes is acceptance 2, codes: 1,000 random keys (1..64 bytes)
// at random times, digits and algorithms; each oathtool run prints the codes
// of 5 consecutive steps (-w 4), so 5,000 codes are compared.
func TestOathtoolCodes(t *testing.T) {
	bin := oathtool(t)
	r := rand.New(rand.NewPCG(20261121, 3))
	type c struct {
		key    Key
		unix   int64
		digits int
		alg    Algorithm
	}
	var cases []c
	var jobs []*oathRun
	for i := 0; i < 1000; i++ {
		cc := c{key: randKey(r), unix: r.Int64N(1 << 34), digits: 6 + i%3, alg: algs[(i/3)%3]}
		if i < 8 {
			cc.unix = int64(i) * 29 // the first steps, leading zeros of small counters
		}
		cases = append(cases, cc)
		jobs = append(jobs, &oathRun{args: []string{"--totp=" + string(cc.alg), "-d", strconv.Itoa(cc.digits), "-w", "4", "--now", "@" + strconv.FormatInt(cc.unix, 10), cc.key.Hex()}})
	}
	start := time.Now()
	runAll(t, bin, jobs)
	t.Logf("%d oathtool runs in %v", len(jobs), time.Since(start))
	compared := 0
	for i, cc := range cases {
		j := jobs[i]
		if j.code != 0 {
			t.Fatalf("oathtool %v: exit %d", j.args, j.code)
		}
		lines := strings.Fields(j.stdout)
		if len(lines) != 5 {
			t.Fatalf("oathtool %v printed %d codes", j.args, len(lines))
		}
		for d, want := range lines {
			got, err := Code(cc.key, time.Unix(cc.unix+int64(d)*Period, 0), Options{Digits: cc.digits, Algorithm: cc.alg})
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("oathtool %v, step +%d: ours %s, oathtool %s", j.args, d, got, want)
			}
			compared++
		}
	}
	if compared < 5000 {
		t.Fatalf("compared only %d codes", compared)
	}
}

// TestOathtoolVerify is acceptance 2, verification: for codes of steps
// -3..+3 around the reference at windows 0..2, our match and offset equal
// oathtool's printed offset and exit status (oathtool exits 0 on a match and
// 2 when not found; Verify returns Matched). Malformed codes are refused by
// both.
func TestOathtoolVerify(t *testing.T) {
	bin := oathtool(t)
	r := rand.New(rand.NewPCG(20261121, 4))
	type c struct {
		key    Key
		unix   int64
		code   string
		window int
		alg    Algorithm
	}
	var cases []c
	var jobs []*oathRun
	add := func(cc c) {
		cases = append(cases, cc)
		jobs = append(jobs, &oathRun{args: []string{"--totp=" + string(cc.alg), "--window", strconv.Itoa(cc.window), "--now", "@" + strconv.FormatInt(cc.unix, 10), cc.key.Hex(), cc.code}})
	}
	for i := 0; i < 24; i++ {
		key, unix, digits, alg := randKey(r), 100+r.Int64N(1<<34), 6+i%3, algs[(i/3)%3]
		for d := int64(-3); d <= 3; d++ {
			code, err := CodeAtStep(key, Step(time.Unix(unix, 0))+d, Options{Digits: digits, Algorithm: alg})
			if err != nil {
				t.Fatal(err)
			}
			for w := 0; w <= 2; w++ {
				add(c{key, unix, code, w, alg})
			}
		}
	}
	k := Key("12345678901234567890")
	for _, code := range []string{"12345", "123456789", "12345a"} {
		add(c{k, 59, code, 1, SHA1})
	}
	runAll(t, bin, jobs)
	matches := 0
	for i, cc := range cases {
		j := jobs[i]
		res, err := Verify(cc.key, cc.code, time.Unix(cc.unix, 0), cc.window, cc.alg)
		switch {
		case err != nil:
			if !errors.Is(err, ErrInvalidCode) {
				t.Fatalf("Verify %v: %v", j.args, err)
			}
			if j.code == 0 {
				t.Errorf("oathtool %v accepted a code we call malformed", j.args)
			}
		case res.Matched:
			matches++
			if j.code != 0 || strings.TrimSpace(j.stdout) != fmt.Sprint(res.Offset) {
				t.Errorf("oathtool %v: exit %d, printed %q; ours matched at offset %d", j.args, j.code, j.stdout, res.Offset)
			}
		default:
			if j.code != 2 || j.stdout != "" {
				t.Errorf("oathtool %v: exit %d, printed %q; ours: not found", j.args, j.code, j.stdout)
			}
		}
	}
	// 24 keys × 3 windows: windows 0, 1, 2 match 1, 3, 5 of the 7 steps.
	if want := 24 * (1 + 3 + 5); matches != want {
		t.Errorf("%d matches, want %d", matches, want)
	}
}
