# Black-box tests of `asmgate verify --policy`: per-host decisions, rule
# precedence, audit mode, testKeys, and how decisions set the exit status.

hex() { od -An -tx1 -v "$1" | tr -d ' \n'; }
CONTOSO=$(hex "$S/keys/contoso.pub")
cat >"$T/p.xml" <<EOF
<policy xmlns="urn:asmgate:policy:1" mode="enforce">
  <key id="contoso" publicKey="$CONTOSO"/>
  <key id="t2048" file="$S/keys/test2048.pub"/>
  <key id="t1024" file="$S/keys/test1024.pub"/>
  <host name="Dev">
    <allow id="dev-contoso" keys="contoso" states="signed delay-signed"/>
  </host>
  <host name="Prod" mode="audit">
    <allow id="prod-contoso" keys="contoso"/>
  </host>
  <host name="Strict">
    <allow id="strict-contoso" keys="contoso"/>
    <deny id="no-orch" name="contoso.orchestrations"/>
  </host>
  <host name="Test">
    <allow id="other" keys="contoso" states="test-signed" testKeys="t1024"/>
    <allow id="ci" keys="contoso" states="test-signed" testKeys="t2048"/>
  </host>
</policy>
EOF

# A delay-signed assembly that every named host allows (or only audits)
# passes: with a policy, the decisions alone set the exit status.
run "$ASMGATE" verify --policy "$T/p.xml" --host Dev --host Prod \
    "$S/states/delay-signed.dll"
expect_rc 0
expect_out '^  Dev: allowed: .*dev-contoso'
expect_out '^  Prod: denied \(audit\): '
# The same denial in an enforcing host fails the run.
run "$ASMGATE" verify --policy "$T/p.xml" --host Dev --host Strict \
    "$S/states/delay-signed.dll"
expect_rc 1

# Deny wins over a matching allow; the name glob is case-insensitive.
run "$ASMGATE" verify --format json --policy "$T/p.xml" --host Strict \
    "$S/valid/contoso-orchestrations.dll"
expect_rc 1
expect_json
jq_eq 'd["files"][0]["policy"][0]["host"]' Strict
jq_eq 'd["files"][0]["policy"][0]["decision"]' denied
jq_eq 'd["files"][0]["policy"][0]["rule"]' no-orch
jq_eq 'len(d["files"][0]["policy"][0]["reasons"]) > 0' true

# Default deny: no rule matches another vendor's assembly; rule is null.
run "$ASMGATE" verify --format json --policy "$T/p.xml" --host Dev \
    "$S/valid/fabrikam-adapters.dll"
expect_rc 1
jq_eq 'd["files"][0]["policy"][0]["decision"]' denied
jq_eq 'd["files"][0]["policy"][0]["rule"]' null
jq_eq 'd["files"][0]["signature"]["state"]' signed

# testKeys: test-signed counts only for the rule naming the verifying key.
# "other" (t1024) comes first, so "ci" deciding shows "other" was passed
# over for its testKeys.
run "$ASMGATE" verify --format json --policy "$T/p.xml" --host Test \
    "$S/states/test-signed--test2048.dll"
expect_rc 0
jq_eq 'd["files"][0]["signature"]["state"]' test-signed
jq_eq 'd["files"][0]["policy"][0]["decision"]' allowed
jq_eq 'd["files"][0]["policy"][0]["rule"]' ci
run "$ASMGATE" verify --policy "$T/p.xml" --host Test \
    "$S/states/test-signed--test2048.dll"
expect_rc 0
expect_out '^  Test: allowed: .*ci'
# Only a rule whose testKeys do not verify the file: denied by default.
# (t2048 is still a test key of the policy, so the file is test-signed.)
cat >"$T/p-other.xml" <<EOF
<policy xmlns="urn:asmgate:policy:1" mode="enforce">
  <key id="contoso" publicKey="$CONTOSO"/>
  <key id="t2048" file="$S/keys/test2048.pub"/>
  <key id="t1024" file="$S/keys/test1024.pub"/>
  <host name="CI">
    <allow id="ci" keys="contoso" states="test-signed" testKeys="t2048"/>
  </host>
  <host name="Other">
    <allow id="other" keys="contoso" states="test-signed" testKeys="t1024"/>
  </host>
</policy>
EOF
run "$ASMGATE" verify --format json --policy "$T/p-other.xml" --host Other \
    "$S/states/test-signed--test2048.dll"
expect_rc 1
jq_eq 'd["files"][0]["signature"]["state"]' test-signed
jq_eq 'd["files"][0]["policy"][0]["decision"]' denied
jq_eq 'd["files"][0]["policy"][0]["rule"]' null
run "$ASMGATE" verify --policy "$T/p-other.xml" --host Other \
    "$S/states/test-signed--test2048.dll"
