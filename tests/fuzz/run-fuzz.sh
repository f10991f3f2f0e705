#!/bin/sh
# Build and run libFuzzer harnesses (make fuzz).
# usage: run-fuzz.sh CC SECONDS "CPPFLAGS CFLAGS" "LIBS" NAME...
#
# For each NAME (tests/fuzz/NAME.c, e.g. fuzz_pe) the harness is built
# with CC -fsanitize=fuzzer,address,undefined and every library source
# (rd/ ctr/ pe/ keys/ verify/ policy/ bind/) into build/fuzz/NAME, then run for
# SECONDS over the working corpus build/fuzz/work/SHORT (new inputs go
# there), reading tests/fuzz/corpus/SHORT and the seed directories listed
# in tests/fuzz/corpus/SHORT.seeds (repository-relative). One process
# (the machine is shared). Crash, leak, timeout and OOM inputs land in
# build/fuzz/artifacts/SHORT/; their paths are printed and the script
# exits 1. Environment: FUZZ_ARGS adds libFuzzer flags.
cc=$1; secs=$2; flags=$3; libs=$4
shift 4
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 2
[ $# -gt 0 ] || { echo "run-fuzz: no harness given" >&2; exit 2; }
command -v "$cc" >/dev/null 2>&1 || {
	echo "run-fuzz: $cc not found (FUZZ_CC)" >&2; exit 2; }
case $secs in
''|*[!0-9]*) echo "run-fuzz: bad FUZZ_SECONDS '$secs'" >&2; exit 2 ;;
esac

srcs=""
for m in rd ctr pe keys verify policy bind; do
	for f in "$m"/*.c; do
		[ -f "$f" ] && srcs="$srcs $f"
	done
done

status=0
mkdir -p build/fuzz
for name in "$@"; do
	short=${name#fuzz_}
	bin=build/fuzz/$name
	work=build/fuzz/work/$short
	art=build/fuzz/artifacts/$short
	log=build/fuzz/$short.log
	mkdir -p "$work" "$art" "tests/fuzz/corpus/$short"

	echo "run-fuzz: building $bin"
	# shellcheck disable=SC2086 # flags, libs and srcs are word lists
	if ! "$cc" -g -O1 -fsanitize=fuzzer,address,undefined \
	    -fno-sanitize-recover=all -fno-omit-frame-pointer -std=c11 \
	    $flags -o "$bin" "tests/fuzz/$name.c" $srcs $libs; then
		echo "run-fuzz: $name: build failed" >&2
		status=1
		continue
	fi

	dirs="tests/fuzz/corpus/$short"
	if [ -f "tests/fuzz/corpus/$short.seeds" ]; then
		# shellcheck disable=SC2013 # seed paths are words
		for s in $(cat "tests/fuzz/corpus/$short.seeds"); do
			[ -d "$s" ] && dirs="$dirs $s"
		done
	fi

	before=$(find "$art" -type f | wc -l)
	echo "run-fuzz: $name for ${secs}s (log $log)"
	# shellcheck disable=SC2086
	"./$bin" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
	    -max_total_time="$secs" -print_final_stats=1 \
	    -artifact_prefix="$art/" $FUZZ_ARGS "$work" $dirs >"$log" 2>&1
	rc=$?

	final=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -n 1)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" |
	    tail -n 1)
	echo "run-fuzz: $name: ${execs:-?} executions; last: ${final:-none}"
	after=$(find "$art" -type f | wc -l)
	if [ "$rc" -ne 0 ] || [ "$after" -gt "$before" ]; then
		echo "run-fuzz: $name: FAILED (libFuzzer exit $rc)" >&2
		grep -E 'ERROR: |SUMMARY: |runtime error|Test unit written' \
		    "$log" | head -n 10 >&2
		find "$art" -type f -newer "$bin" | sed 's/^/run-fuzz: crash file: /' >&2
		status=1
	fi
done
exit $status
