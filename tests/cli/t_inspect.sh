# t_inspect.sh - asmgate --version/--help and asmgate inspect.
# Sourced by tests/cli/run.sh ($ASMGATE, $S samples, $T scratch).
# Expected identities are Mono's (monodis --assembly, --assemblyref);
# tokens are what `sn -T` printed for the samples (samples/README.md):
#   contoso e0ba8f48cb722cea, fabrikam 92cdd74130f40b2c,
#   test1024 5b4d8b284476375e (hello.exe), mscorlib b77a5c561934e089.
# Offsets of the malformed samples are those of samples/malformed/README.md.

ins_contoso=$S/valid/contoso-orchestrations.dll

# ins_hex FILE: the file's bytes as lowercase hex on one line
ins_hex() { od -An -v -tx1 "$1" | tr -d ' \n'; }

# ------------------------------------------------------ version, help
run "$ASMGATE" --version
expect_rc 0; expect_out '^asmgate [0-9]+\.[0-9]+\.[0-9]+$'
n=$(wc -l <"$T/out")
if [ "$n" -eq 1 ]; then ok; else bad "--version printed $n lines"; fi
run "$ASMGATE" --help
expect_rc 0; expect_out '^usage: asmgate'; expect_out 'inspect'
run "$ASMGATE" inspect --help
expect_rc 0; expect_out '^usage: asmgate inspect'; expect_out '--format'
run "$ASMGATE" inspect -h
expect_rc 0; expect_out '^usage: asmgate inspect'

# ------------------------------------------------------------- usage
run "$ASMGATE"
expect_rc 2; expect_err 'usage: asmgate'
run "$ASMGATE" frobnicate
expect_rc 2; expect_err "unknown command 'frobnicate'"
run "$ASMGATE" inspect
expect_rc 2; expect_err 'no FILE'
run "$ASMGATE" inspect --format xml "$ins_contoso"
expect_rc 2; expect_err "unknown --format 'xml'"
expect_no_out 'Contoso'
run "$ASMGATE" inspect --format sarif "$ins_contoso"
expect_rc 2; expect_err "unknown --format 'sarif'"
run "$ASMGATE" inspect --format
expect_rc 2
run "$ASMGATE" inspect --bogus "$ins_contoso"
expect_rc 2

# A FIFO (or any file that is not regular) is refused at once: opening it
# must not wait for a writer.
mkfifo "$T/ins-fifo"
run timeout 5 "$ASMGATE" inspect "$T/ins-fifo"
expect_rc 2; expect_err_lines 1
expect_err 'ins-fifo: error: not a regular file'
run timeout 5 "$ASMGATE" keys show "$T/ins-fifo"
expect_rc 2; expect_err 'not a regular file'
run timeout 5 "$ASMGATE" verify --test-key "$T/ins-fifo" "$S/valid"
expect_rc 2; expect_err 'not a regular file'
rm -f "$T/ins-fifo"

# ------------------------------------------------------------ text
run "$ASMGATE" inspect "$ins_contoso"
expect_rc 0; expect_err_lines 0
expect_out "^$ins_contoso\$"
expect_out '^  assembly    Contoso\.Orchestrations, Version=1\.2\.3\.4, Culture=neutral, PublicKeyToken=e0ba8f48cb722cea$'
expect_out '^  public key  288 bytes, token e0ba8f48cb722cea$'
expect_out '^  pe          PE32, machine i386, 3 sections$'
expect_out '^  cli         runtime v4\.0\.30319, flags 0x9 \(ILONLY STRONGNAMESIGNED\)$'
expect_out '^  signature   slot of 256 bytes at offset 0x34c$'
expect_out '^  references  mscorlib, Version=4\.0\.0\.0, Culture=neutral, PublicKeyToken=b77a5c561934e089$'

run "$ASMGATE" inspect "$S/valid/satellite-fr.dll" "$S/valid/contoso-x64.dll" \
    "$S/states/unsigned.dll" "$S/valid/fabrikam-adapters.dll"
expect_rc 0; expect_err_lines 0
expect_out 'Contoso\.Orchestrations\.resources, Version=1\.2\.3\.4, Culture=fr-FR, PublicKeyToken=e0ba8f48cb722cea'
expect_out 'PE32\+, machine amd64, 3 sections'
expect_out 'Contoso\.Orchestrations, Version=1\.2\.3\.4, Culture=neutral, PublicKeyToken=null'
expect_out '^  public key  none \(not strong-named\)$'
expect_out '^  signature   no slot$'
expect_out '^  cli         runtime v4\.0\.30319, flags 0x1 \(ILONLY\)$'
expect_out 'Fabrikam\.Adapters, Version=2\.0\.0\.0, Culture=neutral, PublicKeyToken=92cdd74130f40b2c'
expect_out '^  public key  160 bytes, token 92cdd74130f40b2c$'
expect_out '^              System\.Core, Version=4\.0\.0\.0, Culture=neutral, PublicKeyToken=b77a5c561934e089$'

