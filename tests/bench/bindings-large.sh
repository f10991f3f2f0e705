#!/bin/sh
# bindings-large.sh - time `asmgate bindings show` and `bindings lint` on
# a generated multi-megabyte UTF-16 binding file (BizTalk writes UTF-16
# LE with a byte order mark), against `iconv` converting the same file
# and `xmllint --noout` parsing it (when installed).
# usage: bindings-large.sh PATH/TO/asmgate [PORTS]
A=$1
N=${2:-6000}
T=$(mktemp -d "${TMPDIR:-/tmp}/asmgate-bind.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
command -v python3 >/dev/null 2>&1 || { echo "bench-bindings: python3 not installed: skipped"; exit 0; }
python3 - "$T/b.xml" "$N" <<'PY'
import sys
out, n = sys.argv[1], int(sys.argv[2])
tok = "e0ba8f48cb722cea"
def an(name, v="1.0.0.0"):
    return f"{name}, Version={v}, Culture=neutral, PublicKeyToken={tok}"
L = ['<?xml version="1.0" encoding="utf-16"?>',
     '<BindingInfo Version="3.5.1.0" BindingStatus="FullyBound">',
     '  <ModuleRefCollection>']
for i in range(n // 10):
    L += [f'    <ModuleRef Name="Contoso.App{i}.Orchestrations" FullName="{an(f"Contoso.App{i}.Orchestrations")}">',
          '      <Services>',
          f'        <Service Name="Contoso.App{i}.Process" State="Started" TrackingOption="ServiceStartEnd">',
          '          <Ports />', '          <Roles />',
          f'          <Host Name="OrchestrationHost" NTGroupName="BizTalk Application Users" Type="1" Trusted="false" />',
          '        </Service>', '      </Services>',
          '      <TrackedSchemas>',
          f'        <Schema FullName="Contoso.App{i}.Schemas.Order" RootName="Order" AssemblyQualifiedName="Contoso.App{i}.Schemas.Order,{an(f"Contoso.App{i}.Schemas")}" />',
          '      </TrackedSchemas>', '    </ModuleRef>']
L += ['  </ModuleRefCollection>', '  <SendPortCollection>']
for i in range(n):
    L += [f'    <SendPort Name="SP.App.{i}" IsStatic="true" IsTwoWay="false" BindingOption="1">',
          f'      <TransmitPipeline Name="Contoso.Pipelines.Send" FullyQualifiedName="Contoso.Pipelines.Send, {an(f"Contoso.App{i % 97}.Pipelines")}" Type="2" TrackingOption="None" Description="" />',
          '      <SendPipelineData>&lt;Root xmlns:xsd="http://www.w3.org/2001/XMLSchema"&gt;&lt;Stages /&gt;&lt;/Root&gt;</SendPipelineData>',
          '      <PrimaryTransport>',
          f'        <Address>\\\\files\\out\\{i}\\%MessageID%.xml</Address>',
          '        <TransportType Name="FILE" Capabilities="11" ConfigurationClsid="5e49e3a6-b4fc-4077-b44c-22f34a242fdb" />',
          '        <TransportTypeData>&lt;CustomProps&gt;&lt;CopyMode vt="19"&gt;1&lt;/CopyMode&gt;&lt;/CustomProps&gt;</TransportTypeData>',
          '        <RetryCount>3</RetryCount>', '        <RetryInterval>5</RetryInterval>',
          '        <SendHandler Name="SendHost" HostTrusted="false"><TransportType Name="FILE" /></SendHandler>',
          '      </PrimaryTransport>',
          '      <Transforms>',
          f'        <Transform FullName="Contoso.Maps.M{i}" AssemblyQualifiedName="Contoso.Maps.M{i},{an(f"Contoso.App{i % 97}.Maps")}" />',
          '      </Transforms>',
          '      <Filter>&lt;?xml version="1.0" encoding="utf-16"?&gt;&lt;Filter&gt;&lt;Group&gt;&lt;Statement Property="BTS.MessageType" Operator="0" Value="urn:x#y" /&gt;&lt;/Group&gt;&lt;/Filter&gt;</Filter>',
          '    </SendPort>']
L += ['  </SendPortCollection>', '  <ReceivePortCollection>']
for i in range(n // 2):
    L += [f'    <ReceivePort Name="RP.App.{i}" IsTwoWay="false">', '      <ReceiveLocations>',
          f'        <ReceiveLocation Name="RL.App.{i}">',
          f'          <ReceivePipeline Name="R" FullyQualifiedName="Contoso.Pipelines.Receive, {an(f"Contoso.App{i % 97}.Pipelines")}" Type="1" />',
          '          <Enable>true</Enable>',
          '          <ReceiveHandler Name="ReceiveHost" HostTrusted="false"><TransportType Name="FILE" /></ReceiveHandler>',
          '        </ReceiveLocation>', '      </ReceiveLocations>', '    </ReceivePort>']
L += ['  </ReceivePortCollection>', '</BindingInfo>', '']
open(out, 'wb').write('\r\n'.join(L).encode('utf-16'))
PY
bytes=$(wc -c <"$T/b.xml")
lines=$(python3 -c "import sys; print(open(sys.argv[1],'rb').read().decode('utf-16').count('\n'))" "$T/b.xml")
echo "bench-bindings: $bytes bytes of UTF-16 LE (BOM), $lines lines, $N send ports"
# t LABEL CMD...: wall time of CMD.
t() {
	l=$1; shift
	s=$(date +%s.%N); "$@" >/dev/null 2>&1; r=$?; e=$(date +%s.%N)
	printf '  %-36s %6.3f s (exit %d)\n' "$l" "$(echo "$e - $s" | bc)" $r
}
t "asmgate bindings show" "$A" bindings show "$T/b.xml"
t "asmgate bindings show --format json" "$A" bindings show --format json \
    "$T/b.xml"
t "asmgate bindings lint" "$A" bindings lint "$T/b.xml"
t "iconv -f UTF-16 -t UTF-8" iconv -f UTF-16 -t UTF-8 "$T/b.xml"
if command -v xmllint >/dev/null 2>&1; then
	t "xmllint --noout" xmllint --noout "$T/b.xml"
fi
if command -v /usr/bin/time >/dev/null 2>&1; then
	/usr/bin/time -f '  bindings show peak RSS: %M KiB' "$A" bindings \
	    show "$T/b.xml" >/dev/null
fi
