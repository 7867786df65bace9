package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Call is one API call recorded in CloudTrail, made with an assumed-role
// session: what package permissions turns into IAM actions and resources,
// and what detect --activity lists for a flagged session.
type Call struct {
	// Time is the call's eventTime; zero when missing or unparseable
	// (then Problem says so).
	Time        time.Time
	EventSource string // e.g. "s3.amazonaws.com"
	EventName   string // e.g. "GetObject"
	Region      string // awsRegion
	// Account is recipientAccountId, else userIdentity.accountId.
	Account string
	// ARN is userIdentity.arn, arn:PARTITION:sts::ACCOUNT:assumed-role/ROLE/SESSION;
	// Partition, Role and Session are its parts.
	ARN       string
	Partition string
	Role      string
	Session   string
	// SourceIdentity is userIdentity.sessionContext.sourceIdentity
	// ("CN=host.example.com" or "ID=<serial>" for Roles Anywhere).
	SourceIdentity string
	// SessionCreated is the session's creationDate; zero when absent.
	SessionCreated time.Time
	SourceIP       string
	UserAgent      string
	ErrorCode      string
	EventID        string
	// RequestParameters is the record's requestParameters object as
	// recorded (nil when absent or null).
	RequestParameters json.RawMessage
	// Resources are the record's resources[] entries.
	Resources []CallResource
	// Path and Offset locate the record (see Event).
	Path   string
	Offset int64
	// Problem, when not empty, says why the record cannot be used as a
	// call (no userIdentity, not JSON, too large); the other fields may be
	// partly filled.
	Problem string
}

// CallResource is one entry of a record's resources[].
type CallResource struct {
	ARN  string `json:"ARN"`
	Type string `json:"type"`
}

// CallOptions select the records ReadCalls decodes.
type CallOptions struct {
	// Marker is a byte string a record must contain to be decoded at all:
	// the cheap test that keeps the read fast. Empty means ARN's value.
	Marker string
	// ARN is what userIdentity.arn must contain for the record to be a
	// call; empty means ":assumed-role/", every assumed-role call. For one
	// role's sessions, RoleMarker(role) as both.
	ARN string
}

// RoleMarker is the Marker of the calls of one role's sessions:
// ":assumed-role/ROLE/".
func RoleMarker(role string) string { return ":assumed-role/" + role + "/" }

// ParseAssumedRoleARN splits an STS assumed-role ARN,
// arn:PARTITION:sts::ACCOUNT:assumed-role/ROLE/SESSION, into its parts;
// ok is false for any other string.
func ParseAssumedRoleARN(arn string) (partition, account, role, session string, ok bool) {
	p := strings.SplitN(arn, ":", 6)
	if len(p) != 6 || p[0] != "arn" || p[2] != "sts" || !strings.HasPrefix(p[5], "assumed-role/") {
		return "", "", "", "", false
	}
	rest := strings.TrimPrefix(p[5], "assumed-role/")
	i := strings.LastIndexByte(rest, '/')
	if i <= 0 || i == len(rest)-1 {
		return "", "", "", "", false
	}
	return p[1], p[4], rest[:i], rest[i+1:], true
}

// ReadCalls reads CloudTrail the way Read does (files, directories, "-",
// gzip or not; o.Jobs files in parallel, each streamed with at most
// o.MaxRecordBytes of one record in memory) and calls fn for every record
// whose userIdentity.arn contains co.ARN, and for records that contain
// the marker but cannot be used (no userIdentity, invalid JSON, too
// large), with Problem set. Records of other principals (the marker only
// in a response, say) are skipped. fn is called concurrently. Errors are
// as Read's: a *FileError per damaged input, the calls before the damage
// kept.
func ReadCalls(ctx context.Context, paths []string, o Options, co CallOptions, fn func(Call)) (Stats, error) {
	arn := []byte(co.ARN)
	if len(arn) == 0 {
		arn = []byte(":assumed-role/")
	}
	marker := []byte(co.Marker)
	if len(marker) == 0 {
		marker = arn
	}
	ins, errs := expand(paths)
	st, readErrs := readInputs(ctx, ins, &o, func(i int) (Stats, bool, error) {
		return readCallsInput(ctx, ins[i], &o, marker, arn, fn)
	}, nil)()
	return st, errors.Join(append(errs, readErrs...)...)
}

