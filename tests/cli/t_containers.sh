# Containers: assemblies inside .zip, .nupkg and .vsix, read in memory,
# named CONTAINER!MEMBER, with the member chain in every format.
Z="$S/zip"

# --- members are subjects -------------------------------------------
run "$ASMGATE" verify "$Z/app.zip"
expect_rc 0
expect_out '/zip/app\.zip!bin/Contoso\.Orchestrations\.dll: signed'
expect_out '/zip/app\.zip!bin/hello\.exe: signed'
expect_no_out 'readme\.txt'
expect_out '^3 assemblies: 3 signed; 1 container, 4 members examined \(1 not assemblies\)$'
expect_err_lines 0

# A package inside a zip: the chain has two members.
run "$ASMGATE" verify "$Z/outer.zip"
expect_rc 0
expect_out 'outer\.zip!pkgs/Contoso\.nupkg!lib/net48/Contoso\.Orchestrations\.dll: signed'
expect_out '2 containers, 6 members examined'

# .nupkg and .vsix are zips by content, whatever the name says; a zip
# named .dll is still a container.
run "$ASMGATE" verify "$Z/Contoso.nupkg" "$Z/Contoso.Extension.vsix"
expect_rc 0
expect_out 'Contoso\.nupkg!lib/net48/Contoso\.Orchestrations\.dll: signed'
expect_out 'Contoso\.Extension\.vsix!Contoso\.Orchestrations\.dll: signed'
cp "$Z/app.zip" "$T/looks-like.dll"
run "$ASMGATE" verify "$T/looks-like.dll"
expect_rc 0
expect_out 'looks-like\.dll!bin/hello\.exe: signed'

# Every state, a skipped native member and a nested package in one drop.
run "$ASMGATE" verify "$Z/mixed.zip"
expect_rc 1
expect_out 'mixed\.zip!bin/Delay\.dll: delay-signed'
expect_out 'mixed\.zip!bin/native\.dll: skipped: '
expect_out 'mixed\.zip!pkgs/Tampered\.nupkg!lib/net48/Tampered\.dll: invalid'
expect_out '^3 assemblies: 1 signed, 1 delay-signed, 1 invalid; 1 skipped; 2 containers'

# --- JSON: path is the display name, origin the file and the chain ---
run "$ASMGATE" verify --format json "$Z/mixed.zip" "$S/valid/hello.exe"
expect_rc 1
expect_json
jq_eq 'd["files"][0]["path"].endswith("/zip/mixed.zip!bin/Contoso.Orchestrations.dll")' true
jq_eq 'd["files"][0]["origin"]["file"].endswith("/zip/mixed.zip")' true
jq_eq 'd["files"][0]["origin"]["members"]' "['bin/Contoso.Orchestrations.dll']"
jq_eq 'd["files"][3]["origin"]["members"]' "['pkgs/Tampered.nupkg', 'lib/net48/Tampered.dll']"
jq_eq 'd["files"][3]["signature"]["state"]' invalid
jq_eq 'd["files"][2]["skipped"] is not None' true
jq_eq 'd["files"][4]["origin"]["members"]' '[]'
jq_eq 'd["files"][4]["origin"]["file"] == d["files"][4]["path"]' true
jq_eq 'd["summary"]["containers"]' 2
jq_eq 'd["summary"]["members"]' 6
jq_eq 'd["summary"]["membersIgnored"]' 1
jq_eq 'd["summary"]["assemblies"]' 4

# inspect reads the same subjects.
run "$ASMGATE" inspect --format json "$Z/outer.zip"
expect_rc 0
expect_json
jq_eq 'd["files"][0]["origin"]["members"]' "['pkgs/Contoso.nupkg', 'lib/net48/Contoso.Orchestrations.dll']"
jq_eq 'd["files"][0]["assembly"]["name"]' Contoso.Orchestrations
run "$ASMGATE" inspect "$Z/mixed.zip"
expect_rc 0
expect_out 'mixed\.zip!bin/native\.dll: skipped: '

