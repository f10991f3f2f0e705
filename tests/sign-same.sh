#!/bin/sh
# sign-same.sh - `asmgate sign` writes the same bytes as a reference
# build: every sample assembly (*.dll, *.exe under samples/), and three
# grown past 1 MiB by data after their last section (so they are
# mapped, not read), is signed with every private key in samples/keys,
# normally and with --test-sign, by both binaries; exit status, output
# and the bytes written must be the same. Used when the signer's
# internals change (about three minutes).
# usage: sh tests/sign-same.sh OLD/asmgate NEW/asmgate
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
OLD=$1
NEW=$2
T=$(mktemp -d "${TMPDIR:-/tmp}/sign-same.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
n=0; same=0; written=0
find "$root/samples" -type f \( -name '*.dll' -o -name '*.exe' \) |
    LC_ALL=C sort >"$T/files"
head -c 2097152 /dev/urandom >"$T/tail"
for f in states/delay-signed.dll states/public-signed.dll \
    valid/contoso-x64.dll; do
	g="$T/grown-$(basename "$f")"
	cat "$root/samples/$f" "$T/tail" >"$g"
	echo "$g" >>"$T/files"
done
ls "$root"/samples/keys/*.snk "$root"/samples/keys/*.pem \
    "$root"/samples/keys/*.capi 2>/dev/null >"$T/keys"
while read -r f; do
	while read -r k; do
		for mode in "" --test-sign; do
			n=$((n + 1))
			for b in old new; do
				if [ $b = old ]; then bin=$OLD; else bin=$NEW; fi
				rm -f "$T/$b.dll"
				# shellcheck disable=SC2086
				"$bin" sign --key "$k" $mode -o "$T/$b.dll" "$f" \
				    >"$T/$b.out" 2>/dev/null
				echo $? >>"$T/$b.out"
				sed "s|$T/$b.dll|OUT|g" "$T/$b.out" >"$T/$b.o"
			done
			if ! cmp -s "$T/old.o" "$T/new.o"; then
				echo "sign-same: $f $k $mode: status or output differ"
			fi
			if [ -f "$T/old.dll" ] && [ -f "$T/new.dll" ]; then
				written=$((written + 1))
				if cmp -s "$T/old.dll" "$T/new.dll"; then
					cmp -s "$T/old.o" "$T/new.o" &&
					    same=$((same + 1))
				else
					echo "sign-same: $f $k $mode: bytes differ"
				fi
			elif [ -f "$T/old.dll" ] || [ -f "$T/new.dll" ]; then
				echo "sign-same: $f $k $mode: one wrote, one did not"
			elif cmp -s "$T/old.o" "$T/new.o"; then
				same=$((same + 1))
			fi
		done
	done <"$T/keys"
done <"$T/files"
echo "sign-same: $n signings ($written written), $same the same"
[ "$same" -eq "$n" ]
