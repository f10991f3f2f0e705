# verify --waivers FILE: the format, what a pattern matches, expiry
# against --today, notes on unused waivers, and malformed files (one
# line naming FILE:LINE, exit 2). The token and identity are the
# samples' own (samples/README.md: contoso 2048 / e0ba8f48cb722cea).
U="$S/states/unsigned.dll"
D="$S/states/delay-signed.dll"
W="$T/waivers"

# A waived failure passes and says why, with the waiver's place.
cat >"$W" <<'EOF'
# reviewed exceptions
unsigned.dll   legacy build, ticket OPS-12   expires=2030-06-30

EOF
run "$ASMGATE" verify --today 2030-06-30 --waivers "$W" "$U"
expect_rc 0
expect_out "^  waived \(.*waivers:2, expires 2030-06-30\): legacy build, ticket OPS-12$"
expect_out '1 unsigned; 1 waived$'
expect_err_lines 0
# The day after its expiry it is ignored, with a warning naming it.
run "$ASMGATE" verify --today 2030-07-01 --waivers "$W" "$U"
expect_rc 1
expect_err "waivers:2: warning: waiver 'unsigned.dll' expired on 2030-06-30: ignored"
expect_no_out 'waived'
# A waiver that matched nothing that failed: a note; the run passes.
run "$ASMGATE" verify --today 2030-01-01 --waivers "$W" "$S/valid/hello.exe"
expect_rc 0
expect_err "waivers:2: note: waiver 'unsigned.dll' waived nothing"
# Only the files it matches: another failure still fails the run.
run "$ASMGATE" verify --today 2030-01-01 --waivers "$W" "$U" "$D"
expect_rc 1
expect_out '; 1 waived$'
# --quiet still lists a waived file (it would fail without the waiver).
run "$ASMGATE" verify --quiet --today 2030-01-01 --waivers "$W" "$U"
expect_rc 0
expect_out 'unsigned.dll: unsigned'

# Patterns: a public key token, an identity (quoted, blanks after
# commas optional, case-insensitive), an assembly name, a path end.
for pat in 'token:E0BA8F48CB722CEA' \
    '"identity:Contoso.Orchestrations, Version=1.2.3.*, Culture=neutral, PublicKeyToken=e0ba8f48cb722cea"' \
    'identity:contoso.orchestrations,version=1.2.3.4,culture=neutral,publickeytoken=e0ba8f48cb722cea' \
    'identity:Contoso.Orch*' 'states/delay-*.dll' 'delay-signed.dll'; do
	CASE="t_waivers pattern $pat"
	printf '%s  reviewed\n' "$pat" >"$W"
	run "$ASMGATE" verify --waivers "$W" "$D"
	expect_rc 0
	expect_out '; 1 waived$'
done
CASE=t_waivers
for pat in 'token:0000000000000000' 'identity:Other' 'other/delay-signed.dll' \
    '"identity:Contoso.Orchestrations, Version=9.9.9.9, Culture=neutral, PublicKeyToken=e0ba8f48cb722cea"' \
    'elay-signed.dll'; do
	CASE="t_waivers no match $pat"
	printf '%s  reviewed\n' "$pat" >"$W"
	run "$ASMGATE" verify --waivers "$W" "$D"
	expect_rc 1
done
CASE=t_waivers

# Malformed waiver files: one line with FILE:LINE, exit 2, no run.
for bad in 'unsigned.dll|a waiver needs a reason' \
    'token:e0ba8f48 r|token: wants 16 hex digits' \
    'a.dll r expires=2030-02-30|expires= wants a date' \
    'a.dll r expires=tomorrow|expires= wants a date' \
    '"identity:A, Version=1 r|a quoted pattern without' \
    '"a"b r|a blank must follow the closing quote' \
    '"" r|an empty pattern'; do
	line=${bad%%|*}; msg=${bad#*|}
	CASE="t_waivers malformed $line"
	printf '# ok\n%s\n' "$line" >"$W"
	run "$ASMGATE" verify --waivers "$W" "$U"
	expect_rc 2
	expect_err "waivers:2: $msg"
	expect_err_lines 1
	expect_no_out 'unsigned'
done
CASE=t_waivers
printf 'a.dll \001 reason\n' >"$W"
run "$ASMGATE" verify --waivers "$W" "$U"
expect_rc 2
expect_err 'waivers:1: a control character'
run "$ASMGATE" verify --waivers "$T/no-such-file" "$U"
expect_rc 2
expect_err 'no-such-file'
run "$ASMGATE" verify --today 2030-1-1 --waivers "$W" "$U"
expect_rc 2
expect_err '--today wants a date'
run "$ASMGATE" verify --today 2030-01-01 "$U"
expect_rc 2
expect_err '--today needs --waivers'
