#!/bin/sh
# make bench-authenticode: time `asmgate verify --jobs 1` with
# Authenticode (anchor, CRL) over Authenticode-signed copies of Mono's GAC
# against `openssl dgst -sha1` plus `openssl dgst -sha256` over the same
# files in the same run (the floor: every byte hashed once per digest,
# what a strong-name SHA-1 plus an Authenticode SHA-256 digest need).
# Target: ratio <= 1.1.
#
# The copies (/usr/lib/mono/gac/**/*.dll, signed with the test PKI's
# Contoso leaf and SHA-256 by osslsigncode) are made once and cached in
# AC_BENCH_CACHE (default /tmp/asmgate-bench-authenticode); delete it to
# remake them. Prints the median of RUNS timings (each file listed
# REPEAT times). Skips, with a message, without osslsigncode or Mono's
# GAC.
#
# usage: bench-authenticode.sh PATH/TO/asmgate
set -u
A=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
RUNS=${RUNS:-5}
REPEAT=${REPEAT:-2}
PKI=$ROOT/samples/authenticode/pki
CACHE=${AC_BENCH_CACHE:-/tmp/asmgate-bench-authenticode}
if ! command -v osslsigncode >/dev/null 2>&1; then
	echo "bench-authenticode: SKIP: osslsigncode not installed"
	exit 0
fi
if [ ! -d /usr/lib/mono/gac ]; then
	echo "bench-authenticode: SKIP: /usr/lib/mono/gac not present"
	exit 0
fi
W=$(mktemp -d "${TMPDIR:-/tmp}/asmgate-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT INT TERM

if [ ! -f "$CACHE/.done" ]; then
	echo "bench-authenticode: signing copies of the GAC into $CACHE (once)"
	rm -rf "$CACHE"
	mkdir -p "$CACHE"
	cat "$PKI/contoso.pem" "$PKI/inter.pem" >"$W/chain.pem"
	n=0
	find /usr/lib/mono/gac -name '*.dll' -exec readlink -f {} + |
	    sort -u >"$W/gac"
	while read -r f; do
		n=$((n + 1))
		osslsigncode sign -certs "$W/chain.pem" \
		    -key "$PKI/contoso.key" -h sha256 -time 1748779200 \
		    -in "$f" -out "$CACHE/$n-$(basename "$f")" \
		    >/dev/null 2>&1 || rm -f "$CACHE/$n-$(basename "$f")"
	done <"$W/gac"
	touch "$CACHE/.done"
fi

find "$CACHE" -name '*.dll' | sort >"$W/list"
nfiles=$(wc -l <"$W/list")
bytes=$(xargs cat <"$W/list" | wc -c)
: >"$W/args"
i=0
while [ $i -lt "$REPEAT" ]; do cat "$W/list" >>"$W/args"; i=$((i + 1)); done
echo "bench-authenticode: $nfiles signed files, $((bytes / 1024 / 1024)) MB," \
    "each listed $REPEAT times; median of $RUNS runs"

# Every copy must verify as valid, or the timing means nothing.
st=$(xargs "$A" verify --jobs 2 --format json --ca-file "$PKI/ca.pem" \
    --crl-file "$PKI/crl.pem" --at 1780272000 <"$W/list" 2>/dev/null |
    grep -c '"state": "valid"')
echo "bench-authenticode: $st Authenticode states valid (of $nfiles)"

now() { date +%s%N; }
# time_cmd CMD...: wall time in ms of CMD over the argument list; the
# CPU time (user + sys, ms, GNU time when installed) is appended to
# $W/cpu.
time_cmd() {
	t0=$(now)
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f "%U %S" -o "$W/t" xargs "$@" <"$W/args" \
		    >/dev/null 2>&1
		tail -1 "$W/t" | awk '{printf "%d\n", ($1 + $2) * 1000}' >>"$W/cpu"
	else
		xargs "$@" <"$W/args" >/dev/null 2>&1
	fi
	t1=$(now)
	echo $(((t1 - t0) / 1000000))
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

xargs cat <"$W/args" >/dev/null
: >"$W/o"; : >"$W/a1"; : >"$W/oc"; : >"$W/ac"
r=0
while [ $r -lt "$RUNS" ]; do
	: >"$W/cpu"
	t1=$(time_cmd openssl dgst -sha1)
	t2=$(time_cmd openssl dgst -sha256)
	echo $((t1 + t2)) >>"$W/o"
	[ -s "$W/cpu" ] && awk '{s += $1} END {print s}' "$W/cpu" >>"$W/oc"
	: >"$W/cpu"
	time_cmd "$A" verify --jobs 1 --ca-file "$PKI/ca.pem" \
	    --crl-file "$PKI/crl.pem" --at 1780272000 >>"$W/a1"
	[ -s "$W/cpu" ] && cat "$W/cpu" >>"$W/ac"
	r=$((r + 1))
done
o=$(median <"$W/o"); a1=$(median <"$W/a1")
echo "openssl dgst -sha1 + -sha256:  ${o} ms"
echo "asmgate verify --jobs 1:       ${a1} ms   ratio" \
    "$(awk "BEGIN{printf \"%.3f\", $a1/$o}")  (target <= 1.1)"
if [ -s "$W/ac" ]; then
	oc=$(median <"$W/oc"); ac=$(median <"$W/ac")
	echo "CPU time (user + sys): openssl ${oc} ms, asmgate ${ac} ms," \
	    "ratio $(awk "BEGIN{printf \"%.3f\", $ac/($oc > 0 ? $oc : 1)}")"
fi
