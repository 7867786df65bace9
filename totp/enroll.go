package totp

import (
	"errors"
	"io/fs"
)

// EnrollResult says what Enroll found and did.
type EnrollResult struct {
	// Created: there was no database at the path.
	Created bool
	// OthersCanRead: the database was readable by group or others (the
	// rewrite, if any, makes it 0600).
	OthersCanRead bool
	// Changed: the entry was added or replaced and the file written;
	// false when the identity had this seed already (nothing written).
	Changed bool
}

// EnrollError is an Enroll failure at one step: Op is "load" (reading the
// existing database), "merge" (Err is a *SeedChangedError) or "write". Its
// text is Err's.
type EnrollError struct {
	Op, Path string
	Err      error
}

func (e *EnrollError) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *EnrollError) Unwrap() error { return e.Err }

// Enroll puts identity with key k into the seeds database at path, made
// when missing: it loads the database (LoadSeedDB: refused when group or
// others may write it), merges the entry (a different seed stored for
// identity is a *SeedChangedError unless replace) and, when that changed
// anything, writes it back atomically with mode 0600 (SeedDB.WriteFile).
// The result is filled in as far as Enroll got, also with an error.
func Enroll(path, identity string, k Key, replace bool) (EnrollResult, error) {
	var res EnrollResult
	db, loose, err := LoadSeedDB(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		db, res.Created = &SeedDB{}, true
	case err != nil:
		return res, &EnrollError{Op: "load", Path: path, Err: err}
	}
	res.OthersCanRead = loose
	if res.Changed, err = db.Merge(identity, k, replace); err != nil {
		return res, &EnrollError{Op: "merge", Path: path, Err: err}
	}
	if !res.Changed {
		return res, nil
	}
	if err := db.WriteFile(path); err != nil {
		return res, &EnrollError{Op: "write", Path: path, Err: err}
	}
	return res, nil
}

// EntryJSON is the seeds database of the one entry identity: k, as
// Enroll would write it (to print it instead).
func EntryJSON(identity string, k Key) ([]byte, error) {
	db := &SeedDB{}
	if _, err := db.Merge(identity, k, false); err != nil {
		return nil, err
	}
	return db.MarshalJSON()
}
