// Package clilog is the log/slog handler of acme-signing-helper: warnings
// and errors in the program's one shape, "PROG: warning: MESSAGE
// (key=value ...)", the shape of the warnings the program prints itself;
// records below slog.LevelWarn (--debug) in slog's text form.
//
// Security considerations: the handler prints what it is given; callers
// never log secrets (keys, passwords, seeds, tokens).
package clilog

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
)

// Handler is the slog.Handler; make one with New.
type Handler struct {
	slog.Handler              // the text handler for records below Warn
	attrs        slog.Handler // the same attributes, formatted into buf
	buf          *bytes.Buffer
	mu           *sync.Mutex
	w            io.Writer
	prog         string
}

// New returns a handler writing records of level l and above to w.
func New(w io.Writer, prog string, l slog.Level) *Handler {
	drop := func(keys ...string) func([]string, slog.Attr) slog.Attr {
		return func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && slices.Contains(keys, a.Key) {
				return slog.Attr{}
			}
			return a
		}
	}
	buf := &bytes.Buffer{}
	return &Handler{
		Handler: slog.NewTextHandler(w, &slog.HandlerOptions{Level: l, ReplaceAttr: drop(slog.TimeKey)}),
		attrs:   slog.NewTextHandler(buf, &slog.HandlerOptions{ReplaceAttr: drop(slog.TimeKey, slog.LevelKey, slog.MessageKey)}),
		buf:     buf, mu: &sync.Mutex{}, w: w, prog: prog,
	}
}

// Handle writes r: a warning or error in the program's shape, anything
// else as slog's text handler does.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level < slog.LevelWarn {
		return h.Handler.Handle(ctx, r)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.buf.Reset()
	if err := h.attrs.Handle(ctx, r); err != nil {
		return err
	}
	kind := "warning"
	if r.Level >= slog.LevelError {
		kind = "error"
	}
	line := h.prog + ": " + kind + ": " + r.Message
	if rest := strings.TrimSpace(h.buf.String()); rest != "" {
		line += " (" + rest + ")"
	}
	_, err := io.WriteString(h.w, line+"\n")
	return err
}

// WithAttrs returns a handler adding a to every record.
func (h *Handler) WithAttrs(a []slog.Attr) slog.Handler {
	c := *h
	c.Handler, c.attrs = h.Handler.WithAttrs(a), h.attrs.WithAttrs(a)
	return &c
}

// WithGroup returns a handler putting later attributes in group name.
func (h *Handler) WithGroup(name string) slog.Handler {
	c := *h
	c.Handler, c.attrs = h.Handler.WithGroup(name), h.attrs.WithGroup(name)
	return &c
}
