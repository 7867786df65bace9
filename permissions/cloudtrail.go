package permissions

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/audit"
	"github.com/acme-signing-helper/acme-signing-helper/totp"
)

// ErrBadRoleARN is wrapped by a *RoleARNError.
var ErrBadRoleARN = errors.New("not an IAM role ARN (arn:PARTITION:iam::ACCOUNT:role/NAME)")

// RoleARNError is a role ARN that cannot be used.
type RoleARNError struct {
	ARN string
	Err error
}

func (e *RoleARNError) Error() string { return fmt.Sprintf("role ARN %q: %v", e.ARN, e.Err) }
func (e *RoleARNError) Unwrap() error { return e.Err }

// Role is an IAM role: the sessions of arn:aws:iam::ACCOUNT:role/PATH/NAME
// are arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION.
type Role struct {
	ARN, Partition, Account, Name string
}

// ParseRoleARN parses an IAM role ARN.
func ParseRoleARN(arn string) (Role, error) {
	p := strings.SplitN(arn, ":", 6)
	if len(p) != 6 || p[0] != "arn" || p[1] == "" || p[2] != "iam" || p[3] != "" || len(p[4]) != 12 || !strings.HasPrefix(p[5], "role/") {
		return Role{}, &RoleARNError{ARN: arn, Err: ErrBadRoleARN}
	}
	name := p[5][strings.LastIndexByte(p[5], '/')+1:]
	if name == "" {
		return Role{}, &RoleARNError{ARN: arn, Err: ErrBadRoleARN}
	}
	return Role{ARN: arn, Partition: p[1], Account: p[4], Name: name}, nil
}

// Filter selects the calls a policy is made from.
type Filter struct {
	// Identity keeps only sessions whose source identity is CN=Identity
	// (compared case-insensitively, "CN=" optional); empty keeps all.
	Identity string
	// Session keeps only calls of that session name; empty keeps all.
	Session string
	// Since and Until bound the call time (inclusive, exclusive); zero is
	// unbounded.
	Since, Until time.Time
}

// WindowError is a bound of the time window that is not a time: Bound
// is "since" or "until", Err totp.ParseTime's error.
type WindowError struct {
	Bound string
	Err   error
}

func (e *WindowError) Error() string { return e.Bound + ": " + e.Err.Error() }
func (e *WindowError) Unwrap() error { return e.Err }

// ParseWindow sets Since and Until from since and until, each empty
// (unbounded) or a time as totp.ParseTime reads it (RFC 3339,
// @UNIX-SECONDS, 'date -R' output); a bad one is a *WindowError.
func (f *Filter) ParseWindow(since, until string) error {
	for _, b := range []struct {
		name, v string
		t       *time.Time
	}{{"since", since, &f.Since}, {"until", until, &f.Until}} {
		if b.v == "" {
			continue
		}
		t, err := totp.ParseTime(b.v)
		if err != nil {
			return &WindowError{Bound: b.name, Err: err}
		}
		*b.t = t
	}
	return nil
}

func (f *Filter) keeps(c *audit.Call) bool {
	if f.Session != "" && c.Session != f.Session {
		return false
	}
	if f.Identity != "" && !strings.EqualFold(audit.NormalizeIdentity(c.SourceIdentity), audit.NormalizeIdentity(f.Identity)) {
		return false
	}
	if !f.Since.IsZero() && c.Time.Before(f.Since) || !f.Until.IsZero() && !c.Time.Before(f.Until) {
		return false
	}
	return true
}

// rolesAnywhereSession tells the sessions IAM Roles Anywhere made: their
// source identity is CN=<subject CN> or ID=<serial>.
func rolesAnywhereSession(c *audit.Call) bool {
	return strings.HasPrefix(c.SourceIdentity, "CN=") || strings.HasPrefix(c.SourceIdentity, "ID=")
}

// Observe turns a CloudTrail call into an observation.
func Observe(c *audit.Call) Observation {
	return Observation{
		Time: c.Time, Service: c.EventSource, Operation: c.EventName, ErrorCode: c.ErrorCode,
		Session: c.Session, Identity: audit.NormalizeIdentity(c.SourceIdentity), SourceIP: c.SourceIP,
		site: callSite{partition: c.Partition, region: c.Region, account: c.Account,
			params: decodeParams(c.RequestParameters), resources: c.Resources},
	}
}

