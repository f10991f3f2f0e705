# Exported BizTalk application MSIs (samples/biztalk, see its README):
# ApplicationDefinition.adf and one LZX cabinet per resource inside the
# database's LZX cabinet. Identities: monodis --assembly and the tokens
# of samples/keys/README.md.
B="$S/biztalk"

# --- recognised: assemblies named by their resource ------------------
run "$ASMGATE" verify "$B/app.msi"
expect_rc 0
expect_out '^[^ ]*biztalk/app\.msi!Aim\.Orders\.Orchestrations\.dll: signed'
expect_out '^[^ ]*biztalk/app\.msi!Aim\.Orders\.Maps\.dll: signed'
expect_out '^[^ ]*biztalk/app\.msi!Aim\.Common\.dll: signed'
expect_out '3 assemblies: 3 signed; 6 containers, 11 members examined'
expect_no_out 'denied'
expect_err_lines 0

# JSON: the full chain stays in origin; the resource from the adf.
run "$ASMGATE" verify --format json "$B/app.msi"
expect_rc 0
expect_json
jq_eq 'd["files"][0]["origin"]["members"][1]' 'BizTalkAssembly/202bfcfbc07645cf71ef085431c6a5b1/Aim.Orders.Orchestrations.dll'
jq_eq 'd["files"][0]["origin"]["members"][0].split("/")[-1]' 'ITEM~0.CAB'
jq_eq 'd["files"][0]["resource"]["type"]' 'System.BizTalk:BizTalkAssembly'
jq_eq 'd["files"][0]["resource"]["luid"]' 'Aim.Orders.Orchestrations, Version=1.0.0.0, Culture=neutral, PublicKeyToken=e0ba8f48cb722cea'
jq_eq 'd["files"][0]["resource"]["destination"]' '%BTAD_InstallDir%\Aim.Orders.Orchestrations.dll'
jq_eq 'd["files"][0]["resource"]["denial"]' 'null'
jq_eq 'd["files"][2]["resource"]["type"]' 'System.BizTalk:Assembly'

# --- the adf lies about a version: denied, both identities named -----
run "$ASMGATE" verify "$B/version-lie.msi"
expect_rc 1
expect_out "application Aim\.Orders: denied: the adf declares 'Aim\.Orders\.Orchestrations, Version=1\.0\.0\.1, Culture=neutral, PublicKeyToken=e0ba8f48cb722cea' \(line 11\), cabinet ITEM~0\.CAB holds 'Aim\.Orders\.Orchestrations, Version=1\.0\.0\.0, Culture=neutral, PublicKeyToken=e0ba8f48cb722cea'"
run "$ASMGATE" verify --quiet "$B/version-lie.msi"
expect_rc 1
expect_out 'version-lie\.msi!Aim\.Orders\.Orchestrations\.dll'
expect_no_out 'Aim\.Common'
# With a policy that allows it on every host, still denied everywhere.
run "$ASMGATE" verify --policy "$B/policy.xml" --host BizTalkServerApplication \
    --host ProcessingHost "$B/version-lie.msi"
expect_rc 1
expect_out '  BizTalkServerApplication: denied: application package: the adf declares another identity'
expect_out '  ProcessingHost: denied: application package'
run "$ASMGATE" verify --policy "$B/policy.xml" --host BizTalkServerApplication \
    "$B/app.msi"
expect_rc 0
expect_out '  BizTalkServerApplication: allowed'

# --- an assembly present but undeclared ------------------------------
run "$ASMGATE" verify "$B/undeclared.msi"
expect_rc 1
expect_out "denied: assembly 'Aim\.Orders\.Maps, Version=1\.0\.0\.0, Culture=neutral, PublicKeyToken=e0ba8f48cb722cea' is in the package but no assembly resource of the adf declares it \(member ITEM~1\.CAB\)"
expect_out 'undeclared\.msi!Aim\.Orders\.Orchestrations\.dll: signed'

# --- a declared resource whose cabinet is missing: the run fails ------
run "$ASMGATE" verify "$B/missing-cab.msi"
expect_rc 2
expect_err "missing-cab\.msi: error: .*resource 'Aim\.Orders\.Maps, Version=1\.0\.0\.0.* is declared \(adf line 24\) but its cabinet ITEM~1\.CAB is not in the package"
expect_out 'missing-cab\.msi!Aim\.Common\.dll: signed'

# --- bindings only: a valid package, no failure by itself -------------
run "$ASMGATE" verify "$B/bindings-only.msi"
expect_rc 0
expect_out '^0 assemblies'
run "$ASMGATE" verify "$B/bindings-only.msi" "$S/states/unsigned.dll"
expect_rc 1

