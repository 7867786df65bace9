#!/usr/bin/env bash
# bench/lambda.sh: what detect's Lambda function (issue 17) costs.
#
# 1. Every start of the binary: package init (GODEBUG=inittrace=1, summed
#    over `version`) and binary size, for this tree and, with
#    BENCH_BASE=REV (default: the commit before lambdadetect came in), for
#    a build of REV; `version` wall time of both against a Go hello-world
#    (hyperfine), since a credential-process cache hit must stay within
#    2x of that floor (issue 16).
# 2. Under the official runtime interface emulator (interop/lambdafn):
#    cold start (the emulator's Init Duration and the first invocation's
#    round trip), warm per-event round trip, and the bootstrap's peak RSS
#    streaming a 200 MB gzip log object from gofakes3.
#
# Environment: BENCH_BASE (git revision), BENCH_RUNS (default 200),
# BENCH_OUT (bench/out). Needs: go, hyperfine, git.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
out=${BENCH_OUT:-$root/bench/out}
mkdir -p "$out"
runs=${BENCH_RUNS:-200}
base=${BENCH_BASE:-$(git log --format=%H -n1 --diff-filter=A -- lambdadetect/doc.go)~1}

CGO_ENABLED=0 go build -tags lambda.norpc -o "$out/ash-now" ./cmd/acme-signing-helper
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/base"
git archive "$base" | tar -x -C "$work/base"
(cd "$work/base" && CGO_ENABLED=0 go build -tags lambda.norpc -o "$out/ash-base" ./cmd/acme-signing-helper)
mkdir -p "$work/hello"
printf 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hello") }\n' >"$work/hello/main.go"
(cd "$work/hello" && go mod init hello >/dev/null 2>&1 && CGO_ENABLED=0 go build -o "$out/hello" .)

inits() {
	GODEBUG=inittrace=1 "$1" version 2>&1 >/dev/null |
		awk '/^init/{n++; ms+=$5; b+=$8; a+=$10} END{printf "%d packages, %.2f ms, %d bytes, %d allocs", n, ms, b, a}'
}
echo "package init of one start (version; sum of inittrace, best of 5):"
for b in base now; do
	best=""
	for _ in 1 2 3 4 5; do
		r=$(inits "$out/ash-$b")
		ms=$(echo "$r" | awk -F', ' '{print $2+0}')
		if [ -z "$best" ] || awk -v a="$ms" -v b="$bestms" 'BEGIN{exit !(a<b)}'; then best=$r bestms=$ms; fi
	done
	printf '  %-5s %s; binary %d bytes\n' "$b" "$best" "$(stat -c %s "$out/ash-$b")"
done
echo "largest inits now:"
GODEBUG=inittrace=1 "$out/ash-now" version 2>&1 >/dev/null | sort -k5 -n | tail -8 | sed 's/^/  /'

hyperfine -N --style basic --warmup 20 --runs "$runs" --export-json "$out/lambda-start.json" \
	-n hello "$out/hello" -n "version (base)" "$out/ash-base version" -n "version (now)" "$out/ash-now version" >&2

echo
echo "under the runtime interface emulator (interop/lambdafn):"
(cd interop && go test -count=1 -v -run 'TestFunctionMatchesDetect|TestLargeObjectMemory' ./lambdafn) | grep -E 'cold start|large object|^(ok|FAIL|---)' | sed 's/^ *//'
