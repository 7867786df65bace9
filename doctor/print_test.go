package doctor

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

var printReport = Report{Checks: []Check{
	{Name: "files", Status: Pass, Detail: "cert.pem, key.pem", Fix: "never shown for a pass"},
	{Name: "clock", Status: Warn, Detail: "offset 3s", Fix: "sync the clock", Err: errors.New("skew")},
	{Name: "call", Status: Skip, Detail: "not asked for"},
}}

func TestWriteText(t *testing.T) {
	for _, tc := range []struct {
		ok   bool
		want string
	}{
		{true, "PASS  files        cert.pem, key.pem\nWARN  clock        offset 3s\n                   fix: sync the clock\nSKIP  call         not asked for\ndoctor: no failures\n"},
		{false, "PASS  files        cert.pem, key.pem\nWARN  clock        offset 3s\n                   fix: sync the clock\nSKIP  call         not asked for\ndoctor: failures found; apply the fixes above\n"},
	} {
		r := printReport
		r.OK = tc.ok
		var b bytes.Buffer
		if err := r.WriteText(&b); err != nil {
			t.Fatal(err)
		}
		if b.String() != tc.want {
			t.Errorf("ok=%v: got\n%s\nwant\n%s", tc.ok, b.String(), tc.want)
		}
	}
}

func TestWriteJSON(t *testing.T) {
	var b bytes.Buffer
	if err := printReport.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	if out := b.Bytes(); out[len(out)-1] != '\n' || bytes.Contains(out, []byte("skew")) {
		t.Errorf("got %s, want one JSON object and a newline, without Err", out)
	}
	var got Report
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := printReport
	want.Checks = append([]Check(nil), want.Checks...)
	want.Checks[1].Err = nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteErrors(t *testing.T) {
	if err := printReport.WriteText(failingWriter{}); err == nil {
		t.Error("WriteText: got nil, want the write error")
	}
	if err := printReport.WriteJSON(failingWriter{}); err == nil {
		t.Error("WriteJSON: got nil, want the write error")
	}
}
