package signer

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/internal/testpki"
)

// TestHardeningSessionNameRefusal is issue 13 point 7, the red-team cases:
// the profile's refusal of any session name ("Not authorized to set
// roleSessionName.", acceptRoleSessionName=false) and a trust policy's
// refusal of this one (a condition on sts:RoleSessionName) are different
// errors, told apart from the service's message; and a session name that
// is a TOTP code (computed, or 6 to 8 digits) is never printed in the
// error, even when the service quotes it.
func TestHardeningSessionNameRefusal(t *testing.T) {
	m := loadPlain(t, newPKI(t, testpki.Options{}))
	const code = "98159709"
	pattern := "Unable to assume role " + testRole + `: the role's trust policy requires sts:RoleSessionName to match ^[0-9]{6}$, got "%s"`
	policy := "Unable to assume role " + testRole + `: the role's trust policy does not allow sts:AssumeRole: implicitly denied: closest is statement 2: condition StringLike "sts:RoleSessionName" not met (%s)`
	tests := []struct {
		name     string
		msg      string // %s: the session name
		computed bool   // the name comes from Config.SessionName (a TOTP code)
		session  string
		want     error
		redacted bool
	}{
		{"profile refuses names", "Not authorized to set roleSessionName.", true, code, ErrRoleSessionNameNotAllowed, false},
		{"trust policy pattern, computed code", pattern, true, code, ErrSessionNameDenied, true},
		{"trust policy pattern, 6-digit static name", pattern, false, "287082", ErrSessionNameDenied, true},
		{"a name inside the account ID stays", pattern, false, "123456", ErrSessionNameDenied, true},
		{"trust policy condition", policy, true, code, ErrSessionNameDenied, true},
		{"trust policy pattern, a plain name is shown", pattern, false, "build-42", ErrSessionNameDenied, false},
		{"another denial", "Requested Role isn't one of those listed in the Profile.", true, code, ErrAccessDenied, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ep := newFakeEndpoint(t)
			msg := tt.msg
			if strings.Contains(msg, "%s") {
				msg = fmt.Sprintf(msg, tt.session)
			}
			ep.respond = func(_ int, w http.ResponseWriter) bool {
				w.Header().Set("X-Amzn-ErrorType", "AccessDeniedException")
				w.WriteHeader(http.StatusForbidden)
				fmt.Fprintf(w, `{"message":%q}`, msg)
				return true
			}
			cfg := testConfig(ep.srv.URL)
			if tt.computed {
				cfg.SessionName = func(time.Time) (string, error) { return tt.session, nil }
			} else {
				cfg.RoleSessionName = tt.session
			}
			_, err := CreateSession(context.Background(), m, cfg)
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			if tt.want != ErrRoleSessionNameNotAllowed && errors.Is(err, ErrRoleSessionNameNotAllowed) {
				t.Fatalf("got %v, also the profile's refusal", err)
			}
			var ae *APIError
			if !errors.As(err, &ae) {
				t.Fatalf("got %T, want *APIError", err)
			}
			texts := []string{err.Error(), ae.Message, fmt.Sprintf("%v %+v", err, ae)}
			if ae.Err != nil {
				texts = append(texts, ae.Err.Error())
			}
			// The name as a whole word (not digits inside the account ID).
			word := regexp.MustCompile(`(^|[^0-9A-Za-z])` + regexp.QuoteMeta(tt.session) + `($|[^0-9A-Za-z])`)
			quoted := word.MatchString(msg)
			for _, s := range texts {
				if shown := word.MatchString(s); shown != (quoted && !tt.redacted) {
					t.Errorf("session name %q shown %v, want %v: %q", tt.session, shown, quoted && !tt.redacted, s)
				}
			}
			if marked := strings.Contains(err.Error(), redactedSessionName); marked != (quoted && tt.redacted) {
				t.Errorf("error %q: redaction mark %v, want %v", err, marked, quoted && tt.redacted)
			}
			if strings.Contains(msg, testRole) && !strings.Contains(err.Error(), testRole) {
				t.Errorf("error %q lost the role ARN (its account ID holds digits of the name's kind)", err)
			}
		})
	}
}
