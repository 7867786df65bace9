package audit

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"
)

// rawDoc reads fields of one JSON object straight from its bytes, for the
// few records detect decodes: one validating pass over the record, then
// each lookup walks only the members on its path. It gives the values
// encoding/json would give for an interface (string, float64, bool, nil).
//
// It takes only what it can read exactly like encoding/json: init returns
// false for input that is not a plain valid JSON object (invalid JSON,
// escapes in keys, numbers with an exponent, deep nesting), and lookup sets
// bail when asked for an object or array value. The caller then decodes
// the record with encoding/json instead.
type rawDoc struct {
	b    []byte
	bail bool
	top  []rawMember // the members of the top-level object, in order
	buf  [40]rawMember
}

type rawMember struct{ key, val []byte }

// rawMaxDepth bounds nesting in the validating pass (encoding/json allows
// 10000; deeper records go to it).
const rawMaxDepth = 512

// init validates b as one JSON object with optional surrounding
// whitespace.
func (d *rawDoc) init(b []byte) bool {
	i := skipWS(b, 0)
	if i >= len(b) || b[i] != '{' {
		return false
	}
	end, ok := validValue(b, i, 0)
	if !ok || skipWS(b, end) != len(b) {
		return false
	}
	d.b = b
	d.top = d.buf[:0]
	j := skipWS(b, i+1)
	if b[j] == '}' {
		return true
	}
	for {
		ke := skipStringFast(b, j)
		key := b[j+1 : ke-1]
		j = skipWS(b, skipWS(b, ke)+1)
		ve := skipValueFast(b, j)
		d.top = append(d.top, rawMember{key, b[j:ve]})
		j = skipWS(b, ve)
		if b[j] == '}' {
			return true
		}
		j = skipWS(b, j+1)
	}
}

// rawComposite stands for an object or array value (encoding/json would
// give a map or slice); lookup sets bail when it returns one.
type rawComposite struct{}

func (d *rawDoc) lookup(path string) (any, bool) {
	seg := path
	if i := strings.IndexByte(path, '.'); i >= 0 {
		seg, path = path[:i], path[i+1:]
	} else {
		path = ""
	}
	var v []byte
	for _, m := range d.top {
		if string(m.key) == seg {
			v = m.val // the last one wins, as in encoding/json
		}
	}
	if v == nil {
		return nil, false
	}
	for path != "" {
		var seg string
		seg, path, _ = strings.Cut(path, ".")
		var ok bool
		switch v[0] {
		case '{':
			v, ok = memberOf(v, seg)
		case '[':
			n, err := strconv.Atoi(seg)
			if err != nil || n < 0 {
				return nil, false
			}
			v, ok = elementOf(v, n)
		default:
			return nil, false
		}
		if !ok {
			return nil, false
		}
	}
	switch v[0] {
	case '"':
		return rawString(v), true
	case 'n':
		return nil, true
	case 't':
		return true, true
	case 'f':
		return false, true
	case '{', '[':
		d.bail = true
		return rawComposite{}, true
	}
	f, err := strconv.ParseFloat(string(v), 64)
	if err != nil {
		d.bail = true
		return rawComposite{}, true
	}
	return f, true
}

// rawString decodes a validated JSON string token, quotes included.
func rawString(v []byte) string {
	s := v[1 : len(v)-1]
	for _, c := range s {
		if c == '\\' || c >= utf8.RuneSelf {
			var out string
			if json.Unmarshal(v, &out) != nil {
				return ""
			}
			return out
		}
	}
	return string(s)
}

// memberOf returns the value of the last member named key of the
// validated object at obj[0] (encoding/json keeps the last of duplicate
// keys), as a token slice without surrounding whitespace.
func memberOf(obj []byte, key string) ([]byte, bool) {
	var found []byte
	i := skipWS(obj, 1)
	if obj[i] == '}' {
		return nil, false
	}
	for {
		ke := skipStringFast(obj, i)
		k := obj[i+1 : ke-1]
		i = skipWS(obj, ke)
		i = skipWS(obj, i+1) // ':'
		ve := skipValueFast(obj, i)
		if string(k) == key {
			found = obj[i:ve]
		}
		i = skipWS(obj, ve)
		if obj[i] == '}' {
			return found, found != nil
		}
		i = skipWS(obj, i+1) // ','
	}
}

// elementOf returns element n of the validated array at arr[0].
func elementOf(arr []byte, n int) ([]byte, bool) {
	i := skipWS(arr, 1)
	if arr[i] == ']' {
		return nil, false
	}
	for k := 0; ; k++ {
		ve := skipValueFast(arr, i)
		if k == n {
			return arr[i:ve], true
		}
		i = skipWS(arr, ve)
		if arr[i] == ']' {
			return nil, false
		}
		i = skipWS(arr, i+1)
	}
}

