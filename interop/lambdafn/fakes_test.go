package lambdafn

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Credentials and region the function gets through the emulator (as
// Lambda sets them for the execution role).
const (
	accessKey = "AKIDLAMBDAEXAMPLE"
	secretKey = "lambda-test-secret-key"
	token     = "lambda-test-session-token"
	region    = "eu-west-2"
)

// verifySigV4 re-signs r (with its own X-Amz-Date and body) and compares
// the signature: a fake that answers unsigned or wrongly signed requests
// would prove nothing.
func verifySigV4(r *http.Request, body []byte, service string) error {
	auth := r.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 ") {
		return fmt.Errorf("authorization %q is not SigV4", auth)
	}
	want := "Credential=" + accessKey + "/"
	if !strings.Contains(auth, want) || !strings.Contains(auth, "/"+region+"/"+service+"/aws4_request") {
		return fmt.Errorf("authorization %q: want key %s, region %s, service %s", auth, accessKey, region, service)
	}
	if r.Header.Get("X-Amz-Security-Token") != token {
		return fmt.Errorf("no session token")
	}
	var signed []string
	for _, p := range strings.Split(auth, ", ") {
		if s, ok := strings.CutPrefix(p, "SignedHeaders="); ok {
			signed = strings.Split(s, ";")
		}
	}
	t, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil {
		return fmt.Errorf("X-Amz-Date: %v", err)
	}
	u := *r.URL
	u.Scheme, u.Host = "http", r.Host
	re, _ := http.NewRequest(r.Method, u.String(), bytes.NewReader(body))
	for _, h := range signed {
		if h == "host" {
			continue
		}
		re.Header[http.CanonicalHeaderKey(h)] = r.Header.Values(h)
	}
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	creds := aws.Credentials{AccessKeyID: accessKey, SecretAccessKey: secretKey, SessionToken: token}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, re, hash, service, region, t); err != nil {
		return err
	}
	sig := func(a string) string { _, s, _ := strings.Cut(a, "Signature="); return s }
	if got, want := sig(auth), sig(re.Header.Get("Authorization")); got == "" || got != want {
		return fmt.Errorf("signature %q, recomputed %q", got, want)
	}
	return nil
}

// awsFakes are the loopback Secrets Manager, SNS and DynamoDB endpoints.
type awsFakes struct {
	secrets, sns, dynamodb *httptest.Server

	mu          sync.Mutex
	secretARN   string
	seeds       string
	secretFails bool
	secretCalls int
	published   []map[string]any // the findings (JSON messages)
	items       map[string]map[string]any
	errs        []error // requests refused (bad signature or shape)
}

func newAWSFakes(t *testing.T, secretARN, seeds string) *awsFakes {
	f := &awsFakes{secretARN: secretARN, seeds: seeds, items: map[string]map[string]any{}}
	f.secrets = httptest.NewServer(f.handler("secretsmanager", f.secretsManager))
	f.sns = httptest.NewServer(f.handler("sns", f.snsPublish))
	f.dynamodb = httptest.NewServer(f.handler("dynamodb", f.dynamoDB))
	t.Cleanup(func() { f.secrets.Close(); f.sns.Close(); f.dynamodb.Close() })
	return f
}

func (f *awsFakes) refused() []error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]error(nil), f.errs...)
}

func (f *awsFakes) handler(service string, h func(w http.ResponseWriter, r *http.Request, body []byte) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		err := verifySigV4(r, body, service)
		f.mu.Lock()
		defer f.mu.Unlock()
		if err == nil {
			err = h(w, r, body)
		}
		if err != nil {
			f.errs = append(f.errs, fmt.Errorf("%s: %w", service, err))
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprintf(w, `{"__type":"AccessDeniedException","message":%q}`, err.Error())
		}
	})
}

func jsonError(w http.ResponseWriter, ctype, typ, msg string) {
	w.Header().Set("Content-Type", ctype)
	w.WriteHeader(http.StatusBadRequest)
	fmt.Fprintf(w, `{"__type":%q,"message":%q}`, typ, msg)
}

