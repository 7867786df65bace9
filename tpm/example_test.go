package tpm_test

import (
	"crypto"
	"crypto/sha256"
	"fmt"
	"os"

	"github.com/acme-signing-helper/acme-signing-helper/tpm"
)

// A key made by 'acme-signing-helper tpm keygen' or 'openssl genpkey
// -provider tpm2' signs inside the TPM; the key file is useless elsewhere.
func ExampleLoadKeyFile() {
	b, err := os.ReadFile("/etc/lego/certificates/host.example.com.key")
	if err != nil {
		fmt.Println(err)
		return
	}
	key, err := tpm.LoadKeyFile("host.example.com.key", b, tpm.KeyOptions{Device: "unix:/run/swtpm/tpm.sock"})
	if err != nil {
		fmt.Println(err) // e.g. tpm.ErrForeignKey: made by another TPM
		return
	}
	digest := sha256.Sum256([]byte("string to sign"))
	sig, err := key.Sign(nil, digest[:], crypto.SHA256)
	fmt.Println(len(sig) > 0, err)
}
