package signer

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
)

func testConfig(endpoint string) Config {
	return Config{TrustAnchorARN: testTA, ProfileARN: testProfile, RoleARN: testRole, Endpoint: endpoint, MaxBackoff: time.Millisecond, Timeout: 10 * time.Second}
}

func TestCreateSessionRoundTrip(t *testing.T) {
	for _, kt := range []testpki.KeyType{testpki.RSA2048, testpki.ECDSAP256, testpki.ECDSAP384, testpki.RSA4096} {
		t.Run(string(kt), func(t *testing.T) {
			h := newPKI(t, testpki.Options{Intermediates: 2, Leaf: testpki.LeafOptions{KeyType: kt}})
			m := loadPlain(t, h)
			ep := newFakeEndpoint(t)
			cfg := testConfig(ep.srv.URL)
			cfg.DurationSeconds = 1800
			creds, err := CreateSession(context.Background(), m, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if creds.AccessKeyID != "ASIAFAKE" || creds.SecretAccessKey != "fakeSecretKey/123" || creds.SessionToken != "fakeSessionToken+456" {
				t.Errorf("got %+v", creds)
			}
			reqs := ep.requests()
			if len(reqs) != 1 {
				t.Fatalf("got %d requests, want 1", len(reqs))
			}
			r := reqs[0]
			if r.DurationSeconds != 1800 || r.RoleSessionName != nil {
				t.Errorf("got duration %d session name %v, want 1800 and none", r.DurationSeconds, r.RoleSessionName)
			}
			if r.Query["trustAnchorArn"] != testTA || r.Query["profileArn"] != testProfile || r.Query["roleArn"] != testRole {
				t.Errorf("got query %v", r.Query)
			}
			if len(r.Chain) != 2 || !r.Chain[0].Equal(h.Intermediates[0].Cert) || !r.Chain[1].Equal(h.Intermediates[1].Cert) {
				t.Errorf("chain not sent issuer first")
			}
			if got, want := creds.Expiration.Sub(r.Date), 1800*time.Second; got != want {
				t.Errorf("expiration - date = %v, want %v", got, want)
			}
		})
	}
}

func TestCreateSessionSessionNameAtSigningTime(t *testing.T) {
	m := loadPlain(t, newPKI(t, testpki.Options{}))
	ep := newFakeEndpoint(t)
	fixed := time.Now().UTC().Truncate(time.Second).Add(-90 * time.Second)
	cfg := testConfig(ep.srv.URL)
	cfg.Now = func() time.Time { return fixed }
	var calledWith time.Time
	cfg.SessionName = func(ts time.Time) (string, error) {
		calledWith = ts
		return fmt.Sprintf("%06d", ts.Unix()/30%1000000), nil
	}
	cfg.RoleSessionName = "ignored-when-callback"
	if _, err := CreateSession(context.Background(), m, cfg); err != nil {
		t.Fatal(err)
	}
	r := ep.requests()[0]
	if !calledWith.Equal(fixed) || !r.Date.Equal(fixed) {
		t.Errorf("callback time %v, signing date %v, want both %v", calledWith, r.Date, fixed)
	}
	want := fmt.Sprintf("%06d", fixed.Unix()/30%1000000)
	if r.RoleSessionName == nil || *r.RoleSessionName != want {
		t.Errorf("got session name %v, want %q", r.RoleSessionName, want)
	}

	cfg.SessionName = func(time.Time) (string, error) { return "", errors.New("no fingerprint") }
	if _, err := CreateSession(context.Background(), m, cfg); !errors.Is(err, ErrSessionName) {
		t.Errorf("got %v, want ErrSessionName", err)
	}
	cfg.SessionName = func(time.Time) (string, error) { return "bad name!", nil }
	_, err := CreateSession(context.Background(), m, cfg)
	if !errors.Is(err, ErrSessionName) || strings.Contains(err.Error(), "bad name") {
		t.Errorf("got %v, want ErrSessionName without the name", err)
	}
}

func TestCreateSessionRetries(t *testing.T) {
	m := loadPlain(t, newPKI(t, testpki.Options{}))
	tests := []struct {
		name     string
		respond  func(n int, w http.ResponseWriter) bool
		want     error
		attempts int
	}{
		{"429 then success", func(n int, w http.ResponseWriter) bool {
			if n == 0 {
				w.Header().Set("X-Amzn-ErrorType", "ThrottlingException")
				w.WriteHeader(429)
				fmt.Fprint(w, `{"message":"Rate exceeded"}`)
				return true
			}
			return false
		}, nil, 2},
		{"bare 429 twice then success", func(n int, w http.ResponseWriter) bool {
			if n < 2 {
				w.WriteHeader(429)
				return true
			}
			return false
		}, nil, 3},
		{"persistent 500", func(n int, w http.ResponseWriter) bool {
			w.WriteHeader(500)
			return true
		}, ErrServer, 3},
		{"persistent 503 with code", func(n int, w http.ResponseWriter) bool {
			w.Header().Set("X-Amzn-ErrorType", "InternalServerException")
			w.WriteHeader(503)
			fmt.Fprint(w, `{"message":"try later"}`)
			return true
		}, ErrServer, 3},
		{"persistent throttling", func(n int, w http.ResponseWriter) bool {
			w.Header().Set("X-Amzn-ErrorType", "ThrottlingException")
			w.WriteHeader(429)
			return true
		}, ErrThrottled, 3},
		{"access denied not retried", func(n int, w http.ResponseWriter) bool {
			w.Header().Set("X-Amzn-ErrorType", "AccessDeniedException")
			w.WriteHeader(403)
			fmt.Fprint(w, `{"message":"Untrusted signing certificate"}`)
			return true
		}, ErrUntrustedCertificate, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ep := newFakeEndpoint(t)
			ep.respond = tt.respond
			_, err := CreateSession(context.Background(), m, testConfig(ep.srv.URL))
			if !errors.Is(err, tt.want) && !(tt.want == nil && err == nil) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			if got := len(ep.requests()); got != tt.attempts {
				t.Errorf("got %d attempts, want %d", got, tt.attempts)
			}
			reqs := ep.requests()
			if len(reqs) > 1 && reqs[0].Date.After(reqs[len(reqs)-1].Date) {
				t.Errorf("retries signed with an older date")
			}
		})
	}
}

