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

# C1 controls (U+009B, CSI on some terminals, as c2 9b) and bidirectional
# overrides and isolates (U+202E, U+2066) are valid UTF-8 but change how
# a terminal shows text: in paths, assembly names, policy globs and
# reasons they are shown as \u{XXXX} in text, \uXXXX in JSON and
# character references in XML (issue 14).
bidi_raw=$(printf 'x\342\200\256gpj\302\233y\342\201\246')
bidi_shown='x\\u\{202E\}gpj\\u\{009B\}y\\u\{2066\}'
# bidi_none: none of the three raw sequences reached stdout or stderr.
bidi_none() {
	if grep -q "$(printf '\342\200\256')\|$(printf '\302\233')\|$(printf '\342\201\246')" \
	    "$T/out" "$T/err"; then bad "raw C1/bidi control in the output"
	else ok; fi
}
mkdir -p "$T/bidi"
cp "$S/valid/hello.exe" "$T/bidi/$bidi_raw.exe"
run "$ASMGATE" verify "$T/bidi/$bidi_raw.exe"
expect_rc 0
expect_out "/bidi/$bidi_shown\\.exe: signed"
bidi_none
run "$ASMGATE" inspect "$T/bidi/$bidi_raw.exe"
expect_out "/bidi/$bidi_shown\\.exe$"
bidi_none
run "$ASMGATE" inspect --format json "$T/bidi/$bidi_raw.exe"
expect_json
jq_eq 'd["files"][0]["path"].endswith("x\u202egpj\u009by\u2066.exe")' true
expect_out 'x\\u202egpj\\u009by\\u2066\.exe'
bidi_none
run "$ASMGATE" verify --format junit "$T/bidi/$bidi_raw.exe"
expect_out 'x&#x202E;gpj&#x9B;y&#x2066;\.exe'
bidi_none
# An assembly named with U+202E (its #Strings entry rewritten in place,
# the same length): the name, in the identity and in a reason.
if [ -n "$PYTHON" ]; then
	"$PYTHON" - "$S/valid/contoso-orchestrations.dll" "$T/bidi/rlo.dll" <<'EOF'
import sys
d = open(sys.argv[1], "rb").read()
d = d.replace(b"Contoso.Orchestrations", b"Contoso\xe2\x80\xaeOrchestratio")
open(sys.argv[2], "wb").write(d)
EOF
	# signed again, so the state is signed and the name decides
	run "$ASMGATE" sign --key "$S/keys/contoso.snk" "$T/bidi/rlo.dll"
	expect_rc 0
	expect_out 'rlo\.dll: signed'
	run "$ASMGATE" inspect "$T/bidi/rlo.dll"
	expect_out 'assembly    Contoso\\u\{202E\}Orchestratio, Version=1\.2\.3\.4'
	bidi_none
	cat >"$T/bidi/p.xml" <<EOF
<policy xmlns="urn:asmgate:policy:1">
  <host name="H"><allow id="a" name="Nope$bidi_raw*"/></host>
</policy>
EOF
	run "$ASMGATE" verify --policy "$T/bidi/p.xml" "$T/bidi/rlo.dll"
	expect_rc 1
	# (the reason shows the assembly's bytes as '?', the glob escaped)
	expect_out "name 'Contoso\\?\\?\\?Orchestratio' does not match 'Nope$bidi_shown\\*'"
	bidi_none
else
	skip_json 8
fi
# policy show (text) quotes the glob.
cat >"$T/bidi/g.xml" <<EOF
<policy xmlns="urn:asmgate:policy:1">
  <host name="H"><deny id="d" name="Cont$bidi_raw*"/></host>
</policy>
EOF
run "$ASMGATE" policy show "$T/bidi/g.xml"
expect_rc 0
expect_out "name 'Cont$bidi_shown\\*'"
bidi_none
