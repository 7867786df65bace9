package main

import (
	"context"
	"errors"
	"fmt"
	"os/signal"
	"time"

	"github.com/acme-signing-helper/acme-signing-helper/credentials"
	"github.com/acme-signing-helper/acme-signing-helper/signer"
)

const updateHelp = `[flags]

Write temporary AWS credentials into a profile of the shared credentials
file and keep them fresh: renew --refresh-margin before expiry, retry with
backoff on failure (the last good credentials stay), exit 1 only when they
expire (--retry-errors: keep retrying past that, as the official 1.8).
Other profiles stay byte for byte; the file is replaced atomically, mode
0600. Takes the credential-process flags.
`

// updateBeforeRename, when set, runs between writing the new credentials
// file and renaming it into place. Production leaves it nil; the tests set
// it (testhooks_test.go) to kill the process there.
var updateBeforeRename func()

type updateOptions struct {
	cp              credentialProcessOptions
	profile         string
	credentialsFile string
	once            bool
	retryErrors     bool
	margin          time.Duration
}

func (o *updateOptions) validate() error {
	u := credentials.UpdateOptions{Profile: o.profile, Once: o.once, RetryErrors: o.retryErrors, RefreshMargin: o.margin, Session: time.Duration(o.cp.sessionDuration) * time.Second}
	if err := credsUsage("update", u.Check()); err != nil {
		return err
	}
	return o.cp.validate()
}

// sessionFetcher makes a new session on every call, loading the
// certificate material again so that a renewed certificate is used.
func sessionFetcher(e *env, cp *credentialProcessOptions) credentials.Fetcher {
	return func(ctx context.Context) (signer.Credentials, error) {
		m, cfg, err := cp.signerInputs(e)
		if err != nil {
			return signer.Credentials{}, err
		}
		return signer.CreateSession(ctx, m, cfg)
	}
}

func runUpdate(e *env, args []string) error {
	if err := rejectPasswordFlag("update", args); err != nil {
		return err
	}
	var o updateOptions
	fs := newFlagSet(e, "update", updateHelp)
	o.cp.addFlags(fs)
	fs.StringVar(&o.profile, "profile", "default", "profile `NAME` to write")
	fs.StringVar(&o.credentialsFile, "credentials-file", "", "credentials `FILE` (default $AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials)")
	fs.BoolVar(&o.once, "once", false, "write once and exit")
	fs.BoolVar(&o.retryErrors, "retry-errors", false, "keep retrying with backoff when the credentials expire without a renewal, instead of exiting 1")
	fs.DurationVar(&o.margin, "refresh-margin", credentials.DefaultRefreshMargin, marginUsage)
	setGroup(fs, "update", "profile", "credentials-file", "once", "retry-errors", "refresh-margin")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("update takes flags only", "update: unexpected argument %q", fs.Arg(0))
	}
	o.cp.collect(fs)
	o.margin = defaultMargin(fs, o.margin, o.cp.sessionDuration)
	if err := o.validate(); err != nil {
		return err
	}
	path := o.credentialsFile
	if path == "" {
		p, err := credentials.DefaultSharedCredentialsFile(e.lookupEnv)
		if err != nil {
			return fmt.Errorf("update: %w", err)
		}
		path = p
	}
	file := &credentials.SharedFile{Path: path, Profile: o.profile, BeforeRename: updateBeforeRename}
	if note := credentials.UncheckedModes(path); note != "" {
		e.log.Warn("update: " + note)
	}
	ctx, stop := signal.NotifyContext(e.ctx, stopSignals...)
	defer stop()
	r := &credentials.Refresher{
		Fetch:        sessionFetcher(e, &o.cp),
		Margin:       o.margin,
		Now:          e.now,
		StopOnExpiry: !o.retryErrors,
		Log:          e.log,
		OnUpdate: func(ctx context.Context, cr signer.Credentials) error {
			if err := file.Write(ctx, cr); err != nil {
				return withHint(fmt.Errorf("update: %w", err), "check that the credentials file and its directory are writable by this user")
			}
			fmt.Fprintf(e.stderr, "%s: wrote %s to profile %q of %s, valid until %s\n", progName, cr.AccessKeyID, o.profile, path, cr.Expiration.UTC().Format(time.RFC3339))
			return nil
		},
	}
	if o.once {
		_, err := r.Refresh(ctx)
		return err
	}
	err := r.Run(ctx)
	if ctx.Err() != nil && e.ctx.Err() == nil {
		// SIGTERM or SIGINT: a normal stop.
		fmt.Fprintf(e.stderr, "%s: update: stopping; profile %q keeps the last credentials\n", progName, o.profile)
		return nil
	}
	if errors.Is(err, credentials.ErrExpired) {
		return fmt.Errorf("update: %w", err)
	}
	return err
}
