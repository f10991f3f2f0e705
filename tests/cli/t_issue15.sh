# Black-box tests of issue 15 (what a run over real drops trips on):
# ReadyToRun images, OS-specific machine values, key facts of invalid
# files, the ECMA key's reason, --test-sign with the assembly's own key,
# the overlay of inspect JSON and the PE checksum (reason and policy
# checksum="required"). Expected values: samples/make-r2r.py (RTR header
# 9.2, Machine 0xFD1D = AMD64 ^ Linux 0x7B79), samples/states/README.md
# (signed--checksum-changed.dll: CheckSum 0x12345678 after signing).

R2R="$S/r2r/contoso-x64-r2r.dll"

# inspect, text: ReadyToRun line and the decoded machine.
run "$ASMGATE" inspect "$R2R"
expect_rc 0
expect_out '^  readytorun  RTR header 9\.2, flags 0x0'
expect_out '^  pe          PE32\+, machine amd64 \(linux; Machine 0xfd1d\)'
run "$ASMGATE" inspect "$S/valid/contoso-x64.dll"
expect_no_out 'readytorun'
expect_out 'machine amd64, '

# inspect, JSON: readyToRun with its version; machine and OS apart;
# overlay null when there is none.
run "$ASMGATE" inspect --format json "$R2R" "$S/valid/contoso-x64.dll" \
    "$S/states/signed--appended-data.dll"
expect_rc 0
expect_json
jq_eq 'd["files"][0]["cli"]["readyToRun"]' true
jq_eq 'd["files"][0]["cli"]["readyToRunVersion"]' 9.2
jq_eq 'd["files"][0]["cli"]["readyToRunFlags"]' 0
jq_eq 'd["files"][0]["pe"]["machine"]' amd64
jq_eq 'd["files"][0]["pe"]["machineOs"]' linux
jq_eq 'd["files"][0]["pe"]["machineId"]' 64797
jq_eq 'd["files"][0]["pe"]["overlay"]' null
jq_eq 'd["files"][1]["cli"]["readyToRun"]' false
jq_eq 'd["files"][1]["cli"]["readyToRunVersion"]' null
jq_eq 'd["files"][1]["pe"]["machineOs"]' null
jq_eq 'd["files"][1]["pe"]["overlay"]' null
jq_eq 'd["files"][2]["pe"]["overlay"]["size"] > 0' true

# verify: still invalid (fail closed), but the reason says why; key
# facts filled although the state is invalid.
run "$ASMGATE" verify "$R2R"
expect_rc 1
expect_out "^$R2R: invalid: ReadyToRun image \\(RTR header 9\\.2\\): crossgen removed the strong-name signature slot"
run "$ASMGATE" verify --format json "$R2R" \
    "$S/states/invalid--tampered-signature.dll"
expect_rc 1
expect_json
jq_eq 'd["files"][0]["signature"]["state"]' invalid
jq_eq 'd["files"][0]["signature"]["keyBits"]' 2048
jq_eq 'd["files"][0]["signature"]["hashAlgorithm"]' sha1
jq_eq 'd["files"][0]["cli"]["readyToRun"]' true
jq_eq 'd["files"][1]["signature"]["keyBits"]' 2048
jq_eq 'd["files"][1]["signature"]["hashAlgorithm"]' sha1
run "$ASMGATE" verify "$S/r2r/contoso-x64-r2r-flag-set.dll"
expect_rc 1
expect_out 'StrongNameSigned flag set but there is no signature directory; ReadyToRun image'

# SARIF: the result says ReadyToRun (message and properties).
run "$ASMGATE" verify --format sarif "$R2R"
expect_rc 1
expect_json
jq_eq '"ReadyToRun" in d["runs"][0]["results"][0]["message"]["text"]' true
jq_eq 'd["runs"][0]["results"][0]["properties"]["readyToRun"]' true
jq_eq 'd["runs"][0]["results"][0]["properties"]["readyToRunVersion"]' 9.2

