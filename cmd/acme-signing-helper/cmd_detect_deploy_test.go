package main

import (
	"archive/zip"
	"bytes"
	"debug/elf"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// TestDetectDeployZip: --zip packages a linux/arm64 binary as bootstrap.
func TestDetectDeployZip(t *testing.T) {
	dir := t.TempDir()
	h := elf.Header64{Type: uint16(elf.ET_EXEC), Machine: uint16(elf.EM_AARCH64), Version: 1, Ehsize: 64}
	copy(h.Ident[:], elf.ELFMAG)
	h.Ident[elf.EI_CLASS], h.Ident[elf.EI_DATA], h.Ident[elf.EI_VERSION] = byte(elf.ELFCLASS64), byte(elf.ELFDATA2LSB), byte(elf.EV_CURRENT)
	var bin bytes.Buffer
	binary.Write(&bin, binary.LittleEndian, h)
	bootstrap := filepath.Join(dir, "bootstrap-arm64")
	if err := os.WriteFile(bootstrap, bin.Bytes(), 0o755); err != nil {
		t.Fatal(err)
	}
	zipPath := filepath.Join(dir, "detect.zip")
	e, out, errb := testEnv(nil)
	if code := runEnv(e, []string{"detect", "deploy", "--zip", zipPath, "--bootstrap", bootstrap}); code != 0 {
		t.Fatalf("exit %d: %s", code, errb)
	}
	if out.Len() != 0 {
		t.Fatalf("stdout %q, want nothing", out)
	}
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	if len(zr.File) != 1 || zr.File[0].Name != "bootstrap" || zr.File[0].Mode().Perm() != 0o755 {
		t.Fatalf("package holds %+v, want one executable bootstrap", zr.File)
	}
	rc, _ := zr.File[0].Open()
	got, _ := io.ReadAll(rc)
	if !bytes.Equal(got, bin.Bytes()) {
		t.Fatal("bootstrap is not the binary")
	}
}
