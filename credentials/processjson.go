package credentials

import (
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/signer"
)

// ProcessJSON is the credential_process output of c, one JSON object and
// a newline: c.ProcessJSON() byte for byte (FuzzProcessJSON holds it to
// that), written by hand when every string is printable ASCII that
// encoding/json leaves as it is (AWS keys, tokens and RFC 3339 times are):
// a cache hit then never builds encoding/json's reflection cache, about a
// tenth of a millisecond of a 3 ms process. The output holds secrets.
func ProcessJSON(c signer.Credentials) ([]byte, error) {
	exp := c.Expiration.UTC().Format(time.RFC3339)
	if !plainJSONString(c.AccessKeyID) || !plainJSONString(c.SecretAccessKey) || !plainJSONString(c.SessionToken) || !plainJSONString(exp) {
		return c.ProcessJSON()
	}
	b := make([]byte, 0, 96+len(c.AccessKeyID)+len(c.SecretAccessKey)+len(c.SessionToken)+len(exp))
	b = append(b, `{"Version":1,"AccessKeyId":"`...)
	b = append(b, c.AccessKeyID...)
	b = append(b, `","SecretAccessKey":"`...)
	b = append(b, c.SecretAccessKey...)
	b = append(b, `","SessionToken":"`...)
	b = append(b, c.SessionToken...)
	b = append(b, `","Expiration":"`...)
	b = append(b, exp...)
	b = append(b, "\"}\n"...)
	return b, nil
}

// plainJSONString reports whether encoding/json writes s unchanged between
// quotes: printable ASCII without '"', '\\' and the HTML characters it
// escapes ('<', '>', '&').
func plainJSONString(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c > 0x7e, c == '"', c == '\\', c == '<', c == '>', c == '&':
			return false
		}
	}
	return true
}
