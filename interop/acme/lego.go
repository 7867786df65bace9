package acme

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-acme/lego/v4/certcrypto"
)

// Environment of the DNS hook (the exec program lego runs for DNS-01).
const (
	// HookModeEnv selects what the hook does with the record lego asks
	// for; its presence also tells TestMain to act as the hook.
	HookModeEnv = "ACME_INTEROP_DNS_HOOK"
	// HookServerEnv is challtestsrv's management URL.
	HookServerEnv = "ACME_INTEROP_CHALLTESTSRV"
)

// Hook modes.
const (
	HookServe = "serve" // publish the TXT record lego asks for
	HookDrop  = "drop"  // publish nothing: the validation must fail
	HookWrong = "wrong" // publish a different value: the validation must fail
)

// DNSHookMain is the exec program of lego's exec DNS provider (default
// mode): args are `present FQDN VALUE` or `cleanup FQDN VALUE`. It posts the
// record to challtestsrv's management API according to the HookModeEnv
// mode. It returns the exit code. Test binaries call it from TestMain when
// HookModeEnv is set, so lego can run the test binary as EXEC_PATH.
func DNSHookMain(args []string, getenv func(string) string, stderr io.Writer) int {
	if len(args) != 3 || (args[0] != "present" && args[0] != "cleanup") {
		fmt.Fprintf(stderr, "dns hook: usage: present|cleanup FQDN VALUE (got %q)\n", args)
		return 2
	}
	mode, server := getenv(HookModeEnv), getenv(HookServerEnv)
	if server == "" {
		fmt.Fprintf(stderr, "dns hook: %s is not set\n", HookServerEnv)
		return 2
	}
	c := &ChallTestSrv{ManagementURL: server}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	fqdn := args[1]
	var err error
	switch {
	case args[0] == "cleanup":
		err = c.ClearTXT(ctx, fqdn)
	case mode == HookServe:
		err = c.SetTXT(ctx, fqdn, args[2])
	case mode == HookWrong:
		err = c.SetTXT(ctx, fqdn, "not-the-key-authorization-digest")
	case mode == HookDrop:
		fmt.Fprintf(stderr, "dns hook: not publishing the TXT record for %s (mode %s)\n", fqdn, mode)
	default:
		fmt.Fprintf(stderr, "dns hook: unknown %s=%q\n", HookModeEnv, mode)
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "dns hook: %s %s: %v\n", args[0], fqdn, err)
		return 1
	}
	return 0
}

// Lego runs the lego CLI against one ACME server, with one --path (one
// "host"), solving DNS-01 through the exec provider and challtestsrv.
type Lego struct {
	Bin        string // lego binary
	Path       string // lego --path: accounts/ and certificates/ live here
	Server     string // ACME directory URL
	CACerts    string // LEGO_CA_CERTIFICATES: the CA of the server's TLS certificate
	Resolver   string // challtestsrv DNS host:port (--dns.resolvers)
	HookBin    string // EXEC_PATH: a binary that calls DNSHookMain
	HookServer string // challtestsrv management URL for the hook
	HookMode   string // HookServe (default), HookDrop or HookWrong
	Email      string // account e-mail
	Home       string // HOME of the child process
}

// LegoRequest says what to obtain.
type LegoRequest struct {
	Domains []string
	KeyType string // lego --key-type: ec256, ec384, rsa2048, ...
	Profile string // ACME profile; with "" pebble picks one at random
}

// LegoError is a failed lego run: its arguments, exit error and output.
type LegoError struct {
	Args   []string
	Err    error
	Output string
}

func (e *LegoError) Error() string {
	out := e.Output
	if len(out) > 3000 {
		out = "..." + out[len(out)-3000:]
	}
	return fmt.Sprintf("lego %s: %v; output:\n%s", strings.Join(e.Args, " "), e.Err, out)
}

func (e *LegoError) Unwrap() error { return e.Err }

