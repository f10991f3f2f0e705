# Black-box tests of `asmgate policy lint|show`, and of the JUnit and
# SARIF reports `asmgate verify --policy` writes through the policy
# library. Expected values: tokens from samples/keys/README.md, names
# and versions from samples/README.md, the defect each
# samples/policy/bad/ file was written with (its first comment).

P="$S/policy"

# --help everywhere; usage errors exit 2.
run "$ASMGATE" policy --help
expect_rc 0
expect_out '^usage: asmgate policy lint'
run "$ASMGATE" policy lint --help
expect_rc 0
expect_out 'token-only pins'
run "$ASMGATE" policy show --help
expect_rc 0
expect_out 'fingerprint'
run "$ASMGATE" policy
expect_rc 2
run "$ASMGATE" policy frobnicate "$P/biztalk.xml"
expect_rc 2
expect_err "unknown subcommand 'frobnicate'"
run "$ASMGATE" policy lint
expect_rc 2
expect_err 'no FILE given'
run "$ASMGATE" policy lint "$P/biztalk.xml" "$P/biztalk-test.xml"
expect_rc 2
run "$ASMGATE" policy show --format junit "$P/biztalk.xml"
expect_rc 2
expect_err "unknown --format 'junit'"

# The sample policies are valid; warnings on stdout, exit 0.
for f in biztalk.xml biztalk-test.xml issue-example.xml; do
	run "$ASMGATE" policy lint "$P/$f"
	expect_rc 0
	expect_out "^$P/$f: valid: "
	expect_err_lines 0
done
run "$ASMGATE" policy lint "$P/biztalk.xml"
expect_out "^$P/biztalk.xml: valid: 4 hosts, 2 warnings$"
expect_out "^$P/biztalk.xml:[0-9]+: warning: key 'fabrikam' has 1024 bits, fewer than 2048 \[short-key\]$"
expect_out "^$P/biztalk.xml:[0-9]+: warning: key 'microsoft' has 1024 bits"
run "$ASMGATE" policy lint "$P/issue-example.xml"
expect_out ":19: warning: key 'legacy' is pinned by its token only.*\[token-only-key\]$"
expect_out ":19: warning: key 'legacy' is not used by any rule \[unused-key\]$"
expect_out ":24: warning: host 'OrchestrationHost' allows delay-signed assemblies \(allow rule 'dev'\) \[weak-state\]$"
run "$ASMGATE" policy lint "$P/biztalk-test.xml"
expect_out "warning: host 'TrackingHost' has no allow rule: every assembly is denied \[no-allow-rule\]"
expect_out "warning: the policy is in audit mode.*\[audit-mode\]"

# --strict: warnings fail (exit 1); a clean policy passes.
run "$ASMGATE" policy lint --strict "$P/biztalk.xml"
expect_rc 1
mkdir -p "$T/pol/keys" "$T/pol/policy"
cp "$S/keys/contoso.pub" "$S/keys/contoso-sha256.pub" "$S/keys/fabrikam.pub" \
    "$S/keys/microsoft.pub" "$T/pol/keys/"
cat >"$T/pol/policy/clean.xml" <<'EOF'
<policy xmlns="urn:asmgate:policy:1">
  <key id="contoso" file="../keys/contoso.pub"/>
  <host name="OrchestrationHost">
    <allow id="contoso" keys="contoso" name="Contoso.*"/>
  </host>
</policy>
EOF
run "$ASMGATE" policy lint --strict "$T/pol/policy/clean.xml"
expect_rc 0
expect_out 'valid: 1 host, 0 warnings$'

# Key files resolve against the policy's directory, not the working
# directory.
cp "$P/biztalk.xml" "$T/pol/policy/"
run sh -c 'cd "$1/pol" && "$2" policy lint policy/biztalk.xml' _ "$T" \
    "$ASMGATE"
expect_rc 0
run sh -c 'cd / && "$1" policy lint "$2"' _ "$ASMGATE" "$T/pol/policy/biztalk.xml"
expect_rc 0

