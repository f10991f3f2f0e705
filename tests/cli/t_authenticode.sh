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
expect_err -- '--at given twice'
# A date that does not exist is refused, not carried into March.
run "$ASMGATE" verify $ACO --at 2026-02-31T00:00:00Z "$ACD/sha256.dll"
expect_rc 2
expect_err -- '--at wants'
run "$ASMGATE" verify $ACO --at 2028-02-29T00:00:00Z "$ACD/sha256.dll"
expect_rc 0

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
expect_out 'native-unsigned\.exe: skipped: .*; authenticode unsigned \(--require-authenticode\)$'
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

# Timestamps: a certificate that has expired by the verification time
# is still valid through a timestamp made while it was valid, unless it
# carries the Lifetime Signing EKU (1.3.6.1.4.1.311.10.3.13: expiry
# applies whatever the timestamp says; authenticode.md 4.1). Made here
# with the committed test PKI: two leaves valid for 2 days, signed and
# timestamped now, verified 10 days later.
if command -v openssl >/dev/null 2>&1 &&
    command -v osslsigncode >/dev/null 2>&1; then
	L=$T/lifetime
	mkdir -p "$L"
	cat >"$L/ext.cnf" <<'CNF'
[lt]
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=codeSigning,1.3.6.1.4.1.311.10.3.13
[cs]
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=codeSigning
CNF
	cat "$ACD/pki/tsa.pem" "$ACD/pki/root.pem" >"$L/tsa-chain.pem"
	now=$(date +%s)
	for k in cs lt; do
		openssl req -new -key "$ACD/pki/contoso.key" \
		    -subj "/CN=Lifetime test $k" -out "$L/$k.csr" 2>/dev/null
		openssl x509 -req -in "$L/$k.csr" -CA "$ACD/pki/inter.pem" \
		    -CAkey "$ACD/pki/inter.key" -set_serial 0x7700 -days 2 \
		    -extfile "$L/ext.cnf" -extensions "$k" \
		    -out "$L/$k.pem" 2>/dev/null
		cat "$L/$k.pem" "$ACD/pki/inter.pem" >"$L/$k-chain.pem"
		osslsigncode sign -certs "$L/$k-chain.pem" \
		    -key "$ACD/pki/contoso.key" -h sha256 -time $((now + 60)) \
		    -TSA-certs "$L/tsa-chain.pem" -TSA-key "$ACD/pki/tsa.key" \
		    -TSA-time $((now + 60)) -in "$ACD/unsigned.dll" \
		    -out "$L/$k.dll" >/dev/null 2>&1
	done
	run "$ASMGATE" verify $ACO --at $((now + 10 * 86400)) --format json \
	    "$L/cs.dll" "$L/lt.dll"
	jq_eq "[f['authenticode']['state'] for f in d['files']]" \
	    "['valid', 'expired']"
	jq_eq "d['files'][1]['authenticode']['signatures'][0]['timestamp']['kind']" \
	    rfc3161
else
	skip 2 "openssl or osslsigncode not installed: no Lifetime Signing check"
fi

