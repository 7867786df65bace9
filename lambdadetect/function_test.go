package lambdadetect

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/audit"
	"github.com/acme-signing-helper/acme-signing-helper/totp"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sns"
)

const (
	testSecret = "arn:aws:secretsmanager:eu-west-2:123456789012:secret:seeds-AbCdEf"
	testTopic  = "arn:aws:sns:eu-west-2:123456789012:findings"
	testTable  = "replays"
	testHexKey = "1da356b5273ffde77ff8cde6ec18f47cbc2cf48a"
	testBucket = "trail-bucket"
	testKey    = "AWSLogs/123456789012/CloudTrail/eu-west-2/2026/11/21/123456789012_CloudTrail_eu-west-2_20261121T1950Z_abc.json.gz"
)

var testSeeds = `[{"CN=foo.not-your-co.com":"` + testHexKey + `"}]`

// fakeSecrets answers GetSecretValue for testSecret only.
type fakeSecrets struct {
	value string
	err   error
	calls int
}

func (f *fakeSecrets) GetSecretValue(_ context.Context, in *secretsmanager.GetSecretValueInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	f.calls++
	if aws.ToString(in.SecretId) != testSecret {
		return nil, fmt.Errorf("fake: secret %q is not %q", aws.ToString(in.SecretId), testSecret)
	}
	if f.err != nil {
		return nil, f.err
	}
	return &secretsmanager.GetSecretValueOutput{SecretString: aws.String(f.value)}, nil
}

// fakeObjects serves objects of testBucket.
type fakeObjects struct{ objects map[string][]byte }

func (f *fakeObjects) GetObject(_ context.Context, in *s3.GetObjectInput, _ ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	if aws.ToString(in.Bucket) != testBucket {
		return nil, fmt.Errorf("fake: bucket %q", aws.ToString(in.Bucket))
	}
	b, ok := f.objects[aws.ToString(in.Key)]
	if !ok {
		return nil, fmt.Errorf("fake: no key %q", aws.ToString(in.Key))
	}
	return &s3.GetObjectOutput{Body: io.NopCloser(bytes.NewReader(b))}, nil
}

// fakeTopic records the findings published to testTopic.
type fakeTopic struct {
	msgs []audit.JSONResult
	err  error
}

func (f *fakeTopic) Publish(_ context.Context, in *sns.PublishInput, _ ...func(*sns.Options)) (*sns.PublishOutput, error) {
	if aws.ToString(in.TopicArn) != testTopic {
		return nil, fmt.Errorf("fake: topic %q", aws.ToString(in.TopicArn))
	}
	if f.err != nil {
		return nil, f.err
	}
	var j audit.JSONResult
	if err := json.Unmarshal([]byte(aws.ToString(in.Message)), &j); err != nil {
		return nil, fmt.Errorf("fake: message is not a JSON result: %v", err)
	}
	if a := in.MessageAttributes["verdict"]; aws.ToString(a.StringValue) != string(j.Verdict) || aws.ToString(a.DataType) != "String" {
		return nil, fmt.Errorf("fake: verdict attribute %+v for verdict %s", a, j.Verdict)
	}
	f.msgs = append(f.msgs, j)
	return &sns.PublishOutput{MessageId: aws.String("m")}, nil
}

// fakeTable is a DynamoDB table keyed by (identity, code) that evaluates
// the one condition ReplayStore uses.
type fakeTable struct {
	mu    sync.Mutex
	items map[string]map[string]types.AttributeValue
	err   error
}

func itemKey(t *fakeTable, m map[string]types.AttributeValue) (string, error) {
	id, ok1 := m[AttrIdentity].(*types.AttributeValueMemberS)
	code, ok2 := m[AttrCode].(*types.AttributeValueMemberS)
	if !ok1 || !ok2 || id.Value == "" || code.Value == "" {
		return "", errors.New("fake: key attributes missing")
	}
	return id.Value + "\x00" + code.Value, nil
}

