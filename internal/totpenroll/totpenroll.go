// Package totpenroll enrolls a workload in the seeds database that
// detection reads: it finds the workload's ACME certificate (a file, or
// the lego/certbot/acme.sh layout through signer.LocateCertificate), takes
// its seeds-database identity (totp.CertificateIdentity), and stores the
// TOTP seed under it: the key of the machine's fingerprint
// (internal/totpkey), or a random seed handed to the TPM, whose blob is
// written for a tpm-hmac:FILE fingerprint (totp.EnrollDevice with
// tpm.Importer). The entry is merged into the database file (totp.Enroll)
// or returned to be printed.
//
// Security considerations: the seed is a secret. It goes into the seeds
// database (written atomically, mode 0600) or into Result.Entry, which the
// caller prints once and clears, and nowhere else: a TPM-held seed is
// cleared from memory after use and only the TPM's blob, useless on
// another TPM, is written next to it. A database that group or others may
// write is refused; one they may read is reported (Result.OthersCanRead)
// and logged. Errors name files and identities, never a seed.
package totpenroll

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/acme-signing-helper/acme-signing-helper/internal/totpkey"
	"github.com/acme-signing-helper/acme-signing-helper/signer"
	"github.com/acme-signing-helper/acme-signing-helper/totp"
	"github.com/acme-signing-helper/acme-signing-helper/tpm"
)

// The errors of Options.Check.
var (
	// ErrTPMNeedsOut: a TPM-held seed (TPM) needs the file for its blob
	// (Out).
	ErrTPMNeedsOut = errors.New("a TPM-held seed needs a file for its blob")
	// ErrOutNeedsTPM: a blob file (Out) without TPM.
	ErrOutNeedsTPM = errors.New("a blob file is written for a TPM-held seed only")
	// ErrTPMFingerprint: TPM with fingerprint sources (a TPM-held seed is
	// random).
	ErrTPMFingerprint = errors.New("a TPM-held seed is random: it excludes fingerprint sources")
	// ErrDeviceNeedsTPM: a TPM device without TPM.
	ErrDeviceNeedsTPM = errors.New("a TPM device is used for a TPM-held seed only")
	// ErrCertificateAndLayout: a certificate file together with an ACME
	// directory or domain.
	ErrCertificateAndLayout = errors.New("a certificate file and an ACME client's layout exclude each other")
	// ErrNoCertificate: neither a certificate file nor an ACME directory
	// and domain.
	ErrNoCertificate = errors.New("no certificate: a certificate file or an ACME directory and domain are required")
	// ErrLayoutIncomplete: an ACME directory without a domain, or the
	// reverse.
	ErrLayoutIncomplete = errors.New("an ACME directory and a domain go together")
	// ErrReplaceNeedsDB: Replace without a database file (the entry is
	// then returned, there is nothing to replace).
	ErrReplaceNeedsDB = errors.New("replacing a stored seed needs a seeds database")
)

// Options say what to enroll and where.
type Options struct {
	// Key is where the seed comes from: its Fingerprints (TPM unset), or,
	// with TPM, the TPM at its TPMDevice. Its SeedFile is not used.
	Key totpkey.Source
	// Certificate is the workload's certificate file (leaf or full
	// chain); else ACMEDir and Domain name it in a lego, certbot or
	// acme.sh layout.
	Certificate, ACMEDir, Domain string
	// DB is the seeds database to merge the entry into (made when
	// missing); "" returns it in Result.Entry instead.
	DB string
	// Replace overwrites a different seed stored for the identity.
	Replace bool
	// TPM draws a random seed and gives it to the TPM; its blob goes to
	// Out (mode 0600, never over an existing file).
	TPM bool
	Out string
}

// Check checks o without I/O: the Err* errors of this package, the key
// source's (totpkey.Source.Check; not with TPM) and signer.CheckDomain's
// *signer.DomainError, in that order.
func (o *Options) Check() error {
	switch {
	case o.TPM && o.Out == "":
		return ErrTPMNeedsOut
	case !o.TPM && o.Out != "":
		return ErrOutNeedsTPM
	case o.TPM && len(o.Key.Fingerprints) > 0:
		return ErrTPMFingerprint
	case !o.TPM && o.Key.TPMDevice != "":
		return ErrDeviceNeedsTPM
	}
	if err := o.Key.Check(false); !o.TPM && err != nil {
		return err
	}
	switch {
	case o.Certificate != "" && (o.ACMEDir != "" || o.Domain != ""):
		return ErrCertificateAndLayout
	case o.Certificate == "" && o.ACMEDir == "" && o.Domain == "":
		return ErrNoCertificate
	case o.Certificate == "" && (o.ACMEDir == "" || o.Domain == ""):
		return ErrLayoutIncomplete
	case o.Replace && o.DB == "":
		return ErrReplaceNeedsDB
	case o.Domain != "":
		return signer.CheckDomain(o.Domain)
	}
	return nil
}

