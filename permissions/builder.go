package permissions

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/internal/iamdata"
	"github.com/acme-signing-helper/acme-signing-helper/trustpolicy"
)

// Observation is one API call seen by a source (a CloudTrail record or a
// CSM datagram), before it is mapped to an IAM action.
type Observation struct {
	Time time.Time
	// Service and Operation name the call as the source does: CloudTrail's
	// eventSource and eventName, or the SDK's service id and API name.
	Service, Operation string
	// SDK is true for CSM observations (Service is an SDK service id).
	SDK bool
	// ErrorCode is the call's error code, "" on success.
	ErrorCode string
	// Session, Identity and SourceIP describe the caller when known.
	Session, Identity, SourceIP string
	site                        callSite
}

// deniedCodes are the error codes of calls IAM refused.
var deniedCodes = map[string]bool{
	"AccessDenied": true, "AccessDeniedException": true, "UnauthorizedOperation": true,
	"Client.UnauthorizedOperation": true, "UnauthorizedAccess": true, "AuthorizationError": true,
	"AuthorizationErrorException": true, "Forbidden": true,
}

// IsDenied reports whether an error code means the call was refused by
// IAM (AccessDenied and the service-specific spellings).
func IsDenied(code string) bool { return deniedCodes[code] }

// Builder collects observations and makes the policy and the report. Its
// methods are safe for concurrent use.
type Builder struct {
	mu       sync.Mutex
	actions  map[string]*ActionUse
	arns     map[string][]string // action -> ARNs before collapsing
	unmapped map[string]*Unmapped
	denied   map[string]*Denied
	rep      Report
	sessions map[string]bool
	idents   map[string]bool
}

// NewBuilder returns an empty Builder.
func NewBuilder() *Builder {
	return &Builder{actions: map[string]*ActionUse{}, arns: map[string][]string{}, unmapped: map[string]*Unmapped{},
		denied: map[string]*Denied{}, sessions: map[string]bool{}, idents: map[string]bool{}}
}

// Add maps one observation and records it: an allowed call adds its action
// and resources to the policy, a refused one (IsDenied) goes to
// Report.Denied, an unmappable one to Report.Unmapped.
func (b *Builder) Add(o Observation) {
	var a *iamdata.Action
	var err error
	if o.SDK {
		a, err = MapSDK(o.Service, o.Operation)
	} else {
		a, err = MapCloudTrail(o.Service, o.Operation)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.rep.Calls++
	if o.Session != "" {
		b.sessions[o.Session] = true
	}
	if o.Identity != "" {
		b.idents[o.Identity] = true
	}
	if err != nil {
		k := o.Service + " " + o.Operation
		u := b.unmapped[k]
		if u == nil && len(b.unmapped) >= MaxUnmapped {
			k = "(more) (more)"
			if u = b.unmapped[k]; u == nil {
				u = &Unmapped{Service: "(more)", Operation: "(more)", Reason: fmt.Sprintf("more than %d kinds of unmapped calls: the rest are counted here", MaxUnmapped)}
				b.unmapped[k] = u
			}
		}
		if u == nil {
			u = &Unmapped{Service: o.Service, Operation: o.Operation, Reason: reasonOf(err)}
			b.unmapped[k] = u
		}
		u.Calls++
		return
	}
	arns, why := resourcesOf(a, &o.site)
	if IsDenied(o.ErrorCode) {
		k := a.String() + " " + strings.Join(arns, ",")
		d := b.denied[k]
		if d == nil {
			d = &Denied{Action: a.String(), Resources: arns, ErrorCode: o.ErrorCode}
			b.denied[k] = d
		}
		d.Calls++
		d.First, d.Last = span(d.First, d.Last, o.Time)
		return
	}
	u := b.actions[a.String()]
	if u == nil {
		u = &ActionUse{Action: a.String(), AccessLevel: a.AccessLevel, Group: a.Group()}
		b.actions[a.String()] = u
	}
	u.Calls++
	if o.ErrorCode != "" {
		u.Failed++
	}
	u.First, u.Last = span(u.First, u.Last, o.Time)
	if len(arns) == 0 {
		u.Wildcard = true
		if u.WildcardReason == "" {
			u.WildcardReason = why
		}
	} else {
		b.arns[u.Action] = append(b.arns[u.Action], arns...)
		if len(b.arns[u.Action]) > 4096 {
			b.arns[u.Action] = collapse(b.arns[u.Action])
		}
	}
}

// AddProblem counts an input record or datagram that could not be used.
func (b *Builder) AddProblem(p Problem) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.rep.ProblemCount++
	if len(b.rep.Problems) < MaxProblems {
		b.rep.Problems = append(b.rep.Problems, p)
	}
}