# Every invalid policy: exit 2, one "POLICY:LINE: message" line on
# stderr, nothing on stdout.
for f in "$P"/bad/*.xml; do
	CASE="t_policy bad/$(basename "$f")"
	run "$ASMGATE" policy lint "$f"
	expect_rc 2
	expect_err_lines 1
	case $f in
	*/empty.xml) expect_err "^$f: empty file" ;;
	*) expect_err "^$f:[1-9][0-9]*: [^ ]" ;;
	esac
	expect_no_out '.'
	run "$ASMGATE" policy show "$f"
	expect_rc 2
done
CASE=t_policy

# A few messages in full.
run "$ASMGATE" policy lint "$P/bad/unknown-attribute.xml"
expect_err "^$P/bad/unknown-attribute.xml:7: unknown attribute 'vendor' on <allow>$"
run "$ASMGATE" policy lint "$P/bad/duplicate-id.xml"
expect_err "^$P/bad/duplicate-id.xml:5: duplicate key id 'contoso' \(first at line 4\)$"
run "$ASMGATE" policy lint "$P/bad/unknown-state.xml"
expect_err ":6: unknown state 'strong' in states"
run "$ASMGATE" policy lint "$P/bad/bad-hex.xml"
expect_err ":4: bad hex in publicKey of key 'contoso'"
run "$ASMGATE" policy lint "$P/bad/missing-key-file.xml"
expect_err ":4: key 'contoso': cannot read key file '../../keys/no-such-key.pub'"
run "$ASMGATE" policy lint "$P/bad/key-two-sources.xml"
expect_err ":5: key 'contoso' has both file and token"
run "$ASMGATE" policy lint "$P/bad/not-xml.xml"
expect_err ":1: not well-formed XML"
run "$ASMGATE" policy lint "$P/bad/too-deep.xml"
expect_err ":19: elements nested deeper than 16$"
run "$ASMGATE" policy lint "$P/bad/too-many-attributes.xml"
expect_err ":6: element <allow> has more than 64 attributes$"
run "$ASMGATE" policy lint "$T/no-such-policy.xml"
expect_rc 2
expect_err "^$T/no-such-policy.xml: cannot open"

# External entities and entity expansion: refused at the DOCTYPE; the
# file's content never appears, no network is tried, no time is spent.
for f in xxe-file xxe-network billion-laughs doctype; do
	run "$ASMGATE" policy lint "$P/bad/$f.xml"
	expect_rc 2
	expect_err ":3: DOCTYPE is not allowed"
	if grep -q 'root:' "$T/out" "$T/err"; then bad "$f: /etc/passwd leaked"; else ok; fi
done
start=$(date +%s)
run "$ASMGATE" policy show "$P/bad/billion-laughs.xml"
end=$(date +%s)
if [ $((end - start)) -le 2 ]; then ok; else bad "billion laughs took $((end - start))s"; fi

