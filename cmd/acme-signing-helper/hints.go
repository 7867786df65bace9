package main

import "github.com/acme-signing-helper/acme-signing-helper/internal/hints"

// hintOf returns the fix for err in the command line's words, or "". The
// fix texts for package errors live in one place, internal/hints; main's
// own usageError and withHint carry theirs (hints.For asks them first).
func hintOf(err error) string { return hints.For(err) }
