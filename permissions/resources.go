package permissions

import (
	"encoding/json"
	"net/url"
	"sort"
	"strings"

	"github.com/acme-signing-helper/acme-signing-helper/audit"
	"github.com/acme-signing-helper/acme-signing-helper/internal/iamdata"
)

// callSite is what resources are built from: where the call was made and
// what it named.
type callSite struct {
	partition, region, account string
	params                     map[string]any
	resources                  []audit.CallResource
}

// resourceBuilder returns the resource parts (the ARN format's own
// placeholders, in order) of each resource a call names, or why it
// cannot.
type resourceBuilder func(c *callSite) (parts [][]string, why string)

// builders are keyed by "prefix/resource-type key" (lower case): the
// resource types whose records name them. Other resource types get "*".
var builders = map[string]resourceBuilder{
	"s3/bucket": func(c *callSite) ([][]string, string) {
		b := str(c.params, "bucketName")
		if b == "" {
			return nil, "the record names no bucket"
		}
		return [][]string{{b}}, ""
	},
	"s3/object": func(c *callSite) ([][]string, string) {
		b, k := str(c.params, "bucketName"), str(c.params, "key")
		if b == "" || k == "" {
			return nil, "the record names no bucket and key"
		}
		return [][]string{{b, k}}, ""
	},
	"dynamodb/table": func(c *callSite) ([][]string, string) {
		var out [][]string
		if t := str(c.params, "tableName"); t != "" {
			out = append(out, []string{tableName(t)})
		}
		for _, m := range []string{"requestItems", "transactItems"} {
			if items, ok := c.params[m].(map[string]any); ok {
				for t := range items {
					out = append(out, []string{tableName(lit(t))})
				}
			}
		}
		if len(out) == 0 {
			return nil, "the record names no table"
		}
		return out, ""
	},
	"sqs/queue": func(c *callSite) ([][]string, string) {
		if u := str(c.params, "queueUrl"); u != "" {
			region, account, name, ok := parseQueueURL(u)
			if !ok {
				return nil, "queueUrl is not https://sqs.REGION.amazonaws.com/ACCOUNT/NAME"
			}
			c.region, c.account = region, account
			return [][]string{{name}}, ""
		}
		if n := str(c.params, "queueName"); n != "" {
			return [][]string{{n}}, ""
		}
		return nil, "the record names no queue"
	},
	"sns/topic": func(c *callSite) ([][]string, string) {
		for _, k := range []string{"topicArn", "targetArn"} {
			if a := str(c.params, k); a != "" {
				if p := strings.SplitN(a, ":", 6); len(p) == 6 && p[2] == "sns" {
					c.region, c.account = p[3], p[4]
					return [][]string{{p[5]}}, ""
				}
			}
		}
		if n := str(c.params, "name"); n != "" {
			return [][]string{{n}}, ""
		}
		return nil, "the record names no topic"
	},
	"kms/key": func(c *callSite) ([][]string, string) {
		if a := resourceARN(c, "AWS::KMS::Key", "kms", "key/"); a != nil {
			return [][]string{a}, ""
		}
		id := str(c.params, "keyId")
		switch {
		case strings.HasPrefix(id, "arn:"):
			if p := strings.SplitN(id, ":", 6); len(p) == 6 && strings.HasPrefix(p[5], "key/") {
				c.region, c.account = p[3], p[4]
				return [][]string{{strings.TrimPrefix(p[5], "key/")}}, ""
			}
			return nil, "keyId is an alias ARN: the key it names is not in the record"
		case id == "":
			return nil, "the record names no key"
		case strings.HasPrefix(id, "alias/"):
			return nil, "keyId is an alias: the key it names is not in the record"
		}
		return [][]string{{id}}, ""
	},
	"secretsmanager/secret": func(c *callSite) ([][]string, string) {
		id := str(c.params, "secretId")
		if id == "" {
			id = str(c.params, "name")
		}
		switch {
		case strings.HasPrefix(id, "arn:"):
			if p := strings.SplitN(id, ":", 7); len(p) == 7 && p[5] == "secret" {
				c.region, c.account = p[3], p[4]
				return [][]string{{p[6]}}, ""
			}
			return nil, "secretId is not a secret ARN"
		case id == "":
			return nil, "the record names no secret"
		}
		// A secret's ARN ends in a dash and six random characters.
		return [][]string{{id + "-??????"}}, ""
	},
	"ssm/parameter": func(c *callSite) ([][]string, string) {
		var names []string
		if n := str(c.params, "name"); n != "" {
			names = append(names, n)
		}
		if n := str(c.params, "path"); n != "" {
			names = append(names, strings.TrimSuffix(n, "/")+"/*")
		}
		if l, ok := c.params["names"].([]any); ok {
			for _, v := range l {
				if s, ok := v.(string); ok {
					names = append(names, lit(s))
				}
			}
		}
		if len(names) == 0 {
			return nil, "the record names no parameter"
		}
		var out [][]string
		for _, n := range names {
			if strings.HasPrefix(n, "arn:") {
				if i := strings.Index(n, ":parameter/"); i >= 0 {
					n = n[i+len(":parameter/"):]
				}
			}
			out = append(out, []string{strings.TrimPrefix(n, "/")})
		}
		return out, ""
	},
	"logs/log-group": func(c *callSite) ([][]string, string) {
		g := str(c.params, "logGroupName")
		if g == "" {
			return nil, "the record names no log group"
		}
		return [][]string{{g}}, ""
	},
	"logs/log-stream": func(c *callSite) ([][]string, string) {
		g := str(c.params, "logGroupName")
		if g == "" {
			return nil, "the record names no log group"
		}
		// Streams come and go (one per day or per process): the group's streams.
		return [][]string{{g, "*"}}, ""
	},
	"lambda/function": func(c *callSite) ([][]string, string) {
		if a := resourceARN(c, "AWS::Lambda::Function", "lambda", "function:"); a != nil {
			return [][]string{{strings.SplitN(a[0], ":", 2)[0]}}, ""
		}
		fn := str(c.params, "functionName")
		if fn == "" {
			return nil, "the record names no function"
		}
		if strings.HasPrefix(fn, "arn:") {
			p := strings.Split(fn, ":")
			if len(p) < 7 || p[5] != "function" {
				return nil, "functionName is not a function ARN"
			}
			c.region, c.account = p[3], p[4]
			fn = p[6]
		} else if p := strings.Split(fn, ":"); len(p) >= 3 && p[1] == "function" {
			c.account, fn = p[0], p[2] // ACCOUNT:function:NAME
		} else {
			fn = p[0] // NAME:QUALIFIER
		}
		return [][]string{{fn}}, ""
	},
}

