# Black-box tests of BizTalk binding files: asmgate bindings show|lint
# and asmgate verify --bindings. Expected hosts and roles come from the
# binding files as written (samples/bindings/*.xml, from the BizTalk
# binding file reference), line numbers from grep -n on those files,
# identities from the sources in samples/bindings/src.

B="$S/bindings"
line_of() { grep -n -- "$1" "$2" | head -1 | cut -d: -f1; }

# --help and usage errors.
run "$ASMGATE" bindings --help
expect_rc 0
expect_out '^usage: asmgate bindings show'
run "$ASMGATE" bindings
expect_rc 2
run "$ASMGATE" bindings frob "$B/orders.xml"
expect_rc 2
expect_err "unknown subcommand 'frob'"
run "$ASMGATE" bindings show
expect_rc 2
expect_err 'no FILE given'
run "$ASMGATE" verify --bindings "$B/orders.xml" "$B/drop"
expect_rc 2
expect_err -- '--bindings needs --policy'
run "$ASMGATE" verify --policy "$B/hosts-policy.xml" --require-bound "$B/drop"
expect_rc 2
expect_err -- '--require-bound needs --bindings'

# show: UTF-8, UTF-16 LE and UTF-16 BE (with BOM) read alike.
run "$ASMGATE" bindings show "$B/orders.xml"
expect_rc 0
sed "s|$B/orders.xml|F|g" "$T/out" >"$T/show8"
l=$(line_of 'Host Name="OrchestrationHost"' "$B/orders.xml")
expect_out "by orchestration Contoso.Orders.Orchestrations.ProcessOrder \\($B/orders.xml:$l\\)"
expect_out '^  OrchestrationHost: orchestrations; not trusted$'
expect_out '^  SendHost: send handler; not trusted$'
expect_out '^  ReceiveHost: receive handler; not trusted$'
expect_no_out 'Application:Orders'
l=$(line_of 'Transform FullName="Contoso.Orders.Maps' "$B/orders.xml")
expect_out "by send port SP.Orders.Ack.File \\(primary transport\\) \\($B/orders.xml:$l\\)"
expect_out 'SP.Orders.Dynamic: placed nowhere \(dynamic'
for f in orders-utf16.xml orders-utf16be.xml; do
	run "$ASMGATE" bindings show "$B/$f"
	expect_rc 0
	sed "s|$B/$f|F|g" "$T/out" >"$T/show16"
	if cmp -s "$T/show8" "$T/show16"; then ok; else
		bad "$f: show differs from the UTF-8 file"; fi
done
run "$ASMGATE" bindings show --format json "$B/orders.xml"
expect_rc 0
expect_json
jq_eq '[h["name"] for h in d["hosts"]]' "['OrchestrationHost', 'SendHost', 'ReceiveHost']"
jq_eq '[a["role"] for a in d["hosts"][0]["assemblies"]]' "['orchestration', 'schema']"
jq_eq 'd["hosts"][2]["roles"]' "['receive-handler']"
jq_eq 'len(d["placed_nowhere"])' 4

# lint: the sample layout is clean; layout-issues.xml has each finding,
# with the policy-side ones from layout-policy.xml.
run "$ASMGATE" bindings lint --policy "$B/hosts-policy.xml" "$B/orders.xml"
expect_rc 0
expect_out '^0 warnings$'
run "$ASMGATE" bindings lint "$B/layout-issues.xml"
expect_rc 0
L="$B/layout-issues.xml"
l=$(line_of 'ReceiveHandler Name="ProcessingHost"' "$L")
expect_out "^$L:$l: warning: host 'ProcessingHost' runs orchestrations .*\\[orchestration-and-receive\\]$"
l=$(line_of 'Host Name="IsolatedHost"' "$L")
expect_out "^$L:$l: warning: host 'IsolatedHost' is isolated .*\\[isolated-host-orchestration\\]$"
l=$(line_of 'SendHandler Name="SendHost" HostTrusted="false"' "$L")
expect_out "^$L:$l: warning: host 'SendHost' is named not trusted here but trusted at $L:[0-9]+ \\[inconsistent-trust\\]$"
expect_no_out 'host-not-in-policy|shared-account|tracking-host'
expect_out '^3 warnings$'
run "$ASMGATE" bindings lint --policy "$B/layout-policy.xml" "$L"
expect_rc 0
l=$(line_of 'ReceiveHandler Name="LegacyHost"' "$L")
expect_out "^$L:$l: warning: host 'LegacyHost' is not a host of the policy.*\\[host-not-in-policy\\]$"
expect_out "warning: hosts 'SendHost' and 'ProcessingHost' .* run under one service account .*\\[shared-account\\]$"
l=$(line_of 'SendHandler Name="TrackingHost"' "$L")
expect_out "^$L:$l: warning: host 'TrackingHost' tracks \\(policy\\) but also sends: .*\\[tracking-host-not-dedicated\\]$"
expect_out '^6 warnings$'
# policy lint: shared-account on the policy alone.
run "$ASMGATE" policy lint "$B/layout-policy.xml"
expect_rc 0
l=$(line_of 'host name="SendHost"' "$B/layout-policy.xml")
expect_out "^$B/layout-policy.xml:$l: warning: host 'SendHost' runs under account .*\\[shared-account\\]$"

