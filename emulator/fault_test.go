package emulator_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/emulator"
)

func TestParseFault(t *testing.T) {
	for _, tc := range []struct {
		spec string
		want emulator.Fault
		err  string
	}{
		{spec: "429", want: emulator.Fault{Status: 429}},
		{spec: "429x2", want: emulator.Fault{Status: 429, Count: 2}},
		{spec: "500x*", want: emulator.Fault{Status: 500, Count: -1}},
		{spec: "truncate", want: emulator.Fault{Truncate: true}},
		{spec: "hang", want: emulator.Fault{Hang: true}},
		{spec: "delay=2s,500x3", want: emulator.Fault{Delay: 2 * time.Second, Status: 500, Count: 3}},
		{spec: "skew=-10m", want: emulator.Fault{DateOffset: -10 * time.Minute}},
		{spec: "500,truncate", want: emulator.Fault{Status: 500, Truncate: true}},
		{spec: "", err: "empty"},
		{spec: "200", err: `unknown item "200"`},
		{spec: "teapot", err: `unknown item "teapot"`},
		{spec: "delay=soon", err: `delay "soon"`},
		{spec: "skew=x", err: `skew "x"`},
		{spec: "429x0", err: "at least 1"},
		{spec: "500x", err: `unknown item "500x"`},
	} {
		t.Run(tc.spec, func(t *testing.T) {
			got, err := emulator.ParseFault(tc.spec)
			if tc.err != "" {
				if err == nil || !errors.Is(err, emulator.ErrFaultSpec) || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("got %v, want ErrFaultSpec containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
			back, err := emulator.ParseFault(got.String())
			if err != nil || back != got {
				t.Errorf("String %q does not parse back: %+v, %v", got.String(), back, err)
			}
		})
	}
}

// post sends a signed request to a real loopback server.
func post(t *testing.T, url string, c *client, timeout time.Duration) (*http.Response, []byte, error) {
	t.Helper()
	req := c.request(t, url)
	cl := &http.Client{Timeout: timeout}
	res, err := cl.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res, b, err
}

func TestFaults(t *testing.T) {
	loadPKIs(t)
	s, _ := newServer(t, func(c *emulator.Config) { c.Now = time.Now }, pkis.ec)
	ts := httptest.NewServer(s)
	defer ts.Close()
	defer s.Close()
	c := newClient(pkis.ec)
	c.date = time.Now()

	t.Run("throttling then success", func(t *testing.T) {
		s.InjectFault(emulator.Fault{Status: 429, Count: 2})
		for i := 0; i < 2; i++ {
			res, body, err := post(t, ts.URL, c, 5*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if res.StatusCode != 429 || res.Header.Get("X-Amzn-ErrorType") != "ThrottlingException" || !strings.Contains(string(body), "Rate exceeded") {
				t.Fatalf("call %d: got %d %s %s", i, res.StatusCode, res.Header.Get("X-Amzn-ErrorType"), body)
			}
		}
		res, _, err := post(t, ts.URL, c, 5*time.Second)
		if err != nil || res.StatusCode != 201 {
			t.Fatalf("third call: got %v %v, want 201", res, err)
		}
	})
	t.Run("server error", func(t *testing.T) {
		s.InjectFault(emulator.Fault{Status: 500})
		res, _, err := post(t, ts.URL, c, 5*time.Second)
		if err != nil || res.StatusCode != 500 || res.Header.Get("X-Amzn-ErrorType") != "InternalServerException" {
			t.Fatalf("got %v %v", res, err)
		}
	})
	t.Run("truncated body", func(t *testing.T) {
		s.InjectFault(emulator.Fault{Truncate: true})
		_, _, err := post(t, ts.URL, c, 5*time.Second)
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("got %v, want io.ErrUnexpectedEOF", err)
		}
	})
	t.Run("hang until the client gives up", func(t *testing.T) {
		s.InjectFault(emulator.Fault{Hang: true})
		start := time.Now()
		_, _, err := post(t, ts.URL, c, 300*time.Millisecond)
		if err == nil || !strings.Contains(err.Error(), "Timeout") {
			t.Fatalf("got %v, want a client timeout", err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("took %v", d)
		}
	})
	t.Run("delay", func(t *testing.T) {
		s.InjectFault(emulator.Fault{Delay: 200 * time.Millisecond})
		start := time.Now()
		res, _, err := post(t, ts.URL, c, 5*time.Second)
		if err != nil || res.StatusCode != 201 {
			t.Fatalf("got %v %v", res, err)
		}
		if d := time.Since(start); d < 200*time.Millisecond {
			t.Errorf("answered after %v, want at least 200ms", d)
		}
	})
	t.Run("skewed server clock", func(t *testing.T) {
		s.InjectFault(emulator.Fault{DateOffset: 10 * time.Minute})
		res, body, err := post(t, ts.URL, c, 5*time.Second)
		if err != nil || res.StatusCode != 403 || !strings.Contains(string(body), "Signature expired") {
			t.Fatalf("got %v %s %v", res, body, err)
		}
		d, err := http.ParseTime(res.Header.Get("Date"))
		if err != nil {
			t.Fatal(err)
		}
		if off := time.Until(d); off < 9*time.Minute || off > 11*time.Minute {
			t.Errorf("got Date %v, %v from now; want about 10 minutes ahead", d, off)
		}
	})
	t.Run("close releases hung requests", func(t *testing.T) {
		s2, _ := newServer(t, nil, pkis.ec)
		s2.InjectFault(emulator.Fault{Hang: true})
		done := make(chan struct{})
		go func() {
			defer close(done)
			r := c.request(t, base).WithContext(context.Background())
			s2.ServeHTTP(httptest.NewRecorder(), r)
		}()
		for s2.Requests() == 0 {
			time.Sleep(time.Millisecond)
		}
		s2.Close()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("Close did not release the hung request")
		}
	})
}
