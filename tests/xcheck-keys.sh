#!/bin/sh
# xcheck-keys.sh - cross-check `asmgate keys` against Mono's sn.
#
# usage: sh tests/xcheck-keys.sh [ASMGATE] [--quick]
#
#   ASMGATE   the binary to check (default build/asmgate)
#   --quick   one key per size and every 10th assembly
#
# 1. Keys made by `sn -k` of 1024, 2048 and 4096 bits (KEYS_PER_SIZE each,
#    default 2): the public key blob (`sn -p` vs `asmgate keys convert
#    --to pub`), the token (`sn -t` of the .pub vs `asmgate keys token` of
#    the .snk and of the .pub), the hex (`sn -tp` vs `--to hex`) and a
#    .snk round trip (`--to snk` must give the same bytes back).
# 2. Keys made by `asmgate keys generate`: `sn -p` of our .snk must equal
#    our --pub, and `sn -t` our token.
# 3. Every assembly under /usr/lib/mono (each real file once): `sn -e`
#    vs `asmgate keys extract` (byte-equal), `sn -Tp` key and token vs
#    `asmgate keys convert --to hex` and `asmgate keys token`. An assembly
#    without a public key agrees when both tools say so.
#
# Prints "SKIP: Mono not installed (sn)" and exits 0 without sn. Otherwise
# prints the counts "N agree, M disagree" per part and in total, and exits
# 1 when anything disagrees.

ASMGATE=build/asmgate
QUICK=0
for a in "$@"; do
	case $a in
	--quick) QUICK=1 ;;
	-h | --help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) ASMGATE=$a ;;
	esac
done

if ! command -v sn >/dev/null 2>&1; then
	echo "SKIP: Mono not installed (sn)"
	exit 0
fi
if [ ! -x "$ASMGATE" ]; then
	echo "xcheck-keys: $ASMGATE not found; run make first" >&2
	exit 2
fi
KEYS_PER_SIZE=${KEYS_PER_SIZE:-2}
[ "$QUICK" = 1 ] && KEYS_PER_SIZE=1

