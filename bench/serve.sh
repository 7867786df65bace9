#!/usr/bin/env bash
# bench/serve.sh: `serve` under load on loopback (issue 16, target 4): 64
# concurrent clients make 20,000 credential reads in total, first over IMDSv2
# (token, role listing, credentials: the sequence an SDK makes), then over the
# ECS endpoint, against one serve process fed by the local verifying
# emulator. interop/cmd/serve-load checks every answer and prints read
# latencies (p50, p99, max), errors and serve's VmRSS before the load, after
# half of it and after all of it.
#
# Environment: BENCH_CLIENTS (default 64), BENCH_READS (20000), BENCH_OUT
# (bench/out). Exit 1 when any read failed.
# Needs: go, hyperfine, jq (bench/lib.sh checks them).
set -euo pipefail

clients=${BENCH_CLIENTS:-64}
reads=${BENCH_READS:-20000}
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_init

echo "bench: building acme-signing-helper (CGO_ENABLED=0), bench-emulator and serve-load" >&2
build_ours
build_emulator
(cd interop && go build -o "$out/serve-load" ./cmd/serve-load)

bench_workdir
start_emulator fast
mkdir -p "$work/home"
# shellcheck disable=SC2046
set -- $(flags fast)
shift # credential-process
env -i PATH="$PATH" HOME="$work/home" "$ours" serve "$@" --listen 127.0.0.1:0 \
	--auth-token-file "$work/ecs-token" --ready-file "$work/ready" 2>"$work/serve.log" &
serve_pid=$!
pids+=("$serve_pid")
for _ in $(seq 1 300); do
	[ -s "$work/ready" ] && break
	kill -0 "$serve_pid" 2>/dev/null || break
	sleep 0.1
done
[ -s "$work/ready" ] || { echo "bench: serve did not start:" >&2; cat "$work/serve.log" >&2; exit 1; }
base=$(head -n1 "$work/ready")

echo "bench: $clients clients, $reads reads each over IMDSv2 and ECS against $base" >&2
"$out/serve-load" -base "$base" -mode imds -clients "$clients" -reads "$reads" -pid "$serve_pid" >"$out/serve-imds.json"
"$out/serve-load" -base "$base" -mode ecs -auth-token-file "$work/ecs-token" -clients "$clients" -reads "$reads" -pid "$serve_pid" >"$out/serve-ecs.json"

echo
echo "serve under load: $clients concurrent clients, $reads credential reads per endpoint"
printf '%-6s %8s %8s %8s %8s %8s %12s %12s %12s\n' endpoint p50_ms p99_ms max_ms reads/s errors rss_before rss_half rss_after
errors=0
for m in imds ecs; do
	jq -r '[.mode, .p50_ms, .p99_ms, .max_ms, (.reads_per_s|floor), .errors, "\(.rss_before_kb) kB", "\(.rss_half_kb) kB", "\(.rss_after_kb) kB"] | @tsv' "$out/serve-$m.json" |
		awk -F'\t' '{ printf "%-6s %8.2f %8.2f %8.2f %8d %8d %12s %12s %12s\n", $1, $2, $3, $4, $5, $6, $7, $8, $9 }'
	e=$(jq -r .errors "$out/serve-$m.json")
	[ "$e" = 0 ] || { echo "bench: $e $m reads failed: $(jq -r .first_error "$out/serve-$m.json")" >&2; errors=1; }
done
exit "$errors"
