#!/bin/sh
# make-samples.sh - rebuild the test assemblies under samples/ with Mono.
#
# Usage: sh samples/make-samples.sh [--new-keys]
#
#   (no option)  recompile samples/valid, samples/states and samples/module
#                from samples/src with the committed keys in samples/keys.
#   --new-keys   first make NEW throwaway keys (sn -k) and public keys (sn -p).
#                Every signed sample, and the vendor keys any policy test
#                pins, change with them: update the tests that use them.
#
# Then run `python3 samples/make-malformed.py` to remake samples/malformed
# and the two derived state samples (public-signed.dll, tampered-il.dll).
#
# Needs Mono's mcs and sn. Without them the script prints a message and exits
# 0, leaving the committed samples as they are. Tests never run this script.
#
# Determinism: mcs writes TimeDateStamp 0 but a random Module MVID (16 bytes
# in #GUID) on every run; its -deterministic switch is not in `mcs --help`
# (6.8 accepts it silently and still writes a random MVID), so it is used
# only if --help lists it. A rebuild therefore changes the MVID, and with it
# the signature and PE checksum, of every sample. Everything else is stable.

set -eu

usage() {
    sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
}

new_keys=0
for arg in "$@"; do
    case $arg in
    --new-keys) new_keys=1 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "make-samples: unknown option: $arg" >&2; usage >&2; exit 2 ;;
    esac
done

if ! command -v mcs >/dev/null 2>&1 || ! command -v sn >/dev/null 2>&1; then
    echo "make-samples: Mono not installed (mcs, sn); committed samples left as they are" >&2
    exit 0
fi

here=$(cd "$(dirname "$0")" && pwd)
cd "$here"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/make-samples.XXXXXX")
trap 'rm -rf "$tmp"' EXIT HUP INT TERM

echo "make-samples: $(mcs --version)"
echo "make-samples: $(sn 2>&1 | sed -n 1p)"

# ---------------------------------------------------------------- keys
KEYS="test1024:1024 test2048:2048 test4096:4096 contoso:2048 fabrikam:1024"