expect_rc 1
expect_out ': test-signed'
expect_out '^  Other: denied: .*test key'
expect_no_out '^  Other: allowed'
# Without the policy's test key the same file is invalid.
run "$ASMGATE" verify "$S/states/test-signed--test2048.dll"
expect_rc 1
expect_out ': invalid'

# Without --host every host is decided, in document order.
run "$ASMGATE" verify --format json --policy "$T/p.xml" \
    "$S/valid/contoso-orchestrations.dll"
jq_eq '[p["host"] for p in d["files"][0]["policy"]]' \
    "['Dev', 'Prod', 'Strict', 'Test']"
jq_eq 'd["summary"]["denied"]' 2

# Errors: an unknown host, --host without --policy, a bad policy.
run "$ASMGATE" verify --policy "$T/p.xml" --host Nowhere "$S/valid"
expect_rc 2
expect_err "no host 'Nowhere'"
run "$ASMGATE" verify --host Dev "$S/valid"
expect_rc 2
printf '<policy xmlns="urn:asmgate:policy:1">\n  <bogus/>\n</policy>\n' \
    >"$T/bad.xml"
run "$ASMGATE" verify --policy "$T/bad.xml" "$S/valid"
expect_rc 2
expect_err "^$T/bad.xml:2: "
expect_err_lines 1

# A policy in audit mode never fails the run.
sed 's/mode="enforce"/mode="audit"/' "$T/p.xml" >"$T/audit.xml"
run "$ASMGATE" verify --policy "$T/audit.xml" --host Strict \
    "$S/valid/contoso-orchestrations.dll"
expect_rc 0
expect_out 'Strict: denied \(audit\)'

# Unreadable files still make the run undecided, policy or not.
run "$ASMGATE" verify --policy "$T/p.xml" --host Dev \
    "$S/valid/contoso-orchestrations.dll" "$S/malformed/empty.dll"
expect_rc 2

# Every host is decided without --host, however many the policy has (up
# to its cap of 256): none is silently left out.
{
	echo '<policy xmlns="urn:asmgate:policy:1" mode="enforce">'
	echo "  <key id=\"contoso\" publicKey=\"$CONTOSO\"/>"
	i=1
	while [ $i -le 100 ]; do
		echo "  <host name=\"H$i\"><allow id=\"a$i\" keys=\"contoso\"/></host>"
		i=$((i + 1))
	done
	echo '  <host name="Last"><allow id="z" keys="fabrikam"/></host>'
	echo "  <key id=\"fabrikam\" file=\"$S/keys/fabrikam.pub\"/>"
	echo '</policy>'
} >"$T/hosts.xml"
run "$ASMGATE" verify --policy "$T/hosts.xml" "$S/valid/contoso-orchestrations.dll"
expect_rc 1
if [ "$(grep -c '^  H[0-9]*: allowed' "$T/out")" -eq 100 ]; then ok; else
	bad "$(grep -c '^  H[0-9]*: allowed' "$T/out") of 100 hosts decided"; fi
expect_out '^  Last: denied'
expect_out 'decisions: 100 allowed, 1 denied$'

# A policy without hosts decides nothing: exit 2 before any file is read,
# even for an unsigned file.
printf '<policy xmlns="urn:asmgate:policy:1" mode="enforce">\n  <key id="contoso" publicKey="%s"/>\n</policy>\n' \
    "$CONTOSO" >"$T/nohosts.xml"
run "$ASMGATE" verify --policy "$T/nohosts.xml" "$S/states/unsigned.dll"
expect_rc 2
expect_err_lines 1
expect_err "^$T/nohosts.xml: error: the policy has no hosts: nothing decides$"
expect_no_out 'unsigned'

# Every test key of the policy is used, however many: here t2048 is the
# 301st (keys of the same file count once per id), past the 256 the
# command line may give.
{
	echo '<policy xmlns="urn:asmgate:policy:1" mode="enforce">'
	echo "  <key id=\"contoso\" publicKey=\"$CONTOSO\"/>"
	echo "  <key id=\"t2048\" file=\"$S/keys/test2048.pub\"/>"
	i=1
	while [ $i -le 300 ]; do
		echo "  <key id=\"k$i\" file=\"$S/keys/test1024.pub\"/>"
		i=$((i + 1))
	done
	echo '  <host name="Test">'
	for r in 1 2 3; do
		printf '    <allow id="r%s" keys="contoso" states="test-signed" testKeys="' $r
		i=$(( (r - 1) * 100 + 1 ))
		while [ $i -le $((r * 100)) ]; do printf 'k%s ' $i; i=$((i + 1)); done
		echo '"/>'
	done
	echo '    <allow id="ci" keys="contoso" states="test-signed" testKeys="t2048"/>'
	echo '  </host>'
	echo '</policy>'
} >"$T/testkeys.xml"
run "$ASMGATE" verify --policy "$T/testkeys.xml" \
    "$S/states/test-signed--test2048.dll"
expect_rc 0
expect_out 'test-signed--test2048\.dll: test-signed'
expect_out '^  Test: allowed: .*ci'
