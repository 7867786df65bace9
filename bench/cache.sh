#!/usr/bin/env bash
# bench/cache.sh: credential-process from the cache against a cold call, in
# one run (hyperfine), against the local verifying emulator answering at
# once and with BENCH_LATENCY added (default 50ms, about a real round trip
# to IAM Roles Anywhere). Also times `version` (the process-start floor)
# and proves with the emulator's call counter that every cache hit made no
# call and every cold run made one. Issue 6, acceptance 2: cache hit median
# under 3 ms. Issue 16, target 3: a cache hit at most 2x, and `version` at
# most 1.6x, the median of a static Go hello-world built in the same run.
#
# Environment: BENCH_RUNS (default 50), BENCH_WARMUP (5), BENCH_LATENCY
# (50ms), BENCH_OUT (bench/out), BENCH_ENFORCE=1 (exit 1 when the 3 ms
# target is missed).
# Needs: go, hyperfine, jq.
set -euo pipefail

runs=${BENCH_RUNS:-50}
warmup=${BENCH_WARMUP:-5}
latency=${BENCH_LATENCY:-50ms}
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_init

echo "bench: building acme-signing-helper (CGO_ENABLED=0) and bench-emulator" >&2
build_ours
build_emulator
build_hello

bench_workdir
start_emulator fast
start_emulator slow --latency "$latency"
flags_extra="--cache-dir $work/cache"

mkdir -p "$work/home"
clean_env=(env -i PATH="$PATH" HOME="$work/home" LANG=C.UTF-8
	AWS_CONFIG_FILE="$work/home/none" AWS_SHARED_CREDENTIALS_FILE="$work/home/none" AWS_EC2_METADATA_DISABLED=true)

# Prime the cache for both emulators (the key includes the endpoint).
for e in fast slow; do
	# shellcheck disable=SC2046
	"${clean_env[@]}" "$ours" $(flags $e) | jq -e '.Version == 1' >/dev/null ||
		{ echo "bench: no credentials from emulator $e" >&2; exit 1; }
done
before_fast=$(calls fast) before_slow=$(calls slow)

echo "bench: hyperfine, $runs runs after $warmup warm-up runs each" >&2
"${clean_env[@]}" hyperfine -N --style basic --warmup "$warmup" --runs "$runs" --export-json "$out/cache.json" \
	-n "hello-world" "$hello" \
	-n "start (version)" "$ours version" \
	-n "hit, no latency" "$ours $(flags fast)" \
	-n "cold, no latency" "$ours $(flags fast) --no-cache" \
	-n "hit, +$latency" "$ours $(flags slow)" \
	-n "cold, +$latency" "$ours $(flags slow) --no-cache" >&2

n=$((runs + warmup))
got_fast=$(($(calls fast) - before_fast)) got_slow=$(($(calls slow) - before_slow))

ms() { jq -r --arg n "$1" --arg f "$2" '.results[] | select(.command == $n) | .[$f] * 1000' "$out/cache.json"; }
echo
echo "credential-process, cache hit vs cold call (hyperfine, $runs runs, medians and means in ms)"
printf '%-22s %10s %10s %10s\n' scenario median mean min
for s in "hello-world" "start (version)" "hit, no latency" "cold, no latency" "hit, +$latency" "cold, +$latency"; do
	printf '%-22s %10.2f %10.2f %10.2f\n' "$s" "$(ms "$s" median)" "$(ms "$s" mean)" "$(ms "$s" min)"
done
echo "CreateSession calls during the timed runs: $got_fast at the fast emulator, $got_slow at the slow one (want $n each: the cold runs only)"
[ "$got_fast" = "$n" ] && [ "$got_slow" = "$n" ] || { echo "bench: cache hits reached the emulator or cold runs did not" >&2; exit 1; }
hit=$(ms "hit, no latency" median)
if awk -v h="$hit" 'BEGIN { exit !(h < 3) }'; then
	echo "target (cache hit median < 3 ms): met ($hit ms)"
else
	echo "target (cache hit median < 3 ms): NOT met ($hit ms; the process-start floor is $(ms "start (version)" median) ms here)"
	[ "${BENCH_ENFORCE:-0}" = 1 ] && exit 1
fi
hw=$(ms hello-world median)
missed=0
for t in "cache hit:$hit:2" "version:$(ms "start (version)" median):1.6"; do
	IFS=: read -r name d max <<<"$t"
	x=$(awk -v d="$d" -v h="$hw" 'BEGIN { printf "%.2f", d / h }')
	if awk -v x="$x" -v m="$max" 'BEGIN { exit !(x <= m) }'; then m=met; else m="NOT met"; missed=1; fi
	printf 'target (%s at most %sx the median of a static Go hello-world, %.2f ms): %s (%sx)\n' "$name" "$max" "$hw" "$m" "$x"
done
if [ "$missed" = 1 ] && [ "${BENCH_ENFORCE:-0}" = 1 ]; then
	exit 1
fi
exit 0