# --- reports: the outer file is the artifact, the chain is named -----
run "$ASMGATE" verify --format sarif "$Z/mixed.zip"
expect_rc 1
expect_json
jq_eq 'len(d["runs"][0]["results"])' 2
jq_eq 'd["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith("/zip/mixed.zip")' true
jq_eq 'd["runs"][0]["results"][0]["properties"]["asmgate/members"]' "['bin/Delay.dll']"
jq_eq '"mixed.zip!bin/Delay.dll" in d["runs"][0]["results"][0]["message"]["text"]' true
jq_eq 'd["runs"][0]["results"][1]["properties"]["asmgate/members"]' "['pkgs/Tampered.nupkg', 'lib/net48/Tampered.dll']"
run "$ASMGATE" verify --format junit "$Z/mixed.zip"
expect_rc 1
expect_out 'mixed\.zip!pkgs/Tampered\.nupkg!lib/net48/Tampered\.dll'
expect_out 'member: lib/net48/Tampered\.dll'

# --- the same answer, in the same order, with any number of jobs -----
mkdir -p "$T/drop/sub"
cp "$Z"/*.zip "$Z"/*.nupkg "$Z"/*.vsix "$T/drop/"
cp "$S/valid/"*.dll "$T/drop/sub/"
cp "$S/states/delay-signed.dll" "$T/drop/sub/"
"$ASMGATE" verify "$T/drop" >"$T/j1.txt" 2>"$T/j1.err"; rc1=$?
"$ASMGATE" verify --jobs 2 "$T/drop" >"$T/j2.txt" 2>"$T/j2.err"; rc2=$?
"$ASMGATE" verify --jobs 7 "$T/drop" >"$T/j7.txt" 2>"$T/j7.err"; rc7=$?
if [ "$rc1" = 2 ] && [ "$rc2" = 2 ] && [ "$rc7" = 2 ]; then ok; else
	bad "jobs exit statuses $rc1 $rc2 $rc7, expected 2 (malformed zips)"; fi
if cmp -s "$T/j1.txt" "$T/j2.txt" && cmp -s "$T/j1.txt" "$T/j7.txt" &&
    cmp -s "$T/j1.err" "$T/j2.err" && cmp -s "$T/j1.err" "$T/j7.err"; then
	ok; else bad "--jobs changed the output"; fi
"$ASMGATE" verify --format json "$T/drop" >"$T/j1.json" 2>/dev/null
"$ASMGATE" verify --format json --jobs 3 "$T/drop" >"$T/j3.json" 2>/dev/null
if cmp -s "$T/j1.json" "$T/j3.json"; then ok; else
	bad "--jobs changed the JSON"; fi
# A walk expands the containers it finds: no package left unchecked,
# and the broken ones are errors while the rest is reported.
if grep -q 'drop/Contoso\.nupkg!lib/net48/Contoso\.Orchestrations\.dll: signed' \
    "$T/j1.txt"; then ok; else bad "walk did not open Contoso.nupkg"; fi
if grep -q 'drop/mixed\.zip!bin/Delay\.dll: delay-signed' "$T/j1.txt"; then
	ok; else bad "walk did not open mixed.zip"; fi
if grep -q 'drop/bad-crc\.zip!lib/Contoso\.Orchestrations\.dll: error: .*CRC-32' \
    "$T/j1.err"; then ok; else bad "bad-crc member not an error"; fi
if grep -q 'drop/sub/delay-signed\.dll: delay-signed' "$T/j1.txt"; then ok
	else bad "plain files lost beside containers"; fi

# --- hostile archives: one line each, exit 2, with the offset -------
for case in \
    'truncated-central-directory.zip|truncated-central-directory\.zip: error: .*central directory.*\(offset 0x' \
    'local-central-mismatch.zip|local-central-mismatch\.zip: error: local header .* disagrees .*\(offset 0x' \
    'bad-crc.zip|bad-crc\.zip!lib/Contoso\.Orchestrations\.dll: error: .*CRC-32 mismatch.*\(offset 0x' \
    'overlapping-members.zip|overlapping-members\.zip: error: .*overlap.*\(offset 0x' \
    'member-past-end.zip|member-past-end\.zip: error: .*\(offset 0x' \
    'zip64-bogus-sizes.zip|zip64-bogus-sizes\.zip: error: .*\(offset 0x' \
    'ratio-bomb.zip|ratio-bomb\.zip!zeros\.dll: error: .*compression ratio.*\(offset 0x' \
    'depth-bomb.zip|depth-bomb\.zip!level2\.zip!level3\.zip!level4\.zip!level5\.zip: error: containers nested deeper than 4' \
    'duplicate-names.zip|duplicate-names\.zip: error: duplicate member name .*\(offset 0x' \
    'encrypted-member.zip|encrypted-member\.zip!lib/Contoso\.Orchestrations\.dll: error: .*encrypted' \
    'bzip2-member.zip|bzip2-member\.zip!lib/Contoso\.Orchestrations\.dll: error: .*compression method 12 \(bzip2\)'
do
	f=${case%%|*}; pat=${case#*|}
	CASE="t_containers $f"
	run "$ASMGATE" verify "$Z/$f"
	expect_rc 2
	expect_err "$pat"
	expect_err_lines 1
	run "$ASMGATE" verify --format json "$Z/$f"
	expect_rc 2
	expect_json
	jq_eq 'd["files"][-1]["error"]["code"] in ("malformed", "limit", "unsupported", "truncated")' true
	jq_eq 'd["files"][-1]["origin"]["file"].endswith("/'"$f"'")' true
done
CASE=t_containers
run "$ASMGATE" verify --format json "$Z/encrypted-member.zip"
jq_eq 'd["files"][0]["error"]["code"]' unsupported
run "$ASMGATE" verify "$Z/empty.zip"
expect_rc 2
expect_err 'no \.NET assembly found'
expect_out '1 container, 0 members examined'

# Member names are untrusted text: escaped like paths.
run "$ASMGATE" verify "$Z/control-chars-in-name.zip"
expect_rc 0
expect_out 'evil\\x1b\[31mred\\x1b\[0m\\x0a\\x09\.dll: signed'
if [ "$(wc -l <"$T/out")" -eq 2 ] && ! grep -q "$(printf '\033')" "$T/out"
then ok; else bad "a member name reached the terminal raw"; fi

# --- members by name: keys, and sign refuses them --------------------
run "$ASMGATE" keys token "$Z/outer.zip!pkgs/Contoso.nupkg!lib/net48/Contoso.Orchestrations.dll"
expect_rc 0
tok_member=$(cat "$T/out")
run "$ASMGATE" keys token "$S/valid/contoso-orchestrations.dll"
if [ "$tok_member" = "$(cat "$T/out")" ] && [ -n "$tok_member" ]; then ok
	else bad "member token '$tok_member' differs from the file's"; fi
run "$ASMGATE" keys extract -o "$T/member.pub" "$Z/app.zip!bin/hello.exe"
expect_rc 0
run "$ASMGATE" keys extract -o "$T/file.pub" "$S/valid/hello.exe"
if cmp -s "$T/member.pub" "$T/file.pub"; then ok; else
	bad "keys extract of a member differs"; fi
run "$ASMGATE" keys token "$Z/app.zip!bin/nothere.dll"
expect_rc 2
expect_err 'no such member'
cp "$Z/app.zip" "$T/sign-me.zip"
run "$ASMGATE" sign --key "$S/keys/contoso.snk" "$T/sign-me.zip!bin/hello.exe"
expect_rc 2
expect_err 'cannot sign a member of a container'
if cmp -s "$Z/app.zip" "$T/sign-me.zip"; then ok; else
	bad "sign touched the container"; fi
