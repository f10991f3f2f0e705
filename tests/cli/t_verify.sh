# Black-box tests of `asmgate verify` and `asmgate sign`.
# Expected states come from Mono's sn -v on the same samples
# (samples/README.md) and from how the samples were made.

# Every sample Mono's sn -v accepts: exit 0, one line each, a summary.
run "$ASMGATE" verify "$S/valid"
expect_rc 0
expect_out '^.*/contoso-orchestrations.dll: signed: '
expect_out '^.*/hello.exe: signed: '
expect_out '^7 assemblies: 7 signed$'

# States, one file each.
for pair in unsigned.dll:unsigned delay-signed.dll:delay-signed \
    public-signed.dll:public-signed resigned-flag-clear.dll:signed \
    tampered-il.dll:invalid; do
	f=${pair%%:*}; st=${pair#*:}
	run "$ASMGATE" verify "$S/states/$f"
	if [ "$st" = signed ]; then expect_rc 0; else expect_rc 1; fi
	expect_out "^$S/states/$f: $st(:|$)"
done
run "$ASMGATE" verify "$S/states/resigned-flag-clear.dll"
expect_out 'flag is clear'

# JSON: the inspect object plus "signature".
run "$ASMGATE" verify --format json "$S/states/delay-signed.dll" \
    "$S/valid/fabrikam-adapters.dll" "$S/module/helper.netmodule"
expect_rc 1
expect_json
jq_eq 'd["files"][0]["signature"]["state"]' delay-signed
jq_eq 'd["files"][0]["signature"]["flagSet"]' false
jq_eq 'd["files"][0]["signature"]["verifiedWith"]' null
jq_eq 'd["files"][1]["signature"]["state"]' signed
jq_eq 'd["files"][1]["signature"]["keyBits"]' 1024
jq_eq 'd["files"][1]["signature"]["hashAlgorithm"]' sha1
jq_eq 'd["files"][1]["signature"]["verifiedWith"]' identity
jq_eq 'd["files"][1]["assembly"]["publicKeyToken"]' 92cdd74130f40b2c
jq_eq 'd["files"][2]["skipped"] is not None' true
jq_eq 'd["files"][2]["signature"]' null
jq_eq 'd["summary"]["signed"]' 1
jq_eq 'd["summary"]["delay-signed"]' 1
jq_eq 'd["summary"]["skipped"]' 1

# Directories are walked; PE files that are not assemblies are skipped,
# not failures; non-PE files in directories are ignored.
mkdir -p "$T/tree/sub"
cp "$S/valid/hello.exe" "$T/tree/sub/"
cp "$S/module/helper.netmodule" "$T/tree/"
echo "<configuration/>" >"$T/tree/app.config"
run "$ASMGATE" verify "$T/tree"
expect_rc 0
expect_out 'helper.netmodule: skipped'
expect_out 'sub/hello.exe: signed'
expect_no_out 'app.config'

# Inside a directory only what is plainly not PE is ignored: no MZ, empty,
# or too short for an MS-DOS header. A file with valid MZ/PE headers that
# is truncated further on is an error whatever its name.
mkdir -p "$T/trunc"
cp "$S/valid/hello.exe" "$T/trunc/"
cp "$S/malformed/truncated-section-data.dll" "$T/trunc/data.bin"
cp "$S/malformed/truncated-pe-header.dll" "$T/trunc/header.bin"
cp "$S/malformed/truncated-dos-header.dll" "$T/trunc/short.bin"
echo "plain text" >"$T/trunc/notes.txt"
: >"$T/trunc/empty.txt"
run "$ASMGATE" verify "$T/trunc"
expect_rc 2
expect_err_lines 2
expect_err 'data\.bin: error: .*runs past the end of the file'
expect_err 'header\.bin: error: file ends inside the COFF header'
expect_out 'hello\.exe: signed'
expect_out '; 2 unreadable$'
rm "$T/trunc/data.bin" "$T/trunc/header.bin"
run "$ASMGATE" verify "$T/trunc"
expect_rc 0
expect_err_lines 0

# Walks do not follow links to directories (as find without -L): two
# links to "." would make the walk exponential. A link to a regular file
# is a file; a PATH named on the command line is followed.
mkdir -p "$T/loop/sub"
cp "$S/valid/hello.exe" "$T/loop/sub/"
ln -s . "$T/loop/a"
ln -s . "$T/loop/b"
ln -s .. "$T/loop/sub/up"
ln -s "$S/valid" "$T/loop/valid"
ln -s "$S/valid/fabrikam-adapters.dll" "$T/loop/fab.dll"
ln -s "$T/loop" "$T/loop-link"
run timeout 20 "$ASMGATE" verify "$T/loop"
expect_rc 0
expect_err_lines 0
expect_out '^2 assemblies: 2 signed; 4 skipped \(4 not checked\)$'
# What a walk does not follow is listed, so a gate sees what it did not
# check.
expect_out '/loop/a: skipped: symbolic link to a directory: not followed$'
expect_out '/loop/sub/up: skipped: symbolic link to a directory'
expect_out '/loop/valid: skipped: symbolic link to a directory'
expect_out '/loop/fab\.dll: signed'
expect_out '/loop/sub/hello\.exe: signed'
expect_no_out 'contoso'
if [ "$(grep -c ': signed' "$T/out")" -eq 2 ]; then ok; else
	bad "walk through links: $(grep -c ': signed' "$T/out") files"; fi
run timeout 20 "$ASMGATE" verify "$T/loop-link"
expect_rc 0
expect_out 'loop-link/sub/hello\.exe: signed'
# A directory reached again on the current path is not entered again:
# here the tree is bind-mounted on its own sub/ (in a private mount
# namespace; skipped where unshare cannot make one).
mkdir -p "$T/bind/sub"
cp "$S/valid/hello.exe" "$T/bind/"
if unshare -r -m sh -c 'mount --bind "$0" "$0/sub"' "$T/bind" \
    >/dev/null 2>&1; then
	run unshare -r -m sh -c \
	    'mount --bind "$1" "$1/sub" && exec "$0" verify "$1"' \
	    "$ASMGATE" "$T/bind"
	expect_rc 0
	expect_out '^1 assembly: 1 signed$'
	expect_no_out 'sub/hello'
else
	skip 3 "unshare -r -m cannot bind-mount: no repeated-directory check"
fi
# A dangling link is still an error, not silently dropped.
ln -s "$T/nowhere.dll" "$T/loop/gone.dll"
run timeout 20 "$ASMGATE" verify "$T/loop"
expect_rc 2
expect_err 'gone\.dll: error: '
rm "$T/loop/gone.dll"

# A FIFO named on the command line is refused at once, not waited on;
# inside a directory it is not a regular file and is ignored.
mkfifo "$T/loop/sub/fifo.dll"
run timeout 5 "$ASMGATE" verify "$T/loop/sub/fifo.dll"
expect_rc 2
expect_err 'fifo\.dll: error: not a regular file'
run timeout 5 "$ASMGATE" verify "$T/loop/sub"
expect_rc 0
rm "$T/loop/sub/fifo.dll"

# Only skipped files: no assembly found is "could not decide".
run "$ASMGATE" verify "$S/module/helper.netmodule"
expect_rc 2
expect_err 'no .NET assembly found'

# Unreadable files: exit 2, one line each, the others still reported.
run "$ASMGATE" verify "$S/malformed/truncated-pe-header.dll" \
    "$S/valid/hello.exe" "$S/malformed/empty.dll"
expect_rc 2
expect_err_lines 2
expect_err 'truncated-pe-header.dll: error: .*\(offset 0x[0-9a-f]+\)$'
expect_out 'hello.exe: signed'

# Structural rejections are invalid, with the reason.
run "$ASMGATE" verify "$S/malformed/sig-size-mismatch.dll"
expect_rc 1
expect_out ': invalid: .*slot'
run "$ASMGATE" verify "$S/malformed/sig-straddles-section-end.dll"
expect_rc 1
expect_out ': invalid: .*section'

# --key-map: contoso's token mapped to fabrikam's key does not verify;
# mapped to its own key it does, and says so.
run "$ASMGATE" verify --format json \
    --key-map e0ba8f48cb722cea="$S/keys/contoso.pub" \
    "$S/valid/contoso-orchestrations.dll"
expect_rc 0
jq_eq 'd["files"][0]["signature"]["verifiedWith"]' key-map
run "$ASMGATE" verify --key-map e0ba8f48cb722cea="$S/keys/fabrikam.pub" \
    "$S/valid/contoso-orchestrations.dll"
expect_rc 1
run "$ASMGATE" verify --key-map nothex="$S/keys/fabrikam.pub" "$S/valid"
expect_rc 2
run "$ASMGATE" verify --test-key "$S/malformed/empty.dll" "$S/valid"
expect_rc 2
expect_err_lines 1

# --jobs 2 prints the same report in the same order.
run "$ASMGATE" verify --jobs 1 "$S/valid" "$S/states"
cp "$T/out" "$T/jobs1"
run "$ASMGATE" verify --jobs 2 "$S/valid" "$S/states"
if cmp -s "$T/out" "$T/jobs1"; then ok; else bad "--jobs 2 output differs"; fi
# ... and the states the sample names promise (samples/states/README.md),
# in byte order of the names; the README and other non-PE files are not
# listed.
for f in "$S"/valid/*; do echo "$f: signed"; done | LC_ALL=C sort >"$T/expect"
for f in "$S"/states/*.dll; do
	b=$(basename "$f" .dll)
	case $b in
	unsigned|delay-signed|public-signed) st=$b ;;
	resigned-flag-clear) st=signed ;;
	tampered-il|ecma-key-signed-with-test1024) st=invalid ;;
	test-signed--*) st=invalid ;; # without --test-key
	*--*) st=${b%%--*} ;;
	*) st=unknown ;;
	esac
	echo "$f: $st"
done | LC_ALL=C sort >>"$T/expect"
sed -n 's/^\(\/[^:]*\): \([a-z-]*\).*/\1: \2/p' "$T/out" >"$T/got"
if cmp -s "$T/got" "$T/expect"; then ok; else
	bad "--jobs 2 states: $(diff "$T/expect" "$T/got" | head -5)"; fi
n=$(wc -l <"$T/expect")
expect_out "^$n assemblies: "
run "$ASMGATE" verify --jobs 0 "$S/valid"
expect_rc 2
# The number is range-checked before it is narrowed: 2^32 + 1 is not 1.
for j in 4294967297 18446744073709551617 -1 ' 2' 65 2x ''; do
	run "$ASMGATE" verify --jobs "$j" "$S/valid"
	expect_rc 2
	expect_err 'jobs wants 1\.\.64'
	expect_no_out 'signed'
done
run "$ASMGATE" verify --jobs 64 "$S/valid"
expect_rc 0

# Results are kept for a window of files, not for every file of the run:
# 60000 files (about 120 MB of results if each had its own) verify in
# under 100 MB of address space. Skipped where the binary cannot start
# with that little (ASan, Valgrind).
probe=$( (ulimit -v 70000 && "$ASMGATE" --version >/dev/null 2>&1
    echo $?) 2>/dev/null)
if [ "$probe" = 0 ]; then
	mkdir -p "$T/many"
	cp "$S/valid/hello.exe" "$T/many/"
	(cd "$T/many" && seq 1 60000 | sed 's/$/.txt/' | xargs touch)
	run sh -c 'ulimit -v 100000 && exec "$0" verify --jobs 1 "$1"' \
	    "$ASMGATE" "$T/many"
	expect_rc 0
	expect_out '^1 assembly: 1 signed$'
	rm -rf "$T/many"
else
	skip 2 "the binary does not start under ulimit -v: no memory check"
fi

# sign: completes delay-signing, in place or to -o; the result verifies.
cp "$S/states/delay-signed.dll" "$T/d.dll"
run "$ASMGATE" sign --key "$S/keys/contoso.snk" -o "$T/s.dll" "$T/d.dll"
expect_rc 0
expect_out 's.dll: signed'
if cmp -s "$T/d.dll" "$S/states/delay-signed.dll"; then ok; else
	bad "sign -o changed its input"; fi
run "$ASMGATE" verify "$T/s.dll"
expect_rc 0
# Public-signed input, signed in place.
cp "$S/states/public-signed.dll" "$T/p.dll"
run "$ASMGATE" sign --key "$S/keys/contoso.snk" "$T/p.dll"
expect_rc 0
# A key that does not match: refused, exit 2, input untouched.
cp "$S/states/delay-signed.dll" "$T/m.dll"
run "$ASMGATE" sign --key "$S/keys/fabrikam.snk" "$T/m.dll"
expect_rc 2
expect_err 'does not match'
if cmp -s "$T/m.dll" "$S/states/delay-signed.dll"; then ok; else
	bad "refused sign changed the file"; fi
# --test-sign: flag clear, test-signed with the test key.
run "$ASMGATE" sign --key "$S/keys/test2048.snk" --test-sign "$T/m.dll"
expect_rc 0
run "$ASMGATE" verify --test-key "$S/keys/test2048.pub" "$T/m.dll"
expect_rc 0
expect_out 'm.dll: test-signed'
run "$ASMGATE" verify "$T/m.dll"
expect_rc 1
expect_out 'm.dll: invalid'
# A public key cannot sign; missing arguments are usage errors.
run "$ASMGATE" sign --key "$S/keys/contoso.pub" "$T/d.dll"
expect_rc 2
run "$ASMGATE" sign "$T/d.dll"
expect_rc 2
run "$ASMGATE" sign --key "$S/keys/contoso.snk" "$S/states/unsigned.dll"
expect_rc 2

# Names from directory walks are untrusted: a crafted file name cannot
# add lines or send terminal escapes (shown as \xNN).
mkdir -p "$T/odd"
cp "$S/valid/hello.exe" "$T/odd/$(printf 'a\nb\033[2J.exe')"
cp "$S/malformed/empty.dll" "$T/odd/$(printf 'c\nd.dll')"
run "$ASMGATE" verify "$T/odd"
expect_rc 2
if [ "$(wc -l <"$T/out")" -eq 2 ]; then ok; else bad "stdout not 2 lines"; fi
expect_out 'a\\x0ab\\x1b\[2J\.exe: signed'
expect_err_lines 1
expect_err 'c\\x0ad\.dll: error: file is empty'

# signerToken names the key whose check passed: the mapped key here
# (test1024, token from sn -t), not the ECMA identity.
run "$ASMGATE" verify --format json \
    --key-map b77a5c561934e089="$S/keys/test1024.pub" \
    "$S/states/ecma-key-signed-with-test1024.dll"
expect_rc 0
jq_eq 'd["files"][0]["assembly"]["publicKeyToken"]' b77a5c561934e089
jq_eq 'd["files"][0]["signature"]["verifiedWith"]' key-map
jq_eq 'd["files"][0]["signature"]["signerToken"]' 5b4d8b284476375e
run "$ASMGATE" verify --format json "$S/states/delay-signed.dll"
jq_eq 'd["files"][0]["signature"]["signerToken"]' null
