package credentials

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/signer"
)

var t0 = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

func creds(n int, exp time.Time) signer.Credentials {
	return signer.Credentials{
		AccessKeyID:     fmt.Sprintf("ASIAFAKE%08d", n),
		SecretAccessKey: fmt.Sprintf("secret-%d", n),
		SessionToken:    fmt.Sprintf("token-%d", n),
		Expiration:      exp,
	}
}

// countingFetcher returns credentials numbered by call, valid for life.
func countingFetcher(now func() time.Time, life time.Duration) (Fetcher, *atomic.Int32) {
	var n atomic.Int32
	return func(ctx context.Context) (signer.Credentials, error) {
		i := n.Add(1)
		return creds(int(i), now().Add(life)), nil
	}, &n
}

func TestKey(t *testing.T) {
	if Key("ab", "c") == Key("a", "bc") {
		t.Error("Key does not separate parts")
	}
	if k1, k2 := Key("a"), Key("a"); k1 != k2 {
		t.Error("Key is not deterministic")
	}
	if k := Key("x"); len(k) != 64 || strings.Trim(k, "0123456789abcdef") != "" {
		t.Errorf("Key = %q, want 64 hex digits", k)
	}
}

func TestCacheGet(t *testing.T) {
	now := t0
	clock := func() time.Time { return now }
	c := &Cache{Dir: filepath.Join(t.TempDir(), "cache"), Now: clock}
	fetch, calls := countingFetcher(clock, time.Hour)
	ctx := context.Background()

	get := func(wantSrc Source, wantN int) signer.Credentials {
		t.Helper()
		cr, src, err := c.Get(ctx, "k", fetch)
		if err != nil {
			t.Fatalf("Get: %v", err)
		}
		if src != wantSrc || cr.AccessKeyID != creds(wantN, time.Time{}).AccessKeyID {
			t.Fatalf("got %s from %s, want #%d from %s", cr.AccessKeyID, src, wantN, wantSrc)
		}
		return cr
	}
	first := get(FromFetch, 1)
	got := get(FromCache, 1)
	if got != first {
		t.Errorf("cache returned %+v, want %+v", got, first)
	}
	if calls.Load() != 1 {
		t.Errorf("fetches = %d, want 1", calls.Load())
	}
	if fi, err := os.Stat(c.Path("k")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("entry mode: %v %v, want 0600", fi.Mode(), err)
	}
	if fi, err := os.Stat(c.Dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("dir mode: %v %v, want 0700", fi.Mode(), err)
	}

	// Within the margin (5 min before expiry): refetch.
	now = t0.Add(55*time.Minute + time.Second)
	get(FromFetch, 2)
	get(FromCache, 2)

	// Another key is another entry.
	if cr, _, _ := c.Get(ctx, "other", fetch); cr.AccessKeyID != creds(3, now).AccessKeyID {
		t.Errorf("other key got %s", cr.AccessKeyID)
	}

	// Corrupt, truncated, wrong version, empty field, expired: ignored and
	// rewritten.
	valid, _ := os.ReadFile(c.Path("k"))
	n := 4
	for name, content := range map[string]string{
		"truncated":   string(valid[:len(valid)/2]),
		"empty":       "",
		"garbage":     "\x00\x01not json",
		"version":     strings.Replace(string(valid), `"Version":2`, `"Version":1`, 1),
		"no token":    strings.Replace(string(valid), `"SessionToken":"token-2"`, `"SessionToken":""`, 1),
		"expired":     strings.Replace(string(valid), now.Add(time.Hour).Format("2006-01-02"), "2001-01-01", 1),
		"wrong types": `{"Version":2,"AccessKeyId":5}`,
	} {
		if err := os.WriteFile(c.Path("k"), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if cr, src, err := c.Get(ctx, "k", fetch); err != nil || src != FromFetch {
			t.Errorf("%s: got %v from %s, %v; want a fetch", name, cr, src, err)
		}
		n++
		if cr, src, _ := c.Get(ctx, "k", fetch); src != FromCache {
			t.Errorf("%s: entry not rewritten: got %v from %s", name, cr, src)
		}
	}
	if int(calls.Load()) != n-1 {
		t.Errorf("fetches = %d, want %d", calls.Load(), n-1)
	}
}

func TestCacheNeverReturnsExpired(t *testing.T) {
	now := t0
	clock := func() time.Time { return now }
	c := &Cache{Dir: t.TempDir(), Now: clock, Margin: time.Minute}
	fetch, calls := countingFetcher(clock, 10*time.Minute)
	for i := 0; i < 30; i++ {
		cr, _, err := c.Get(context.Background(), "k", fetch)
		if err != nil {
			t.Fatal(err)
		}
		if !cr.Expiration.After(now.Add(time.Minute)) {
			t.Fatalf("at %s got credentials expiring %s", now, cr.Expiration)
		}
		now = now.Add(time.Minute)
	}
	// 10 min life, 1 min margin: a fetch every 9 or 10 minutes.
	if n := calls.Load(); n < 3 || n > 4 {
		t.Errorf("fetches = %d, want 3 or 4", n)
	}
}

func TestCacheFetchErrors(t *testing.T) {
	c := &Cache{Dir: t.TempDir(), Now: func() time.Time { return t0 }}
	boom := errors.New("boom")
	_, _, err := c.Get(context.Background(), "k", func(context.Context) (signer.Credentials, error) { return signer.Credentials{}, boom })
	if !errors.Is(err, boom) {
		t.Errorf("err = %v, want boom", err)
	}
	_, _, err = c.Get(context.Background(), "k", func(context.Context) (signer.Credentials, error) {
		return signer.Credentials{AccessKeyID: "A", Expiration: t0.Add(time.Hour)}, nil
	})
	if !errors.Is(err, ErrInvalidCredentials) {
		t.Errorf("err = %v, want ErrInvalidCredentials", err)
	}
	if _, err := os.Stat(c.Path("k")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("entry written after failed fetch: %v", err)
	}
}

func TestCacheRefusesInsecureDir(t *testing.T) {
	fetch, _ := countingFetcher(time.Now, time.Hour)
	base := t.TempDir()
	loose := filepath.Join(base, "loose")
	if err := os.Mkdir(loose, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(loose, 0o777); err != nil {
		t.Fatal(err)
	}
	group := filepath.Join(base, "group")
	os.Mkdir(group, 0o700)
	os.Chmod(group, 0o770)
	link := filepath.Join(base, "link")
	os.Mkdir(filepath.Join(base, "target"), 0o700)
	os.Symlink("target", link)
	file := filepath.Join(base, "file")
	os.WriteFile(file, nil, 0o600)
	for _, dir := range []string{loose, group, link} {
		_, _, err := (&Cache{Dir: dir}).Get(context.Background(), "k", fetch)
		if !errors.Is(err, ErrInsecureDir) {
			t.Errorf("Get with dir %s: err = %v, want ErrInsecureDir", dir, err)
		}
	}
	if _, _, err := (&Cache{Dir: file}).Get(context.Background(), "k", fetch); !errors.Is(err, ErrCacheUnavailable) {
		t.Errorf("Get with a file as dir: err = %v, want ErrCacheUnavailable", err)
	}
	// A private directory with mode 0750 is fine (read-only for group).
	ok := filepath.Join(base, "ok")
	os.Mkdir(ok, 0o750)
	if _, _, err := (&Cache{Dir: ok}).Get(context.Background(), "k", fetch); err != nil {
		t.Errorf("Get with 0750 dir: %v", err)
	}
}

func TestCacheConcurrentGoroutines(t *testing.T) {
	c := &Cache{Dir: t.TempDir()}
	var calls atomic.Int32
	release := make(chan struct{})
	fetch := func(ctx context.Context) (signer.Credentials, error) {
		calls.Add(1)
		<-release // hold the lock until every goroutine has started
		return creds(1, time.Now().Add(time.Hour)), nil
	}
	var wg, started sync.WaitGroup
	results := make([]signer.Credentials, 32)
	for i := range results {
		wg.Add(1)
		started.Add(1)
		go func() {
			defer wg.Done()
			started.Done()
			cr, _, err := c.Get(context.Background(), "k", fetch)
			if err != nil {
				t.Error(err)
			}
			results[i] = cr
		}()
	}
	started.Wait()
	close(release)
	wg.Wait()
	if calls.Load() != 1 {
		t.Errorf("fetches = %d, want 1", calls.Load())
	}
	for i, r := range results {
		if r.AccessKeyID != results[0].AccessKeyID || r.SessionToken != results[0].SessionToken || !r.Expiration.Equal(results[0].Expiration) {
			t.Errorf("result %d = %v, want %v", i, r, results[0])
		}
	}
}

func TestCacheLockWaitHonoursContext(t *testing.T) {
	c := &Cache{Dir: t.TempDir()}
	if err := c.prepareDir(); err != nil {
		t.Fatal(err)
	}
	unlock, err := lockFile(context.Background(), c.lockPath("k"))
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	fetch, calls := countingFetcher(time.Now, time.Hour)
	if _, _, err := c.Get(ctx, "k", fetch); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if calls.Load() != 0 {
		t.Errorf("fetched while another holder had the lock")
	}
}

// TestCacheCrossProcess starts 16 processes (this test binary in helper
// mode) on one cache: exactly one of them fetches.
func TestCacheCrossProcess(t *testing.T) {
	if os.Getenv("CREDENTIALS_TEST_HELPER") != "" {
		return
	}
	dir := t.TempDir()
	countFile := filepath.Join(dir, "calls")
	var cmds []*exec.Cmd
	var outs []*strings.Builder
	for i := 0; i < 16; i++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCacheHelperProcess$")
		cmd.Env = append(os.Environ(), "CREDENTIALS_TEST_HELPER=1", "CACHE_DIR="+filepath.Join(dir, "cache"), "COUNT_FILE="+countFile)
		out := &strings.Builder{}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds, outs = append(cmds, cmd), append(outs, out)
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("helper %d: %v\n%s", i, err, outs[i])
		}
	}
	b, _ := os.ReadFile(countFile)
	if got := strings.Count(string(b), "x"); got != 1 {
		t.Errorf("fetches across processes = %d, want 1", got)
	}
	var keys []string
	for _, o := range outs {
		for _, l := range strings.Split(o.String(), "\n") {
			if k, ok := strings.CutPrefix(l, "KEY "); ok {
				keys = append(keys, k)
			}
		}
	}
	if len(keys) != 16 {
		t.Fatalf("got %d results, want 16", len(keys))
	}
	for _, k := range keys {
		if k != keys[0] {
			t.Errorf("processes got different credentials: %v", keys)
			break
		}
	}
}

