#!/usr/bin/env bash
# Benchmark of `acme-signing-helper permissions generate` against `detect`
# (design.md: permissions generate at least 0.8x detect's throughput) on
# the corpus of bench/detect.sh (generated gzip CloudTrail, at least 1 GB
# uncompressed, 1 record in 100 Roles Anywhere), same files, same --jobs,
# measured in one run: the best wall and CPU time of ROUNDS rounds of each.
# The corpus is detect's with CALLS (default 0.01) of its records turned
# into later calls (S3 GetObject) of legit sessions of the 20 workloads;
# the role is one of the workloads' roles, so every record is scanned for
# its sessions' calls and about 1 in 20 of the calls is decoded and
# becomes part of the policy. detect (no --sessions) skips the calls.
#
# Usage: bench/permissions.sh      (from anywhere; the corpus is shared with
# bench/detect.sh: DETECT_BENCH_DIR, FILES, RECORDS, JOBS, ROUNDS as there)
set -euo pipefail

cd "$(dirname "$0")/.."
FILES=${FILES:-110}
RECORDS=${RECORDS:-5000}
JOBS=${JOBS:-$(nproc)}
ROUNDS=${ROUNDS:-3}
DIR=${PERMISSIONS_BENCH_DIR:-${TMPDIR:-/tmp}/acme-signing-helper-permissions-bench}
ROLE=${ROLE:-arn:aws:iam::123456789012:role/workload-host000.}
CALLS=${CALLS:-0.01}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
CGO_ENABLED=0 go build -o "$work/acme-signing-helper" ./cmd/acme-signing-helper
go build -o "$work/cloudtrailgen" ./internal/cloudtrailgen/cmd/cloudtrailgen
TIME() { "$work/cloudtrailgen" time "$@"; }

stamp="$DIR/corpus-${FILES}x${RECORDS}-calls${CALLS}.json"
if [ ! -s "$stamp" ]; then
	echo "generating ${FILES} files x ${RECORDS} records in $DIR ..." >&2
	rm -rf "$DIR"
	mkdir -p "$DIR"
	chmod 700 "$DIR"
	"$work/cloudtrailgen" gen --seed 1 --files "$FILES" --records "$RECORDS" --ra-fraction 0.01 --calls-fraction "$CALLS" "$DIR" >"$stamp.tmp"
	mv "$stamp.tmp" "$stamp"
fi
read -r bytes records calls < <(jq -r '"\(.bytes) \(.records) \(.calls)"' "$stamp")
echo "corpus: $DIR: $FILES files, $records records ($calls later calls of sessions), $bytes bytes uncompressed" >&2
cat $(find "$DIR/AWSLogs" -name '*.json.gz') >/dev/null

best_d="" best_p="" cpu_d="" cpu_p="" rss_p=""
for round in $(seq "$ROUNDS"); do
	set +e
	TIME "$work/d" "$work/acme-signing-helper" detect --jobs "$JOBS" --db "$DIR/env-sha1sum-db.json" --summary "$DIR/AWSLogs" >/dev/null
	TIME "$work/p" "$work/acme-signing-helper" permissions generate --jobs "$JOBS" --role-arn "$ROLE" --format json "$DIR/AWSLogs" >"$work/policy.json"
	rc=$?
	set -e
	if [ "$rc" -gt 1 ]; then
		echo "bench/permissions.sh: permissions generate failed (exit $rc)" >&2
		exit 1
	fi
	read -r de du ds dm < <(tail -n 1 "$work/d")
	read -r pe pu ps pm < <(tail -n 1 "$work/p")
	echo "round $round: detect ${de}s (cpu ${du}+${ds}s), permissions generate ${pe}s (cpu ${pu}+${ps}s, peak RSS ${pm} KB)" >&2
	if [ -z "$best_d" ] || awk "BEGIN{exit !($de < $best_d)}"; then best_d=$de; fi
	if [ -z "$best_p" ] || awk "BEGIN{exit !($pe < $best_p)}"; then best_p=$pe; fi
	if [ -z "$cpu_d" ] || awk "BEGIN{exit !($du+$ds < $cpu_d)}"; then cpu_d=$(awk "BEGIN{print $du+$ds}"); fi
	if [ -z "$cpu_p" ] || awk "BEGIN{exit !($pu+$ps < $cpu_p)}"; then cpu_p=$(awk "BEGIN{print $pu+$ps}"); fi
	if [ -z "$rss_p" ] || [ "$pm" -gt "$rss_p" ]; then rss_p=$pm; fi
done
jq -c '.report | {calls, sessions, problem_count}' "$work/policy.json" >&2
if [ "$CALLS" != 0 ] && [ "$(jq '.report.calls' "$work/policy.json")" = 0 ]; then
	echo "bench/permissions.sh: permissions generate found no calls of $ROLE: it would measure the scan only" >&2
	exit 1
fi

awk -v b="$bytes" -v r="$records" -v d="$best_d" -v p="$best_p" -v cd="$cpu_d" -v cp="$cpu_p" -v rss="$rss_p" -v jobs="$JOBS" -v cpus="$(nproc)" 'BEGIN {
	printf "permissions benchmark: %.2f GB uncompressed, %d records, --jobs %d on %d CPUs (best of rounds)\n", b/1e9, r, jobs, cpus
	printf "  detect:               %6.2f s  %7.1f MB/s  cpu %.2f s\n", d, b/1e6/d, cd
	printf "  permissions generate: %6.2f s  %7.1f MB/s  cpu %.2f s  peak RSS %.1f MB\n", p, b/1e6/p, cp, rss/1024
	printf "  ratio of permissions generate throughput to detect: %.2f (wall time), %.2f (CPU time); target >= 0.80\n", d/p, cd/cp
}'
