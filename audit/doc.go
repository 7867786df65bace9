// Package audit checks CloudTrail for IAM Roles Anywhere sessions whose
// TOTP session name does not match the environment of the workload that
// owns the certificate: the replacement, at fleet scale, of the seed's
// jq + oathtool mismatch-detection script.
//
// The pipeline is Read (files, directories, gzip, stdin; CloudTrail log
// files, single events or JSON lines; streaming and parallel) → Event
// (identity, session name and creation time taken from the record along
// the paths of one table, Fields) → Check against a seed database (DB)
// with a verification policy (Policy) → Result with a Verdict and a
// reason; Finish sorts the results, merges the records of one session
// and marks replayed codes.
//
// Speed: CloudTrail logs are gzip files in which Roles Anywhere records
// are a small fraction. The reader never decodes a record it does not
// need: a scanner finds record boundaries by tracking only nesting and
// string boundaries (64 bytes at a time inside the records of a log
// file, from bitmasks computed with SSE2/AVX2 on amd64), and a record is
// decoded only when it carries a marker (rolesanywhere.amazonaws.com near
// its top, and sourceIdentity with Options.Sessions). Relevant records
// are read field by field from their bytes (no map, one validating pass),
// with encoding/json as the fallback for unusual ones. The result: detect
// runs at about 85 % of the throughput of plain gzip decompression of the
// same files (bench/detect.sh).
//
// Memory: the stream is bounded (Options.Jobs files at a time, each holding
// at most one record of up to MaxRecordBytes plus a read buffer); Detect
// keeps the results to be sorted, merged and checked for replays, about
// 1 KB per Roles Anywhere session found, whatever the number of other
// records. Stream (detect --stream) hands results out per file in input
// order instead, and merges and marks replays with indexes bounded by a
// time horizon and a size cap: its memory does not grow with the input
// (see stream.go for the order and the bounds).
//
// Security considerations: the seed database holds TOTP keys, which are
// secrets: LoadDB refuses a file group or others may write (they could add
// a seed and make their own sessions look legit) and warns about a
// world-readable one (on Windows, where file modes do not describe the
// ACL, it cannot check and warns that it did not); seeds never appear in errors, logs or results. The
// input is untrusted (anyone able to write to the log bucket controls it):
// memory per record is bounded (MaxRecordBytes), a malformed record is
// reported and never stops the run, and a record that cannot be parsed is
// never counted as legit. The session name is attacker-chosen too, so it
// never sets the code length: HOTP truncation makes the last 6 or 7 digits
// of a valid 8-digit code valid shorter codes, and the length comes from
// the Checker's Policy.Digits or the database's "digits" (a code of
// another length is a Mismatch; the tail of a longer code seen from
// another source is a Replay). Detection is only as good as the log: a session
// whose records were dropped is not seen, and an attacker who knows the
// workload's fingerprint inputs produces legit codes by design.
package audit