# ECMA key, zero slot: the reason says nothing was checked.
run "$ASMGATE" verify "$S/states/delay-signed--ecma-key.dll"
expect_rc 1
expect_out 'ECMA neutral key: no signature was checked'
expect_no_out 'checked with the Microsoft key'
# ... and names the Microsoft key when a signature is checked.
run "$ASMGATE" verify "$S/states/ecma-key-signed-with-test1024.dll"
expect_out 'ECMA neutral key: signature checked with the Microsoft key b03f5f7f11d50a3a'

# sign --test-sign with the assembly's own key: refused before anything
# is written, exit 2, one line saying why; the input is untouched.
cp "$S/states/delay-signed.dll" "$T/own.dll"
run "$ASMGATE" sign --test-sign --key "$S/keys/contoso.snk" \
    -o "$T/own-out.dll" "$T/own.dll"
expect_rc 2
expect_err_lines 1
expect_err "own\\.dll: error: --test-sign with the assembly's own key would make it signed, not test-signed"
if [ -e "$T/own-out.dll" ]; then bad "output written"; else ok; fi
expect_no_out 'signed'
run "$ASMGATE" sign --test-sign --key "$S/keys/contoso.snk" "$T/own.dll"
expect_rc 2
expect_err_lines 1
if cmp -s "$T/own.dll" "$S/states/delay-signed.dll"; then ok; else
	bad "input replaced"; fi
if ls "$T"/.asmgate-* >/dev/null 2>&1; then bad "temporary left"; else ok; fi
# With a test key it works (exit 0, test-signed).
run "$ASMGATE" sign --test-sign --key "$S/keys/test2048.snk" \
    -o "$T/ts.dll" "$T/own.dll"
expect_rc 0
expect_out 'ts\.dll: test-signed'

# A checksum-only edit of a signed file: signed (the .NET rule), with a
# reason naming both checksums.
run "$ASMGATE" verify "$S/states/signed--checksum-changed.dll"
expect_rc 0
expect_out 'signed: .*PE checksum 0x12345678 is wrong \(the file.s is 0x[0-9a-f]{8}\)'
run "$ASMGATE" verify "$S/valid/contoso-orchestrations.dll"
expect_no_out 'PE checksum'

# checksum="required" makes it enforceable.
hex() { od -An -tx1 -v "$1" | tr -d ' \n'; }
cat >"$T/ck.xml" <<EOF
<policy xmlns="urn:asmgate:policy:1">
  <key id="contoso" publicKey="$(hex "$S/keys/contoso.pub")"/>
  <host name="Strict">
    <allow id="contoso" keys="contoso" checksum="required"/>
  </host>
  <host name="Loose">
    <allow id="contoso" keys="contoso"/>
  </host>
</policy>
EOF
run "$ASMGATE" verify --policy "$T/ck.xml" --host Strict \
    "$S/states/signed--checksum-changed.dll"
expect_rc 1
expect_out 'Strict: denied: no rule matched: denied by default; .*checksum="required"'
run "$ASMGATE" verify --policy "$T/ck.xml" --host Loose \
    "$S/states/signed--checksum-changed.dll"
expect_rc 0
run "$ASMGATE" verify --policy "$T/ck.xml" --host Strict \
    "$S/valid/contoso-orchestrations.dll"
expect_rc 0
expect_out 'Strict: allowed'
run "$ASMGATE" policy show --format json "$T/ck.xml"
expect_rc 0
jq_eq 'd["hosts"][0]["rules"][0]["checksum"]' required
jq_eq 'd["hosts"][1]["rules"][0]["checksum"]' null
run "$ASMGATE" policy lint "$S/policy/bad/checksum-on-deny.xml"
expect_rc 2
expect_err "checksum-on-deny\\.xml:7: attribute 'checksum' is only allowed on <allow>"
