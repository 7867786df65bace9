// Package cloudtrailgen writes realistic CloudTrail log files for the
// tests and benchmarks of package audit and the detect command: gzip
// {"Records":[...]} files in the S3 key layout, many event kinds (S3, EC2,
// STS, KMS, IAM, Lambda, CloudWatch Logs, ...) at realistic sizes, and a
// configurable fraction of IAM Roles Anywhere CreateSession records from
// legit workloads and from impersonators. Output is deterministic for a
// seed.
//
// Security considerations: test-only. The seeds and certificates it makes
// are throwaway (Ed25519 certificates derived from the seed, so the output
// is reproducible); never use them for anything real.
package cloudtrailgen

import (
	"bytes"
	"compress/gzip"
	"crypto/ed25519"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/big"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/totp"
)

// Config says what to generate. Zero fields take the defaults noted.
type Config struct {
	Seed    uint64
	Account string    // default 123456789012
	Region  string    // default eu-west-2
	Domain  string    // workloads are <name>.<Domain>; default not-your-co.com
	Start   time.Time // time of the first file; default 2026-11-21T00:00:00Z
	Files   int       // default 1
	// RecordsPerFile is the number of records in each file; default 1000.
	RecordsPerFile int
	// RolesAnywhereFraction is the fraction of records that are Roles
	// Anywhere CreateSession records (default 0.01). With AssumeRole set,
	// each is followed by the STS AssumeRole record, which counts too.
	RolesAnywhereFraction float64
	AssumeRole            bool
	// CallsFraction is the fraction of records that are later calls
	// (S3 GetObject) of legit Roles Anywhere sessions of the workloads,
	// each made with role workload-<first 8 characters of the identity>
	// (default 0: none, so detect's corpus is unchanged).
	CallsFraction float64
	// Workloads is the number of legit workloads in the seed database
	// (default 20).
	Workloads int
	// BadFraction is the fraction of Roles Anywhere sessions that are not
	// legit, spread evenly over mismatch (an impersonator's own
	// fingerprint), no-session-name and unknown-identity (default 0.1).
	BadFraction float64
	// Jobs is the number of files written in parallel (default 2).
	Jobs int
}

func (c *Config) defaults() {
	if c.Account == "" {
		c.Account = "123456789012"
	}
	if c.Region == "" {
		c.Region = "eu-west-2"
	}
	if c.Domain == "" {
		c.Domain = "not-your-co.com"
	}
	if c.Start.IsZero() {
		c.Start = time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	}
	if c.Files <= 0 {
		c.Files = 1
	}
	if c.RecordsPerFile <= 0 {
		c.RecordsPerFile = 1000
	}
	if c.RolesAnywhereFraction == 0 {
		c.RolesAnywhereFraction = 0.01
	}
	if c.Workloads <= 0 {
		c.Workloads = 20
	}
	if c.BadFraction == 0 {
		c.BadFraction = 0.1
	}
	if c.Jobs <= 0 {
		c.Jobs = 2
	}
}

// Workload is a machine with a certificate and a TOTP key.
type Workload struct {
	Identity string // the certificate CN
	Key      totp.Key
	Cert     []byte // DER
	Serial   *big.Int
	IP       string // the address its calls come from
}

// Corpus describes what Generate wrote.
type Corpus struct {
	Dir       string
	Files     []string // in order
	Records   int64
	Bytes     int64 // uncompressed JSON
	GzipBytes int64
	// Calls is the number of later calls of sessions (Config.CallsFraction).
	Calls int64
	// Expected counts the Roles Anywhere sessions by the verdict detect
	// must give (legit, mismatch, no-session-name, unknown-identity).
	Expected  map[string]int64
	Workloads []Workload
	// DB is the seed database in the seed's env-sha1sum-db.json format.
	DB []byte
}

// NewWorkloads makes n workloads of domain, deterministic for seed.
func NewWorkloads(seed uint64, domain string, n int, prefix string) ([]Workload, error) {
	out := make([]Workload, n)
	for i := range out {
		id := fmt.Sprintf("%s%03d.%s", prefix, i, domain)
		var s [32]byte
		binary.BigEndian.PutUint64(s[:], seed)
		copy(s[8:], id)
		k := sha1.Sum(append(s[:], "totp"...))
		der, serial, err := makeCert(s, id)
		if err != nil {
			return nil, err
		}
		ip := fmt.Sprintf("198.51.%d.%d", k[0], 1+k[1]%254)
		if prefix != "host" {
			ip = fmt.Sprintf("203.0.%d.%d", k[0], 1+k[1]%254)
		}
		out[i] = Workload{Identity: id, Key: totp.Key(k[:]), Cert: der, Serial: serial, IP: ip}
	}
	return out, nil
}

