#!/bin/sh
# make bench-policy: time `asmgate policy lint` on a policy of 1 MiB
# (RD_MAX_POLICY_BYTES) whose one <allow> carries as many attributes as
# fit (about 105 000), against baselines run in the same script:
# `cat` of the file (reading it) and `xmllint --noout` of the same
# attributes spread over elements of 64 (libxml2 parsing 1 MiB of
# attributes when no tag is oversized). libxml2 2.9's duplicate
# attribute check is quadratic in the attributes of one tag (issue 14:
# 50 000 took 15-20 s); asmgate counts them before libxml2 parses the
# tag and refuses the file at once. Prints the median of RUNS
# timings, the ratios, and peak RSS (GNU time, when installed). No
# assertion: a benchmark, not a test.
#
# usage: policy-attrs.sh PATH/TO/asmgate
set -u
A=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
RUNS=${RUNS:-5}
W=$(mktemp -d "${TMPDIR:-/tmp}/asmgate-benchpol.XXXXXX")
trap 'rm -rf "$W"' EXIT INT TERM

# gen PER: a policy of at most 1 MiB of attributes a0="" a1="" ...,
# PER attributes to an <allow> (0: all on one).
gen() {
	awk -v per="$1" 'BEGIN {
		max = 1048576
		head = "<policy xmlns=\"urn:asmgate:policy:1\">\n" \
		    "<host name=\"H\">\n<allow id=\"a\""
		tail = "/>\n</host>\n</policy>\n"
		printf "%s", head
		len = length(head) + length(tail)
		for (i = 0; ; i++) {
			a = sprintf(" a%d=\"\"", i)
			if (per > 0 && i > 0 && i % per == 0)
				a = "/>\n<allow" a
			if (len + length(a) > max)
				break
			printf "%s", a
			len += length(a)
		}
		printf "%s", tail
	}'
}
gen 0 >"$W/attrs.xml"
gen 63 >"$W/spread.xml"
n=$(($(grep -o " a[0-9]*=" "$W/attrs.xml" | wc -l) + 1))
echo "bench-policy: $(wc -c <"$W/attrs.xml") bytes, $n attributes on" \
    "one element"

now() { date +%s.%N; }
elapsed() { s=$(now); "$@" >/dev/null 2>&1; e=$(now); echo "$e - $s" | bc -l; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

have_xmllint=0
command -v xmllint >/dev/null 2>&1 && have_xmllint=1
: >"$W/t0"; : >"$W/t1"; : >"$W/t2"
i=0
while [ $i -lt "$RUNS" ]; do
	elapsed cat "$W/attrs.xml" >>"$W/t0"
	if [ $have_xmllint = 1 ]; then
		elapsed xmllint --noout "$W/spread.xml" >>"$W/t1"
	fi
	elapsed "$A" policy lint "$W/attrs.xml" >>"$W/t2"
	i=$((i + 1))
done
c=$(median <"$W/t0"); a=$(median <"$W/t2")
printf 'bench-policy: cat %.3f s; asmgate policy lint %.3f s (ratio %.1f)' \
    "$c" "$a" "$(echo "$a / $c" | bc -l)"
if [ $have_xmllint = 1 ]; then
	x=$(median <"$W/t1")
	printf '; xmllint --noout, 64 to a tag, %.3f s (ratio %.3f)' \
	    "$x" "$(echo "$a / $x" | bc -l)"
fi
echo
"$A" policy lint "$W/attrs.xml" 2>&1 | sed "s|^$W/||; s/^/bench-policy: /"
if [ -x /usr/bin/time ]; then
	/usr/bin/time -f '%M' -o "$W/rss" "$A" policy lint "$W/attrs.xml" \
	    >/dev/null 2>&1
	echo "bench-policy: peak RSS: $(tail -n 1 "$W/rss") KB"
fi
