# verify --key-map-from FILE: Mono's machine.config pubTokenMapping
# (strongname.md 6.4). The ECMA-identity sample signed with test1024
# (samples/states/README.md) is invalid without a mapping and signed
# with b77a5c561934e089 mapped to test1024's public key blob.
E="$S/states/ecma-key-signed-with-test1024.dll"
KH=$(tr -d '\n\r ' <"$S/keys/test1024.hex")
MC="$T/machine.config"
cat >"$MC" <<EOF2
<?xml version="1.0" encoding="utf-8"?>
<configuration>
	<configSections>
		<section name="strongNames" type="System.Configuration.IgnoreSection"/>
	</configSections>
	<strongNames>
		<pubTokenMapping>
			<!-- ECMA key -->
			<map Token="b77a5c561934e089" PublicKey="$KH" />
			<map Token="b03f5f7f11d50a3a" PublicKey="$KH" />
		</pubTokenMapping>
		<verificationSkipping>
			<skip Assembly="*" Token="e0ba8f48cb722cea"/>
		</verificationSkipping>
	</strongNames>
</configuration>
EOF2
run "$ASMGATE" verify "$E"
expect_rc 1
run "$ASMGATE" verify --key-map-from "$MC" "$E"
expect_rc 0
expect_out ': signed: .*mapped to another key'
# verificationSkipping is not honoured: a delay-signed file stays so.
run "$ASMGATE" verify --key-map-from "$MC" "$S/states/delay-signed.dll"
expect_rc 1
expect_out 'delay-signed\.dll: delay-signed'
# --key-map comes first: the command line wins over the file.
run "$ASMGATE" verify --key-map b77a5c561934e089="$S/keys/fabrikam.pub" \
    --key-map-from "$MC" "$E"
expect_rc 1
expect_out ': invalid: token b77a5c561934e089 mapped to another key \(--key-map\); signature does not verify'
run "$ASMGATE" verify --key-map-from "$MC" --key-map-from "$MC" "$E"
expect_rc 2
expect_err '--key-map-from given twice'

# Malformed files: FILE:LINE and exit 2, nothing verified.
bad_mc() { # NAME LINE-TO-ADD-IN-pubTokenMapping
	sed "s|<!-- ECMA key -->|$2|" "$MC" >"$T/$1.config"
}
bad_mc dup "<map Token=\"B77A5C561934E089\" PublicKey=\"$KH\"/>"
run "$ASMGATE" verify --key-map-from "$T/dup.config" "$E"
expect_rc 2
expect_err 'dup.config:9: Token b77a5c561934e089 is mapped twice \(line 8\)'
expect_err_lines 1
bad_mc short '<map Token="b77a5c56" PublicKey="00"/>'
run "$ASMGATE" verify --key-map-from "$T/short.config" "$E"
expect_rc 2
expect_err 'short.config:8: Token wants 16 hex digits'
bad_mc nokey '<map Token="0011223344556677"/>'
run "$ASMGATE" verify --key-map-from "$T/nokey.config" "$E"
expect_rc 2
expect_err 'nokey.config:8: <map> needs Token and PublicKey'
bad_mc badkey '<map Token="0011223344556677" PublicKey="0024000004800000"/>'
run "$ASMGATE" verify --key-map-from "$T/badkey.config" "$E"
expect_rc 2
expect_err 'badkey.config:8: PublicKey: '
printf '<?xml version="1.0"?>\n<!DOCTYPE c [<!ENTITY x "y">]>\n<configuration/>\n' \
    >"$T/dtd.config"
run "$ASMGATE" verify --key-map-from "$T/dtd.config" "$E"
expect_rc 2
expect_err 'dtd.config:2: '
printf '<configuration><strongNames/></configuration>\n' >"$T/none.config"
run "$ASMGATE" verify --key-map-from "$T/none.config" "$E"
expect_rc 2
expect_err 'none.config: error: no <map>'
printf '<policy/>\n' >"$T/other.config"
run "$ASMGATE" verify --key-map-from "$T/other.config" "$E"
expect_rc 2
expect_err 'other.config:1: not a .NET configuration file'

# Mono's own machine.config over Mono's GAC (when installed): every
# assembly verifies, as Mono's sn -v says of them.
if [ -r /etc/mono/4.5/machine.config ] && [ -d /usr/lib/mono/gac ]; then
	run "$ASMGATE" verify --quiet \
	    --key-map-from /etc/mono/4.5/machine.config /usr/lib/mono/gac
	expect_rc 0
	expect_no_out 'invalid'
else
	skip 2 "Mono's machine.config and GAC not installed"
fi
