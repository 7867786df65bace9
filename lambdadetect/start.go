package lambdadetect

import (
	"context"
	"encoding/json"
	"io"
	"sync"

	"github.com/aws/aws-lambda-go/lambda"
)

// Start runs f as the Lambda function through the runtime API
// (AWS_LAMBDA_RUNTIME_API); it returns only if the runtime loop ends,
// which the caller treats as a failure. A failed invocation's error is
// returned to Lambda (which retries and then sends the event to the
// dead-letter queue) and logged to errLog as one JSON line with the fix
// from hint (the CLI's hints.For), so the log says what to change.
func Start(f *Function, errLog io.Writer, hint func(error) string) {
	var mu sync.Mutex
	lambda.Start(func(ctx context.Context, event json.RawMessage) (Outcome, error) {
		out, err := f.Handle(ctx, event)
		if err != nil {
			line, _ := json.Marshal(struct {
				Level string `json:"level"`
				Error string `json:"error"`
				Hint  string `json:"hint,omitempty"`
			}{"error", err.Error(), hint(err)})
			mu.Lock()
			errLog.Write(append(line, '\n'))
			mu.Unlock()
		}
		return out, err
	})
}
