package audit

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Kind is the kind of record an Event comes from.
type Kind string

// The record kinds detect considers.
const (
	// KindCreateSession is Roles Anywhere's CreateSession
	// (eventSource rolesanywhere.amazonaws.com).
	KindCreateSession Kind = "CreateSession"
	// KindAssumeRole is the STS AssumeRole that Roles Anywhere makes on the
	// workload's behalf.
	KindAssumeRole Kind = "AssumeRole"
	// KindSessionCall is a later call made with a Roles Anywhere session
	// (Options.Sessions); its time is the session's creationDate.
	KindSessionCall Kind = "SessionCall"
	// KindEvent is any record, read the seed script's way (Options.Compat).
	KindEvent Kind = "Event"
)

const (
	markerRolesAnywhere = "rolesanywhere.amazonaws.com"
	markerSourceIdent   = "sourceIdentity"
)

// Field names the three things taken from a record.
type Field string

// The fields of an event.
const (
	FieldIdentity    Field = "identity"
	FieldSessionName Field = "session-name"
	FieldTime        Field = "time"
)

// valueKind says how a path's value is read.
type valueKind int

const (
	valString      valueKind = iota // a string
	valCertificate                  // a base64 DER (or PEM) certificate: subject CN, else first SAN DNS name
	valARNSession                   // an assumed-role ARN: the last path segment is the session name
)

// Rule is one row of the field table: where a field is found for a kind
// of record. Rules of the same field and kind are tried in order; the
// first one present wins.
type Rule struct {
	Field Field
	Kinds []Kind
	Path  string // dot-separated; a numeric segment indexes an array
	kind  valueKind
}

// Fields is THE table of where identity, session name and time live in
// each kind of record. The real CreateSession record shape is unconfirmed
// (see ../shared/protocol.md section 5): the first identity rule is the
// seed script's, the others the shapes reported elsewhere. Override it
// with Options.IdentityFields and friends (detect --identity-field ...).
var Fields = []Rule{
	{FieldTime, []Kind{KindCreateSession, KindAssumeRole, KindEvent}, "eventTime", valString},
	{FieldTime, []Kind{KindSessionCall}, "userIdentity.sessionContext.attributes.creationDate", valString},

	{FieldSessionName, []Kind{KindCreateSession, KindAssumeRole, KindEvent}, "requestParameters.roleSessionName", valString},
	{FieldSessionName, []Kind{KindSessionCall}, "userIdentity.arn", valARNSession},

	{FieldIdentity, []Kind{KindCreateSession, KindEvent}, "responseElements.x509Subject", valString},
	{FieldIdentity, []Kind{KindCreateSession}, "responseElements.sourceIdentity", valString},
	{FieldIdentity, []Kind{KindCreateSession}, "responseElements.credentialSet.0.sourceIdentity", valString},
	{FieldIdentity, []Kind{KindCreateSession}, "requestParameters.cert", valCertificate},
	{FieldIdentity, []Kind{KindAssumeRole}, "requestParameters.sourceIdentity", valString},
	{FieldIdentity, []Kind{KindAssumeRole}, "responseElements.sourceIdentity", valString},
	{FieldIdentity, []Kind{KindCreateSession, KindAssumeRole, KindSessionCall}, "userIdentity.sessionContext.sourceIdentity", valString},
}

// Event is what detect needs of one record.
type Event struct {
	Kind Kind
	// Time is the session's creation time (eventTime, or creationDate for
	// a later call). Zero when missing or unparseable (see Problem).
	Time time.Time
	// Identity is the workload identity, "CN=" removed (see NormalizeIdentity).
	Identity string
	// SessionName is the role session name (the TOTP code), as recorded.
	SessionName string
	// HasSessionName is false when the field is absent or null.
	HasSessionName bool
	SourceIP       string
	// CertSerial is the leaf certificate's serial in lower-case hex when the
	// record carries the certificate.
	CertSerial string
	EventID    string
	ErrorCode  string
	// Path and Offset locate the record: the file (or "-") and the byte
	// offset of the record in the (decompressed) input, -1 if unknown.
	Path   string
	Offset int64
	// Problem, when not empty, says why the record is malformed; it names
	// the field.
	Problem string

	fileIndex int
	seq       int64 // record index within the file
	sessionID string
}

