package lambdadetect

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/audit"
	"github.com/acme-signing-helper/acme-signing-helper/totp"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sns"
)

// The function's environment variables (the template sets them).
const (
	EnvSecretARN = "SEEDS_SECRET_ARN"   // the seeds database secret
	EnvTopicARN  = "FINDINGS_TOPIC_ARN" // where findings go
	EnvTable     = "REPLAY_TABLE"       // the replay table's name
	EnvSeedsTTL  = "SEEDS_TTL"          // Go duration, default DefaultSeedsTTL
	EnvReplayTTL = "REPLAY_TTL"         // Go duration, default DefaultReplayTTL
	EnvSessions  = "DETECT_SESSIONS"    // "true": also check later calls of sessions
	EnvWindow    = "DETECT_WINDOW"      // steps either side, default 1
	EnvSkew      = "DETECT_SKEW"        // reference time lag, default 30s
)

// DefaultSeedsTTL is how long the seeds read from the secret are used
// before the secret is read again.
const DefaultSeedsTTL = 5 * time.Minute

// Config is the function's configuration.
type Config struct {
	SecretARN, TopicARN, Table string
	SeedsTTL, ReplayTTL        time.Duration
	// Policy is detect's verification policy (--window, --skew).
	Policy totp.Policy
	// Sessions and MaxRecordBytes are audit.Options'.
	Sessions       bool
	MaxRecordBytes int
}

// ErrMissingEnv is a required environment variable that is not set.
var ErrMissingEnv = errors.New("not set")

// EnvError is an environment variable of the function that is missing or
// invalid.
type EnvError struct {
	Name, Value string
	Err         error
}

func (e *EnvError) Error() string {
	if e.Err == ErrMissingEnv {
		return fmt.Sprintf("environment variable %s: %v", e.Name, e.Err)
	}
	return fmt.Sprintf("environment variable %s=%q: %v", e.Name, e.Value, e.Err)
}
func (e *EnvError) Unwrap() error { return e.Err }

// ConfigFromEnv reads the configuration from the environment (getenv is
// os.Getenv).
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	c := Config{SeedsTTL: DefaultSeedsTTL, ReplayTTL: DefaultReplayTTL,
		Policy:         totp.Policy{Name: "detect", Lag: totp.SeedScriptPolicy.Lag, Window: totp.SeedScriptPolicy.Window, MaxOffset: totp.SeedScriptPolicy.Window},
		MaxRecordBytes: audit.DefaultMaxRecordBytes}
	for _, v := range []struct {
		name string
		dst  *string
	}{{EnvSecretARN, &c.SecretARN}, {EnvTopicARN, &c.TopicARN}, {EnvTable, &c.Table}} {
		if *v.dst = getenv(v.name); *v.dst == "" {
			return c, &EnvError{Name: v.name, Err: ErrMissingEnv}
		}
	}
	for _, v := range []struct {
		name     string
		dst      *time.Duration
		min, max time.Duration
	}{{EnvSeedsTTL, &c.SeedsTTL, 0, 24 * time.Hour}, {EnvReplayTTL, &c.ReplayTTL, 10 * time.Minute, 30 * 24 * time.Hour}, {EnvSkew, &c.Policy.Lag, -time.Hour, time.Hour}} {
		s := getenv(v.name)
		if s == "" {
			continue
		}
		d, err := time.ParseDuration(s)
		if err == nil && (d < v.min || d > v.max) {
			err = fmt.Errorf("out of range %s..%s", v.min, v.max)
		}
		if err != nil {
			return c, &EnvError{Name: v.name, Value: s, Err: err}
		}
		*v.dst = d
	}
	if s := getenv(EnvWindow); s != "" {
		n, err := strconv.Atoi(s)
		if err == nil && (n < 0 || n > 100) {
			err = errors.New("out of range 0..100")
		}
		if err != nil {
			return c, &EnvError{Name: EnvWindow, Value: s, Err: err}
		}
		c.Policy.Window, c.Policy.MaxOffset = n, n
	}
	if s := getenv(EnvSessions); s != "" {
		b, err := strconv.ParseBool(s)
		if err != nil {
			return c, &EnvError{Name: EnvSessions, Value: s, Err: err}
		}
		c.Sessions = b
	}
	return c, nil
}

// FromEnv builds the function the Lambda runtime runs: the configuration
// from the environment, and aws-sdk-go-v2 clients for S3, Secrets
// Manager, SNS and DynamoDB with the execution role's credentials and
// region as Lambda sets them (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN, AWS_REGION). AWS_ENDPOINT_URL and the per-service
// AWS_ENDPOINT_URL_S3, _SECRETS_MANAGER, _SNS, _DYNAMODB override the
// endpoints (tests on loopback; S3 then uses path-style addressing).
// Nothing is read from the network here: the seeds are read by the first
// Handle.
func FromEnv(getenv func(string) string, log io.Writer) (*Function, error) {
	c, err := ConfigFromEnv(getenv)
	if err != nil {
		return nil, err
	}
	region := getenv("AWS_REGION")
	if region == "" {
		region = getenv("AWS_DEFAULT_REGION")
	}
	if region == "" {
		return nil, &EnvError{Name: "AWS_REGION", Err: ErrMissingEnv}
	}
	creds := aws.Credentials{AccessKeyID: getenv("AWS_ACCESS_KEY_ID"), SecretAccessKey: getenv("AWS_SECRET_ACCESS_KEY"), SessionToken: getenv("AWS_SESSION_TOKEN"), Source: "environment"}
	if creds.AccessKeyID == "" || creds.SecretAccessKey == "" {
		return nil, &EnvError{Name: "AWS_ACCESS_KEY_ID", Err: ErrMissingEnv}
	}
	cfg := aws.Config{
		Region: region,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return creds, nil
		}),
	}
	endpoint := func(service string) *string {
		if u := getenv("AWS_ENDPOINT_URL_" + service); u != "" {
			return aws.String(u)
		}
		if u := getenv("AWS_ENDPOINT_URL"); u != "" {
			return aws.String(u)
		}
		return nil
	}
	f := &Function{Config: c, Log: log}
	f.Objects = s3.NewFromConfig(cfg, func(o *s3.Options) {
		if o.BaseEndpoint = endpoint("S3"); o.BaseEndpoint != nil {
			o.UsePathStyle = true
		}
	})
	f.Secrets = secretsmanager.NewFromConfig(cfg, func(o *secretsmanager.Options) { o.BaseEndpoint = endpoint("SECRETS_MANAGER") })
	f.Topic = sns.NewFromConfig(cfg, func(o *sns.Options) { o.BaseEndpoint = endpoint("SNS") })
	f.Replays = &ReplayStore{Table: c.Table, TTL: c.ReplayTTL,
		DB: dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.BaseEndpoint = endpoint("DYNAMODB") })}
	return f, nil
}
