#!/bin/sh
# make bench-sign: `asmgate sign` of a large assembly. Prints the peak
# memory of sign (it must not grow with the input: the output is
# streamed) next to verify's, and the ratio of sign's time to
# `openssl dgst -sha1` over the same file, the floor for reading and
# hashing it once. Sign reads the input twice (hash, then copy) and
# writes and flushes (fsync) a file as large, so expect a ratio of a few
# units; the figures are printed, never asserted.
#
# Input: the delay-signed sample with SIZE_MB MiB (default 1000) of
# data appended after its last section (not hashed, but copied and
# covered by the PE checksum), the shape of the 1 GB case of issue 14.
# RUNS (default 3) timings each, median shown. BASE=PATH/TO/asmgate
# measures another build the same way (before/after figures).
#
# usage: sign-large.sh PATH/TO/asmgate
set -u
A=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
RUNS=${RUNS:-3}
SIZE_MB=${SIZE_MB:-1000}
BASE=${BASE:-}
W=$(mktemp -d "${TMPDIR:-/tmp}/asmgate-bench-sign.XXXXXX")
trap 'rm -rf "$W"' EXIT INT TERM HUP

# Data, not a sparse hole: one random MiB repeated.
head -c 1048576 /dev/urandom >"$W/mib"
cp "$ROOT/samples/states/delay-signed.dll" "$W/big.dll"
i=0
while [ $i -lt "$SIZE_MB" ]; do cat "$W/mib"; i=$((i + 1)); done \
    >>"$W/big.dll"
rm -f "$W/mib"
bytes=$(wc -c <"$W/big.dll")
echo "bench-sign: $((bytes / 1048576)) MiB input ($bytes bytes), median of $RUNS runs"

now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
GT=
[ -x /usr/bin/time ] && GT=/usr/bin/time

# measure NAME CMD...: RUNS runs; median wall ms into $ms, largest peak
# RSS (KB) into $kb ("?" without GNU time).
measure() {
	name=$1; shift
	: >"$W/t"; : >"$W/m"
	r=0
	while [ $r -lt "$RUNS" ]; do
		t0=$(now)
		# Exit 1 is an answer (verify: delay-signed); 2 an error.
		if [ -n "$GT" ]; then
			$GT -f '%M' -o "$W/rss" "$@" >/dev/null 2>"$W/err"
			st=$?
			tail -1 "$W/rss" >>"$W/m"
		else
			"$@" >/dev/null 2>"$W/err"
			st=$?
		fi
		if [ $st -gt 1 ]; then
			echo "bench-sign: $name failed (exit $st):"
			cat "$W/err"
		fi
		t1=$(now)
		echo $(((t1 - t0) / 1000000)) >>"$W/t"
		rm -f "$W/out.dll"
		r=$((r + 1))
	done
	ms=$(median <"$W/t")
	kb=$(sort -n "$W/m" | tail -1)
	[ -n "$kb" ] || kb="?"
}

cat "$W/big.dll" >/dev/null # into the page cache for every contender
measure openssl openssl dgst -sha1 "$W/big.dll"
o=$ms
echo "openssl dgst -sha1:   ${o} ms"
report() {
	measure "$1 sign" "$2" sign --key "$ROOT/samples/keys/contoso.snk" \
	    -o "$W/out.dll" "$W/big.dll"
	s=$ms; skb=$kb
	measure "$1 verify" "$2" verify "$W/big.dll"
	echo "$1 sign:         ${s} ms   ratio $(awk "BEGIN{printf \"%.2f\", $s/$o}")   peak RSS ${skb} KB (verify: ${kb} KB)"
}
report asmgate "$A"
[ -z "$BASE" ] || report "base   " "$BASE"
[ -n "$GT" ] ||
	echo "peak memory: install GNU time (Debian package 'time') to measure"
