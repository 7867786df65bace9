package lambdadetect

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestDeployOptionsCheck(t *testing.T) {
	for _, tt := range []struct {
		o    DeployOptions
		want error // nil: valid
	}{
		{DeployOptions{Format: "cloudformation"}, nil},
		{DeployOptions{Zip: "d.zip"}, nil},
		{DeployOptions{Zip: "d.zip", Bootstrap: "bootstrap"}, nil},
		{DeployOptions{}, ErrNothingToDeploy},
		{DeployOptions{Bootstrap: "bootstrap"}, ErrNothingToDeploy},
		{DeployOptions{Format: "terraform", Zip: "d.zip"}, ErrTemplateAndPackage},
		{DeployOptions{Format: "terraform", Bootstrap: "b"}, &TemplateFormatError{}},
		{DeployOptions{Format: "cloudformation", Bootstrap: "b"}, ErrBootstrapWithoutPackage},
	} {
		err := tt.o.Check()
		var fe *TemplateFormatError
		switch tt.want.(type) {
		case nil:
			if err != nil {
				t.Errorf("%+v: got %v, want nil", tt.o, err)
			}
		case *TemplateFormatError:
			if !errors.As(err, &fe) || fe.Format != tt.o.Format || err.Error() != `format "terraform" is not cloudformation` {
				t.Errorf("%+v: got %v, want a *TemplateFormatError", tt.o, err)
			}
		default:
			if err != tt.want {
				t.Errorf("%+v: got %v, want %v", tt.o, err, tt.want)
			}
		}
	}
}

// TestDeploy: the template goes to the writer; the package to Zip, with
// the given bootstrap, or else the running program (refused here unless
// it is linux/arm64).
func TestDeploy(t *testing.T) {
	var out bytes.Buffer
	bin, n, err := DeployOptions{Format: "cloudformation"}.Deploy(&out)
	want, terr := Template()
	if err != nil || terr != nil || bin != "" || n != 0 || !bytes.Equal(out.Bytes(), want) {
		t.Fatalf("template: %q %d %v %v, %d bytes written", bin, n, err, terr, out.Len())
	}

	dir := t.TempDir()
	h := elf.Header64{Type: uint16(elf.ET_EXEC), Machine: uint16(elf.EM_AARCH64), Version: 1, Ehsize: 64}
	copy(h.Ident[:], elf.ELFMAG)
	h.Ident[elf.EI_CLASS], h.Ident[elf.EI_DATA], h.Ident[elf.EI_VERSION] = byte(elf.ELFCLASS64), byte(elf.ELFDATA2LSB), byte(elf.EV_CURRENT)
	var b bytes.Buffer
	binary.Write(&b, binary.LittleEndian, h)
	bootstrap := filepath.Join(dir, "bootstrap")
	if err := os.WriteFile(bootstrap, b.Bytes(), 0o755); err != nil {
		t.Fatal(err)
	}
	zipPath := filepath.Join(dir, "d.zip")
	out.Reset()
	bin, n, err = DeployOptions{Zip: zipPath, Bootstrap: bootstrap}.Deploy(&out)
	if fi, serr := os.Stat(zipPath); err != nil || serr != nil || bin != bootstrap || int64(n) != fi.Size() || out.Len() != 0 {
		t.Fatalf("package: %q %d %v %v", bin, n, err, serr)
	}

	self, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	bin, _, err = DeployOptions{Zip: filepath.Join(dir, "self.zip")}.Deploy(&out)
	if bin != self {
		t.Errorf("default bootstrap %q, want the running program %q", bin, self)
	}
	if isARM64 := runtime.GOOS == "linux" && runtime.GOARCH == "arm64"; isARM64 != (err == nil) {
		t.Errorf("running program on %s/%s: %v", runtime.GOOS, runtime.GOARCH, err)
	}
}