func TestCacheHelperProcess(t *testing.T) {
	if os.Getenv("CREDENTIALS_TEST_HELPER") == "" {
		t.Skip("helper for TestCacheCrossProcess")
	}
	c := &Cache{Dir: os.Getenv("CACHE_DIR")}
	cr, _, err := c.Get(context.Background(), "k", func(ctx context.Context) (signer.Credentials, error) {
		f, err := os.OpenFile(os.Getenv("COUNT_FILE"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
		if err != nil {
			return signer.Credentials{}, err
		}
		f.WriteString("x")
		f.Close()
		// Widen the window in which others find no entry; correctness
		// does not depend on it.
		time.Sleep(50 * time.Millisecond)
		return creds(os.Getpid(), time.Now().Add(time.Hour)), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("KEY " + cr.AccessKeyID + " " + strconv.FormatInt(cr.Expiration.Unix(), 10))
}

// TestCacheCertValidity: GetFor records the certificate's validity; Get and
// Lookup serve the entry only inside it (and while the credentials have
// more than the margin left); outside it, Get fetches anew.
func TestCacheCertValidity(t *testing.T) {
	now := t0
	c := &Cache{Dir: filepath.Join(t.TempDir(), "c"), Now: func() time.Time { return now }}
	fetch, n := countingFetcher(func() time.Time { return now }, 12*time.Hour)
	cert := CertValidity{NotBefore: t0.Add(-time.Hour), NotAfter: t0.Add(time.Hour)}
	if _, src, err := c.GetFor(context.Background(), "k", cert, fetch); err != nil || src != FromFetch {
		t.Fatalf("first GetFor: %v from %s", err, src)
	}
	b, err := os.ReadFile(c.Path("k"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"CertNotAfter":"2026-11-21T13:00:00Z"`) {
		t.Errorf("entry lacks the certificate's NotAfter: %s", b)
	}
	for _, tc := range []struct {
		name string
		at   time.Time
		ok   bool
	}{
		{"inside", t0.Add(59 * time.Minute), true},
		{"at NotAfter", cert.NotAfter, false},
		{"after NotAfter", cert.NotAfter.Add(time.Second), false},
		{"before NotBefore (clock set back)", cert.NotBefore.Add(-time.Second), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			now = tc.at
			e, ok, err := c.Lookup("k")
			if err != nil || ok != tc.ok {
				t.Fatalf("Lookup: ok %v, err %v; want ok %v", ok, err, tc.ok)
			}
			if ok && e.Certificate != (CertValidity{NotBefore: cert.NotBefore, NotAfter: cert.NotAfter}) {
				t.Errorf("Lookup: certificate %+v, want %+v", e.Certificate, cert)
			}
			before := n.Load()
			_, src, err := c.Get(context.Background(), "k", fetch)
			if err != nil {
				t.Fatal(err)
			}
			if want := map[bool]Source{true: FromCache, false: FromFetch}[tc.ok]; src != want {
				t.Errorf("Get: source %s, want %s", src, want)
			}
			if !tc.ok {
				// Get rewrote the entry without a bound: put the bounded
				// one back for the next case.
				if n.Load() != before+1 {
					t.Errorf("Get outside the validity made %d calls, want 1", n.Load()-before)
				}
				if err := os.WriteFile(c.Path("k"), b, 0o600); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}
