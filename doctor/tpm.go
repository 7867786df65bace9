package doctor

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/signer"
	"github.com/acme-signing-helper/acme-signing-helper/totp"
	"github.com/acme-signing-helper/acme-signing-helper/tpm"
)

// The TPM checks: a "tpm" line (the TPM answers) when the key is a TSS2
// key file or a handle, or the fingerprint is a tpm-hmac blob; whether the
// key loads and matches the certificate is signer's files and key checks
// (signer.Inspect loads it in the TPM and verifies a probe signature);
// the fingerprint line of a tpm-hmac blob loads it and computes a code.

// usesTPM reports whether in involves a TPM: a handle or TSS2 key file,
// or a tpm-hmac fingerprint.
func usesTPM(in Inputs, rep *signer.LoadReport) bool {
	if _, ok := tpmSeed(in); ok {
		return true
	}
	key := in.Load.PrivateKey
	if rep != nil && rep.Files.PrivateKey != "" {
		key = rep.Files.PrivateKey
	}
	if key == "" {
		return false
	}
	if tpm.IsHandle(key) {
		return true
	}
	f, err := os.Open(key)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 256)
	n, _ := f.Read(head)
	return tpm.IsKeyFile(head[:n])
}

// tpmSeed is the lone tpm-hmac spec of the fingerprints.
func tpmSeed(in Inputs) (totp.Spec, bool) {
	specs, err := totp.ParseSpecs(in.Fingerprints)
	if err != nil {
		return totp.Spec{}, false
	}
	sp, ok, err := totp.DeviceSpec(specs)
	return sp, ok && err == nil
}

// tpmCheck is the "tpm" line: the TPM at in.Load.TPMDevice answers.
func tpmCheck(in Inputs) Check {
	const name = "tpm"
	dev := in.Load.TPMDevice
	info, err := tpm.Probe(dev)
	if err != nil {
		return Check{Name: name, Status: Fail, Detail: err.Error(), Err: err}
	}
	if dev == "" {
		dev = "the default device"
	}
	return Check{Name: name, Status: Pass, Detail: fmt.Sprintf("TPM 2.0 at %s answers (manufacturer %s, firmware %d.%d)", dev, info.Manufacturer, info.Firmware[0]>>16, info.Firmware[0]&0xffff)}
}

// tpmSeedCheck is the fingerprint line of a tpm-hmac blob: this TPM loads
// it and computes the code twice alike.
func tpmSeedCheck(in Inputs, sp totp.Spec) Check {
	const name = "fingerprint"
	k, err := tpm.ReadHMACKey(sp.Arg, in.Load.TPMDevice)
	if re := (*tpm.ReadError)(nil); errors.As(err, &re) {
		return Check{Name: name, Status: Fail, Detail: fmt.Sprintf("TOTP seed blob: %v", re.Err), Err: re.Err,
			Fix: "pass the --fingerprint tpm-hmac:FILE that 'totp enroll --tpm --out FILE' wrote"}
	}
	if err != nil {
		return Check{Name: name, Status: Fail, Detail: err.Error(), Err: err}
	}
	at := in.Now().Truncate(time.Second)
	c1, err1 := totp.CodeKeyedHash(k, at, totp.Options{Digits: in.Digits})
	c2, err2 := totp.CodeKeyedHash(k, at, totp.Options{Digits: in.Digits})
	switch {
	case err1 != nil:
		return Check{Name: name, Status: Fail, Detail: err1.Error(), Err: err1}
	case err2 != nil:
		return Check{Name: name, Status: Fail, Detail: err2.Error(), Err: err2}
	case c1 != c2:
		return Check{Name: name, Status: Fail, Detail: "the TPM gave two codes for one time step", Fix: "check the TPM (tpm2_selftest --fulltest)"}
	}
	return Check{Name: name, Status: Pass, Detail: fmt.Sprintf("TOTP seed %s held by this TPM: it loads and computes codes", sp.Arg)}
}
