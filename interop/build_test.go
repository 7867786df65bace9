package interop

import (
	"debug/buildinfo"
	"debug/elf"
	"strings"
	"testing"
)

// TestOfficialHelperIsPinnedRelease makes sure the peer is the release the
// project claims compatibility with, built from its own module.
func TestOfficialHelperIsPinnedRelease(t *testing.T) {
	bin := officialHelper(t)
	bi, err := buildinfo.ReadFile(bin)
	if err != nil {
		t.Fatalf("read build info of %s: %v", bin, err)
	}
	const mod = "github.com/aws/rolesanywhere-credential-helper"
	if bi.Path != mod {
		t.Errorf("main package: got %q, want %q", bi.Path, mod)
	}
	if got, want := bi.Main.Version, "v"+OfficialHelperVersion; bi.Main.Path != mod || got != want {
		t.Errorf("main module: got %s %s, want %s %s", bi.Main.Path, got, mod, want)
	}
	r := run(t, cleanEnv(t), bin, "version")
	if got := strings.TrimSpace(r.stdout); r.code != 0 || got != OfficialHelperVersion {
		t.Errorf("aws_signing_helper version: got %q (exit %d), want %q", got, r.code, OfficialHelperVersion)
	}
}

// TestOurBinaryIsStatic checks what `CGO_ENABLED=0 go build` promises: no
// ELF interpreter, no shared library, and the build info says so.
func TestOurBinaryIsStatic(t *testing.T) {
	bin := ourBinary(t)
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatalf("open %s as ELF: %v", bin, err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("program header %v present: the binary is dynamically linked", p.Type)
		}
	}
	if libs, err := f.ImportedLibraries(); err == nil && len(libs) > 0 {
		t.Errorf("imports shared libraries %v", libs)
	}
	bi, err := buildinfo.ReadFile(bin)
	if err != nil {
		t.Fatalf("read build info of %s: %v", bin, err)
	}
	var cgo string
	for _, s := range bi.Settings {
		if s.Key == "CGO_ENABLED" {
			cgo = s.Value
		}
	}
	if cgo != "0" {
		t.Errorf("build setting CGO_ENABLED: got %q, want \"0\"", cgo)
	}
	// The official helper, built with cgo, is the counter-example: if this
	// check could not tell the two apart it would prove nothing.
	if official := officialHelper(t); official != "" {
		g, err := elf.Open(official)
		if err != nil {
			t.Fatalf("open %s as ELF: %v", official, err)
		}
		defer g.Close()
		libs, _ := g.ImportedLibraries()
		if len(libs) == 0 {
			t.Errorf("the cgo-built official helper imports no shared library: the static check is blind")
		}
	}
}