func makeCert(seed [32]byte, cn string) ([]byte, *big.Int, error) {
	key := ed25519.NewKeyFromSeed(sha1pad(seed[:]))
	h := sha1.Sum(append(seed[:], "serial"...))
	serial := new(big.Int).SetBytes(h[:16])
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: cn},
		DNSNames:     []string{cn},
		NotBefore:    time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2026, 12, 30, 0, 0, 0, 0, time.UTC),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(nil, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, nil, fmt.Errorf("cloudtrailgen: certificate for %s: %w", cn, err)
	}
	return der, serial, nil
}

func sha1pad(b []byte) []byte {
	h1 := sha1.Sum(append([]byte("a"), b...))
	h2 := sha1.Sum(append([]byte("b"), b...))
	return append(h1[:], h2[:12]...)
}

// SeedDB renders workloads as the seed's env-sha1sum-db.json.
func SeedDB(ws []Workload) []byte {
	var b bytes.Buffer
	b.WriteString("[\n")
	for i, w := range ws {
		if i > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, "  {%q: %q}", "CN="+w.Identity, hex.EncodeToString(w.Key))
	}
	b.WriteString("\n]\n")
	return b.Bytes()
}

// Generate writes cfg.Files gzip log files under dir in the S3 key layout
// AWSLogs/<acct>/CloudTrail/<region>/YYYY/MM/DD/<acct>_CloudTrail_<region>_<ts>_<rand>.json.gz
// plus dir/env-sha1sum-db.json (mode 0600).
func Generate(dir string, cfg Config) (*Corpus, error) {
	cfg.defaults()
	ws, err := NewWorkloads(cfg.Seed, cfg.Domain, cfg.Workloads, "host")
	if err != nil {
		return nil, err
	}
	// Impersonators: valid certificates for other names in the domain,
	// their own keys, not in the database.
	imps, err := NewWorkloads(cfg.Seed+1, cfg.Domain, 5, "intruder")
	if err != nil {
		return nil, err
	}
	c := &Corpus{Dir: dir, Expected: map[string]int64{}, Workloads: ws, DB: SeedDB(ws)}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "env-sha1sum-db.json"), c.DB, 0o600); err != nil {
		return nil, err
	}
	c.Files = make([]string, cfg.Files)
	type res struct {
		records, calls, bytes, gz int64
		exp                       map[string]int64
		err                       error
	}
	results := make([]res, cfg.Files)
	var wg sync.WaitGroup
	sem := make(chan struct{}, cfg.Jobs)
	for i := 0; i < cfg.Files; i++ {
		t := cfg.Start.Add(time.Duration(i) * 5 * time.Minute)
		rnd := rand.New(rand.NewPCG(cfg.Seed, uint64(i)))
		name := fmt.Sprintf("%s_CloudTrail_%s_%s_%s.json.gz", cfg.Account, cfg.Region, t.Format("20060102T1504Z"), randAlnum(rnd, 16))
		p := filepath.Join(dir, "AWSLogs", cfg.Account, "CloudTrail", cfg.Region, t.Format("2006/01/02"), name)
		c.Files[i] = p
		wg.Add(1)
		sem <- struct{}{}
		go func(i int, p string, t time.Time, rnd *rand.Rand) {
			defer wg.Done()
			defer func() { <-sem }()
			g := &fileGen{cfg: &cfg, rnd: rnd, start: t, ws: ws, imps: imps, exp: map[string]int64{}}
			data := g.file()
			r := res{records: g.records, calls: g.calls, bytes: int64(len(data)), exp: g.exp}
			r.gz, r.err = writeGzip(p, data)
			results[i] = r
		}(i, p, t, rnd)
	}
	wg.Wait()
	for _, r := range results {
		if r.err != nil {
			return nil, r.err
		}
		c.Records += r.records
		c.Calls += r.calls
		c.Bytes += r.bytes
		c.GzipBytes += r.gz
		for k, v := range r.exp {
			c.Expected[k] += v
		}
	}
	return c, nil
}

func writeGzip(p string, data []byte) (int64, error) {
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return 0, err
	}
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write(data); err != nil {
		return 0, err
	}
	if err := zw.Close(); err != nil {
		return 0, err
	}
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, b.Bytes(), 0o600); err != nil {
		return 0, err
	}
	return int64(b.Len()), os.Rename(tmp, p)
}

// fileGen writes one log file.
type fileGen struct {
	cfg     *Config
	rnd     *rand.Rand
	start   time.Time
	ws      []Workload
	imps    []Workload
	records int64
	calls   int64
	exp     map[string]int64
}

