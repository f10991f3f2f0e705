#!/bin/sh
# Time deciding 300 assemblies against a policy at the caps (issue 14):
# 4096 allow rules in one host, 60 keys (token pins), each rule listing
# 40 of them and a name glob, none matching, so every assembly is denied
# by default after every rule was checked. Prints the median of RUNS
# wall-clock timings of `asmgate verify` over the same 300 files without
# and with the policy. Not part of `make check`.
#
# usage: decide.sh PATH/TO/asmgate [RUNS]   (N=1000 for another count
# of assemblies; peak RSS printed with GNU time)
set -u
A=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
RUNS=${2:-5}
S=$(cd "$(dirname "$0")/../../samples" && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/asmgate-decide.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM

# 300 assemblies: hard links to the signed samples.
mkdir -p "$T/files"
n=0
N=${N:-300}
while [ $n -lt "$N" ]; do
	for f in "$S"/valid/*.dll "$S"/valid/*.exe; do
		[ $n -lt "$N" ] || break
		ln "$f" "$T/files/$n-$(basename "$f")" 2>/dev/null ||
			cp "$f" "$T/files/$n-$(basename "$f")"
		n=$((n + 1))
	done
done

awk 'BEGIN {
	print "<policy xmlns=\"urn:asmgate:policy:1\">"
	for (k = 0; k < 60; k++)
		printf "<key id=\"k%d\" token=\"%016x\"/>\n", k, k + 1
	print "<host name=\"H\">"
	for (r = 0; r < 4096; r++) {
		printf "<allow id=\"r%d\" name=\"Vendor%d.*\" keys=\"", r, r
		for (k = 0; k < 40; k++)
			printf "%sk%d", k ? " " : "", (r + k) % 60
		print "\"/>"
	}
	print "</host></policy>"
}' >"$T/policy.xml"

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
now() { date +%s.%N; }
timeit() { # CMD...: median seconds of RUNS runs
	i=0
	while [ $i -lt "$RUNS" ]; do
		t0=$(now); "$@" >/dev/null 2>&1; t1=$(now)
		echo "$t0 $t1" | awk '{ printf "%.4f\n", $2 - $1 }'
		i=$((i + 1))
	done | median
}
echo "policy: $(wc -c <"$T/policy.xml") bytes, 4096 rules, 60 keys"
plain=$(timeit "$A" verify --jobs 1 "$T/files")
pol=$(timeit "$A" verify --jobs 1 --policy "$T/policy.xml" "$T/files")
load=$(timeit "$A" policy lint "$T/policy.xml")
echo "$N assemblies, --jobs 1, median of $RUNS:"
echo "  without a policy: ${plain} s"
echo "  with the policy:  ${pol} s (policy lint alone: ${load} s)"
echo "$plain $pol $load" | awk '{ printf "  with / without: %.2fx; minus the load: %.2fx\n", $2 / $1, ($2 - $3) / $1 }'
if [ -x /usr/bin/time ]; then
	/usr/bin/time -f '%M' -o "$T/rss" "$A" verify --jobs 1 --policy \
	    "$T/policy.xml" "$T/files" >/dev/null 2>&1
	echo "  peak RSS with the policy: $(tail -n 1 "$T/rss") KB"
fi