// Generate reads CloudTrail (audit.ReadCalls: files, directories, "-",
// gzip, streaming and parallel as detect) and makes the policy of the
// calls that role's Roles Anywhere sessions made, filtered by f. Read
// errors are returned with the result of what was read (a *FileError per
// damaged input, see audit.Read).
func Generate(ctx context.Context, paths []string, ro audit.Options, role Role, f Filter) (*Result, audit.Stats, error) {
	b := NewBuilder()
	var mu sync.Mutex
	other := 0
	st, err := audit.ReadCalls(ctx, paths, ro, audit.CallOptions{Marker: audit.RoleMarker(role.Name), ARN: audit.RoleMarker(role.Name)}, func(c audit.Call) {
		if c.Problem != "" && c.ARN == "" {
			b.AddProblem(Problem{Path: c.Path, Offset: c.Offset, Problem: c.Problem})
			return
		}
		if _, acct, _, _, ok := audit.ParseAssumedRoleARN(c.ARN); !ok || acct != role.Account {
			return // the same role name in another account
		}
		if c.Problem != "" {
			b.AddProblem(Problem{Path: c.Path, Offset: c.Offset, Problem: c.Problem})
			return
		}
		if !rolesAnywhereSession(&c) {
			mu.Lock()
			other++
			mu.Unlock()
			return
		}
		if !f.keeps(&c) {
			return
		}
		b.Add(Observe(&c))
	})
	r := b.Result()
	r.Report.Role = role.ARN
	r.Report.OtherSessions = other
	return r, st, err
}

// SessionKey names one session: its source identity (without "CN="), its
// name and when it was created (zero when unknown: any creation time).
type SessionKey struct {
	Identity string
	Name     string
	Created  time.Time
}

// SessionActivity is what one session did.
type SessionActivity struct {
	Session SessionKey
	// Roles are the roles the session's calls were made with.
	Roles []string
	Calls int
	// Actions are the mapped actions with their resources; Unmapped and
	// Denied as in a Report.
	Actions     []ActionUse
	Unmapped    []Unmapped
	Denied      []Denied
	First, Last time.Time
	SourceIPs   []string
}

// createdSlack is how far a session's creationDate may be from the
// CreateSession record's time.
const createdSlack = 5 * time.Minute

// Activity reads CloudTrail again and returns, for each session, the calls
// made with it (every assumed-role call whose session name and source
// identity match, created within a few minutes of Created): the blast
// radius of a flagged session. Results are in the order of sessions.
func Activity(ctx context.Context, paths []string, ro audit.Options, sessions []SessionKey) ([]SessionActivity, audit.Stats, error) {
	type acc struct {
		b           *Builder
		roles, ips  map[string]bool
		first, last time.Time
	}
	byName := map[string][]int{}
	accs := make([]*acc, len(sessions))
	for i, s := range sessions {
		byName[s.Name] = append(byName[s.Name], i)
		accs[i] = &acc{b: NewBuilder(), roles: map[string]bool{}, ips: map[string]bool{}}
	}
	var mu sync.Mutex
	st, err := audit.ReadCalls(ctx, paths, ro, audit.CallOptions{Marker: "sourceIdentity"}, func(c audit.Call) {
		if c.Problem != "" || !rolesAnywhereSession(&c) {
			return
		}
		for _, i := range byName[c.Session] {
			s := sessions[i]
			if !strings.EqualFold(audit.NormalizeIdentity(c.SourceIdentity), s.Identity) {
				continue
			}
			if !s.Created.IsZero() && !c.SessionCreated.IsZero() && (c.SessionCreated.Sub(s.Created) > createdSlack || s.Created.Sub(c.SessionCreated) > createdSlack) {
				continue
			}
			a := accs[i]
			a.b.Add(Observe(&c))
			mu.Lock()
			a.roles["arn:"+c.Partition+":iam::"+accountOf(c.ARN)+":role/"+c.Role] = true
			if c.SourceIP != "" {
				a.ips[c.SourceIP] = true
			}
			a.first, a.last = span(a.first, a.last, c.Time)
			mu.Unlock()
		}
	})
	out := make([]SessionActivity, len(sessions))
	for i, a := range accs {
		r := a.b.Result()
		out[i] = SessionActivity{Session: sessions[i], Calls: r.Report.Calls, Actions: r.Report.Actions, Unmapped: r.Report.Unmapped,
			Denied: r.Report.Denied, First: a.first, Last: a.last, Roles: keys(a.roles), SourceIPs: keys(a.ips)}
	}
	return out, st, err
}

func accountOf(assumedARN string) string {
	_, acct, _, _, _ := audit.ParseAssumedRoleARN(assumedARN)
	return acct
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
