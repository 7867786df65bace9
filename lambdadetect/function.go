package lambdadetect

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/audit"
	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
)

// ObjectGetter is the part of the S3 client the function uses.
type ObjectGetter interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

// SecretGetter is the part of the Secrets Manager client the function uses.
type SecretGetter interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

// Publisher is the part of the SNS client the function uses.
type Publisher interface {
	Publish(ctx context.Context, in *sns.PublishInput, opts ...func(*sns.Options)) (*sns.PublishOutput, error)
}

// Function is the detection function. Its fields are set once (by
// FromEnv, or by a test with fakes); Handle may then be called
// concurrently.
type Function struct {
	Config
	Objects ObjectGetter
	Secrets SecretGetter
	Topic   Publisher
	Replays *ReplayStore
	// Log receives one JSON line per verdict (Lambda sends stdout to
	// CloudWatch Logs).
	Log io.Writer
	// Now is the clock of the seeds TTL and the replay items' expiry.
	Now func() time.Time

	seedsMu sync.Mutex
	seeds   *audit.DB
	seedsAt time.Time
	logMu   sync.Mutex
}

// Outcome is what Handle returns to Lambda (the invocation's response).
type Outcome struct {
	// Sources is the number of CloudTrail records (EventBridge) and log
	// objects (S3) read.
	Sources int `json:"sources"`
	// Results counts verdicts; Findings those that are not legit.
	Results  int `json:"results"`
	Findings int `json:"findings"`
	// SessionCalls counts later calls of sessions judged before (by their
	// CreateSession or an earlier call, in any invocation): no verdict.
	SessionCalls int `json:"sessionCalls,omitempty"`
	// Skipped lists S3 objects that are not CloudTrail log files.
	Skipped []string `json:"skipped,omitempty"`
}

// envelope holds the fields that tell the event kinds apart.
type envelope struct {
	Records    []json.RawMessage `json:"Records"`
	DetailType string            `json:"detail-type"`
	Source     string            `json:"source"`
}

// objectCreatedDetail is the detail of EventBridge's S3 "Object Created"
// event (aws-lambda-go/events has no type for it).
type objectCreatedDetail struct {
	Bucket struct {
		Name string `json:"name"`
	} `json:"bucket"`
	Object struct {
		Key  string `json:"key"`
		Size int64  `json:"size"`
	} `json:"object"`
}

// Detail types and sources of the EventBridge events Handle takes.
const (
	DetailTypeAPICall       = "AWS API Call via CloudTrail"
	DetailTypeObjectCreated = "Object Created"
	SourceRolesAnywhere     = "aws.rolesanywhere"
	SourceS3                = "aws.s3"
)