func (g *fileGen) file() []byte {
	n := g.cfg.RecordsPerFile
	b := make([]byte, 0, n*1600)
	b = append(b, `{"Records":[`...)
	for i := 0; i < n; i++ {
		if i > 0 {
			b = append(b, ',')
		}
		t := g.start.Add(time.Duration(g.rnd.Int64N(int64(5 * time.Minute))))
		t = t.Truncate(time.Second)
		if g.rnd.Float64() < g.cfg.RolesAnywhereFraction {
			cs, ar := g.session(t)
			b = appendJSON(b, cs)
			if g.cfg.AssumeRole && i+1 < n {
				b = append(b, ',')
				b = appendJSON(b, ar)
				g.records++
				i++
			}
		} else if g.rnd.Float64() < g.cfg.CallsFraction {
			b = appendJSON(b, g.laterCall(t))
			g.calls++
		} else {
			b = appendJSON(b, g.other(t))
		}
		g.records++
	}
	return append(b, "]}"...)
}

// Session makes a CreateSession record (and the matching AssumeRole) of
// workload w at time t with session name code; code "" omits the name.
func Session(cfg Config, rnd *rand.Rand, w Workload, t time.Time, code, sourceIP string) (createSession, assumeRole []byte) {
	cfg.defaults()
	g := &fileGen{cfg: &cfg, rnd: rnd}
	cs, ar := g.sessionRecords(w, t, code, sourceIP)
	return appendJSON(nil, cs), appendJSON(nil, ar)
}

func (g *fileGen) session(t time.Time) (obj, obj) {
	r := g.rnd
	w := g.ws[r.IntN(len(g.ws))]
	verdict := "legit"
	var code string
	ip := w.IP
	k := totp.Step(t)
	step := k - int64(r.IntN(3))
	if r.Float64() < g.cfg.BadFraction {
		switch r.IntN(3) {
		case 0: // impersonator with the victim's name but its own fingerprint
			verdict = "mismatch"
			imp := g.imps[r.IntN(len(g.imps))]
			ip = imp.IP
			code, _ = totp.CodeAtStep(imp.Key, step, totp.Options{})
			if ok, _ := totp.VerifyWithPolicy(w.Key, code, t, totp.SeedScriptPolicy); ok.Matched {
				verdict = "legit" // a one-in-a-million collision
			}
		case 1: // no TOTP: the session is named after the serial
			verdict = "no-session-name"
		case 2: // another name in the domain, not enrolled
			verdict = "unknown-identity"
			w = g.imps[r.IntN(len(g.imps))]
			code, _ = totp.CodeAtStep(w.Key, step, totp.Options{})
		}
	} else {
		code, _ = totp.CodeAtStep(w.Key, step, totp.Options{})
	}
	g.exp[verdict]++
	return g.sessionRecords(w, t, code, ip)
}

// laterCall is an S3 GetObject made at t with a legit session of a random
// workload created up to an hour before t.
func (g *fileGen) laterCall(t time.Time) obj {
	r := g.rnd
	w := g.ws[r.IntN(len(g.ws))]
	created := t.Add(-time.Duration(r.Int64N(int64(time.Hour)))).Truncate(time.Second)
	code, _ := totp.CodeAtStep(w.Key, totp.Step(created), totp.Options{})
	bucket := "data-" + g.cfg.Account
	key := "objects/" + randAlnum(r, 12)
	x := ActivityCall{Source: "s3.amazonaws.com", Name: "GetObject",
		Params:    obj{{"bucketName", bucket}, {"key", key}},
		Resources: []obj{{{"type", "AWS::S3::Object"}, {"ARN", "arn:aws:s3:::" + bucket + "/" + key}}, {{"accountId", g.cfg.Account}, {"type", "AWS::S3::Bucket"}, {"ARN", "arn:aws:s3:::" + bucket}}}}
	return g.sessionCall(w, "workload-"+w.Identity[:min(8, len(w.Identity))], code, created, t, x, "CN="+w.Identity, g.cfg.Account)
}

func (g *fileGen) sessionRecords(w Workload, t time.Time, code, sourceIP string) (obj, obj) {
	return g.sessionRecordsOf(w, "workload-"+w.Identity[:min(8, len(w.Identity))], t, code, sourceIP)
}

