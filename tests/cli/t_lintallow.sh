# policy lint: accepted warnings. lintAllow="CODE..." on the element a
# warning is about (in the policy, reviewed with it) and --suppress
# CODE[:LINE] on the command line: counted as suppressed, not printed,
# never failing --strict. fabrikam.pub is a 1024-bit key
# (samples/README.md), so it draws short-key.
LP="$T/lintallow.xml"
cat >"$LP" <<EOF2
<?xml version="1.0" encoding="UTF-8"?>
<policy xmlns="urn:asmgate:policy:1" mode="enforce">
  <key id="fabrikam" file="$S/keys/fabrikam.pub" lintAllow="short-key"/>
  <key id="contoso" file="$S/keys/contoso.pub"/>
  <host name="H">
    <allow id="a" keys="fabrikam contoso"/>
  </host>
  <host name="Empty"/>
</policy>
EOF2
run "$ASMGATE" policy lint --strict "$LP"
expect_rc 1
expect_no_out 'short-key'
expect_out 'lintallow.xml:8: warning: .*\[no-allow-rule\]'
expect_out 'valid: 2 hosts, 1 warning \(1 suppressed\)$'
# The remaining warning, accepted on the command line by code ...
run "$ASMGATE" policy lint --strict --suppress no-allow-rule "$LP"
expect_rc 0
expect_out 'valid: 2 hosts, 0 warnings \(2 suppressed\)$'
# ... or by code and line; another line does not match.
run "$ASMGATE" policy lint --strict --suppress no-allow-rule:8 "$LP"
expect_rc 0
run "$ASMGATE" policy lint --strict --suppress no-allow-rule:7 "$LP"
expect_rc 1
expect_out 'valid: 2 hosts, 1 warning \(1 suppressed\)$'
run "$ASMGATE" policy lint --suppress 'Short Key' "$LP"
expect_rc 2
expect_err '--suppress wants CODE or CODE:LINE'
# policy show keeps the accepted warning, marked.
run "$ASMGATE" policy show "$LP"
expect_rc 0
expect_out 'line 3: short-key: .*\(accepted: lintAllow\)$'
run "$ASMGATE" policy show --format json "$LP"
jq_eq '[w["suppressed"] for w in d["warnings"] if w["code"] == "short-key"][0]' true
# Without the attribute the warning is back (the test above depends on it).
sed 's/ lintAllow="short-key"//' "$LP" >"$T/plain.xml"
run "$ASMGATE" policy lint "$T/plain.xml"
expect_rc 0
expect_out 'lintallow.xml:3|plain.xml:3: warning: .*\[short-key\]'
# A code that accepts nothing is a warning of its own; an unknown code
# makes the policy invalid, with its line.
sed 's/id="contoso" file/id="contoso" lintAllow="short-key unused-key" file/' \
    "$LP" >"$T/stale.xml"
run "$ASMGATE" policy lint --strict "$T/stale.xml"
expect_rc 1
expect_out "stale.xml:4: warning: lintAllow accepts 'short-key' but no such warning is reported here \[lint-allow-unused\]"
expect_out "lintAllow accepts 'unused-key'"
sed 's/lintAllow="short-key"/lintAllow="short-keys"/' "$LP" >"$T/unknown.xml"
run "$ASMGATE" policy lint "$T/unknown.xml"
expect_rc 2
expect_err "unknown.xml:3: unknown lint code 'short-keys' in lintAllow"
sed 's/lintAllow="short-key"/lintAllow=" "/' "$LP" >"$T/empty.xml"
run "$ASMGATE" policy lint "$T/empty.xml"
expect_rc 2
expect_err "empty.xml:3: "
# On a host, and on the policy element.
sed 's/<host name="Empty"\/>/<host name="Empty" lintAllow="no-allow-rule"\/>/' \
    "$LP" >"$T/host.xml"
run "$ASMGATE" policy lint --strict "$T/host.xml"
expect_rc 0
expect_out 'valid: 2 hosts, 0 warnings \(2 suppressed\)$'
sed 's/mode="enforce">/mode="audit" lintAllow="audit-mode">/' "$T/host.xml" \
    >"$T/root.xml"
run "$ASMGATE" policy lint --strict "$T/root.xml"
expect_rc 0
expect_out '0 warnings \(3 suppressed\)$'
