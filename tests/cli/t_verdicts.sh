# One rule decides pass or fail (asmgate_verdict_fails): the exit
# status, the JSON summary's "failed", JUnit's failures and SARIF's
# error-level results agree for every signing state, without and with
# test keys, with a policy in an audit and in an enforcing host, and
# with --fail-on.
K="$S/keys/test2048.pub"
P="$S/policy/biztalk-test.xml"   # ReceiveHost audit, OrchestrationHost enforce
for f in valid/contoso-orchestrations.dll states/test-signed--test2048.dll \
    states/delay-signed.dll states/public-signed.dll states/unsigned.dll \
    states/invalid--tampered-signature.dll; do
	for cfg in "" "--test-key $K" "--policy $P --host ReceiveHost" \
	    "--policy $P --host OrchestrationHost" \
	    "--policy $P --host ReceiveHost --fail-on invalid" \
	    "--test-key $K --fail-on test-signed,invalid"; do
		CASE="t_verdicts $f [$cfg]"
		# shellcheck disable=SC2086 # cfg is a word list
		"$ASMGATE" verify $cfg "$S/$f" >/dev/null 2>&1; want=$?
		if [ "$want" != 0 ] && [ "$want" != 1 ]; then
			bad "exit $want"; continue; fi
		if [ -z "$PYTHON" ]; then skip_json 3; continue; fi
		# shellcheck disable=SC2086
		"$ASMGATE" verify --format json $cfg "$S/$f" >"$T/v.json" 2>/dev/null
		# shellcheck disable=SC2086
		"$ASMGATE" verify --format junit $cfg "$S/$f" >"$T/v.xml" 2>/dev/null
		# shellcheck disable=SC2086
		"$ASMGATE" verify --format sarif $cfg "$S/$f" >"$T/v.sarif" 2>/dev/null
		got=$("$PYTHON" - "$T" <<'PYEOF'
import json, sys, xml.etree.ElementTree as ET
t = sys.argv[1]
j = json.load(open(t + "/v.json"))["summary"]["failed"] > 0
x = ET.parse(t + "/v.xml").getroot()
ju = sum(len(c.findall("failure")) for c in x.iter("testcase")) > 0
s = json.load(open(t + "/v.sarif"))
sa = any(r.get("level") == "error" for r in s["runs"][0]["results"])
print("%d %d %d" % (j, ju, sa))
PYEOF
)
		w=1; [ "$want" = 0 ] && w=0
		if [ "$got" = "$w $w $w" ]; then ok; else
			bad "exit $want but json/junit/sarif say fail = $got"; fi
	done
done
CASE=t_verdicts

# Waivers go through the same rule (asmgate_verdict_of): with a waiver
# for every file, nothing fails; what failed without it is waived in
# the JSON summary, a JUnit <skipped> "waived" testcase and a SARIF
# result with an accepted external suppression, and no report calls it
# a failure.
printf '*.dll  reviewed: every sample  expires=2099-12-31\n' >"$T/waive-all"
for f in valid/contoso-orchestrations.dll states/test-signed--test2048.dll \
    states/delay-signed.dll states/unsigned.dll \
    states/invalid--tampered-signature.dll; do
	for cfg in "" "--test-key $K" "--policy $P --host ReceiveHost" \
	    "--policy $P --host OrchestrationHost" \
	    "--policy $P --host ReceiveHost --fail-on invalid"; do
		CASE="t_verdicts waived $f [$cfg]"
		# shellcheck disable=SC2086
		"$ASMGATE" verify $cfg "$S/$f" >/dev/null 2>&1; before=$?
		# shellcheck disable=SC2086
		"$ASMGATE" verify --waivers "$T/waive-all" $cfg "$S/$f" \
		    >/dev/null 2>&1
		got=$?
		if [ "$got" = 0 ]; then ok; else bad "waived: exit $got"; fi
		if [ -z "$PYTHON" ]; then skip_json; continue; fi
		for fm in json junit sarif; do
			# shellcheck disable=SC2086
			"$ASMGATE" verify --format $fm --waivers "$T/waive-all" \
			    $cfg "$S/$f" >"$T/w.$fm" 2>/dev/null
		done
		got=$("$PYTHON" - "$T" <<'PYEOF'
import json, sys, xml.etree.ElementTree as ET
t = sys.argv[1]
js = json.load(open(t + "/w.json"))
j = js["summary"]["failed"] > 0
jw = js["summary"]["waived"] > 0 and \
    js["files"][0]["waived"]["waiver"].endswith("waive-all:1")
x = ET.parse(t + "/w.junit").getroot()
tc = list(x.iter("testcase"))
ju = sum(len(c.findall("failure")) for c in tc) > 0
juw = any(s.get("message", "").startswith("waived (")
    for c in tc for s in c.findall("skipped"))
res = json.load(open(t + "/w.sarif"))["runs"][0]["results"]
sa = any(r.get("level") == "error" and not r.get("suppressions")
    for r in res)
saw = any(s.get("kind") == "external" and s.get("status") == "accepted"
    and s.get("justification") == "reviewed: every sample"
    for r in res for s in r.get("suppressions", []))
print("%d %d %d %d %d %d" % (j, ju, sa, jw, juw, saw))
PYEOF
)
		w=0; [ "$before" = 1 ] && w=1
		if [ "$got" = "0 0 0 $w $w $w" ]; then ok; else
			bad "exit $before before the waiver; fail and waived" \
			    "in json/junit/sarif = $got"; fi
	done
done
CASE=t_verdicts

# Errors are not waived: an unreadable file still exits 2.
printf 'MZ' >"$T/short.dll"
run "$ASMGATE" verify --waivers "$T/waive-all" "$T/short.dll"
expect_rc 2

# The rule itself, at the points the issue names.
run "$ASMGATE" verify --test-key "$K" "$S/states/test-signed--test2048.dll"
expect_rc 0
run "$ASMGATE" verify "$S/states/test-signed--test2048.dll"
expect_rc 1
run "$ASMGATE" verify --policy "$P" --host ReceiveHost \
    "$S/states/invalid--tampered-signature.dll"
expect_rc 0
run "$ASMGATE" verify --policy "$P" --host ReceiveHost --fail-on invalid \
    "$S/states/invalid--tampered-signature.dll"
expect_rc 1
expect_out '1 in a --fail-on state'
run "$ASMGATE" verify --fail-on bogus "$S/valid/hello.exe"
expect_rc 2
expect_err '--fail-on wants states'
