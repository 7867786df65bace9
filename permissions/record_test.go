package permissions_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/permissions"
	"github.com/acme-signing-helper/acme-signing-helper/totp"
	"github.com/acme-signing-helper/acme-signing-helper/trustpolicy"
)

// TestMain makes the test binary the command Record runs when
// PERMISSIONS_RECORD_CHILD is set: it sends one ApiCall datagram where
// the CSM variables say, prints its profile file and exits 3.
func TestMain(m *testing.M) {
	if os.Getenv("PERMISSIONS_RECORD_CHILD") == "1" {
		c, err := net.Dial("udp", os.Getenv("AWS_CSM_HOST")+":"+os.Getenv("AWS_CSM_PORT"))
		if err != nil || os.Getenv("AWS_CSM_ENABLED") != "true" {
			os.Exit(9)
		}
		c.Write([]byte(`{"Type":"ApiCall","Service":"S3","Api":"ListBuckets"}`))
		c.Close()
		if cfg := os.Getenv("AWS_CONFIG_FILE"); cfg != "" {
			b, _ := os.ReadFile(cfg)
			fi, _ := os.Stat(cfg)
			fmt.Printf("%s\nprofile=%s mode=%v\n%s", cfg, os.Getenv("AWS_PROFILE"), fi.Mode().Perm(), b)
		}
		os.Exit(3)
	}
	os.Exit(m.Run())
}

func TestRecord(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	o := permissions.RecordOptions{Env: append(os.Environ(), "PERMISSIONS_RECORD_CHILD=1"), Stdout: &out, Stderr: &out, Quiet: permissions.DefaultQuiet,
		CredentialProcess: []string{"/usr/bin/acme signing helper", "credential-process", "--role-arn", "arn:aws:iam::123456789012:role/r"}}
	var started string
	o.Started = func(addr string) { started = addr }
	rec, err := permissions.Record(context.Background(), []string{exe}, o)
	if err != nil {
		t.Fatal(err)
	}
	if rec.ExitCode != 3 || rec.Stats.APICalls != 1 || !strings.HasPrefix(started, "127.0.0.1:") {
		t.Fatalf("exit %d, stats %+v, started %q; output %s", rec.ExitCode, rec.Stats, started, out.String())
	}
	doc, err := rec.PolicyJSON()
	if err != nil || !strings.Contains(string(doc), "s3:ListAllMyBuckets") {
		t.Errorf("policy %s: %v", doc, err)
	}
	want := "profile=" + permissions.RecordProfile + " mode=-rw-------\n[profile " + permissions.RecordProfile + "]\ncredential_process = /usr/bin/acme\\ signing\\ helper credential-process --role-arn arn:aws:iam::123456789012:role/r\n"
	cfg, got, _ := strings.Cut(out.String(), "\n")
	if got != want {
		t.Errorf("child saw\n%s\nwant\n%s", got, want)
	}
	if _, err := os.Stat(filepath.Dir(cfg)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the profile's directory %q is left behind: %v", filepath.Dir(cfg), err)
	}
	o.CredentialProcess = []string{"x", "a\nb"}
	var le *permissions.ProcessLineError
	if _, err := permissions.Record(context.Background(), []string{exe}, o); !errors.As(err, &le) {
		t.Errorf("line break: got %v, want a *ProcessLineError", err)
	}
	o.CredentialProcess = nil
	var ce *permissions.CommandError
	if _, err := permissions.Record(context.Background(), []string{"/nonexistent/command"}, o); !errors.As(err, &ce) || ce.Name != "/nonexistent/command" {
		t.Errorf("missing command: got %v, want a *CommandError", err)
	}
}

