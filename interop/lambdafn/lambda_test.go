package lambdafn

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/acme-signing-helper/acme-signing-helper/totp"
)

const (
	secretARN = "arn:aws:secretsmanager:eu-west-2:123456789012:secret:seeds-AbCdEf"
	topicARN  = "arn:aws:sns:eu-west-2:123456789012:findings"
	table     = "replays"
	bucket    = "trail-bucket"
	hexKey    = "1da356b5273ffde77ff8cde6ec18f47cbc2cf48a"
	identity  = "foo.not-your-co.com"
	keyPrefix = "AWSLogs/123456789012/CloudTrail/eu-west-2/2026/11/21/"
)

var (
	seeds = `[{"CN=` + identity + `":"` + hexKey + `"}]`
	t0    = time.Date(2026, 11, 21, 19, 49, 41, 0, time.UTC)
)

func codeAt(t *testing.T, at time.Time) string {
	t.Helper()
	k, err := totp.ParseHexKey(hexKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := totp.Code(k, at, totp.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// record is a CreateSession CloudTrail record; name "" leaves out the
// session name.
func record(at time.Time, subject, name, ip, id string) string {
	rp := `{}`
	if name != "" {
		rp = fmt.Sprintf(`{"roleSessionName":%q,"profileArn":"arn:aws:rolesanywhere:eu-west-2:123456789012:profile/p","roleArn":"arn:aws:iam::123456789012:role/r","trustAnchorArn":"arn:aws:rolesanywhere:eu-west-2:123456789012:trust-anchor/a"}`, name)
	}
	return fmt.Sprintf(`{"eventVersion":"1.08","userIdentity":{"type":"Unknown"},"eventTime":%q,"eventSource":"rolesanywhere.amazonaws.com","eventName":"CreateSession","awsRegion":"eu-west-2","sourceIPAddress":%q,"userAgent":"acme-signing-helper","requestParameters":%s,"responseElements":{"x509Subject":%q},"requestID":"r-%s","eventID":%q,"readOnly":false,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"123456789012"}`,
		at.UTC().Format(time.RFC3339), ip, rp, "CN="+subject, id, id)
}

// filler is a CloudTrail record of another service, with random fields.
func filler(r *rand.Rand, at time.Time) string {
	var b [96]byte
	for i := range b {
		b[i] = "0123456789abcdef"[r.IntN(16)]
	}
	return fmt.Sprintf(`{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","principalId":"AROA%s:i-0%s","arn":"arn:aws:sts::123456789012:assumed-role/app/i-0%s"},"eventTime":%q,"eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"eu-west-2","sourceIPAddress":"10.%d.%d.%d","userAgent":"aws-sdk-go-v2/1.40.0","requestParameters":{"bucketName":"data","key":"obj/%s"},"responseElements":null,"requestID":"%s","eventID":"%s","readOnly":true,"eventType":"AwsApiCall"}`,
		b[:16], b[16:32], b[16:32], at.UTC().Format(time.RFC3339), r.IntN(256), r.IntN(256), r.IntN(256), b[32:64], b[64:80], b[80:96])
}

func logFile(records ...string) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	io.WriteString(zw, `{"Records":[`+strings.Join(records, ",")+`]}`)
	zw.Close()
	return b.Bytes()
}

func apiCallEvent(t *testing.T, id, rec string) []byte {
	t.Helper()
	b, err := json.Marshal(events.EventBridgeEvent{Version: "0", ID: id, DetailType: "AWS API Call via CloudTrail", Source: "aws.rolesanywhere",
		AccountID: "123456789012", Time: t0, Region: "eu-west-2", Resources: []string{}, Detail: json.RawMessage(rec)})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func s3Notification(t *testing.T, key string, size int) []byte {
	t.Helper()
	b, err := json.Marshal(events.S3Event{Records: []events.S3EventRecord{{
		EventVersion: "2.1", EventSource: "aws:s3", AWSRegion: "eu-west-2", EventTime: t0, EventName: "ObjectCreated:Put",
		S3: events.S3Entity{SchemaVersion: "1.0", ConfigurationID: "detect",
			Bucket: events.S3Bucket{Name: bucket, Arn: "arn:aws:s3:::" + bucket},
			Object: events.S3Object{Key: key, Size: int64(size), ETag: "e", Sequencer: "0055AED6DCD90281E5"}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// objectCreated is EventBridge's S3 "Object Created" event
// (aws-lambda-go/events has the envelope, the detail is S3's documented
// one).
func objectCreated(t *testing.T, key string, size int) []byte {
	t.Helper()
	detail, _ := json.Marshal(map[string]any{"version": "0", "bucket": map[string]string{"name": bucket},
		"object":     map[string]any{"key": key, "size": size, "etag": "e", "sequencer": "0055AED6DCD90281E5"},
		"request-id": "r", "requester": "cloudtrail.amazonaws.com", "reason": "PutObject"})
	b, err := json.Marshal(events.EventBridgeEvent{Version: "0", ID: "oc-" + key[len(key)-8:], DetailType: "Object Created", Source: "aws.s3",
		AccountID: "123456789012", Time: t0, Region: "eu-west-2", Resources: []string{"arn:aws:s3:::" + bucket}, Detail: detail})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// stack is the loopback AWS the function talks to.
type stack struct {
	fakes   *awsFakes
	backend *s3mem.Backend
	s3      *httptest.Server
}

func newStack(t *testing.T) *stack {
	t.Helper()
	s := &stack{fakes: newAWSFakes(t, secretARN, seeds), backend: s3mem.New()}
	if err := s.backend.CreateBucket(bucket); err != nil {
		t.Fatal(err)
	}
	s.s3 = httptest.NewServer(gofakes3.New(s.backend).Server())
	t.Cleanup(s.s3.Close)
	return s
}

func (s *stack) put(t *testing.T, key string, b []byte) {
	t.Helper()
	if _, err := s.backend.PutObject(bucket, key, map[string]string{}, bytes.NewReader(b), int64(len(b)), nil); err != nil {
		t.Fatal(err)
	}
}

func (s *stack) env(secret string) map[string]string {
	return map[string]string{
		"AWS_ACCESS_KEY_ID": accessKey, "AWS_SECRET_ACCESS_KEY": secretKey, "AWS_SESSION_TOKEN": token, "AWS_REGION": region,
		"AWS_ENDPOINT_URL_S3": s.s3.URL, "AWS_ENDPOINT_URL_SECRETS_MANAGER": s.fakes.secrets.URL,
		"AWS_ENDPOINT_URL_SNS": s.fakes.sns.URL, "AWS_ENDPOINT_URL_DYNAMODB": s.fakes.dynamodb.URL,
		"SEEDS_SECRET_ARN": secret, "FINDINGS_TOPIC_ARN": topicARN, "REPLAY_TABLE": table,
	}
}

// verdict is what both sides say of one record.
type verdict struct {
	EventID, Verdict, Identity, Time string
	SessionName                      *string
}

func (v verdict) String() string {
	n := "<none>"
	if v.SessionName != nil {
		n = *v.SessionName
	}
	return v.EventID + " " + v.Verdict + " " + v.Identity + " " + v.Time + " " + n
}

func parseVerdicts(t *testing.T, lines []string) []string {
	t.Helper()
	var out []string
	for _, l := range lines {
		var v verdict
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("verdict line %q: %v", l, err)
		}
		out = append(out, v.String())
	}
	sort.Strings(out)
	return out
}

// detectVerdicts runs `detect --format json` over the records.
func detectVerdicts(t *testing.T, records []string, flags ...string) []string {
	t.Helper()
	dir := t.TempDir()
	db := filepath.Join(dir, "db.json")
	os.WriteFile(db, []byte(seeds), 0o600)
	trail := filepath.Join(dir, "trail.json.gz")
	os.WriteFile(trail, logFile(records...), 0o600)
	cmd := exec.Command(bins.bootstrap, append(append([]string{"detect", "--db", db, "--format", "json"}, flags...), trail)...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir}
	out, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); err != nil && !(ok && ee.ExitCode() == 1) {
		t.Fatalf("detect: %v", err)
	}
	return parseVerdicts(t, strings.Split(strings.TrimSpace(string(out)), "\n"))
}

// TestFunctionMatchesDetect: EventBridge and S3 events through the
// emulator give the verdicts detect gives on the same records, findings
// reach SNS, and a code replayed from another address in a later
// invocation is a replay.
func TestFunctionMatchesDetect(t *testing.T) {
	s := newStack(t)
	e := startEmulator(t, s.env(secretARN))
	code := codeAt(t, t0)
	r1 := record(t0, identity, code, "192.0.2.1", "ev-legit")
	r2 := record(t0.Add(5*time.Second), identity, "000000", "192.0.2.1", "ev-mismatch")
	r3 := record(t0.Add(20*time.Second), identity, code, "198.51.100.9", "ev-replay") // same code, another address, another invocation
	t1 := t0.Add(2 * time.Minute)
	r4 := record(t1, identity, codeAt(t, t1), "192.0.2.1", "s3-legit")
	r5 := record(t1.Add(time.Second), "bar.not-your-co.com", "123456", "192.0.2.2", "s3-unknown")
	r6 := record(t1.Add(2*time.Second), identity, "", "192.0.2.1", "s3-noname")
	t2 := t0.Add(4 * time.Minute)
	r7 := record(t2, identity, "999999", "192.0.2.3", "oc-mismatch")
	rnd := rand.New(rand.NewPCG(1, 2))
	key1, key2 := keyPrefix+"123456789012_CloudTrail_eu-west-2_20261121T1955Z_aaaaaaaa.json.gz", keyPrefix+"123456789012_CloudTrail_eu-west-2_20261121T2000Z_bbbbbbbb.json.gz"
	obj1 := logFile(filler(rnd, t1), r4, filler(rnd, t1), r5, r6, filler(rnd, t1))
	obj2 := logFile(filler(rnd, t2), r7)
	s.put(t, key1, obj1)
	s.put(t, key2, obj2)

	for i, ev := range [][]byte{apiCallEvent(t, "e1", r1), apiCallEvent(t, "e2", r2), apiCallEvent(t, "e3", r3), s3Notification(t, key1, len(obj1)), objectCreated(t, key2, len(obj2))} {
		if inv := e.invoke(ev); inv.failed() {
			t.Fatalf("invocation %d failed: %d %s", i+1, inv.status, inv.body)
		}
	}
	if errs := s.fakes.refused(); len(errs) > 0 {
		t.Fatalf("refused requests: %v", errs)
	}
	got := parseVerdicts(t, e.verdictLines())
	want := detectVerdicts(t, []string{r1, r2, r3, r4, r5, r6, r7})
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("function:\n%s\ndetect:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !strings.Contains(strings.Join(got, "\n"), "ev-replay replay") {
		t.Fatalf("no replay across invocations in %v", got)
	}
	// Every verdict but legit, once, on the topic.
	s.fakes.mu.Lock()
	var published []string
	for _, m := range s.fakes.published {
		published = append(published, fmt.Sprint(m["eventID"], " ", m["verdict"]))
	}
	calls := s.fakes.secretCalls
	s.fakes.mu.Unlock()
	sort.Strings(published)
	if want := []string{"ev-mismatch mismatch", "ev-replay replay", "oc-mismatch mismatch", "s3-noname no-session-name", "s3-unknown unknown-identity"}; strings.Join(published, ",") != strings.Join(want, ",") {
		t.Fatalf("published %v, want %v", published, want)
	}
	if calls != 1 {
		t.Fatalf("secret read %d times in one execution environment, want 1", calls)
	}
	initMS, durs := e.reports()
	t.Logf("cold start (emulator Init Duration): %.2f ms; invocation durations (ms): %v", initMS, durs)
}

// sessionCall is a later call (S3 GetObject) made with the Roles Anywhere
// session named name, created at created.
func sessionCall(created time.Time, name, ip, id string) string {
	return fmt.Sprintf(`{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLE:%s","arn":"arn:aws:sts::123456789012:assumed-role/r/%s","accountId":"123456789012","sessionContext":{"sourceIdentity":"CN=%s","attributes":{"creationDate":%q,"mfaAuthenticated":"false"}}},"eventTime":%q,"eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"eu-west-2","sourceIPAddress":%q,"userAgent":"aws-sdk-go-v2/1.40.0","requestParameters":{"bucketName":"data","key":"k"},"responseElements":null,"requestID":"r-%s","eventID":%q,"readOnly":true,"eventType":"AwsApiCall","managementEvent":false,"recipientAccountId":"123456789012"}`,
		name, name, identity, created.UTC().Format(time.RFC3339), created.Add(time.Minute).UTC().Format(time.RFC3339), ip, id, id)
}

// TestSessionCallsMatchDetect: with DETECT_SESSIONS (the template's
// SessionCalls), later calls of sessions, one EventBridge event each,
// give the verdicts detect --sessions gives on the same records: none
// for the calls of an accepted CreateSession's session, one per session
// otherwise, however many calls it makes.
func TestSessionCallsMatchDetect(t *testing.T) {
	s := newStack(t)
	env := s.env(secretARN)
	env["DETECT_SESSIONS"] = "true"
	e := startEmulator(t, env)
	code := codeAt(t, t0)
	t1 := t0.Add(30 * time.Minute)
	records := []string{
		record(t0, identity, code, "192.0.2.1", "cs-legit"),
		sessionCall(t0.Add(time.Second), code, "198.51.100.7", "call-1"), // the session of cs-legit
		sessionCall(t0.Add(time.Second), code, "198.51.100.7", "call-2"),
		sessionCall(t1, "123456", "203.0.113.9", "call-3"), // a session whose CreateSession nobody saw, not a code
		sessionCall(t1, "123456", "203.0.113.9", "call-4"),
	}
	for i, r := range records {
		if inv := e.invoke(apiCallEvent(t, fmt.Sprint("e", i), r)); inv.failed() {
			t.Fatalf("invocation %d failed: %d %s", i+1, inv.status, inv.body)
		}
	}
	if errs := s.fakes.refused(); len(errs) > 0 {
		t.Fatalf("refused requests: %v", errs)
	}
	got := parseVerdicts(t, e.verdictLines())
	want := detectVerdicts(t, records, "--sessions")
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("function:\n%s\ndetect --sessions:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(got) != 2 || !strings.Contains(strings.Join(got, "\n"), "call-3 mismatch") {
		t.Fatalf("verdicts %v: want cs-legit legit and call-3 mismatch only", got)
	}
}

// TestFailClosed: an unreadable seeds secret and a truncated log object
// fail the invocation, and no verdict is logged without the seeds.
func TestFailClosed(t *testing.T) {
	s := newStack(t)
	t.Run("secret", func(t *testing.T) {
		e := startEmulator(t, s.env(secretARN+"-gone"))
		inv := e.invoke(apiCallEvent(t, "e1", record(t0, identity, codeAt(t, t0), "192.0.2.1", "x")))
		if !inv.failed() || !strings.Contains(inv.body, "seeds secret") {
			t.Fatalf("got %d %s, want a failed invocation naming the seeds secret", inv.status, inv.body)
		}
		if v := e.verdictLines(); len(v) != 0 {
			t.Fatalf("verdicts without seeds: %v", v)
		}
	})
	t.Run("truncated object", func(t *testing.T) {
		e := startEmulator(t, s.env(secretARN))
		b := logFile(record(t0, identity, "000000", "192.0.2.1", "t1"), filler(rand.New(rand.NewPCG(3, 4)), t0))
		key := keyPrefix + "123456789012_CloudTrail_eu-west-2_20261121T1955Z_truncate.json.gz"
		s.put(t, key, b[:len(b)/2])
		inv := e.invoke(s3Notification(t, key, len(b)/2))
		if !inv.failed() || !strings.Contains(inv.body, key) {
			t.Fatalf("got %d %s, want a failed invocation naming the object", inv.status, inv.body)
		}
	})
	if errs := s.fakes.refused(); len(errs) > 0 {
		t.Fatalf("refused requests: %v", errs)
	}
}

// TestLargeObjectMemory: a 200 MB gzip log object (compressed size) is
// streamed with the bootstrap's peak RSS under 64 MB; per-event time is
// measured on the same environment.
func TestLargeObjectMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skips the 200 MB object")
	}
	s := newStack(t)
	e := startEmulator(t, s.env(secretARN))
	// Warm the environment, then time single-record events.
	var perEvent []time.Duration
	for i := 0; i < 20; i++ {
		at := t0.Add(time.Duration(i) * time.Minute)
		inv := e.invoke(apiCallEvent(t, fmt.Sprint("w", i), record(at, identity, codeAt(t, at), "192.0.2.1", fmt.Sprint("w", i))))
		if inv.failed() {
			t.Fatalf("event %d: %s", i, inv.body)
		}
		perEvent = append(perEvent, inv.elapsed)
	}
	initMS, durs := e.reports()
	sorted := append([]time.Duration(nil), perEvent[1:]...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	t.Logf("cold start: emulator Init Duration %.2f ms, first invocation %v round trip; warm per-event round trip median %v (min %v, max %v); emulator Durations (ms) %v",
		initMS, perEvent[0], sorted[len(sorted)/2], sorted[0], sorted[len(sorted)-1], durs)
	before, err := e.bootstrapPeakRSS()
	if err != nil {
		t.Fatal(err)
	}

	const target = 200 << 20
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	rnd := rand.New(rand.NewPCG(5, 6))
	io.WriteString(zw, `{"Records":[`)
	n, sessions := 0, 0
	var rec strings.Builder
	for buf.Len() < target {
		rec.Reset()
		for j := 0; j < 100; j++ {
			if n > 0 {
				rec.WriteByte(',')
			}
			at := t0.Add(time.Duration(n/1000) * time.Second)
			if n%100 == 0 {
				rec.WriteString(record(at, identity, "000000", "192.0.2.1", fmt.Sprint("big-", n)))
				sessions++
			} else {
				rec.WriteString(filler(rnd, at))
			}
			n++
		}
		io.WriteString(zw, rec.String())
	}
	io.WriteString(zw, `]}`)
	zw.Close()
	size := buf.Len()
	key := keyPrefix + "123456789012_CloudTrail_eu-west-2_20261121T2100Z_big00000.json.gz"
	s.put(t, key, buf.Bytes())
	buf = bytes.Buffer{}
	start := time.Now()
	inv := e.invoke(s3Notification(t, key, size))
	elapsed := time.Since(start)
	if inv.failed() {
		t.Fatalf("large object: %s", inv.body)
	}
	var out struct{ Results, Findings int }
	json.Unmarshal([]byte(inv.body), &out)
	peak, err := e.bootstrapPeakRSS()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("large object: %d MB gzip, %d records, %d sessions: %v, %d results; bootstrap peak RSS %.1f MB (%.1f MB before the object)",
		size>>20, n, sessions, elapsed, out.Results, float64(peak)/(1<<20), float64(before)/(1<<20))
	if out.Results != sessions {
		t.Errorf("results %d, want %d", out.Results, sessions)
	}
	if peak >= 64<<20 {
		t.Errorf("peak RSS %.1f MB, want under 64 MB", float64(peak)/(1<<20))
	}
}
