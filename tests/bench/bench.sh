#!/bin/sh
# make bench: time `asmgate verify` against `openssl dgst -sha1` over the
# same files in the same run. openssl hashes every byte of every file once
# with the CPU's SHA instructions: the floor for this work. asmgate hashes
# slightly less (the signature slot, padding and overlays are excluded)
# but also parses, checks structure and verifies RSA.
#
# Corpus: the samples, enlarged assemblies (a large managed resource,
# made with mcs and signed with asmgate when mcs is present), and Mono's
# GAC (/usr/lib/mono, deduplicated) where present; each file is listed
# REPEAT times. Prints the median of RUNS timings, the ratios for --jobs 1
# and --jobs 2, and asmgate's peak memory (GNU time, when installed).
#
# MONO_DIRS picks the Mono folders (default: all of /usr/lib/mono; the
# GAC proper is MONO_DIRS="/usr/lib/mono/4.5 /usr/lib/mono/gac").
#
# usage: bench.sh PATH/TO/asmgate
set -u
A=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
RUNS=${RUNS:-5}
REPEAT=${REPEAT:-4}
W=$(mktemp -d "${TMPDIR:-/tmp}/asmgate-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT INT TERM

list="$W/files"
: >"$list"
find "$ROOT/samples/valid" "$ROOT/samples/states" -type f \
    \( -name '*.dll' -o -name '*.exe' \) >>"$list"

# Enlarged copies: a 32 MB resource inside .text, so the hash has real
# section bytes to cover.
if command -v mcs >/dev/null 2>&1; then
	head -c $((32 * 1024 * 1024)) /dev/urandom >"$W/blob.bin"
	if mcs -nologo -target:library -out:"$W/big.dll" \
	    -resource:"$W/blob.bin,Big.bin" -delaysign+ \
	    -keyfile:"$ROOT/samples/keys/contoso.pub" \
	    "$ROOT/samples/src/Contoso.Orchestrations.cs" >/dev/null 2>&1 &&
	    "$A" sign --key "$ROOT/samples/keys/contoso.snk" "$W/big.dll" \
	    >/dev/null; then
		echo "$W/big.dll" >>"$list"
	fi
	rm -f "$W/blob.bin"
else
	echo "bench: mcs not installed: no enlarged assemblies"
fi
MONO_DIRS=${MONO_DIRS:-/usr/lib/mono}
if [ -d /usr/lib/mono ]; then
	# shellcheck disable=SC2086
	find $MONO_DIRS -name '*.dll' -exec readlink -f {} + |
	    sort -u >>"$list"
else
	echo "bench: /usr/lib/mono not present: samples only"
fi

nfiles=$(wc -l <"$list")
bytes=$(xargs cat <"$list" | wc -c)
: >"$W/args"
i=0
while [ $i -lt "$REPEAT" ]; do cat "$list" >>"$W/args"; i=$((i + 1)); done
echo "bench: $nfiles files, $((bytes / 1024 / 1024)) MB, each listed $REPEAT times; median of $RUNS runs"

now() { date +%s%N; }
# time_cmd CMD...: wall time in ms of CMD over the argument list.
time_cmd() {
	t0=$(now)
	xargs "$@" <"$W/args" >/dev/null 2>&1
	t1=$(now)
	echo $(((t1 - t0) / 1000000))
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# Warm the page cache once so every contender reads from memory.
xargs cat <"$W/args" >/dev/null

: >"$W/o"; : >"$W/a1"; : >"$W/a2"
r=0
while [ $r -lt "$RUNS" ]; do
	time_cmd openssl dgst -sha1 >>"$W/o"
	time_cmd "$A" verify --jobs 1 >>"$W/a1"
	time_cmd "$A" verify --jobs 2 >>"$W/a2"
	r=$((r + 1))
done
o=$(median <"$W/o"); a1=$(median <"$W/a1"); a2=$(median <"$W/a2")
echo "openssl dgst -sha1:        ${o} ms"
echo "asmgate verify --jobs 1:   ${a1} ms   ratio $(awk "BEGIN{printf \"%.3f\", $a1/$o}")  (target <= 1.10)"
echo "asmgate verify --jobs 2:   ${a2} ms   ratio $(awk "BEGIN{printf \"%.3f\", $a2/$o}")  (target <= 0.62)"

if [ -x /usr/bin/time ]; then
	echo "peak memory (KB, max RSS of one process):"
	/usr/bin/time -f "  whole corpus, --jobs 1: %M KB" \
	    xargs "$A" verify --jobs 1 <"$W/args" 2>&1 >/dev/null | tail -1
	/usr/bin/time -f "  one small file:         %M KB" \
	    "$A" verify "$ROOT/samples/valid/hello.exe" 2>&1 >/dev/null | tail -1
	if grep -q big.dll "$list"; then
		/usr/bin/time -f "  one 32 MB assembly:     %M KB" \
		    "$A" verify "$W/big.dll" 2>&1 >/dev/null | tail -1
	fi
else
	echo "peak memory: install GNU time (Debian package 'time') to measure"
fi