// resourceARN returns the resource part after prefix of the first
// resources[] entry of that type, taking region and account from it.
func resourceARN(c *callSite, typ, service, prefix string) []string {
	for _, r := range c.resources {
		if r.Type != typ {
			continue
		}
		if p := strings.SplitN(r.ARN, ":", 6); len(p) == 6 && p[2] == service && strings.HasPrefix(p[5], prefix) {
			c.region, c.account = p[3], p[4]
			return []string{lit(strings.TrimPrefix(p[5], prefix))}
		}
	}
	return nil
}

// str returns a string field of the request parameters as a literal for
// a policy (see lit).
func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return lit(s)
}

// lit escapes the characters a policy's Resource treats specially, so a
// name from a record never widens a statement: '*', '?' and '$' become the
// policy variables ${*}, ${?} and ${$}.
func lit(s string) string {
	if !strings.ContainsAny(s, "*?$") {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '*', '?', '$':
			b.WriteString("${" + string(r) + "}")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// tableName accepts a table name or ARN.
func tableName(t string) string {
	if i := strings.Index(t, ":table/"); strings.HasPrefix(t, "arn:") && i >= 0 {
		return strings.SplitN(t[i+len(":table/"):], "/", 2)[0]
	}
	return t
}

// parseQueueURL splits https://sqs.REGION.amazonaws.com/ACCOUNT/NAME (or
// the legacy REGION.queue.amazonaws.com host).
func parseQueueURL(s string) (region, account, name string, ok bool) {
	u, err := url.Parse(s)
	if err != nil {
		return "", "", "", false
	}
	p := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(p) != 2 || p[0] == "" || p[1] == "" {
		return "", "", "", false
	}
	h := strings.Split(u.Hostname(), ".")
	switch {
	case len(h) >= 3 && h[0] == "sqs":
		region = h[1]
	case len(h) >= 3 && h[1] == "queue":
		region = h[0]
	case len(h) >= 1 && h[0] == "queue":
		region = "us-east-1"
	default:
		return "", "", "", false
	}
	return region, p[0], p[1], true
}

// resourcesOf returns the ARNs a call of action a acts on, in the
// reference's formats, or none and why not ("*" then).
func resourcesOf(a *iamdata.Action, c *callSite) (arns []string, why string) {
	if len(a.ResourceTypes) == 0 {
		return nil, "the action has no resource types: IAM requires \"*\""
	}
	why = "the records do not name its resource (" + a.ResourceTypes[0].Name + ")"
	for _, rt := range a.ResourceTypes {
		if rt.Type == nil {
			continue
		}
		b, ok := builders[a.Service.Prefix+"/"+strings.ToLower(rt.Type.Key)]
		if !ok {
			continue
		}
		site := *c
		parts, w := b(&site)
		if w != "" {
			why = w
			continue
		}
		for _, p := range parts {
			arn, ok := a.Service.ARNFor(rt.Type.Key, site.partition, site.region, site.account, p...)
			if ok {
				arns = append(arns, arn)
			}
		}
		if len(arns) > 0 {
			return arns, ""
		}
	}
	if c.params == nil && c.resources == nil {
		why = "the calls record no resource names (client-side monitoring never does)"
	}
	return nil, why
}

// decodeParams decodes requestParameters for the resource builders.
func decodeParams(raw json.RawMessage) map[string]any {
	if len(raw) == 0 {
		return nil
	}
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil {
		return nil
	}
	return m
}

// collapse merges the S3 object ARNs of one bucket under their common
// prefix, cut back to a '/' ("arn:aws:s3:::b/logs/2026/*"), when there
// are several; other ARNs are kept. The result is sorted and unique.
func collapse(arns []string) []string {
	byBucket := map[string][]string{}
	var out []string
	for _, a := range arns {
		if rest, ok := strings.CutPrefix(a, "arn:"); ok {
			p := strings.SplitN(rest, ":", 5)
			if len(p) == 5 && p[1] == "s3" && p[2] == "" && p[3] == "" {
				if b, k, ok := strings.Cut(p[4], "/"); ok {
					byBucket["arn:"+p[0]+":s3:::"+b+"/"] = append(byBucket["arn:"+p[0]+":s3:::"+b+"/"], k)
					continue
				}
			}
		}
		out = append(out, a)
	}
	for base, keys := range byBucket {
		keys = uniq(keys)
		if len(keys) == 1 {
			out = append(out, base+keys[0])
			continue
		}
		prefix := keys[0]
		for _, k := range keys[1:] {
			for !strings.HasPrefix(k, prefix) {
				prefix = prefix[:len(prefix)-1]
			}
		}
		if i := strings.LastIndexByte(prefix, '/'); i >= 0 {
			prefix = prefix[:i+1]
		} else {
			prefix = ""
		}
		out = append(out, base+prefix+"*")
	}
	return uniq(out)
}

func uniq(l []string) []string {
	sort.Strings(l)
	out := l[:0]
	for i, s := range l {
		if i == 0 || s != l[i-1] {
			out = append(out, s)
		}
	}
	return out
}
