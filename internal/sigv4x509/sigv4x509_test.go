package sigv4x509

import (
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"
)

func TestCanonicalRequestGolden(t *testing.T) {
	q := url.Values{}
	q.Set("trustAnchorArn", "arn:aws:rolesanywhere:us-east-1:123456789012:trust-anchor/ta 1")
	q.Set("profileArn", "arn:aws:rolesanywhere:us-east-1:123456789012:profile/p1")
	q.Set("roleArn", "arn:aws:iam::123456789012:role/r~1")
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("X-Amz-Date", "20261121T101112Z")
	h.Set("X-Amz-X509", "TEVBRg==")
	h.Add("X-Custom", "  a   b  ")
	h.Add("X-Custom", "c")
	h.Set("User-Agent", "ignored")
	h.Set("Authorization", "ignored")
	h.Set("X-Amzn-Trace-Id", "ignored")
	got, signed := CanonicalRequest("POST", "/sessions", q, h, "127.0.0.1:8443", HashHex([]byte(`{"durationSeconds":3600}`)))
	want := "POST\n/sessions\n" +
		"profileArn=arn%3Aaws%3Arolesanywhere%3Aus-east-1%3A123456789012%3Aprofile%2Fp1&roleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fr~1&trustAnchorArn=arn%3Aaws%3Arolesanywhere%3Aus-east-1%3A123456789012%3Atrust-anchor%2Fta%201\n" +
		"content-type:application/json\nhost:127.0.0.1:8443\nx-amz-date:20261121T101112Z\nx-amz-x509:TEVBRg==\nx-custom:a b,c\n\n" +
		"content-type;host;x-amz-date;x-amz-x509;x-custom\n" +
		HashHex([]byte(`{"durationSeconds":3600}`))
	if got != want {
		t.Errorf("canonical request:\ngot  %q\nwant %q", got, want)
	}
	if signed != "content-type;host;x-amz-date;x-amz-x509;x-custom" {
		t.Errorf("signed headers: got %q", signed)
	}
}

func TestStringToSignAndScope(t *testing.T) {
	at := time.Date(2026, 11, 21, 10, 11, 12, 0, time.FixedZone("x", 3600))
	scope := Scope(at, "eu-west-2")
	if scope != "20261121/eu-west-2/rolesanywhere/aws4_request" {
		t.Errorf("scope: got %q", scope)
	}
	got := StringToSign(AlgorithmECDSA, at, scope, "canonical")
	want := "AWS4-X509-ECDSA-SHA256\n20261121T091112Z\n20261121/eu-west-2/rolesanywhere/aws4_request\n" + HashHex([]byte("canonical"))
	if got != want {
		t.Errorf("string to sign:\ngot  %q\nwant %q", got, want)
	}
}

func TestAuthorizationRoundTrip(t *testing.T) {
	h := Authorization(AlgorithmRSA, "123456789", "20261121/us-east-1/rolesanywhere/aws4_request", "content-type;host;x-amz-date;x-amz-x509", "abcdef")
	want := "AWS4-X509-RSA-SHA256 Credential=123456789/20261121/us-east-1/rolesanywhere/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-x509, Signature=abcdef"
	if h != want {
		t.Fatalf("got %q, want %q", h, want)
	}
	a, err := ParseAuthorization(h)
	if err != nil {
		t.Fatal(err)
	}
	if a.Algorithm != AlgorithmRSA || a.Serial != "123456789" || a.Region != "us-east-1" || a.Date != "20261121" || a.Signature != "abcdef" || len(a.SignedHeaders) != 4 {
		t.Errorf("parsed %+v", a)
	}
}

func TestParseAuthorizationErrors(t *testing.T) {
	for _, v := range []string{
		"",
		"AWS4-HMAC-SHA256 Credential=AKID/20261121/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=00",
		"AWS4-X509-RSA-SHA256 Credential=1/20261121/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00",
		"AWS4-X509-RSA-SHA256 Credential=1, SignedHeaders=host, Signature=00",
		"AWS4-X509-RSA-SHA256 Credential=1/20261121/us-east-1/rolesanywhere/aws4_request, Signature=00",
		"AWS4-X509-RSA-SHA256 Credential=1/20261121/us-east-1/rolesanywhere/aws4_request, SignedHeaders=host, Signature=00, Extra=1",
		"AWS4-X509-RSA-SHA256 garbage",
	} {
		if _, err := ParseAuthorization(v); !errors.Is(err, ErrMalformedAuthorization) {
			t.Errorf("ParseAuthorization(%q): got %v, want ErrMalformedAuthorization", v, err)
		}
	}
}

func FuzzParseAuthorization(f *testing.F) {
	f.Add("AWS4-X509-RSA-SHA256 Credential=1/20261121/us-east-1/rolesanywhere/aws4_request, SignedHeaders=host, Signature=00")
	f.Add("AWS4-X509-ECDSA-SHA256 Credential=/, SignedHeaders=, Signature=")
	f.Fuzz(func(t *testing.T, v string) {
		a, err := ParseAuthorization(v)
		if err != nil {
			return
		}
		if a.Serial == "" || a.Signature == "" || len(a.SignedHeaders) == 0 {
			t.Fatalf("accepted incomplete header %q: %+v", v, a)
		}
	})
}