func TestCreateSessionErrors(t *testing.T) {
	m := loadPlain(t, newPKI(t, testpki.Options{}))
	// The local clock is fixed 7 minutes ahead of the server's Date (whole
	// seconds, as the header has them): the measured skew is exact however
	// long the earlier cases take (a moving clock made "7m1s" under -race).
	skewedServer := time.Now().Add(-7 * time.Minute).Truncate(time.Second)
	tests := []struct {
		name, code, msg string
		status          int
		date            time.Time
		want            error
		inMsg           string
	}{
		{"untrusted", "AccessDeniedException", "Untrusted signing certificate", 403, time.Time{}, ErrUntrustedCertificate, "HTTP 403 AccessDeniedException: Untrusted signing certificate"},
		{"session name", "AccessDeniedException", "Not authorized to set roleSessionName.", 403, time.Time{}, ErrRoleSessionNameNotAllowed, "roleSessionName"},
		{"clock skew", "AccessDeniedException", "Signature expired: the signing date is too far from the request time", 403, skewedServer, ErrClockSkew, "7m0s behind ours"},
		{"other denied", "AccessDeniedException", "Requested Role isn't one of those listed in the Profile.", 403, time.Time{}, ErrAccessDenied, "listed in the Profile"},
		{"validation", "ValidationException", "durationSeconds too large", 400, time.Time{}, ErrValidation, "durationSeconds"},
		{"not found", "ResourceNotFoundException", "Trust anchor not found", 404, time.Time{}, ErrResourceNotFound, "not found"},
		{"unknown 418", "", "", 418, time.Time{}, ErrAPI, "HTTP 418"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ep := newFakeEndpoint(t)
			ep.respond = func(int, http.ResponseWriter) bool { return false }
			ep.respond = func(_ int, w http.ResponseWriter) bool {
				if tt.code != "" {
					w.Header().Set("X-Amzn-ErrorType", tt.code)
				}
				if !tt.date.IsZero() {
					w.Header().Set("Date", tt.date.UTC().Format(http.TimeFormat))
				}
				w.WriteHeader(tt.status)
				if tt.msg != "" {
					fmt.Fprintf(w, `{"message":%q}`, tt.msg)
				}
				return true
			}
			cfg := testConfig(ep.srv.URL)
			if !tt.date.IsZero() {
				local := tt.date.Add(7 * time.Minute)
				cfg.Now = func() time.Time { return local }
			}
			_, err := CreateSession(context.Background(), m, cfg)
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			var ae *APIError
			if !errors.As(err, &ae) || ae.StatusCode != tt.status {
				t.Fatalf("got %#v, want *APIError with status %d", err, tt.status)
			}
			if !strings.Contains(err.Error(), tt.inMsg) {
				t.Errorf("error %q does not mention %q", err, tt.inMsg)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}

func TestCreateSessionTransportFailures(t *testing.T) {
	m := loadPlain(t, newPKI(t, testpki.Options{}))
	t.Run("truncated", func(t *testing.T) {
		ep := newFakeEndpoint(t)
		ep.respond = func(_ int, w http.ResponseWriter) bool {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(201)
			fmt.Fprint(w, `{"credentialSet":[{"credentials":{"accessKeyId":"ASIA`)
			return true
		}
		_, err := CreateSession(context.Background(), m, testConfig(ep.srv.URL))
		if !errors.Is(err, ErrBadResponse) {
			t.Fatalf("got %v, want ErrBadResponse", err)
		}
	})
	t.Run("no credentials", func(t *testing.T) {
		ep := newFakeEndpoint(t)
		ep.respond = func(_ int, w http.ResponseWriter) bool {
			w.WriteHeader(201)
			fmt.Fprint(w, `{"credentialSet":[]}`)
			return true
		}
		_, err := CreateSession(context.Background(), m, testConfig(ep.srv.URL))
		if !errors.Is(err, ErrBadResponse) {
			t.Fatalf("got %v, want ErrBadResponse", err)
		}
	})
	t.Run("hung", func(t *testing.T) {
		release := make(chan struct{})
		ep := newFakeEndpoint(t)
		ep.respond = func(_ int, w http.ResponseWriter) bool {
			<-release
			return false
		}
		defer close(release)
		cfg := testConfig(ep.srv.URL)
		cfg.Timeout = 300 * time.Millisecond
		start := time.Now()
		_, err := CreateSession(context.Background(), m, cfg)
		if !errors.Is(err, ErrTimeout) || !strings.Contains(err.Error(), "after 300ms") {
			t.Fatalf("got %v, want ErrTimeout after 300ms", err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("took %v with a 300ms timeout", d)
		}
	})
	t.Run("refused", func(t *testing.T) {
		ep := newFakeEndpoint(t)
		url := ep.srv.URL
		ep.srv.Close()
		_, err := CreateSession(context.Background(), m, testConfig(url))
		if !errors.Is(err, ErrConnect) {
			t.Fatalf("got %v, want ErrConnect", err)
		}
	})
}

func TestConfigValidate(t *testing.T) {
	ta2 := strings.Replace(testProfile, "eu-west-2", "us-east-1", 1)
	tests := []struct {
		name string
		mod  func(c *Config)
		want error
	}{
		{"ok", func(c *Config) {}, nil},
		{"ok with region", func(c *Config) { c.Region = "eu-west-2"; c.DurationSeconds = 43200 }, nil},
		{"malformed trust anchor", func(c *Config) { c.TrustAnchorARN = "trust-anchor/abc" }, ErrInvalidARN},
		{"empty profile", func(c *Config) { c.ProfileARN = "" }, ErrInvalidARN},
		{"profile as trust anchor", func(c *Config) { c.TrustAnchorARN = testProfile }, ErrInvalidARN},
		{"wrong service role", func(c *Config) { c.RoleARN = "arn:aws:sts::123456789012:role/x" }, ErrInvalidARN},
		{"wrong service anchor", func(c *Config) { c.TrustAnchorARN = "arn:aws:acm-pca:eu-west-2:123456789012:trust-anchor/x" }, ErrInvalidARN},
		{"role not a role", func(c *Config) { c.RoleARN = "arn:aws:iam::123456789012:user/x" }, ErrInvalidARN},
		{"region mismatch", func(c *Config) { c.ProfileARN = ta2 }, ErrRegionMismatch},
		{"partition mismatch", func(c *Config) { c.RoleARN = "arn:aws-cn:iam::123456789012:role/x" }, ErrInvalidARN},
		{"duration low", func(c *Config) { c.DurationSeconds = 899 }, ErrDuration},
		{"duration high", func(c *Config) { c.DurationSeconds = 43201 }, ErrDuration},
		{"session name chars", func(c *Config) { c.RoleSessionName = "a b" }, ErrSessionName},
		{"session name long", func(c *Config) { c.RoleSessionName = strings.Repeat("a", 65) }, ErrSessionName},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := testConfig("")
			tt.mod(&c)
			err := c.Validate()
			if !errors.Is(err, tt.want) && !(err == nil && tt.want == nil) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			if err != nil && !isPackageError(err) {
				t.Errorf("%v is none of the package's errors", err)
			}
		})
	}
}

// isPackageError reports whether err is, or wraps, one of the package's
// exported sentinels or error types: what callers match (the command line
// turns each into a hint).
func isPackageError(err error) bool {
	for _, s := range []error{
		ErrNoCertificate, ErrNoPrivateKey, ErrKeyPasswordRequired, ErrKeyPassword, ErrUnsupportedEncryption,
		ErrUnsupportedKey, ErrKeyMismatch, ErrExpired, ErrNotYetValid, ErrLeafIsCA, ErrWeakSignature,
		ErrNoDigitalSignature, ErrChainTooLong, ErrLayoutNotFound, ErrFileTooLarge, ErrSourceConflict,
		ErrAcmeDirOrDomain, ErrNoCertificatePath, ErrNoPrivateKeyPath, ErrInvalidARN, ErrRegionMismatch,
		ErrDuration, ErrNoRegion, ErrSessionName, ErrUntrustedCertificate, ErrRoleSessionNameNotAllowed,
		ErrClockSkew, ErrAccessDenied, ErrValidation, ErrResourceNotFound, ErrThrottled, ErrServer,
		ErrBadResponse, ErrTimeout, ErrConnect, ErrAPI,
	} {
		if errors.Is(err, s) {
			return true
		}
	}
	var (
		fe *FileError
		de *DomainError
		ce *CABundleError
	)
	return errors.As(err, &fe) || errors.As(err, &de) || errors.As(err, &ce)
}

// TestCABundleOnlyForVerifiedTLS: AWS_CA_BUNDLE is read only when it can
// matter (it costs milliseconds per call when it is the system bundle).
func TestCABundleOnlyForVerifiedTLS(t *testing.T) {
	m := loadPlain(t, newPKI(t, testpki.Options{}))
	ep := newFakeEndpoint(t)
	cfg := testConfig(ep.srv.URL) // http://
	cfg.CABundle = "/nonexistent/ca.pem"
	if _, err := CreateSession(context.Background(), m, cfg); err != nil {
		t.Fatalf("plain HTTP with an unreadable bundle: %v", err)
	}
	cfg.Endpoint = "https://127.0.0.1:1"
	_, err := CreateSession(context.Background(), m, cfg)
	if err == nil || !strings.Contains(err.Error(), "AWS_CA_BUNDLE") || !isPackageError(err) {
		t.Fatalf("HTTPS with an unreadable bundle: got %v", err)
	}
	cfg.NoVerifySSL = true
	if _, err := CreateSession(context.Background(), m, cfg); !errors.Is(err, ErrConnect) {
		t.Fatalf("--no-verify-ssl ignores the bundle: got %v, want ErrConnect", err)
	}
}