func (f *fakeTable) PutItem(_ context.Context, in *dynamodb.PutItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return nil, f.err
	}
	if aws.ToString(in.TableName) != testTable {
		return nil, fmt.Errorf("fake: table %q", aws.ToString(in.TableName))
	}
	if aws.ToString(in.ConditionExpression) != "attribute_not_exists(#c)" || in.ExpressionAttributeNames["#c"] != AttrCode {
		return nil, fmt.Errorf("fake: condition %q %v", aws.ToString(in.ConditionExpression), in.ExpressionAttributeNames)
	}
	if _, ok := in.Item[AttrExpiresAt].(*types.AttributeValueMemberN); !ok {
		return nil, errors.New("fake: no numeric TTL attribute")
	}
	k, err := itemKey(f, in.Item)
	if err != nil {
		return nil, err
	}
	if f.items == nil {
		f.items = map[string]map[string]types.AttributeValue{}
	}
	if _, ok := f.items[k]; ok {
		return nil, &types.ConditionalCheckFailedException{Message: aws.String("The conditional request failed")}
	}
	f.items[k] = in.Item
	return &dynamodb.PutItemOutput{}, nil
}

func (f *fakeTable) GetItem(_ context.Context, in *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !aws.ToBool(in.ConsistentRead) {
		return nil, errors.New("fake: GetItem must be consistent")
	}
	k, err := itemKey(f, in.Key)
	if err != nil {
		return nil, err
	}
	return &dynamodb.GetItemOutput{Item: f.items[k]}, nil
}

type harness struct {
	f       *Function
	secrets *fakeSecrets
	objects *fakeObjects
	topic   *fakeTopic
	table   *fakeTable
	log     *bytes.Buffer
	now     time.Time
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	h := &harness{secrets: &fakeSecrets{value: testSeeds}, objects: &fakeObjects{objects: map[string][]byte{}},
		topic: &fakeTopic{}, table: &fakeTable{}, log: &bytes.Buffer{}, now: time.Date(2026, 11, 21, 20, 0, 0, 0, time.UTC)}
	cfg, err := ConfigFromEnv(func(k string) string {
		return map[string]string{EnvSecretARN: testSecret, EnvTopicARN: testTopic, EnvTable: testTable}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	h.f = &Function{Config: cfg, Objects: h.objects, Secrets: h.secrets, Topic: h.topic,
		Replays: &ReplayStore{DB: h.table, Table: testTable}, Log: h.log, Now: func() time.Time { return h.now }}
	return h
}

// createSession is a CreateSession record of foo.not-your-co.com at t with
// code (the current TOTP code when code is "now").
func createSession(t *testing.T, at time.Time, code, ip, id string) string {
	t.Helper()
	if code == "now" {
		key, _ := totp.ParseHexKey(testHexKey)
		c, err := totp.Code(key, at, totp.Options{})
		if err != nil {
			t.Fatal(err)
		}
		code = c
	}
	return fmt.Sprintf(`{"eventVersion":"1.08","eventTime":%q,"eventSource":"rolesanywhere.amazonaws.com","eventName":"CreateSession","awsRegion":"eu-west-2","sourceIPAddress":%q,"eventID":%q,"requestParameters":{"roleSessionName":%q},"responseElements":{"x509Subject":"CN=foo.not-your-co.com"}}`,
		at.UTC().Format(time.RFC3339), ip, id, code)
}

func apiCallEvent(id, detail string) json.RawMessage {
	return json.RawMessage(fmt.Sprintf(`{"version":"0","id":%q,"detail-type":"AWS API Call via CloudTrail","source":"aws.rolesanywhere","account":"123456789012","time":"2026-11-21T19:49:41Z","region":"eu-west-2","resources":[],"detail":%s}`, id, detail))
}

func s3Event(key string) json.RawMessage {
	return json.RawMessage(fmt.Sprintf(`{"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"eu-west-2","eventTime":"2026-11-21T19:55:00.000Z","eventName":"ObjectCreated:Put","s3":{"s3SchemaVersion":"1.0","bucket":{"name":%q,"arn":"arn:aws:s3:::%s"},"object":{"key":%q,"size":1}}}]}`, testBucket, testBucket, key))
}

func objectCreatedEvent(key string) json.RawMessage {
	return json.RawMessage(fmt.Sprintf(`{"version":"0","id":"e1","detail-type":"Object Created","source":"aws.s3","account":"123456789012","time":"2026-11-21T19:55:00Z","region":"eu-west-2","resources":["arn:aws:s3:::%s"],"detail":{"version":"0","bucket":{"name":%q},"object":{"key":%q,"size":1}}}`, testBucket, testBucket, key))
}

func gz(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	io.WriteString(w, s)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func logLines(t *testing.T, b *bytes.Buffer) []audit.JSONResult {
	t.Helper()
	var out []audit.JSONResult
	for _, l := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		if l == "" {
			continue
		}
		var j audit.JSONResult
		if err := json.Unmarshal([]byte(l), &j); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		out = append(out, j)
	}
	return out
}

var t0 = time.Date(2026, 11, 21, 19, 49, 41, 0, time.UTC)

func TestHandleAPICall(t *testing.T) {
	for _, tc := range []struct {
		name, code string
		want       audit.Verdict
	}{
		{"legit", "now", audit.Legit},
		{"mismatch", "000000", audit.Mismatch},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			out, err := h.f.Handle(context.Background(), apiCallEvent("ev-1", createSession(t, t0, tc.code, "192.0.2.1", "rec-1")))
			if err != nil {
				t.Fatal(err)
			}
			if out.Results != 1 || out.Sources != 1 {
				t.Fatalf("got %+v, want one result of one source", out)
			}
			ls := logLines(t, h.log)
			if len(ls) != 1 || ls[0].Verdict != tc.want || ls[0].File != "eventbridge:ev-1" || ls[0].EventID != "rec-1" {
				t.Fatalf("log %+v, want one %s line", ls, tc.want)
			}
			wantFindings := 0
			if tc.want != audit.Legit {
				wantFindings = 1
			}
			if len(h.topic.msgs) != wantFindings || out.Findings != wantFindings {
				t.Fatalf("published %+v, want %d findings", h.topic.msgs, wantFindings)
			}
			if wantFindings == 1 && fmt.Sprint(mustJSON(t, h.topic.msgs[0])) != fmt.Sprint(mustJSON(t, ls[0])) {
				t.Fatalf("published %+v, logged %+v: want the same", h.topic.msgs[0], ls[0])
			}
			if tc.want == audit.Legit && len(h.table.items) != 1 {
				t.Fatalf("replay table has %d items, want 1", len(h.table.items))
			}
		})
	}
}