// Handle checks the CloudTrail records an event carries or points at. The
// error fails the invocation: the seeds could not be read, an object could
// not be read to its end, a finding could not be published or an accepted
// code could not be recorded. Verdicts decided before the error were
// logged and published.
func (f *Function) Handle(ctx context.Context, event json.RawMessage) (Outcome, error) {
	var out Outcome
	var env envelope
	if err := json.Unmarshal(event, &env); err != nil {
		return out, &EventError{Err: fmt.Errorf("%w: %w", ErrUnknownEvent, err)}
	}
	// Fail closed first: no verdict without the seeds.
	db, err := f.seedsDB(ctx)
	if err != nil {
		return out, err
	}
	c := &audit.Checker{DB: db, Policy: f.Policy}
	switch {
	case len(env.Records) > 0:
		var s3e events.S3Event
		if err := json.Unmarshal(event, &s3e); err != nil {
			return out, &EventError{Err: fmt.Errorf("%w: S3 notification: %w", ErrUnknownEvent, err)}
		}
		for _, r := range s3e.Records {
			if r.EventSource != "aws:s3" || !strings.HasPrefix(r.EventName, "ObjectCreated:") {
				return out, &EventError{Source: r.EventSource, DetailType: r.EventName, Err: ErrUnknownEvent}
			}
			if err := f.object(ctx, c, r.S3.Bucket.Name, r.S3.Object.URLDecodedKey, &out); err != nil {
				return out, err
			}
		}
	case env.DetailType == DetailTypeAPICall:
		var ev events.EventBridgeEvent
		if err := json.Unmarshal(event, &ev); err != nil {
			return out, &EventError{Source: env.Source, DetailType: env.DetailType, Err: fmt.Errorf("%w: %w", ErrUnknownEvent, err)}
		}
		if len(bytes.TrimSpace(ev.Detail)) == 0 {
			return out, &EventError{Source: env.Source, DetailType: env.DetailType, Err: fmt.Errorf("%w: no detail", ErrUnknownEvent)}
		}
		out.Sources++
		src := "eventbridge:" + ev.ID
		if err := f.check(ctx, c, src, bytes.NewReader(ev.Detail), &out); err != nil {
			return out, &RecordError{EventID: ev.ID, Err: err}
		}
	case env.DetailType == DetailTypeObjectCreated && env.Source == SourceS3:
		var ev events.EventBridgeEvent
		var d objectCreatedDetail
		if err := json.Unmarshal(event, &ev); err != nil {
			return out, &EventError{Source: env.Source, DetailType: env.DetailType, Err: fmt.Errorf("%w: %w", ErrUnknownEvent, err)}
		}
		if err := json.Unmarshal(ev.Detail, &d); err != nil || d.Bucket.Name == "" || d.Object.Key == "" {
			return out, &EventError{Source: env.Source, DetailType: env.DetailType, Err: fmt.Errorf("%w: no bucket or key in the detail", ErrUnknownEvent)}
		}
		if err := f.object(ctx, c, d.Bucket.Name, d.Object.Key, &out); err != nil {
			return out, err
		}
	default:
		return out, &EventError{Source: env.Source, DetailType: env.DetailType, Err: ErrUnknownEvent}
	}
	return out, nil
}

// IsTrailLogKey reports an S3 key of a CloudTrail log file
// (AWSLogs/<account>/CloudTrail/<region>/.../*.json.gz, organization
// trails with one more path element); digest files and anything else are
// not.
func IsTrailLogKey(key string) bool {
	return strings.Contains(key, "/CloudTrail/") && strings.HasSuffix(key, ".json.gz")
}

// object streams one log object from S3 through the reader.
func (f *Function) object(ctx context.Context, c *audit.Checker, bucket, key string, out *Outcome) error {
	src := "s3://" + bucket + "/" + key
	if !IsTrailLogKey(key) {
		out.Skipped = append(out.Skipped, src)
		return nil
	}
	obj, err := f.Objects.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return &ObjectError{Bucket: bucket, Key: key, Err: err}
	}
	defer obj.Body.Close()
	out.Sources++
	if err := f.check(ctx, c, src, obj.Body, out); err != nil {
		return &ObjectError{Bucket: bucket, Key: key, Err: err}
	}
	return nil
}

// check runs audit.Stream over r (one record or a whole log file) and
// decides, logs and publishes each result.
func (f *Function) check(ctx context.Context, c *audit.Checker, src string, r io.Reader, out *Outcome) error {
	o := audit.Options{Jobs: 1, Stdin: r, Sessions: f.Sessions, MaxRecordBytes: f.MaxRecordBytes}
	_, err := audit.Stream(ctx, []string{"-"}, o, audit.StreamOptions{}, c, func(res audit.Result) error {
		return f.decide(ctx, src, res, out)
	})
	return err
}

// decide checks a legit result against the replay table, logs the verdict
// and publishes a finding.
func (f *Function) decide(ctx context.Context, src string, r audit.Result, out *Outcome) error {
	if r.Kind == audit.KindSessionCall && f.Replays != nil {
		// One verdict per session, whichever invocation sees its first call.
		first, err := f.Replays.FirstCall(ctx, r, f.now())
		if err != nil {
			return err
		}
		if !first {
			out.SessionCalls++
			return nil
		}
	}
	if r.Verdict == audit.Legit && f.Replays != nil {
		var ofSession bool
		var err error
		if r, ofSession, err = f.Replays.accept(ctx, r, f.now()); err != nil {
			return err
		}
		if ofSession {
			// A later call of a session whose CreateSession was accepted:
			// judged with it.
			out.SessionCalls++
			return nil
		}
	}
	j := audit.NewJSONResult(r)
	j.File = src
	line, err := json.Marshal(j)
	if err != nil {
		return err
	}
	out.Results++
	f.logMu.Lock()
	_, werr := f.Log.Write(append(line, '\n'))
	f.logMu.Unlock()
	if werr != nil {
		return werr
	}
	if r.Verdict == audit.Legit {
		return nil
	}
	out.Findings++
	_, err = f.Topic.Publish(ctx, &sns.PublishInput{
		TopicArn: aws.String(f.TopicARN),
		Message:  aws.String(string(line)),
		MessageAttributes: map[string]snstypes.MessageAttributeValue{
			"verdict": {DataType: aws.String("String"), StringValue: aws.String(string(r.Verdict))},
		},
	})
	if err != nil {
		return &PublishError{TopicARN: f.TopicARN, Err: err}
	}
	return nil
}