# Legacy PKCS#9 counterSignature (authenticode.md 3.7), made here by
# tests/cli/make-pkcs9.py: an `openssl cms -sign` by the test TSA over
# the SignerInfo's encryptedDigest becomes an unauthenticated attribute.
# Verified in 2031, after the leaf expired: the timestamp (now) keeps it
# valid; a counterSignature over other bytes is ignored (expired).
# osslsigncode 2.9 agrees ("Timestamp Server Signature verification:
# ok", checked when this test was written).
if [ -n "$PYTHON" ] && command -v openssl >/dev/null 2>&1 &&
    command -v osslsigncode >/dev/null 2>&1; then
	P=$T/pkcs9
	mkdir -p "$P"
	cat "$ACD/pki/contoso.pem" "$ACD/pki/inter.pem" >"$P/chain.pem"
	osslsigncode sign -certs "$P/chain.pem" -key "$ACD/pki/contoso.key" \
	    -h sha256 -ac "$ACD/pki/tsa.pem" -in "$ACD/unsigned.dll" \
	    -out "$P/base.dll" >/dev/null 2>&1
	osslsigncode extract-signature -in "$P/base.dll" -out "$P/sig.der" \
	    >/dev/null 2>&1
	"$PYTHON" "$(dirname "$0")/make-pkcs9.py" --encdigest "$P/sig.der" \
	    "$P/enc.bin"
	printf 'x' >>"$P/other.bin"
	cat "$P/enc.bin" >>"$P/other.bin"
	for k in enc other; do
		openssl cms -sign -binary -in "$P/$k.bin" \
		    -signer "$ACD/pki/tsa.pem" -inkey "$ACD/pki/tsa.key" \
		    -md sha256 -nosmimecap -outform DER -out "$P/$k.cms" \
		    2>/dev/null
		"$PYTHON" "$(dirname "$0")/make-pkcs9.py" "$P/base.dll" \
		    "$P/sig.der" "$P/$k.cms" "$P/$k.dll"
	done
	run "$ASMGATE" verify --ca-file "$ACD/pki/ca.pem" \
	    --at 2031-01-01T00:00:00Z --format json "$P/enc.dll" "$P/other.dll"
	jq_eq "[f['authenticode']['state'] for f in d['files']]" \
	    "['valid', 'expired']"
	jq_eq "d['files'][0]['authenticode']['signatures'][0]['timestamp']['kind']" \
	    pkcs9
	jq_eq "d['files'][0]['authenticode']['signatures'][0]['timestamp']['signer']" \
	    "CN=asmgate Test Timestamping Authority,O=asmgate tests,C=US"
else
	skip 3 "python3, openssl or osslsigncode not installed: no PKCS#9 check"
fi

# --require-authenticode on an unsigned native file: exit 1, and the
# JUnit report fails it too (one verdict rule).
run "$ASMGATE" verify --require-authenticode --format junit \
    "$ACD/native-unsigned.exe"
expect_rc 1
expect_out '<failure '

# A native PE file with a broken signature fails the run with a policy
# too (no policy rule speaks of native files: Authenticode alone
# decides), in the exit status and in JUnit alike; a waiver lets it
# pass, listed as waived.
run "$ASMGATE" verify $ACO --at 1780272000 --policy "$S/policy/biztalk.xml" \
    --format junit "$ACD/native-tampered.exe"
expect_rc 1
expect_out '<failure '
printf 'native-tampered.exe  vendor rebuild pending\n' >"$T/native.waivers"
run "$ASMGATE" verify $ACO --at 1780272000 --policy "$S/policy/biztalk.xml" \
    --waivers "$T/native.waivers" "$ACD/native-tampered.exe"
expect_rc 0
expect_out '^  waived \(.*native\.waivers:1\): vendor rebuild pending$'
run "$ASMGATE" verify $ACO --at 1780272000 --policy "$S/policy/biztalk.xml" \
    --waivers "$T/native.waivers" --format junit "$ACD/native-tampered.exe"
expect_rc 0
expect_no_out '<failure '
run "$ASMGATE" verify $ACO --at 1780272000 --waivers "$T/native.waivers" \
    --format json "$ACD/native-tampered.exe"
expect_rc 0
expect_out '"reason": "vendor rebuild pending"'

# --fail-on authenticode-STATE: with a policy that allows the assembly,
# an untrusted signature passes unless named; then exit 1 and a JUnit
# failure alike. An unknown name is a usage error.
run "$ASMGATE" verify --ca-file "$ACD/pki/ca.pem" --at 1780272000 \
    --policy "$S/policy/biztalk.xml" --host OrchestrationHost \
    --format junit "$ACD/untrusted-root.dll"
expect_rc 0
expect_no_out '<failure '
run "$ASMGATE" verify --ca-file "$ACD/pki/ca.pem" --at 1780272000 \
    --policy "$S/policy/biztalk.xml" --host OrchestrationHost \
    --fail-on authenticode-untrusted --format junit "$ACD/untrusted-root.dll"
expect_rc 1
expect_out '<failure '
run "$ASMGATE" verify --fail-on authenticode-bogus "$ACD/sha256.dll"
expect_rc 2
expect_err -- '--fail-on wants'
