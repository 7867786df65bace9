package permissions

import (
	"context"
	"errors"
	"fmt"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestParseDatagram(t *testing.T) {
	good := `{"Version":1,"ClientId":"","Type":"ApiCall","Service":"S3","Api":"ListObjectsV2","Timestamp":1764720000000,"AttemptCount":1,"Region":"eu-west-2","AccessKey":"AKIDEXAMPLE","FinalHttpStatusCode":403,"FinalAwsException":"AccessDenied"}`
	ev, err := ParseDatagram([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	o := ev.Observation()
	if o.Service != "S3" || o.Operation != "ListObjectsV2" || o.ErrorCode != "AccessDenied" || !o.SDK || o.Time.IsZero() {
		t.Errorf("observation %+v", o)
	}
	for name, b := range map[string]string{
		"not JSON":      "\x00\x01garbage",
		"empty":         "",
		"array":         "[1,2]",
		"two objects":   good + good,
		"no type":       `{"Service":"S3","Api":"X"}`,
		"other type":    `{"Type":"Metric","Service":"S3","Api":"X"}`,
		"no api":        `{"Type":"ApiCall","Service":"S3"}`,
		"wrong type":    `{"Type":"ApiCall","Service":3,"Api":"X"}`,
		"too large":     `{"Type":"ApiCall","Service":"S3","Api":"` + strings.Repeat("x", MaxDatagramBytes) + `"}`,
		"trailing junk": `{"Type":"ApiCall","Service":"S3","Api":"X"} x`,
	} {
		if _, err := ParseDatagram([]byte(b)); !errors.Is(err, ErrMalformedDatagram) {
			t.Errorf("%s: err = %v, want ErrMalformedDatagram", name, err)
		}
	}
}

func FuzzParseDatagram(f *testing.F) {
	f.Add([]byte(`{"Version":1,"Type":"ApiCall","Service":"S3","Api":"HeadObject"}`))
	f.Add([]byte(`{"Type":"ApiCallAttempt","Service":"CloudWatch Logs","Api":"PutLogEvents","Fqdn":"x"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ev, err := ParseDatagram(b)
		if err != nil {
			if !errors.Is(err, ErrMalformedDatagram) {
				t.Fatalf("error %v does not wrap ErrMalformedDatagram", err)
			}
			return
		}
		if ev.Service == "" || ev.API == "" {
			t.Fatalf("accepted %q without service or api", b)
		}
		NewBuilder().Add(ev.Observation()) // never panics
	})
}

func TestListenLoopbackOnly(t *testing.T) {
	for _, a := range []string{"0.0.0.0:0", "192.0.2.1:0", "[::]:0", "localhost:0"} {
		l, err := Listen(a, ListenOptions{})
		if err == nil {
			l.Close()
			t.Errorf("Listen(%q) succeeded", a)
		} else if !errors.Is(err, ErrNotLoopback) {
			t.Errorf("Listen(%q): %v, want ErrNotLoopback", a, err)
		}
	}
}

func send(t *testing.T, l *Listener, msgs ...string) {
	t.Helper()
	c, err := net.Dial("udp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, m := range msgs {
		if _, err := c.Write([]byte(m)); err != nil {
			t.Fatal(err)
		}
	}
}

func TestListener(t *testing.T) {
	l, err := Listen("127.0.0.1:0", ListenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	call := func(svc, api string) string {
		return fmt.Sprintf(`{"Version":1,"Type":"ApiCall","Service":%q,"Api":%q,"Timestamp":1764720000000,"AttemptCount":1,"AccessKey":"AKIDEXAMPLE"}`, svc, api)
	}
	send(t, l, call("S3", "ListObjectsV2"), call("S3", "HeadObject"), call("S3", "ListBuckets"),
		`{"Version":1,"Type":"ApiCallAttempt","Service":"S3","Api":"HeadObject"}`,
		call("STS", "GetCallerIdentity"), call("Nope", "Thing"), "garbage", `{"Type":"ApiCall"}`,
		`{"Version":1,"Type":"ApiCall","Service":"SQS","Api":"SendMessage","FinalAwsException":"AccessDenied"}`)
	l.Drain(200 * time.Millisecond)
	st := l.Stats()
	if st.Datagrams != 9 || st.APICalls != 6 || st.Attempts != 1 || st.Malformed != 2 || st.RateLimited != 0 {
		t.Errorf("stats %+v", st)
	}
	r := l.Result()
	if got := strings.Join(grants(r.Policy), ","); got != "s3:GetObject *,s3:ListAllMyBuckets *,s3:ListBucket *,sts:GetCallerIdentity *" {
		t.Errorf("grants %s", got)
	}
	if len(r.Report.Unmapped) != 1 || r.Report.Unmapped[0].Service != "Nope" || len(r.Report.Denied) != 1 || r.Report.Denied[0].Action != "sqs:SendMessage" || r.Report.ProblemCount != 2 {
		t.Errorf("report %+v", r.Report)
	}
	for _, d := range []string{"AKIDEXAMPLE"} {
		b, _ := r.PolicyJSON()
		if strings.Contains(string(b), d) || strings.Contains(fmt.Sprintf("%+v", r.Report), d) {
			t.Errorf("the access key id reached the result")
		}
	}
}

// TestListenerFlood: 100,000 datagrams, valid calls with made-up names and
// garbage, as fast as one sender can: every datagram read is counted as a
// call, an attempt, malformed or rate-limited, and memory stays bounded
// (the unmapped kinds are capped).
func TestListenerFlood(t *testing.T) {
	if testing.Short() {
		t.Skip("flood")
	}
	l, err := Listen("127.0.0.1:0", ListenOptions{Rate: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- l.Serve(ctx) }()
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	c, err := net.Dial("udp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	const n = 100000
	for i := 0; i < n; i++ {
		var m string
		switch i % 4 {
		case 0:
			m = `{"Type":"ApiCall","Service":"S3","Api":"GetObject"}`
		case 1:
			m = fmt.Sprintf(`{"Type":"ApiCall","Service":"Made Up %d","Api":"Op%d"}`, i, i)
		case 2:
			m = fmt.Sprintf("garbage %d \xff", i)
		default:
			m = `{"Type":"ApiCallAttempt","Service":"S3","Api":"GetObject"}`
		}
		c.Write([]byte(m))
		// Flow control, so the kernel's socket buffer (which may be as
		// small as 200 KB) does not drop what the reader has not taken.
		for deadline := time.Now().Add(5 * time.Second); i%64 == 0 && l.Stats().Datagrams < int64(i-128) && time.Now().Before(deadline); {
			time.Sleep(20 * time.Microsecond)
		}
	}
	c.Close()
	time.Sleep(300 * time.Millisecond)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	l.Drain(50 * time.Millisecond)
	st := l.Stats()
	if st.Datagrams < n*99/100 || st.Datagrams > n {
		t.Errorf("read %d of %d datagrams", st.Datagrams, n)
	}
	if st.APICalls+st.Attempts+st.Malformed+st.RateLimited != st.Datagrams {
		t.Errorf("counts do not add up: %+v", st)
	}
	r := l.Result()
	if len(r.Report.Unmapped) > MaxUnmapped+1 {
		t.Errorf("%d unmapped kinds kept, cap %d", len(r.Report.Unmapped), MaxUnmapped)
	}
	if got := strings.Join(grants(r.Policy), ","); got != "s3:GetObject *" {
		t.Errorf("grants %s", got)
	}
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	if grow := int64(after.HeapAlloc) - int64(before.HeapAlloc); grow > 16<<20 {
		t.Errorf("heap grew by %d bytes for %d datagrams", grow, n)
	}
	t.Logf("%+v", st)
}

func TestListenerRate(t *testing.T) {
	now := time.Unix(1764720000, 0)
	l, err := Listen("127.0.0.1:0", ListenOptions{Rate: 3, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	m := `{"Type":"ApiCall","Service":"S3","Api":"GetObject"}`
	send(t, l, m, m, m, m, m)
	l.Drain(200 * time.Millisecond)
	if st := l.Stats(); st.APICalls != 3 || st.RateLimited != 2 {
		t.Errorf("stats %+v, want 3 calls and 2 rate-limited", st)
	}
	now = now.Add(time.Second)
	send(t, l, m)
	l.Drain(200 * time.Millisecond)
	if st := l.Stats(); st.APICalls != 4 {
		t.Errorf("after a second: %+v", st)
	}
}