# show: keys with token, bits and fingerprint; rules in evaluation
# order.
run "$ASMGATE" policy show "$P/issue-example.xml"
expect_rc 0
expect_out '^policy: '
expect_out '^mode: enforce$'
expect_out '^  contoso \(line 9\)$'
expect_out '^    source       publicKey$'
expect_out '^    token        e0ba8f48cb722cea$'
expect_out '^    token        92cdd74130f40b2c$'
expect_out '^    token        31bf3856ad364e35$'
expect_out '^    bits         2048$'
expect_out '^    bits         1024$'
expect_out '^    fingerprint  sha256:[0-9a-f]{64}$'
expect_out '^    source       token only \(weak pin\)$'
expect_out '^  OrchestrationHost: enforce'
expect_out '^    1\. deny no-legacy'
expect_out '^    2\. allow contoso-1x'
expect_out "keys \[contoso\]; states \[signed\]; name 'Contoso\.\*'; culture \[neutral\]; version 1\.0\.0\.0 to 1\.65535\.65535\.65535; minKeyBits 2048"
expect_out '^    4\. otherwise deny \(default\)$'
run "$ASMGATE" policy show --format json "$P/biztalk.xml"
expect_rc 0
expect_json
jq_eq 'd["mode"]' enforce
jq_eq 'len(d["keys"])' 4
jq_eq 'd["keys"][0]["token"]' e0ba8f48cb722cea
jq_eq 'd["keys"][0]["bits"]' 2048
jq_eq 'd["keys"][1]["token"]' 200273cbca6fec9d
jq_eq 'd["keys"][1]["hashAlgorithm"]' sha256
jq_eq 'd["keys"][3]["token"]' b03f5f7f11d50a3a
jq_eq 'len(d["keys"][1]["fingerprint"])' 64
jq_eq '[h["name"] for h in d["hosts"]]' "['ReceiveHost', 'OrchestrationHost', 'SendHost', 'TrackingHost']"
jq_eq 'd["hosts"][0]["rules"][0]["id"]' no-orchestrations
jq_eq 'd["hosts"][1]["rules"][1]["culture"]' "['neutral', 'fr-FR', 'de-DE']"
jq_eq 'd["hosts"][1]["rules"][1]["hashAlgorithms"]' "['sha1', 'sha256']"
jq_eq 'd["hosts"][1]["rules"][1]["states"]' "['signed']"
jq_eq 'd["hosts"][1]["rules"][1]["statesDefault"]' true
jq_eq 'len(d["warnings"])' 2
run "$ASMGATE" policy show --format json "$P/biztalk-test.xml"
jq_eq '[h["mode"] for h in d["hosts"]]' "['audit', 'enforce', 'audit', 'audit']"
jq_eq '[k["testKey"] for k in d["keys"]]' "[False, False, True]"

# Reports through verify --policy. JUnit: well-formed, the structure
# Jenkins/GitLab/Azure DevOps read, counts that add up; a failure per
# denial, an error per unreadable file, audit denials pass with a note.
if [ -n "$PYTHON" ]; then
	run "$ASMGATE" verify --format junit --policy "$P/biztalk-test.xml" \
	    "$S/valid/contoso-orchestrations.dll" \
	    "$S/valid/fabrikam-adapters.dll" "$S/states/public-signed.dll" \
	    "$S/malformed/not-pe.txt"
	expect_rc 2
	cat >"$T/junit.py" <<'EOF'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites", root.tag
cases = root.findall("testsuite/testcase")
# Written as the run goes: a suite per file, totals in the last suite's
# properties (the suite itself has no testcases and counts 0).
last = root.findall("testsuite")[-1]
assert last.get("name") == "asmgate: summary" and last.get("tests") == "0"
tot = {p.get("name"): p.get("value") for p in last.findall("properties/property")}
assert int(tot["tests"]) == len(cases)
assert int(tot["failures"]) == len(root.findall("testsuite/testcase/failure"))
assert int(tot["errors"]) == len(root.findall("testsuite/testcase/error"))
assert tot["mode:OrchestrationHost"] == "enforce", tot
assert tot["mode:TrackingHost"] == "audit", tot
pairs = [(c.get("classname"), c.get("name")) for c in cases]
assert len(pairs) == len(set(pairs)), "duplicate testcases"
for s in root.findall("testsuite"):
    assert s.get("name"), "testsuite@name"
    tc = s.findall("testcase")
    assert int(s.get("tests")) == len(tc)
    assert int(s.get("failures")) == len(s.findall("testcase/failure"))
    assert int(s.get("errors")) == len(s.findall("testcase/error"))
    for c in tc:
        assert c.get("name") and c.get("classname")
        for f in c.findall("failure") + c.findall("error"):
            assert f.get("message") and f.get("type")
failures = tot["failures"]; errors = tot["errors"]
print(len(cases), failures, errors)
audit = [c for c in root.iter("testcase")
         if (c.findtext("system-out") or "").startswith("AUDIT: ")]
