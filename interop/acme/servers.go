package acme

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// readyTimeout bounds how long a server may take to answer after start.
const readyTimeout = 20 * time.Second

// ChallTestSrv is a running pebble-challtestsrv serving DNS only.
type ChallTestSrv struct {
	*Process
	DNSAddr       string // host:port, UDP and TCP
	ManagementURL string // http://127.0.0.1:port
}

// StartChallTestSrv starts pebble-challtestsrv on loopback ports chosen at
// run time, with its HTTP-01, TLS-ALPN-01 and DoH servers off, and waits
// until its management API and DNS port answer. workDir receives the log.
func StartChallTestSrv(ctx context.Context, bin, workDir string) (*ChallTestSrv, error) {
	return retryStart(func() (*ChallTestSrv, error) {
		dnsPort, err := freePort(true)
		if err != nil {
			return nil, err
		}
		mgmtPort, err := freePort(false)
		if err != nil {
			return nil, err
		}
		c := &ChallTestSrv{
			DNSAddr:       net.JoinHostPort("127.0.0.1", strconv.Itoa(dnsPort)),
			ManagementURL: "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(mgmtPort)),
		}
		c.Process, err = startProcess("pebble-challtestsrv", filepath.Join(workDir, "challtestsrv.log"), childEnv(workDir), bin,
			"-dnsserver", c.DNSAddr,
			"-management", net.JoinHostPort("127.0.0.1", strconv.Itoa(mgmtPort)),
			"-http01", "", "-https01", "", "-tlsalpn01", "", "-doh", "")
		if err != nil {
			return nil, err
		}
		err = c.waitReady(ctx, readyTimeout, func(ctx context.Context) error {
			if _, err := c.DNSHistory(ctx, "ready.invalid"); err != nil {
				return err
			}
			d := net.Dialer{Timeout: time.Second}
			conn, err := d.DialContext(ctx, "tcp", c.DNSAddr)
			if err != nil {
				return err
			}
			return conn.Close()
		})
		if err != nil {
			c.Stop()
			return nil, err
		}
		return c, nil
	})
}

// SetTXT makes the DNS server answer TXT queries for host with value.
func (c *ChallTestSrv) SetTXT(ctx context.Context, host, value string) error {
	_, err := c.post(ctx, "/set-txt", map[string]string{"host": host, "value": value})
	return err
}

// ClearTXT removes the TXT answer for host.
func (c *ChallTestSrv) ClearTXT(ctx context.Context, host string) error {
	_, err := c.post(ctx, "/clear-txt", map[string]string{"host": host})
	return err
}

// DNSQuestion is one DNS question challtestsrv received.
type DNSQuestion struct {
	Name   string
	Qtype  uint16
	Qclass uint16
}

// DNSTypeTXT is the DNS type number of TXT records.
const DNSTypeTXT = 16

// DNSHistory returns the DNS questions challtestsrv received for host (no
// trailing dot).
func (c *ChallTestSrv) DNSHistory(ctx context.Context, host string) ([]DNSQuestion, error) {
	b, err := c.post(ctx, "/dns-request-history", map[string]string{"host": host})
	if err != nil {
		return nil, err
	}
	var events []struct{ Question DNSQuestion }
	if err := json.Unmarshal(b, &events); err != nil {
		return nil, fmt.Errorf("parse challtestsrv DNS history: %w", err)
	}
	qs := make([]DNSQuestion, len(events))
	for i, e := range events {
		qs[i] = e.Question
	}
	return qs, nil
}

