package clilog

import (
	"bytes"
	"log/slog"
	"testing"
)

func TestHandler(t *testing.T) {
	var b bytes.Buffer
	l := slog.New(New(&b, "prog", slog.LevelDebug))
	l.With("file", "seed.txt").WithGroup("g").Warn("readable by others", "mode", "0644")
	l.Error("failed")
	l.Debug("detail", "n", 1)
	want := "prog: warning: readable by others (file=seed.txt g.mode=0644)\nprog: error: failed\nlevel=DEBUG msg=detail n=1\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	b.Reset()
	slog.New(New(&b, "prog", slog.LevelWarn)).Info("quiet")
	if b.Len() != 0 {
		t.Errorf("info printed at level warn: %q", b.String())
	}
}