# Bad files: one "FILE:LINE: message" line, exit 2.
bad_case() { # FILE LINE PATTERN
	run "$ASMGATE" bindings show "$B/bad/$1"
	expect_rc 2
	expect_err "^$B/bad/$1:$2: $3"
	expect_err_lines 1
}
bad_case placeholder.xml 7 "host name '\\\$\\{ReceiveHostName\\}' is a placeholder"
bad_case placeholder-msbuild.xml 6 "host name '\\\$\\(SendHost\\)' is a placeholder"
bad_case bad-token.xml 5 '<ModuleRef FullName>: bad PublicKeyToken'
bad_case no-assembly.xml 5 '<TransmitPipeline FullyQualifiedName>: no assembly'
bad_case twice-version.xml 6 '<Transform AssemblyQualifiedName>: Version given twice'
bad_case xxe.xml 2 'DOCTYPE is not allowed'
bad_case entity-ref.xml 3 'entity references are not allowed'
bad_case not-xml.xml 1 'not well-formed XML'
bad_case wrong-root.xml 2 'not a binding file'
bad_case bad-utf16.xml 1 'not UTF-16: unpaired surrogate'
bad_case utf32.xml 1 'UTF-32 byte order mark'
bad_case latin1.xml 2 'not UTF-8'
bad_case fullname-disagrees.xml 6 '<ModuleRef>: FullName and Name/Version/Culture/PublicKeyToken name different assemblies'
bad_case split-name-too-long.xml 6 '<ModuleRef>: Name, Version, Culture and PublicKeyToken longer than'
# Oversize: refused from the file size, before reading (sparse file).
: >"$T/huge.xml"
if truncate -s 65M "$T/huge.xml" 2>/dev/null; then
	run "$ASMGATE" bindings show "$T/huge.xml"
	expect_rc 2
	expect_err 'exceeds|larger|limit'
else
	skip 2 "truncate(1) cannot make a sparse file here"
fi

# verify --bindings: the mixed drop passes, decided for exactly the
# hosts that place each assembly; without bindings every host decides
# every assembly and the run fails.
P="$B/hosts-policy.xml"
run "$ASMGATE" verify --policy "$P" "$B/drop"
expect_rc 1
run "$ASMGATE" verify --policy "$P" --bindings "$B/orders.xml" "$B/drop"
expect_rc 0
expect_out '5 assemblies: 5 signed; decisions: 8 allowed, 0 denied; 0 bound assemblies missing$'
expect_no_out 'TrackingHost'
l=$(line_of 'Host Name="OrchestrationHost"' "$B/orders.xml")
expect_out "placed: orchestration: orchestration Contoso.Orders.Orchestrations.ProcessOrder \\($B/orders.xml:$l\\)"
expect_out "placed: dependency: referenced by Contoso.Orders.Orchestrations, Version=1.2.0.0"
# The hand-split runs pass too.
run "$ASMGATE" verify --policy "$P" --host OrchestrationHost \
    "$B/drop/Contoso.Orders.Orchestrations.dll" \
    "$B/drop/Contoso.Orders.Helpers.dll" "$B/drop/Contoso.Orders.Schemas.dll"
