package tpm

import (
	"encoding/binary"
	"strings"

	"github.com/google/go-tpm/tpm2"
)

// Info is what Probe learns of a TPM.
type Info struct {
	// Manufacturer is the vendor ID ("IBM" for swtpm, "INTC", "AMD",
	// "MSFT", ...).
	Manufacturer string
	// Firmware is the firmware version (two 32-bit halves).
	Firmware [2]uint32
}

// Probe opens the TPM at device and reads its manufacturer and firmware
// version (TPM2_GetCapability), proving it answers. Errors are a
// *DeviceError.
func Probe(device string) (Info, error) {
	t, err := Open(device)
	if err != nil {
		return Info{}, err
	}
	defer t.Close()
	rsp, err := tpm2.GetCapability{Capability: tpm2.TPMCapTPMProperties, Property: uint32(tpm2.TPMPTManufacturer), PropertyCount: 8}.Execute(t)
	if err != nil {
		return Info{}, &DeviceError{Device: device, Op: "get capability", Err: err}
	}
	props, err := rsp.CapabilityData.Data.TPMProperties()
	if err != nil {
		return Info{}, &DeviceError{Device: device, Op: "get capability", Err: err}
	}
	var info Info
	for _, p := range props.TPMProperty {
		switch p.Property {
		case tpm2.TPMPTManufacturer:
			var b [4]byte
			binary.BigEndian.PutUint32(b[:], p.Value)
			info.Manufacturer = strings.TrimRight(string(b[:]), "\x00 ")
		case tpm2.TPMPTFirmwareVersion1:
			info.Firmware[0] = p.Value
		case tpm2.TPMPTFirmwareVersion2:
			info.Firmware[1] = p.Value
		}
	}
	return info, nil
}
