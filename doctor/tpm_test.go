package doctor

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/internal/swtpmtest"
	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
	"github.com/acme-signing-helper/acme-signing-helper/signer"
	"github.com/acme-signing-helper/acme-signing-helper/totp"
	"github.com/acme-signing-helper/acme-signing-helper/tpm"
)

// tpmInputs are healthy inputs whose key is in sim, with a TPM-held TOTP
// seed.
func tpmInputs(t *testing.T, sim *swtpmtest.TPM) Inputs {
	t.Helper()
	dir := t.TempDir()
	pemKey, err := tpm.GenerateKey(tpm.KeyOptions{Device: sim.Device()}, tpm.KeyECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	keyPath := filepath.Join(dir, "key.pem")
	if err := os.WriteFile(keyPath, pemKey, 0o600); err != nil {
		t.Fatal(err)
	}
	key, err := tpm.LoadKeyFile(keyPath, pemKey, tpm.KeyOptions{Device: sim.Device()})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	root, err := testpki.NewRoot("TPM Doctor Root", testpki.ECDSAP256, now)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := root.IssueLeaf(testpki.LeafOptions{DNSNames: []string{"host.example.com"}, Key: key}, now)
	if err != nil {
		t.Fatal(err)
	}
	cert, rootPath := filepath.Join(dir, "leaf.pem"), filepath.Join(dir, "root.pem")
	os.WriteFile(cert, testpki.CertPEM(leaf.Cert), 0o644)
	os.WriteFile(rootPath, testpki.CertPEM(root.Cert), 0o644)
	blob := filepath.Join(dir, "seed.tpm")
	if _, err := totp.EnrollDevice(tpm.Importer{Device: sim.Device()}, totp.DeviceEnrollOptions{BlobPath: blob, DBPath: filepath.Join(dir, "db.json"), Identity: "CN=host.example.com"}); err != nil {
		t.Fatal(err)
	}
	return Inputs{
		Load:         signer.LoadOptions{Certificate: cert, PrivateKey: keyPath, TPMDevice: sim.Device()},
		Config:       signer.Config{TrustAnchorARN: testTA, ProfileARN: testProfile, RoleARN: testRole},
		AnchorFiles:  []string{rootPath},
		Fingerprints: []string{"tpm-hmac:" + blob},
		Offline:      true,
	}
}

func TestTPMChecks(t *testing.T) {
	sim := swtpmtest.Start(t)
	other := swtpmtest.Start(t)
	in := tpmInputs(t, sim)

	r := Run(context.Background(), in)
	for _, n := range []string{"files", "key", "tpm", "fingerprint"} {
		if c, ok := r.Check(n); !ok || c.Status != Pass {
			t.Errorf("%s: %+v, want PASS", n, c)
		}
	}
	if !r.OK {
		t.Errorf("not OK: %+v", r)
	}

	// The same key file and blob with another TPM.
	in2 := in
	in2.Load.TPMDevice = other.Device()
	r = Run(context.Background(), in2)
	if c, _ := r.Check("files"); c.Status != Fail || !errors.Is(c.Err, tpm.ErrForeignKey) {
		t.Errorf("files with another TPM: %+v, want FAIL ErrForeignKey", c)
	}
	if c, _ := r.Check("tpm"); c.Status != Pass {
		t.Errorf("tpm: %+v, want PASS (it answers)", c)
	}
	if c, _ := r.Check("fingerprint"); c.Status != Fail || !errors.Is(c.Err, tpm.ErrForeignKey) {
		t.Errorf("fingerprint with another TPM: %+v, want FAIL ErrForeignKey", c)
	}

	// No TPM.
	in3 := in
	in3.Load.TPMDevice = "unix:" + filepath.Join(t.TempDir(), "none")
	r = Run(context.Background(), in3)
	if c, _ := r.Check("tpm"); c.Status != Fail || !errors.Is(c.Err, tpm.ErrNoTPM) {
		t.Errorf("tpm without a TPM: %+v, want FAIL ErrNoTPM", c)
	}

	// No TPM involved: no tpm line.
	r = Run(context.Background(), healthyInputs(t))
	if _, ok := r.Check("tpm"); ok {
		t.Error("a tpm line for a file key")
	}
}
