package acme

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Versions the harness must build (interop/go.mod pins them; a bump there
// must be a decision, so this test makes it visible).
const (
	wantPebbleVersion = "v2.10.0"
	wantLegoVersion   = "v4.28.1"
)

// The domain of the test "fleet": every host gets a name under it.
const fleetDomain = "example.com"

// Hosts of the fixture. host1 is the legitimate workload, host2 another
// name under the same domain (the impersonator of the detect test), geny a
// classic certificate from a CA with two intermediates (the shape of Let's
// Encrypt's 2026 Gen-Y chains), nocn a certificate from pebble's default
// profile, which has an empty subject.
// impostor is a third host that obtained a certificate for host1's name
// (anyone who can answer DNS-01 for the domain can, as the seed's FAQ says)
// but runs in another environment.
const (
	host1    = "host1." + fleetDomain
	host2    = "host2." + fleetDomain
	geny     = "geny." + fleetDomain
	nocn     = "nocn." + fleetDomain
	impostor = "impostor"
)

// bins holds what TestMain builds once per run; a build error is kept and
// reported by every test that needs the binary.
var bins struct {
	dir        string
	tools      *Tools
	toolsErr   error
	product    string // acme-signing-helper, CGO_ENABLED=0
	productErr error
	buildTime  time.Duration
}

func TestMain(m *testing.M) {
	// lego runs this test binary as its exec DNS provider program.
	if os.Getenv(HookModeEnv) != "" {
		os.Exit(DNSHookMain(os.Args[1:], os.Getenv, os.Stderr))
	}
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "acme-signing-helper-acme-interop-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "interop/acme: make work directory: %v\n", err)
		return 1
	}
	defer os.RemoveAll(dir)
	bins.dir = dir
	moduleDir, err := filepath.Abs("..")
	if err != nil {
		fmt.Fprintf(os.Stderr, "interop/acme: %v\n", err)
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	if err := os.MkdirAll(filepath.Join(dir, "bin"), 0o755); err != nil {
		fmt.Fprintf(os.Stderr, "interop/acme: %v\n", err)
		return 1
	}
	start := time.Now()
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		// interop/bin/ is ignored by git; the peers' binaries are kept
		// there between runs (keyed by everything they are built from).
		bins.tools, bins.toolsErr = BuildTools(ctx, moduleDir, filepath.Join(moduleDir, "bin", "acme"))
	}()
	go func() {
		defer wg.Done()
		bins.product = filepath.Join(dir, "bin", "acme-signing-helper")
		bins.productErr = BuildProduct(ctx, moduleDir, bins.product)
	}()
	wg.Wait()
	bins.buildTime = time.Since(start)
	code := m.Run()
	fixture.stop()
	return code
}

// tools returns the peer binaries or fails the test.
func tools(t *testing.T) *Tools {
	t.Helper()
	if bins.toolsErr != nil {
		t.Fatalf("building the ACME peers failed: %v", bins.toolsErr)
	}
	return bins.tools
}

// productBin returns our binary or fails the test.
func productBin(t *testing.T) string {
	t.Helper()
	if bins.productErr != nil {
		t.Fatalf("building acme-signing-helper failed: %v", bins.productErr)
	}
	return bins.product
}

// host is one lego --path with its certificate.
type host struct {
	name   string // fixture key
	domain string // certificate name
	pebble *Pebble
	lego   *Lego
	req    LegoRequest
	output string // of lego run
	took   time.Duration
}

// world is the shared fixture: challtestsrv, two pebbles and the
// certificates of the hosts, built once for all tests.
type world struct {
	dir  string
	cts  *ChallTestSrv
	pebA *Pebble // one intermediate, ECDSA CA keys, classic + CN-less default profiles
	pebB *Pebble // two intermediates, RSA CA keys
	// rootA, rootB are the roots fetched from the management APIs.
	rootA, rootB []byte
	hosts        map[string]*host
	issueTime    time.Duration
}

var fixture struct {
	once sync.Once
	w    *world
	err  error
	mu   sync.Mutex
	stop func()
}

func init() { fixture.stop = func() {} }

// getWorld starts the servers and issues the fixture's certificates on
// first use; every later test shares them.
func getWorld(t *testing.T) *world {
	t.Helper()
	tl := tools(t)
	fixture.once.Do(func() {
		w := &world{dir: filepath.Join(bins.dir, "world"), hosts: map[string]*host{}}
		var procs []*Process
		fixture.stop = func() {
			for _, p := range procs {
				p.Stop()
			}
		}
		fixture.w, fixture.err = w, w.start(tl, &procs)
	})
	if fixture.err != nil {
		t.Fatalf("ACME fixture: %v", fixture.err)
	}
	return fixture.w
}

