#!/bin/sh
# samples/authenticode/make.sh: the test PKI and the Authenticode-signed
# samples, made offline with OpenSSL and osslsigncode (2.7 or later: the
# built-in RFC 3161 TSA, -TSA-certs/-TSA-key/-TSA-time).
#
#   sh samples/authenticode/make.sh             remake certificates, CRL
#                                               and samples from the
#                                               committed keys
#   sh samples/authenticode/make.sh --new-keys  new RSA keys first (then
#                                               every file changes)
#
# Everything but the keys is remade byte for byte: fixed validity dates
# (openssl ca -startdate/-enddate), fixed serials, a CRL with fixed
# lastUpdate/nextUpdate and revocation date, fixed signing and timestamp
# times (osslsigncode -time, -TSA-time), RSA PKCS#1 v1.5 signatures
# (deterministic). The keys are TEST-ONLY: never trust pki/root.pem.
# The expected state of each sample is in expected.txt (see README.md);
# it follows from how the sample is made here, not from asmgate.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
for t in openssl osslsigncode python3; do
	if ! command -v "$t" >/dev/null 2>&1; then
		echo "make.sh: $t not installed; committed samples left as they are"
		exit 0
	fi
done

new_keys=0
[ "${1:-}" = "--new-keys" ] && new_keys=1

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir -p pki

# Times (UTC). Verification time for tests: 2026-06-01T00:00:00Z.
T_SIGN=1748779200       # 2025-06-01T12:00:00Z: signingTime of valid samples
T_TSA=1748779500        # 2025-06-01T12:05:00Z: their timestamps
T_OLD=1591012800        # 2020-06-01T12:00:00Z: signing of the expired leaf