// TestReplayAcrossInvocations: the same code accepted by two invocations
// from two addresses is a replay; the same record delivered twice
// (EventBridge, then the log file) is not.
func TestReplayAcrossInvocations(t *testing.T) {
	h := newHarness(t)
	rec := createSession(t, t0, "now", "192.0.2.1", "rec-1")
	if _, err := h.f.Handle(context.Background(), apiCallEvent("ev-1", rec)); err != nil {
		t.Fatal(err)
	}
	h.objects.objects[testKey] = gz(t, `{"Records":[`+rec+`]}`)
	if _, err := h.f.Handle(context.Background(), s3Event(testKey)); err != nil {
		t.Fatal(err)
	}
	code := strings.Split(strings.Split(rec, `"roleSessionName":"`)[1], `"`)[0]
	if _, err := h.f.Handle(context.Background(), apiCallEvent("ev-2", createSession(t, t0.Add(10*time.Second), code, "198.51.100.7", "rec-2"))); err != nil {
		t.Fatal(err)
	}
	ls := logLines(t, h.log)
	var got []audit.Verdict
	for _, l := range ls {
		got = append(got, l.Verdict)
	}
	want := []audit.Verdict{audit.Legit, audit.Legit, audit.Replay}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	if len(h.topic.msgs) != 1 || h.topic.msgs[0].Verdict != audit.Replay || !strings.Contains(h.topic.msgs[0].Reason, "192.0.2.1") {
		t.Fatalf("published %+v, want one replay naming the first address", h.topic.msgs)
	}
}