func (f *Function) now() time.Time {
	if f.Now != nil {
		return f.Now()
	}
	return time.Now()
}

// seedsDB returns the seeds database, read from the secret the first time
// and again once it is older than SeedsTTL. Any failure is an error, never
// an empty database: the invocation fails and is retried.
func (f *Function) seedsDB(ctx context.Context) (*audit.DB, error) {
	f.seedsMu.Lock()
	defer f.seedsMu.Unlock()
	now := f.now()
	if f.seeds != nil && now.Sub(f.seedsAt) < f.SeedsTTL {
		return f.seeds, nil
	}
	f.seeds = nil
	out, err := f.Secrets.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(f.SecretARN)})
	if err != nil {
		return nil, &SeedsError{SecretARN: f.SecretARN, Err: err}
	}
	var b []byte
	switch {
	case out.SecretString != nil:
		b = []byte(*out.SecretString)
	case len(out.SecretBinary) > 0:
		b = out.SecretBinary
	default:
		return nil, &SeedsError{SecretARN: f.SecretARN, Err: ErrEmptySecret}
	}
	db, err := audit.ParseDB(b)
	if err != nil {
		return nil, &SeedsError{SecretARN: f.SecretARN, Err: err}
	}
	if db.Len() == 0 {
		return nil, &SeedsError{SecretARN: f.SecretARN, Err: ErrEmptySecret}
	}
	f.seeds, f.seedsAt = db, now
	return db, nil
}

// Errors.

// ErrUnknownEvent is an event Handle does not take.
var ErrUnknownEvent = errors.New("not a CloudTrail API call event or an S3 object-created notification")

// ErrEmptySecret is a seeds secret with no value or no identity.
var ErrEmptySecret = errors.New("seeds secret is empty")

// EventError is an event Handle cannot read; Source and DetailType are
// the event's (for an S3 notification record, its eventSource and
// eventName).
type EventError struct {
	Source, DetailType string
	Err                error
}

func (e *EventError) Error() string {
	if e.Source == "" && e.DetailType == "" {
		return fmt.Sprintf("event: %v", e.Err)
	}
	return fmt.Sprintf("event source %q, type %q: %v", e.Source, e.DetailType, e.Err)
}
func (e *EventError) Unwrap() error { return e.Err }

// SeedsError is a seeds secret that could not be read or parsed.
type SeedsError struct {
	SecretARN string
	Err       error
}

func (e *SeedsError) Error() string { return fmt.Sprintf("seeds secret %s: %v", e.SecretARN, e.Err) }
func (e *SeedsError) Unwrap() error { return e.Err }

// ObjectError is a log object that could not be read to its end (Err
// wraps the S3 error or audit's *FileError).
type ObjectError struct {
	Bucket, Key string
	Err         error
}

func (e *ObjectError) Error() string {
	return fmt.Sprintf("object s3://%s/%s: %v", e.Bucket, e.Key, e.Err)
}
func (e *ObjectError) Unwrap() error { return e.Err }

// RecordError is the CloudTrail record of an EventBridge event that could
// not be checked.
type RecordError struct {
	EventID string
	Err     error
}

func (e *RecordError) Error() string { return fmt.Sprintf("event %s: %v", e.EventID, e.Err) }
func (e *RecordError) Unwrap() error { return e.Err }

// PublishError is a finding that could not be published.
type PublishError struct {
	TopicARN string
	Err      error
}

func (e *PublishError) Error() string {
	return fmt.Sprintf("publish finding to %s: %v", e.TopicARN, e.Err)
}
func (e *PublishError) Unwrap() error { return e.Err }
