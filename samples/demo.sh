#!/bin/sh
# make demo: the main job on samples/, as a release engineer runs it.
# usage: demo.sh PATH/TO/asmgate
A=$1
S=$(dirname "$0")
say() { printf '\n$ %s\n' "$*"; }
run() { say "asmgate $*"; "$A" "$@"; echo "(exit status $?)"; }

# What is in an assembly.
run inspect "$S/valid/contoso-orchestrations.dll"

# Which vendor key is that?
run keys show "$S/keys/contoso.pub"

# Gate a drop: one assembly in each signing state.
run verify --test-key "$S/keys/test2048.pub" \
    "$S/valid/contoso-orchestrations.dll" \
    "$S/valid/fabrikam-adapters.dll" "$S/states/delay-signed.dll" \
    "$S/states/public-signed.dll" "$S/states/unsigned.dll" \
    "$S/states/tampered-il.dll" "$S/states/test-signed--test2048.dll"
echo "(1: at least one assembly is not signed)"

# The same drop against the BizTalk policy: per host, vendor keys and
# signing states (samples/policy/biztalk.xml).
run policy lint "$S/policy/biztalk.xml"
run verify --policy "$S/policy/biztalk.xml" --host OrchestrationHost \
    --host SendHost "$S/valid/contoso-orchestrations.dll" \
    "$S/valid/fabrikam-adapters.dll" "$S/states/delay-signed.dll"
echo "(1: a decision in an enforcing host is a denial)"

# A BizTalk application package: the assemblies an installer database
# installs, named by install path, read from its embedded cabinet.
run verify --policy "$S/policy/biztalk.xml" --host OrchestrationHost \
    "$S/msi/app.msi"
echo "(1: Fabrikam's adapter is not allowed in the orchestration host)"

# Which host runs what: the Orders application's binding file (as
# BizTalk exports it, UTF-16) places each assembly of a mixed drop.
B="$S/bindings"
run bindings show "$B/orders-utf16.xml"
run bindings lint --policy "$B/hosts-policy.xml" "$B/orders.xml"
# Without bindings every host decides every assembly: the drop fails.
run verify --quiet --policy "$B/hosts-policy.xml" "$B/drop"
echo "(1: an orchestration is denied in the receive host, and so on)"
# Split by hand, host by host, it passes ...
run verify --quiet --policy "$B/hosts-policy.xml" --host OrchestrationHost \
    "$B/drop/Contoso.Orders.Orchestrations.dll" \
    "$B/drop/Contoso.Orders.Helpers.dll" "$B/drop/Contoso.Orders.Schemas.dll"
run verify --quiet --policy "$B/hosts-policy.xml" --host SendHost \
    --host ReceiveHost "$B/drop/Contoso.Orders.Pipelines.dll" \
    "$B/drop/Contoso.Orders.Schemas.dll"
run verify --quiet --policy "$B/hosts-policy.xml" --host SendHost \
    "$B/drop/Contoso.Orders.Maps.dll" "$B/drop/Contoso.Orders.Schemas.dll"
# ... and so does the whole drop with the bindings, each assembly decided
# for the hosts that run it (Helpers and Schemas through AssemblyRef).
run verify --policy "$B/hosts-policy.xml" --bindings "$B/orders-utf16.xml" \
    "$B/drop"
echo "(0: every assembly allowed where it runs)"

# A malformed file: one line, exit 2, nothing else lost.
run verify "$S/malformed/truncated-section-data.dll" \
    "$S/valid/hello.exe"

# An exported BizTalk application MSI (samples/biztalk): its adf names
# the application and each resource; its own Production binding file
# places each assembly in the hosts that run it.
run inspect "$S/biztalk/app.msi"
run verify --policy "$S/biztalk/policy.xml" --environment Production \
    "$S/biztalk/app.msi"
echo "(0: every assembly allowed in each host its binding places it in)"
exit 0
