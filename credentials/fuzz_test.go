package credentials

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/signer"
)

// FuzzCacheEntry: whatever a cache file holds, Get returns valid
// credentials with more than the margin left, from the file or the fetcher.
func FuzzCacheEntry(f *testing.F) {
	f.Add([]byte(`{"Version":1,"AccessKeyId":"A","SecretAccessKey":"S","SessionToken":"T","Expiration":"2026-11-21T13:00:00Z"}`))
	f.Add([]byte(`{"Version":1,"AccessKeyId":"A","SecretAccessKey":"S","SessionToken":"T","Expiration":"2026-11-21T12:04:00Z"}`))
	f.Add([]byte(`{"Version":1,"AccessKeyId":"","Expiration":"2099-01-01T00:00:00Z"}`))
	f.Add([]byte(`{"Version":2,"AccessKeyId":"A","SecretAccessKey":"S","SessionToken":"T","Expiration":"2026-11-21T13:00:00Z"}`))
	f.Add([]byte(`{"Version":2,"AccessKeyId":"A","SecretAccessKey":"S","SessionToken":"T","Expiration":"2026-11-21T13:00:00Z","CertNotBefore":"2026-11-01T00:00:00Z","CertNotAfter":"2026-11-21T12:30:00Z"}`))
	f.Add([]byte(`{"Version":2,"AccessKeyId":"A","SecretAccessKey":"S","SessionToken":"T","Expiration":"2026-11-21T13:00:00Z","CertNotAfter":"2026-11-21T11:59:59Z"}`))
	f.Add([]byte(`{"Version":2,"AccessKeyId":"A","SecretAccessKey":"S","SessionToken":"T","Expiration":"2026-11-21T13:00:00Z","CertNotBefore":"2026-11-21T12:00:01Z"}`))
	f.Add([]byte(`{"Version":1`))
	f.Add([]byte{})
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, entry []byte) {
		c := &Cache{Dir: dir, Now: func() time.Time { return t0 }}
		if err := c.prepareDir(); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(c.Path("k"), entry, 0o600); err != nil {
			t.Fatal(err)
		}
		fetched := false
		cr, src, err := c.Get(context.Background(), "k", func(context.Context) (signer.Credentials, error) {
			fetched = true
			return creds(1, t0.Add(time.Hour)), nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if Validate(cr) != nil || !cr.Expiration.After(t0.Add(DefaultRefreshMargin)) {
			t.Fatalf("got %+v from %s", cr, src)
		}
		if fetched != (src == FromFetch) {
			t.Fatalf("fetched %v but source %s", fetched, src)
		}
		// Lookup serves only what Get would, and only inside the
		// certificate's recorded validity.
		if err := os.WriteFile(c.Path("k"), entry, 0o600); err != nil {
			t.Fatal(err)
		}
		e, ok, err := c.Lookup("k")
		if err != nil {
			t.Fatal(err)
		}
		if ok && (fetched || e.Credentials != cr || !e.Certificate.covers(t0)) {
			t.Fatalf("Lookup gave %+v (Get: %+v from %s)", e, cr, src)
		}
		if !ok && !fetched {
			t.Fatalf("Lookup missed an entry Get served: %+v", cr)
		}
	})
}

// FuzzIMDSToken: no header value but a token this server issued opens the
// credentials.
func FuzzIMDSToken(f *testing.F) {
	s, err := NewServer(func() (signer.Credentials, time.Time, error) { return creds(1, t0.Add(time.Hour)), t0, nil }, "role")
	if err != nil {
		f.Fatal(err)
	}
	s.Now = func() time.Time { return t0 }
	good := s.newToken(t0.Add(time.Minute))
	f.Add(good)
	f.Add(good[:len(good)-1] + "A")
	f.Add("")
	f.Add("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	f.Fuzz(func(t *testing.T, tok string) {
		r := httptest.NewRequest(http.MethodGet, IMDSCredentialsPath+"role", nil)
		r.Header[http.CanonicalHeaderKey(IMDSTokenHeader)] = []string{tok}
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		if w.Code == http.StatusOK && tok != good {
			t.Fatalf("token %q accepted", tok)
		}
	})
}

// FuzzDecodeEntry: whenever the field-by-field decoder of cache entries
// accepts an input, encoding/json accepts it too and decodes the same
// entry; entries as write makes them take the fast path.
func FuzzDecodeEntry(f *testing.F) {
	nb, na := t0.Add(-time.Hour), t0.Add(time.Hour)
	for _, e := range []entry{
		{Version: cacheFormat, AccessKeyID: "ASIAFAKE", SecretAccessKey: "s/+=", SessionToken: "tok+/==", Expiration: t0},
		{Version: cacheFormat, AccessKeyID: "ASIAFAKE", SecretAccessKey: "s", SessionToken: "t", Expiration: t0, CertNotBefore: &nb, CertNotAfter: &na},
		{Version: 1, AccessKeyID: "A", SecretAccessKey: "S", SessionToken: "T", Expiration: t0.In(time.FixedZone("", 3600)), CertNotAfter: &na},
	} {
		b, err := json.Marshal(e)
		if err != nil {
			f.Fatal(err)
		}
		if _, ok := decodeEntryFast(b); !ok {
			f.Fatalf("the fast decoder refuses what write makes: %s", b)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"Version":2,"AccessKeyId":"A\u0041","SecretAccessKey":"S","SessionToken":"T","Expiration":"2026-11-21T13:00:00Z"}`))
	f.Add([]byte(`{"Version":2,"AccessKeyId":"A","SecretAccessKey":"S","SessionToken":"T","Expiration":"2026-11-21T13:00:00+01:00","CertNotAfter":"2026-11-21 13:00:00Z"}`))
	f.Add([]byte(`{"version":2, "AccessKeyId":"A"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		fast, ok := decodeEntryFast(b)
		if !ok {
			return
		}
		slow, ok := decodeEntryJSON(b)
		if !ok {
			t.Fatalf("the fast decoder accepts what encoding/json refuses: %q", b)
		}
		if !reflect.DeepEqual(fast, slow) {
			t.Fatalf("%q: fast %+v, encoding/json %+v", b, fast, slow)
		}
	})
}
