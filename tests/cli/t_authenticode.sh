# Black-box tests of the Authenticode options, text output, native PE
# files and signing over an Authenticode signature. Expected states come
# from samples/authenticode/README.md (how each sample was made); the
# stripped file is compared with the unsigned file it was signed from
# (make.sh signs unsigned.dll; osslsigncode remove-signature gives the
# same bytes).
ACD=$S/authenticode
ACO="--ca-file $ACD/pki/ca.pem --crl-file $ACD/pki/crl.pem"

# --at: ISO 8601 and Unix seconds name the same instant.
run "$ASMGATE" verify $ACO --at 2026-06-01T00:00:00Z "$ACD/expired.dll"
expect_rc 1
expect_out 'expired\.dll: signed: .*; authenticode expired, signer CN=Contoso Ltd 2020'
run "$ASMGATE" verify $ACO --at 1780272000 "$ACD/expired.dll"
expect_rc 1
expect_out 'authenticode expired'
# Inside the expired leaf's validity (2020-06-01) it is valid.
run "$ASMGATE" verify $ACO --at 2020-06-01T00:00:00Z "$ACD/expired.dll"
expect_rc 0
expect_out 'authenticode valid, signer CN=Contoso Ltd 2020,O=Contoso Ltd,C=US'
run "$ASMGATE" verify $ACO --at yesterday "$ACD/sha256.dll"
expect_rc 2
expect_err -- '--at wants'
run "$ASMGATE" verify $ACO --at 1 --at 2 "$ACD/sha256.dll"
expect_rc 2

# Bad anchors and CRLs: one clear line, exit 2, nothing verified.
run "$ASMGATE" verify --ca-file "$T/no-such.pem" "$ACD/sha256.dll"
expect_rc 2
expect_err_lines 1
expect_err 'no-such\.pem'
expect_no_out 'sha256'
run "$ASMGATE" verify --ca-file "$ACD/README.md" "$ACD/sha256.dll"
expect_rc 2
expect_err 'README\.md: no PEM certificate'
run "$ASMGATE" verify --ca-file "$ACD/pki/ca.pem" --crl-file \
    "$ACD/pki/ca.pem" "$ACD/sha256.dll"
expect_rc 2
expect_err 'no PEM certificate revocation list'
run "$ASMGATE" verify --ca-path "$ACD/pki/ca.pem" "$ACD/sha256.dll"
expect_rc 2
expect_err 'not a directory'

# A hashed directory of anchors works as a file does.
mkdir -p "$T/capath"
cp "$ACD/pki/ca.pem" "$T/capath/$(openssl x509 -noout -hash \
    -in "$ACD/pki/ca.pem" 2>/dev/null || echo none).0" 2>/dev/null
if command -v openssl >/dev/null 2>&1; then
	run "$ASMGATE" verify --ca-path "$T/capath" --at 1780272000 \
	    "$ACD/sha256.dll"
	expect_rc 0
	expect_out 'authenticode valid'
else
	skip 2 "openssl not installed: no hashed CA directory"
fi
# No anchor for this root (an empty directory): untrusted, fails.
mkdir -p "$T/empty-ca"
run "$ASMGATE" verify --ca-path "$T/empty-ca" --at 1780272000 \
    "$ACD/sha256.dll"
expect_rc 1
expect_out 'authenticode untrusted'

# Native PE files: skipped for the strong name, Authenticode reported.
run "$ASMGATE" verify $ACO --at 1780272000 "$ACD/native.exe"
expect_rc 0
expect_out 'native\.exe: skipped: .*; authenticode valid, signer CN=Contoso Ltd'
run "$ASMGATE" verify $ACO --at 1780272000 "$ACD/native-tampered.exe"
expect_rc 1
expect_out 'authenticode invalid: .*digest does not match'
expect_out '; authenticode: 1 invalid'
run "$ASMGATE" verify $ACO --at 1780272000 --format json \
    "$ACD/native.exe"
expect_json
jq_eq "d['files'][0]['signature']" null
jq_eq "d['files'][0]['authenticode']['state']" valid
# Unsigned native file alone: nothing decided (as before), unless
# Authenticode is required.
run "$ASMGATE" verify $ACO "$ACD/native-unsigned.exe"
expect_rc 2
expect_err 'no .NET assembly found'
run "$ASMGATE" verify $ACO --require-authenticode "$ACD/native-unsigned.exe"
expect_rc 1
# An unsigned assembly: no Authenticode words on its line; the JSON
# object says unsigned with no signatures.
run "$ASMGATE" verify $ACO --format json "$ACD/unsigned.dll"
expect_rc 0
jq_eq "d['files'][0]['authenticode']['state']" unsigned
jq_eq "d['files'][0]['authenticode']['signatures']" "[]"
run "$ASMGATE" verify $ACO "$ACD/unsigned.dll"
expect_no_out '; authenticode'
# --quiet shows the failing native file only.
run "$ASMGATE" verify $ACO --at 1780272000 --quiet "$ACD/native.exe" \
    "$ACD/native-tampered.exe"
expect_rc 1
expect_out 'native-tampered\.exe'
expect_no_out '^[^ ]*native\.exe:'

# The same result with several jobs (trust store shared by workers).
run "$ASMGATE" verify $ACO --at 1780272000 --jobs 4 --format json \
    "$ACD/sha256.dll" "$ACD/revoked.dll" "$ACD/server-auth.dll" \
    "$ACD/nested.dll"
jq_eq "[f['authenticode']['state'] for f in d['files']]" \
    "['valid', 'revoked', 'untrusted', 'valid']"

# sign: a file with an Authenticode signature is refused...
mkdir -p "$T/acsign"
cp "$ACD/sha256.dll" "$T/acsign/a.dll"
run "$ASMGATE" sign --key "$S/keys/contoso.snk" "$T/acsign/a.dll"
expect_rc 2
expect_err 'Authenticode signature .*--strip-authenticode'
if cmp -s "$T/acsign/a.dll" "$ACD/sha256.dll"; then ok; else
	bad "refused sign changed the file"; fi
# ...unless --strip-authenticode: the table goes, it says so, and the
# result is the unsigned file it was made from, byte for byte (the
# checksum recomputed equals mcs's).
run "$ASMGATE" sign --key "$S/keys/contoso.snk" --strip-authenticode \
    -o "$T/acsign/b.dll" "$T/acsign/a.dll"
expect_rc 0
expect_err 'Authenticode signature removed'
expect_out 'b\.dll: signed'
if cmp -s "$T/acsign/b.dll" "$ACD/unsigned.dll"; then ok; else
	bad "stripped file differs from unsigned.dll"; fi
run "$ASMGATE" verify $ACO --require-authenticode "$T/acsign/b.dll"
expect_rc 1
# A malformed table is not stripped.
cp "$ACD/data-after-table.dll" "$T/acsign/c.dll"
run "$ASMGATE" sign --key "$S/keys/contoso.snk" --strip-authenticode \
    "$T/acsign/c.dll"
expect_rc 2
expect_err 'cannot remove the Authenticode signature'
