package main

import "github.com/acme-signing-helper/acme-signing-helper/permissions"

// permissionsHint is the fix for package permissions' errors (see
// hints.go for the convention).
func permissionsHint(e error) string {
	switch e {
	case permissions.ErrNoActions:
		return "check --role-arn (the role the sessions assumed), --identity, --session and the time window; the report above counts what was read"
	case permissions.ErrBadRoleARN:
		return "give the role's ARN as IAM shows it, e.g. arn:aws:iam::123456789012:role/my_role"
	case permissions.ErrUnknownService, permissions.ErrUnknownAction:
		return "the call is listed in the report; write its permission by hand after checking the Service Authorization Reference"
	case permissions.ErrNotLoopback:
		return "listen on 127.0.0.1 or ::1: client-side monitoring datagrams are unauthenticated"
	case permissions.ErrMalformedDatagram:
		return "only AWS SDK client-side monitoring datagrams (JSON, Type ApiCall or ApiCallAttempt) are accepted"
	}
	return ""
}