// Run obtains a certificate (`lego run`).
func (l *Lego) Run(ctx context.Context, r LegoRequest) (string, error) {
	args := []string{"run"}
	if r.Profile != "" {
		args = append(args, "--profile", r.Profile)
	}
	return l.exec(ctx, r, args...)
}

// Renew renews a certificate now (`lego renew`): lego v4.28.1 has no force
// flag, so --days is set beyond any lifetime; ARI and the random sleep of
// non-interactive runs are disabled. The profile must be given again, or
// the CA's default applies to the new certificate.
func (l *Lego) Renew(ctx context.Context, r LegoRequest) (string, error) {
	args := []string{"renew", "--days", "100000", "--ari-disable", "--no-random-sleep"}
	if r.Profile != "" {
		args = append(args, "--profile", r.Profile)
	}
	return l.exec(ctx, r, args...)
}

func (l *Lego) exec(ctx context.Context, r LegoRequest, sub ...string) (string, error) {
	args := []string{
		"--server", l.Server,
		"--path", l.Path,
		"--accept-tos",
		"--email", l.Email,
		"--dns", "exec",
		"--dns.resolvers", l.Resolver,
		// challtestsrv does not answer SOA queries, so lego's own
		// propagation check cannot find the zone; a fixed wait replaces
		// the check. Pebble's VA still queries the TXT record.
		"--dns.propagation-wait", "1ms",
		"--key-type", r.KeyType,
	}
	for _, d := range r.Domains {
		args = append(args, "--domains", d)
	}
	args = append(args, sub...)
	mode := l.HookMode
	if mode == "" {
		mode = HookServe
	}
	cmd := exec.CommandContext(ctx, l.Bin, args...)
	cmd.Env = childEnv(l.Home,
		"LEGO_CA_CERTIFICATES="+l.CACerts,
		"EXEC_PATH="+l.HookBin,
		"EXEC_POLLING_INTERVAL=1",
		"EXEC_PROPAGATION_TIMEOUT=30",
		HookModeEnv+"="+mode,
		HookServerEnv+"="+l.HookServer,
	)
	cmd.SysProcAttr = procAttr()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return out.String(), &LegoError{Args: args, Err: err, Output: out.String()}
	}
	return out.String(), nil
}

// CertFiles are the files lego writes for a domain under
// <path>/certificates/ (a wildcard's "*" is stored as "_").
type CertFiles struct {
	Cert, Key, Issuer, Meta string
}

// Files returns the paths lego uses for domain.
func (l *Lego) Files(domain string) CertFiles {
	base := filepath.Join(l.Path, "certificates", strings.ReplaceAll(domain, "*", "_"))
	return CertFiles{Cert: base + ".crt", Key: base + ".key", Issuer: base + ".issuer.crt", Meta: base + ".json"}
}

// ReadChain parses every certificate of a PEM file, in file order, with
// lego's own bundle parser (certcrypto.ParsePEMBundle): the files are read
// the way the client that wrote them reads them. Importing it also keeps
// lego a real requirement of interop/go.mod.
func ReadChain(path string) ([]*x509.Certificate, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	certs, err := certcrypto.ParsePEMBundle(b)
	if err != nil {
		return nil, fmt.Errorf("parse certificates in %s: %w", path, err)
	}
	return certs, nil
}

// WritePEM writes certificates to path as PEM.
func WritePEM(path string, certs ...*x509.Certificate) error {
	var b bytes.Buffer
	for _, c := range certs {
		if err := pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}); err != nil {
			return err
		}
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}

// legoMeta is the part of lego's <domain>.json the tests read.
type legoMeta struct {
	Domain  string `json:"domain"`
	CertURL string `json:"certUrl"`
}

// ReadMeta reads lego's resource file for a domain.
func ReadMeta(path string) (domain, certURL string, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", "", err
	}
	var m legoMeta
	if err := json.Unmarshal(b, &m); err != nil {
		return "", "", fmt.Errorf("parse %s: %w", path, err)
	}
	if m.Domain == "" || m.CertURL == "" {
		return "", "", errors.New("lego resource file without domain or certUrl")
	}
	return m.Domain, m.CertURL, nil
}