// Result is what Run did.
type Result struct {
	// Identity is the workload's seeds-database identity.
	Identity string
	// Entry is the seeds database of the one entry when Options.DB is ""
	// (a secret: it holds the seed; clear it after use).
	Entry []byte
	// Created, OthersCanRead and Changed are totp.Enroll's, for DB.
	totp.EnrollResult
}

// CertificateError is a certificate file that cannot be read (Err is
// signer.ReadLeafCertificate's *signer.FileError) or that names no
// identity (Err is totp.CertificateIdentity's).
type CertificateError struct {
	Path string
	Err  error
}

func (e *CertificateError) Error() string {
	var fe *signer.FileError
	if errors.As(e.Err, &fe) {
		return fmt.Sprintf("read certificate: %v", fe.Err)
	}
	return fmt.Sprintf("certificate %q has %v", e.Path, e.Err)
}

// Unwrap returns the cause.
func (e *CertificateError) Unwrap() error { return e.Err }

// DeviceError is a failure to enroll a TPM-held seed other than reading
// or merging the seeds database: the TPM's import, the blob file, writing
// the database. Its text is Err's.
type DeviceError struct{ Err error }

func (e *DeviceError) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *DeviceError) Unwrap() error { return e.Err }

// Run enrolls the workload of o (checked with Check). The certificate
// path of ACMEDir and Domain is signer.LocateCertificate's (the private
// key is not needed; a *signer.LayoutError when absent); the leaf is the
// first non-CA certificate of the file (a *CertificateError when it
// cannot be read or names no identity). The database steps fail with
// totp.Enroll's *totp.EnrollError; the other failures of a TPM-held seed
// are a *DeviceError. The result is filled in as far as Run got.
func Run(o Options) (Result, error) {
	var res Result
	if o.Key.Logger == nil {
		o.Key.Logger = slog.New(slog.DiscardHandler)
	}
	path := o.Certificate
	if path == "" {
		var err error
		if path, err = signer.LocateCertificate(o.ACMEDir, o.Domain); err != nil {
			return res, err
		}
	}
	leaf, err := signer.ReadLeafCertificate(path)
	if fe := (*signer.FileError)(nil); errors.As(err, &fe) && fe.Err != signer.ErrFileTooLarge {
		return res, &CertificateError{Path: path, Err: err}
	} else if err != nil {
		return res, err
	}
	if res.Identity, err = totp.CertificateIdentity(leaf); err != nil {
		return res, &CertificateError{Path: path, Err: err}
	}
	if o.TPM {
		return enrollDevice(o, res)
	}
	k, err := o.Key.Key()
	if err != nil {
		return res, err
	}
	if o.DB == "" {
		if res.Entry, err = totp.EntryJSON(res.Identity, k); err != nil {
			return res, fmt.Errorf("encode seeds database entry: %w", err)
		}
		return res, nil
	}
	res.EnrollResult, err = totp.Enroll(o.DB, res.Identity, k, o.Replace)
	if res.Created {
		o.Key.Logger.Debug("creating seeds database", "file", o.DB)
	}
	warnOthersCanRead(o, res)
	totpkey.WarnModeUnchecked(o.Key.Logger, "seeds database", o.DB)
	return res, err
}

// enrollDevice is Run with TPM: a random seed into the TPM, its blob to
// Out, the seed into the database (or Entry) only.
func enrollDevice(o Options, res Result) (Result, error) {
	dr, err := totp.EnrollDevice(tpm.Importer{Device: o.Key.TPMDevice}, totp.DeviceEnrollOptions{BlobPath: o.Out, DBPath: o.DB, Identity: res.Identity, Replace: o.Replace})
	res.EnrollResult, res.Entry = dr.EnrollResult, dr.Entry
	var ee *totp.EnrollError
	if errors.As(err, &ee) && (ee.Op == "load" || ee.Op == "merge") {
		return res, err
	} else if err != nil {
		return res, &DeviceError{Err: err}
	}
	warnOthersCanRead(o, res)
	return res, nil
}

// warnOthersCanRead logs that the seeds database was readable by group or
// others.
func warnOthersCanRead(o Options, res Result) {
	if res.OthersCanRead {
		o.Key.Logger.Warn("seeds database is readable by group or others; seeds are secrets (a rewrite makes it 0600)", "file", o.DB)
	}
}
