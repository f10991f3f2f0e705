#!/bin/sh
# make bench-msi: time `asmgate verify` over an installer database
# against `msiextract` writing the same database's files to a
# temporary folder (the usual way to look inside one off Windows) in
# the same run. msiextract decompresses each cabinet once and writes
# every file; asmgate reads the database, decompresses the cabinet in
# memory, and parses, hashes and verifies every assembly.
#
# Corpus: one database built with wixl holding every .dll of Mono's
# 4.5 folder (MONO_DIR, default /usr/lib/mono/4.5; embedded MSZIP
# cabinet); without Mono, the samples' assemblies (a visible note says
# so). Prints the median of RUNS alternating timings, the ratios for
# --jobs 1 and --jobs 2, and the peak RSS (GNU time, when installed).
#
# Then the same files again from an LZX:21 cabinet, as WiX builds real
# installers: a second database whose Media row names an external
# bench.cab (wixl writes no cabinet for EmbedCab="no"), and beside it
# bench.cab from tests/bench/lzxcab.c, built here with cc into the
# folder of asmgate. lzxcab is a test-only LZX cabinet writer (no tool
# here writes LZX; gcab and wixl write MSZIP only), not part of asmgate:
# one folder, each 32 KiB frame one verbatim block (hash-chain matches,
# repeated offsets, Huffman trees per block), padded to 16 bits at
# every frame so each CFDATA holds one frame. Its members are the File
# keys (F1, F2, ...) in Sequence order. Prints a second ratio line,
# labelled LZX. Without cc that part is skipped with a note.
#
# usage: bench-msi.sh PATH/TO/asmgate
set -u
A=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
RUNS=${RUNS:-5}
W=$(mktemp -d "${TMPDIR:-/tmp}/asmgate-benchmsi.XXXXXX")
trap 'rm -rf "$W"' EXIT INT TERM

for t in wixl msiextract bc; do
	if ! command -v "$t" >/dev/null 2>&1; then
		echo "bench-msi: SKIP: $t is needed (apt-get install wixl msitools bc)"
		exit 0
	fi
done
dir=${MONO_DIR:-/usr/lib/mono/4.5}
if [ ! -d "$dir" ]; then
	echo "bench-msi: NOTE: $dir not found; the samples' assemblies only" \
	    "(install mono-devel for the real corpus)"
	dir=$ROOT/samples/valid
