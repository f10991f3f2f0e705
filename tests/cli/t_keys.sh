# t_keys.sh - asmgate keys: token, show, extract, convert, generate.
# Sourced by tests/cli/run.sh ($ASMGATE, $S samples, $T scratch).
# Expected tokens are Mono's `sn -t` (samples/keys/README.md); expected
# blobs are `sn -p`/`sn -e` output and openssl-made PEM/DER files
# (samples/keys/make-key-samples.py).

K=$S/keys

# mode_of FILE: the permission string of ls -l ("-rw-------")
mode_of() { ls -l "$1" | cut -c1-10; }
# same FILE1 FILE2: byte-equal
same() {
	if cmp -s "$1" "$2"; then ok; else bad "$1 differs from $2"; fi
}

# ------------------------------------------------------------- usage
run "$ASMGATE" keys --help
expect_rc 0; expect_out 'token'; expect_out 'generate'
run "$ASMGATE" keys
expect_rc 2
run "$ASMGATE" keys frobnicate
expect_rc 2; expect_err 'unknown command'
for sub in token show extract convert generate; do
	run "$ASMGATE" keys "$sub" --help
	expect_rc 0; expect_out "usage: asmgate keys $sub"
done
run "$ASMGATE" keys token
expect_rc 2; expect_err 'no FILE'
run "$ASMGATE" keys show --bogus "$K/test1024.pub"
expect_rc 2

