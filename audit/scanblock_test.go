package audit

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
)

// scanWith runs the scanner over data, chunk bytes per read, with or
// without the block path, and describes every record and the end.
func scanWith(data []byte, chunk int, blocks bool) []string {
	sc := newRecordScanner(bytes.NewReader(data), 1<<20, func(b []byte) bool {
		return bytes.Contains(b, []byte(markerRolesAnywhere))
	})
	sc.noBlocks = !blocks
	sc.chunk = chunk
	sc.buf = make([]byte, chunk)
	var out []string
	for {
		rec, err := sc.next()
		if err != nil {
			if err != io.EOF {
				out = append(out, "error: "+err.Error())
			}
			return out
		}
		out = append(out, fmt.Sprintf("%d %v %v %s", rec.offset, rec.marked, rec.oversized, rec.data))
	}
}

// randJSON writes a random JSON value at depth d: strings with escapes,
// brackets, backslash runs and the marker, long strings that cross 64-byte
// blocks, numbers, literals, nesting, optional whitespace.
func randJSON(r *rand.Rand, b *strings.Builder, d int) {
	ws := func() {
		if r.IntN(6) == 0 {
			b.WriteString([]string{" ", "\n  ", "\t", "\r\n"}[r.IntN(4)])
		}
	}
	str := func() {
		parts := []string{"a", "rolesanywhere.amazonaws.com", `\"`, `\\`, `\\\\`, `\\\"`, "{", "}", "[", "]", ",", ":", `\u00e9`, "é", "Records", "sourceIdentity", strings.Repeat("x", 1+r.IntN(70))}
		b.WriteByte('"')
		if r.IntN(3) == 0 {
			b.WriteString(parts[1]) // exactly the marker
		} else {
			for n := r.IntN(5); n > 0; n-- {
				b.WriteString(parts[r.IntN(len(parts))])
			}
		}
		b.WriteByte('"')
	}
	switch k := r.IntN(10); {
	case d < 5 && k < 4:
		b.WriteByte('{')
		ws()
		for n := r.IntN(6); n > 0; n-- {
			str()
			ws()
			b.WriteByte(':')
			ws()
			randJSON(r, b, d+1)
			ws()
			if n > 1 {
				b.WriteByte(',')
				ws()
			}
		}
		b.WriteByte('}')
	case d < 5 && k < 6:
		b.WriteByte('[')
		for n := r.IntN(4); n > 0; n-- {
			ws()
			randJSON(r, b, d+1)
			if n > 1 {
				b.WriteByte(',')
			}
		}
		b.WriteByte(']')
	case k < 8:
		str()
	default:
		b.WriteString([]string{"0", "-1.5", "12345678", "true", "false", "null"}[r.IntN(6)])
	}
}

// TestBlockScanner compares the block path with the byte loop (records,
// offsets, marks, errors) and with encoding/json, on random log files
// read whole and in small chunks (records cut by the end of the buffer
// fall back to the byte loop).
func TestBlockScanner(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for n := 0; n < 1500; n++ {
		var b strings.Builder
		top := r.IntN(3)
		switch top {
		case 0:
			b.WriteString(`{"Records":[`)
		case 1:
			b.WriteString("[\n")
		case 2:
			b.WriteString(`{"x":1, "Records" : [`)
		}
		for k := r.IntN(12); k >= 0; k-- {
			randJSON(r, &b, 0)
			if k > 0 {
				b.WriteString([]string{",", ",\n", " , "}[r.IntN(3)])
			}
		}
		if top == 1 {
			b.WriteString("]\n")
		} else {
			b.WriteString("]}")
		}
		data := []byte(b.String())
		switch r.IntN(10) {
		case 0:
			data = data[:r.IntN(len(data))] // truncated
		case 1, 2:
			for k := 1 + r.IntN(3); k > 0; k-- { // not JSON any more
				data[r.IntN(len(data))] = `"\{}[],:`[r.IntN(8)]
			}
		}
		want := scanWith(data, 1<<16, false)
		for _, chunk := range []int{1 << 16, 64, 200, 1000} {
			if got := scanWith(data, chunk, true); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("chunk %d: input %q:\nblocks %q\nbytes  %q", chunk, data, got, want)
			}
		}
		if ref, ok := referenceRecords(data); ok {
			var got []string
			for _, s := range scanWith(data, 1<<16, true) {
				if f := strings.SplitN(s, " ", 4); len(f) == 4 && f[2] == "false" {
					got = append(got, f[3])
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(ref) {
				t.Fatalf("input %q:\nscanner   %q\nreference %q", data, got, ref)
			}
		}
	}
}