func (w *world) start(tl *Tools, procs *[]*Process) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for _, d := range []string{"cts", "pebble-a", "pebble-b", "hosts"} {
		if err := os.MkdirAll(filepath.Join(w.dir, d), 0o700); err != nil {
			return err
		}
	}
	var err error
	if w.cts, err = StartChallTestSrv(ctx, tl.ChallTestSrv, filepath.Join(w.dir, "cts")); err != nil {
		return err
	}
	*procs = append(*procs, w.cts.Process)
	profiles := map[string]PebbleProfile{"classic": ClassicProfile, "default": CNLessProfile}
	if w.pebA, err = StartPebble(ctx, tl, filepath.Join(w.dir, "pebble-a"), w.cts.DNSAddr,
		PebbleOptions{KeyAlgorithm: "ecdsa", Profiles: profiles}); err != nil {
		return err
	}
	*procs = append(*procs, w.pebA.Process)
	if w.pebB, err = StartPebble(ctx, tl, filepath.Join(w.dir, "pebble-b"), w.cts.DNSAddr,
		PebbleOptions{Intermediates: 2, KeyAlgorithm: "rsa", Profiles: profiles}); err != nil {
		return err
	}
	*procs = append(*procs, w.pebB.Process)
	if w.rootA, err = w.pebA.Root(ctx); err != nil {
		return err
	}
	if w.rootB, err = w.pebB.Root(ctx); err != nil {
		return err
	}

	// Two lego runs for the same name must not overlap: challtestsrv
	// keeps one TXT answer set per name and the first cleanup clears it
	// under the other's validation. The impostor (host1's name) runs in
	// the second wave.
	specs := []struct {
		name    string
		domain  string
		peb     *Pebble
		keyType string
		profile string
		wave    int
	}{
		{host1, host1, w.pebA, "ec256", "classic", 0},
		{host2, host2, w.pebA, "rsa2048", "classic", 0},
		{geny, geny, w.pebB, "ec256", "classic", 0},
		{nocn, nocn, w.pebA, "ec256", "default", 1}, // pebble's default profile: no CN
		{impostor, host1, w.pebA, "ec256", "classic", 1},
	}
	start := time.Now()
	var (
		mu   sync.Mutex
		errs []error
	)
	for wave := range 2 {
		var wg sync.WaitGroup
		for _, s := range specs {
			if s.wave != wave {
				continue
			}
			h := &host{
				name:   s.name,
				domain: s.domain,
				pebble: s.peb,
				lego:   w.newLego(s.peb, s.name),
				req:    LegoRequest{Domains: []string{s.domain}, KeyType: s.keyType, Profile: s.profile},
			}
			w.hosts[s.name] = h
			wg.Add(1)
			go func() {
				defer wg.Done()
				t0 := time.Now()
				out, err := h.lego.Run(ctx, h.req)
				h.output, h.took = out, time.Since(t0)
				if err != nil {
					mu.Lock()
					errs = append(errs, fmt.Errorf("issue %s: %w", h.name, err))
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
	}
	w.issueTime = time.Since(start)
	if len(errs) > 0 {
		return fmt.Errorf("%w\npebble A log:\n%s\nchalltestsrv log:\n%s", errors.Join(errs...), w.pebA.Log(3000), w.cts.Log(2000))
	}
	return nil
}

// newLego returns a lego for a new --path named after name, talking to peb.
func (w *world) newLego(peb *Pebble, name string) *Lego {
	dir := filepath.Join(w.dir, "hosts", strings.ReplaceAll(name, "*", "_"))
	_ = os.MkdirAll(dir, 0o700) // lego makes --path; HOME must exist
	hook, err := os.Executable()
	if err != nil {
		hook = os.Args[0]
	}
	return &Lego{
		Bin:        bins.tools.Lego,
		Path:       filepath.Join(dir, "lego"),
		Server:     peb.DirectoryURL,
		CACerts:    bins.tools.MiniCA(),
		Resolver:   w.cts.DNSAddr,
		HookBin:    hook,
		HookServer: w.cts.ManagementURL,
		Email:      "admin@" + fleetDomain,
		Home:       dir,
	}
}
