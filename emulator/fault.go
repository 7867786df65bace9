package emulator

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Fault is a misbehaviour injected into the next calls, for tests of
// retries, timeouts and diagnostics. Faults queue up: each request takes
// the first queued fault until its Count is used up.
type Fault struct {
	// Status, when non-zero, answers with this HTTP status before any
	// verification: 429 is a ThrottlingException, 5xx an
	// InternalServerException (503 ServiceUnavailableException), other
	// values an error of code Code.
	Status int
	// Code overrides the X-Amzn-ErrorType of Status; Message its message.
	Code    string
	Message string
	// Count is the number of calls the fault applies to: 0 means 1, a
	// negative value means every call from now on.
	Count int
	// Delay holds the answer back this long (the client may give up).
	Delay time.Duration
	// Truncate sends a response whose Content-Length promises the whole
	// body, sends half of it and closes the connection.
	Truncate bool
	// Hang holds the request until the client gives up (or Close).
	Hang bool
	// DateOffset moves the emulator's clock for the call: the date check
	// and the Date response header both use Now()+DateOffset.
	DateOffset time.Duration
}

// InjectFault queues f.
func (s *Server) InjectFault(f Fault) {
	if f.Count == 0 {
		f.Count = 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, f)
}

// ClearFaults drops every queued fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// nextFaultLocked takes one use of the first queued fault.
func (s *Server) nextFaultLocked() (Fault, bool) {
	if len(s.faults) == 0 {
		return Fault{}, false
	}
	f := s.faults[0]
	if f.Count > 0 {
		s.faults[0].Count--
		if s.faults[0].Count == 0 {
			s.faults = s.faults[1:]
		}
	}
	return f, true
}

func (f Fault) apiError() *apiError {
	e := &apiError{status: f.Status, code: f.Code, msg: f.Message}
	if e.code == "" {
		switch {
		case f.Status == http.StatusTooManyRequests:
			e.code = CodeThrottling
		case f.Status == http.StatusServiceUnavailable:
			e.code = "ServiceUnavailableException"
		case f.Status >= 500:
			e.code = CodeInternal
		case f.Status == http.StatusForbidden:
			e.code = CodeAccessDenied
		case f.Status == http.StatusNotFound:
			e.code = CodeResourceNotFound
		default:
			e.code = CodeValidation
		}
	}
	if e.msg == "" {
		switch e.code {
		case CodeThrottling:
			e.msg = "Rate exceeded"
		case CodeInternal:
			e.msg = "Internal server error (injected fault)"
		default:
			e.msg = fmt.Sprintf("Injected fault: HTTP %d", f.Status)
		}
	}
	return e
}

// ErrFaultSpec is wrapped by ParseFault's errors.
var ErrFaultSpec = errors.New("bad fault spec")

// FaultSyntax describes ParseFault's input, for help texts.
const FaultSyntax = "ITEM[,ITEM...][xN|x*] with ITEM one of: an HTTP status (429, 500, 503...), truncate, hang, delay=DURATION, skew=DURATION (e.g. 429x2, 500x*, delay=2s,500, truncate, hang, skew=-10m)"

// ParseFault parses a fault spec: comma-separated items that make up one
// fault, with an optional repeat suffix "xN" (N calls) or "x*" (every
// call). Items: an HTTP status (400..599), "truncate", "hang",
// "delay=DURATION" and "skew=DURATION" (Go durations, skew may be
// negative). Examples: "429x2", "500x*", "delay=2s,500", "skew=10m".
func ParseFault(spec string) (Fault, error) {
	var f Fault
	s := strings.TrimSpace(spec)
	if s == "" {
		return f, fmt.Errorf("%w: empty", ErrFaultSpec)
	}
	if i := strings.LastIndex(s, "x"); i > 0 && i < len(s)-1 {
		rep := s[i+1:]
		if rep == "*" {
			f.Count = -1
			s = s[:i]
		} else if n, err := strconv.Atoi(rep); err == nil {
			if n < 1 {
				return f, fmt.Errorf("%w %q: repeat count must be at least 1", ErrFaultSpec, spec)
			}
			f.Count = n
			s = s[:i]
		}
	}
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		k, v, hasV := strings.Cut(item, "=")
		switch {
		case k == "truncate" && !hasV:
			f.Truncate = true
		case k == "hang" && !hasV:
			f.Hang = true
		case k == "delay" && hasV:
			d, err := time.ParseDuration(v)
			if err != nil || d < 0 {
				return f, fmt.Errorf("%w %q: delay %q is not a non-negative duration like 2s", ErrFaultSpec, spec, v)
			}
			f.Delay = d
		case k == "skew" && hasV:
			d, err := time.ParseDuration(v)
			if err != nil {
				return f, fmt.Errorf("%w %q: skew %q is not a duration like 10m or -10m", ErrFaultSpec, spec, v)
			}
			f.DateOffset = d
		default:
			n, err := strconv.Atoi(item)
			if err != nil || n < 400 || n > 599 || hasV {
				return f, fmt.Errorf("%w %q: unknown item %q (want an HTTP status 400..599, truncate, hang, delay=DURATION or skew=DURATION)", ErrFaultSpec, spec, item)
			}
			f.Status = n
		}
	}
	return f, nil
}

// String formats f in ParseFault's syntax.
func (f Fault) String() string {
	var items []string
	if f.Status != 0 {
		items = append(items, strconv.Itoa(f.Status))
	}
	if f.Truncate {
		items = append(items, "truncate")
	}
	if f.Hang {
		items = append(items, "hang")
	}
	if f.Delay != 0 {
		items = append(items, "delay="+f.Delay.String())
	}
	if f.DateOffset != 0 {
		items = append(items, "skew="+f.DateOffset.String())
	}
	s := strings.Join(items, ",")
	switch {
	case f.Count < 0:
		s += "x*"
	case f.Count > 1:
		s += "x" + strconv.Itoa(f.Count)
	}
	return s
}