print("audit", len(audit))
EOF
	if "$PYTHON" "$T/junit.py" "$T/out" >"$T/junit.txt" 2>&1; then ok; else bad "JUnit structure: $(cat "$T/junit.txt")"; fi
	# 3 assemblies x 4 hosts, and not-pe.txt once, as an error; failures
	# only in the enforcing OrchestrationHost: fabrikam (default) and
	# public-signed (deny rule)
	if grep -q '^13 2 1$' "$T/junit.txt"; then ok; else bad "JUnit counts: $(cat "$T/junit.txt")"; fi
	if grep -q '^audit [1-9]' "$T/junit.txt"; then ok; else bad "JUnit: no audit note"; fi

	# SARIF 2.1.0: required members, a rule per policy rule, one result
	# per denial (error; warning in audit hosts) with the file.
	run "$ASMGATE" verify --format sarif --policy "$P/biztalk-test.xml" \
	    "$S/valid/contoso-orchestrations.dll" \
	    "$S/valid/fabrikam-adapters.dll" "$S/states/public-signed.dll"
	expect_rc 1
	expect_json
	cat >"$T/sarif.py" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["$schema"] in ("https://json.schemastore.org/sarif-2.1.0.json",
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json")
assert d["version"] == "2.1.0"
assert isinstance(d["runs"], list) and len(d["runs"]) == 1
drv = d["runs"][0]["tool"]["driver"]
assert drv["name"] == "asmgate"
ids = [r["id"] for r in drv["rules"]]
assert len(ids) == len(set(ids))
for r in drv["rules"]:
    for k in ("shortDescription", "fullDescription", "help"):
        assert r[k]["text"]
for rid in ("policy/OrchestrationHost/ci-builds",
            "policy/OrchestrationHost/no-public-signed",
            "policy/TrackingHost/nothing-custom", "policy/default-deny"):
    assert rid in ids, rid
levels = {}
for res in d["runs"][0]["results"]:
    assert res["ruleId"] in ids
    if "ruleIndex" in res:
        assert ids[res["ruleIndex"]] == res["ruleId"]
    assert res["level"] in ("none", "note", "warning", "error")
    assert res["message"]["text"]
    uri = res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri.endswith(".dll"), uri
    levels[res["level"]] = levels.get(res["level"], 0) + 1
print("error", levels.get("error", 0), "warning", levels.get("warning", 0))
EOF
	if "$PYTHON" "$T/sarif.py" "$T/out" >"$T/sarif.txt" 2>&1; then ok; else bad "SARIF structure: $(cat "$T/sarif.txt")"; fi
	# errors: the two OrchestrationHost denials; warnings: the audit
	# hosts' denials (Receive: contoso, public-signed; Send:
	# public-signed; Tracking: all three)
	if grep -q '^error 2 warning 6$' "$T/sarif.txt"; then ok; else bad "SARIF levels: $(cat "$T/sarif.txt")"; fi
else
	skip_json 8 # the checks above: 2 rc, JSON, 5 structure and counts
fi

# Names fold case for ASCII only: lint warns about a glob with non-ASCII
# characters (issue 14), naming the rule.
printf '<policy xmlns="urn:asmgate:policy:1">\n<host name="H">\n<allow id="a" states="signed"/>\n<deny id="no-e" name="cont.\303\211*"/>\n</host></policy>\n' >"$T/nonascii.xml"
run "$ASMGATE" policy lint "$T/nonascii.xml"
expect_rc 0
expect_out "nonascii\\.xml:4: warning: deny rule 'no-e': name 'cont\\..*\\*' has non-ASCII characters.*\\[non-ascii-name\\]"
run "$ASMGATE" policy lint --strict "$T/nonascii.xml"
expect_rc 1
# verify says it too, on stderr, at every run (the decision stands)
run "$ASMGATE" verify --policy "$T/nonascii.xml" \
    "$S/valid/contoso-orchestrations.dll"
expect_rc 0
expect_err_lines 1
expect_err "nonascii\\.xml:4: warning: deny rule 'no-e': .*\\[non-ascii-name\\]$"

# One policy decides a run (issue 14): a second --policy used to replace
# the first, so deny-all then allow-all exited 0. Refused, in either
# order, with one line naming the option (and the usual hint to
# --help); nothing is decided, nothing is written on stdout.
CASE="t_policy --policy twice"
cat >"$T/deny-all.xml" <<'EOF2'
<policy xmlns="urn:asmgate:policy:1">
  <host name="H"><deny id="all"/></host>
</policy>
EOF2
cat >"$T/allow-all.xml" <<'EOF2'
<policy xmlns="urn:asmgate:policy:1">
  <host name="H"><allow id="all" states="signed unsigned"/></host>
</policy>
EOF2
run "$ASMGATE" verify --policy "$T/deny-all.xml" "$S/valid/contoso-orchestrations.dll"
expect_rc 1
run "$ASMGATE" verify --policy "$T/allow-all.xml" "$S/valid/contoso-orchestrations.dll"
expect_rc 0
for first in deny-all allow-all; do
	second=deny-all
	[ $first = allow-all ] || second=allow-all
	run "$ASMGATE" verify --policy "$T/$first.xml" -p "$T/$second.xml" \
	    "$S/valid/contoso-orchestrations.dll"
	expect_rc 2
	expect_err "^asmgate verify: --policy given twice: one policy decides a run$"
	expect_err_lines 2
	expect_no_out '.'
done
# A second --environment (the BizTalk environment whose bindings an
# application MSI is judged by) is refused the same way.
run "$ASMGATE" verify --environment Test --environment Production \
    "$S/valid/contoso-orchestrations.dll"
expect_rc 2
expect_err "^asmgate verify: --environment given twice: one environment decides a run$"
expect_no_out '.'
# The same policy twice is refused too: the option takes one value.
run "$ASMGATE" verify --policy "$T/deny-all.xml" --policy "$T/deny-all.xml" \
    "$S/valid/contoso-orchestrations.dll"
expect_rc 2
expect_err 'given twice'

# Every option that takes one value is refused the second time, never
# replaced; --test-key, --key-map and --host stay repeatable.
K="$S/keys/contoso.pub"
for args in "verify --format json --format text $S/valid" \
    "verify -j 2 --jobs 1 $S/valid" \
    "inspect -f json --format text $S/valid" \
    "keys show --format json -f text $K" \
    "policy show --format json --format text $P/biztalk.xml" \
    "sign --key $K --key $K --output $T/never.dll $S/valid/contoso-orchestrations.dll" \
    "sign --key $K -o $T/never.dll -o $T/never2.dll $S/valid/contoso-orchestrations.dll" \
    "keys extract $S/valid/contoso-orchestrations.dll -o $T/never.pub -o $T/never2.pub" \
    "keys convert $K --to pem --to der -o $T/never.pem" \
    "keys convert $K --to pem -o $T/never.pem --output $T/never2.pem" \
    "keys generate --bits 1024 --bits 2048 -o $T/never.snk" \
    "keys generate --hash sha1 --hash sha256 -o $T/never.snk" \
    "keys generate -o $T/never.snk --output $T/never2.snk" \
    "keys generate -o $T/never.snk --pub $T/never.pub -P $T/never2.pub"; do
	CASE="t_policy twice: $args"
	# shellcheck disable=SC2086 # the words of args are the arguments
	run "$ASMGATE" $args
	expect_rc 2
	expect_err "^asmgate (verify|inspect|keys [a-z]+|policy show|sign): --[a-z]+ given twice: it takes one value$"
	expect_no_out '.'
done
CASE="t_policy twice: nothing written"
if ls "$T"/never* >/dev/null 2>&1; then bad "a refused command wrote $(ls "$T"/never*)"; else ok; fi
CASE="t_policy repeatable"
run "$ASMGATE" verify --policy "$P/biztalk.xml" --host OrchestrationHost \
    --host ReceiveHost --test-key "$S/keys/test2048.pub" \
    --test-key "$S/keys/test2048.pub" "$S/valid/contoso-orchestrations.dll"
if [ "$rc" = 0 ] || [ "$rc" = 1 ]; then ok; else bad "exit $rc"; fi
CASE=t_policy
