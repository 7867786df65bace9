package signer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/acme-signing-helper/acme-signing-helper/internal/rawfile"
	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
)

// hugeBody is a 100 MB answer body: a JSON object whose access key is one
// endless string, the worst case for a decoder that buffers a value.
func writeHugeBody(w http.ResponseWriter, status int) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, `{"credentialSet":[{"credentials":{"accessKeyId":"`)
	chunk := bytes.Repeat([]byte("A"), 1<<20)
	for range 100 {
		if _, err := w.Write(chunk); err != nil {
			return // the client hung up: what the cap should make it do
		}
	}
	io.WriteString(w, `","secretAccessKey":"s","sessionToken":"t","expiration":"2030-01-01T00:00:00Z"}}]}`)
}

// TestAnswerHardening: a 100 MB answer (success or error status) fails
// with "answer larger than 262144 bytes" without being held in memory
// (issue 13, point 2). Before the cap, the SDK's decoder held the whole
// string: about 350 MB for the process.
func TestAnswerHardening(t *testing.T) {
	m := loadPlain(t, newPKI(t, testpki.Options{}))
	for _, status := range []int{201, 400, 500} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			ep := newFakeEndpoint(t)
			ep.respond = func(_ int, w http.ResponseWriter) bool {
				writeHugeBody(w, status)
				return true
			}
			cfg := testConfig(ep.srv.URL)
			cfg.MaxAttempts = 1
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := CreateSession(context.Background(), m, cfg)
			runtime.ReadMemStats(&after)
			var tl *AnswerTooLargeError
			if !errors.As(err, &tl) || tl.Limit != MaxAnswerBytes || !errors.Is(err, ErrBadResponse) {
				t.Fatalf("got %v, want ErrBadResponse with an *AnswerTooLargeError", err)
			}
			if want := fmt.Sprintf("answer larger than %d bytes", MaxAnswerBytes); !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not say %q", err, want)
			}
			alloc := after.TotalAlloc - before.TotalAlloc
			t.Logf("HTTP %d, 100 MB body: %d KB allocated", status, alloc>>10)
			if alloc > 32<<20 {
				t.Errorf("allocated %d MB for a capped answer, want at most 32 MB", alloc>>20)
			}
		})
	}
}

// TestAnswerAtLimit: a body of exactly MaxAnswerBytes is read whole (the
// cap refuses only more).
func TestAnswerAtLimit(t *testing.T) {
	m := loadPlain(t, newPKI(t, testpki.Options{}))
	ep := newFakeEndpoint(t)
	ep.respond = func(_ int, w http.ResponseWriter) bool {
		head := `{"credentialSet":[{"credentials":{"accessKeyId":"ASIAFAKE","secretAccessKey":"s","sessionToken":"t","expiration":"2030-01-01T00:00:00Z"}}],"subjectArn":"`
		tail := `"}`
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(201)
		io.WriteString(w, head+strings.Repeat("x", MaxAnswerBytes-len(head)-len(tail))+tail)
		return true
	}
	if _, err := CreateSession(context.Background(), m, testConfig(ep.srv.URL)); err != nil {
		t.Fatalf("answer of exactly %d bytes: %v", MaxAnswerBytes, err)
	}
}

