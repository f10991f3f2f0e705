#!/bin/sh
# Replay each harness's committed corpus (tests/fuzz/corpus/NAME) and its
# seed directories through the sanitizer build. usage: replay-all.sh DIR NAME...
dir=$1; shift
here=$(dirname "$0")
pass=0; fail=0
for name in "$@"; do
	short=${name#fuzz_}
	seeds=$(cat "$here/corpus/$short.seeds" 2>/dev/null)
	set -- "$here/corpus/$short"
	for s in $seeds; do set -- "$@" "$here/../../$s"; done
	if "$dir/replay_$name" "$@" >/dev/null; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1)); echo "replay failed: $name" >&2
	fi
done
echo "fuzz replay: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
