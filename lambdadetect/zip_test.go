package lambdadetect

import (
	"archive/zip"
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestWritePackage: a linux/arm64 binary becomes a package file of the
// size returned; another binary is refused and no file is written.
func TestWritePackage(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, m elf.Machine) string {
		h := elf.Header64{Type: uint16(elf.ET_EXEC), Machine: uint16(m), Version: 1, Ehsize: 64}
		copy(h.Ident[:], elf.ELFMAG)
		h.Ident[elf.EI_CLASS], h.Ident[elf.EI_DATA], h.Ident[elf.EI_VERSION] = byte(elf.ELFCLASS64), byte(elf.ELFDATA2LSB), byte(elf.EV_CURRENT)
		var b bytes.Buffer
		binary.Write(&b, binary.LittleEndian, h)
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b.Bytes(), 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	zipPath := filepath.Join(dir, "detect.zip")
	n, err := WritePackage(zipPath, write("arm64", elf.EM_AARCH64))
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(zipPath)
	if err != nil || fi.Size() != int64(n) || fi.Mode().Perm() != 0o644 {
		t.Fatalf("package %v (%d bytes returned): %v", fi, n, err)
	}
	if zr, err := zip.OpenReader(zipPath); err != nil || len(zr.File) != 1 || zr.File[0].Name != "bootstrap" {
		t.Fatalf("package is not one bootstrap: %v", err)
	} else {
		zr.Close()
	}
	other := filepath.Join(dir, "other.zip")
	if _, err := WritePackage(other, write("amd64", elf.EM_X86_64)); !errors.Is(err, ErrNotLinuxARM64) {
		t.Errorf("amd64: got %v, want ErrNotLinuxARM64", err)
	}
	if _, err := os.Stat(other); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused binary left %s: %v", other, err)
	}
}