// TestFileHardening: certificate, key and CA bundle paths that name a
// device or a directory, or a file over the limit, fail at once with an
// error that says so (issue 13, point 3). hardening_unix_test.go has the
// FIFOs.
func TestFileHardening(t *testing.T) {
	h := newPKI(t, testpki.Options{})
	f := writePlain(t, h)
	dir := t.TempDir()
	big := filepath.Join(dir, "big.pem")
	if err := os.WriteFile(big, make([]byte, MaxCABundleBytes+1), 0o600); err != nil {
		t.Fatal(err)
	}
	devZero := os.DevNull
	if _, err := os.Stat("/dev/zero"); err == nil {
		devZero = "/dev/zero"
	}
	for _, tc := range []struct {
		name        string
		cert, key   string
		want, want2 error
	}{
		{"certificate is a device", devZero, f.Key, rawfile.ErrNotRegular, nil},
		{"key is a device", f.Certificate, devZero, rawfile.ErrNotRegular, nil},
		{"certificate is a directory", dir, f.Key, rawfile.ErrNotRegular, nil},
		{"certificate too large", big, f.Key, ErrFileTooLarge, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(LoadOptions{Certificate: tc.cert, PrivateKey: tc.key})
			var fe *FileError
			if !errors.As(err, &fe) || !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want a *FileError wrapping %v", err, tc.want)
			}
		})
	}
	for _, tc := range []struct {
		name, bundle string
		want         string
	}{
		{"bundle is a device", devZero, "not a regular file"},
		{"bundle too large", big, fmt.Sprintf("larger than %d bytes", MaxCABundleBytes)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig("https://127.0.0.1:1")
			cfg.CABundle = tc.bundle
			_, err := cfg.NewHTTPClient()
			var ce *CABundleError
			if !errors.As(err, &ce) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want a *CABundleError saying %q", err, tc.want)
			}
		})
	}
}

// answerTransport answers every request with status and body, after
// checking that it is a signed CreateSession request.
type answerTransport struct {
	status int
	body   []byte
}

func (a answerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method != http.MethodPost || r.URL.Path != "/sessions" || r.Header.Get("X-Amz-X509") == "" ||
		!strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-X509-") {
		return nil, fmt.Errorf("not a signed CreateSession request: %s %s", r.Method, r.URL.Path)
	}
	if r.Body != nil {
		r.Body.Close()
	}
	return &http.Response{
		StatusCode: a.status, Status: http.StatusText(a.status), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(bytes.NewReader(a.body)),
		ContentLength: int64(len(a.body)), Request: r,
	}, nil
}

// FuzzCreateSessionAnswer: whatever the endpoint answers, CreateSession
// returns complete credentials or a package error, never panics, and a
// body over MaxAnswerBytes is never accepted.
func FuzzCreateSessionAnswer(f *testing.F) {
	f.Add(uint16(201), []byte(`{"credentialSet":[{"credentials":{"accessKeyId":"A","secretAccessKey":"S","sessionToken":"T","expiration":"2030-01-01T00:00:00Z"}}]}`))
	f.Add(uint16(201), []byte(`{"credentialSet":[{"credentials":{"accessKeyId":"A","secretAccessKey":"S","sessionToken":"T","expiration":"yesterday"}}]}`))
	f.Add(uint16(201), []byte(`{"credentialSet":[]}`))
	f.Add(uint16(201), []byte(`{"credentialSet":[{"credentials":null}]}`))
	f.Add(uint16(201), []byte(`{"credentialSet":[{"credentials":{"accessKeyId":1}}]}`))
	f.Add(uint16(201), []byte(`{"credentialSet":`))
	f.Add(uint16(201), []byte(``))
	f.Add(uint16(200), []byte(`[]`))
	f.Add(uint16(403), []byte(`{"message":"Untrusted signing certificate"}`))
	f.Add(uint16(400), []byte(`{"__type":"ValidationException","message":"x"}`))
	f.Add(uint16(500), []byte(`<html>`))
	f.Add(uint16(429), []byte(`{}`))
	m := loadPlain(f, newPKI(f, testpki.Options{}))
	f.Fuzz(func(t *testing.T, status uint16, body []byte) {
		code := 200 + int(status)%400 // 200..599
		cfg := testConfig("https://rolesanywhere.eu-west-2.amazonaws.com")
		cfg.MaxAttempts = 1
		cfg.HTTPClient = &http.Client{Transport: answerTransport{status: code, body: body}}
		cr, err := CreateSession(context.Background(), m, cfg)
		if err != nil {
			if !isPackageError(err) {
				t.Fatalf("HTTP %d: not a package error: %v", code, err)
			}
			return
		}
		if len(body) > MaxAnswerBytes {
			t.Fatalf("HTTP %d: accepted a body of %d bytes", code, len(body))
		}
		if cr.AccessKeyID == "" || cr.SecretAccessKey == "" || cr.SessionToken == "" || cr.Expiration.IsZero() {
			t.Fatalf("HTTP %d: incomplete credentials %+v", code, cr)
		}
	})
}
