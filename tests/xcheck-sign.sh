#!/bin/sh
# xcheck-sign.sh - `asmgate sign` output checked by Mono's `sn -v`.
#
# Signs delay-signed, public-signed and already signed samples (PE32 and
# PE32+, 1024 to 4096-bit keys, .snk and PEM key files) and requires, for
# each result: Mono's sn -v accepts it, `asmgate verify` says signed, the
# StrongNameSigned flag is set, and the input file is unchanged.
# Usage: sh tests/xcheck-sign.sh [ASMGATE]   (default build/asmgate)
# Without Mono's sn it prints "xcheck-sign: SKIP: ..." and exits 0.
root=$(cd "$(dirname "$0")/.." && pwd)
A=${1:-$root/build/asmgate}
S=$root/samples
command -v sn >/dev/null 2>&1 || {
	echo "xcheck-sign: SKIP: Mono not installed (sn)"; exit 0; }
[ -x "$A" ] || { echo "xcheck-sign: $A is not built (run make)" >&2; exit 2; }
T=$(mktemp -d "${TMPDIR:-/tmp}/xcheck-sign.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
n=0; agree=0
while read -r in key; do
	[ -n "$in" ] || continue
	n=$((n + 1))
	out="$T/$n-$(basename "$in")"
	cp "$S/$in" "$T/input"
	why=""
	if ! "$A" sign --key "$S/$key" -o "$out" "$T/input" >/dev/null 2>"$T/err"; then
		why="asmgate sign failed: $(cat "$T/err")"
	elif ! cmp -s "$T/input" "$S/$in"; then
		why="the input changed"
	elif ! sn -q -v "$out" >/dev/null 2>&1; then
		why="sn -v rejects the output"
	elif ! "$A" verify "$out" | grep -q ': signed: '; then
		why="asmgate verify does not say signed"
	elif ! "$A" inspect --format json "$out" | grep -q '"STRONGNAMESIGNED"'; then
		why="the StrongNameSigned flag is not set"
	fi
	if [ -z "$why" ]; then
		agree=$((agree + 1))
	else
		echo "xcheck-sign: $in with $key: $why"
	fi
done <<LIST
states/delay-signed.dll keys/contoso.snk
states/public-signed.dll keys/contoso.snk
states/resigned-flag-clear.dll keys/contoso.snk
valid/contoso-orchestrations.dll keys/contoso.snk
valid/contoso-x64.dll keys/contoso.snk
valid/satellite-fr.dll keys/contoso.snk
valid/fabrikam-adapters.dll keys/fabrikam.snk
valid/hello.exe keys/test1024.snk
valid/hello.exe keys/test1024.pkcs8.pem
valid/hello.exe keys/test1024.pkcs1.pem
valid/signed-2048.dll keys/test2048.snk
valid/signed-4096.dll keys/test4096.snk
states/tampered-il.dll keys/contoso.snk
LIST
echo "xcheck-sign: $n signings, $agree accepted by sn -v and asmgate, $((n - agree)) not"
[ "$agree" -eq "$n" ]
