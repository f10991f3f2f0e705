# Black-box tests of Authenticode in policies (issue 11): <publisher>
# pins by subject (+ issuer) and by certSha256 of the root, the rule
# attributes publishers and authenticode, the decision naming the
# publisher, lint, and the SARIF/JUnit rule ids. Expected values from
# samples/authenticode/README.md (openssl x509 on the committed PEMs and
# how make.sh built each sample).
AC=$S/authenticode
AC_OPTS="--ca-file $AC/pki/ca.pem --crl-file $AC/pki/crl.pem --at 1780272000"
mkdir -p "$T/acpol"
cat >"$T/acpol/p.xml" <<EOF2
<policy xmlns="urn:asmgate:policy:1">
  <key id="contoso" file="$S/keys/contoso.pub"/>
  <publisher id="contoso"
      subject="cn=contoso ltd,  O=CONTOSO LTD, C=us"
      issuer="CN=asmgate Test Code Signing CA, O=asmgate tests, C=US"/>
  <publisher id="testroot"
      certSha256="86:43:97:AF:30:5C:BA:9F:21:CE:33:7B:93:62:D5:32:BC:83:D8:AC:04:D9:C9:58:56:7A:5E:48:2B:99:43:FF"/>
  <host name="Pub"><allow id="vendor" keys="contoso" publishers="contoso"/></host>
  <host name="Root"><allow id="pki" publishers="testroot"/></host>
  <host name="Opt"><allow id="opt" keys="contoso" authenticode="optional"/></host>
</policy>
EOF2
# shellcheck disable=SC2086
run "$ASMGATE" verify --policy "$T/acpol/p.xml" $AC_OPTS "$AC/sha256.dll"
expect_rc 0
expect_out "Pub: allowed: matched allow rule 'vendor'; publisher 'contoso' matched: CN=Contoso Ltd,O=Contoso Ltd,C=US \(sha256 8F4681C88E139112\.\.\.\)"
expect_out "Root: allowed: matched allow rule 'pki'; publisher 'testroot' matched: CN=asmgate Test Root CA,O=asmgate tests,C=US \(sha256 864397AF305CBA9F\.\.\.\)"
expect_out "Opt: allowed: matched allow rule 'opt'"
# Fabrikam: same root, other leaf.
# shellcheck disable=SC2086
run "$ASMGATE" verify --policy "$T/acpol/p.xml" --host Root --host Pub \
    $AC_OPTS "$AC/fabrikam.dll"
expect_rc 1
expect_out "Root: allowed: matched allow rule 'pki'"
expect_out "Pub: denied"
# Unsigned: only the optional host allows it.
# shellcheck disable=SC2086
run "$ASMGATE" verify --policy "$T/acpol/p.xml" $AC_OPTS "$AC/unsigned.dll"
expect_rc 1
expect_out "Opt: allowed: matched allow rule 'opt'"
expect_out "Pub: denied: .*Authenticode is unsigned; the rule needs a valid signature by one of \[contoso\]"
# Untrusted (serverAuth leaf), expired, revoked, invalid: denied
# everywhere, with the state in the reason.
for pair in server-auth.dll:untrusted expired.dll:expired \
    revoked.dll:revoked tampered-overlay.dll:invalid; do
	f=${pair%%:*}; st=${pair#*:}
	# shellcheck disable=SC2086
	run "$ASMGATE" verify --policy "$T/acpol/p.xml" $AC_OPTS "$AC/$f"
	expect_rc 1
	expect_out "Opt: denied: .*Authenticode is $st"
	expect_no_out ": allowed"
done
# The timestamp keeps an expired leaf valid.
# shellcheck disable=SC2086
run "$ASMGATE" verify --policy "$T/acpol/p.xml" --host Root $AC_OPTS \
    "$AC/expired-ts.dll"
expect_rc 0
# Without the anchor the chain is untrusted: the pins do not allow.
run "$ASMGATE" verify --policy "$T/acpol/p.xml" --host Root \
    --ca-file "$AC/pki/other.pem" --at 1780272000 "$AC/sha256.dll"
expect_rc 1
expect_out "Authenticode is untrusted"

# SARIF and JUnit: Authenticode failures as their own rules.
# shellcheck disable=SC2086
run "$ASMGATE" verify --format sarif --policy "$T/acpol/p.xml" --host Opt \
    $AC_OPTS "$AC/tampered-pkcs7.dll"
expect_rc 1
expect_out '"ruleId": "authenticode/invalid"'
# shellcheck disable=SC2086
run "$ASMGATE" verify --format sarif $AC_OPTS "$AC/revoked.dll"
expect_out '"ruleId": "authenticode/revoked"'
# shellcheck disable=SC2086
run "$ASMGATE" verify --format junit $AC_OPTS "$AC/expired.dll"
expect_rc 1
expect_out 'type="authenticode/expired"'

# Lint: a subject pin without issuer; a host whose allow rule ignores
# Authenticode in a policy that uses it.
cat >"$T/acpol/lint.xml" <<EOF2
<policy xmlns="urn:asmgate:policy:1">
  <key id="contoso" file="$S/keys/contoso.pub"/>
  <publisher id="contoso" subject="CN=Contoso Ltd, O=Contoso Ltd, C=US"/>
  <host name="H">
    <allow id="pinned" keys="contoso" publishers="contoso"/>
    <allow id="loose" keys="contoso"/>
  </host>
</policy>
EOF2
run "$ASMGATE" policy lint "$T/acpol/lint.xml"
expect_rc 0
expect_out ":3: warning: publisher 'contoso' is pinned by subject only.*\[publisher-subject-only\]$"
expect_out ":6: warning: host 'H' allows assemblies whose Authenticode is untrusted or expired: allow rule 'loose' has neither publishers nor authenticode \[authenticode-untrusted\]$"
expect_out "valid: 1 host, 2 warnings$"
# Errors: both pins, an unknown publisher.
printf '<policy xmlns="urn:asmgate:policy:1"><publisher id="p" subject="CN=A" certSha256="%s"/></policy>\n' \
    864397AF305CBA9F21CE337B9362D532BC83D8AC04D9C958567A5E482B9943FF \
    >"$T/acpol/bad1.xml"
run "$ASMGATE" policy lint "$T/acpol/bad1.xml"
expect_rc 2
expect_err "bad1.xml:1: publisher 'p' has both subject and certSha256"
printf '<policy xmlns="urn:asmgate:policy:1"><host name="H"><allow id="a" publishers="nobody"/></host></policy>\n' \
    >"$T/acpol/bad2.xml"
run "$ASMGATE" policy lint "$T/acpol/bad2.xml"
expect_rc 2
expect_err "unknown publisher 'nobody' in publishers of rule 'a'"

# policy show: the publishers and the rules' Authenticode attributes.
run "$ASMGATE" policy show --format json "$T/acpol/p.xml"
expect_rc 0
jq_eq "d['publishers'][1]['certSha256'].upper()" \
    864397AF305CBA9F21CE337B9362D532BC83D8AC04D9C958567A5E482B9943FF
jq_eq "d['publishers'][0]['issuer']" \
    "CN=asmgate Test Code Signing CA, O=asmgate tests, C=US"
jq_eq "d['hosts'][0]['rules'][0]['publishers']" "['contoso']"
jq_eq "d['hosts'][2]['rules'][0]['authenticode']" optional
run "$ASMGATE" policy show "$T/acpol/p.xml"
expect_out "^publishers \(2\):$"
expect_out "keys \[contoso\]; states \[signed\] \(default\); publishers \[contoso\]$"
