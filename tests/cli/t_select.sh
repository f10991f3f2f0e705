# Black-box tests of what `asmgate verify` looks at and prints:
# --files-from (--null), --exclude, --quiet, the progress line.

# A list of paths, one a line: empty lines ignored, CRLF accepted, after
# the command line's paths.
printf '%s\r\n\n%s\n' "$S/states/unsigned.dll" "$S/valid/hello.exe" \
    >"$T/list.txt"
run "$ASMGATE" verify --files-from "$T/list.txt"
expect_rc 1
expect_out "^$S/states/unsigned.dll: unsigned"
expect_out "^$S/valid/hello.exe: signed"
expect_out '^2 assemblies: 1 signed, 1 unsigned$'
run "$ASMGATE" verify "$S/valid/fabrikam-adapters.dll" \
    --files-from "$T/list.txt"
expect_rc 1
if [ "$(head -1 "$T/out" | cut -d: -f1)" = "$S/valid/fabrikam-adapters.dll" ]
then ok; else bad "command-line paths do not come first"; fi
if [ "$(sed -n 3p "$T/out" | cut -d: -f1)" = "$S/valid/hello.exe" ]
then ok; else bad "list paths not in their order"; fi

# NUL-separated, and from the standard input.
printf '%s\0%s\0' "$S/valid/hello.exe" "$S/valid/signed-2048.dll" \
    >"$T/list0"
run "$ASMGATE" verify --null --files-from "$T/list0"
expect_rc 0
expect_out '^2 assemblies: 2 signed$'
"$ASMGATE" verify --files-from - <"$T/list.txt" >"$T/out" 2>"$T/err"
rc=$?
expect_rc 1
expect_out '^2 assemblies: 1 signed, 1 unsigned$'
"$ASMGATE" verify --null --files-from - <"$T/list0" >"$T/out" 2>"$T/err"
rc=$?
expect_rc 0
expect_out '^2 assemblies: 2 signed$'

# A list longer than a command line may be.
: >"$T/long.txt"
i=0
while [ $i -lt 3000 ]; do
	echo "$S/valid/hello.exe" >>"$T/long.txt"; i=$((i + 1))
done
run "$ASMGATE" verify --jobs 2 --files-from "$T/long.txt"
expect_rc 0
expect_out '^3000 assemblies: 3000 signed$'

# Paths in a list are paths like any other: a missing one is an error.
printf '%s\n%s\n' "$S/valid/hello.exe" "$T/no-such.dll" >"$T/miss.txt"
run "$ASMGATE" verify --files-from "$T/miss.txt"
expect_rc 2
expect_err "no-such.dll: error: "

# A list that cannot be read: one line, exit 2; no path at all: usage.
run "$ASMGATE" verify --files-from "$T/no-such-list"
expect_rc 2
expect_err_lines 1
expect_err 'no-such-list: error: cannot open'
: >"$T/empty.txt"
run "$ASMGATE" verify --files-from "$T/empty.txt"
expect_rc 2
expect_err 'no PATH given'
run "$ASMGATE" verify --null "$S/valid/hello.exe"
expect_rc 2
# A path longer than a list allows: one line, exit 2.
printf '%05000d\n' 0 >"$T/longpath.txt"
run "$ASMGATE" verify --files-from "$T/longpath.txt"
expect_rc 2
expect_err_lines 1
expect_err 'longpath.txt: error: line 1: a path longer than 4096 bytes'

# --exclude in a walk: relative path or name; counted in the summary.
run "$ASMGATE" verify --exclude 'signed-*.dll' --exclude hello.exe \
    "$S/valid"
expect_rc 0
expect_no_out 'signed-2048'
expect_no_out 'hello.exe'
expect_out 'contoso-orchestrations.dll: signed'
expect_out '^4 assemblies: 4 signed; 3 excluded$'
mkdir -p "$T/ex/sub/deep"
cp "$S/valid/hello.exe" "$T/ex/sub/deep/"
cp "$S/valid/fabrikam-adapters.dll" "$T/ex/"
run "$ASMGATE" verify --exclude 'sub' "$T/ex"
expect_rc 0
expect_out '^1 assembly: 1 signed; 1 excluded$'
run "$ASMGATE" verify --exclude 'sub/*' "$T/ex"
expect_out '^1 assembly: 1 signed; 1 excluded$'

# --exclude on container members (the member name or its last part).
run "$ASMGATE" verify --exclude 'bin/*.dll' "$S/zip/app.zip"
expect_rc 0
expect_out 'app.zip!bin/hello.exe: signed'
expect_no_out 'Fabrikam'
expect_out '^1 assembly: 1 signed; 2 excluded; 1 container, 2 members examined'
run "$ASMGATE" verify --exclude readme.txt "$S/zip/app.zip"
expect_out '; 1 excluded; 1 container, 3 members examined \(0 not'

# JSON summary: excluded.
run "$ASMGATE" verify --format json --exclude '*.dll' "$S/zip/app.zip"
expect_rc 0
expect_json
jq_eq 'd["summary"]["excluded"]' 2
jq_eq 'len(d["files"])' 1
run "$ASMGATE" verify --format json "$S/valid/hello.exe"
jq_eq 'd["summary"]["excluded"]' 0

# A path named on the command line is never excluded.
run "$ASMGATE" verify --exclude '*' --exclude 'hello.exe' \
    "$S/valid/hello.exe"
expect_rc 0
expect_out 'hello.exe: signed'
expect_out '^1 assembly: 1 signed$'
echo "$S/valid/hello.exe" >"$T/one.txt"
run "$ASMGATE" verify --exclude '*' --files-from "$T/one.txt"
expect_rc 0
expect_out '^1 assembly: 1 signed$'

# --quiet: only what fails the run, then the summary.
run "$ASMGATE" verify --quiet "$S/states/unsigned.dll" "$S/valid/hello.exe" \
    "$S/module/helper.netmodule"
expect_rc 1
expect_out "^$S/states/unsigned.dll: unsigned"
expect_no_out 'hello.exe'
expect_no_out 'helper.netmodule'
expect_out '^2 assemblies: 1 signed, 1 unsigned; 1 skipped'
run "$ASMGATE" verify -q "$S/valid"
expect_rc 0
if [ "$(wc -l <"$T/out")" -eq 1 ]; then ok; else bad "--quiet printed more than the summary"; fi
# Errors stay on standard error.
run "$ASMGATE" verify --quiet "$S/valid/hello.exe" "$T/no-such.dll"
expect_rc 2
expect_err 'no-such.dll: error'
expect_no_out 'no-such'
# JSON is unaffected.
run "$ASMGATE" verify --quiet --format json "$S/valid/hello.exe"
expect_json
jq_eq 'len(d["files"])' 1

# No progress line when standard error is not a terminal.
run "$ASMGATE" verify --jobs 2 --files-from "$T/long.txt"
expect_rc 0
expect_err_lines 0
if grep -q 'done, current' "$T/err"; then bad "progress line in a file"; else ok; fi

# inspect shares --files-from and --exclude.
echo "$S/valid/hello.exe" | "$ASMGATE" inspect --files-from - >"$T/out" \
    2>"$T/err"
rc=$?
expect_rc 0
expect_out 'Hello, Version=1.0.0.0'
run "$ASMGATE" inspect --format json --exclude 'bin/*.dll' "$S/zip/app.zip"
expect_rc 0
jq_eq 'len(d["files"])' 1
run "$ASMGATE" inspect --null "$S/valid/hello.exe"
expect_rc 2