// NormalizeIdentity trims spaces and a leading "CN=" (any case), so that
// "CN=host.example.com" and "host.example.com" are the same identity.
func NormalizeIdentity(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 3 && strings.EqualFold(s[:3], "cn=") {
		s = strings.TrimSpace(s[3:])
	}
	return s
}

// extractor turns relevant raw records into Events. It holds the field
// rules in effect (the table, or the user's overrides).
type extractor struct {
	rules    []Rule
	sessions bool
	compat   bool
	fastOK   bool // every rule path is ASCII: rawDoc can look it up

	mu    sync.Mutex
	certs map[string]certFacts // parsed certificates by their text; zero: not one
}

func newExtractor(o *Options) (*extractor, error) {
	x := &extractor{sessions: o.Sessions, compat: o.Compat}
	over := map[Field][]string{
		FieldIdentity:    o.IdentityFields,
		FieldSessionName: o.SessionNameFields,
		FieldTime:        o.TimeFields,
	}
	all := []Kind{KindCreateSession, KindAssumeRole, KindSessionCall, KindEvent}
	for _, r := range Fields {
		if len(over[r.Field]) == 0 {
			x.rules = append(x.rules, r)
		}
	}
	for _, f := range []Field{FieldIdentity, FieldSessionName, FieldTime} {
		for _, p := range over[f] {
			if err := checkPath(p); err != nil {
				return nil, fmt.Errorf("%s field path %q: %w", f, p, err)
			}
			k := valString
			if f == FieldIdentity {
				k = valCertificate // falls back to the string when not a certificate
			}
			x.rules = append(x.rules, Rule{Field: f, Kinds: all, Path: p, kind: k})
		}
	}
	x.fastOK = true
	for _, r := range x.rules {
		for i := 0; i < len(r.Path); i++ {
			if r.Path[i] >= utf8.RuneSelf {
				x.fastOK = false // encoding/json compares keys after fixing bad UTF-8
			}
		}
	}
	return x, nil
}

// CheckFieldPath reports whether p is a usable field path: dot-separated,
// non-empty names (a numeric segment indexes an array).
func CheckFieldPath(p string) error { return checkPath(p) }

func checkPath(p string) error {
	if p == "" {
		return fmt.Errorf("empty path")
	}
	for _, seg := range strings.Split(p, ".") {
		if seg == "" {
			return fmt.Errorf("empty segment: want dot-separated names like responseElements.x509Subject")
		}
	}
	return nil
}

// relevantUnmarked is the test for records the scanner did not mark
// (marked: rolesanywhere.amazonaws.com as a string at the top of the
// record): with --compat every record counts, with --sessions records that
// mention a sourceIdentity.
func (x *extractor) relevantUnmarked(raw []byte) bool {
	return x.compat || x.sessions && bytes.Contains(raw, []byte(markerSourceIdent))
}

// relevant is the cheap test on raw bytes, used on the parts of a record
// too large to keep: can this record matter?
func (x *extractor) relevant(raw []byte) bool {
	if x.compat {
		return true
	}
	if bytes.Contains(raw, []byte(markerRolesAnywhere)) {
		return true
	}
	return x.sessions && bytes.Contains(raw, []byte(markerSourceIdent))
}

// extract decodes a relevant record. ok is false when the record turns out
// not to be one detect considers (another Roles Anywhere API call, say).
//
// It reads the fields straight from the raw bytes (rawDoc: one validating
// pass, no decoding of the fields it does not need) and falls back to
// encoding/json for anything out of the ordinary (invalid JSON, escaped
// keys, exponents, objects where a string was expected): both ways give
// the same Event (FuzzExtract compares them).
func (x *extractor) extract(raw []byte) (ev Event, ok bool) {
	if x.fastOK {
		var d rawDoc
		if d.init(raw) {
			ev, ok = x.extractFrom(&d, raw)
			if !d.bail {
				return ev, ok
			}
		}
	}
	return x.extractMap(raw)
}

