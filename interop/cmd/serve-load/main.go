// Command serve-load puts a running `acme-signing-helper serve` under load on
// loopback, as bench/serve.sh does: C concurrent clients make N credential
// reads in total, each read the full sequence an SDK makes (IMDSv2: PUT the
// session token, GET the role listing, GET the role's credentials; ECS: one
// GET with the authorization token), and every answer is checked (status
// 200, JSON with AccessKeyId, SecretAccessKey, Token and Expiration). It
// prints one JSON object: read latencies (p50, p99, max), errors, and the
// serve process's resident memory (VmRSS from /proc) before the load, after
// the first half and after the second half of the reads, so growth shows.
//
// Only loopback: the base URL must name 127.0.0.1, [::1] or localhost. The
// number of reads is bounded by -reads and the run by -timeout.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type result struct {
	Mode        string  `json:"mode"`
	Clients     int     `json:"clients"`
	Reads       int     `json:"reads"`
	Errors      int64   `json:"errors"`
	FirstError  string  `json:"first_error,omitempty"`
	P50ms       float64 `json:"p50_ms"`
	P99ms       float64 `json:"p99_ms"`
	Maxms       float64 `json:"max_ms"`
	Seconds     float64 `json:"seconds"`
	ReadsPerSec float64 `json:"reads_per_s"`
	RSSBeforeKB int64   `json:"rss_before_kb"`
	RSSHalfKB   int64   `json:"rss_half_kb"`
	RSSAfterKB  int64   `json:"rss_after_kb"`
}

func main() {
	base := flag.String("base", "", "base URL of serve, e.g. http://127.0.0.1:9911")
	mode := flag.String("mode", "imds", "imds or ecs")
	clients := flag.Int("clients", 64, "concurrent clients")
	reads := flag.Int("reads", 20000, "credential reads in total")
	ecsPath := flag.String("ecs-path", "/credentials", "ECS endpoint path")
	tokenFile := flag.String("auth-token-file", "", "ECS authorization token file")
	pid := flag.Int("pid", 0, "pid of the serve process (for VmRSS)")
	timeout := flag.Duration("timeout", 5*time.Minute, "give up after this long")
	flag.Parse()
	if err := run(*base, *mode, *clients, *reads, *ecsPath, *tokenFile, *pid, *timeout); err != nil {
		fmt.Fprintln(os.Stderr, "serve-load:", err)
		os.Exit(1)
	}
}

func run(base, mode string, clients, reads int, ecsPath, tokenFile string, pid int, timeout time.Duration) error {
	u, err := url.Parse(base)
	if err != nil || u.Scheme != "http" {
		return fmt.Errorf("-base %q: want http://127.0.0.1:PORT", base)
	}
	if ip := net.ParseIP(u.Hostname()); u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("-base %q: only loopback addresses are load-tested", base)
	}
	if clients < 1 || reads < clients {
		return fmt.Errorf("-clients %d, -reads %d: want 1 <= clients <= reads", clients, reads)
	}
	var read func(*http.Client) error
	switch mode {
	case "imds":
		read = func(c *http.Client) error { return imdsRead(c, strings.TrimSuffix(base, "/")) }
	case "ecs":
		tok, err := os.ReadFile(tokenFile)
		if err != nil {
			return fmt.Errorf("-auth-token-file: %w", err)
		}
		token := strings.TrimSpace(string(tok))
		read = func(c *http.Client) error { return ecsRead(c, strings.TrimSuffix(base, "/")+ecsPath, token) }
	default:
		return fmt.Errorf("-mode %q: want imds or ecs", mode)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()

	res := result{Mode: mode, Clients: clients, Reads: reads}
	if res.RSSBeforeKB, err = rssKB(pid); err != nil {
		return err
	}
	half := reads / 2
	start := time.Now()
	lat1, err := load(ctx, read, clients, half, &res)
	if err != nil {
		return err
	}
	if res.RSSHalfKB, err = rssKB(pid); err != nil {
		return err
	}
	lat2, err := load(ctx, read, clients, reads-half, &res)
	if err != nil {
		return err
	}
	res.Seconds = time.Since(start).Seconds()
	if res.RSSAfterKB, err = rssKB(pid); err != nil {
		return err
	}
	lat := append(lat1, lat2...)
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	res.P50ms = ms(lat[len(lat)*50/100])
	res.P99ms = ms(lat[len(lat)*99/100])
	res.Maxms = ms(lat[len(lat)-1])
	res.ReadsPerSec = float64(reads) / res.Seconds
	b, err := json.Marshal(res)
	if err != nil {
		return err
	}
	fmt.Println(string(b))
	return nil
}