cat >"$tmp/ca.cnf" <<'CNF'
[ ca ]
default_ca = ca_any
[ ca_any ]
dir = $ENV::CADIR
database = $dir/index.txt
serial = $dir/serial
new_certs_dir = $dir
default_md = sha256
policy = policy_any
unique_subject = no
email_in_dn = no
copy_extensions = none
default_crl_days = 3650
crl_extensions = crl_ext
[ policy_any ]
countryName = optional
organizationName = optional
commonName = supplied
[ crl_ext ]
authorityKeyIdentifier = keyid:always
[ v_root ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ v_inter ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v_codesign ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = codeSigning
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v_server ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v_tsa ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
CNF

key() {
	if [ "$new_keys" = 1 ] || [ ! -f "pki/$1.key" ]; then
		openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
		    -out "pki/$1.key" 2>/dev/null
	fi
}

# cert NAME ISSUER SERIAL SUBJECT EXT NOTBEFORE NOTAFTER
# ISSUER "self" makes a self-signed certificate.
cert() {
	key "$1"
	CADIR="$tmp/db-$1"
	export CADIR
	rm -rf "$CADIR"
	mkdir -p "$CADIR"
	: >"$CADIR/index.txt"
	echo "$3" >"$CADIR/serial"
	openssl req -new -key "pki/$1.key" -subj "$4" -out "$tmp/$1.csr"
	if [ "$2" = self ]; then
		set -- "$@" -selfsign -keyfile "pki/$1.key"
	else
		set -- "$@" -cert "pki/$2.pem" -keyfile "pki/$2.key"
	fi
	name=$1 ext=$5 nb=$6 na=$7
	shift 7
	openssl ca -batch -config "$tmp/ca.cnf" -notext -preserveDN \
	    -in "$tmp/$name.csr" -out "pki/$name.pem" -extensions "$ext" \
	    -startdate "$nb" -enddate "$na" "$@" 2>/dev/null
}

O="/C=US/O=asmgate tests"
cert root self 1000 "$O/CN=asmgate Test Root CA" v_root \
    190101000000Z 391231000000Z
cert inter root 2000 "$O/CN=asmgate Test Code Signing CA" v_inter \
    190101000000Z 381231000000Z
cert tsa root 3000 "$O/CN=asmgate Test Timestamping Authority" v_tsa \
    190101000000Z 381231000000Z
cert contoso inter 4001 "/C=US/O=Contoso Ltd/CN=Contoso Ltd" v_codesign \
    250101000000Z 300101000000Z
cert fabrikam inter 4002 "/C=US/O=Fabrikam Inc/CN=Fabrikam Inc" v_codesign \
    250101000000Z 300101000000Z
cert server inter 4003 "/C=US/O=Contoso Ltd/CN=www.contoso.invalid" v_server \
    250101000000Z 300101000000Z
cert expired inter 4004 "/C=US/O=Contoso Ltd/CN=Contoso Ltd 2020" v_codesign \
    200101000000Z 210101000000Z
cert revoked inter 4005 "/C=US/O=Contoso Ltd/CN=Contoso Ltd Revoked" \
    v_codesign 250101000000Z 300101000000Z
cert other self 5000 "/C=US/O=Northwind/CN=Northwind Self-Signed" v_root \
    190101000000Z 391231000000Z
cert northwind other 5001 "/C=US/O=Northwind/CN=Northwind Traders" \
    v_codesign 250101000000Z 300101000000Z

# CRL of the intermediate: 4005 revoked on 2025-03-01 (keyCompromise).
CADIR="$tmp/db-crl"
export CADIR
rm -rf "$CADIR"
mkdir -p "$CADIR"
printf 'R\t300101000000Z\t250301000000Z,keyCompromise\t4005\tunknown\t%s\n' \
    "/C=US/O=Contoso Ltd/CN=Contoso Ltd Revoked" >"$CADIR/index.txt"
echo 01 >"$CADIR/serial"
openssl ca -batch -config "$tmp/ca.cnf" -gencrl -cert pki/inter.pem \
    -keyfile pki/inter.key -crl_lastupdate 250101000000Z \
    -crl_nextupdate 350101000000Z -out pki/crl.pem 2>/dev/null

# Bundles: signer chains (leaf + intermediate), the TSA chain, anchors.
for l in contoso fabrikam server expired revoked; do
	cat "pki/$l.pem" pki/inter.pem >"$tmp/$l-chain.pem"
done
cat pki/northwind.pem pki/other.pem >"$tmp/northwind-chain.pem"
cat pki/tsa.pem pki/root.pem >"$tmp/tsa-chain.pem"
cp pki/root.pem pki/ca.pem

# sign LEAF ALG TIME IN OUT [extra osslsigncode options]
sign() {
	l=$1 alg=$2 t=$3 in=$4 out=$5
	shift 5
	rm -f "$out"
	osslsigncode sign -certs "$tmp/$l-chain.pem" -key "pki/$l.key" \
	    -h "$alg" -n "asmgate test" -i https://example.invalid/ \
	    -time "$t" "$@" -in "$in" -out "$out" >/dev/null
}
ts() {
	echo -TSA-certs "$tmp/tsa-chain.pem" -TSA-key pki/tsa.key -TSA-time "$1"
}

V=../valid
cp "$V/contoso-orchestrations.dll" unsigned.dll
python3 make-native.py native-unsigned.exe
python3 patch.py overlay unsigned.dll "$tmp/overlay-in.dll"

sign contoso sha256 $T_SIGN unsigned.dll sha256.dll
sign contoso sha1 $T_SIGN unsigned.dll sha1.dll
sign contoso sha256 $T_SIGN unsigned.dll sha256-ts.dll $(ts $T_TSA)
sign fabrikam sha256 $T_SIGN "$V/fabrikam-adapters.dll" fabrikam.dll
sign server sha256 $T_SIGN unsigned.dll server-auth.dll
sign northwind sha256 $T_SIGN unsigned.dll untrusted-root.dll
sign expired sha256 $T_OLD unsigned.dll expired.dll
sign expired sha256 $T_OLD unsigned.dll expired-ts.dll $(ts $T_OLD)
sign revoked sha256 $T_SIGN unsigned.dll revoked.dll
sign contoso sha1 $T_SIGN sha256.dll nested.dll -nest
sign contoso sha256 $T_SIGN "$tmp/overlay-in.dll" overlay.dll
sign contoso sha256 $T_SIGN native-unsigned.exe native.exe

python3 patch.py flip-section sha256.dll tampered-section.dll
python3 patch.py flip-overlay overlay.dll tampered-overlay.dll
python3 patch.py flip-pkcs7 sha256.dll tampered-pkcs7.dll
python3 patch.py trailing sha256.dll trailing-garbage.dll
python3 patch.py two-entries sha256.dll sha1.dll two-entries.dll
python3 patch.py after-table sha256.dll data-after-table.dll
python3 patch.py flip-section native.exe native-tampered.exe

# Self-checks (independent of asmgate): each sample's osslsigncode
# verdict where osslsigncode is an oracle; see README.md for the rest.
AT=1780272000
chk() {
	want=$1 f=$2
	shift 2
	if osslsigncode verify -CAfile pki/ca.pem -TSA-CAfile pki/ca.pem \
	    -CRLfile pki/crl.pem -time $AT "$@" -in "$f" >/dev/null 2>&1
	then got=0; else got=1; fi
	if [ "$got" != "$want" ]; then
		echo "make.sh: osslsigncode verify $f: exit $got, expected $want" >&2
		exit 1
	fi
}
for f in sha256.dll sha1.dll sha256-ts.dll fabrikam.dll expired-ts.dll \
    nested.dll overlay.dll native.exe; do
	chk 0 "$f"
done
for f in unsigned.dll native-unsigned.exe server-auth.dll untrusted-root.dll \
    expired.dll revoked.dll tampered-section.dll tampered-overlay.dll \
    tampered-pkcs7.dll data-after-table.dll native-tampered.exe; do
	chk 1 "$f"
done
chk 0 nested.dll -index 1
echo "make.sh: samples written to $here"
