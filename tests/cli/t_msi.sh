# Installer databases (.msi, .msm): the assemblies they install, named
# by install path, read from embedded or external cabinets or from the
# uncompressed source image, never extracted to disk.
M="$S/msi"

# --- members named by where they install -----------------------------
run "$ASMGATE" verify "$M/app.msi"
expect_rc 0
expect_out 'msi/app\.msi!ProgramFiles/Contoso/Contoso\.Orders\.dll: signed'
expect_out 'msi/app\.msi!ProgramFiles/Contoso/Adapters/Fabrikam\.Adapters\.dll: signed'
expect_no_out 'readme\.txt'
expect_out '1 container, 3 members examined \(1 not assemblies\)'
expect_err_lines 0

# JSON: the origin keeps the File key beside the install path.
run "$ASMGATE" verify --format json "$M/app.msi"
expect_rc 0
expect_json
jq_eq 'd["files"][0]["origin"]["members"]' "['ProgramFiles/Contoso/Contoso.Orders.dll']"
jq_eq 'd["files"][0]["origin"]["keys"]' "['OrdersDll']"
jq_eq 'd["files"][1]["origin"]["keys"]' "['FabDll']"

# External cabinet beside the database; uncompressed source files.
run "$ASMGATE" verify "$M/external/ext.msi" "$M/uncompressed/unc.msi"
expect_rc 0
expect_out 'external/ext\.msi!ProgramFiles/Contoso/Contoso\.Orders\.dll: signed'
expect_out 'uncompressed/unc\.msi!ProgramFiles/Contoso/Adapters/Fabrikam\.Adapters\.dll: signed'

# A missing external cabinet: each member says which cabinet (exit 2),
# and the other inputs are still decided.
run "$ASMGATE" verify "$M/missing-cab/ext.msi" "$M/app.msi"
expect_rc 2
expect_err "missing-cab/ext\.msi!ProgramFiles/Contoso/Contoso\.Orders\.dll: error: .*external cabinet 'ext\.cab', which is not beside the database"
expect_out 'app\.msi!ProgramFiles/Contoso/Contoso\.Orders\.dll: signed'

# Merge modules and the global assembly cache.
run "$ASMGATE" verify "$M/module.msm" "$M/gac.msi"
expect_rc 0
expect_out 'module\.msm!Contoso/Contoso\.Orders\.dll: signed'
expect_out 'gac\.msi!GlobalAssemblyCache/Fabrikam\.Adapters\.dll: signed'

# inspect reads the same subjects.
run "$ASMGATE" inspect --format json "$M/app.msi"
expect_rc 0
expect_json
jq_eq 'd["files"][0]["assembly"]["name"]' Contoso.Orchestrations
jq_eq 'd["files"][0]["origin"]["keys"]' "['OrdersDll']"

# A database inside a zip: embedded cabinets still read; the chain has
# both members.
if command -v python3 >/dev/null 2>&1; then
	python3 -c 'import sys, zipfile
z = zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED)
z.write(sys.argv[1], "setup/app.msi")
z.close()' "$M/app.msi" "$T/drop-msi.zip"
	run "$ASMGATE" verify "$T/drop-msi.zip"
	expect_rc 0
	expect_out 'drop-msi\.zip!setup/app\.msi!ProgramFiles/Contoso/Contoso\.Orders\.dll: signed'
else
	skip 2 "python3 not installed: no zip of a database"
fi

# --- hostile databases: one line each, exit 2, with the offset -------
for case in \
    'string-ref-out-of-range.msi|string-ref-out-of-range\.msi: error: .*string.*\(offset 0x' \
    'table-row-size.msi|table-row-size\.msi: error: .*row.*\(offset 0x' \
    'directory-cycle.msi|directory-cycle\.msi: error: .*cycle.*\(offset 0x' \
    'pool-past-end.msi|pool-past-end\.msi: error: .*_StringData.*\(offset 0x' \
    'missing-cab-stream.msi|missing-cab-stream\.msi: error: .*apq\.cab.*\(offset 0x'
do
	f=${case%%|*}; pat=${case#*|}
	CASE="t_msi $f"
	run "$ASMGATE" verify "$M/malformed/$f" "$M/app.msi"
	expect_rc 2
	expect_err "$pat"
	expect_err_lines 1
	expect_out 'app\.msi!ProgramFiles/Contoso/Contoso\.Orders\.dll: signed'
done
CASE=t_msi
# A bad block in the embedded cabinet's one folder: each of the three
# files in it is an error of its own, at the block's offset in the
# database file.
run "$ASMGATE" verify "$M/malformed/cab-bad-checksum.msi" "$M/app.msi"
expect_rc 2
expect_err "cab-bad-checksum\.msi!ProgramFiles/Contoso/Contoso\.Orders\.dll: error: cabinet 'app\.cab': .*checksum mismatch \(offset 0x"
expect_err_lines 3
expect_out 'app\.msi!ProgramFiles/Contoso/Contoso\.Orders\.dll: signed'

# An installer database's own Authenticode signature is noted.
run "$ASMGATE" inspect "$M/signed.msi" "$M/app.msi"
expect_rc 0
expect_out "signed\.msi carries its own Authenticode signature \(not verified\)"
if grep -q 'app\.msi carries' "$T/out"; then
	bad "unsigned database noted as signed"; else ok; fi
run "$ASMGATE" inspect --format json "$M/signed.msi"
expect_json
jq_eq 'd["files"][0]["origin"]["signedContainers"]' '[0]'

# A compound file that is no installer database (an Office document):
# inside a package it is listed as skipped; named, it is an error.
if command -v python3 >/dev/null 2>&1; then
	python3 -c 'import sys, zipfile
z = zipfile.ZipFile(sys.argv[3], "w")
z.write(sys.argv[1], "docs/notes.doc")
z.write(sys.argv[2], "lib/Contoso.dll")
z.close()' "$S/cfb/v3-mini.cfb" "$S/valid/contoso-orchestrations.dll" \
	    "$T/doc.zip"
	run "$ASMGATE" verify "$T/doc.zip"
	expect_rc 0
	expect_out 'doc\.zip!docs/notes\.doc: skipped: .*not a Windows Installer database'
	expect_out 'doc\.zip!lib/Contoso\.dll: signed'
else
	skip 3 "python3 not installed: no zip of a compound file"
fi
run "$ASMGATE" verify "$S/cfb/v3-mini.cfb"
expect_rc 2
expect_err 'v3-mini\.cfb: error: .*not a Windows Installer database'
expect_err_lines 1