# the RVA of sig-rva-outside-sections.dll maps nowhere
run "$ASMGATE" inspect "$S/malformed/sig-rva-outside-sections.dll"
expect_rc 0
expect_out '^  signature   slot of 256 bytes at RVA 0x16000 \(outside sections\)$'

# ------------------------------------------------------------- JSON
ins_ver=$("$ASMGATE" --version | sed 's/^asmgate //')
run "$ASMGATE" inspect --format json "$ins_contoso" \
    "$S/valid/fabrikam-adapters.dll" "$S/valid/hello.exe" \
    "$S/valid/satellite-fr.dll" "$S/valid/contoso-x64.dll" \
    "$S/states/unsigned.dll"
expect_rc 0; expect_err_lines 0; expect_json
jq_eq "d['asmgate']" "$ins_ver"
jq_eq "len(d['files'])" 6
jq_eq "all(set(['path','error','pe','cli','assembly','references']) <= set(f) for f in d['files'])" true
jq_eq "all(set(['format','machine','sections']) <= set(f['pe']) for f in d['files'])" true
jq_eq "all(set(['flags','flagNames','runtimeVersion','strongNameSignature']) <= set(f['cli']) for f in d['files'])" true
jq_eq "all(set(['offset','size']) <= set(f['cli']['strongNameSignature']) for f in d['files'])" true
jq_eq "all(set(['name','version','culture','flags','hashAlgorithm','publicKey','publicKeyToken']) <= set(f['assembly']) for f in d['files'])" true
jq_eq "all(set(['name','version','culture','publicKeyToken']) <= set(r) for f in d['files'] for r in f['references'])" true
jq_eq "[f['error'] for f in d['files']]" "[None, None, None, None, None, None]"
jq_eq "d['files'][0]['path']" "$ins_contoso"
# contoso-orchestrations.dll (monodis --assembly, sn -T, objdump)
jq_eq "d['files'][0]['assembly']['name']" "Contoso.Orchestrations"
jq_eq "d['files'][0]['assembly']['version']" "1.2.3.4"
jq_eq "d['files'][0]['assembly']['culture']" ""
jq_eq "d['files'][0]['assembly']['culture'] == ''" true
jq_eq "d['files'][0]['assembly']['flags']" 1
jq_eq "d['files'][0]['assembly']['hashAlgorithm']" sha1
jq_eq "d['files'][0]['assembly']['publicKeyToken']" e0ba8f48cb722cea
jq_eq "d['files'][0]['assembly']['publicKey']" "$(ins_hex "$S/keys/contoso.pub")"
jq_eq "d['files'][0]['pe']['format']" PE32
jq_eq "d['files'][0]['pe']['machine']" i386
jq_eq "[s['name'] for s in d['files'][0]['pe']['sections']]" "['.text', '.rsrc', '.reloc']"
jq_eq "d['files'][0]['pe']['sections'][0]['rawSize']" 4096
jq_eq "d['files'][0]['cli']['flags']" 9
jq_eq "d['files'][0]['cli']['flagNames']" "['ILONLY', 'STRONGNAMESIGNED']"
jq_eq "d['files'][0]['cli']['runtimeVersion']" v4.0.30319
jq_eq "d['files'][0]['cli']['strongNameSignature']['offset']" 844
jq_eq "d['files'][0]['cli']['strongNameSignature']['size']" 256
jq_eq "[(r['name'], r['version'], r['culture'], r['publicKeyToken']) for r in d['files'][0]['references']]" \
    "[('mscorlib', '4.0.0.0', '', 'b77a5c561934e089')]"
# fabrikam-adapters.dll
jq_eq "d['files'][1]['assembly']['name']" Fabrikam.Adapters
jq_eq "d['files'][1]['assembly']['version']" 2.0.0.0
jq_eq "d['files'][1]['assembly']['publicKeyToken']" 92cdd74130f40b2c
jq_eq "d['files'][1]['assembly']['publicKey']" "$(ins_hex "$S/keys/fabrikam.pub")"
jq_eq "d['files'][1]['cli']['strongNameSignature']['offset']" 732
jq_eq "d['files'][1]['cli']['strongNameSignature']['size']" 128
jq_eq "[r['name'] for r in d['files'][1]['references']]" \
    "['System', 'mscorlib', 'System.Xml', 'System.Core']"
jq_eq "set(r['version'] + '/' + r['culture'] + '/' + r['publicKeyToken'] for r in d['files'][1]['references'])" \
    "{'4.0.0.0//b77a5c561934e089'}"