// sessionRecordsOf is sessionRecords for a role name.
func (g *fileGen) sessionRecordsOf(w Workload, roleName string, t time.Time, code, sourceIP string) (obj, obj) {
	r := g.rnd
	acct, region := g.cfg.Account, g.cfg.Region
	anchor := fmt.Sprintf("arn:aws:rolesanywhere:%s:%s:trust-anchor/%s", region, acct, uuid(r))
	profile := fmt.Sprintf("arn:aws:rolesanywhere:%s:%s:profile/%s", region, acct, uuid(r))
	role := fmt.Sprintf("arn:aws:iam::%s:role/%s", acct, roleName)
	sessionName := code
	if code == "" {
		sessionName = w.Serial.Text(16)
	}
	assumed := fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/%s", acct, roleName, sessionName)
	req := obj{{"profileArn", profile}, {"roleArn", role}, {"trustAnchorArn", anchor}, {"durationSeconds", 3600}}
	if code != "" {
		req = append(req, kv{"roleSessionName", code})
	}
	req = append(req, kv{"cert", base64.StdEncoding.EncodeToString(w.Cert)})
	ts := t.UTC().Format(time.RFC3339)
	cs := obj{
		{"eventVersion", "1.08"},
		{"userIdentity", obj{{"type", "Unknown"}, {"principalId", ""}, {"accountId", acct}}},
		{"eventTime", ts},
		{"eventSource", "rolesanywhere.amazonaws.com"},
		{"eventName", "CreateSession"},
		{"awsRegion", region},
		{"sourceIPAddress", sourceIP},
		{"userAgent", "acme-signing-helper/1.0 aws-sdk-go-v2/1.40.0"},
		{"requestParameters", req},
		{"responseElements", obj{
			{"x509Subject", "CN=" + w.Identity},
			{"sourceIdentity", "CN=" + w.Identity},
			{"credentialSet", []obj{{
				{"assumedRoleUser", obj{{"arn", assumed}, {"assumedRoleId", "AROA" + upperAlnum(r, 17) + ":" + sessionName}}},
				{"credentials", obj{{"accessKeyId", "ASIA" + upperAlnum(r, 16)}, {"expiration", t.Add(time.Hour).UTC().Format(time.RFC3339)}, {"secretAccessKey", "HIDDEN_DUE_TO_SECURITY_REASONS"}, {"sessionToken", "HIDDEN_DUE_TO_SECURITY_REASONS"}}},
				{"packedPolicySize", 0},
				{"roleArn", role},
				{"sourceIdentity", "CN=" + w.Identity},
			}}},
			{"subjectArn", fmt.Sprintf("arn:aws:rolesanywhere:%s:%s:subject/%s", region, acct, uuid(r))},
		}},
		{"requestID", uuid(r)},
		{"eventID", uuid(r)},
		{"readOnly", false},
		{"eventType", "AwsApiCall"},
		{"managementEvent", true},
		{"recipientAccountId", acct},
		{"eventCategory", "Management"},
		{"tlsDetails", obj{{"tlsVersion", "TLSv1.3"}, {"cipherSuite", "TLS_AES_128_GCM_SHA256"}, {"clientProvidedHostHeader", "rolesanywhere." + region + ".amazonaws.com"}}},
	}
	ar := obj{
		{"eventVersion", "1.08"},
		{"userIdentity", obj{{"type", "AWSService"}, {"invokedBy", "rolesanywhere.amazonaws.com"}}},
		{"eventTime", ts},
		{"eventSource", "sts.amazonaws.com"},
		{"eventName", "AssumeRole"},
		{"awsRegion", region},
		{"sourceIPAddress", "rolesanywhere.amazonaws.com"},
		{"userAgent", "rolesanywhere.amazonaws.com"},
		{"requestParameters", obj{{"roleArn", role}, {"roleSessionName", sessionName}, {"durationSeconds", 3600}, {"sourceIdentity", "CN=" + w.Identity},
			{"tags", []obj{{{"key", "x509Subject/CN"}, {"value", w.Identity}}, {{"key", "x509SAN/DNS"}, {"value", w.Identity}}}}}},
		{"responseElements", obj{
			{"credentials", obj{{"accessKeyId", "ASIA" + upperAlnum(r, 16)}, {"sessionToken", "IQoJb3JpZ2luX2VjE" + randAlnum(r, 300)}, {"expiration", t.Add(time.Hour).UTC().Format("Jan 2, 2006, 3:04:05 PM")}}},
			{"assumedRoleUser", obj{{"assumedRoleId", "AROA" + upperAlnum(r, 17) + ":" + sessionName}, {"arn", assumed}}},
			{"sourceIdentity", "CN=" + w.Identity},
		}},
		{"requestID", uuid(r)},
		{"eventID", uuid(r)},
		{"readOnly", true},
		{"resources", []obj{{{"accountId", acct}, {"type", "AWS::IAM::Role"}, {"ARN", role}}}},
		{"eventType", "AwsApiCall"},
		{"managementEvent", true},
		{"recipientAccountId", acct},
		{"sharedEventID", uuid(r)},
		{"eventCategory", "Management"},
	}
	return cs, ar
}

func (g *fileGen) ip() string {
	r := g.rnd
	return fmt.Sprintf("%d.%d.%d.%d", 3+r.IntN(200), r.IntN(256), r.IntN(256), 1+r.IntN(254))
}

func uuid(r *rand.Rand) string {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], r.Uint64())
	binary.LittleEndian.PutUint64(b[8:], r.Uint64())
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

const alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
const upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

func randAlnum(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alnum[r.IntN(len(alnum))]
	}
	return string(b)
}

func upperAlnum(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = upper[r.IntN(len(upper))]
	}
	return string(b)
}