T=$(mktemp -d "${TMPDIR:-/tmp}/xcheck-keys.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM

agree=0
disagree=0
# check WHAT EXPECTED GOT
check() {
	if [ "$2" = "$3" ]; then
		agree=$((agree + 1))
	else
		disagree=$((disagree + 1))
		echo "DISAGREE: $1: sn '$2', asmgate '$3'" >&2
	fi
}
# sn_token FILE-OF-sn-OUTPUT: the token after "Public Key Token:"
sn_token() {
	sed -n 's/^Public Key Token: *\([0-9a-f]*\).*/\1/p' "$1" | head -1
}
# sn_hex FILE-OF-sn-OUTPUT: the key hex between "Public Key:" and the token
sn_hex() {
	sed -n '/^Public Key:/,/^Public Key Token:/p' "$1" |
	    sed -e 's/^Public Key://' -e '/^Public Key Token:/d' | tr -d ' \n\r'
}
part() { # NAME: print and reset the part's counts
	echo "xcheck-keys: $1: $agree agree, $disagree disagree"
	total_agree=$((total_agree + agree))
	total_disagree=$((total_disagree + disagree))
	agree=0
	disagree=0
}
total_agree=0
total_disagree=0

echo "xcheck-keys: $(sn 2>&1 | sed -n 1p); $("$ASMGATE" --version)"

# ---------------------------------------------------------- 1. sn -k keys
nkeys=0
for bits in 1024 2048 4096; do
	i=0
	while [ "$i" -lt "$KEYS_PER_SIZE" ]; do
		i=$((i + 1))
		k=$T/sn$bits-$i
		sn -q -k "$bits" "$k.snk" >/dev/null || { echo "sn -k failed" >&2; exit 2; }
		sn -q -p "$k.snk" "$k.pub" >/dev/null
		nkeys=$((nkeys + 1))
		"$ASMGATE" keys convert "$k.snk" --to pub -o "$k.a.pub"
		check "$bits-bit key $i: sn -p blob" "$(od -An -tx1 "$k.pub")" \
		    "$(od -An -tx1 "$k.a.pub" 2>/dev/null)"
		sn -t "$k.pub" >"$k.t" 2>&1
		check "$bits-bit key $i: sn -t token (of .snk)" "$(sn_token "$k.t")" \
		    "$("$ASMGATE" keys token "$k.snk")"
		check "$bits-bit key $i: sn -t token (of .pub)" "$(sn_token "$k.t")" \
		    "$("$ASMGATE" keys token "$k.pub")"
		sn -tp "$k.pub" >"$k.tp" 2>&1
		check "$bits-bit key $i: sn -tp hex" "$(sn_hex "$k.tp")" \
		    "$("$ASMGATE" keys convert "$k.snk" --to hex -o - | tr -d '\n')"
		"$ASMGATE" keys convert "$k.snk" --to snk -o "$k.rt.snk"
		check "$bits-bit key $i: .snk round trip" "$(od -An -tx1 "$k.snk")" \
		    "$(od -An -tx1 "$k.rt.snk" 2>/dev/null)"
	done
done
part "$nkeys keys from sn -k (1024, 2048, 4096 bits)"

# ------------------------------------------- 2. asmgate keys generate keys
ngen=0
for bits in 1024 2048; do
	k=$T/gen$bits
	"$ASMGATE" keys generate --bits "$bits" -o "$k.snk" --pub "$k.a.pub" \
	    >"$k.out" || { echo "asmgate keys generate failed" >&2; exit 2; }
	ngen=$((ngen + 1))
	sn -q -p "$k.snk" "$k.pub" >/dev/null 2>&1
	check "generated $bits-bit key: sn -p of our .snk" \
	    "$(od -An -tx1 "$k.pub" 2>/dev/null)" "$(od -An -tx1 "$k.a.pub")"
	sn -t "$k.snk" >"$k.t" 2>&1
	check "generated $bits-bit key: sn -t of our .snk" "$(sn_token "$k.t")" \
	    "$("$ASMGATE" keys token "$k.snk")"
done
part "$ngen keys from asmgate keys generate"

# ---------------------------------------------- 3. assemblies in the GAC
find /usr/lib/mono -name '*.dll' -type f 2>/dev/null | sort >"$T/list"
n=0
nasm=0
nkeyed=0
while IFS= read -r f; do
	n=$((n + 1))
	[ "$QUICK" = 1 ] && [ $((n % 10)) -ne 1 ] && continue
	nasm=$((nasm + 1))
	rm -f "$T/s.pub" "$T/a.pub"
	sn -q -e "$f" "$T/s.pub" >/dev/null 2>&1
	"$ASMGATE" keys extract "$f" -o "$T/a.pub" 2>"$T/a.err"
	sn -q -Tp "$f" >"$T/tp" 2>&1
	stok=$(sn_token "$T/tp")
	if [ ! -s "$T/s.pub" ] && [ -z "$stok" ]; then
		# sn finds no key: asmgate must say "no public key".
		if grep -q "no public key" "$T/a.err"; then r=none; else r=key; fi
		check "$f: no public key" none "$r"
		continue
	fi
	nkeyed=$((nkeyed + 1))
	check "$f: sn -e blob" "$(od -An -tx1 "$T/s.pub")" \
	    "$(od -An -tx1 "$T/a.pub" 2>/dev/null)"
	check "$f: sn -Tp key" "$(sn_hex "$T/tp")" \
	    "$("$ASMGATE" keys convert "$f" --to hex -o - 2>/dev/null | tr -d '\n')"
	check "$f: sn -T token" "$stok" "$("$ASMGATE" keys token "$f" 2>/dev/null)"
done <"$T/list"
part "$nasm assemblies under /usr/lib/mono ($nkeyed with a public key)"

echo "xcheck-keys: total: $total_agree agree, $total_disagree disagree"
[ "$total_disagree" -eq 0 ]
