#!/usr/bin/env bash
# Benchmark of `acme-signing-helper detect` (issue 16 target 1, design.md
# performance target): on generated gzip CloudTrail logs of at least 1 GB
# uncompressed where 1 record in 100 is a Roles Anywhere CreateSession,
# measure in one run, with the same --jobs, over the same files:
#   - decompression alone with Go's compress/gzip (bench/gunzip --impl std),
#   - decompression alone with github.com/klauspost/compress/gzip v1.18.1,
#     the decompressor detect uses (bench/gunzip --impl klauspost),
#   - detect (and, with DETECT_BEFORE, another build of detect),
#   - with ZCAT=1, zcat (GNU gzip), JOBS processes at a time.
# The commands alternate within each round (the order rotates from round to
# round), so load from other users of the machine falls on all of them
# alike. Printed: for each command the median wall and CPU time, MB/s
# (uncompressed) and records/s, detect's largest peak RSS, the load
# average, and the ratios of detect's throughput to each decompression's:
# the median of the per-round ratios (paired), by wall and by CPU time.
# Targets: >= 1.10 of compress/gzip and >= 0.90 of klauspost (issue 16),
# >= 100,000 records/s on 2 cores; memory independent of the input size
# (bench/detect-stream.sh).
#
# Usage: bench/detect.sh            (from anywhere)
# Environment:
#   DETECT_BENCH_DIR  corpus directory, kept between runs (default
#                     ${TMPDIR:-/tmp}/acme-signing-helper-detect-bench)
#   FILES, RECORDS    corpus size: FILES files of RECORDS records
#                     (default 110 x 5000, about 1.05 GB uncompressed)
#   JOBS              parallel files (default: nproc)
#   ROUNDS            measurement rounds (default 7)
#   DETECT_BEFORE     another acme-signing-helper binary, timed as "before"
#   ZCAT=1            also time zcat
set -euo pipefail

cd "$(dirname "$0")/.."
FILES=${FILES:-110}
RECORDS=${RECORDS:-5000}
JOBS=${JOBS:-$(nproc)}
ROUNDS=${ROUNDS:-7}
DIR=${DETECT_BENCH_DIR:-${TMPDIR:-/tmp}/acme-signing-helper-detect-bench}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
CGO_ENABLED=0 go build -o "$work/acme-signing-helper" ./cmd/acme-signing-helper
go build -o "$work/cloudtrailgen" ./internal/cloudtrailgen/cmd/cloudtrailgen
go build -o "$work/gunzip" ./bench/gunzip
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
# Warm the page cache so every measurement reads from memory.
find "$DIR/AWSLogs" -name '*.json.gz' | sort >"$work/files"
xargs cat <"$work/files" >/dev/null

# Each command NAME: its argv in $work/cmd.NAME (one word a line).
names="std klauspost detect"
printf '%s\n' "$work/gunzip" --impl std --jobs "$JOBS" "$DIR/AWSLogs" >"$work/cmd.std"
printf '%s\n' "$work/gunzip" --impl klauspost --jobs "$JOBS" "$DIR/AWSLogs" >"$work/cmd.klauspost"
printf '%s\n' "$work/acme-signing-helper" detect --jobs "$JOBS" --db "$DIR/env-sha1sum-db.json" --summary "$DIR/AWSLogs" >"$work/cmd.detect"
if [ -n "${DETECT_BEFORE:-}" ]; then
	names="$names before"
	printf '%s\n' "$DETECT_BEFORE" detect --jobs "$JOBS" --db "$DIR/env-sha1sum-db.json" --summary "$DIR/AWSLogs" >"$work/cmd.before"
fi
if [ "${ZCAT:-}" = 1 ]; then
	names="$names zcat"
	printf '%s\n' sh -c "xargs -P $JOBS -n 1 zcat <'$work/files' >/dev/null" >"$work/cmd.zcat"
fi
set -- $names
ncmd=$#

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
for round in $(seq "$ROUNDS"); do
	# Rotate the order: round r starts with command r mod ncmd.
	order=""
	for k in $(seq 0 $((ncmd - 1))); do
		i=$(((round + k) % ncmd + 1))
		order="$order ${!i}"
	done
	line="round $round:"
	for name in $order; do
		mapfile -t argv <"$work/cmd.$name"
		set +e
		TIME "$work/t" "${argv[@]}" >"$work/out.$name"
		rc=$?
		set -e
		# detect exits 1 when it finds a problem (the corpus has some).
		if [ "$rc" -gt 1 ] || { [ "$rc" -ne 0 ] && [ "$name" != detect ] && [ "$name" != before ]; }; then
			echo "bench/detect.sh: $name failed (exit $rc)" >&2
			exit 1
		fi
		read -r e u s m < <(tail -n 1 "$work/t")
		echo "$round $e $(awk "BEGIN{print $u+$s}") $m" >>"$work/times.$name"
		line="$line $name ${e}s (cpu $(awk "BEGIN{print $u+$s}")s)"
	done
	echo "$line" >&2
done
load_end=$(cut -d' ' -f1-3 /proc/loadavg)
head -9 "$work/out.detect" >&2

# median FILE COLUMN
median() { cut -d' ' -f"$2" "$1" | sort -g | awk '{v[NR]=$1} END{print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
# ratio A B COLUMN: median over rounds of A's time / B's time (B's
# throughput over A's... i.e. detect B against baseline A: A/B).
ratio() { join <(sort -k1,1 "$work/times.$1") <(sort -k1,1 "$work/times.$2") | awk -v c="$3" '{print $(c) / $(c+3)}' | sort -g | awk '{v[NR]=$1} END{print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }

printf 'detect benchmark: %.2f GB uncompressed, %d records, 1%% Roles Anywhere, --jobs %d on %d CPUs, %d rounds (medians), load average %s at the start, %s at the end\n' \
	"$(awk "BEGIN{print $bytes/1e9}")" "$records" "$JOBS" "$(nproc)" "$ROUNDS" "$load_start" "$load_end"
for name in $names; do
	w=$(median "$work/times.$name" 2)
	c=$(median "$work/times.$name" 3)
	label=$name
	case $name in
	std) label="gunzip, Go compress/gzip" ;;
	klauspost) label="gunzip, klauspost/compress" ;;
	detect) label="detect" ;;
	before) label="detect, DETECT_BEFORE" ;;
	zcat) label="zcat (GNU gzip)" ;;
	esac
	extra=""
	case $name in detect | before) extra=$(printf '  %.0f records/s  peak RSS %.1f MB' "$(awk "BEGIN{print $records/$w}")" "$(awk "BEGIN{print $(cut -d' ' -f4 "$work/times.$name" | sort -n | tail -1)/1024}")") ;; esac
	printf '  %-28s %6.2f s  %7.1f MB/s  cpu %6.2f s%s\n' "$label:" "$w" "$(awk "BEGIN{print $bytes/1e6/$w}")" "$c" "$extra"
done
for base in $names; do
	case $base in detect) continue ;; esac
	target=""
	case $base in std) target="; target >= 1.10" ;; klauspost) target="; target >= 0.90" ;; esac
	printf '  ratio of detect throughput to %-9s %.2f (wall time), %.2f (CPU time), medians of paired rounds%s\n' "$base:" "$(ratio "$base" detect 2)" "$(ratio "$base" detect 3)" "$target"
done