expect_rc 0
run "$ASMGATE" verify --policy "$P" --host SendHost \
    "$B/drop/Contoso.Orders.Maps.dll" "$B/drop/Contoso.Orders.Pipelines.dll" \
    "$B/drop/Contoso.Orders.Schemas.dll"
expect_rc 0
# UTF-16 bindings decide alike; several --bindings add up; --jobs.
run "$ASMGATE" verify --jobs 3 --policy "$P" --bindings "$B/orders-utf16.xml" \
    "$B/drop"
expect_rc 0
expect_out 'decisions: 8 allowed, 0 denied'
run "$ASMGATE" verify --format json --policy "$P" --bindings "$B/orders.xml" \
    "$B/drop"
expect_rc 0
expect_json
jq_eq '[(f["path"].split("/")[-1], [(p["host"], p["placement"]["role"]) for p in f["policy"]]) for f in d["files"]]' \
    "[('Contoso.Orders.Helpers.dll', [('OrchestrationHost', 'dependency')]), ('Contoso.Orders.Maps.dll', [('SendHost', 'map')]), ('Contoso.Orders.Orchestrations.dll', [('OrchestrationHost', 'orchestration')]), ('Contoso.Orders.Pipelines.dll', [('ReceiveHost', 'receive-pipeline'), ('SendHost', 'send-pipeline')]), ('Contoso.Orders.Schemas.dll', [('ReceiveHost', 'dependency'), ('OrchestrationHost', 'schema'), ('SendHost', 'dependency')])]"
l=$(line_of 'Transform FullName="Contoso.Orders.Maps' "$B/orders.xml")
jq_eq 'd["files"][1]["policy"][0]["placement"]["binding"].endswith("orders.xml:'"$l"'")' true
jq_eq 'd["summary"]["missing"]' 0
# Without bindings the placement is the command line's.
run "$ASMGATE" verify --format json --policy "$P" --host SendHost \
    "$B/drop/Contoso.Orders.Maps.dll"
jq_eq 'd["files"][0]["policy"][0]["placement"]' \
    "{'role': 'option', 'binding': None, 'via': '--host'}"

# Unbound: an assembly no binding places (and nothing placed references)
# is decided for every host, or the --host hosts.
run "$ASMGATE" verify --policy "$P" --bindings "$B/orders.xml" \
    "$S/valid/fabrikam-adapters.dll"
expect_rc 1
expect_out '^  TrackingHost: denied'
expect_out 'placed: unbound: no binding places it'
run "$ASMGATE" verify --policy "$P" --bindings "$B/orders.xml" \
    --host ReceiveHost --host SendHost "$S/valid/fabrikam-adapters.dll"
expect_rc 0
expect_out 'decisions: 2 allowed, 0 denied'

# Missing and near matches; --require-bound fails the run.
N="$B/near-match.xml"
run "$ASMGATE" verify --policy "$P" --bindings "$N" \
    "$B/drop/Contoso.Orders.Maps.dll"
expect_rc 1
expect_out "missing: Contoso.Orders.Audit, Version=1.0.0.0, Culture=neutral, PublicKeyToken=e0ba8f48cb722cea for OrchestrationHost \\($N:$(line_of 'Host Name' "$N"), orchestration by orchestration Contoso.Orders.Audit.Log\\)$"
expect_out "missing: Contoso.Orders.Maps, Version=0.9.0.0.* for SendHost .*; near match: .*Contoso.Orders.Maps.dll \\(Contoso.Orders.Maps, Version=1.0.0.0\\)$"
expect_out 'near match: Contoso.Orders.Maps, Version=0.9.0.0'
expect_out '2 bound assemblies missing$'
run "$ASMGATE" verify --policy "$P" --bindings "$N" --host SendHost \
    "$B/drop/Contoso.Orders.Maps.dll"
expect_rc 0
run "$ASMGATE" verify --policy "$P" --bindings "$N" --host SendHost \
    --require-bound "$B/drop/Contoso.Orders.Maps.dll"
expect_rc 1
expect_out '2 bound assemblies missing \(fails the run\)$'
run "$ASMGATE" verify --policy "$P" --bindings "$N" --host SendHost \
    --require-bound --format junit "$B/drop/Contoso.Orders.Maps.dll"
