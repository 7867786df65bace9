# shellcheck shell=bash
# bench/lib.sh: the setup shared by bench/credential-process.sh and
# bench/cache.sh, sourced by them (not run on its own): the repository root
# and output directory, the tool check, the builds of acme-signing-helper
# and the bench emulator, a work directory removed on exit, and the local
# emulators (interop/cmd/bench-emulator on 127.0.0.1, TLS or plain HTTP)
# stopped on exit.
# Only functions are defined here; the sourcing script has set -euo pipefail.

# bench_init: cd to the repository root; sets root and out (BENCH_OUT,
# default bench/out, created, made absolute); checks go, hyperfine and jq.
bench_init() {
	cd "$(dirname "${BASH_SOURCE[0]}")/.."
	root=$(pwd)
	out=${BENCH_OUT:-$root/bench/out}
	mkdir -p "$out"
	out=$(cd "$out" && pwd)

	local c
	for c in go hyperfine jq; do
		command -v "$c" >/dev/null || { echo "bench: $c not found (Debian packages: golang, hyperfine, jq)" >&2; exit 1; }
	done
}

# build_ours: builds the working tree's acme-signing-helper (CGO_ENABLED=0)
# into $out; sets ours.
build_ours() {
	CGO_ENABLED=0 go build -tags lambda.norpc -o "$out/acme-signing-helper" ./cmd/acme-signing-helper
	ours=$out/acme-signing-helper
}

# build_hello: builds a static Go hello-world (CGO_ENABLED=0, the same Go)
# into $out, the floor for any Go process on this machine; sets hello.
build_hello() {
	mkdir -p "$out/hello"
	printf 'module hello\n\ngo 1.24\n' >"$out/hello/go.mod"
	printf 'package main\n\nimport "os"\n\nfunc main() { os.Stdout.WriteString("hello\\n") }\n' >"$out/hello/main.go"
	(cd "$out/hello" && CGO_ENABLED=0 GOFLAGS= go build -o "$out/hello-world" .)
	hello=$out/hello-world
}

# build_emulator: builds interop/cmd/bench-emulator into $out.
build_emulator() {
	(cd interop && go build -o "$out/bench-emulator" ./cmd/bench-emulator)
}

# bench_workdir: sets work (a temporary directory) and pids (the emulators
# started); both are cleaned up on exit.
bench_workdir() {
	work=$(mktemp -d)
	pids=()
	trap cleanup EXIT
}
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	rm -rf "$work"
}

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

# flags NAME: the credential-process flags for emulator NAME, followed by
# $flags_extra when set.
flags() {
	(
		# shellcheck disable=SC1090,SC1091
		. "$work/$1/env"
		echo "credential-process --certificate $CERT --private-key $KEY --intermediates $CHAIN" \
			"--trust-anchor-arn $TRUST_ANCHOR_ARN --profile-arn $PROFILE_ARN --role-arn $ROLE_ARN" \
			"--endpoint $ENDPOINT --no-verify-ssl${flags_extra:+ $flags_extra}"
	)
}

# calls NAME: CreateSession calls emulator NAME has answered so far.
calls() { "$out/bench-emulator" --print-calls --dir "$work/$1"; }