// extractMap is extract by way of encoding/json and map[string]any: the
// reference, and the fallback for records rawDoc does not take.
func (x *extractor) extractMap(raw []byte) (ev Event, ok bool) {
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		// Only a record that looked relevant gets here: report it.
		ev.Kind = KindEvent
		ev.Problem = "record is not valid JSON: " + shortErr(err)
		return ev, true
	}
	return x.extractFrom(mapDoc(m), raw)
}

// extractFrom takes the Event's fields from a decoded record.
func (x *extractor) extractFrom(m doc, raw []byte) (ev Event, ok bool) {
	ev.Kind = x.classify(m)
	if ev.Kind == "" {
		return ev, false
	}
	if !utf8.Valid(raw) {
		ev.Problem = "record contains bytes that are not UTF-8"
	}
	ev.SourceIP, _ = lookupString(m, "sourceIPAddress")
	ev.EventID, _ = lookupString(m, "eventID")
	ev.ErrorCode, _ = lookupString(m, "errorCode")
	if s, ok := lookupString(m, "requestParameters.cert"); ok {
		if c, ok := x.cert(s); ok {
			ev.CertSerial = c.serial
		}
	}
	var problems []string
	// Time.
	if v, path, found := x.first(m, FieldTime, ev.Kind); !found {
		problems = append(problems, x.missing(FieldTime, ev.Kind))
	} else if t, err := parseEventTime(v); err != nil {
		problems = append(problems, fmt.Sprintf("%s %q is not an RFC 3339 time", path, clip(v)))
	} else {
		ev.Time = t
	}
	// Session name: absent is a finding (no-session-name), not a problem.
	if v, _, found := x.first(m, FieldSessionName, ev.Kind); found {
		ev.SessionName, ev.HasSessionName = v, true
	}
	// Identity.
	if v, _, found := x.first(m, FieldIdentity, ev.Kind); found && NormalizeIdentity(v) != "" {
		ev.Identity = NormalizeIdentity(v)
	} else {
		problems = append(problems, x.missing(FieldIdentity, ev.Kind))
	}
	if ev.Kind == KindSessionCall {
		arn, _ := lookupString(m, "userIdentity.arn")
		ev.sessionID = arn + "|" + ev.Time.UTC().Format(time.RFC3339Nano)
	}
	if len(problems) > 0 {
		if ev.Problem != "" {
			problems = append([]string{ev.Problem}, problems...)
		}
		ev.Problem = strings.Join(problems, "; ")
	}
	return ev, true
}

func (x *extractor) classify(m doc) Kind {
	if x.compat {
		return KindEvent
	}
	src, _ := lookupString(m, "eventSource")
	name, _ := lookupString(m, "eventName")
	switch {
	case src == markerRolesAnywhere && name == "CreateSession":
		return KindCreateSession
	case src == "sts.amazonaws.com" && name == "AssumeRole":
		by, _ := lookupString(m, "userIdentity.invokedBy")
		ip, _ := lookupString(m, "sourceIPAddress")
		if by == markerRolesAnywhere || ip == markerRolesAnywhere {
			return KindAssumeRole
		}
	}
	if x.sessions {
		typ, _ := lookupString(m, "userIdentity.type")
		si, _ := lookupString(m, "userIdentity.sessionContext.sourceIdentity")
		// Roles Anywhere sets the source identity to CN=<cn> or ID=<serial>.
		if typ == "AssumedRole" && (strings.HasPrefix(si, "CN=") || strings.HasPrefix(si, "ID=")) {
			return KindSessionCall
		}
	}
	return ""
}

// first returns the value of the first rule of field f for kind k that is
// present in m (null counts as absent).
func (x *extractor) first(m doc, f Field, k Kind) (val, path string, found bool) {
	for _, r := range x.rules {
		if r.Field != f || !hasKind(r.Kinds, k) {
			continue
		}
		v, ok := m.lookup(r.Path)
		if !ok || v == nil {
			continue
		}
		s, isStr := v.(string)
		switch r.kind {
		case valCertificate:
			if isStr {
				if c, ok := x.cert(s); ok {
					if c.cn != "" {
						return c.cn, r.Path, true
					}
					if c.dns != "" {
						return c.dns, r.Path, true
					}
					continue
				}
			}
		case valARNSession:
			if isStr {
				if i := strings.LastIndexByte(s, '/'); i >= 0 && strings.Contains(s, ":assumed-role/") {
					return s[i+1:], r.Path, true
				}
				continue
			}
		}
		if isStr {
			return s, r.Path, true
		}
		if n, ok := v.(float64); ok && f == FieldSessionName {
			// A number where a code was expected: keep its digits.
			return strconv.FormatFloat(n, 'f', -1, 64), r.Path, true
		}
		return fmt.Sprint(v), r.Path, true
	}
	return "", "", false
}

