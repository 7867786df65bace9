package cloudtrailgen

import (
	"strconv"
	"unicode/utf8"
)

// obj is a JSON object that keeps its key order (CloudTrail writes
// eventVersion first, and so do we).
type obj []kv

type kv struct {
	k string
	v any
}

// appendJSON writes v: obj, []any, []obj, string, int, int64, bool, nil,
// float64, rawJSON.
func appendJSON(b []byte, v any) []byte {
	switch t := v.(type) {
	case obj:
		b = append(b, '{')
		for i, e := range t {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, e.k)
			b = append(b, ':')
			b = appendJSON(b, e.v)
		}
		return append(b, '}')
	case []obj:
		return appendArray(b, t, func(b []byte, e obj) []byte { return appendJSON(b, e) })
	case []any:
		return appendArray(b, t, appendJSON)
	case []string:
		return appendArray(b, t, appendString)
	case string:
		return appendString(b, t)
	case int:
		return strconv.AppendInt(b, int64(t), 10)
	case int64:
		return strconv.AppendInt(b, t, 10)
	case float64:
		return strconv.AppendFloat(b, t, 'f', -1, 64)
	case bool:
		return strconv.AppendBool(b, t)
	case rawJSON:
		return append(b, t...)
	case nil:
		return append(b, "null"...)
	}
	panic("cloudtrailgen: cannot encode value") // programming error: generator-built values only
}

// appendArray writes xs as a JSON array, each element by f.
func appendArray[T any](b []byte, xs []T, f func([]byte, T) []byte) []byte {
	b = append(b, '[')
	for i, x := range xs {
		if i > 0 {
			b = append(b, ',')
		}
		b = f(b, x)
	}
	return append(b, ']')
}

// rawJSON is inserted verbatim (used to write deliberately broken records).
type rawJSON string

const hexDigits = "0123456789abcdef"

func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		b = append(b, s[i:i+size]...)
		i += size
	}
	return append(b, '"')
}
