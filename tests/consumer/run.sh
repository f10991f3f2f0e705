#!/bin/sh
# A program built on the installed library with pkg-config alone: install
# into a temporary prefix, build tests/consumer/consumer.c (C11) and
# consumer.cpp (the same program as C++11) with only
# `pkg-config --cflags --libs asmgate` (shared) and
# `pkg-config --static --cflags --libs asmgate` (static, the private
# dependencies from Requires.private/Libs.private), run each on samples/,
# then uninstall and check nothing is left behind.
# usage: run.sh (from make; MAKE, PKG_CONFIG, CC, CXX from the environment)
cd "$(dirname "$0")/../.." || exit 2
MAKE=${MAKE:-make}; PKG_CONFIG=${PKG_CONFIG:-pkg-config}
CC=${CC:-cc}; CXX=${CXX:-c++}
src=$(pwd)/tests/consumer
samples=$(pwd)/samples
T=$(mktemp -d "${TMPDIR:-/tmp}/asmgate-consumer.XXXXXX") || exit 2
trap 'rm -rf "$T"' EXIT INT TERM
P=$T/prefix
PASS=0; FAIL=0; SKIP=0
ok() { PASS=$((PASS + 1)); }
bad() { echo "consumer: FAIL: $*"; FAIL=$((FAIL + 1)); }

unset DESTDIR BINDIR LIBDIR INCLUDEDIR MANDIR DATADIR
if ! $MAKE --no-print-directory -s install PREFIX="$P" > "$T/install.log" 2>&1
then
	cat "$T/install.log"; echo "consumer: make install failed"; exit 1
fi
lib=$P/lib
for f in libasmgate.a libasmgate.so pkgconfig/asmgate.pc include; do
	case $f in include) f=../include/asmgate.h;; esac
	[ -e "$lib/$f" ] || bad "install: $lib/$f missing"
done
soname=$(readelf -d "$lib/libasmgate.so" 2>/dev/null |
	sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
case $soname in
libasmgate.so.[0-9]*)
	if [ -L "$lib/$soname" ] && [ -f "$lib/$(readlink "$lib/$soname")" ]
	then ok; else bad "$lib/$soname is not a link to the library"; fi ;;
*)	bad "libasmgate.so has no soname libasmgate.so.N ($soname)" ;;
esac

export PKG_CONFIG_PATH="$lib/pkgconfig"
unset PKG_CONFIG_LIBDIR PKG_CONFIG_SYSROOT_DIR
cflags=$($PKG_CONFIG --cflags asmgate) || bad "pkg-config --cflags"
libs=$($PKG_CONFIG --libs asmgate) || bad "pkg-config --libs"
slibs=$($PKG_CONFIG --static --libs asmgate) || bad "pkg-config --static"

# build LANG KIND: compile and run one program; KIND is shared or static.
build() {
	exe=$T/consumer-$1-$2
	if [ "$1" = c ]; then
		set -- "$1" "$2" $CC -std=c11 -pedantic "$src/consumer.c"
	else
		set -- "$1" "$2" $CXX -std=c++11 -pedantic "$src/consumer.cpp"
	fi
	kind=$2; lang=$1; shift 2
	if [ "$kind" = shared ]; then l=$libs; else l=$slibs; fi
	# shellcheck disable=SC2086
	if ! "$@" -Wall -Wextra -Werror $cflags -o "$exe" $l \
	    > "$T/build.log" 2>&1; then
		cat "$T/build.log"; bad "$lang $kind: build failed"; return
	fi
	needs=$(readelf -d "$exe" | grep -c 'NEEDED.*libasmgate')
	if [ "$kind" = shared ] && [ "$needs" -ne 1 ]; then
		bad "$lang shared: does not load libasmgate.so"; return
	fi
	if [ "$kind" = static ] && [ "$needs" -ne 0 ]; then
		bad "$lang static: still loads libasmgate.so"; return
	fi
	if LD_LIBRARY_PATH=$lib "$exe" "$samples" > "$T/run.log" 2>&1; then
		ok
	else
		cat "$T/run.log"; bad "$lang $kind: wrong results"
	fi
}

build c shared
if command -v "${CXX%% *}" >/dev/null 2>&1; then
	build c++ shared
else
	echo "consumer: SKIP: no C++ compiler ($CXX)"; SKIP=$((SKIP + 1))
fi
# Static: a copy of the install without the shared library, as on a
# system with only the archive; -lasmgate then takes libasmgate.a.
mkdir -p "$T/shared" && mv "$lib"/libasmgate.so* "$T/shared/"
build c static
if command -v "${CXX%% *}" >/dev/null 2>&1; then
	build c++ static
else
	SKIP=$((SKIP + 1))
fi
mv "$T/shared"/libasmgate.so* "$lib/"

if $MAKE --no-print-directory -s uninstall PREFIX="$P" > "$T/install.log" 2>&1
then
	left=$(find "$P" ! -type d)
	if [ -n "$left" ]; then bad "uninstall left: $left"; else ok; fi
else
	cat "$T/install.log"; bad "make uninstall failed"
fi
echo "consumer: $PASS passed, $FAIL failed, $SKIP skipped"
[ "$FAIL" -eq 0 ]