func (x *extractor) missing(f Field, k Kind) string {
	var paths []string
	for _, r := range x.rules {
		if r.Field == f && hasKind(r.Kinds, k) {
			paths = append(paths, r.Path)
		}
	}
	if len(paths) == 0 {
		return fmt.Sprintf("no %s field configured", f)
	}
	return fmt.Sprintf("%s missing (%s)", f, strings.Join(paths, ", "))
}

func hasKind(ks []Kind, k Kind) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

// lookup follows a dot path through decoded JSON.
func lookup(v any, path string) (any, bool) {
	for path != "" {
		var seg string
		seg, path, _ = strings.Cut(path, ".")
		switch t := v.(type) {
		case map[string]any:
			nv, ok := t[seg]
			if !ok {
				return nil, false
			}
			v = nv
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(t) {
				return nil, false
			}
			v = t[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// doc is a decoded record: lookup follows a dot path and gives the value
// as encoding/json decodes it into an interface (string, float64, bool,
// nil, map[string]any, []any).
type doc interface {
	lookup(path string) (any, bool)
}

// mapDoc is a record decoded by encoding/json.
type mapDoc map[string]any

func (m mapDoc) lookup(path string) (any, bool) { return lookup(map[string]any(m), path) }

func lookupString(m doc, path string) (string, bool) {
	v, ok := m.lookup(path)
	if !ok {
		return "", false
	}
	s, ok := v.(string)
	return s, ok
}

// certFacts is what detect takes from a certificate in a record.
type certFacts struct {
	cn, dns, serial string // subject CN, first SAN DNS name, serial in hex
}

// maxCachedCerts bounds the certificate cache (about 2 KB an entry).
const maxCachedCerts = 256

// cert parses a certificate given as in a record (see parseCert), through
// a small cache: a workload presents the same certificate in every
// session until it renews it, and parsing is most of the cost of a
// record.
func (x *extractor) cert(s string) (certFacts, bool) {
	x.mu.Lock()
	c, ok := x.certs[s]
	x.mu.Unlock()
	if ok {
		return c, c != (certFacts{})
	}
	if p := parseCert(s); p != nil {
		c = certFacts{cn: p.Subject.CommonName, serial: p.SerialNumber.Text(16)}
		if len(p.DNSNames) > 0 {
			c.dns = p.DNSNames[0]
		}
	}
	x.mu.Lock()
	if len(x.certs) >= maxCachedCerts || x.certs == nil {
		x.certs = make(map[string]certFacts, maxCachedCerts)
	}
	x.certs[s] = c
	x.mu.Unlock()
	return c, c != (certFacts{})
}

// parseCert reads a certificate given as base64 DER or PEM; nil if it is
// neither.
func parseCert(s string) *x509.Certificate {
	s = strings.TrimSpace(s)
	if len(s) < 64 {
		return nil
	}
	var der []byte
	if strings.HasPrefix(s, "-----BEGIN") {
		b, _ := pem.Decode([]byte(s))
		if b == nil {
			return nil
		}
		der = b.Bytes
	} else {
		var err error
		if der, err = base64.StdEncoding.DecodeString(s); err != nil {
			if der, err = base64.RawStdEncoding.DecodeString(s); err != nil {
				return nil
			}
		}
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return nil
	}
	return c
}

// parseEventTime accepts RFC 3339 with or without fractional seconds.
func parseEventTime(s string) (time.Time, error) {
	return time.Parse(time.RFC3339Nano, strings.TrimSpace(s))
}

func shortErr(err error) string { return clip(err.Error()) }

// clip shortens a value quoted in a reason (input is untrusted and may be
// huge).
func clip(s string) string {
	const max = 64
	if len(s) <= max {
		return s
	}
	return s[:max] + "..."
}