// secretsManager answers GetSecretValue (awsJson1_1).
func (f *awsFakes) secretsManager(w http.ResponseWriter, r *http.Request, body []byte) error {
	const ctype = "application/x-amz-json-1.1"
	if got := r.Header.Get("X-Amz-Target"); got != "secretsmanager.GetSecretValue" {
		return fmt.Errorf("target %q", got)
	}
	var in struct{ SecretId string }
	if err := json.Unmarshal(body, &in); err != nil {
		return err
	}
	f.secretCalls++
	if in.SecretId != f.secretARN || f.secretFails {
		jsonError(w, ctype, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
		return nil
	}
	w.Header().Set("Content-Type", ctype)
	return json.NewEncoder(w).Encode(map[string]any{"ARN": f.secretARN, "Name": "seeds", "SecretString": f.seeds,
		"VersionId": "00000000-0000-0000-0000-000000000001", "VersionStages": []string{"AWSCURRENT"}, "CreatedDate": 1.7639e9})
}

// snsPublish answers Publish (awsQuery).
func (f *awsFakes) snsPublish(w http.ResponseWriter, r *http.Request, body []byte) error {
	v, err := url.ParseQuery(string(body))
	if err != nil {
		return err
	}
	if v.Get("Action") != "Publish" || v.Get("Version") != "2010-03-31" || v.Get("TopicArn") == "" {
		return fmt.Errorf("not a Publish: %v", v)
	}
	var msg map[string]any
	if err := json.Unmarshal([]byte(v.Get("Message")), &msg); err != nil {
		return fmt.Errorf("message is not JSON: %v", err)
	}
	f.published = append(f.published, msg)
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprintf(w, `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>%08d-0000-0000-0000-000000000000</MessageId></PublishResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></PublishResponse>`, len(f.published))
	return nil
}

// dynamoDB answers PutItem (with attribute_not_exists) and GetItem
// (awsJson1_0).
func (f *awsFakes) dynamoDB(w http.ResponseWriter, r *http.Request, body []byte) error {
	const ctype = "application/x-amz-json-1.0"
	var in struct {
		TableName                string
		Item, Key                map[string]map[string]any
		ConditionExpression      string
		ExpressionAttributeNames map[string]string
		ConsistentRead           bool
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return err
	}
	keyOf := func(m map[string]map[string]any) (string, error) {
		id, _ := m["identity"]["S"].(string)
		code, _ := m["code"]["S"].(string)
		if id == "" || code == "" {
			return "", fmt.Errorf("key attributes missing in %v", m)
		}
		return id + "\x00" + code, nil
	}
	switch r.Header.Get("X-Amz-Target") {
	case "DynamoDB_20120810.PutItem":
		if in.ConditionExpression != "attribute_not_exists(#c)" || in.ExpressionAttributeNames["#c"] != "code" {
			return fmt.Errorf("condition %q %v", in.ConditionExpression, in.ExpressionAttributeNames)
		}
		if _, ok := in.Item["expiresAt"]["N"]; !ok {
			return fmt.Errorf("no numeric expiresAt")
		}
		k, err := keyOf(in.Item)
		if err != nil {
			return err
		}
		if _, ok := f.items[k]; ok {
			jsonError(w, ctype, "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException", "The conditional request failed")
			return nil
		}
		item := map[string]any{}
		for n, v := range in.Item {
			item[n] = v
		}
		f.items[k] = item
		w.Header().Set("Content-Type", ctype)
		_, err = io.WriteString(w, `{}`)
		return err
	case "DynamoDB_20120810.GetItem":
		if !in.ConsistentRead {
			return fmt.Errorf("GetItem must be consistent")
		}
		k, err := keyOf(in.Key)
		if err != nil {
			return err
		}
		w.Header().Set("Content-Type", ctype)
		if it, ok := f.items[k]; ok {
			return json.NewEncoder(w).Encode(map[string]any{"Item": it})
		}
		_, err = io.WriteString(w, `{}`)
		return err
	}
	return fmt.Errorf("target %q", r.Header.Get("X-Amz-Target"))
}
