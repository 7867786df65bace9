package demo

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/emulator"
	"github.com/acme-signing-helper/acme-signing-helper/internal/atomicfile"
)

// laterCall is a call a session makes with its credentials after
// CreateSession: what 'detect --activity' lists for a flagged session.
type laterCall struct {
	after    time.Duration // after the CreateSession
	source   string        // eventSource
	name     string        // eventName
	resource string        // an S3 object key in the demo bucket; "" for none
	sourceIP string        // "" is the session's CreateSession address
}

// demoBucket is the bucket of the later calls' objects.
const demoBucket = "demo-app-data"

// legitCalls are what the demo host does with its session; impostorCalls
// what an impersonator does with its own: read the secrets, from another
// address.
var (
	legitCalls = []laterCall{
		{after: 30 * time.Second, source: "sts.amazonaws.com", name: "GetCallerIdentity"},
		{after: time.Minute, source: "s3.amazonaws.com", name: "GetObject", resource: "config/app.yaml"},
	}
	impostorCalls = []laterCall{
		{after: 30 * time.Second, source: "sts.amazonaws.com", name: "GetCallerIdentity", sourceIP: "203.0.113.66"},
		{after: time.Minute, source: "s3.amazonaws.com", name: "GetObject", resource: "secrets/db.env", sourceIP: "203.0.113.66"},
	}
)

// writeCloudTrail writes the file at path atomically (mode 0600): the
// emulator's CreateSession records of the run (ctPath, one JSON line each),
// each successful one followed by the later calls of its session with its
// assumed-role identity, the shape CloudTrail gives them. The first
// session is the demo host's; the later ones are the impersonators'. The
// records hold no secret: the access key IDs are random, not the
// sessions'.
func writeCloudTrail(path, ctPath string) error {
	data, err := os.ReadFile(ctPath)
	if err != nil {
		return fmt.Errorf("demo: read the emulator's CloudTrail records: %w", err)
	}
	var out bytes.Buffer
	sessions := 0
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		out.Write(line)
		out.WriteByte('\n')
		var r emulator.Record
		if err := json.Unmarshal(line, &r); err != nil {
			return fmt.Errorf("demo: decode the emulator's CloudTrail record: %w", err)
		}
		if r.ErrorCode != "" || r.ResponseElements == nil || len(r.ResponseElements.CredentialSet) == 0 {
			continue
		}
		calls := impostorCalls
		if sessions == 0 {
			calls = legitCalls
		}
		sessions++
		for _, c := range calls {
			rec, err := sessionCallRecord(r, c)
			if err != nil {
				return err
			}
			b, err := json.Marshal(rec)
			if err != nil {
				return fmt.Errorf("demo: encode a CloudTrail record: %w", err)
			}
			out.Write(b)
			out.WriteByte('\n')
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("demo: read the emulator's CloudTrail records: %w", err)
	}
	if err := atomicfile.Write(path, out.Bytes(), 0o600, nil); err != nil {
		return &CloudTrailError{Path: path, Err: err}
	}
	return nil
}

// sessionCallRecord is the CloudTrail record of call c made with the
// session that CreateSession record r created.
func sessionCallRecord(r emulator.Record, c laterCall) (map[string]any, error) {
	cred := r.ResponseElements.CredentialSet[0]
	created, err := time.Parse(time.RFC3339, r.EventTime)
	if err != nil {
		return nil, fmt.Errorf("demo: CloudTrail record eventTime %q: %w", r.EventTime, err)
	}
	// arn:aws:iam::ACCOUNT:role/NAME and arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION.
	parts := strings.SplitN(cred.RoleArn, ":", 6)
	if len(parts) != 6 {
		return nil, fmt.Errorf("demo: CloudTrail record roleArn %q is not an ARN", cred.RoleArn)
	}
	partition, acct := parts[1], parts[4]
	role := parts[5][strings.LastIndexByte(parts[5], '/')+1:]
	ip := c.sourceIP
	if ip == "" {
		ip = r.SourceIPAddress
	}
	region := r.AWSRegion
	rec := map[string]any{
		"eventVersion": "1.09",
		"userIdentity": map[string]any{
			"type":        "AssumedRole",
			"principalId": cred.AssumedRoleUser.AssumedRoleID,
			"arn":         cred.AssumedRoleUser.Arn,
			"accountId":   acct,
			"accessKeyId": "ASIA" + randomHex(8),
			"sessionContext": map[string]any{
				"sessionIssuer":  map[string]any{"type": "Role", "arn": cred.RoleArn, "accountId": acct, "userName": role},
				"attributes":     map[string]any{"creationDate": created.UTC().Format(time.RFC3339), "mfaAuthenticated": "false"},
				"sourceIdentity": cred.SourceIdentity,
			},
		},
		"eventTime":          created.Add(c.after).UTC().Format(time.RFC3339),
		"eventSource":        c.source,
		"eventName":          c.name,
		"awsRegion":          region,
		"sourceIPAddress":    ip,
		"userAgent":          "aws-cli/2.22.0 md/command#" + strings.TrimSuffix(c.source, ".amazonaws.com") + "." + c.name,
		"requestParameters":  nil,
		"responseElements":   nil,
		"requestID":          randomHex(16),
		"eventID":            randomHex(16),
		"readOnly":           true,
		"eventType":          "AwsApiCall",
		"managementEvent":    c.resource == "",
		"recipientAccountId": acct,
		"eventCategory":      "Management",
	}
	if c.resource != "" {
		rec["eventCategory"] = "Data"
		rec["requestParameters"] = map[string]any{"bucketName": demoBucket, "key": c.resource, "Host": demoBucket + ".s3." + region + ".amazonaws.com"}
		rec["resources"] = []map[string]any{
			{"type": "AWS::S3::Object", "ARN": "arn:" + partition + ":s3:::" + demoBucket + "/" + c.resource},
			{"accountId": acct, "type": "AWS::S3::Bucket", "ARN": "arn:" + partition + ":s3:::" + demoBucket},
		}
	}
	return rec, nil
}

// randomHex is n random bytes in upper-case hex (record IDs, not secrets).
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return strings.ToUpper(hex.EncodeToString(b))
}
