#!/bin/sh
# The libraries export the public API only: every defined global symbol
# of the static archive and every defined dynamic symbol of the shared
# library must be named asmgate_*; any other name fails the test.
# With a third argument, the public header, every function it declares
# must also be exported by both.
# usage: symbols.sh LIBASMGATE.a LIBASMGATE.so [asmgate.h]
NM=${NM:-nm}; CC=${CC:-cc}
[ $# -eq 2 ] || [ $# -eq 3 ] ||
	{ echo "usage: symbols.sh LIB.a LIB.so [HEADER]" >&2; exit 2; }
bad=0
check() { # WHAT LISTING-FILE
	total=$(grep -c . "$2"); missing=""
	if [ -s "$t.api" ]; then
		missing=$(comm -23 "$t.api" "$2")
		if [ -n "$missing" ]; then
			echo "symbols: $1 lacks functions asmgate.h declares:"
			echo "$missing" | sed 's/^/  /'; bad=1
		fi
	fi
	other=$(grep -v '^asmgate_' "$2")
	if [ "$total" -eq 0 ]; then
		echo "symbols: $1: no exported symbols at all"; bad=1
	elif [ -n "$other" ]; then
		echo "symbols: $1 exports names outside asmgate_*:"
		echo "$other" | sed 's/^/  /'; bad=1
	elif [ -z "$missing" ]; then
		echo "symbols: $1: $total exported, all asmgate_*"
	fi
}
t=$(mktemp "${TMPDIR:-/tmp}/asmgate-sym.XXXXXX") || exit 2
trap 'rm -f "$t" "$t.raw" "$t.api"' EXIT INT TERM
: > "$t.api"
if [ $# -eq 3 ]; then
	# Declared functions: names followed by "(", comments left out.
	"$CC" -E -P -x c "$3" > "$t.raw" || exit 2
	grep -o 'asmgate_[a-z0-9_]*[[:space:]]*(' "$t.raw" |
		sed 's/[[:space:]]*($//' | sort -u > "$t.api"
fi
# Archive: "ADDR TYPE NAME" lines; member headers and blanks have fewer
# fields. -g --defined-only leaves out locals and undefined references.
"$NM" -g --defined-only "$1" > "$t.raw" || exit 2
awk 'NF == 3 { print $3 }' "$t.raw" | sort -u > "$t"
check "$1" "$t"
# Shared library: the dynamic symbol table, the names a program can bind
# to (the version script's "local: *" hides the rest). Absolute symbols
# naming a version node (type A) are not code or data.
"$NM" -D --defined-only "$2" > "$t.raw" || exit 2
awk 'NF == 3 && $2 != "A" { sub(/@.*/, "", $3); print $3 }' "$t.raw" |
	sort -u > "$t"
check "$2" "$t"
exit $bad
