# Cabinets: assemblies inside .cab files (stored, MSZIP, LZX), read in
# memory, named CABINET!MEMBER; nested with zips both ways; a broken
# cabinet is one error line while the other inputs are still reported.
C="$S/cab"

# --- members are subjects -------------------------------------------
run "$ASMGATE" verify "$C/stored.cab"
expect_rc 0
expect_out '/cab/stored\.cab!lib/Contoso\.Orchestrations\.dll: signed'
expect_out '/cab/stored\.cab!lib/Fabrikam\.Adapters\.dll: signed'
expect_no_out 'readme\.txt'
expect_out '^2 assemblies: 2 signed; 1 container, 3 members examined \(1 not assemblies\)$'
expect_err_lines 0

run "$ASMGATE" verify "$C/mszip.cab" "$C/mszip-window.cab" "$C/folders.cab"
expect_rc 0
expect_out 'mszip\.cab!signed-4096\.dll: signed'
expect_out 'mszip-window\.cab!bin/Contoso\.Orchestrations\.dll: signed'
expect_out 'folders\.cab!a/hello\.exe: signed'
expect_out 'folders\.cab!b/Fabrikam\.Adapters\.dll: signed'
expect_out '^8 assemblies: 8 signed; 3 containers'
expect_err_lines 0

run "$ASMGATE" inspect "$C/reserve.cab"
expect_rc 0
expect_out '^.*/cab/reserve\.cab!Contoso\.Orchestrations\.dll$'
expect_out 'assembly +Contoso\.Orchestrations, Version=1\.2\.3\.4'

# A cabinet is told by content, whatever its name.
cp "$C/mszip.cab" "$T/looks-like.dll"
run "$ASMGATE" verify "$T/looks-like.dll"
expect_rc 0
expect_out 'looks-like\.dll!Fabrikam\.Adapters\.dll: signed'

# --- nesting: a zip in a cabinet, a cabinet in a zip -----------------
run "$ASMGATE" verify "$C/zip-in-cab.cab" "$C/cab-in-zip.zip"
expect_rc 0
expect_out 'zip-in-cab\.cab!pkg/app\.zip!lib/Fabrikam\.Adapters\.dll: signed'
expect_out 'cab-in-zip\.zip!cabs/mszip\.cab!Contoso\.Orchestrations\.dll: signed'
expect_out '^5 assemblies: 5 signed; 4 containers'

run "$ASMGATE" verify --format json "$C/zip-in-cab.cab"
expect_rc 0
expect_json
jq_eq 'd["files"][0]["origin"]["members"]' "['pkg/app.zip', 'lib/Fabrikam.Adapters.dll']"
jq_eq 'd["files"][0]["origin"]["file"].endswith("/cab/zip-in-cab.cab")' true

# --- members that cannot be read are reported, never skipped ---------
run "$ASMGATE" verify "$C/lzx-mszip-quantum.cab"
expect_rc 2
expect_err 'lzx-mszip-quantum\.cab!qtm\.txt: error: .*Quantum compression'
expect_err_lines 1
run "$ASMGATE" verify "$C/spans-next.cab"
expect_rc 2
expect_err 'spans-next\.cab!Fabrikam\.Adapters\.dll: error: .*spans cabinets'
expect_err_lines 1
run "$ASMGATE" verify --format json "$C/spans-next.cab"
jq_eq 'd["files"][0]["error"]["code"]' unsupported

# --- hostile cabinets: one line each, exit 2, with the offset; the
# other inputs of the same run are still reported --------------------
for case in \
    'cbcabinet-mismatch.cab|cbcabinet-mismatch\.cab: error: cabinet size 4474 but the file has 4475 bytes \(offset 0x8\)' \
    'file-outside-folder.cab|file-outside-folder\.cab: error: file .Fabrikam\.Adapters\.dll. .* lies outside its folder.*\(offset 0x57\)' \
    'cfdata-past-end.cab|cfdata-past-end\.cab: error: folder 0: data block 2 runs past the end of the cabinet \(offset 0x117b\)' \
    'cbuncomp-too-big.cab|cbuncomp-too-big\.cab: error: .*expands to 40000 bytes.*\(offset 0x46\)' \
    'files-overlap.cab|files-overlap\.cab: error: files .* overlap in folder 0 \(offset 0x57\)' \
    'bad-folder-index.cab|bad-folder-index\.cab: error: .*names folder 1 of 1 \(offset 0x5f\)' \
    'name-without-nul.cab|name-without-nul\.cab: error: .*not NUL-terminated.*\(offset 0x3c\)' \
    'truncated-header.cab|truncated-header\.cab: error: cabinet header truncated.*\(offset 0x0\)' \
    'lzx-window.cab|lzx-window\.cab: error: .*LZX window of 2\^22 bytes.*\(offset 0x2a\)' \
    'block-short.cab|block-short\.cab!Contoso\.Orchestrations\.dll: error: .*MSZIP block makes 6656 bytes.*\(offset 0x57\)' \
    'lzx-bad-data.cab|lzx-bad-data\.cab!file\.txt: error: .*invalid LZX data.*\(offset 0x'
do
	f=${case%%|*}; pat=${case#*|}
	CASE="t_cab $f"
	run "$ASMGATE" verify "$S/valid/hello.exe" "$C/$f" "$C/stored.cab"
	expect_rc 2
	expect_err "$pat"
	expect_err_lines 1
	expect_out 'valid/hello\.exe: signed'
	expect_out 'stored\.cab!lib/Fabrikam\.Adapters\.dll: signed'
	run "$ASMGATE" verify --format json "$C/$f"
	expect_rc 2
	expect_json
	jq_eq 'd["files"][-1]["error"]["code"] in ("malformed", "truncated")' true
	jq_eq 'd["files"][-1]["origin"]["file"].endswith("/'"$f"'")' true
	jq_eq 'd["files"][-1]["error"]["offset"] is not None' true
done
CASE=t_cab

# A bad block in a shared folder: each of its files is an error.
run "$ASMGATE" verify "$C/bad-checksum.cab"
expect_rc 2
expect_err 'bad-checksum\.cab!Contoso\.Orchestrations\.dll: error: .*data block 1: checksum mismatch \(offset 0x7d\)'
expect_err 'bad-checksum\.cab!Fabrikam\.Adapters\.dll: error: .*checksum mismatch \(offset 0x7d\)'
expect_err_lines 2
run "$ASMGATE" verify "$C/mszip-no-ck.cab"
expect_rc 2
expect_err 'does not start with "CK" \(offset 0x7d\)'

# --- the same answer with any number of jobs ------------------------
mkdir -p "$T/cabdrop"
cp "$C"/*.cab "$T/cabdrop/"
"$ASMGATE" verify "$T/cabdrop" >"$T/c1.txt" 2>"$T/c1.err"; rc1=$?
"$ASMGATE" verify --jobs 4 "$T/cabdrop" >"$T/c4.txt" 2>"$T/c4.err"; rc4=$?
if [ "$rc1" = 2 ] && [ "$rc4" = 2 ]; then ok; else
	bad "cab jobs exit statuses $rc1 $rc4, expected 2"; fi
if cmp -s "$T/c1.txt" "$T/c4.txt" && cmp -s "$T/c1.err" "$T/c4.err"; then
	ok; else bad "--jobs changed the cabinet output"; fi
if grep -q 'cabdrop/folders\.cab!b/Fabrikam\.Adapters\.dll: signed' \
    "$T/c1.txt"; then ok; else bad "walk did not open folders.cab"; fi
