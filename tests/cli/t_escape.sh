# t_escape.sh - untrusted strings in the command's output: paths (named
# or found by a walk), names and messages are written escaped (control
# characters and invalid UTF-8 as \xNN), so a crafted file name cannot add
# lines or send terminal escapes. Sourced by tests/cli/run.sh.
# A name with a newline and ESC [2J (clear screen), and how it must show:
esc_raw=$(printf 'a\nb\033[2J')
esc_shown='a\\x0ab\\x1b\[2J'
mkdir -p "$T/esc"
# esc_none: no raw ESC reached stdout or stderr.
esc_none() {
	if grep -q "$(printf '\033')" "$T/out" "$T/err"; then
		bad "raw ESC in the output"; else ok; fi
}

# verify: a walk's error messages (a dangling link found in a directory).
mkdir -p "$T/esc/tree"
cp "$S/valid/hello.exe" "$T/esc/tree/"
ln -s "$T/esc/nowhere" "$T/esc/tree/$esc_raw.dll"
run "$ASMGATE" verify "$T/esc/tree"
expect_rc 2
expect_err_lines 1
expect_err "/tree/$esc_shown\\.dll: error: "
rm -rf "$T/esc/tree"

# verify: a --host that is not in the policy, a bad --key-map, a usage
# error quoting an argument: one line each, escaped.
run "$ASMGATE" verify --policy "$S/policy/biztalk.xml" --host "$esc_raw" \
    "$S/valid"
expect_rc 2
expect_err_lines 1
expect_err "no host '$esc_shown' in the policy"
run "$ASMGATE" verify --key-map "$esc_raw" "$S/valid"
expect_rc 2
expect_err_lines 2
expect_err "not '$esc_shown'"
run "$ASMGATE" verify --jobs "$esc_raw" "$S/valid"
expect_rc 2
expect_err_lines 2
run "$ASMGATE" "$esc_raw"
expect_rc 2
expect_err "unknown command '$esc_shown'"
esc_none

# sign: the output path in the result line.
cp "$S/states/delay-signed.dll" "$T/esc/d.dll"
run "$ASMGATE" sign --key "$S/keys/contoso.snk" -o "$T/esc/$esc_raw.dll" \
    "$T/esc/d.dll"
expect_rc 0
if [ "$(wc -l <"$T/out")" -eq 1 ]; then ok; else bad "sign: stdout not 1 line"; fi
expect_out "/esc/$esc_shown\\.dll: signed"

# keys: token and show name the file; extract, convert and generate
# errors and results name it too.
cp "$S/keys/test1024.pub" "$T/esc/$esc_raw.pub"
cp "$S/states/unsigned.dll" "$T/esc/$esc_raw.dll"
run "$ASMGATE" keys token "$T/esc/$esc_raw.pub" "$S/keys/test2048.pub"
expect_rc 0
if [ "$(wc -l <"$T/out")" -eq 2 ]; then ok; else bad "keys token: stdout not 2 lines"; fi
expect_out "^[0-9a-f]{16}  .*/esc/$esc_shown\\.pub$"
run "$ASMGATE" keys show "$T/esc/$esc_raw.pub"
expect_rc 0
expect_out "^file: +.*/esc/$esc_shown\\.pub$"
esc_none
run "$ASMGATE" keys extract "$T/esc/$esc_raw.dll" -o "$T/esc/x.pub"
expect_rc 2
expect_err_lines 1
expect_err "/esc/$esc_shown\\.dll: error: the assembly has no public key"
run "$ASMGATE" keys convert "$T/esc/$esc_raw.pub" --to snk -o "$T/esc/x.snk"
expect_rc 2
expect_err_lines 1
expect_err "/esc/$esc_shown\\.pub: error: no private key"
run "$ASMGATE" keys convert "$T/esc/$esc_raw.pub" --to pem --private \
    -o "$T/esc/x.pem"
expect_rc 2
expect_err_lines 1
expect_err "/esc/$esc_shown\\.pub: error: --private"
run "$ASMGATE" keys generate --bits 512 -o "$T/esc/$esc_raw.snk"
expect_rc 0
if [ "$(wc -l <"$T/out")" -eq 1 ]; then ok; else bad "generate: stdout not 1 line"; fi
expect_out "/esc/$esc_shown\\.snk: 512-bit key pair"
run "$ASMGATE" keys generate --bits 512 -o "$T/esc/$esc_raw/k.snk"
expect_rc 2
expect_err_lines 1
expect_err "/esc/$esc_shown/k\\.snk: error: cannot create a temporary file"
run "$ASMGATE" keys generate --bits "$esc_raw" -o "$T/esc/k.snk"
expect_rc 2
expect_err_lines 2
expect_err "bad --bits '$esc_shown'"

# policy lint: the file name on every line.
sed "s|file=\"|file=\"$S/policy/|g" "$S/policy/biztalk.xml" \
    >"$T/esc/$esc_raw.xml"
run "$ASMGATE" policy lint "$T/esc/$esc_raw.xml"
expect_rc 0
expect_out "/esc/$esc_shown\\.xml:22: warning: key 'fabrikam' has 1024 bits"
expect_out "/esc/$esc_shown\\.xml: valid: "
esc_none
