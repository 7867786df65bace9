#!/usr/bin/env bash
# Peak RSS and time of `detect --stream` against the default mode on 1x,
# 2x and 4x the input: the corpus of bench/detect.sh given once, twice and
# four times (the repeats are out of time order, so their records count as
# "late records": checked, not remembered), and the 200 MB corpus if there
# is one. Stream mode's peak RSS should stay flat; the default mode keeps
# every result.
#
# Usage: bench/detect-stream.sh   (after bench/detect.sh made the corpus)
# Environment:
#   DETECT_BENCH_DIR      the 1 GB corpus (default as in bench/detect.sh)
#   DETECT_BENCH_DIR_200  optional 200 MB corpus (FILES=22 bench/detect.sh)
#   JOBS                  parallel files (default: nproc)
set -euo pipefail

cd "$(dirname "$0")/.."
DIR=${DETECT_BENCH_DIR:-${TMPDIR:-/tmp}/acme-signing-helper-detect-bench}
JOBS=${JOBS:-$(nproc)}
if [ ! -d "$DIR/AWSLogs" ]; then
	echo "bench/detect-stream.sh: no corpus in $DIR: run bench/detect.sh first" >&2
	exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/acme-signing-helper" ./cmd/acme-signing-helper
go build -o "$work/cloudtrailgen" ./internal/cloudtrailgen/cmd/cloudtrailgen
cat $(find "$DIR/AWSLogs" -name '*.json.gz') >/dev/null

run() { # LABEL MODE PATH...
	local label=$1 mode=$2
	shift 2
	set +e
	"$work/cloudtrailgen" time "$work/t" "$work/acme-signing-helper" detect --jobs "$JOBS" $mode --db "$DIR/env-sha1sum-db.json" --summary "$@" >"$work/s" 2>/dev/null
	local rc=$?
	set -e
	if [ "$rc" -gt 1 ]; then
		echo "bench/detect-stream.sh: detect failed (exit $rc)" >&2
		exit 1
	fi
	read -r w u s m < <(tail -n 1 "$work/t")
	printf "%-12s %-9s wall %6.2f s  cpu %6.2f s  peak RSS %5.1f MB  %s  %s\n" "$label" "${mode:-default}" "$w" "$(awk "BEGIN{print $u+$s}")" "$(awk "BEGIN{print $m/1024}")" \
		"$(grep -o 'sessions [0-9]*' "$work/s")" "$(grep -o 'evictions [0-9]*  late records [0-9]*' "$work/s" || true)"
}
for mode in --stream ""; do
	if [ -n "${DETECT_BENCH_DIR_200:-}" ]; then
		run 200MB "$mode" "$DETECT_BENCH_DIR_200/AWSLogs"
	fi
	run 1GB "$mode" "$DIR/AWSLogs"
	run "2GB (1GBx2)" "$mode" "$DIR/AWSLogs" "$DIR/AWSLogs"
	run "4GB (1GBx4)" "$mode" "$DIR/AWSLogs" "$DIR/AWSLogs" "$DIR/AWSLogs" "$DIR/AWSLogs"
done
