package totp

import "time"

// Seed is a TOTP seed as a caller holds it: a Key in memory, or a
// KeyedHash of a device (a TPM, see tpm.HMACKey) that never reveals the
// seed. Device is used when set, else Key. A Seed prints nothing of the
// key: keep it out of logs all the same.
type Seed struct {
	Key    Key
	Device KeyedHash
}

// Code returns the code of the seed at time t: Code for a Key,
// CodeKeyedHash for a Device (HMAC-SHA1 only).
func (s Seed) Code(t time.Time, o Options) (string, error) {
	if s.Device != nil {
		return CodeKeyedHash(s.Device, t, o)
	}
	return Code(s.Key, t, o)
}

// SessionName returns the role session name of the seed at the signing
// time: SessionName for a Key, SessionNameKeyedHash for a Device.
func (s Seed) SessionName(signingTime time.Time, digits int) (string, error) {
	if s.Device != nil {
		return SessionNameKeyedHash(s.Device, signingTime, digits)
	}
	return SessionName(s.Key, signingTime, digits)
}
