#!/bin/sh
# make bench-reports: time and peak RSS of `asmgate verify --policy` over
# many files, for each report format (json, junit, sarif). JSON is
# written as the run goes; JUnit and SARIF should be too, so their peak
# RSS stays flat however many files a run has (issue 14: they were built
# whole in memory, over 1 GB at 2 600 files x 256 hosts).
#
# Corpus: FILES hard links (copies where links fail) of one signed
# sample assembly in a scratch folder, and a policy of HOSTS hosts that
# each allow only another vendor's key, so every decision is a denial:
# the largest reports (a JUnit <failure> and a SARIF result per file and
# host). Peak RSS needs GNU time (/usr/bin/time); without it, only the
# time is shown.
#
# usage: reports.sh PATH/TO/asmgate   (FILES=10000 HOSTS=16 JOBS=2)
set -u
A=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
FILES=${FILES:-10000}
HOSTS=${HOSTS:-16}
JOBS=${JOBS:-2}
W=$(mktemp -d "${TMPDIR:-/tmp}/asmgate-benchrep.XXXXXX")
trap 'rm -rf "$W"' EXIT INT TERM

mkdir "$W/drop"
src="$ROOT/samples/valid/fabrikam-adapters.dll"
i=0
while [ "$i" -lt "$FILES" ]; do
	d="$W/drop/d$((i / 1000))"
	[ -d "$d" ] || mkdir "$d"
	ln "$src" "$d/a$i.dll" 2>/dev/null || cp "$src" "$d/a$i.dll"
	i=$((i + 1))
done

{
	echo '<policy xmlns="urn:asmgate:policy:1">'
	echo "<key id=\"contoso\" file=\"$ROOT/samples/keys/contoso.pub\"/>"
	h=0
	while [ "$h" -lt "$HOSTS" ]; do
		echo "<host name=\"Host$h\"><allow id=\"contoso\"" \
		    "keys=\"contoso\"/></host>"
		h=$((h + 1))
	done
	echo '</policy>'
} >"$W/policy.xml"

TIME=
if [ -x /usr/bin/time ] && /usr/bin/time -f %M true >/dev/null 2>&1; then
	TIME=/usr/bin/time
else
	echo "bench-reports: NOTE: GNU time not found: no peak RSS"
fi

echo "bench-reports: $FILES files x $HOSTS hosts, --jobs $JOBS ($A)"
printf '  %-6s %9s %12s %12s %5s\n' format seconds "peak RSS" "report" exit
for fmt in json junit sarif; do
	if [ -n "$TIME" ]; then
		"$TIME" -o "$W/time" -f '%e %M' "$A" verify --format "$fmt" \
		    --jobs "$JOBS" --policy "$W/policy.xml" "$W/drop" \
		    >"$W/out" 2>"$W/err"
		rc=$?
		read -r secs kib <<EOF
$(tail -n 1 "$W/time")
EOF
	else
		start=$(date +%s)
		"$A" verify --format "$fmt" --jobs "$JOBS" \
		    --policy "$W/policy.xml" "$W/drop" >"$W/out" 2>"$W/err"
		rc=$?
		secs=$(( $(date +%s) - start ))
		kib=0
	fi
	size=$(wc -c <"$W/out")
	printf '  %-6s %9s %9s MiB %8s MiB %5s\n' "$fmt" "$secs" \
	    "$((kib / 1024))" "$((size / 1048576))" "$rc"
	if [ "$rc" -ne 1 ]; then
		echo "bench-reports: $fmt: exit $rc (expected 1: denials):"
		head -3 "$W/err"
	fi
done
