# One run, several reports: --output FMT=FILE (repeatable) writes JSON,
# JUnit and SARIF files while text goes to the terminal; each file is
# the same document a --format run prints, replaced atomically.
P="$S/policy/biztalk.xml"
O1="$S/valid/contoso-orchestrations.dll" O2="$S/states/delay-signed.dll"
O3="$S/zip/mixed.zip"
echo old >"$T/r.xml"
run "$ASMGATE" verify --policy "$P" --output junit="$T/r.xml" \
    --output sarif="$T/r.sarif" --output json="$T/r.json" "$O1" "$O2" "$O3"
expect_rc 1
expect_out 'contoso-orchestrations\.dll: signed'
expect_out 'decisions: '
for f in junit:r.xml sarif:r.sarif json:r.json; do
	fmt=${f%%:*}; file=${f#*:}
	"$ASMGATE" verify --policy "$P" --format "$fmt" "$O1" "$O2" "$O3" >"$T/alone" 2>/dev/null
	if cmp -s "$T/alone" "$T/$file"; then ok; else
		bad "--output $fmt differs from --format $fmt"; fi
done
ls -a "$T" | grep -q '^\.asmgate-' && bad "a temporary file was left" || ok

# No policy, exit 0: the files are written too.
run "$ASMGATE" verify --output json="$T/ok.json" "$S/valid/hello.exe"
expect_rc 0
if [ -s "$T/ok.json" ]; then ok; else bad "ok.json not written"; fi
expect_out 'hello\.exe: signed'

# Usage errors write nothing; a folder that does not exist is one error.
rm -f "$T/none.json"
run "$ASMGATE" verify --output json="$T/none.json" --output \
    sarif="$T/none.json" "$S/valid/hello.exe"
expect_rc 2
expect_err 'names one file twice'
if [ -e "$T/none.json" ]; then bad "a refused run wrote a file"; else ok; fi
run "$ASMGATE" verify --output text="$T/t.txt" "$S/valid/hello.exe"
expect_rc 2
expect_err 'text goes to the standard output'
run "$ASMGATE" verify --output junit "$S/valid/hello.exe"
expect_rc 2
expect_err 'FMT=FILE'
run "$ASMGATE" verify --output json="$T/no/such/dir/r.json" "$S/valid/hello.exe"
expect_rc 2
expect_err 'r\.json: error: '