// MaxUnmapped bounds the kinds of unmapped calls kept (a flood of
// made-up names must not grow memory); the rest are counted in one entry.
const MaxUnmapped = 1000

// MaxProblems bounds the problems kept in a Report (all are counted).
const MaxProblems = 100

func reasonOf(err error) string {
	var me *MappingError
	if errors.As(err, &me) {
		switch {
		case errors.Is(err, ErrUnknownService):
			return "no IAM service prefix for " + me.Service + " in the IAM reference " + iamdata.Version
		case me.Tried != "":
			return me.Tried + " is not in the IAM reference " + iamdata.Version + " and no exception maps the operation"
		}
	}
	return err.Error()
}

func span(first, last, t time.Time) (time.Time, time.Time) {
	if t.IsZero() {
		return first, last
	}
	if first.IsZero() || t.Before(first) {
		first = t
	}
	if t.After(last) {
		last = t
	}
	return first, last
}

// groupOrder is the order of access-level groups in a policy.
var groupOrder = []string{iamdata.List, iamdata.Read, iamdata.Write, iamdata.PermissionsManagement, iamdata.Tagging}

// Result makes the policy and the report of what was added so far.
func (b *Builder) Result() *Result {
	b.mu.Lock()
	defer b.mu.Unlock()
	rep := b.rep
	rep.DataVersion = iamdata.Version
	rep.Sessions = len(b.sessions)
	for id := range b.idents {
		rep.Identities = append(rep.Identities, id)
	}
	sort.Strings(rep.Identities)
	for _, u := range b.actions {
		x := *u
		x.Resources = collapse(append([]string(nil), b.arns[u.Action]...))
		if x.Wildcard {
			x.Resources = nil
		}
		rep.Actions = append(rep.Actions, x)
	}
	sort.Slice(rep.Actions, func(i, j int) bool { return rep.Actions[i].Action < rep.Actions[j].Action })
	for _, u := range b.unmapped {
		rep.Unmapped = append(rep.Unmapped, *u)
	}
	sort.Slice(rep.Unmapped, func(i, j int) bool {
		if rep.Unmapped[i].Service != rep.Unmapped[j].Service {
			return rep.Unmapped[i].Service < rep.Unmapped[j].Service
		}
		return rep.Unmapped[i].Operation < rep.Unmapped[j].Operation
	})
	for _, d := range b.denied {
		rep.Denied = append(rep.Denied, *d)
	}
	sort.Slice(rep.Denied, func(i, j int) bool {
		if rep.Denied[i].Action != rep.Denied[j].Action {
			return rep.Denied[i].Action < rep.Denied[j].Action
		}
		return strings.Join(rep.Denied[i].Resources, ",") < strings.Join(rep.Denied[j].Resources, ",")
	})
	return &Result{Policy: policyOf(rep.Actions), Report: rep}
}

// policyOf writes one statement per access-level group and resource set:
// statements in group order (List, Read, Write, Permissions management,
// Tagging), actions and resources sorted, Sids from the group.
func policyOf(uses []ActionUse) *trustpolicy.Policy {
	p := &trustpolicy.Policy{Version: trustpolicy.Version2012, Statement: []trustpolicy.Statement{}}
	for _, g := range groupOrder {
		byRes := map[string][]string{}
		var keys []string
		for _, u := range uses {
			if u.Group != g {
				continue
			}
			res := []string{"*"}
			if !u.Wildcard {
				res = u.Resources
			}
			k := strings.Join(res, "\n")
			if _, ok := byRes[k]; !ok {
				keys = append(keys, k)
			}
			byRes[k] = append(byRes[k], u.Action)
		}
		sort.Slice(keys, func(i, j int) bool {
			ai, aj := byRes[keys[i]], byRes[keys[j]]
			sort.Strings(ai)
			sort.Strings(aj)
			return ai[0] < aj[0]
		})
		sid := strings.ReplaceAll(g, " ", "")
		for i, k := range keys {
			s := trustpolicy.Statement{Effect: trustpolicy.Allow, Action: byRes[k], Resource: strings.Split(k, "\n")}
			s.Sid = sid
			if len(keys) > 1 {
				s.Sid = sid + string(rune('A'+i%26))
				if i >= 26 {
					s.Sid = sid + strconv.Itoa(i+1)
				}
			}
			p.Statement = append(p.Statement, s)
		}
	}
	return p
}