func TestHandleObjects(t *testing.T) {
	for _, tc := range []struct {
		name  string
		event func(string) json.RawMessage
	}{{"s3 notification", s3Event}, {"eventbridge object created", objectCreatedEvent}} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			file := `{"Records":[` + createSession(t, t0, "now", "192.0.2.1", "a") + `,{"eventSource":"s3.amazonaws.com","eventName":"GetObject","eventTime":"2026-11-21T19:50:00Z"},` + createSession(t, t0.Add(time.Minute), "123456", "192.0.2.1", "b") + `]}`
			h.objects.objects[testKey] = gz(t, file)
			out, err := h.f.Handle(context.Background(), tc.event(testKey))
			if err != nil {
				t.Fatal(err)
			}
			if out.Results != 2 || out.Findings != 1 || len(h.topic.msgs) != 1 || h.topic.msgs[0].EventID != "b" {
				t.Fatalf("got %+v, published %+v: want 2 results, finding b", out, h.topic.msgs)
			}
			if f := h.topic.msgs[0].File; f != "s3://"+testBucket+"/"+testKey {
				t.Fatalf("file %q", f)
			}
		})
	}
}

func TestTruncatedObjectFails(t *testing.T) {
	h := newHarness(t)
	b := gz(t, `{"Records":[`+createSession(t, t0, "000000", "192.0.2.1", "a")+`]}`)
	h.objects.objects[testKey] = b[:len(b)-12]
	_, err := h.f.Handle(context.Background(), s3Event(testKey))
	var oe *ObjectError
	if !errors.As(err, &oe) || oe.Key != testKey {
		t.Fatalf("got %v, want an *ObjectError for the key", err)
	}
	var fe *audit.FileError
	if !errors.As(err, &fe) {
		t.Fatalf("got %v, want audit's *FileError inside", err)
	}
}

func TestSkipsOtherObjects(t *testing.T) {
	h := newHarness(t)
	key := "AWSLogs/123456789012/CloudTrail-Digest/eu-west-2/2026/11/21/x.json.gz"
	out, err := h.f.Handle(context.Background(), s3Event(key))
	if err != nil || len(out.Skipped) != 1 || out.Sources != 0 {
		t.Fatalf("got %+v, %v: want the digest skipped", out, err)
	}
}

// TestFailClosed: no verdict without the seeds, and the failure is an
// error (Lambda retries; the DLQ keeps the event).
func TestFailClosed(t *testing.T) {
	for _, tc := range []struct {
		name  string
		set   func(*harness)
		check func(error) bool
	}{
		{"secret unreadable", func(h *harness) { h.secrets.err = errors.New("AccessDeniedException") }, func(err error) bool { var se *SeedsError; return errors.As(err, &se) }},
		{"secret empty", func(h *harness) { h.secrets.value = "[]" }, func(err error) bool { return errors.Is(err, ErrEmptySecret) }},
		{"secret not a database", func(h *harness) { h.secrets.value = "hunter2" }, func(err error) bool { return errors.Is(err, audit.ErrDBFormat) }},
		{"replay table down", func(h *harness) { h.table.err = errors.New("ProvisionedThroughputExceededException") }, func(err error) bool { var re *ReplayTableError; return errors.As(err, &re) && re.Op == "PutItem" }},
		{"topic down", func(h *harness) { h.topic.err = errors.New("AuthorizationError") }, func(err error) bool { var pe *PublishError; return errors.As(err, &pe) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			tc.set(h)
			code := "now"
			if tc.name == "topic down" {
				code = "000000"
			}
			_, err := h.f.Handle(context.Background(), apiCallEvent("ev-1", createSession(t, t0, code, "192.0.2.1", "r")))
			if err == nil || !tc.check(err) {
				t.Fatalf("got %v", err)
			}
			if strings.Contains(err.Error(), testHexKey) || strings.Contains(h.log.String(), testHexKey) {
				t.Fatal("the seed leaked")
			}
			if strings.HasPrefix(tc.name, "secret") && h.log.Len() != 0 {
				t.Fatalf("verdicts without seeds: %s", h.log)
			}
		})
	}
}