func (c *ChallTestSrv) post(ctx context.Context, path string, body any) ([]byte, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.ManagementURL+path, bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("challtestsrv %s: %w", path, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("challtestsrv %s: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("challtestsrv %s: %s: %s", path, resp.Status, bytes.TrimSpace(out))
	}
	return out, nil
}

// PebbleProfile is one certificate profile of pebble's configuration
// (pebble's ca.Profile; JSON field names match case-insensitively).
type PebbleProfile struct {
	Description       string `json:"description"`
	PromoteCommonName bool   `json:"promoteCommonName"`
	ValidityPeriod    uint64 `json:"validityPeriod"` // seconds
}

// Profiles used by the tests: ClassicProfile copies Let's Encrypt's
// "classic" (CN = first DNS name, 90 days); pebble's "default" profile is
// left CN-less, like Let's Encrypt's "tlsserver" and "shortlived" (6 days).
var (
	ClassicProfile = PebbleProfile{Description: "like Let's Encrypt classic: CN promoted from the first DNS name", PromoteCommonName: true, ValidityPeriod: 90 * 24 * 3600}
	CNLessProfile  = PebbleProfile{Description: "like Let's Encrypt shortlived: empty subject", ValidityPeriod: 6 * 24 * 3600}
)

// PebbleOptions configures one pebble instance.
type PebbleOptions struct {
	// Intermediates is PEBBLE_CHAIN_LENGTH: despite the name, pebble reads
	// it as the number of intermediates between the root and the leaf
	// (ca.newChain's numIntermediates); 0 leaves pebble's default of 1.
	Intermediates int
	// KeyAlgorithm of the CA keys: "ecdsa" or "rsa" (pebble's default).
	KeyAlgorithm string
	// Profiles by name. Pebble picks one AT RANDOM for an order that
	// names none, so every lego run names its profile.
	Profiles map[string]PebbleProfile
}

// Pebble is a running pebble.
type Pebble struct {
	*Process
	DirectoryURL  string // https://127.0.0.1:port/dir
	ManagementURL string // https://127.0.0.1:port

	client *http.Client
}

// StartPebble starts pebble with a configuration written to workDir, its
// ACME and management APIs on loopback ports chosen at run time, its VA
// resolving through dnsAddr. The VA really validates challenges
// (PEBBLE_VA_ALWAYS_VALID is not passed on) without its random sleeps;
// nonces are never rejected and authorizations never reused, so every order
// runs a fresh DNS-01 validation.
func StartPebble(ctx context.Context, tools *Tools, workDir, dnsAddr string, o PebbleOptions) (*Pebble, error) {
	roots := x509.NewCertPool()
	caPEM, err := os.ReadFile(tools.MiniCA())
	if err != nil {
		return nil, fmt.Errorf("read pebble's test CA: %w", err)
	}
	if !roots.AppendCertsFromPEM(caPEM) {
		return nil, fmt.Errorf("no certificate in %s", tools.MiniCA())
	}
	client := &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}},
	}
	return retryStart(func() (*Pebble, error) {
		acmePort, err := freePort(false)
		if err != nil {
			return nil, err
		}
		mgmtPort, err := freePort(false)
		if err != nil {
			return nil, err
		}
		acmeAddr := net.JoinHostPort("127.0.0.1", strconv.Itoa(acmePort))
		mgmtAddr := net.JoinHostPort("127.0.0.1", strconv.Itoa(mgmtPort))
		var cfg struct {
			Pebble struct {
				ListenAddress           string                   `json:"listenAddress"`
				ManagementListenAddress string                   `json:"managementListenAddress"`
				Certificate             string                   `json:"certificate"`
				PrivateKey              string                   `json:"privateKey"`
				HTTPPort                int                      `json:"httpPort"`
				TLSPort                 int                      `json:"tlsPort"`
				KeyAlgorithm            string                   `json:"keyAlgorithm,omitempty"`
				Profiles                map[string]PebbleProfile `json:"profiles"`
			} `json:"pebble"`
		}
		cfg.Pebble.ListenAddress = acmeAddr
		cfg.Pebble.ManagementListenAddress = mgmtAddr
		cfg.Pebble.Certificate = filepath.Join(tools.PebbleDir, "test", "certs", "localhost", "cert.pem")
		cfg.Pebble.PrivateKey = filepath.Join(tools.PebbleDir, "test", "certs", "localhost", "key.pem")
		// Only DNS-01 is used; these ports are where the VA would look
		// for HTTP-01/TLS-ALPN-01 answers, never listened on.
		cfg.Pebble.HTTPPort, cfg.Pebble.TLSPort = 5002, 5001
		cfg.Pebble.KeyAlgorithm = o.KeyAlgorithm
		cfg.Pebble.Profiles = o.Profiles
		b, err := json.MarshalIndent(cfg, "", "  ")
		if err != nil {
			return nil, err
		}
		cfgPath := filepath.Join(workDir, "pebble-config.json")
		if err := os.WriteFile(cfgPath, b, 0o600); err != nil {
			return nil, fmt.Errorf("write pebble config: %w", err)
		}
		env := childEnv(workDir, "PEBBLE_VA_NOSLEEP=1", "PEBBLE_WFE_NONCEREJECT=0", "PEBBLE_AUTHZREUSE=0")
		if o.Intermediates > 0 {
			env = append(env, "PEBBLE_CHAIN_LENGTH="+strconv.Itoa(o.Intermediates))
		}
		p := &Pebble{
			DirectoryURL:  "https://" + acmeAddr + "/dir",
			ManagementURL: "https://" + mgmtAddr,
			client:        client,
		}
		p.Process, err = startProcess("pebble", filepath.Join(workDir, "pebble.log"), env, tools.Pebble,
			"-config", cfgPath, "-dnsserver", dnsAddr)
		if err != nil {
			return nil, err
		}
		err = p.waitReady(ctx, readyTimeout, func(ctx context.Context) error {
			if _, err := p.get(ctx, p.DirectoryURL); err != nil {
				return err
			}
			_, err := p.get(ctx, p.ManagementURL+"/roots/0")
			return err
		})
		if err != nil {
			p.Stop()
			return nil, err
		}
		return p, nil
	})
}

// Root returns the PEM of pebble's root CA certificate (chain 0), from the
// management API. Pebble makes a new root on every start.
func (p *Pebble) Root(ctx context.Context) ([]byte, error) {
	return p.certPEM(ctx, "/roots/0")
}

// Intermediate returns the PEM of the intermediate that signs the leaves
// (chain 0). With more intermediates, the others are only in the issuer
// bundle pebble returns with each certificate.
func (p *Pebble) Intermediate(ctx context.Context) ([]byte, error) {
	return p.certPEM(ctx, "/intermediates/0")
}

func (p *Pebble) certPEM(ctx context.Context, path string) ([]byte, error) {
	b, err := p.get(ctx, p.ManagementURL+path)
	if err != nil {
		return nil, err
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("pebble %s: no PEM certificate in the answer", path)
	}
	if _, err := x509.ParseCertificate(blk.Bytes); err != nil {
		return nil, fmt.Errorf("pebble %s: %w", path, err)
	}
	return b, nil
}

func (p *Pebble) get(ctx context.Context, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return b, nil
}
