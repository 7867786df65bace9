package acme

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"go/build"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// Module paths of the peers. Their versions come from interop/go.mod.
const (
	PebbleModule = "github.com/letsencrypt/pebble/v2"
	LegoModule   = "github.com/go-acme/lego/v4"
)

//go:embed testdata/legooverlay/*.go
var legoOverlay embed.FS

// legoReplaced maps a file of the lego module to the file of
// testdata/legooverlay that replaces it in the interop build.
var legoReplaced = map[string]string{
	"providers/dns/zz_gen_dns_providers.go": "dns_providers.go",
	"providers/http/memcached/memcached.go": "memcached.go",
	"providers/http/s3/s3.go":               "s3.go",
}

// Tools are the peer binaries built by BuildTools.
type Tools struct {
	Pebble       string // pebble binary
	ChallTestSrv string // pebble-challtestsrv binary
	Lego         string // lego binary (see the package comment for what is trimmed)

	PebbleVersion string // module version, for example v2.10.0
	LegoVersion   string // module version, for example v4.28.1

	// PebbleDir is pebble's module directory: test/certs/ there holds the
	// TLS certificate pebble serves and the minica root that signs it.
	PebbleDir string
}

// MiniCA is the file of the CA that signs pebble's TLS certificate, for
// LEGO_CA_CERTIFICATES and for the harness's own HTTPS client.
func (t *Tools) MiniCA() string {
	return filepath.Join(t.PebbleDir, "test", "certs", "pebble.minica.pem")
}

// goModule is the part of `go list -m -json` / `go mod download -json`
// the harness uses.
type goModule struct {
	Path    string
	Version string
	Dir     string
	Error   string
}

// BuildTools builds pebble, pebble-challtestsrv and lego, or reuses an
// earlier build of the same inputs kept in cacheDir. moduleDir is the interop
// module (its go.mod pins the versions). Pebble is built in that module; lego
// from a trimmed copy of its module with lego's own go.mod and go.sum. The
// cache key covers the Go version, platform, module versions and the
// replaced lego files, so a change of any of them rebuilds.
func BuildTools(ctx context.Context, moduleDir, cacheDir string) (*Tools, error) {
	peb, err := moduleOf(ctx, moduleDir, PebbleModule)
	if err != nil {
		return nil, err
	}
	lego, err := moduleOf(ctx, moduleDir, LegoModule)
	if err != nil {
		return nil, err
	}
	key, err := toolsKey(ctx, moduleDir, peb, lego)
	if err != nil {
		return nil, err
	}
	outDir := filepath.Join(cacheDir, "peers-"+key)
	t := &Tools{
		Pebble:        filepath.Join(outDir, "pebble"),
		ChallTestSrv:  filepath.Join(outDir, "pebble-challtestsrv"),
		Lego:          filepath.Join(outDir, "lego"),
		PebbleVersion: peb.Version,
		LegoVersion:   lego.Version,
		PebbleDir:     peb.Dir,
	}
	if _, err := os.Stat(filepath.Join(outDir, "complete")); err == nil {
		return t, nil
	}
	if err := os.MkdirAll(cacheDir, 0o755); err != nil {
		return nil, fmt.Errorf("make tool cache: %w", err)
	}
	tmp, err := os.MkdirTemp(cacheDir, "build-")
	if err != nil {
		return nil, fmt.Errorf("make tool cache: %w", err)
	}
	defer os.RemoveAll(tmp)
	var (
		wg             sync.WaitGroup
		pebErr, legErr error
	)
	wg.Add(2)
	go func() {
		defer wg.Done()
		// pebble prints its version with -version; the release sets it
		// with -X as done here.
		pebErr = goBuild(ctx, moduleDir, nil, "-o", tmp+string(filepath.Separator),
			"-ldflags=-X main.version="+peb.Version,
			PebbleModule+"/cmd/pebble", PebbleModule+"/cmd/pebble-challtestsrv")
	}()
	go func() {
		defer wg.Done()
		src := filepath.Join(tmp, "lego-src")
		if legErr = copyTrimmedLego(lego.Dir, src); legErr != nil {
			return
		}
		legErr = goBuild(ctx, src, []string{"GOFLAGS=-mod=readonly"}, "-o", filepath.Join(tmp, "lego"), "./cmd/lego")
	}()
	wg.Wait()
	if pebErr != nil {
		return nil, fmt.Errorf("build pebble %s: %w", peb.Version, pebErr)
	}
	if legErr != nil {
		return nil, fmt.Errorf("build lego %s: %w", lego.Version, legErr)
	}
	if err := os.RemoveAll(filepath.Join(tmp, "lego-src")); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(tmp, "complete"), []byte(key+"\n"), 0o644); err != nil {
		return nil, err
	}
	// Another test binary may have finished the same build first: its
	// result is as good as ours.
	if err := os.Rename(tmp, outDir); err != nil {
		if _, serr := os.Stat(filepath.Join(outDir, "complete")); serr != nil {
			return nil, fmt.Errorf("store tools in %s: %w", outDir, err)
		}
	}
	return t, nil
}