func TestSeedsTTL(t *testing.T) {
	h := newHarness(t)
	ev := apiCallEvent("ev-1", createSession(t, t0, "000000", "192.0.2.1", "r"))
	for i := 0; i < 3; i++ {
		if _, err := h.f.Handle(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
	}
	if h.secrets.calls != 1 {
		t.Fatalf("secret read %d times, want once within the TTL", h.secrets.calls)
	}
	h.now = h.now.Add(DefaultSeedsTTL)
	h.secrets.err = errors.New("ResourceNotFoundException")
	if _, err := h.f.Handle(context.Background(), ev); err == nil {
		t.Fatal("a failed refresh after the TTL must fail the invocation")
	}
	h.secrets.err = nil
	if _, err := h.f.Handle(context.Background(), ev); err != nil || h.secrets.calls != 3 {
		t.Fatalf("got %v after %d reads", err, h.secrets.calls)
	}
}

func TestUnknownEvent(t *testing.T) {
	h := newHarness(t)
	for _, ev := range []string{`{"detail-type":"Scheduled Event","source":"aws.events","detail":{}}`, `not json`, `{"Records":[{"eventSource":"aws:sqs","eventName":"x"}]}`} {
		if _, err := h.f.Handle(context.Background(), json.RawMessage(ev)); !errors.Is(err, ErrUnknownEvent) {
			t.Errorf("%s: got %v, want ErrUnknownEvent", ev, err)
		}
	}
}

// TestJudgeAgreesWithFinish keeps the cross-invocation replay rule the
// same as audit.Finish's within one run.
func TestJudgeAgreesWithFinish(t *testing.T) {
	for _, tc := range []struct{ ip1, ip2, cert1, cert2 string }{
		{"192.0.2.1", "192.0.2.1", "", ""},
		{"192.0.2.1", "198.51.100.1", "", ""},
		{"192.0.2.1", "::ffff:192.0.2.1", "", ""},
		{"rolesanywhere.amazonaws.com", "192.0.2.1", "", ""},
		{"192.0.2.1", "192.0.2.1", "0a", "0b"},
		{"192.0.2.1", "192.0.2.1", "0a", "0A"},
		{"192.0.2.1", "192.0.2.1", "", "0b"},
	} {
		mk := func(ip, cert string, s int) audit.Result {
			return audit.Result{Event: audit.Event{Kind: audit.KindCreateSession, Time: t0.Add(time.Duration(s) * time.Second), Identity: "x", SessionName: "123456", HasSessionName: true, SourceIP: ip, CertSerial: cert, EventID: fmt.Sprint(s)}, Verdict: audit.Legit, Step: 7}
		}
		a, b := mk(tc.ip1, tc.cert1, 0), mk(tc.ip2, tc.cert2, 1)
		fin := audit.Finish([]audit.Result{a, b})
		got := acceptance{eventID: a.EventID, sourceIP: a.SourceIP, cert: a.CertSerial}.judge(b)
		if got.Verdict != fin[1].Verdict {
			t.Errorf("%+v: judge %s, Finish %s", tc, got.Verdict, fin[1].Verdict)
		}
	}
}

func TestConfigFromEnv(t *testing.T) {
	base := map[string]string{EnvSecretARN: testSecret, EnvTopicARN: testTopic, EnvTable: testTable}
	for _, tc := range []struct {
		name, key, val, wantName string
	}{
		{"ok", "", "", ""},
		{"no secret", EnvSecretARN, "", EnvSecretARN},
		{"bad ttl", EnvSeedsTTL, "5 minutes", EnvSeedsTTL},
		{"ttl too long", EnvSeedsTTL, "48h", EnvSeedsTTL},
		{"bad window", EnvWindow, "-1", EnvWindow},
		{"bad sessions", EnvSessions, "maybe", EnvSessions},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range base {
				env[k] = v
			}
			if tc.key != "" {
				env[tc.key] = tc.val
			}
			_, err := ConfigFromEnv(func(k string) string { return env[k] })
			var ee *EnvError
			if tc.wantName == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.As(err, &ee) || ee.Name != tc.wantName {
				t.Fatalf("got %v, want an *EnvError for %s", err, tc.wantName)
			}
		})
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// sessionCall is a later call (S3 GetObject) of the session named code of
// foo.not-your-co.com created at created, made from ip.
func sessionCall(created time.Time, code, ip, id string) string {
	return fmt.Sprintf(`{"eventVersion":"1.09","eventTime":%q,"eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"eu-west-2","sourceIPAddress":%q,"eventID":%q,"userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::123456789012:assumed-role/acme/%s","sessionContext":{"sourceIdentity":"CN=foo.not-your-co.com","attributes":{"creationDate":%q}}}}`,
		created.Add(time.Minute).UTC().Format(time.RFC3339), ip, id, code, created.UTC().Format(time.RFC3339))
}

// TestSessionCallsOncePerSession: with DETECT_SESSIONS the function
// judges each session once across invocations, as detect --sessions does
// in one run: a later call of a session whose CreateSession was accepted
// gets no verdict, nor does a second call of a judged session; a session
// whose name is not a valid code at its creation is one finding however
// many calls it makes; a later call seen before its CreateSession (events
// out of order) does not make the CreateSession a replay.
func TestSessionCallsOncePerSession(t *testing.T) {
	h := newHarness(t)
	h.f.Sessions = true
	cs := createSession(t, t0, "now", "192.0.2.1", "rec-1")
	code := strings.Split(strings.Split(cs, `"roleSessionName":"`)[1], `"`)[0]
	t1 := t0.Add(2 * time.Hour)
	cs1 := createSession(t, t1, "now", "192.0.2.1", "rec-6")
	code1 := strings.Split(strings.Split(cs1, `"roleSessionName":"`)[1], `"`)[0]
	events := []struct {
		detail string
		want   audit.Verdict // "" for no verdict
	}{
		{cs, audit.Legit},
		{sessionCall(t0.Add(time.Second), code, "198.51.100.7", "rec-2"), ""}, // the session of rec-1
		{sessionCall(t0.Add(time.Second), code, "198.51.100.7", "rec-3"), ""}, // again
		{sessionCall(t0.Add(30*time.Minute), code, "203.0.113.9", "rec-4"), audit.Mismatch},
		{sessionCall(t0.Add(30*time.Minute), code, "203.0.113.9", "rec-5"), ""},
		{sessionCall(t1, code1, "198.51.100.7", "rec-7"), audit.Legit}, // before its CreateSession
		{cs1, audit.Legit},
	}
	for i, ev := range events {
		before := len(logLines(t, h.log))
		out, err := h.f.Handle(context.Background(), apiCallEvent(fmt.Sprint("ev-", i), ev.detail))
		if err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
		ls := logLines(t, h.log)
		switch {
		case ev.want == "" && (len(ls) != before || out.Results != 0 || out.SessionCalls != 1):
			t.Fatalf("event %d: got %+v, log %+v: want no verdict and one session call counted", i, out, ls[before:])
		case ev.want != "" && (len(ls) != before+1 || ls[before].Verdict != ev.want):
			t.Fatalf("event %d: log %+v, want one %s", i, ls[before:], ev.want)
		}
	}
	if len(h.topic.msgs) != 1 || h.topic.msgs[0].Verdict != audit.Mismatch || h.topic.msgs[0].EventID != "rec-4" {
		t.Fatalf("published %+v, want the one mismatch", h.topic.msgs)
	}

	// Without DETECT_SESSIONS later calls are not read at all.
	h = newHarness(t)
	out, err := h.f.Handle(context.Background(), apiCallEvent("ev-x", sessionCall(t0.Add(30*time.Minute), code, "203.0.113.9", "rec-4")))
	if err != nil || out.Results != 0 || out.SessionCalls != 0 || len(h.table.items) != 0 {
		t.Fatalf("without sessions: %+v, %v, %d items", out, err, len(h.table.items))
	}
}