# ------------------------------------------------------------- token
# Every format of each test key gives sn -t's token.
for spec in test1024:5b4d8b284476375e test2048:77906b6731e6e44e \
    test4096:3ba7e1f7c519d82f; do
	name=${spec%%:*}; tok=${spec#*:}
	for ext in snk pub pkcs1.pem pkcs1.der pkcs8.pem pkcs8.der spki.pem \
	    spki.der rsapub.pem hex capi; do
		run "$ASMGATE" keys token "$K/$name.$ext"
		expect_rc 0; expect_out "^$tok\$"
	done
done
run "$ASMGATE" keys token "$K/contoso.snk" "$K/fabrikam.pub"
expect_rc 0
expect_out "^e0ba8f48cb722cea  $K/contoso.snk\$"
expect_out "^92cdd74130f40b2c  $K/fabrikam.pub\$"
# assemblies: their public key
run "$ASMGATE" keys token "$S/valid/signed-4096.dll"
expect_rc 0; expect_out '^3ba7e1f7c519d82f$'
run "$ASMGATE" keys token "$K/ecma.pub" "$K/microsoft.pub" "$K/mono.pub"
expect_rc 0
expect_out '^b77a5c561934e089  '; expect_out '^b03f5f7f11d50a3a  '
expect_out '^0738eb9f132ed756  '
# one bad file among good ones: exit 2, the good ones still printed
run "$ASMGATE" keys token "$K/test1024.pub" "$S/states/unsigned.dll"
expect_rc 2; expect_out '^5b4d8b284476375e  '
expect_err "unsigned.dll: error: .*no public key"; expect_err_lines 1

# ------------------------------------------------------ bad key files
# One line naming the file and the defect, exit 2.
for f in "$K"/bad/*; do
	CASE="t_keys bad/$(basename "$f")"
	run "$ASMGATE" keys token "$f"
	expect_rc 2; expect_err_lines 1; expect_err "^$f: error: "
	expect_no_out '.'
	run "$ASMGATE" keys show --format json "$f"
	expect_rc 2; expect_json; jq_eq 'd["keys"][0]["error"] is not None' true
done
CASE=t_keys
run "$ASMGATE" keys token "$K/bad/snk-bitlen-not-multiple-of-16.snk"
expect_err 'multiple of 16'
run "$ASMGATE" keys token "$K/bad/snk-inconsistent-crt.snk"
expect_err 'inconsistent private key'
run "$ASMGATE" keys token "$K/bad/pub-sigalg-keyx.pub"
expect_err 'SigAlgID 0xa400 .*\(offset 0x0\)'
run "$ASMGATE" keys token "$T/does-not-exist.snk"
expect_rc 2; expect_err_lines 1; expect_err 'does-not-exist.snk: error: '

# -------------------------------------------------------------- show
run "$ASMGATE" keys show "$K/test2048.snk"
expect_rc 0
expect_out '^kind: +private$'; expect_out '^format: +snk$'
expect_out '^bits: +2048$'; expect_out '^exponent: +65537$'
expect_out '^hash: +sha1 '; expect_out '^token: +77906b6731e6e44e$'
expect_out '^fingerprint: +[0-9a-f]{64}$'; expect_out '^well-known: +-$'
expect_out "^public key: +$(od -An -tx1 -v "$K/test2048.pub" | tr -d ' \n')\$"
run "$ASMGATE" keys show --format json "$K/test1024.pkcs8.pem" \
    "$K/microsoft.pub" "$K/ecma.pub" "$S/valid/contoso-x64.dll"
expect_rc 0; expect_json
jq_eq 'd["asmgate"] != ""' true
jq_eq 'len(d["keys"])' 4
jq_eq 'd["keys"][0]["kind"]' private
jq_eq 'd["keys"][0]["format"]' pem
jq_eq 'd["keys"][0]["bits"]' 1024
jq_eq 'd["keys"][0]["exponent"]' 65537
jq_eq 'd["keys"][0]["hashAlgorithm"]' sha1
jq_eq 'd["keys"][0]["publicKeyToken"]' 5b4d8b284476375e
jq_eq 'd["keys"][0]["publicKey"]' "$(od -An -tx1 -v "$K/test1024.pub" | tr -d ' \n')"
jq_eq 'len(d["keys"][0]["fingerprint"])' 64
jq_eq 'd["keys"][0]["error"]' null
jq_eq 'd["keys"][0]["wellKnown"]' null
jq_eq 'd["keys"][1]["wellKnown"]' Microsoft
jq_eq 'd["keys"][1]["kind"]' public
jq_eq 'd["keys"][2]["wellKnown"]' ECMA
jq_eq 'd["keys"][2]["format"]' ecma
jq_eq 'd["keys"][2]["bits"]' null
jq_eq 'd["keys"][2]["publicKey"]' 00000000000000000400000000000000
jq_eq 'd["keys"][3]["format"]' assembly
jq_eq 'd["keys"][3]["publicKeyToken"]' e0ba8f48cb722cea
# the fingerprint is SHA-256 of the blob
if command -v sha256sum >/dev/null 2>&1; then
	jq_eq 'd["keys"][1]["fingerprint"]' \
	    "$(sha256sum "$K/microsoft.pub" | cut -d' ' -f1)"
fi

# ----------------------------------------------------------- extract
run "$ASMGATE" keys extract "$S/valid/signed-2048.dll" -o "$T/e.pub"
expect_rc 0; same "$T/e.pub" "$K/test2048.pub"
run "$ASMGATE" keys extract "$S/valid/hello.exe" -o "$T/e1.pub"
expect_rc 0; same "$T/e1.pub" "$K/test1024.pub"
run "$ASMGATE" keys extract "$S/states/unsigned.dll" -o "$T/u.pub"
expect_rc 2; expect_err_lines 1; expect_err 'no public key'
if [ -e "$T/u.pub" ]; then bad "extract wrote output for no key"; else ok; fi
run "$ASMGATE" keys extract "$S/valid/signed-2048.dll"
expect_rc 2; expect_err 'no -o'
run "$ASMGATE" keys extract "$S/malformed/bad-mz.dll" -o "$T/m.pub"
expect_rc 2; expect_err_lines 1

# ----------------------------------------------------------- convert
run sh -c 'umask 022; exec "$0" "$@"' "$ASMGATE" keys convert \
    "$K/test1024.snk" --to pub -o "$T/c.pub"
expect_rc 0; same "$T/c.pub" "$K/test1024.pub"
if [ "$(mode_of "$T/c.pub")" = "-rw-r--r--" ]; then ok; else bad "pub mode $(mode_of "$T/c.pub")"; fi
run "$ASMGATE" keys convert "$K/test1024.snk" --to pem -o "$T/c.pem"
expect_rc 0; same "$T/c.pem" "$K/test1024.spki.pem"
run "$ASMGATE" keys convert "$K/test1024.snk" --to pem --private -o "$T/cp.pem"
expect_rc 0; same "$T/cp.pem" "$K/test1024.pkcs8.pem"
if [ "$(mode_of "$T/cp.pem")" = "-rw-------" ]; then ok; else bad "private pem mode $(mode_of "$T/cp.pem")"; fi
run "$ASMGATE" keys convert "$K/test2048.pkcs1.pem" --to der --private -o "$T/c.der"
expect_rc 0; same "$T/c.der" "$K/test2048.pkcs8.der"
run "$ASMGATE" keys convert "$K/test2048.pub" --to der -o "$T/c2.der"
expect_rc 0; same "$T/c2.der" "$K/test2048.spki.der"
run "$ASMGATE" keys convert "$K/test4096.pkcs8.der" --to snk -o "$T/c.snk"
expect_rc 0; same "$T/c.snk" "$K/test4096.snk"
if [ "$(mode_of "$T/c.snk")" = "-rw-------" ]; then ok; else bad "snk mode $(mode_of "$T/c.snk")"; fi
run "$ASMGATE" keys convert "$K/test1024.hex" --to capi -o "$T/c.capi"
expect_rc 0; same "$T/c.capi" "$K/test1024.capi"
run "$ASMGATE" keys convert "$K/test1024.capi" --to hex -o -
expect_rc 0
expect_out "^$(od -An -tx1 -v "$K/test1024.pub" | tr -d ' \n')\$"
run "$ASMGATE" keys convert "$S/valid/fabrikam-adapters.dll" --to pub -o "$T/f.pub"
expect_rc 0; same "$T/f.pub" "$K/fabrikam.pub"
# refusals
run "$ASMGATE" keys convert "$K/test1024.pub" --to snk -o "$T/x.snk"
expect_rc 2; expect_err_lines 1; expect_err 'no private key'
if [ -e "$T/x.snk" ]; then bad "wrote a .snk from a public key"; else ok; fi
run "$ASMGATE" keys convert "$K/test1024.pub" --to pem --private -o "$T/x.pem"
expect_rc 2; expect_err 'public key only'
run "$ASMGATE" keys convert "$K/test1024.snk" --to hex --private -o "$T/x.hex"
expect_rc 2; expect_err 'pem and der only'
run "$ASMGATE" keys convert "$K/test1024.snk" --to xml -o "$T/x.xml"
expect_rc 2; expect_err "unknown --to"
run "$ASMGATE" keys convert "$K/test1024.snk" --to pub
expect_rc 2; expect_err 'no -o'
run "$ASMGATE" keys convert "$K/ecma.pub" --to pem -o "$T/x.pem"
expect_rc 2; expect_err_lines 1; expect_err 'ECMA'
# output into a missing directory: an error line, no stray temp files
run "$ASMGATE" keys convert "$K/test1024.snk" --to pub -o "$T/nodir/x.pub"
expect_rc 2; expect_err_lines 1; expect_err 'nodir/x.pub: error: '
# an existing output is refused without --force, replaced whole with it;
# no temporary file is left
printf 'old' >"$T/r.pub"
cp "$T/r.pub" "$T/r.old"
run "$ASMGATE" keys convert "$K/test2048.snk" --to pub -o "$T/r.pub"
expect_rc 2; expect_err_lines 1
expect_err "^asmgate keys convert: $T/r.pub exists \(use --force to replace it\)\$"
same "$T/r.pub" "$T/r.old"
run "$ASMGATE" keys convert "$K/test2048.snk" --to pub --force -o "$T/r.pub"
expect_rc 0; same "$T/r.pub" "$K/test2048.pub"
if ls -a "$T" | grep -q '^\.asmgate'; then bad "temporary file left"; else ok; fi
# a dangling symbolic link is there too
ln -s "$T/nowhere" "$T/dangling.pub"
run "$ASMGATE" keys convert "$K/test2048.snk" --to pub -o "$T/dangling.pub"
expect_rc 2; expect_err 'exists \(use --force'
if [ -L "$T/dangling.pub" ] && [ ! -e "$T/nowhere" ]; then ok; else
	bad "dangling link replaced or followed"; fi
# extract: the same
run "$ASMGATE" keys extract "$S/valid/hello.exe" -o "$T/r.old"
expect_rc 2; expect_err_lines 1
expect_err "^asmgate keys extract: $T/r.old exists \(use --force to replace it\)\$"
if [ "$(cat "$T/r.old")" = old ]; then ok; else bad "extract replaced r.old"; fi
run "$ASMGATE" keys extract "$S/valid/hello.exe" --force -o "$T/r.old"
expect_rc 0; same "$T/r.old" "$K/test1024.pub"

# ---------------------------------------------------------- generate
run "$ASMGATE" keys generate --bits 1024 -o "$T/g.snk" --pub "$T/g.pub"
expect_rc 0; expect_out '1024-bit key pair, public key token [0-9a-f]{16} \(sha1\)'
gtok=$(sed -n 's/.*token \([0-9a-f]*\).*/\1/p' "$T/out")
if [ "$(mode_of "$T/g.snk")" = "-rw-------" ]; then ok; else bad "generated snk mode $(mode_of "$T/g.snk")"; fi
run "$ASMGATE" keys token "$T/g.snk"
expect_rc 0; expect_out "^$gtok\$"
run "$ASMGATE" keys show --format json "$T/g.snk"
expect_rc 0; jq_eq 'd["keys"][0]["bits"]' 1024
jq_eq 'd["keys"][0]["kind"]' private
run "$ASMGATE" keys convert "$T/g.snk" --to pub -o "$T/g2.pub"
same "$T/g2.pub" "$T/g.pub"
run "$ASMGATE" keys generate --bits 1024 --hash sha256 -o "$T/h.snk" --pub "$T/h.pub"
expect_rc 0; expect_out '\(sha256\)'
htok=$(sed -n 's/.*token \([0-9a-f]*\).*/\1/p' "$T/out")
run "$ASMGATE" keys show --format json "$T/h.pub"
jq_eq 'd["keys"][0]["hashAlgorithm"]' sha256
jq_eq 'd["keys"][0]["publicKeyToken"]' "$htok"
run "$ASMGATE" keys generate --bits 1000 -o "$T/bad.snk"
expect_rc 2; expect_err 'multiple of 16'
# --bits is digits only, range-checked before it is narrowed: 2^32 + 1024
# is not 1024, a sign or a space is not a number.
for n in 4294968320 18446744073709552640 -1024 +1024 ' 1024' 1024x ''; do
	run "$ASMGATE" keys generate --bits "$n" -o "$T/bad.snk"
	expect_rc 2; expect_err 'bad --bits'
done
run "$ASMGATE" keys generate --bits 1024 --hash md5 -o "$T/bad.snk"
expect_rc 2; expect_err 'unknown --hash'
run "$ASMGATE" keys generate --bits 1024
expect_rc 2; expect_err 'no -o'
if [ -e "$T/bad.snk" ]; then bad "generate wrote a key on a usage error"; else ok; fi
# an existing key (or --pub file) is refused without --force, before any
# key is made: neither file changes
cp "$T/g.snk" "$T/g.snk.orig"; cp "$T/g.pub" "$T/g.pub.orig"
run "$ASMGATE" keys generate --bits 1024 -o "$T/g.snk"
expect_rc 2; expect_err_lines 1
expect_err "^asmgate keys generate: $T/g.snk exists \(use --force to replace it\)\$"
same "$T/g.snk" "$T/g.snk.orig"
run "$ASMGATE" keys generate --bits 1024 -o "$T/g3.snk" --pub "$T/g.pub"
expect_rc 2; expect_err_lines 1
expect_err "^asmgate keys generate: $T/g.pub exists \(use --force to replace it\)\$"
same "$T/g.pub" "$T/g.pub.orig"
if [ -e "$T/g3.snk" ]; then bad "generate wrote a key beside an existing --pub"; else ok; fi
run "$ASMGATE" keys generate --bits 1024 --force -o "$T/g.snk" --pub "$T/g.pub"
expect_rc 0
if cmp -s "$T/g.snk" "$T/g.snk.orig"; then bad "--force left the old key"; else ok; fi
if [ "$(mode_of "$T/g.snk")" = "-rw-------" ]; then ok; else bad "replaced snk mode $(mode_of "$T/g.snk")"; fi
run "$ASMGATE" keys convert "$T/g.snk" --to pub -o "$T/g4.pub"
same "$T/g4.pub" "$T/g.pub"