if [ "$new_keys" = 1 ]; then
    for k in $KEYS; do
        name=${k%%:*}
        bits=${k#*:}
        echo "make-samples: new key keys/$name.snk ($bits bits)"
        sn -q -k "$bits" "keys/$name.snk"
        sn -q -p "keys/$name.snk" "keys/$name.pub"
        chmod 644 "keys/$name.snk" "keys/$name.pub"  # test keys: no secret
    done
else
    for k in $KEYS; do
        name=${k%%:*}
        for f in "keys/$name.snk" "keys/$name.pub"; do
            if [ ! -f "$f" ]; then
                echo "make-samples: $f is missing; run with --new-keys to make new keys" >&2
                exit 1
            fi
        done
    done
fi

# ---------------------------------------------------------------- compile
# -noconfig: only the references named here; -sdk:4.5: Mono's 4.5 profile
# (mscorlib 4.0.0.0); no -debug, so no .mdb/.pdb and no source paths.
MCS_FLAGS="-noconfig -sdk:4.5 -optimize+"
if mcs --help 2>&1 | grep -q -- '-deterministic'; then
    MCS_FLAGS="$MCS_FLAGS -deterministic"
fi

run() {
    echo "+ $*"
    "$@"
}

# build <dest> <outname> <mcs args...>: compile into $tmp/<dest-dir>/<outname>
# (the output file name gives the assembly and module name), then copy to
# <dest>.
build() {
    dest=$1
    out=$2
    shift 2
    d="$tmp/$(echo "$dest" | tr '/.' '__')"
    mkdir -p "$d"
    # shellcheck disable=SC2086 # MCS_FLAGS is a word list on purpose
    run mcs $MCS_FLAGS "$@" "-out:$d/$out"
    cp "$d/$out" "$dest"
    chmod 644 "$dest"
}

mkdir -p valid states module

build valid/contoso-orchestrations.dll Contoso.Orchestrations.dll \
    -target:library -platform:anycpu -keyfile:keys/contoso.snk \
    src/Contoso.Orchestrations.cs

build valid/fabrikam-adapters.dll Fabrikam.Adapters.dll \
    -target:library -platform:anycpu -keyfile:keys/fabrikam.snk \
    -r:System.dll -r:System.Xml.dll -r:System.Core.dll \
    src/Fabrikam.Adapters.cs

build valid/hello.exe Hello.exe \
    -target:exe -platform:anycpu -keyfile:keys/test1024.snk \
    src/Hello.cs

build valid/contoso-x64.dll Contoso.Orchestrations.dll \
    -target:library -platform:x64 -keyfile:keys/contoso.snk \
    src/Contoso.Orchestrations.cs

build valid/satellite-fr.dll Contoso.Orchestrations.resources.dll \
    -target:library -platform:anycpu -keyfile:keys/contoso.snk \
    -resource:src/Contoso.Orchestrations.Messages.fr-FR.txt,Contoso.Orchestrations.Messages.fr-FR.txt \
    src/Contoso.Orchestrations.fr-FR.cs

build valid/signed-2048.dll TestKey2048.dll \
    -target:library -platform:anycpu -keyfile:keys/test2048.snk \
    src/TestKeys.cs

build valid/signed-4096.dll TestKey4096.dll \
    -target:library -platform:anycpu -keyfile:keys/test4096.snk \
    src/TestKeys.cs

build states/unsigned.dll Contoso.Orchestrations.dll \
    -target:library -platform:anycpu \
    src/Contoso.Orchestrations.cs

build states/delay-signed.dll Contoso.Orchestrations.dll \
    -target:library -platform:anycpu -delaysign+ -keyfile:keys/contoso.pub \
    src/Contoso.Orchestrations.cs src/Contoso.DelaySign.cs

build module/helper.netmodule helper.netmodule \
    -target:module -platform:anycpu \
    src/Contoso.Helpers.cs

# ---------------------------------------------------------------- re-sign
# Mono's sn -R writes a valid signature into the slot but neither sets the
# StrongNameSigned COR flag (0x8) nor updates the PE checksum.
cp states/delay-signed.dll states/resigned-flag-clear.dll
run sn -q -R states/resigned-flag-clear.dll keys/contoso.snk

# Test signing (sn -TS) is a Microsoft sn.exe option. Use it if this sn has it.
rm -f states/test-signed.dll
cp states/delay-signed.dll "$tmp/test-signed.dll"
if sn -q -TS "$tmp/test-signed.dll" keys/test1024.snk >/dev/null 2>&1 &&
    ! cmp -s states/delay-signed.dll "$tmp/test-signed.dll"; then
    cp "$tmp/test-signed.dll" states/test-signed.dll
    echo "make-samples: states/test-signed.dll made with sn -TS"
else
    echo "make-samples: this sn has no -TS (test signing); states/test-signed.dll not made"
fi

# ---------------------------------------------------------------- checks
# u32le <file> <offset>: print the little-endian u32 at <offset> in decimal.
u32le() {
    od -An -tu4 -j "$2" -N4 "$1" | tr -d ' '
}
u16le() {
    od -An -tu2 -j "$2" -N2 "$1" | tr -d ' '
}

lfanew=$(u32le valid/contoso-x64.dll 60)
magic=$(u16le valid/contoso-x64.dll $((lfanew + 24)))
if [ "$magic" != 523 ]; then  # 0x20B
    echo "make-samples: valid/contoso-x64.dll is not PE32+ (magic $magic)" >&2
    exit 1
fi
echo "make-samples: valid/contoso-x64.dll optional-header magic 0x20b (PE32+)"

status=0
for f in valid/*.dll valid/*.exe states/resigned-flag-clear.dll; do
    if sn -q -v "$f" >/dev/null 2>&1; then
        echo "make-samples: sn -v $f: valid"
    else
        echo "make-samples: sn -v $f: FAILED" >&2
        status=1
    fi
done
for f in states/unsigned.dll states/delay-signed.dll; do
    if sn -q -v "$f" >/dev/null 2>&1; then
        echo "make-samples: sn -v $f: unexpectedly valid" >&2
        status=1
    else
        echo "make-samples: sn -v $f: not valid (expected)"
    fi
done

if [ "$status" = 0 ]; then
    echo "make-samples: done; now run: python3 samples/make-malformed.py"
fi
exit "$status"
