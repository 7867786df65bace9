#!/usr/bin/env bash
# bench/credential-process.sh: wall time of `credential-process`, the official
# aws_signing_helper v1.7.3 against ours, with the same flags against the same
# local emulator, in one run (hyperfine). Prints mean and median of each and
# the ratio ours/official; design.md's target is at most 0.5 for a cold call.
# Then, when ours has a cache, a cache hit against a cold call, and proves with
# the emulator's call counter that the hit made no call.
#
# Two emulators run side by side (interop/cmd/bench-emulator, TLS on
# 127.0.0.1): one answering at once, one adding BENCH_LATENCY (default 50ms,
# about a real round trip to the service).
#
# Environment: BENCH_RUNS (default 30), BENCH_WARMUP (3), BENCH_LATENCY
# (50ms), BENCH_OUT (bench/out: binaries, hyperfine JSON), BENCH_ENFORCE=1
# (exit 1 when the cold-call target is missed).
# Needs: go, gcc (the official helper needs cgo), hyperfine, jq.
set -euo pipefail

runs=${BENCH_RUNS:-30}
warmup=${BENCH_WARMUP:-3}
latency=${BENCH_LATENCY:-50ms}
cd "$(dirname "$0")/.."
root=$(pwd)
out=${BENCH_OUT:-$root/bench/out}
mkdir -p "$out"
out=$(cd "$out" && pwd)

for c in go hyperfine jq; do
	command -v "$c" >/dev/null || { echo "bench: $c not found (Debian packages: golang, hyperfine, jq)" >&2; exit 1; }
done

echo "bench: building aws_signing_helper v1.7.3 (cgo), acme-signing-helper (CGO_ENABLED=0), bench-emulator" >&2
(cd interop && CGO_ENABLED=1 go build -o "$out/aws_signing_helper" \
	-ldflags "-X github.com/aws/rolesanywhere-credential-helper/cmd.Version=1.7.3" \
	github.com/aws/rolesanywhere-credential-helper)
(cd interop && go build -o "$out/bench-emulator" ./cmd/bench-emulator)
CGO_ENABLED=0 go build -o "$out/acme-signing-helper" ./cmd/acme-signing-helper
official=$out/aws_signing_helper
ours=$out/acme-signing-helper

work=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT

# start_emulator NAME [bench-emulator flags...]: starts one, waits for its env.
start_emulator() {
	local name=$1
	shift
	"$out/bench-emulator" --dir "$work/$name" "$@" 2>"$work/$name.log" &
	pids+=($!)
	for _ in $(seq 1 300); do
		[ -f "$work/$name/env" ] && return 0
		kill -0 "${pids[-1]}" 2>/dev/null || break
		sleep 0.1
	done
	echo "bench: emulator $name did not start:" >&2
	cat "$work/$name.log" >&2
	exit 1
}
start_emulator fast
start_emulator slow --latency "$latency"

# flags NAME: the credential-process flags for emulator NAME, shared by both
# binaries (the drop-in promise).
flags() {
	(
		# shellcheck disable=SC1090,SC1091
		. "$work/$1/env"
		echo "credential-process --certificate $CERT --private-key $KEY --intermediates $CHAIN" \
			"--trust-anchor-arn $TRUST_ANCHOR_ARN --profile-arn $PROFILE_ARN --role-arn $ROLE_ARN" \
			"--endpoint $ENDPOINT --no-verify-ssl"
	)
}
calls() { cat "$work/$1/calls"; }

# The children see a clean environment: no AWS_* of this machine, a fresh
# HOME and cache directory.
mkdir -p "$work/home" "$work/cache"
clean_env=(env -i PATH="$PATH" HOME="$work/home" XDG_CACHE_HOME="$work/cache" LANG=C.UTF-8
	AWS_CONFIG_FILE="$work/home/none" AWS_SHARED_CREDENTIALS_FILE="$work/home/none" AWS_EC2_METADATA_DISABLED=true)

cold=()
help=$("${clean_env[@]}" "$ours" credential-process --help 2>&1 || true)
if [[ $help == *--no-cache* ]]; then
	cold=(--no-cache)
	has_cache=1
else
	has_cache=0
fi

# bench NAME JSON CMD_NAME CMD [CMD_NAME CMD...]: one hyperfine run.
bench() {
	local title=$1 json=$2
	shift 2
	echo "bench: $title" >&2
	"${clean_env[@]}" hyperfine -N --style basic --warmup "$warmup" --runs "$runs" --export-json "$json" "$@" >&2
}