# --- bad adfs: one line each, exit 2, the rest still decided ----------
for c in 'not-xml:NUL byte' 'doctype:line 2: .*(DOCTYPE|DTD)' \
    'duplicate-luid:line 24: duplicate Luid' \
    'oversize:4304888 bytes, above the cap of 4194304' \
    'too-many-resources:line [0-9]+: more than 4096 resources' \
    'no-cabinet-name:line 37: resource .* without ShortCabinetName'; do
	f=${c%%:*}
	run "$ASMGATE" verify "$B/malformed/$f.msi" "$B/app.msi"
	expect_rc 2
	expect_err "malformed/$f\.msi: error: ApplicationDefinition\.adf.*${c#*:}"
	expect_err_lines 1
	expect_out 'biztalk/app\.msi!Aim\.Common\.dll: signed'
done

# --- inspect lists the application -----------------------------------
run "$ASMGATE" inspect "$B/app.msi"
expect_rc 0
expect_out '^  application Aim\.Orders 1\.0\.0\.0$'
expect_out '^  references  BizTalk\.System$'
expect_out 'System\.BizTalk:BizTalkAssembly Aim\.Orders\.Maps, Version=1\.0\.0\.0, Culture=neutral, PublicKeyToken=e0ba8f48cb722cea \(ITEM~1\.CAB, to %BTAD_InstallDir%\\Aim\.Orders\.Maps\.dll\)'
expect_out 'System\.BizTalk:BizTalkBinding Application/Aim\.Orders/Production \(ITEM~4\.CAB'
expect_out '^  environments Test, Production$'
expect_out '^[^ ]*app\.msi!Aim\.Common\.dll$'
run "$ASMGATE" inspect --format json "$B/bindings-only.msi"
expect_rc 0
expect_json
jq_eq 'd["files"]' '[]'
jq_eq 'd["applications"][0]["name"]' 'Aim.Orders'
jq_eq 'd["applications"][0]["environments"]' "['Test', 'Production']"
jq_eq 'd["applications"][0]["resources"][1]["destination"]' '%BTAD_InstallDir%\Production\BindingInfo.xml'

# --- the package's own bindings, host by host -------------------------
# Production (bindings/BindingInfo-Production.xml): the orchestration in
# ProcessingHost; the map and send pipeline on a send port handled by
# SendHost; Aim.Common referenced by both.
run "$ASMGATE" verify --policy "$B/policy.xml" --environment Production \
    "$B/app.msi"
expect_rc 0
expect_out '3 assemblies: 3 signed; .*decisions: 5 allowed, 0 denied'
expect_out '^    placed: orchestration: orchestration Aim\.Orders\.Orchestrations\.ProcessOrder \(.*biztalk/app\.msi!ITEM~4\.CAB!BizTalkBinding/Application-Aim\.Orders/BindingInfo\.xml:14\)'
expect_out '^    placed: send-pipeline: send port SP\.Orders\.Invoice\.File'
expect_no_out 'BizTalkServerApplication|ReceiveHost'
run "$ASMGATE" verify --policy "$B/policy.xml" --environment Production \
    --format json "$B/app.msi"
expect_json
jq_eq '[p["host"] for p in d["files"][0]["policy"]]' "['ProcessingHost']"
jq_eq '[p["host"] for p in d["files"][1]["policy"]]' "['ProcessingHost', 'SendHost']"
jq_eq '[p["host"] for p in d["files"][2]["policy"]]' "['ProcessingHost', 'SendHost']"
# Test: one host runs everything; the lint finding of the binding used
# is printed (stderr), the run passes.
run "$ASMGATE" verify --policy "$B/policy.xml" --environment test "$B/app.msi"
expect_rc 0
expect_out 'decisions: 3 allowed, 0 denied'
expect_no_out 'ProcessingHost|SendHost'
expect_err "ITEM~3\.CAB!BizTalkBinding/Application-Aim\.Orders/BindingInfo\.xml:[0-9]+: warning: host 'BizTalkServerApplication' runs orchestrations .*\[orchestration-and-receive\]"
# The lie is still denied where the binding places it.
run "$ASMGATE" verify --policy "$B/policy.xml" --environment Production \
    "$B/version-lie.msi"
expect_rc 1
expect_out '  ProcessingHost: denied: application package'
# An unknown environment: exit 2, listing those present.
run "$ASMGATE" verify --policy "$B/policy.xml" --environment Staging \
    "$B/app.msi"
