#!/bin/sh
# make demo: the main job on samples/, as a release engineer runs it.
# usage: demo.sh PATH/TO/asmgate
A=$1
S=$(dirname "$0")
say() { printf '\n$ %s\n' "$*"; }

say asmgate inspect "$S/valid/contoso-orchestrations.dll"
"$A" inspect "$S/valid/contoso-orchestrations.dll"

say asmgate verify "$S/valid" "$S/states"
"$A" verify "$S/valid" "$S/states"
echo "(exit status $?: 1 means at least one assembly is not signed)"

if [ -f "$S/policy/biztalk.xml" ] && "$A" policy lint "$S/policy/biztalk.xml" \
    >/dev/null 2>&1; then
	say asmgate verify --policy "$S/policy/biztalk.xml" \
	    --host OrchestrationHost "$S/valid" "$S/states"
	"$A" verify --policy "$S/policy/biztalk.xml" \
	    --host OrchestrationHost "$S/valid" "$S/states"
	echo "(exit status $?: 0 allowed, 1 denied in an enforcing host)"
fi
exit 0
