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
run "$ASMGATE" verify --jobs 0 "$S/valid"
expect_rc 2

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