# hello.exe (test1024)
jq_eq "d['files'][2]['assembly']['name']" Hello
jq_eq "d['files'][2]['assembly']['version']" 1.0.0.0
jq_eq "d['files'][2]['assembly']['publicKeyToken']" 5b4d8b284476375e
jq_eq "d['files'][2]['assembly']['publicKey']" "$(ins_hex "$S/keys/test1024.pub")"
jq_eq "d['files'][2]['pe']['sections'][0]['rawSize']" 1536
# satellite-fr.dll: culture fr-FR
jq_eq "d['files'][3]['assembly']['name']" Contoso.Orchestrations.resources
jq_eq "d['files'][3]['assembly']['culture']" fr-FR
jq_eq "d['files'][3]['assembly']['publicKeyToken']" e0ba8f48cb722cea
# contoso-x64.dll: PE32+ amd64
jq_eq "d['files'][4]['pe']['format']" PE32+
jq_eq "d['files'][4]['pe']['machine']" amd64
jq_eq "d['files'][4]['assembly']['publicKeyToken']" e0ba8f48cb722cea
jq_eq "d['files'][4]['cli']['strongNameSignature']['offset']" 864
# unsigned.dll: no key, no token, no slot
jq_eq "d['files'][5]['assembly']['publicKey']" null
jq_eq "d['files'][5]['assembly']['publicKeyToken']" null
jq_eq "d['files'][5]['assembly']['flags']" 0
jq_eq "d['files'][5]['cli']['flagNames']" "['ILONLY']"
jq_eq "d['files'][5]['cli']['strongNameSignature']['size']" 0
jq_eq "d['files'][5]['cli']['strongNameSignature']['offset']" null

