#!/bin/sh
# xcheck-mono.sh - cross-check asmgate's reader against Mono's tools.
#
# usage: tests/xcheck-mono.sh [ASMGATE [DIR...]]
#        (default build/asmgate over /usr/lib/mono)
#
# Every *.dll under DIR (symlinks resolved, each real file once) is read
# by `asmgate inspect --format json` (one run over all of them) and by
# `monodis --assembly` and `sn -Tp` (per file, two at a time). For each
# assembly the name, version, culture, public key and public key token
# must agree; files that neither side reads as an assembly (native DLLs,
# modules, reference stubs that are not PE) are skipped. Disagreements
# are printed one per field; the last line is
#   xcheck-mono: N assemblies, A agree, D disagree, S skipped (not assemblies)
# Exit 0 when nothing disagrees, 1 otherwise, 2 on a setup error.
# Without Mono (monodis, sn) or python3 it says SKIP and exits 0.

asmgate=${1:-build/asmgate}
[ $# -gt 0 ] && shift
[ $# -gt 0 ] || set -- /usr/lib/mono

if ! command -v monodis >/dev/null 2>&1 || ! command -v sn >/dev/null 2>&1
then
	echo "xcheck-mono: SKIP: Mono not installed (monodis, sn)"
	exit 0
fi
if ! command -v python3 >/dev/null 2>&1; then
	echo "xcheck-mono: SKIP: python3 not installed (needed to read JSON)"
	exit 0
fi
if [ ! -x "$asmgate" ]; then
	echo "xcheck-mono: $asmgate is not built (make)" >&2
	exit 2
fi
case $asmgate in /*) ;; *) asmgate=$(pwd)/$asmgate ;; esac

tmp=$(mktemp -d "${TMPDIR:-/tmp}/xcheck-mono.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir "$tmp/m"

# Real paths, each once; broken links dropped.
find "$@" -name '*.dll' \( -type f -o -type l \) -print |
	while IFS= read -r p; do readlink -e -- "$p"; done |
	LC_ALL=C sort -u >"$tmp/list"
total=$(wc -l <"$tmp/list")
if [ "$total" -eq 0 ]; then
	echo "xcheck-mono: no .dll files under $*" >&2
	exit 2
fi
echo "xcheck-mono: $total files; reading them with asmgate, monodis and sn"

# asmgate: one run (xargs only splits if the list passes ARG_MAX; each
# run then prints its own JSON document).
tr '\n' '\0' <"$tmp/list" |
	xargs -0 "$asmgate" inspect --format json >"$tmp/asmgate.json" \
	    2>"$tmp/asmgate.err"

# Mono: per file, two at a time; file number N writes m/N.asm, m/N.sn.
to=""
command -v timeout >/dev/null 2>&1 && to="timeout 60"
export tmp to
# shellcheck disable=SC2016 # expanded by the inner sh
seq 1 "$total" | xargs -P2 -I{} sh -c '
	p=$(sed -n "$1p" "$tmp/list")
	$to monodis --assembly "$p" >"$tmp/m/$1.asm" 2>/dev/null
	$to sn -Tp "$p" >"$tmp/m/$1.sn" 2>&1
' sh {}

python3 - "$tmp" <<'EOF'
import json, os, re, sys

tmp = sys.argv[1]
paths = open(os.path.join(tmp, "list"), encoding="utf-8").read().splitlines()

# asmgate: one or more JSON documents, one file object per path
text = open(os.path.join(tmp, "asmgate.json"), encoding="utf-8").read()
dec = json.JSONDecoder()
ours = {}
pos = 0
while True:
    while pos < len(text) and text[pos].isspace():
        pos += 1
    if pos >= len(text):
        break
    doc, pos = dec.raw_decode(text, pos)
    for f in doc["files"]:
        ours[f["path"]] = f

NOT_ASSEMBLY = {"empty", "not-pe", "not-dotnet", "no-assembly"}


def monodis(n):
    """Fields of `monodis --assembly`, or None when it shows no row.
    "key" is the PublicKey dump as hex ("" for "Zero sized public key"),
    None when the dump could not be read."""
    try:
        out = open(os.path.join(tmp, "m", "%d.asm" % n), encoding="utf-8",
                   errors="replace").read()
    except OSError:
        return None
    m = {}
    key, in_key = None, False
    for line in out.splitlines():
        for k in ("Name", "Version", "Culture"):
            if line.startswith(k + ":"):
                m[k] = line[len(k) + 1:].strip()
        if line.startswith("PublicKey:"):
            in_key, key = True, ""
        elif line.startswith("Culture:"):
            in_key = False
        elif in_key:
            h = re.match(r"\s*0x[0-9A-Fa-f]+:((?: [0-9A-Fa-f]{2})+)", line)
            if h:
                key += h.group(1).replace(" ", "").lower()
            elif "Zero sized" in line:
                key = ""
    m["key"] = key
    return m if "Name" in m else None


def sn(n):
    """(public key hex, token hex) from `sn -Tp`, or None."""
    try:
        out = open(os.path.join(tmp, "m", "%d.sn" % n), encoding="utf-8",
                   errors="replace").read()
    except OSError:
        return None
    k = re.search(r"Public Key:(.*?)Public Key Token:([^\n]*)", out, re.S)
    if not k:
        return None
    key = re.sub(r"\s+", "", k.group(1)).lower()
    tok = k.group(2).strip().lower()
    return key, tok


agree = disagree = skipped = 0
for n, p in enumerate(paths, 1):
    f = ours.get(p)
    mono = monodis(n)
    problems = []
    if f is None:
        problems.append(("asmgate", "no report for this file", ""))
        ours_asm = False
    else:
        err = f.get("error")
        ours_asm = err is None
        if err is not None and err["code"] not in NOT_ASSEMBLY:
            # asmgate refused a file: wrong unless Mono refuses it too
            if mono is not None:
                problems.append(("read", "%s: %s" % (err["code"],
                                 err["message"]), "an assembly"))
    if not ours_asm and mono is None and not problems:
        skipped += 1
        continue
    if ours_asm and mono is None:
        problems.append(("assembly", "an assembly",
                         "not an assembly (monodis --assembly)"))
    elif not ours_asm and mono is not None and not problems:
        problems.append(("assembly", "not an assembly (%s)" %
                         (f["error"]["code"] if f else "?"), "an assembly"))
    if ours_asm and mono is not None:
        a = f["assembly"]
        for field, mine, theirs in (("name", a["name"], mono["Name"]),
                                    ("version", a["version"],
                                     mono.get("Version", "")),
                                    ("culture", a["culture"],
                                     mono.get("Culture", ""))):
            if mine != theirs:
                problems.append((field, mine, theirs))
        if mono["key"] is not None and (a["publicKey"] or "") != mono["key"]:
            problems.append(("publicKey (monodis)", a["publicKey"] or "",
                             mono["key"]))
        s = sn(n)
        if s is None and mono["key"] == "":
            # Mono's sn -T/-Tp throws NullReferenceException on an
            # assembly without a public key; monodis shows none: no key,
            # no token.
            s = ("", "")
        if s is None:
            problems.append(("publicKey", a["publicKey"] or "",
                             "(sn -Tp printed no key)"))
        else:
            if (a["publicKey"] or "") != s[0]:
                problems.append(("publicKey", a["publicKey"] or "", s[0]))
            if (a["publicKeyToken"] or "") != s[1]:
                problems.append(("publicKeyToken", a["publicKeyToken"] or "",
                                 s[1]))
    if problems:
        disagree += 1
        for field, mine, theirs in problems:
            print("xcheck-mono: DISAGREE %s %s: asmgate %r, mono %r" %
                  (p, field, mine, theirs))
    else:
        agree += 1

print("xcheck-mono: %d assemblies, %d agree, %d disagree, %d skipped "
      "(not assemblies)" % (agree + disagree, agree, disagree, skipped))
sys.exit(1 if disagree else 0)
EOF