// load makes n reads with c clients, each its own HTTP client with
// keep-alive (as an SDK process would), and returns the latencies.
func load(ctx context.Context, read func(*http.Client) error, c, n int, res *result) ([]time.Duration, error) {
	var next atomic.Int64
	lat := make([]time.Duration, n)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
			defer hc.CloseIdleConnections()
			for {
				i := next.Add(1) - 1
				if i >= int64(n) || ctx.Err() != nil {
					return
				}
				t := time.Now()
				err := read(hc)
				lat[i] = time.Since(t)
				if err != nil {
					mu.Lock()
					res.Errors++
					if res.FirstError == "" {
						res.FirstError = err.Error()
					}
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		return nil, fmt.Errorf("stopped after -timeout: %w", ctx.Err())
	}
	return lat, nil
}

func imdsRead(c *http.Client, base string) error {
	req, _ := http.NewRequest(http.MethodPut, base+"/latest/api/token", nil)
	req.Header.Set("X-aws-ec2-metadata-token-ttl-seconds", "21600")
	tok, err := do(c, req)
	if err != nil {
		return fmt.Errorf("token: %w", err)
	}
	get := func(path string) ([]byte, error) {
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		req.Header.Set("X-aws-ec2-metadata-token", string(tok))
		return do(c, req)
	}
	role, err := get("/latest/meta-data/iam/security-credentials/")
	if err != nil {
		return fmt.Errorf("role listing: %w", err)
	}
	role = bytes.TrimSpace(role)
	if len(role) == 0 || bytes.ContainsAny(role, "/\n") {
		return fmt.Errorf("role listing %q: want one role name", role)
	}
	body, err := get("/latest/meta-data/iam/security-credentials/" + string(role))
	if err != nil {
		return fmt.Errorf("credentials: %w", err)
	}
	return checkCredentials(body, true)
}

func ecsRead(c *http.Client, u, token string) error {
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Authorization", token)
	body, err := do(c, req)
	if err != nil {
		return err
	}
	return checkCredentials(body, false)
}

func do(c *http.Client, req *http.Request) ([]byte, error) {
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	return b, nil
}

func checkCredentials(b []byte, imds bool) error {
	var c struct {
		Code, AccessKeyId, SecretAccessKey, Token, Expiration string
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return fmt.Errorf("answer is not JSON: %w", err)
	}
	if c.AccessKeyId == "" || c.SecretAccessKey == "" || c.Token == "" || c.Expiration == "" {
		return errors.New("answer lacks AccessKeyId, SecretAccessKey, Token or Expiration")
	}
	if imds && c.Code != "Success" {
		return fmt.Errorf("answer Code %q, want Success", c.Code)
	}
	if _, err := time.Parse(time.RFC3339, c.Expiration); err != nil {
		return fmt.Errorf("expiration %q: %w", c.Expiration, err)
	}
	return nil
}

// rssKB is VmRSS of pid in kB (0 when pid is 0).
func rssKB(pid int) (int64, error) {
	if pid == 0 {
		return 0, nil
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, fmt.Errorf("-pid %d: %w", pid, err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		}
	}
	return 0, fmt.Errorf("-pid %d: no VmRSS in /proc status", pid)
}
