# Black-box tests: asmgate's Authenticode state of every sample in
# samples/authenticode/ equals the state in its expected.txt, which
# follows from how make.sh built each file (independent of asmgate;
# osslsigncode agrees where it is an oracle: samples/authenticode/
# README.md). Settings as expected.txt: anchor pki/ca.pem, CRL
# pki/crl.pem, time 2026-06-01T00:00:00Z (unix 1780272000).
AC=$S/authenticode
AC_OPTS="--ca-file $AC/pki/ca.pem --crl-file $AC/pki/crl.pem --at 1780272000"
ac_files=$(grep -v '^#' "$AC/expected.txt" | while read -r f st; do
	printf '%s ' "$AC/$f"; done)

# One run over all samples: every state as expected.
# shellcheck disable=SC2086
run "$ASMGATE" verify --format json --jobs 2 $AC_OPTS $ac_files
expect_json
i=0
while read -r f st; do
	case $f in '#'*|'') continue ;; esac
	jq_eq "[x['authenticode']['state'] for x in d['files'] if x['path'].endswith('/$f')][0]" "$st"
	i=$((i + 1))
done <"$AC/expected.txt"
[ "$i" -ge 21 ] && ok || bad "expected.txt lists $i samples, expected 21"

# Exit status without a policy: a present signature that is not valid
# fails the run (the assemblies are all strong-name signed, and those
# not tampered in a section stay so); absent Authenticode does not.
while read -r f st; do
	case $f in '#'*|'') continue ;; esac
	case $f in *.exe) continue ;; esac
	# shellcheck disable=SC2086
	run "$ASMGATE" verify $AC_OPTS "$AC/$f"
	case $st in
	valid|unsigned) expect_rc 0 ;;
	*) expect_rc 1 ;;
	esac
done <"$AC/expected.txt"

# --require-authenticode: unsigned fails too.
# shellcheck disable=SC2086
run "$ASMGATE" verify $AC_OPTS --require-authenticode "$AC/unsigned.dll"
expect_rc 1
# shellcheck disable=SC2086
run "$ASMGATE" verify $AC_OPTS --require-authenticode "$AC/sha256.dll"
expect_rc 0

# The signer and chain facts of sha256.dll, from openssl x509 on the
# committed PEMs (README.md there).
# shellcheck disable=SC2086
run "$ASMGATE" verify --format json $AC_OPTS "$AC/sha256.dll"
jq_eq "d['files'][0]['authenticode']['signatures'][0]['digestAlgorithm']" sha256
jq_eq "d['files'][0]['authenticode']['signatures'][0]['signer']['subject']" \
    "CN=Contoso Ltd,O=Contoso Ltd,C=US"
jq_eq "d['files'][0]['authenticode']['signatures'][0]['signer']['sha256'].upper()" \
    8F4681C88E13911274BDAF0E44559BB50F260732EE9B0FA09EDFBD67D3740252
jq_eq "d['files'][0]['authenticode']['signatures'][0]['signer']['serial'].upper().lstrip('0')" \
    4001
jq_eq "[c['sha256'].upper() for c in d['files'][0]['authenticode']['signatures'][0]['chain']][-1]" \
    864397AF305CBA9F21CE337B9362D532BC83D8AC04D9C958567A5E482B9943FF
# The timestamped sample: RFC 3161 at 2025-06-01T12:05:00Z.
# shellcheck disable=SC2086
run "$ASMGATE" verify --format json $AC_OPTS "$AC/sha256-ts.dll" \
    "$AC/nested.dll"
jq_eq "d['files'][0]['authenticode']['signatures'][0]['timestamp']['kind']" rfc3161
jq_eq "d['files'][0]['authenticode']['signatures'][0]['timestamp']['time'][:19]" \
    2025-06-01T12:05:00
jq_eq "[s['digestAlgorithm'] for s in d['files'][1]['authenticode']['signatures']]" \
    "['sha256', 'sha1']"
