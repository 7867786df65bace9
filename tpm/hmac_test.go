package tpm_test

import (
	"bytes"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/internal/swtpmtest"
	"github.com/acme-signing-helper/acme-signing-helper/totp"
	"github.com/acme-signing-helper/acme-signing-helper/tpm"
)

// TestTOTPFromTPM is issue 15's acceptance 4: a seed enrolled into the TPM
// gives, at 1,000 random times, the codes oathtool --totp gives for the
// seed of the seeds database; no file enroll wrote but the database holds
// the seed.
func TestTOTPFromTPM(t *testing.T) {
	sim := swtpmtest.Start(t)
	swtpmtest.Need(t, "oathtool")
	dir := t.TempDir()
	o := totp.DeviceEnrollOptions{BlobPath: filepath.Join(dir, "seed.tpm"), DBPath: filepath.Join(dir, "seeds.json"), Identity: "CN=host.example.com"}
	if _, err := totp.EnrollDevice(tpm.Importer{Device: sim.Device()}, o); err != nil {
		t.Fatal(err)
	}
	db, _, err := totp.LoadSeedDB(o.DBPath)
	if err != nil {
		t.Fatal(err)
	}
	seed, ok, err := db.Lookup(o.Identity)
	if err != nil || !ok {
		t.Fatalf("seed not in the database: %v", err)
	}

	// The seed in none of the other files enroll wrote (in any encoding).
	forms := [][]byte{seed, []byte(seed.Hex()), []byte(strings.ToUpper(seed.Hex())), []byte(base32.StdEncoding.EncodeToString(seed))}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() == "seeds.json" {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range forms {
			if bytes.Contains(b, f) {
				t.Errorf("%s holds the seed", e.Name())
			}
		}
	}
	if len(entries) != 2 {
		t.Errorf("enroll wrote %d files, want 2 (blob, database)", len(entries))
	}

	blob, err := os.ReadFile(o.BlobPath)
	if err != nil {
		t.Fatal(err)
	}
	k, err := tpm.LoadHMACKey(o.BlobPath, blob, sim.Device())
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 15))
	const n = 1000
	// One oathtool run per code: oathtool takes one --now each.
	for i := 0; i < n; i++ {
		at := time.Unix(r.Int64N(4102444800), 0) // 1970..2100
		digits := 6 + i%3
		got, err := totp.CodeKeyedHash(k, at, totp.Options{Digits: digits})
		if err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("oathtool", "--totp", "--digits="+strconv.Itoa(digits), "--now", at.UTC().Format("2006-01-02 15:04:05 UTC"), hex.EncodeToString(seed)).Output()
		if err != nil {
			t.Fatalf("oathtool: %v", err)
		}
		if want := strings.TrimSpace(string(out)); got != want {
			t.Fatalf("at %d (%d digits): TPM %s, oathtool %s", at.Unix(), digits, got, want)
		}
	}

	// The blob on another TPM, and a corrupt blob.
	other := swtpmtest.Start(t)
	if _, err := tpm.LoadHMACKey(o.BlobPath, blob, other.Device()); !errors.Is(err, tpm.ErrForeignKey) {
		t.Errorf("other TPM: got %v, want ErrForeignKey", err)
	}
	if _, err := tpm.LoadHMACKey(o.BlobPath, blob[:len(blob)/2], sim.Device()); !errors.Is(err, tpm.ErrNotTSS2Key) {
		t.Errorf("truncated blob: got %v, want ErrNotTSS2Key", err)
	}
	// A signing key file is not an HMAC blob.
	sk, err := tpm.GenerateKey(tpm.KeyOptions{Device: sim.Device()}, tpm.KeyECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tpm.LoadHMACKey("key.pem", sk, sim.Device()); !errors.Is(err, tpm.ErrNotHMACKey) {
		t.Errorf("signing key as a blob: got %v, want ErrNotHMACKey", err)
	}
}
