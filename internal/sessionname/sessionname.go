// Package sessionname is the one rule for the roleSessionName of IAM Roles
// Anywhere's CreateSession (and STS's RoleSessionName): 2 to 64 characters
// of ASCII letters, digits and _+=,.@-, the pattern ^[\w+=,.@-]{2,64}$.
// The signer checks a name before it sends it, the emulator refuses one
// the service would refuse, and trustpolicy warns about one a simulated
// request could never carry; all three ask Valid.
//
// Security considerations: a session name may be a TOTP code. Valid only
// reports a yes or no; callers must not echo a refused name in errors.
package sessionname

// Length bounds of a role session name, in bytes (all allowed characters
// are ASCII).
const (
	MinLength = 2
	MaxLength = 64
)

// Pattern is the service's pattern for roleSessionName, as its
// ValidationException quotes it.
const Pattern = `[\w+=,.@-]{2,64}`

// Valid reports whether s is a role session name the service accepts:
// Pattern, anchored, where \w is ASCII as in RE2. A loop rather than a
// regexp, so a cold credential-process pays no regexp compilation.
func Valid(s string) bool {
	if len(s) < MinLength || len(s) > MaxLength {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '_', c == '+', c == '=', c == ',', c == '.', c == '@', c == '-':
		default:
			return false
		}
	}
	return true
}
