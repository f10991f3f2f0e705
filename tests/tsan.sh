#!/bin/sh
# make tsan: the scan's worker threads under ThreadSanitizer. Not part of
# make check: OpenSSL and libxml2 are not instrumented, so a race inside
# them shows only through the interceptors, and a run takes a minute.
#
# Builds build/tsan/asmgate from every source in one compiler call, then
# runs verify and inspect with several jobs over the samples: plain
# assemblies, ZIP/CAB/MSI containers, BizTalk application MSIs (their
# adf read on workers), Authenticode files (the shared trust store and
# its certificate and chain caches) and bindings. Prints the number of
# reports of each run and exits 1 when there is any (the reports are in
# build/tsan/*.log).
#
# usage: tsan.sh CC "CPPFLAGS CFLAGS" "LIBS"
cc=$1; flags=$2; libs=$3
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 2
out=build/tsan
mkdir -p "$out"
srcs=$(ls rd/*.c ctr/*.c pe/*.c keys/*.c verify/*.c policy/*.c bind/*.c \
    scan/*.c cmd/*.c)
# shellcheck disable=SC2086
if ! $cc -std=c11 -O1 -g -fno-omit-frame-pointer -fsanitize=thread \
    $flags $srcs -o "$out/asmgate" $libs -pthread; then
	echo "tsan: $cc cannot build with -fsanitize=thread" >&2
	exit 2
fi
A="$out/asmgate"
AC="samples/authenticode"
T=$(mktemp -d "${TMPDIR:-/tmp}/asmgate-tsan.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
total=0
n=0
tsan_run() { # NAME CMD...: one run, its reports counted
	name=$1; shift
	TSAN_OPTIONS="halt_on_error=0 second_deadlock_stack=1" \
	    "$@" >/dev/null 2>"$out/$name.log"
	c=$(grep -c 'WARNING: ThreadSanitizer' "$out/$name.log")
	echo "tsan: $name: $c report(s)"
	total=$((total + c))
	n=$((n + 1))
}
tsan_run samples-j4 "$A" verify --jobs 4 samples
tsan_run inspect "$A" inspect samples
for i in 1 2 3; do
	tsan_run "authenticode-$i" "$A" verify --jobs 4 \
	    --ca-file "$AC/pki/ca.pem" --crl-file "$AC/pki/crl.pem" \
	    --at 1780272000 --output "sarif=$T/a.sarif" \
	    --output "junit=$T/a.xml" "$AC" "$AC" "$AC"
done
tsan_run biztalk-j3 "$A" verify --jobs 3 \
    --policy samples/biztalk/policy.xml --environment Test \
    --format json samples/biztalk/app.msi samples/biztalk/version-lie.msi \
    samples/zip samples/msi
tsan_run bindings-j2 "$A" verify --jobs 2 \
    --policy samples/bindings/hosts-policy.xml \
    --bindings samples/bindings/orders.xml samples/bindings/drop
echo "tsan: $n runs, $total report(s) (logs in $out/)"
[ "$total" -eq 0 ]