// toolsKey hashes everything the peer binaries depend on.
func toolsKey(ctx context.Context, moduleDir string, mods ...*goModule) (string, error) {
	h := sha256.New()
	goVersion, err := goCmd(ctx, moduleDir, nil, "env", "GOVERSION", "GOOS", "GOARCH")
	if err != nil {
		return "", err
	}
	h.Write(goVersion)
	for _, m := range mods {
		fmt.Fprintf(h, "%s@%s %s\n", m.Path, m.Version, m.Dir)
	}
	sum, err := os.ReadFile(filepath.Join(moduleDir, "go.sum"))
	if err != nil {
		return "", err
	}
	h.Write(sum)
	names := make([]string, 0, len(legoReplaced))
	for target := range legoReplaced {
		names = append(names, target)
	}
	sort.Strings(names)
	for _, target := range names {
		b, err := legoOverlay.ReadFile("testdata/legooverlay/" + legoReplaced[target])
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s %d\n", target, len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// BuildProduct builds acme-signing-helper with CGO_ENABLED=0, as a user's
// `go install` would, from the main module (moduleDir/..).
func BuildProduct(ctx context.Context, moduleDir, out string) error {
	return goBuild(ctx, filepath.Join(moduleDir, ".."), []string{"CGO_ENABLED=0"}, "-o", out, "./cmd/acme-signing-helper")
}

// moduleOf returns the selected version of path in moduleDir's build list
// and its directory in the module cache, downloading it if needed.
func moduleOf(ctx context.Context, moduleDir, path string) (*goModule, error) {
	out, err := goCmd(ctx, moduleDir, nil, "list", "-m", "-json", path)
	if err != nil {
		return nil, fmt.Errorf("find %s in %s: %w", path, filepath.Join(moduleDir, "go.mod"), err)
	}
	var m goModule
	if err := json.Unmarshal(out, &m); err != nil {
		return nil, fmt.Errorf("parse go list output for %s: %w", path, err)
	}
	if m.Version == "" {
		return nil, fmt.Errorf("%s has no version in %s", path, filepath.Join(moduleDir, "go.mod"))
	}
	if m.Dir != "" {
		return &m, nil
	}
	out, err = goCmd(ctx, moduleDir, nil, "mod", "download", "-json", path+"@"+m.Version)
	if err != nil {
		return nil, fmt.Errorf("download %s@%s: %w", path, m.Version, err)
	}
	var d goModule
	if err := json.Unmarshal(out, &d); err != nil {
		return nil, fmt.Errorf("parse go mod download output for %s: %w", path, err)
	}
	if d.Error != "" || d.Dir == "" {
		return nil, fmt.Errorf("download %s@%s: %s", path, m.Version, d.Error)
	}
	return &d, nil
}

// copyTrimmedLego copies the lego module at src to dst without the DNS
// providers other than exec and without tests, then puts the files of
// testdata/legooverlay in place (see the package comment).
func copyTrimmedLego(src, dst string) error {
	if err := os.RemoveAll(dst); err != nil {
		return fmt.Errorf("clean %s: %w", dst, err)
	}
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel == "e2e" || rel == "docs" || rel == ".github" {
				return fs.SkipDir
			}
			if dir, ok := strings.CutPrefix(rel, "providers/dns/"); ok && !strings.Contains(dir, "/") && dir != "exec" {
				return fs.SkipDir
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if strings.HasSuffix(rel, "_test.go") || !d.Type().IsRegular() {
			return nil
		}
		return copyFile(p, filepath.Join(dst, rel))
	})
	if err != nil {
		return fmt.Errorf("copy lego module %s: %w", src, err)
	}
	for target, name := range legoReplaced {
		b, err := legoOverlay.ReadFile("testdata/legooverlay/" + name)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dst, filepath.FromSlash(target)), b, 0o644); err != nil {
			return fmt.Errorf("replace lego file %s: %w", target, err)
		}
	}
	return nil
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// GoTool returns the go command: the one on PATH, else the one of the
// running toolchain.
func GoTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return filepath.Join(build.Default.GOROOT, "bin", "go")
}

func goBuild(ctx context.Context, dir string, env []string, args ...string) error {
	_, err := goCmd(ctx, dir, env, append([]string{"build", "-trimpath"}, args...)...)
	return err
}

// goCmd runs the go command in dir without a workspace and returns stdout;
// on failure the error holds stderr.
func goCmd(ctx context.Context, dir string, env []string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, GoTool(), args...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "GOWORK=off"), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			return nil, fmt.Errorf("go %s: %w", strings.Join(args, " "), err)
		}
		return nil, fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, msg)
	}
	return stdout.Bytes(), nil
}

// errProcessExited reports a server that stopped before it was ready.
var errProcessExited = errors.New("process exited")