# Sanity: both binaries succeed with the shared flags before timing them.
check() {
	"${clean_env[@]}" "$@" | jq -e '.Version == 1 and (.AccessKeyId | length > 0)' >/dev/null ||
		{ echo "bench: $1 does not get credentials from the emulator" >&2; exit 1; }
}
# shellcheck disable=SC2046
check "$official" $(flags fast)
# shellcheck disable=SC2046
check "$ours" $(flags fast) "${cold[@]}"

# cold NAME TITLE: both binaries against emulator NAME; every run of both
# must reach the emulator, or the figures would not be of cold calls.
cold() {
	local before
	before=$(calls "$1")
	bench "$2" "$out/cold-$1.json" \
		-n official "$official $(flags "$1")" \
		-n ours "$ours $(flags "$1") ${cold[*]}"
	local got=$(($(calls "$1") - before)) want=$((2 * (runs + warmup)))
	if [ "$got" != "$want" ]; then
		echo "bench: $got CreateSession calls during the cold runs, want $want: not all runs were cold" >&2
		exit 1
	fi
}
# The floor: starting each binary at all (its `version` command).
bench "process start (version)" "$out/start.json" \
	-n official "$official version" \
	-n ours "$ours version"
cold fast "cold call, emulator answers at once"
cold slow "cold call, emulator adds $latency"

hit_calls=""
if [ "$has_cache" = 1 ]; then
	# Prime the cache once, then every run must be a hit: no call at all.
	# shellcheck disable=SC2046
	"${clean_env[@]}" "$ours" $(flags slow) >/dev/null
	before=$(calls slow)
	bench "cache hit (emulator adds $latency, never reached)" "$out/cache-hit.json" \
		-n ours-cache-hit "$ours $(flags slow)"
	hit_calls=$(($(calls slow) - before))
fi

# stat JSON NAME FIELD: milliseconds, from hyperfine's seconds.
stat() { jq -r --arg n "$2" --arg f "$3" '.results[] | select(.command == $n) | .[$f] * 1000' "$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# cpu JSON NAME: mean user+system CPU milliseconds.
cpu() { jq -r --arg n "$2" '.results[] | select(.command == $n) | (.user + .system) * 1000' "$1"; }

echo
echo "credential-process wall time: hyperfine, $runs runs after $warmup warm-up runs each, same flags, same emulator"
echo "aws_signing_helper v1.7.3 (cgo) vs acme-signing-helper (CGO_ENABLED=0, ${cold[*]:-no cache})"
echo "(wall time includes the emulator's share: TLS handshake and verification, the same for both; cpu is the client's user+system)"
printf '%-34s %20s %20s %14s %22s\n' "scenario" "official mean/median" "ours mean/median" "ours/official" "cpu official/ours"
worst=0
for s in "start:process start (version), floor" "cold-fast:cold, no added latency" "cold-slow:cold, +$latency latency"; do
	f=$out/${s%%:*}.json
	om=$(stat "$f" official mean) od=$(stat "$f" official median)
	um=$(stat "$f" ours mean) ud=$(stat "$f" ours median)
	oc=$(cpu "$f" official) uc=$(cpu "$f" ours)
	r=$(ratio "$ud" "$od")
	printf '%-34s %9.1f/%6.1f ms %9.1f/%6.1f ms %7s median %6.1f/%5.1f ms (%s)\n' "${s#*:}" "$om" "$od" "$um" "$ud" "$r" "$oc" "$uc" "$(ratio "$uc" "$oc")"
	if [ "${s%%:*}" != start ] && awk -v r="$r" 'BEGIN { exit !(r > 0.5) }'; then worst=1; fi
done
if [ "$has_cache" = 1 ]; then
	hm=$(stat "$out/cache-hit.json" ours-cache-hit mean) hd=$(stat "$out/cache-hit.json" ours-cache-hit median)
	cd_=$(stat "$out/cold-slow.json" ours median)
	printf '%-34s %20s %9.1f/%6.1f ms %8s vs ours cold +%s\n' "cache hit" "-" "$hm" "$hd" "$(ratio "$hd" "$cd_")" "$latency"
	echo "cache hit: $hit_calls CreateSession calls during the timed runs (want 0); target median < 3 ms"
	[ "$hit_calls" = 0 ] || { echo "bench: cache hits reached the emulator" >&2; exit 1; }
else
	echo "cache hit: not measured (ours has no --no-cache flag yet, so no cache)"
fi
if [ "$worst" = 0 ]; then
	echo "target (ours at most half the official helper's median wall time, cold): met"
else
	echo "target (ours at most half the official helper's median wall time, cold): NOT met"
	[ "${BENCH_ENFORCE:-0}" = 1 ] && exit 1
fi
exit 0