fi
mkdir "$W/src"
# wxs EMBED: the WiX source (EmbedCab="EMBED"), on standard output;
# copies the files to $W/src/f<n>.dll and sets n.
wxs() {
	n=0
	echo '<?xml version="1.0" encoding="utf-8"?>'
	echo '<Wix xmlns="http://schemas.microsoft.com/wix/2006/wi">'
	echo '<Product Id="12345678-1234-1234-1234-123456789a01" Name="Bench" Language="1033" Version="1.0.0" Manufacturer="asmgate" UpgradeCode="12345678-1234-1234-1234-123456789a02">'
	echo '<Package InstallerVersion="200" Compressed="yes"/>'
	echo "<Media Id=\"1\" Cabinet=\"bench.cab\" EmbedCab=\"$1\"/>"
	echo '<Directory Id="TARGETDIR" Name="SourceDir"><Directory Id="ProgramFilesFolder"><Directory Id="D" Name="Bench">'
	for f in "$dir"/*.dll; do
		[ -f "$f" ] || continue
		n=$((n + 1))
		cp -L "$f" "$W/src/f$n.dll"
		printf '<Component Id="C%d" Guid="12345678-1234-1234-1234-%012d"><File Id="F%d" Name="%s" Source="f%d.dll" KeyPath="yes"/></Component>\n' \
		    "$n" "$n" "$n" "$(basename "$f")" "$n"
	done
	echo '</Directory></Directory></Directory>'
	printf '<Feature Id="F" Level="1">'
	i=1; while [ $i -le $n ]; do printf '<ComponentRef Id="C%d"/>' $i; i=$((i + 1)); done
	echo '</Feature></Product></Wix>'
}
wxs yes >"$W/src/bench.wxs"
(cd "$W/src" && wixl -o "$W/bench.msi" bench.wxs) || {
	echo "bench-msi: wixl failed" >&2; exit 1; }
echo "bench-msi: MSZIP: one database, $(wc -c <"$W/bench.msi") bytes," \
    "$n files from $dir"

# msiextract writes to a tmpfs (/dev/shm when there is one, or
# BENCH_TMPFS), so the baseline is not held up by a disk.
X=${BENCH_TMPFS:-/dev/shm}
[ -d "$X" ] && [ -w "$X" ] || X=$W
X=$(mktemp -d "$X/asmgate-benchmsi-x.XXXXXX")
trap 'rm -rf "$W" "$X"' EXIT INT TERM
baseline() { rm -rf "$X/x"; mkdir "$X/x"; msiextract -C "$X/x" "$M"; }
now() { date +%s.%N; }
elapsed() { s=$(now); "$@" >/dev/null 2>&1; e=$(now); echo "$e - $s" | bc -l; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# measure LABEL: times the database $M.
measure() {
	: >"$W/t0"; : >"$W/t1"; : >"$W/t2"
	i=0
	while [ $i -lt "$RUNS" ]; do
		elapsed baseline >>"$W/t0"
		elapsed "$A" verify --jobs 1 "$M" >>"$W/t1"
		elapsed "$A" verify --jobs 2 "$M" >>"$W/t2"
		i=$((i + 1))
	done
	b=$(median <"$W/t0"); j1=$(median <"$W/t1"); j2=$(median <"$W/t2")
	printf 'bench-msi: %s: msiextract %.3f s;' "$1" "$b"
	printf ' asmgate --jobs 1 %.3f s (ratio %.3f);' \
	    "$j1" "$(echo "$j1 / $b" | bc -l)"
	printf ' --jobs 2 %.3f s (ratio %.3f)\n' \
	    "$j2" "$(echo "$j2 / $b" | bc -l)"
	"$A" verify "$M" 2>/dev/null | tail -1 | sed "s/^/bench-msi: $1: /"
	if [ -x /usr/bin/time ]; then
		for j in 1 2; do
			/usr/bin/time -f '%M' -o "$W/rss" "$A" verify --jobs $j \
			    "$M" >/dev/null 2>&1
			echo "bench-msi: $1: peak RSS --jobs $j:" \
			    "$(tail -n 1 "$W/rss") KB"
		done
	fi
}

M=$W/bench.msi
measure MSZIP
"$A" verify "$M" 2>/dev/null | tail -1 >"$W/sum-mszip"

# The same files from an external LZX:21 cabinet.
CC=${CC:-cc}
if ! command -v "$CC" >/dev/null 2>&1; then
	echo "bench-msi: SKIP LZX: $CC is needed to build lzxcab"
	exit 0
fi
L=$(dirname "$A")/lzxcab
if [ ! -x "$L" ] || [ "$ROOT/tests/bench/lzxcab.c" -nt "$L" ]; then
	"$CC" -O2 -o "$L" "$ROOT/tests/bench/lzxcab.c" || {
		echo "bench-msi: cc lzxcab failed" >&2; exit 1; }
fi
mkdir "$W/lzx"
wxs no >"$W/src/bench-lzx.wxs"
(cd "$W/src" && wixl -o "$W/lzx/bench.msi" bench-lzx.wxs) || {
	echo "bench-msi: wixl failed" >&2; exit 1; }
set --
i=1
while [ $i -le $n ]; do
	set -- "$@" "F$i=$W/src/f$i.dll"
	i=$((i + 1))
done
"$L" "$W/lzx/bench.cab" 21 "$@" 2>/dev/null || {
	echo "bench-msi: lzxcab failed" >&2; exit 1; }
echo "bench-msi: LZX: one database, $(wc -c <"$W/lzx/bench.msi") bytes," \
    "external LZX:21 cabinet, $(wc -c <"$W/lzx/bench.cab") bytes"
M=$W/lzx/bench.msi
"$A" verify "$M" 2>/dev/null | tail -1 >"$W/sum-lzx"
if ! cmp -s "$W/sum-mszip" "$W/sum-lzx"; then
	echo "bench-msi: LZX: FAIL: asmgate reads other results than from" \
	    "the MSZIP database" >&2
	exit 1
fi
measure LZX