# ------------------------------------------------- malformed samples
# Files the reader accepts: their defect is for verify to judge.
ins_reader_ok=" sig-size-mismatch.dll sig-rva-outside-sections.dll \
sig-straddles-section-end.dll sig-overlaps-cor-header.dll \
flag-signed-no-sig-dir.dll cor-flags-unknown-bit.dll \
fuzz-empty-section-offset-past-eof.dll "
for f in "$S"/malformed/*; do
	b=$(basename "$f")
	case $b in *.md) continue ;; esac
	case $ins_reader_ok in
	*" $b "*)
		run "$ASMGATE" inspect "$f"
		expect_rc 0; expect_err_lines 0
		continue ;;
	esac
	run "$ASMGATE" inspect "$f"
	case $b in
	fuzz-*)
		# a fuzzer find: no crash; an error, if any, is one line
		if [ "$rc" = 0 ]; then ok; else
			expect_rc 2; expect_err_lines 1
			expect_err "^$f: error: .+ \(offset 0x[0-9a-f]+\)\$"
		fi ;;
	*)
		expect_rc 2; expect_err_lines 1
		expect_err "^$f: error: .+ \(offset 0x[0-9a-f]+\)\$"
		# nothing on stdout in text mode
		n=$(wc -c <"$T/out")
		if [ "$n" -eq 0 ]; then ok; else bad "$b: stdout not empty"; fi ;;
	esac
done

# the error class and offset of some, from malformed/README.md
ins_m=$S/malformed
run "$ASMGATE" inspect "$ins_m/too-many-sections.dll"
expect_err 'too-many-sections\.dll: error: .*sections.* \(offset 0x86\)$'
run "$ASMGATE" inspect "$ins_m/not-dotnet.dll"
expect_err 'not-dotnet\.dll: error: .* \(offset 0x168\)$'
run "$ASMGATE" inspect "$ins_m/stream-count-huge.dll"
expect_err 'stream-count-huge\.dll: error: .* \(offset 0x46a\)$'
run "$ASMGATE" inspect "$ins_m/metadata-version-length-huge.dll"
expect_err ' \(offset 0x458\)$'
run "$ASMGATE" inspect "$ins_m/empty.dll"
expect_err '^.*empty\.dll: error: file is empty \(offset 0x0\)$'

# a missing file: one line, no offset
run "$ASMGATE" inspect "$T/no-such.dll"
expect_rc 2; expect_err_lines 1
expect_err "^$T/no-such\.dll: error: cannot open"
expect_no_out .

# ----------------------------------------- mixed good and bad files
run "$ASMGATE" inspect "$ins_contoso" "$ins_m/empty.dll" "$S/valid/hello.exe" \
    "$ins_m/not-pe.txt"
expect_rc 2; expect_err_lines 2
expect_out 'Contoso\.Orchestrations, Version=1\.2\.3\.4'
expect_out 'Hello, Version=1\.0\.0\.0, Culture=neutral, PublicKeyToken=5b4d8b284476375e'
expect_err 'empty\.dll: error: '
expect_err 'not-pe\.txt: error: '

# JSON: every file, in order; bad ones with an error object and code
run "$ASMGATE" inspect --format json "$ins_contoso" "$ins_m/empty.dll" \
    "$ins_m/truncated-pe-header.dll" "$ins_m/bad-mz.dll" \
    "$ins_m/not-dotnet.dll" "$S/module/helper.netmodule" \
    "$ins_m/bad-bsjb-signature.dll" "$ins_m/too-many-sections.dll" \
    "$S/valid/hello.exe" "$T/no-such.dll"
expect_rc 2; expect_err_lines 8; expect_json
jq_eq "len(d['files'])" 10
jq_eq "[f['path'].split('/')[-1] for f in d['files']]" \
    "['contoso-orchestrations.dll', 'empty.dll', 'truncated-pe-header.dll', 'bad-mz.dll', 'not-dotnet.dll', 'helper.netmodule', 'bad-bsjb-signature.dll', 'too-many-sections.dll', 'hello.exe', 'no-such.dll']"
jq_eq "[f['error'] and f['error']['code'] for f in d['files']]" \
    "[None, 'empty', 'truncated', 'not-pe', 'not-dotnet', 'no-assembly', 'malformed', 'limit', None, 'io']"
jq_eq "[f['error'] and f['error']['offset'] for f in d['files']]" \
    "[None, 0, 132, 0, 360, 736, 1100, 134, None, None]"
jq_eq "all(f['error']['message'] for f in d['files'] if f['error'])" true
jq_eq "[f['pe'] is None and f['assembly'] is None and f['references'] == [] for f in d['files']]" \
    "[False, True, True, True, True, True, True, True, False, True]"
jq_eq "d['files'][0]['assembly']['publicKeyToken']" e0ba8f48cb722cea
jq_eq "d['files'][8]['assembly']['publicKeyToken']" 5b4d8b284476375e

# Well-known assembly attributes decoded (ECMA-335 II.23.3); expected
# values from the samples' sources (samples/src/*.cs).
CASE=t_inspect_attributes
run "$ASMGATE" inspect "$S/valid/contoso-orchestrations.dll"
expect_rc 0
expect_out '^  attributes  AssemblyTitle\("Contoso.Orchestrations"\)$'
expect_out '^              AssemblyCompany\("Contoso Ltd."\)$'
expect_out '^              AssemblyFileVersion\("1.2.3.4"\)$'
expect_out '^              RuntimeCompatibility\(WrapNonExceptionThrows = true\)$'
run "$ASMGATE" inspect "$S/states/delay-signed.dll"
expect_out '^              AssemblyDelaySign\(true\)$'
run "$ASMGATE" inspect --format json "$S/states/delay-signed--enhanced.dll"
expect_rc 0
SK=$(sed -n '/AssemblySignatureKey(/{n;p;}' "$S/../samples/src/Fabrikam.Enhanced.cs" |
    tr -d ' ",\r')
CS=$(sed -n '/AssemblySignatureKey(/{n;n;p;}' "$S/../samples/src/Fabrikam.Enhanced.cs" |
    tr -d ' ",)];\r')
jq_eq "[a['decoded']['arguments'][0]['value'] for a in d['files'][0]['attributes'] if a['decoded'] and a['decoded']['name'] == 'AssemblySignatureKey'][0]" "$SK"
jq_eq "[a['decoded']['arguments'][1]['value'] for a in d['files'][0]['attributes'] if a['decoded'] and a['decoded']['name'] == 'AssemblySignatureKey'][0]" "$CS"
jq_eq "[a['decoded']['arguments'][1]['name'] for a in d['files'][0]['attributes'] if a['decoded'] and a['decoded']['name'] == 'AssemblySignatureKey'][0]" countersignature
jq_eq "[a['decoded'] for a in d['files'][0]['attributes'] if a['type'] == 'System.Reflection.AssemblyCompanyAttribute'][0]['arguments'][0]['value']" "Fabrikam, Inc."
# An attribute whose value does not follow its constructor: named, with
# the reason, and the file still inspected (exit 0).
B=$(ls "$S/../tests/fuzz/corpus/pe/0ad05c70d45c0e7d27220d956143136046bcd534")
run "$ASMGATE" inspect "$B"
expect_rc 0
expect_out 'System.Reflection.AssemblyTitleAttribute \(value not decoded: AssemblyTitle: the value does not follow the constructor'
run "$ASMGATE" inspect --format json "$B"
jq_eq "d['files'][0]['attributes'][0]['decoded']" null
jq_eq "'does not follow' in d['files'][0]['attributes'][0]['decodeError']" true
CASE=t_inspect
