package audit

// SessionKey names the session of a KindSessionCall event: its
// assumed-role ARN and creation time, the key by which Finish and Stream
// judge each session once. It is "" for the other kinds. Callers that see
// one session's calls in several batches (the Lambda function: one
// invocation per event) use it to judge the session once across them.
func (e *Event) SessionKey() string { return e.sessionID }

// SameSessionWindow bounds the time between a session's CreateSession (or
// AssumeRole) record and its creation time as later calls record it: a
// later call whose identity and session name match a CreateSession within
// the window belongs to that session and gets no verdict of its own.
const SameSessionWindow = sameSessionWindow
