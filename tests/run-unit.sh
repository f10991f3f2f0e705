#!/bin/sh
# Run cmocka unit-test binaries; print one summary line.
# usage: run-unit.sh DIR NAME...
dir=$1; shift
pass=0; fail=0; failed=""
for t in "$@"; do
	if "$dir/$t"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1)); failed="$failed $t"
	fi
done
echo "unit ($dir): $pass passed, $fail failed"
[ "$fail" -eq 0 ] || { echo "failed:$failed" >&2; exit 1; }
