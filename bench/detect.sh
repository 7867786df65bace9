#!/usr/bin/env bash
# Benchmark of `acme-signing-helper detect` (design.md performance target):
# on generated gzip CloudTrail logs of at least 1 GB uncompressed where 1
# record in 100 is a Roles Anywhere CreateSession, measure in one run
#   - plain gzip decompression of the same files with the same decompressor
#     (Go compress/gzip), files in parallel the same way (--jobs),
#   - detect over the same files,
#   - zcat (GNU gzip) of the same files, JOBS processes at a time,
# and print records/s, MB/s (uncompressed), peak RSS and the ratio of detect's
# throughput to each decompression's. Target: ratio >= 0.80 and >= 100,000
# records/s on 2 cores; memory independent of the input size. Go's inflate
# is about twice as fast as zcat's here, so the ratio to the same Go
# decompressor is the strict one.
#
# Usage: bench/detect.sh            (from the repository root)
# Environment:
#   DETECT_BENCH_DIR  corpus directory, kept between runs (default
#                     ${TMPDIR:-/tmp}/acme-signing-helper-detect-bench)
#   FILES, RECORDS    corpus size: FILES files of RECORDS records
#                     (default 110 x 5000, about 1.05 GB uncompressed)
#   JOBS              parallel files (default: nproc)
#   ROUNDS            measurement rounds (default 3): the best wall and the
#                     best CPU time of each command are reported (each on
#                     its own), and detect's largest peak RSS
set -euo pipefail

cd "$(dirname "$0")/.."
FILES=${FILES:-110}
RECORDS=${RECORDS:-5000}
JOBS=${JOBS:-$(nproc)}
ROUNDS=${ROUNDS:-3}
DIR=${DETECT_BENCH_DIR:-${TMPDIR:-/tmp}/acme-signing-helper-detect-bench}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/acme-signing-helper" ./cmd/acme-signing-helper
go build -o "$work/cloudtrailgen" ./internal/cloudtrailgen/cmd/cloudtrailgen
# TIME OUT CMD...: wall, user, system seconds and peak RSS (KB) of CMD to OUT.
TIME() { "$work/cloudtrailgen" time "$@"; }

stamp="$DIR/corpus-${FILES}x${RECORDS}.json"
if [ ! -s "$stamp" ]; then
	echo "generating ${FILES} files x ${RECORDS} records in $DIR ..." >&2
	rm -rf "$DIR"
	mkdir -p "$DIR"
	chmod 700 "$DIR"
	"$work/cloudtrailgen" gen --seed 1 --files "$FILES" --records "$RECORDS" --ra-fraction 0.01 "$DIR" >"$stamp.tmp"
	mv "$stamp.tmp" "$stamp"
fi
read -r bytes records gz < <(jq -r '"\(.bytes) \(.records) \(.gzip_bytes)"' "$stamp")
echo "corpus: $DIR: $FILES files, $records records, $bytes bytes uncompressed, $gz bytes gzip" >&2
# Warm the page cache so both measurements read from memory.
cat $(find "$DIR/AWSLogs" -name '*.json.gz') >/dev/null

find "$DIR/AWSLogs" -name '*.json.gz' | sort >"$work/files"
best_g="" best_d="" best_z="" rss_d="" user_g="" user_d="" user_z=""
for round in $(seq "$ROUNDS"); do
	TIME "$work/g" "$work/cloudtrailgen" gunzip --jobs "$JOBS" "$DIR/AWSLogs" >/dev/null
	set +e
	TIME "$work/d" "$work/acme-signing-helper" detect --jobs "$JOBS" --db "$DIR/env-sha1sum-db.json" --summary "$DIR/AWSLogs" >"$work/summary"
	rc=$?
	set -e
	if [ "$rc" -gt 1 ]; then
		echo "bench/detect.sh: detect failed (exit $rc)" >&2
		exit 1
	fi
	TIME "$work/z" sh -c "xargs -P $JOBS -n 1 zcat <'$work/files' >/dev/null"
	read -r ze zu zs zm < <(tail -n 1 "$work/z")
	read -r ge gu gs gm < <(tail -n 1 "$work/g")
	read -r de du ds dm < <(tail -n 1 "$work/d")
	echo "round $round: zcat ${ze}s (cpu ${zu}+${zs}s), gunzip ${ge}s (cpu ${gu}+${gs}s), detect ${de}s (cpu ${du}+${ds}s, peak RSS ${dm} KB)" >&2
	# Best of rounds, wall and CPU time each on its own: the machine may be
	# shared, and other load only ever adds time.
	if [ -z "$best_g" ] || awk "BEGIN{exit !($ge < $best_g)}"; then best_g=$ge; fi
	if [ -z "$best_z" ] || awk "BEGIN{exit !($ze < $best_z)}"; then best_z=$ze; fi
	if [ -z "$best_d" ] || awk "BEGIN{exit !($de < $best_d)}"; then best_d=$de; fi
	if [ -z "$user_g" ] || awk "BEGIN{exit !($gu+$gs < $user_g)}"; then user_g=$(awk "BEGIN{print $gu+$gs}"); fi
	if [ -z "$user_z" ] || awk "BEGIN{exit !($zu+$zs < $user_z)}"; then user_z=$(awk "BEGIN{print $zu+$zs}"); fi
	if [ -z "$user_d" ] || awk "BEGIN{exit !($du+$ds < $user_d)}"; then user_d=$(awk "BEGIN{print $du+$ds}"); fi
	if [ -z "$rss_d" ] || [ "$dm" -gt "$rss_d" ]; then rss_d=$dm; fi
done
head -9 "$work/summary" >&2

awk -v b="$bytes" -v r="$records" -v g="$best_g" -v d="$best_d" -v z="$best_z" -v cz="$user_z" -v cg="$user_g" -v cd="$user_d" -v rss="$rss_d" -v jobs="$JOBS" -v cpus="$(nproc)" 'BEGIN {
	printf "detect benchmark: %.2f GB uncompressed, %d records, 1%% Roles Anywhere, --jobs %d on %d CPUs (best of rounds)\n", b/1e9, r, jobs, cpus
	printf "  zcat (GNU gzip):           %6.2f s  %7.1f MB/s  cpu %.2f s\n", z, b/1e6/z, cz
	printf "  gunzip (Go compress/gzip): %6.2f s  %7.1f MB/s  cpu %.2f s\n", g, b/1e6/g, cg
	printf "  detect:                    %6.2f s  %7.1f MB/s  cpu %.2f s  %.0f records/s  peak RSS %.1f MB\n", d, b/1e6/d, cd, r/d, rss/1024
	printf "  ratio of detect throughput to Go gunzip: %.2f (wall time), %.2f (CPU time)\n", g/d, cg/cd
	printf "  ratio of detect throughput to zcat:      %.2f (wall time), %.2f (CPU time)\n", z/d, cz/cd
}'