expect_rc 2
expect_err "app\.msi: error: no binding for the environment 'Staging'; the package has: Test, Production"
expect_no_out 'signed'
# --bindings on the command line replaces the embedded ones.
run "$ASMGATE" verify --policy "$B/policy.xml" --environment Test \
    --bindings "$B/bindings/BindingInfo-Test.xml" "$B/app.msi"
expect_rc 2
expect_err 'replaces them'
run "$ASMGATE" verify --policy "$B/policy.xml" \
    --bindings "$B/bindings/BindingInfo-Production.xml" "$B/app.msi"
expect_rc 0
expect_out 'placed: orchestration: .*BindingInfo-Production\.xml:14'
expect_no_out 'ITEM~4\.CAB!BizTalkBinding'
# No environment and no default binding: every host decides.
run "$ASMGATE" verify --policy "$B/policy.xml" --host ProcessingHost \
    "$B/app.msi"
expect_rc 0
expect_no_out 'placed:'

# Reports without a policy: the lie is a failure there too.
run "$ASMGATE" verify --output "junit=$T/bt.xml" "$B/version-lie.msi"
expect_rc 1
if grep -q '<failure message="Aim\.Orders\.Orchestrations, Version=1\.0\.0\.0, .*version-lie\.msi!Aim\.Orders\.Orchestrations\.dll is denied' "$T/bt.xml" &&
    [ "$(grep -c '<failure' "$T/bt.xml")" = 1 ]; then ok; else bad "junit: one failure for the lie"; fi

# --- bindings show|lint read the package's binding --------------------
run "$ASMGATE" bindings show --environment Production "$B/app.msi"
expect_rc 0
expect_out '^  ProcessingHost: orchestrations'
expect_out '^    orchestration    Aim\.Orders\.Orchestrations, Version=1\.0\.0\.0, Culture=neutral, PublicKeyToken=e0ba8f48cb722cea'
expect_out '^  SendHost: send handler'
run "$ASMGATE" bindings lint --environment Test "$B/app.msi"
expect_rc 0
expect_out "warning: host 'BizTalkServerApplication' runs orchestrations .*\[orchestration-and-receive\]"
expect_out '^1 warning$'
run "$ASMGATE" bindings show "$B/app.msi"
expect_rc 2
expect_err 'app\.msi: error: no default binding .*the package has: Test, Production'
run "$ASMGATE" bindings lint --environment X "$B/bindings-only.msi"
expect_rc 2
expect_err "bindings-only\.msi: error: no binding for the environment 'X'; the package has: Test, Production"

# --- a declared file replaced or renamed: the run fails (exit 2) -----
run "$ASMGATE" verify "$B/swapped-file.msi"
expect_rc 2
expect_err 'swapped-file\.msi!.*/ITEM~0\.CAB!BizTalkAssembly/0{32}/Aim\.Orders\.Orchestrations\.dll: error: not a PE file'
expect_no_out 'Aim\.Orders\.Orchestrations\.dll: signed'
run "$ASMGATE" verify "$B/renamed-file.msi"
expect_rc 2
expect_err "renamed-file\.msi!.*/ITEM~1\.CAB: error: application 'Aim\.Orders': resource 'Aim\.Orders\.Maps, Version=1\.0\.0\.0.*' declares Aim\.Orders\.Maps\.dll \(adf line 24\), cabinet ITEM~1\.CAB does not hold it"

# --- an application MSI inside another container ---------------------
if [ -n "$PYTHON" ]; then
	"$PYTHON" -c 'import sys, zipfile
z = zipfile.ZipFile(sys.argv[1], "w")
z.write(sys.argv[2], "pkg/version-lie.msi")
z.close()' "$T/bt-outer.zip" "$B/version-lie.msi"
	run "$ASMGATE" verify "$T/bt-outer.zip"
	expect_rc 1
	expect_out 'bt-outer\.zip!pkg/version-lie\.msi!Aim\.Orders\.Orchestrations\.dll: signed'
	expect_out 'application Aim\.Orders: denied: the adf declares'
else
	skip 3 "python3 not installed: no nested application MSI"
fi

# No waiver lets a package that lies pass: exit 1 with one that matches
# every member, in text and JUnit alike.
printf '*  everything waived\n' >"$T/all.waivers"
run "$ASMGATE" verify --waivers "$T/all.waivers" "$B/version-lie.msi"
expect_rc 1
run "$ASMGATE" verify --waivers "$T/all.waivers" --format junit \
    "$B/version-lie.msi"
expect_rc 1
expect_out '<failure '
run "$ASMGATE" verify --waivers "$T/all.waivers" --policy "$B/policy.xml" \
    --environment Test "$B/version-lie.msi"
expect_rc 1
