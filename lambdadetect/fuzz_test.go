package lambdadetect

import (
	"context"
	"encoding/json"
	"testing"
)

// FuzzHandle: any event (outside input: whoever can put events on the bus
// or objects in the bucket) gives verdicts or an error, never a panic,
// and every verdict logged but legit is published.
func FuzzHandle(f *testing.F) {
	f.Add([]byte(apiCallEvent("e", `{"eventTime":"2026-11-21T19:49:41Z","eventSource":"rolesanywhere.amazonaws.com","eventName":"CreateSession","sourceIPAddress":"192.0.2.1","requestParameters":{"roleSessionName":"000000"},"responseElements":{"x509Subject":"CN=foo.not-your-co.com"}}`)))
	f.Add([]byte(s3Event(testKey)))
	f.Add([]byte(objectCreatedEvent(testKey)))
	f.Add([]byte(`{"detail-type":"AWS API Call via CloudTrail","detail":{"eventSource":"rolesanywhere.amazonaws.com","eventName":"CreateSession","eventTime":"x"}}`))
	f.Add([]byte(`{"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"trail-bucket"},"object":{"key":"%zz"}}}]}`))
	f.Fuzz(func(t *testing.T, event []byte) {
		h := newHarness(t)
		h.objects.objects[testKey] = gz(t, `{"Records":[`+createSession(t, t0, "123456", "192.0.2.1", "a")+`]}`)
		out, err := h.f.Handle(context.Background(), json.RawMessage(event))
		if err != nil {
			return
		}
		if out.Findings != len(h.topic.msgs) || len(logLines(t, h.log)) != out.Results {
			t.Fatalf("outcome %+v, %d published, log %q", out, len(h.topic.msgs), h.log)
		}
	})
}
