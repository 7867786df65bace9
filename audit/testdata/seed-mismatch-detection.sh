#!/bin/bash
# The mismatch-detection script of the seeds (shared/seeds/001), verbatim:
# the oracle for detect --compat. Run with the event file as $1 and
# env-sha1sum-db.json in the current directory.
set -uo pipefail

 who=$(jq -r .responseElements.x509Subject "$1")
when=$(jq -r .eventTime "$1")
with=$(jq -r .requestParameters.roleSessionName "$1")

env_db_file="env-sha1sum-db.json"

seed=$(jq -r ".[] | .\"$who\" // empty" $env_db_file)

when_minus_30s=$(date -R -u -d "$when - 30 seconds")

found=$(oathtool --window 1 --now "$when_minus_30s" \
        --totp $seed $with)

if [ "$found" -le 1 ] 2> /dev/null; then
  echo "legit"
  _ec=0
else
  echo "oh no"
  _ec=1
fi

exit $_ec
