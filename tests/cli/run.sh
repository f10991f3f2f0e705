#!/bin/sh
# Black-box tests of the asmgate command: every tests/cli/t_*.sh.
# usage: run.sh PATH/TO/asmgate
ASMGATE=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
S=$(cd "$(dirname "$0")/../../samples" && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/asmgate-cli.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
PYTHON=$(command -v python3 || true)
PASS=0; FAIL=0; SKIP=0; JSON_SKIP=0
. "$(dirname "$0")/lib.sh"
for t in "$(dirname "$0")"/t_*.sh; do
	CASE=$(basename "$t" .sh)
	. "$t"
done
echo "cli ($1): $PASS passed, $FAIL failed, $SKIP skipped"
[ "$JSON_SKIP" -eq 0 ] ||
	echo "SKIP: python3 not installed: $JSON_SKIP JSON checks skipped"
[ "$FAIL" -eq 0 ]
