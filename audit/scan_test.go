package audit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/acme-signing-helper/acme-signing-helper/totp"
)

// scanAll runs the scanner over data read chunk bytes at a time.
func scanAll(data []byte, chunk, maxRecord int) (recs []string, marked []bool, err error) {
	sc := newRecordScanner(iotest.HalfReader(bytes.NewReader(data)), maxRecord, func(b []byte) bool {
		return bytes.Contains(b, []byte(markerRolesAnywhere))
	})
	if chunk > 0 {
		sc.chunk = chunk
		sc.buf = make([]byte, chunk)
	}
	for {
		rec, err := sc.next()
		if err == io.EOF {
			return recs, marked, nil
		}
		if err != nil {
			return recs, marked, err
		}
		if rec.oversized {
			recs = append(recs, fmt.Sprintf("<oversized relevant=%v>", rec.relevant))
		} else {
			recs = append(recs, string(rec.data))
		}
		marked = append(marked, rec.marked)
	}
}

// referenceRecords splits valid JSON the slow, obvious way with
// encoding/json: the oracle for the scanner. ok is false for input the
// reference does not cover (invalid JSON, top-level scalars).
func referenceRecords(data []byte) (recs []string, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		var raw json.RawMessage
		err := dec.Decode(&raw)
		if err == io.EOF {
			return recs, true
		}
		if err != nil {
			return nil, false
		}
		t := bytes.TrimSpace(raw)
		switch t[0] {
		case '{':
			inner, found, ok := recordsOf(t)
			if !ok {
				return nil, false
			}
			if found {
				recs = append(recs, inner...)
			} else {
				recs = append(recs, string(t))
			}
		case '[':
			var elems []json.RawMessage
			if err := json.Unmarshal(t, &elems); err != nil {
				return nil, false
			}
			for _, e := range elems {
				if e := bytes.TrimSpace(e); e[0] == '{' {
					recs = append(recs, string(e))
				}
			}
		default:
			return nil, false
		}
	}
}

// recordsOf returns the object elements of every "Records" array of a
// top-level object, in order.
func recordsOf(obj []byte) (recs []string, found, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(obj))
	if _, err := dec.Token(); err != nil {
		return nil, false, false
	}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return nil, false, false
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, false, false
		}
		if v := bytes.TrimSpace(v); k == "Records" && v[0] == '[' {
			found = true
			var elems []json.RawMessage
			if err := json.Unmarshal(v, &elems); err != nil {
				return nil, false, false
			}
			for _, e := range elems {
				if e := bytes.TrimSpace(e); e[0] == '{' {
					recs = append(recs, string(e))
				}
			}
		}
	}
	return recs, found, true
}

func TestScannerShapes(t *testing.T) {
	ra := `{"eventSource":"rolesanywhere.amazonaws.com","eventName":"CreateSession","requestParameters":{"roleSessionName":"123456"}}`
	other := `{"eventSource":"s3.amazonaws.com","key":"a \"quoted\" {brace} [and] \\ backslash \\\" rolesanywhere.amazonaws.com"}`
	invoked := `{"userIdentity":{"invokedBy":"rolesanywhere.amazonaws.com"},"eventName":"AssumeRole"}`
	deep := `{"a":{"b":{"c":"rolesanywhere.amazonaws.com"}}}`
	tests := []struct {
		name   string
		in     string
		want   []string
		marked []bool
	}{
		{"single event", ra, []string{ra}, []bool{true}},
		{"log file", `{"Records":[` + ra + `,` + other + `]}`, []string{ra, other}, []bool{true, false}},
		{"log file pretty", "{\n  \"Records\" : [\n    " + ra + " ,\n  " + other + "\n  ]\n}\n", []string{ra, other}, []bool{true, false}},
		{"json lines", ra + "\n" + other + "\n" + invoked + "\n", []string{ra, other, invoked}, []bool{true, false, true}},
		{"top-level array", "[" + other + "," + ra + "]", []string{other, ra}, []bool{false, true}},
		{"marker too deep", deep, []string{deep}, []bool{false}},
		{"records not first", `{"x":{"Records":[{}]},"Records":[` + ra + `]}`, []string{ra}, []bool{true}},
		{"records not an array", `{"Records":"none","eventSource":"rolesanywhere.amazonaws.com"}`, []string{`{"Records":"none","eventSource":"rolesanywhere.amazonaws.com"}`}, []bool{true}},
		{"scalars in records", `{"Records":[1,"a",null,[` + ra + `],` + other + `]}`, []string{other}, []bool{false}},
		{"empty", "  \n", nil, nil},
		{"two files concatenated", `{"Records":[` + ra + `]}{"Records":[` + other + `]}`, []string{ra, other}, []bool{true, false}},
		{"utf8 and escapes", `{"k":"é\u00e9\n\\","eventSource":"rolesanywhere.amazonaws.com"}`, []string{`{"k":"é\u00e9\n\\","eventSource":"rolesanywhere.amazonaws.com"}`}, []bool{true}},
	}
	for _, tt := range tests {
		for _, chunk := range []int{0, 1, 2, 3, 7, 16, 64} {
			t.Run(fmt.Sprintf("%s/chunk%d", tt.name, chunk), func(t *testing.T) {
				got, marked, err := scanAll([]byte(tt.in), chunk, 0)
				if err != nil {
					t.Fatal(err)
				}
				if fmt.Sprint(got) != fmt.Sprint(tt.want) {
					t.Errorf("records:\ngot  %q\nwant %q", got, tt.want)
				}
				if fmt.Sprint(marked) != fmt.Sprint(tt.marked) {
					t.Errorf("marked: got %v, want %v", marked, tt.marked)
				}
				ref, ok := referenceRecords([]byte(tt.in))
				if !ok || fmt.Sprint(ref) != fmt.Sprint(got) {
					t.Errorf("reference splitter: %q (ok %v), scanner: %q", ref, ok, got)
				}
			})
		}
	}
}

func TestScannerErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want error
		recs int // records returned before the error
	}{
		{"not json", "hello world", ErrNotJSON, 0},
		{"html", "<html></html>", ErrNotJSON, 0},
		{"stray close", `{"a":1}}`, ErrNotJSON, 1},
		{"number", "42", ErrNotJSON, 0},
		{"truncated object", `{"Records":[{"a":1},{"b":`, ErrTruncated, 1},
		{"truncated string", `{"Records":[{"a":"abc`, ErrTruncated, 0},
		{"truncated after escape", `{"a":"abc\`, ErrTruncated, 0},
	}
	for _, tt := range tests {
		for _, chunk := range []int{0, 1, 5} {
			t.Run(fmt.Sprintf("%s/chunk%d", tt.name, chunk), func(t *testing.T) {
				recs, _, err := scanAll([]byte(tt.in), chunk, 0)
				if !errors.Is(err, tt.want) {
					t.Fatalf("got %v, want %v", err, tt.want)
				}
				if !strings.Contains(err.Error(), "offset ") {
					t.Errorf("error %q does not give the offset", err)
				}
				if len(recs) != tt.recs {
					t.Errorf("got %d records before the error, want %d", len(recs), tt.recs)
				}
			})
		}
	}
}

func TestScannerOversized(t *testing.T) {
	big := strings.Repeat("x", 10<<20) // a 10 MB string
	in := `{"Records":[{"eventSource":"s3.amazonaws.com","k":"` + big + `"},` +
		`{"eventSource":"rolesanywhere.amazonaws.com","k":"` + big + `"},` +
		`{"eventSource":"rolesanywhere.amazonaws.com","eventName":"CreateSession"}]}`
	got, _, err := scanAll([]byte(in), 0, DefaultMaxRecordBytes)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"<oversized relevant=false>", "<oversized relevant=true>", `{"eventSource":"rolesanywhere.amazonaws.com","eventName":"CreateSession"}`}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %.200q, want %q", got, want)
	}
}

// FuzzScanner compares the scanner, read in small chunks, with the
// encoding/json reference on every input the reference accepts, and
// checks that nothing else panics or loops.
func FuzzScanner(f *testing.F) {
	for _, s := range []string{
		`{"Records":[{"a":"b"},{"eventSource":"rolesanywhere.amazonaws.com"}]}`,
		`{"a":"\\\"}"}` + "\n" + `{"b":[1,2,{"c":"]"}]}`,
		`[{"x":1},2,"s",{"y":{}}]`,
		`{"Records":[{"a":1}],"Records":[{"b":2}]}`,
		`{"k":"\u00e9\ud83d\ude00"}`,
		"{\"a\":\"\xff\xfe\"}",
		`{"Records":[`,
	} {
		f.Add([]byte(s), uint8(3))
	}
	long := `{"Records":[{"eventVersion":"1.08","userIdentity":{"type":"AWSService","invokedBy":"rolesanywhere.amazonaws.com"},"eventSource":"sts.amazonaws.com","k":"a \"quoted\" }{ value with y and rolesanywhere.amazonaws.com inside","n":[1,2,{"x":"}"}]},` +
		`{"eventSource":"rolesanywhere.amazonaws.com","eventName":"CreateSession","padding":"` + strings.Repeat("y", 70) + `"},{"a":"` + strings.Repeat("_Y[", 40) + `"}]}`
	f.Add([]byte(long), uint8(200))
	f.Add([]byte(long), uint8(63))
	f.Fuzz(func(t *testing.T, data []byte, chunk uint8) {
		size := int(chunk%64) + 1
		if chunk >= 192 {
			size = 1 << 16 // whole blocks: the 64-byte block path
		}
		// The block path and the byte loop agree on everything (records,
		// offsets, marks, errors), JSON or not.
		if blocks, bytewise := scanWith(data, size, true), scanWith(data, size, false); fmt.Sprint(blocks) != fmt.Sprint(bytewise) {
			t.Fatalf("blocks %q, byte loop %q", blocks, bytewise)
		}
		got, marked, err := scanAll(data, size, 4096)
		ref, ok := referenceRecords(data)
		if !ok {
			return
		}
		for i := range ref {
			if len(ref[i]) > 4096-1 {
				return // oversized records are not compared
			}
		}
		if err != nil {
			t.Fatalf("scanner failed on valid JSON: %v", err)
		}
		if fmt.Sprint(got) != fmt.Sprint(ref) {
			t.Fatalf("scanner %q, reference %q", got, ref)
		}
		// A record with the marker as a top-level value must be marked
		// (marking more is allowed: it only costs a decode).
		for i, r := range got {
			var m map[string]any
			if json.Unmarshal([]byte(r), &m) != nil {
				continue
			}
			for _, v := range m {
				if v == markerRolesAnywhere && !marked[i] {
					t.Fatalf("record %q has the marker but is not marked", r)
				}
			}
		}
	})
}

// FuzzExtract feeds arbitrary records to the decoder and checker: no
// panics, and a record that is not JSON is reported, never legit.
func FuzzExtract(f *testing.F) {
	f.Add([]byte(`{"eventSource":"rolesanywhere.amazonaws.com","eventName":"CreateSession","eventTime":"2026-11-21T19:49:41Z","requestParameters":{"roleSessionName":"123456","cert":"MIIB"},"responseElements":{"x509Subject":"CN=a"}}`))
	f.Add([]byte(`{"eventSource":"sts.amazonaws.com","eventName":"AssumeRole","userIdentity":{"invokedBy":"rolesanywhere.amazonaws.com"},"requestParameters":{"roleSessionName":12,"sourceIdentity":"CN=a"}}`))
	f.Add([]byte(`{"userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/r/654321","sessionContext":{"sourceIdentity":"CN=a","attributes":{"creationDate":"x"}}}}`))
	f.Add([]byte("{\"eventSource\":\"rolesanywhere.amazonaws.com\",\"x\":\"\xff\"}"))
	// rawDoc against encoding/json: duplicate keys, escaped keys and
	// values, exponents, arrays, objects where strings are expected,
	// whitespace, trailing bytes.
	f.Add([]byte(" {\"eventSource\" : \"rolesanywhere.amazonaws.com\", \"eventName\":\"CreateSession\",\"eventName\":\"CreateSession\",\"eventTime\":\"2026-11-21T19:49:41Z\",\"requestParameters\":{\"roleSessionName\":1.5e3},\"responseElements\":{\"credentialSet\":[{\"sourceIdentity\":\"CN=\\u0061\"}]}} \n"))
	f.Add([]byte(`{"eventSourc\u0065":"rolesanywhere.amazonaws.com","eventName":"CreateSession","requestParameters":{"roleSessionName":{"a":1}},"responseElements":{"x509Subject":["CN=a"]}}`))
	f.Add([]byte(`{"eventSource":"rolesanywhere.amazonaws.com","eventName":"CreateSession","requestParameters":{"roleSessionName":-0.25,"x":[true,false,null,[]]},"responseElements":{"x509Subject":"CN=\"a\\"}} x`))
	f.Add([]byte(`{"eventSource":"sts.amazonaws.com","eventName":"AssumeRole","sourceIPAddress":"rolesanywhere.amazonaws.com","requestParameters":{"roleSessionName":"0123","sourceIdentity":null},"responseElements":{"sourceIdentity":"CN=b\u00e9"},"n":1e400}`))
	db, err := ParseDB([]byte(`{"a":"00112233"}`))
	if err != nil {
		f.Fatal(err)
	}
	c := &Checker{DB: db, Policy: totp.SeedScriptPolicy}
	f.Fuzz(func(t *testing.T, raw []byte) {
		for _, o := range []Options{{}, {Sessions: true}, {Compat: true}} {
			x, _ := newExtractor(&o)
			ev, ok := x.extract(raw)
			ref, refOK := x.extractMap(raw)
			if ok != refOK || !reflect.DeepEqual(ev, ref) {
				t.Fatalf("extract %v %+v, extractMap (encoding/json) %v %+v", ok, ev, refOK, ref)
			}
			if !ok {
				continue
			}
			r := c.Check(ev)
			if !json.Valid(raw) && r.Verdict == Legit {
				t.Fatalf("invalid JSON judged legit: %q", raw)
			}
			if r.Verdict == "" || (r.Verdict != Legit && r.Reason == "") {
				t.Fatalf("verdict %q reason %q", r.Verdict, r.Reason)
			}
		}
	})
}
