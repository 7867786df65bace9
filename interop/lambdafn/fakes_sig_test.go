package lambdafn

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// TestVerifySigV4Refuses: the fakes' check tells a good signature from a
// wrong key, a changed body and another service.
func TestVerifySigV4Refuses(t *testing.T) {
	sign := func(secret string, body []byte) *http.Request {
		r, _ := http.NewRequest("POST", "http://127.0.0.1:1/", bytes.NewReader(body))
		r.Header.Set("X-Amz-Target", "DynamoDB_20120810.PutItem")
		sum := sha256.Sum256(body)
		creds := aws.Credentials{AccessKeyID: accessKey, SecretAccessKey: secret, SessionToken: token}
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, hex.EncodeToString(sum[:]), "dynamodb", region, time.Now()); err != nil {
			t.Fatal(err)
		}
		return r
	}
	body := []byte(`{"TableName":"replays"}`)
	if err := verifySigV4(sign(secretKey, body), body, "dynamodb"); err != nil {
		t.Fatalf("good signature refused: %v", err)
	}
	if err := verifySigV4(sign("wrong", body), body, "dynamodb"); err == nil {
		t.Error("wrong key accepted")
	}
	if err := verifySigV4(sign(secretKey, body), []byte(`{"TableName":"other"}`), "dynamodb"); err == nil {
		t.Error("changed body accepted")
	}
	if err := verifySigV4(sign(secretKey, body), body, "sns"); err == nil {
		t.Error("another service accepted")
	}
}