// TestCollect: each flush saves the result so far; the end of ctx ends
// Collect without an error.
func TestCollect(t *testing.T) {
	l, err := permissions.Listen("127.0.0.1:0", permissions.ListenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx, cancel := context.WithCancel(context.Background())
	flush := make(chan os.Signal, 1)
	saved := make(chan int, 1)
	done := make(chan error, 1)
	go func() {
		done <- l.Collect(ctx, flush, func(r *permissions.Result) { saved <- r.Report.Calls })
	}()
	c, err := net.Dial("udp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	c.Write([]byte(`{"Type":"ApiCall","Service":"STS","Api":"GetCallerIdentity"}`))
	c.Close()
	for i := 0; i < 200 && l.Stats().APICalls == 0; i++ {
		time.Sleep(5 * time.Millisecond)
	}
	flush <- syscall.SIGHUP
	if got := <-saved; got != 1 {
		t.Errorf("saved %d calls, want 1", got)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Collect: %v", err)
	}
}

func TestResultOutput(t *testing.T) {
	b := permissions.NewBuilder()
	empty := b.Result()
	b.Add(permissions.Observation{Service: "sts.amazonaws.com", Operation: "GetCallerIdentity", Time: time.Unix(1e9, 0)})
	r := b.Result()
	for _, format := range permissions.Formats {
		doc, err := r.Render(format, "web")
		if err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		switch format {
		case "policy":
			if p, err := trustpolicy.Parse(doc); err != nil || len(p.Statement) != 1 {
				t.Errorf("policy %s: %v", doc, err)
			}
		case "cloudformation":
			if !bytes.Contains(doc, []byte("AWS::IAM::ManagedPolicy")) || !bytes.Contains(doc, []byte(`"web"`)) {
				t.Errorf("template %s", doc)
			}
		case "json":
			if !bytes.Contains(doc, []byte(`"report"`)) || bytes.Contains(doc, []byte(`"policy": null`)) {
				t.Errorf("json %s", doc)
			}
		}
	}
	if doc, err := empty.Render("json", ""); err != nil || !bytes.Contains(doc, []byte(`"policy": null`)) {
		t.Errorf("empty json %s: %v", doc, err)
	}
	var out, rep bytes.Buffer
	if err := r.Write(&out, &rep, "policy", "web"); err != nil || out.Len() == 0 || !strings.HasPrefix(rep.String(), "calls 1 ") {
		t.Errorf("Write: %v, out %q, report %q", err, out.String(), rep.String())
	}
	out.Reset()
	rep.Reset()
	if err := empty.Write(&out, &rep, "policy", "web"); err != permissions.ErrNoActions || out.Len() != 0 || rep.Len() == 0 {
		t.Errorf("empty Write: %v, out %q, report %q", err, out.String(), rep.String())
	}
	out.Reset()
	rep.Reset()
	if err := empty.Write(&out, &rep, "json", "web"); err != permissions.ErrNoActions || out.Len() == 0 || rep.Len() != 0 {
		t.Errorf("empty json Write: %v, out %q, report %q", err, out.String(), rep.String())
	}
	path := filepath.Join(t.TempDir(), "policy.json")
	if err := r.WriteFile(path, "policy", ""); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("file: %v %v", fi, err)
	}
	if err := empty.WriteFile(path+"2", "policy", ""); err != permissions.ErrNoActions {
		t.Errorf("empty WriteFile: %v", err)
	}
}

func TestParseWindow(t *testing.T) {
	var f permissions.Filter
	if err := f.ParseWindow("2026-11-21T19:49:41Z", "@1800000000"); err != nil {
		t.Fatal(err)
	}
	if !f.Since.Equal(time.Date(2026, 11, 21, 19, 49, 41, 0, time.UTC)) || f.Until.Unix() != 1800000000 {
		t.Errorf("got %v..%v", f.Since, f.Until)
	}
	var we *permissions.WindowError
	err := f.ParseWindow("", "yesterday")
	if !errors.As(err, &we) || we.Bound != "until" || !errors.Is(err, totp.ErrInvalidTime) || !strings.HasPrefix(err.Error(), "until: ") {
		t.Errorf("got %v, want a *WindowError for until", err)
	}
	if err := (&permissions.Filter{}).ParseWindow("", ""); err != nil {
		t.Errorf("empty window: %v", err)
	}
}