func skipWS(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// skipStringFast returns the index after the validated string at b[i].
func skipStringFast(b []byte, i int) int {
	i++
	for {
		q := bytes.IndexByte(b[i:], '"') + i
		k := q
		for b[k-1] == '\\' {
			k--
		}
		if (q-k)%2 == 0 {
			return q + 1
		}
		i = q + 1
	}
}

// skipValueFast returns the index after the validated value at b[i].
func skipValueFast(b []byte, i int) int {
	switch b[i] {
	case '"':
		return skipStringFast(b, i)
	case '{', '[':
		depth := 0
		for {
			switch b[i] {
			case '"':
				i = skipStringFast(b, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
	}
	for i < len(b) {
		switch b[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return i
		}
		i++
	}
	return i
}

// validValue checks the JSON value at b[i] and returns the index after
// it. It refuses (false) what encoding/json refuses, and also what rawDoc
// leaves to encoding/json: escapes in keys, numbers with an exponent or
// more than 300 characters, nesting deeper than rawMaxDepth.
func validValue(b []byte, i, depth int) (int, bool) {
	if i >= len(b) {
		return i, false
	}
	switch c := b[i]; c {
	case '"':
		end, _, ok := validString(b, i)
		return end, ok
	case '{':
		if depth >= rawMaxDepth {
			return i, false
		}
		i = skipWS(b, i+1)
		if i < len(b) && b[i] == '}' {
			return i + 1, true
		}
		for {
			if i >= len(b) || b[i] != '"' {
				return i, false
			}
			end, esc, ok := validString(b, i)
			if !ok || esc {
				return i, false
			}
			i = skipWS(b, end)
			if i >= len(b) || b[i] != ':' {
				return i, false
			}
			if i, ok = validValue(b, skipWS(b, i+1), depth+1); !ok {
				return i, false
			}
			i = skipWS(b, i)
			if i >= len(b) {
				return i, false
			}
			if b[i] == '}' {
				return i + 1, true
			}
			if b[i] != ',' {
				return i, false
			}
			i = skipWS(b, i+1)
		}
	case '[':
		if depth >= rawMaxDepth {
			return i, false
		}
		i = skipWS(b, i+1)
		if i < len(b) && b[i] == ']' {
			return i + 1, true
		}
		for {
			var ok bool
			if i, ok = validValue(b, i, depth+1); !ok {
				return i, false
			}
			i = skipWS(b, i)
			if i >= len(b) {
				return i, false
			}
			if b[i] == ']' {
				return i + 1, true
			}
			if b[i] != ',' {
				return i, false
			}
			i = skipWS(b, i+1)
		}
	case 't':
		return validLiteral(b, i, "true")
	case 'f':
		return validLiteral(b, i, "false")
	case 'n':
		return validLiteral(b, i, "null")
	default:
		if c == '-' || c >= '0' && c <= '9' {
			return validNumber(b, i)
		}
		return i, false
	}
}

func validLiteral(b []byte, i int, lit string) (int, bool) {
	if len(b)-i < len(lit) || string(b[i:i+len(lit)]) != lit {
		return i, false
	}
	return i + len(lit), true
}

// validString checks the string at b[i] (a '"'): no control characters,
// only JSON escapes. esc reports a backslash.
func validString(b []byte, i int) (end int, esc, ok bool) {
	i++
	for i < len(b) {
		// Skip 8 plain bytes at a time: none is '"', '\\' or below 0x20.
		for i+8 <= len(b) {
			x := binary.LittleEndian.Uint64(b[i:])
			q := x ^ (swarLo * '"')
			e := x ^ (swarLo * '\\')
			if ((q-swarLo)&^q|(e-swarLo)&^e|(x-swarLo*0x20)&^x)&swarHi != 0 {
				break
			}
			i += 8
		}
		if i >= len(b) {
			break
		}
		c := b[i]
		switch {
		case c == '"':
			return i + 1, esc, true
		case c < 0x20:
			return i, esc, false
		case c == '\\':
			esc = true
			if i+1 >= len(b) {
				return i, esc, false
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if len(b)-i < 6 {
					return i, esc, false
				}
				for _, h := range b[i+2 : i+6] {
					if !(h >= '0' && h <= '9' || h >= 'a' && h <= 'f' || h >= 'A' && h <= 'F') {
						return i, esc, false
					}
				}
				i += 6
			default:
				return i, esc, false
			}
		default:
			i++
		}
	}
	return i, esc, false
}

// validNumber checks -?(0|[1-9][0-9]*)(\.[0-9]+)? and refuses exponents
// and long numbers (left to encoding/json, which fails on out-of-range
// values).
func validNumber(b []byte, i int) (int, bool) {
	start := i
	if b[i] == '-' {
		i++
	}
	digits := func() bool {
		s := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		return i > s
	}
	if i < len(b) && b[i] == '0' {
		i++
	} else if !digits() {
		return i, false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if !digits() {
			return i, false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		return i, false
	}
	return i, i-start <= 300
}
