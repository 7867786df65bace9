package lambdadetect

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/audit"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// ItemStore is the part of the DynamoDB client ReplayStore uses.
type ItemStore interface {
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
}

// Attribute names of the replay table: the key is (identity, code), code
// being "<TOTP step>:<code>"; expiresAt is the table's TTL attribute.
const (
	AttrIdentity  = "identity"
	AttrCode      = "code"
	AttrExpiresAt = "expiresAt"
)

// DefaultReplayTTL is how long an accepted code is remembered: longer than
// CloudTrail takes to deliver a log file (the same record arrives through
// EventBridge within seconds and in the log file minutes later) and than
// Lambda's retries of a failed invocation.
const DefaultReplayTTL = 24 * time.Hour

// ReplayStore remembers accepted codes across invocations in a DynamoDB
// table.
type ReplayStore struct {
	DB    ItemStore
	Table string
	// TTL is added to the event time for the item's expiry; 0 means
	// DefaultReplayTTL.
	TTL time.Duration
}

// Accept records the first acceptance of r's code for r's identity with a
// conditional put. When the code was accepted before (by any invocation),
// the stored acceptance decides: the same record (event ID) seen again,
// as when EventBridge and the log file both deliver it or Lambda retries,
// stays legit; another source IP address or certificate serial makes r a
// Replay, the rule of audit.Finish. now is unused but for an item whose
// event has no time.
func (s *ReplayStore) Accept(ctx context.Context, r audit.Result, now time.Time) (audit.Result, error) {
	r, _, err := s.accept(ctx, r, now)
	return r, err
}

// accept is Accept that also reports when r is a record of the session
// whose code was accepted first (a later call of a session whose
// CreateSession was accepted, or the CreateSession of a session one of
// whose later calls was): detect's Finish gives such a later call no
// verdict of its own.
func (s *ReplayStore) accept(ctx context.Context, r audit.Result, now time.Time) (audit.Result, bool, error) {
	key := map[string]types.AttributeValue{
		AttrIdentity: &types.AttributeValueMemberS{Value: r.Identity},
		AttrCode:     &types.AttributeValueMemberS{Value: strconv.FormatInt(r.Step, 10) + ":" + r.SessionName},
	}
	item := s.item(key, r, now)
	item["eventID"] = &types.AttributeValueMemberS{Value: r.EventID}
	item["sourceIPAddress"] = &types.AttributeValueMemberS{Value: r.SourceIP}
	item["certSerial"] = &types.AttributeValueMemberS{Value: r.CertSerial}
	item["kind"] = &types.AttributeValueMemberS{Value: string(r.Kind)}
	got, err := s.putFirst(ctx, key, item)
	if err != nil || got == nil {
		// Stored now, or expired between the two calls: the first use
		// is too old to compare with; the code itself was checked.
		return r, false, err
	}
	first := acceptance{
		eventID:  stringAttr(got, "eventID"),
		time:     stringAttr(got, "eventTime"),
		sourceIP: stringAttr(got, "sourceIPAddress"),
		cert:     stringAttr(got, "certSerial"),
		kind:     audit.Kind(stringAttr(got, "kind")),
	}
	if first.sameSession(r) {
		return r, r.Kind == audit.KindSessionCall, nil
	}
	return first.judge(r), false, nil
}

// FirstCall records that the session of r, a later call
// (audit.KindSessionCall), has been judged, and reports whether r is the
// first of its calls any invocation saw: the function judges each session
// once, as detect does, not each of its calls.
func (s *ReplayStore) FirstCall(ctx context.Context, r audit.Result, now time.Time) (bool, error) {
	key := map[string]types.AttributeValue{
		AttrIdentity: &types.AttributeValueMemberS{Value: r.Identity},
		AttrCode:     &types.AttributeValueMemberS{Value: sessionKeyPrefix + r.SessionKey()},
	}
	got, err := s.putFirst(ctx, key, s.item(key, r, now))
	if err != nil {
		return false, err
	}
	return got == nil, nil
}

// sessionKeyPrefix starts the code attribute of a judged session's item;
// codes are "<step>:<digits>", so the two never meet.
const sessionKeyPrefix = "session:"

