package tpm

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"strings"
	"time"

	"github.com/google/go-tpm/tpm2/transport"
)

// DefaultDevices are the character devices Open tries for the empty spec,
// in order: the kernel resource manager first (it flushes what a crashed
// process left loaded), then the raw device.
var DefaultDevices = []string{"/dev/tpmrm0", "/dev/tpm0"}

// Spec kinds of a device spec.
const (
	SpecDevice = "device" // a character device path
	SpecUnix   = "unix"   // unix:PATH
	SpecMssim  = "mssim"  // mssim:HOST:PORT
)

// ParseDevice splits a device spec into its kind and address: "" (the
// default device), a path, "unix:PATH" or "mssim:HOST:PORT".
func ParseDevice(spec string) (kind, addr string, err error) {
	switch {
	case strings.HasPrefix(spec, "unix:"):
		addr = strings.TrimPrefix(spec, "unix:")
		if addr == "" {
			return "", "", fmt.Errorf("%w %q: want unix:PATH", ErrInvalidDevice, spec)
		}
		return SpecUnix, addr, nil
	case strings.HasPrefix(spec, "mssim:"):
		addr = strings.TrimPrefix(spec, "mssim:")
		if _, port, err := net.SplitHostPort(addr); err != nil || port == "" {
			return "", "", fmt.Errorf("%w %q: want mssim:HOST:PORT", ErrInvalidDevice, spec)
		}
		return SpecMssim, addr, nil
	}
	return SpecDevice, spec, nil
}

// Open opens the TPM named by spec (see ParseDevice). Errors are a
// *DeviceError wrapping ErrNoTPM (nothing there), ErrInvalidDevice or
// ErrUnsupportedPlatform.
func Open(spec string) (transport.TPMCloser, error) {
	kind, addr, err := ParseDevice(spec)
	if err != nil {
		return nil, &DeviceError{Device: spec, Op: "open", Err: err}
	}
	var t transport.TPMCloser
	switch kind {
	case SpecUnix:
		t, err = dialStream("unix", addr)
	case SpecMssim:
		t, err = dialStream("tcp", addr)
	default:
		t, err = openDevice(addr)
	}
	if err != nil {
		return nil, &DeviceError{Device: spec, Op: "open", Err: err}
	}
	return retrying{t}, nil
}

// retrying sends a command again when the TPM answers that it could not
// start it (TPM_RC_RETRY, TPM_RC_YIELDED, TPM_RC_TESTING), as the TSS does:
// the command did not run, so its sessions are unchanged.
type retrying struct{ transport.TPMCloser }

func (r retrying) Send(cmd []byte) ([]byte, error) {
	for i := 0; ; i++ {
		rsp, err := r.TPMCloser.Send(cmd)
		if err != nil || len(rsp) < 10 || i == 50 {
			return rsp, err
		}
		switch binary.BigEndian.Uint32(rsp[6:10]) {
		case 0x922, 0x908, 0x90a: // RETRY, YIELDED, TESTING
			time.Sleep(time.Duration(i) * time.Millisecond)
			continue
		}
		return rsp, nil
	}
}

// dialStream connects to a simulator that takes TPM commands as a byte
// stream (swtpm's unixio and tcp servers) and keeps the connection for
// every command.
func dialStream(network, addr string) (transport.TPMCloser, error) {
	c, err := net.DialTimeout(network, addr, 5*time.Second)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoTPM, err)
	}
	return &streamTPM{c: c}, nil
}

type streamTPM struct{ c net.Conn }

// maxResponse bounds a response (TPM responses are a few KiB).
const maxResponse = 1 << 16

func (s *streamTPM) Send(cmd []byte) ([]byte, error) {
	_ = s.c.SetDeadline(time.Now().Add(2 * time.Minute))
	if _, err := s.c.Write(cmd); err != nil {
		return nil, err
	}
	hdr := make([]byte, 10)
	if _, err := io.ReadFull(s.c, hdr); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(hdr[2:6])
	if n < 10 || n > maxResponse {
		return nil, fmt.Errorf("TPM response of %d bytes", n)
	}
	rsp := make([]byte, n)
	copy(rsp, hdr)
	if _, err := io.ReadFull(s.c, rsp[10:]); err != nil {
		return nil, err
	}
	return rsp, nil
}

func (s *streamTPM) Close() error { return s.c.Close() }

// noDevice wraps the error of opening a missing device in ErrNoTPM.
func noDevice(path string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %s does not exist", ErrNoTPM, path)
	}
	return err
}
