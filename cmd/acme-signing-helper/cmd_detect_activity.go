package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/audit"
	"github.com/acme-signing-helper/acme-signing-helper/permissions"
)

// validateActivity checks detect --activity against the other flags: the
// logs are read a second time, so not from standard input, and not with
// --stream or --compat.
func (o *detectOptions) validateActivity() error {
	if !o.activity {
		return nil
	}
	if o.stream || o.compat {
		return usageErrorf("--activity reads the logs again after the verdicts: drop --stream and --compat", "detect: --activity cannot be combined with --stream or --compat")
	}
	for _, p := range o.paths {
		if p == "-" {
			return usageErrorf("--activity reads the logs twice: give files or directories, not -", "detect: --activity cannot read standard input")
		}
	}
	return nil
}

// flagged is whether detect --activity lists a session's calls.
func flagged(r audit.Result) bool {
	switch r.Verdict {
	case audit.Mismatch, audit.UnknownIdentity, audit.Replay:
		return r.HasSessionName
	case audit.NoSessionName:
		return r.CertSerial != ""
	}
	return false
}

// detectActivity is detect --activity: for each flagged session, the calls
// made with it in the same logs (permissions.Activity), after the
// verdicts: text blocks, or one JSON object per session with --format json.
func detectActivity(e *env, o *detectOptions, ro audit.Options, rs []audit.Result) error {
	var keys []permissions.SessionKey
	var verdicts []audit.Result
	for _, r := range rs {
		if !flagged(r) {
			continue
		}
		name := r.SessionName
		if r.Verdict == audit.NoSessionName {
			name = r.CertSerial
		}
		keys = append(keys, permissions.SessionKey{Identity: r.Identity, Name: name, Created: r.Time})
		verdicts = append(verdicts, r)
	}
	if len(keys) == 0 {
		return nil
	}
	ro.Progress = nil
	acts, _, err := permissions.Activity(e.ctx, o.paths, ro, keys)
	if err != nil {
		// The same read errors as the verdicts' read, which reported them
		// (exit 2): the activity of what could be read is still printed.
		e.log.Debug("activity: read", "err", err)
	}
	for i, a := range acts {
		var werr error
		if o.format == "json" {
			werr = json.NewEncoder(e.stdout).Encode(map[string]any{"activity": activityJSON(verdicts[i], a)})
		} else {
			werr = writeActivityText(e.stdout, verdicts[i], a)
		}
		if werr != nil {
			return fmt.Errorf("write activity: %w", werr)
		}
	}
	return nil
}

func activityJSON(r audit.Result, a permissions.SessionActivity) map[string]any {
	v := map[string]any{
		"verdict": r.Verdict, "identity": a.Session.Identity, "session_name": a.Session.Name, "created": a.Session.Created,
		"calls": a.Calls, "roles": a.Roles, "source_ips": a.SourceIPs, "actions": a.Actions, "unmapped": a.Unmapped, "denied": a.Denied,
	}
	if a.Calls > 0 {
		v["first"], v["last"] = a.First, a.Last
	}
	return v
}

func writeActivityText(w io.Writer, r audit.Result, a permissions.SessionActivity) error {
	var b strings.Builder
	fmt.Fprintf(&b, "activity %s %s session %s created %s: ", r.Verdict, audit.QuoteField(a.Session.Identity), audit.QuoteField(a.Session.Name), a.Session.Created.UTC().Format(time.RFC3339))
	if a.Calls == 0 {
		b.WriteString("no later calls in these logs\n")
		_, err := io.WriteString(w, b.String())
		return err
	}
	fmt.Fprintf(&b, "calls %d from %s to %s, source IPs %s, roles %s\n", a.Calls, a.First.UTC().Format(time.RFC3339), a.Last.UTC().Format(time.RFC3339),
		strings.Join(a.SourceIPs, ","), strings.Join(a.Roles, ","))
	for _, x := range a.Actions {
		res := "*"
		if !x.Wildcard {
			res = strings.Join(x.Resources, " ")
		}
		fmt.Fprintf(&b, "  %s %s calls %d first %s last %s\n", x.Action, res, x.Calls, x.First.UTC().Format(time.RFC3339), x.Last.UTC().Format(time.RFC3339))
	}
	for _, d := range a.Denied {
		res := "*"
		if len(d.Resources) > 0 {
			res = strings.Join(d.Resources, " ")
		}
		fmt.Fprintf(&b, "  denied %s %s calls %d (%s)\n", d.Action, res, d.Calls, d.ErrorCode)
	}
	for _, u := range a.Unmapped {
		fmt.Fprintf(&b, "  unmapped %s %s calls %d\n", u.Service, u.Operation, u.Calls)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