func readCallsInput(ctx context.Context, in input, o *Options, marker, arn []byte, fn func(Call)) (Stats, bool, error) {
	has := newFinder(marker)
	relevant := has.in
	return scanInput(ctx, in, o, relevant, func(_ int64, rec rawRecord, maxRecord int) bool {
		if rec.oversized {
			if !rec.relevant {
				return false
			}
			fn(Call{Path: in.path, Offset: rec.offset, Problem: fmt.Sprintf("record larger than %d bytes (CloudTrail's limit is 256 KB): not decoded", maxRecord)})
			return true
		}
		if !has.in(rec.data) {
			return false
		}
		c, ok := decodeCall(rec.data, arn)
		if !ok {
			return false
		}
		c.Path, c.Offset = in.path, rec.offset
		fn(c)
		return true
	})
}

// callRecord is the part of a CloudTrail record a Call is made of.
type callRecord struct {
	EventTime          string          `json:"eventTime"`
	EventSource        string          `json:"eventSource"`
	EventName          string          `json:"eventName"`
	AWSRegion          string          `json:"awsRegion"`
	SourceIPAddress    string          `json:"sourceIPAddress"`
	UserAgent          string          `json:"userAgent"`
	ErrorCode          string          `json:"errorCode"`
	EventID            string          `json:"eventID"`
	RecipientAccountID string          `json:"recipientAccountId"`
	RequestParameters  json.RawMessage `json:"requestParameters"`
	Resources          []CallResource  `json:"resources"`
	UserIdentity       *struct {
		Type           string `json:"type"`
		ARN            string `json:"arn"`
		AccountID      string `json:"accountId"`
		SessionContext struct {
			SourceIdentity string `json:"sourceIdentity"`
			Attributes     struct {
				CreationDate string `json:"creationDate"`
			} `json:"attributes"`
		} `json:"sessionContext"`
	} `json:"userIdentity"`
}

// decodeCall decodes a record that contains the marker. ok is false for a
// record of another principal (userIdentity.arn without arn in it).
func decodeCall(raw, arn []byte) (c Call, ok bool) {
	var r callRecord
	if err := json.Unmarshal(raw, &r); err != nil {
		var te *json.UnmarshalTypeError
		if !errors.As(err, &te) {
			return Call{Problem: "record is not valid JSON: " + shortErr(err)}, true
		}
		// A field of an unexpected type: keep what decoded, say which.
		c.Problem = fmt.Sprintf("field %s is not a %s", te.Field, te.Type)
	}
	c.EventSource, c.EventName, c.Region = r.EventSource, r.EventName, r.AWSRegion
	c.SourceIP, c.UserAgent, c.ErrorCode, c.EventID = r.SourceIPAddress, r.UserAgent, r.ErrorCode, r.EventID
	if len(r.RequestParameters) > 0 && string(r.RequestParameters) != "null" {
		c.RequestParameters = append(json.RawMessage(nil), r.RequestParameters...)
	}
	c.Resources = r.Resources
	c.Account = r.RecipientAccountID
	if r.UserIdentity == nil {
		return withProblem(c, "no userIdentity: the caller is unknown"), true
	}
	u := r.UserIdentity
	if !bytes.Contains([]byte(u.ARN), arn) {
		return Call{}, false
	}
	c.ARN, c.SourceIdentity = u.ARN, u.SessionContext.SourceIdentity
	if c.Account == "" {
		c.Account = u.AccountID
	}
	var ok2 bool
	if c.Partition, _, c.Role, c.Session, ok2 = ParseAssumedRoleARN(u.ARN); !ok2 {
		c = withProblem(c, fmt.Sprintf("userIdentity.arn %q is not an assumed-role ARN", clip(u.ARN)))
	}
	if t, err := parseEventTime(r.EventTime); err != nil {
		c = withProblem(c, fmt.Sprintf("eventTime %q is not an RFC 3339 time", clip(r.EventTime)))
	} else {
		c.Time = t
	}
	if s := u.SessionContext.Attributes.CreationDate; s != "" {
		if t, err := parseEventTime(s); err == nil {
			c.SessionCreated = t
		}
	}
	if c.EventSource == "" || c.EventName == "" {
		c = withProblem(c, "no eventSource or eventName")
	}
	return c, true
}

func withProblem(c Call, p string) Call {
	if c.Problem != "" {
		p = c.Problem + "; " + p
	}
	c.Problem = p
	return c
}
