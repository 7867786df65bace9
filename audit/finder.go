package audit

import "bytes"

// finder is bytes.Contains for one needle tested against many records.
// bytes.Index looks for the needle's first byte and then compares; the
// marker of a role's calls starts with ':', which CloudTrail JSON has
// after every key, so most of permissions generate's time went into false
// starts. finder searches instead from the needle's rarest byte (by the
// rough ranks of byteRank) and checks the bytes before it.
type finder struct {
	needle []byte
	k      int // needle[k:] is searched for, needle[:k] compared before it
}

func newFinder(needle []byte) finder {
	f := finder{needle: needle}
	for i, c := range needle {
		if byteRank(c) < byteRank(needle[f.k]) {
			f.k = i
		}
	}
	return f
}

// byteRank is how common a byte is in CloudTrail JSON, roughly: 2 for
// lower-case letters, digits and JSON's punctuation, 1 for capitals, '/'
// and '_', 0 for the rest.
func byteRank(c byte) int {
	switch {
	case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '"', c == ':', c == ',', c == '.', c == '-', c == ' ':
		return 2
	case 'A' <= c && c <= 'Z', c == '/', c == '_':
		return 1
	}
	return 0
}

// in reports whether b contains the needle: bytes.Contains(b, f.needle).
func (f finder) in(b []byte) bool {
	head, tail := f.needle[:f.k], f.needle[f.k:]
	if len(tail) == 0 {
		return true // an empty needle
	}
	for i := f.k; i <= len(b); {
		j := bytes.Index(b[i:], tail)
		if j < 0 {
			return false
		}
		j += i
		if string(b[j-f.k:j]) == string(head) {
			return true
		}
		i = j + 1
	}
	return false
}
