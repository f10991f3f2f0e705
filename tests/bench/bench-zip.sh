#!/bin/sh
# make bench-zip: time `asmgate verify` over packages against
# `unzip -tqq` over the same packages in the same run. unzip -tqq
# inflates and CRC-checks every member: the floor for reading a package;
# asmgate also parses, hashes and verifies every assembly in it (and
# only peeks at members that are not PE files or packages).
#
# Corpus: one `zip -r -9` archive per folder of Mono's GAC (MONO_DIRS,
# default /usr/lib/mono/4.5 and /usr/lib/mono/gac) and one .nupkg that
# holds all of them (nested zips, stored); without Mono, zips of the
# samples (a visible note says so). The baseline tests each archive and,
# for the .nupkg, each nested archive too (the same bytes asmgate
# inflates). Prints the median of RUNS alternating timings, the ratios
# for --jobs 1 and --jobs 2, and peak RSS (GNU time, when installed).
#
# usage: bench-zip.sh PATH/TO/asmgate
set -u
A=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
RUNS=${RUNS:-5}
W=$(mktemp -d "${TMPDIR:-/tmp}/asmgate-benchzip.XXXXXX")
trap 'rm -rf "$W"' EXIT INT TERM

if ! command -v zip >/dev/null 2>&1 || ! command -v unzip >/dev/null 2>&1
then
	echo "bench-zip: SKIP: Info-ZIP zip and unzip are needed" \
	    "(apt-get install zip unzip)"
	exit 0
fi

dirs=""
for d in ${MONO_DIRS:-/usr/lib/mono/4.5 /usr/lib/mono/gac}; do
	[ -d "$d" ] && dirs="$dirs $d"
done
if [ -z "$dirs" ]; then
	echo "bench-zip: NOTE: Mono's GAC not found; packages of the samples" \
	    "only (install mono-devel for the real corpus)"
	dirs="$ROOT/samples/valid $ROOT/samples/states"
fi

mkdir "$W/pk"
n=0
for d in $dirs; do
	n=$((n + 1))
	# -r follows symbolic links to files (the GAC links its folders).
	(cd "$d" && zip -r -9 -q "$W/pk/part$n.zip" .)
done
(cd "$W/pk" && zip -0 -q "$W/all.nupkg" part*.zip)
files="$W/pk/part*.zip $W/all.nupkg"
members=$(for f in $files; do unzip -Z1 "$f"; done | wc -l)
bytes=$(cat $files | wc -c)
echo "bench-zip: $(echo $files | wc -w) packages, $bytes bytes," \
    "$members members (nested counted once)"

baseline() {
	for f in $W/pk/part*.zip $W/all.nupkg; do unzip -tqq "$f" >/dev/null; done
	# the nested archives inside all.nupkg: the same bytes again
	for f in $W/pk/part*.zip; do unzip -tqq "$f" >/dev/null; done
}
now() { date +%s.%N; }
elapsed() { s=$(now); "$@" >/dev/null 2>&1; e=$(now); echo "$e - $s" | bc -l; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

: >"$W/t0"; : >"$W/t1"; : >"$W/t2"
i=0
while [ $i -lt "$RUNS" ]; do
	elapsed baseline >>"$W/t0"
	elapsed "$A" verify --jobs 1 $files >>"$W/t1"
	elapsed "$A" verify --jobs 2 $files >>"$W/t2"
	i=$((i + 1))
done
b=$(median <"$W/t0"); j1=$(median <"$W/t1"); j2=$(median <"$W/t2")
printf 'bench-zip: unzip -tqq %.3f s; asmgate --jobs 1 %.3f s (ratio %.3f);' \
    "$b" "$j1" "$(echo "$j1 / $b" | bc -l)"
printf ' --jobs 2 %.3f s (ratio %.3f)\n' "$j2" "$(echo "$j2 / $b" | bc -l)"
"$A" verify $files 2>/dev/null | tail -1 | sed 's/^/bench-zip: /'
if [ -x /usr/bin/time ]; then
	largest=$(for f in $files; do unzip -Zl "$f" 2>/dev/null; done |
	    awk '$1 ~ /^-/ {if ($4 > m) m = $4} END {print m + 0}')
	for j in 1 2; do
		/usr/bin/time -f '%M' -o "$W/rss" "$A" verify --jobs $j \
		    $files >/dev/null 2>&1
		echo "bench-zip: peak RSS --jobs $j: $(tail -n 1 "$W/rss") KB" \
		    "(largest member $((largest / 1024)) KB)"
	done
fi
