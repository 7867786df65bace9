#!/usr/bin/env bash
# bench/tpm.sh: wall time of a cold `credential-process` (--no-cache) with
# the key in a TPM (a swtpm on a Unix socket) against the same command with
# a file key, in one hyperfine run against the same local emulator
# (serve-emulator, plain HTTP on loopback). Both certificates come from one
# openssl-made CA; the TPM key is made by `tpm keygen` and certified through
# `tpm csr`. Prints the medians and the ratio TPM/file. A TPM signature
# costs a storage root key derivation, a key load, a probe signature at load
# time and the signature itself, each a command round trip to the TPM.
#
# Environment: BENCH_RUNS (default 100), BENCH_WARMUP (5), BENCH_KEY
# (ecdsa-p256 or rsa2048, default ecdsa-p256), BENCH_OUT (bench/out).
# Needs: go, swtpm, openssl, hyperfine, jq.
set -euo pipefail

runs=${BENCH_RUNS:-100}
warmup=${BENCH_WARMUP:-5}
keytype=${BENCH_KEY:-ecdsa-p256}
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_init
build_ours
bench_workdir
w=$work

swtpm socket --tpm2 --server type=unixio,path="$w/tpm.sock" --ctrl type=unixio,path="$w/tpm.sock.ctrl" \
	--tpmstate dir="$(mkdir -p "$w/tpmstate" && echo "$w/tpmstate")" --flags not-need-init,startup-clear 2>"$w/swtpm.log" &
pids+=($!)
for _ in $(seq 1 100); do [ -S "$w/tpm.sock" ] && break; sleep 0.05; done
dev=unix:$w/tpm.sock

# One CA; a file key and a TPM key, each with a leaf certificate.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$w/root.key" -out "$w/root.pem" \
	-days 30 -subj "/CN=Bench TPM Root" 2>/dev/null
printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nsubjectAltName=DNS:host.example.com\n' >"$w/leaf.ext"
sign() { openssl x509 -req -in "$1" -CA "$w/root.pem" -CAkey "$w/root.key" -CAcreateserial -days 7 -extfile "$w/leaf.ext" -out "$2" 2>/dev/null; }
if [ "$keytype" = rsa2048 ]; then
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$w/file.key" 2>/dev/null
else
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$w/file.key" 2>/dev/null
fi
openssl req -new -key "$w/file.key" -subj "/CN=host.example.com" -out "$w/file.csr"
sign "$w/file.csr" "$w/file.pem"
"$ours" tpm keygen --tpm-device "$dev" --type "$keytype" --out "$w/tpm.key"
"$ours" tpm csr --tpm-device "$dev" --key "$w/tpm.key" --domain host.example.com >"$w/tpm.csr"
sign "$w/tpm.csr" "$w/tpm.pem"

"$ours" serve-emulator --anchor-cert "$w/root.pem" --addr-file "$w/addr" 2>"$w/emulator.log" &
pids+=($!)
for _ in $(seq 1 100); do [ -s "$w/addr" ] && break; sleep 0.05; done
url=$(cat "$w/addr")
arns=(--trust-anchor-arn arn:aws:rolesanywhere:us-east-1:123456789012:trust-anchor/00000000-0000-4000-8000-00000000a1c0
	--profile-arn arn:aws:rolesanywhere:us-east-1:123456789012:profile/00000000-0000-4000-8000-0000000097f1
	--role-arn arn:aws:iam::123456789012:role/acme-signing-helper-demo)
mkdir -p "$w/home"
clean_env=(env -i PATH="$PATH" HOME="$w/home" LANG=C.UTF-8 AWS_EC2_METADATA_DISABLED=true)
file_cmd="$ours credential-process --no-cache --endpoint $url --certificate $w/file.pem --private-key $w/file.key ${arns[*]}"
tpm_cmd="$ours credential-process --no-cache --endpoint $url --certificate $w/tpm.pem --private-key $w/tpm.key --tpm-device $dev ${arns[*]}"
for c in "$file_cmd" "$tpm_cmd"; do
	"${clean_env[@]}" $c | jq -e '.Version == 1' >/dev/null
done

json=$out/tpm.json
"${clean_env[@]}" hyperfine -N --style basic --warmup "$warmup" --runs "$runs" --export-json "$json" \
	-n "file key ($keytype)" "$file_cmd" -n "swtpm key ($keytype)" "$tpm_cmd" >&2
jq -r '.results[] | "\(.command): median \(.median*1000 | .*100|round/100) ms, mean \(.mean*1000 | .*100|round/100) ms"' "$json"
jq -r '"ratio swtpm/file (medians): \(.results[1].median / .results[0].median | .*100|round/100); difference \((.results[1].median - .results[0].median)*1000 | .*100|round/100) ms"' "$json"