expect_rc 1
expect_out '<failure'
expect_out 'missing:Contoso.Orders.Audit'
# BizTalk's own assemblies (Microsoft's token) are never missing.
run "$ASMGATE" verify --policy "$P" --bindings "$B/orders.xml" "$B/drop"
expect_no_out 'missing: Microsoft'

# A host the bindings name that the policy lacks: exit 2, naming it and
# the binding line; lint findings are printed but never fail a run.
run "$ASMGATE" verify --policy "$P" --bindings "$B/layout-issues.xml" "$B/drop"
expect_rc 2
expect_err "^$B/layout-issues.xml:[0-9]+: host 'ProcessingHost' is not a host of the policy"
run "$ASMGATE" verify --policy "$B/layout-policy.xml" --bindings \
    "$B/layout-issues.xml" "$B/drop"
expect_rc 2
expect_err "LegacyHost"
mkdir -p "$T/bind"
sed 's/LegacyHost/ProcessingHost/' "$L" >"$T/bind/l.xml"
run "$ASMGATE" verify --policy "$B/layout-policy.xml" --bindings "$T/bind/l.xml" \
    "$B/drop"
expect_err 'warning: .*\[orchestration-and-receive\]$'
expect_rc 0
# A bad binding file on verify: exit 2 with its line.
run "$ASMGATE" verify --policy "$P" --bindings "$B/bad/placeholder.xml" "$B/drop"
expect_rc 2
expect_err "^$B/bad/placeholder.xml:7: "

# Host attributes: tracking is a boolean, account 1-256 bytes.
mkdir -p "$T/hp"
cp "$S/keys/contoso.pub" "$T/hp/"
printf '<policy xmlns="urn:asmgate:policy:1">\n<key id="c" file="contoso.pub"/>\n<host name="H" tracking="maybe"><allow id="a" keys="c"/></host>\n</policy>\n' >"$T/hp/p1.xml"
run "$ASMGATE" policy lint "$T/hp/p1.xml"
expect_rc 2
expect_err "^$T/hp/p1.xml:3: .*tracking"
printf '<policy xmlns="urn:asmgate:policy:1">\n<key id="c" file="contoso.pub"/>\n<host name="H" account=""><allow id="a" keys="c"/></host>\n</policy>\n' >"$T/hp/p2.xml"
run "$ASMGATE" policy lint "$T/hp/p2.xml"
expect_rc 2
expect_err "^$T/hp/p2.xml:3: .*account"
run "$ASMGATE" policy show "$B/hosts-policy.xml"
expect_rc 0
expect_out '^    account CONTOSO\\svc-bts-tracking; tracking host$'
run "$ASMGATE" policy show --format json "$B/hosts-policy.xml"
jq_eq '[(h["name"], h.get("account"), h.get("tracking")) for h in d["hosts"]][3]' \
    "('TrackingHost', 'CONTOSO\\\\svc-bts-tracking', True)"

# SARIF: the placement ends each message and is a property.
run "$ASMGATE" verify --format sarif --policy "$P" --bindings "$B/orders.xml" \
    "$B/drop/Contoso.Orders.Maps.dll" "$S/valid/fabrikam-adapters.dll"
expect_rc 1
jq_eq '[r["properties"]["asmgate/placement"].split(":")[0] for r in d["runs"][0]["results"] if "asmgate/placement" in r["properties"]]' \
    "['unbound', 'unbound']"
jq_eq 'all("(placed: unbound: no binding places it" in r["message"]["text"] for r in d["runs"][0]["results"] if r["properties"].get("host") in ("OrchestrationHost", "TrackingHost"))' true

# Several binding files add up: Maps placed by orders.xml, the older one
# near-match.xml names is missing, with its file and line.
run "$ASMGATE" verify --policy "$P" --bindings "$B/orders.xml" \
    --bindings "$N" "$B/drop"
expect_rc 0
expect_out '^  SendHost: allowed: matched allow rule .maps.$'
expect_no_out 'placed: unbound'
expect_out "missing: Contoso.Orders.Maps, Version=0.9.0.0.* \\($N:[0-9]+, map by send port SP.Old"
expect_out '2 bound assemblies missing$'
