package emulator

import (
	"bytes"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"time"
)

// Record is a CloudTrail-shaped record of one CreateSession call. The real
// record's shape is only partly documented (see shared/protocol.md §5);
// this one carries every field the known consumers read:
// responseElements.x509Subject, requestParameters.roleSessionName and
// .cert, credentialSet[].sourceIdentity, eventTime. It never holds a
// secret access key or session token.
type Record struct {
	EventVersion       string            `json:"eventVersion"`
	UserIdentity       UserIdentity      `json:"userIdentity"`
	EventTime          string            `json:"eventTime"`
	EventSource        string            `json:"eventSource"`
	EventName          string            `json:"eventName"`
	AWSRegion          string            `json:"awsRegion"`
	SourceIPAddress    string            `json:"sourceIPAddress"`
	UserAgent          string            `json:"userAgent"`
	ErrorCode          string            `json:"errorCode,omitempty"`
	ErrorMessage       string            `json:"errorMessage,omitempty"`
	RequestParameters  RequestParameters `json:"requestParameters"`
	ResponseElements   *ResponseElements `json:"responseElements"`
	RequestID          string            `json:"requestID"`
	EventID            string            `json:"eventID"`
	ReadOnly           bool              `json:"readOnly"`
	EventType          string            `json:"eventType"`
	ManagementEvent    bool              `json:"managementEvent"`
	RecipientAccountID string            `json:"recipientAccountId"`
	EventCategory      string            `json:"eventCategory"`
	TLSDetails         *TLSDetails       `json:"tlsDetails,omitempty"`
}

// UserIdentity of a CreateSession record: the caller authenticates with a
// certificate, not with AWS credentials.
type UserIdentity struct {
	Type        string `json:"type"`
	PrincipalID string `json:"principalId,omitempty"`
}

// RequestParameters of a CreateSession record.
type RequestParameters struct {
	ProfileArn         string            `json:"profileArn,omitempty"`
	RoleArn            string            `json:"roleArn,omitempty"`
	TrustAnchorArn     string            `json:"trustAnchorArn,omitempty"`
	DurationSeconds    int               `json:"durationSeconds,omitempty"`
	RoleSessionName    *string           `json:"roleSessionName,omitempty"`
	InstanceProperties map[string]string `json:"instanceProperties,omitempty"`
	// Cert is the leaf certificate, standard base64 DER.
	Cert string `json:"cert,omitempty"`
}

// ResponseElements of a successful CreateSession record.
type ResponseElements struct {
	X509Subject    string             `json:"x509Subject"`
	SourceIdentity string             `json:"sourceIdentity"`
	CredentialSet  []RecordCredential `json:"credentialSet"`
	SubjectArn     string             `json:"subjectArn"`
}

// RecordCredential is a credential set entry without its credentials.
type RecordCredential struct {
	AssumedRoleUser RecordAssumedRoleUser `json:"assumedRoleUser"`
	SourceIdentity  string                `json:"sourceIdentity"`
	RoleArn         string                `json:"roleArn"`
}

// RecordAssumedRoleUser names the assumed-role session.
type RecordAssumedRoleUser struct {
	Arn           string `json:"arn"`
	AssumedRoleID string `json:"assumedRoleId"`
}

// TLSDetails of the connection, when it was TLS.
type TLSDetails struct {
	TLSVersion             string `json:"tlsVersion"`
	CipherSuite            string `json:"cipherSuite"`
	ClientProvidedHostHead string `json:"clientProvidedHostHeader"`
}

// Values of the fixed record fields.
const (
	EventSource  = "rolesanywhere.amazonaws.com"
	EventName    = "CreateSession"
	EventVersion = "1.09"
)

func (s *Server) record(c *call, r *http.Request, now time.Time) Record {
	rec := Record{
		EventVersion:       EventVersion,
		UserIdentity:       UserIdentity{Type: "Unknown"},
		EventTime:          now.UTC().Format(time.RFC3339),
		EventSource:        EventSource,
		EventName:          EventName,
		AWSRegion:          s.cfg.Region,
		SourceIPAddress:    sourceIP(r.RemoteAddr),
		UserAgent:          r.UserAgent(),
		RequestID:          c.requestID,
		EventID:            s.uuid(),
		ReadOnly:           false,
		EventType:          "AwsApiCall",
		ManagementEvent:    true,
		RecipientAccountID: s.cfg.AccountID,
		EventCategory:      "Management",
		RequestParameters: RequestParameters{
			ProfileArn:         c.parsed.ProfileARN,
			RoleArn:            c.parsed.RoleARN,
			TrustAnchorArn:     c.parsed.TrustAnchorARN,
			RoleSessionName:    c.parsed.Body.RoleSessionName,
			InstanceProperties: c.parsed.Body.InstanceProperties,
		},
	}
	if d := c.parsed.Body.DurationSeconds; d != nil {
		rec.RequestParameters.DurationSeconds = *d
	} else if c.err == nil {
		rec.RequestParameters.DurationSeconds = c.duration
	}
	if c.leaf != nil {
		rec.RequestParameters.Cert = base64.StdEncoding.EncodeToString(c.leaf.Raw)
		rec.UserIdentity.PrincipalID = c.leaf.Subject.String()
	}
	if r.TLS != nil {
		rec.TLSDetails = &TLSDetails{TLSVersion: tls.VersionName(r.TLS.Version), CipherSuite: tls.CipherSuiteName(r.TLS.CipherSuite), ClientProvidedHostHead: r.Host}
	}
	if c.err != nil {
		rec.ErrorCode, rec.ErrorMessage = c.err.code, c.err.msg
		return rec
	}
	item := c.resp.CredentialSet[0]
	rec.ResponseElements = &ResponseElements{
		X509Subject:    c.leaf.Subject.String(),
		SourceIdentity: c.sourceIdentity,
		CredentialSet: []RecordCredential{{
			AssumedRoleUser: RecordAssumedRoleUser{Arn: item.AssumedRoleUser.Arn, AssumedRoleID: item.AssumedRoleUser.AssumedRoleID},
			SourceIdentity:  item.SourceIdentity,
			RoleArn:         item.RoleArn,
		}},
		SubjectArn: c.resp.SubjectArn,
	}
	return rec
}

// writeRecord appends the call's record as one JSON line. A write error
// is logged: the call itself was answered.
func (s *Server) writeRecord(c *call, r *http.Request, now time.Time) {
	if s.cfg.CloudTrail == nil {
		return
	}
	rec := s.record(c, r, now)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(rec); err != nil {
		s.log.Warn("emulator: encode CloudTrail record", "err", err)
		return
	}
	s.ctMu.Lock()
	defer s.ctMu.Unlock()
	if _, err := s.cfg.CloudTrail.Write(buf.Bytes()); err != nil {
		s.log.Warn("emulator: write CloudTrail record", "err", err)
	}
}
