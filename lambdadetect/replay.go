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
	ttl := s.TTL
	if ttl <= 0 {
		ttl = DefaultReplayTTL
	}
	t := r.Time
	if t.IsZero() {
		t = now
	}
	key := map[string]types.AttributeValue{
		AttrIdentity: &types.AttributeValueMemberS{Value: r.Identity},
		AttrCode:     &types.AttributeValueMemberS{Value: strconv.FormatInt(r.Step, 10) + ":" + r.SessionName},
	}
	item := map[string]types.AttributeValue{
		AttrIdentity:      key[AttrIdentity],
		AttrCode:          key[AttrCode],
		"eventTime":       &types.AttributeValueMemberS{Value: r.Time.UTC().Format(time.RFC3339)},
		"eventID":         &types.AttributeValueMemberS{Value: r.EventID},
		"sourceIPAddress": &types.AttributeValueMemberS{Value: r.SourceIP},
		"certSerial":      &types.AttributeValueMemberS{Value: r.CertSerial},
		AttrExpiresAt:     &types.AttributeValueMemberN{Value: strconv.FormatInt(t.Add(ttl).Unix(), 10)},
	}
	_, err := s.DB.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                aws.String(s.Table),
		Item:                     item,
		ConditionExpression:      aws.String("attribute_not_exists(#c)"),
		ExpressionAttributeNames: map[string]string{"#c": AttrCode},
	})
	var ccf *types.ConditionalCheckFailedException
	switch {
	case err == nil:
		return r, nil
	case !errors.As(err, &ccf):
		return r, &ReplayTableError{Table: s.Table, Op: "PutItem", Err: err}
	}
	got, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.Table), Key: key, ConsistentRead: aws.Bool(true)})
	if err != nil {
		return r, &ReplayTableError{Table: s.Table, Op: "GetItem", Err: err}
	}
	if got.Item == nil {
		// Expired between the two calls: the first use is too old to
		// compare with; the code itself was checked.
		return r, nil
	}
	first := acceptance{
		eventID:  stringAttr(got.Item, "eventID"),
		time:     stringAttr(got.Item, "eventTime"),
		sourceIP: stringAttr(got.Item, "sourceIPAddress"),
		cert:     stringAttr(got.Item, "certSerial"),
	}
	return first.judge(r), nil
}

func stringAttr(item map[string]types.AttributeValue, name string) string {
	if v, ok := item[name].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

// acceptance is a stored first acceptance of a code.
type acceptance struct{ eventID, time, sourceIP, cert string }

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