// item is the stored part every item has: the key, the event time and
// the expiry.
func (s *ReplayStore) item(key map[string]types.AttributeValue, r audit.Result, now time.Time) map[string]types.AttributeValue {
	ttl := s.TTL
	if ttl <= 0 {
		ttl = DefaultReplayTTL
	}
	t := r.Time
	if t.IsZero() {
		t = now
	}
	return map[string]types.AttributeValue{
		AttrIdentity:  key[AttrIdentity],
		AttrCode:      key[AttrCode],
		"eventTime":   &types.AttributeValueMemberS{Value: r.Time.UTC().Format(time.RFC3339)},
		AttrExpiresAt: &types.AttributeValueMemberN{Value: strconv.FormatInt(t.Add(ttl).Unix(), 10)},
	}
}

// putFirst puts item unless its key exists (conditional put); when it
// exists, it returns the stored item (nil when it expired in between).
func (s *ReplayStore) putFirst(ctx context.Context, key, item map[string]types.AttributeValue) (map[string]types.AttributeValue, error) {
	_, err := s.DB.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                aws.String(s.Table),
		Item:                     item,
		ConditionExpression:      aws.String("attribute_not_exists(#c)"),
		ExpressionAttributeNames: map[string]string{"#c": AttrCode},
	})
	var ccf *types.ConditionalCheckFailedException
	switch {
	case err == nil:
		return nil, nil
	case !errors.As(err, &ccf):
		return nil, &ReplayTableError{Table: s.Table, Op: "PutItem", Err: err}
	}
	got, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.Table), Key: key, ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, &ReplayTableError{Table: s.Table, Op: "GetItem", Err: err}
	}
	return got.Item, nil
}

func stringAttr(item map[string]types.AttributeValue, name string) string {
	if v, ok := item[name].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

// acceptance is a stored first acceptance of a code.
type acceptance struct {
	eventID, time, sourceIP, cert string
	kind                          audit.Kind
}

// sameSession: r and the first acceptance are records of one session, the
// rule of Finish: one of them is a later call (KindSessionCall) and their
// times are within audit.SameSessionWindow (the identity and the code are
// the item's key, so they are equal).
func (a acceptance) sameSession(r audit.Result) bool {
	if a.kind != audit.KindSessionCall && r.Kind != audit.KindSessionCall {
		return false
	}
	t, err := time.Parse(time.RFC3339, a.time)
	if err != nil {
		return false
	}
	d := r.Time.Truncate(time.Second).Sub(t)
	return d > -audit.SameSessionWindow && d < audit.SameSessionWindow
}

// judge applies audit.Finish's replay rule to a later acceptance r of the
// same code (TestJudgeAgreesWithFinish keeps the two in step).
func (a acceptance) judge(r audit.Result) audit.Result {
	switch {
	case a.eventID != "" && a.eventID == r.EventID:
	case differentIP(a.sourceIP, r.SourceIP):
		r.Verdict, r.Reason = audit.Replay, fmt.Sprintf("code already accepted for %q at %s from %s; now from %s", r.Identity, a.time, a.sourceIP, r.SourceIP)
	case a.cert != "" && r.CertSerial != "" && !strings.EqualFold(a.cert, r.CertSerial):
		r.Verdict, r.Reason = audit.Replay, fmt.Sprintf("code already accepted for %q at %s with certificate serial %s; now with serial %s", r.Identity, a.time, a.cert, r.CertSerial)
	}
	return r
}

// differentIP: two different IP addresses; a service name (not an
// address) compares equal to anything, as in audit.
func differentIP(a, b string) bool {
	x, err1 := netip.ParseAddr(a)
	y, err2 := netip.ParseAddr(b)
	if err1 != nil || err2 != nil {
		return false
	}
	return x.Unmap() != y.Unmap()
}

// ReplayTableError is a replay table call that failed.
type ReplayTableError struct {
	Table string
	// Op is the DynamoDB operation: PutItem or GetItem.
	Op  string
	Err error
}

func (e *ReplayTableError) Error() string {
	return fmt.Sprintf("replay table %s: %s: %v", e.Table, e.Op, e.Err)
}
func (e *ReplayTableError) Unwrap() error { return e.Err }
