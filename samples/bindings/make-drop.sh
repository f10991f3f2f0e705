#!/bin/sh
# make-drop.sh - build samples/bindings/drop/ (the assemblies the binding
# files place) with Mono's mcs, signed with samples/keys/contoso.snk.
# The outputs are committed; run this only to rebuild them.
set -e
cd "$(dirname "$0")"
command -v mcs >/dev/null 2>&1 || {
	echo "make-drop: Mono's mcs not installed; committed drop left as is" >&2
	exit 0
}
K=../keys/contoso.snk
b() { out=$1; shift; mcs -nologo -target:library -keyfile:$K -out:drop/$out "$@"; }
b Contoso.Orders.Helpers.dll src/Contoso.Orders.Helpers.cs
b Contoso.Orders.Schemas.dll src/Contoso.Orders.Schemas.cs
b Contoso.Orders.Orchestrations.dll -r:drop/Contoso.Orders.Helpers.dll \
    -r:drop/Contoso.Orders.Schemas.dll src/Contoso.Orders.Orchestrations.cs
b Contoso.Orders.Maps.dll -r:drop/Contoso.Orders.Schemas.dll \
    src/Contoso.Orders.Maps.cs
b Contoso.Orders.Pipelines.dll -r:drop/Contoso.Orders.Schemas.dll \
    src/Contoso.Orders.Pipelines.cs
