#!/bin/sh
# xcheck-verify.sh - cross-check `asmgate verify` against Mono's `sn -v`.
#
# Usage: sh tests/xcheck-verify.sh [ASMGATE]     (default build/asmgate)
#
# Compares `ASMGATE verify --format json` with Mono's `sn -v` on
#   (a) every .dll under /usr/lib/mono (deduplicated by realpath), once
#       without key mapping and once with `--key-map TOKEN=KEY` for every
#       <pubTokenMapping> entry of /etc/mono/4.5/machine.config (the key is
#       the entry's PublicKey attribute, i.e. what Mono itself uses);
#   (b) every file in samples/valid and samples/states, with that mapping
#       (the configuration Mono's sn -v runs with).
# Agreement: asmgate says `signed` <=> sn -v exits 0. A difference that Mono's
# known limits explain is listed as "not comparable" with the reason instead
# of counting as a disagreement:
#   - SHA-2 keys (HashAlgID 0x800C/D/E): Mono hashes with SHA-1 only;
#   - enhanced strong naming (AssemblySignatureKeyAttribute): Mono ignores it;
#   - flag-only differences: Mono ignores the StrongNameSigned flag;
#   - run (a) without mapping, a token Mono maps: Mono uses the mapped key;
#   - samples that are invalid by structure only (writable section, unknown
#     COR flag, overlapping sections): Mono makes no such checks.
# Prints each disagreement, then
#   xcheck-verify: GAC without mapping: N files, A agree, D disagree, X not
#   comparable; with mapping: ...; samples: ...
# Exit 0 all agree, 1 any disagreement, 2 setup error. Without Mono's sn it
# prints "xcheck-verify: SKIP: Mono not installed (sn)" and exits 0.
# sn -v is slow (a Mono start per file), so it runs through xargs -P2.
# Reasons shared by more than 10 files are summarised in one line;
# XCHECK_VERBOSE=1 lists every file.

set -u

asmgate=${1:-build/asmgate}
case $asmgate in
*/*) [ -e "$asmgate" ] && asmgate=$(cd "$(dirname "$asmgate")" && pwd)/$(basename "$asmgate") ;;
esac
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here" || exit 2
machine_config=${XCHECK_MACHINE_CONFIG:-/etc/mono/4.5/machine.config}
mono_root=${XCHECK_MONO_ROOT:-/usr/lib/mono}

if ! command -v sn >/dev/null 2>&1; then
    echo "xcheck-verify: SKIP: Mono not installed (sn)"
    exit 0
fi
if ! command -v python3 >/dev/null 2>&1; then
    echo "xcheck-verify: python3 is needed" >&2
    exit 2
fi
if [ ! -x "$asmgate" ]; then
    echo "xcheck-verify: $asmgate is not built (run make)" >&2
    exit 2
fi
if ! "$asmgate" verify --help >/dev/null 2>&1; then
    echo "xcheck-verify: '$asmgate verify --help' fails: verify not available" >&2
    exit 2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/xcheck-verify.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT HUP INT TERM

# ---------------------------------------------------------------- file lists
find "$mono_root" \( -type f -o -type l \) -name '*.dll' \
    -exec realpath -e {} + 2>/dev/null | LC_ALL=C sort -u >"$tmp/gac.list"
find samples/valid samples/states -type f \( -name '*.dll' -o -name '*.exe' \) |
    LC_ALL=C sort >"$tmp/samples.list"
echo "xcheck-verify: $(wc -l <"$tmp/gac.list") files under $mono_root," \
    "$(wc -l <"$tmp/samples.list") samples; running sn -v (xargs -P2)..."

# ---------------------------------------------------------------- sn -v
# One line per file: "<exit status> <path>". printf writes each line with a
# single write(), so the two parallel workers do not interleave.
to=""
if command -v timeout >/dev/null 2>&1; then
    to="timeout 120"
fi
# shellcheck disable=SC2016 # $1 and $? belong to the generated script
printf '%s sn -q -v "$1" >/dev/null 2>&1\nprintf "%%s %%s\\n" "$?" "$1"\n' \
    "$to" >"$tmp/sn1.sh"
cat "$tmp/gac.list" "$tmp/samples.list" |
    xargs -r -d '\n' -P2 -n1 sh "$tmp/sn1.sh" >"$tmp/sn.out"

# ---------------------------------------------------------------- compare
python3 - "$asmgate" "$tmp" "$machine_config" <<'EOF'
import json
import os
import re
import subprocess
import sys

asmgate, tmp, machine_config = sys.argv[1:4]
verbose = os.environ.get("XCHECK_VERBOSE", "") not in ("", "0")


def lines(path):
    with open(path) as f:
        return [ln.rstrip("\n") for ln in f if ln.strip()]


gac = lines(os.path.join(tmp, "gac.list"))
samples = lines(os.path.join(tmp, "samples.list"))
sn = {}
for ln in lines(os.path.join(tmp, "sn.out")):
    rc, path = ln.split(" ", 1)
    sn[path] = int(rc)

# pubTokenMapping of machine.config -> one key file per token
maps = []
mapped_tokens = set()
if os.path.exists(machine_config):
    with open(machine_config, encoding="utf-8", errors="replace") as f:
        text = f.read()
    m = re.search(r"<pubTokenMapping>(.*?)</pubTokenMapping>", text, re.S)
    body = re.sub(r"<!--.*?-->", "", m.group(1), flags=re.S) if m else ""
    for tag in re.finditer(r"<map\b([^>]*)/?>", body):
        attrs = dict(re.findall(r'(\w+)\s*=\s*"([^"]*)"', tag.group(1)))
        tok = attrs.get("Token", "").lower()
        key = attrs.get("PublicKey", "")
        if not re.fullmatch(r"[0-9a-f]{16}", tok) or not re.fullmatch(
                r"(?:[0-9a-fA-F]{2})+", key):
            print("xcheck-verify: ignoring malformed map entry: %s" % tag.group(0))
            continue
        kf = os.path.join(tmp, "map-%s.pub" % tok)
        with open(kf, "wb") as f:
            f.write(bytes.fromhex(key))
        maps.append("--key-map=%s=%s" % (tok, kf))
        mapped_tokens.add(tok)
    print("xcheck-verify: %s: %d pubTokenMapping entries (%s)"
          % (machine_config, len(maps), ", ".join(sorted(mapped_tokens))))
else:
    print("xcheck-verify: %s not found: no mapping run" % machine_config)


def run_chunk(files, extra):
    cmd = [asmgate, "verify", "--format", "json", "--jobs", "2"] + extra + files
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.returncode not in (0, 1, 2):
        raise RuntimeError("exit %d" % r.returncode)
    doc = json.loads(r.stdout.decode("utf-8", errors="replace"))
    return {e["path"]: e for e in doc["files"]}


def run_asmgate(files, extra):
    """path -> JSON entry; a crash is recorded as {"crash": "..."}."""
    out = {}
    for i in range(0, len(files), 400):
        chunk = files[i:i + 400]
        try:
            out.update(run_chunk(chunk, extra))
        except (RuntimeError, ValueError, KeyError):
            for f in chunk:     # isolate the file that breaks it
                try:
                    out.update(run_chunk([f], extra))
                except (RuntimeError, ValueError, KeyError) as e:
                    out[f] = {"crash": str(e)}
    return out


STRUCTURAL = {
    "invalid--sig-in-writable-section.dll":
        "signature in a writable section: Mono does not check section flags",
    "invalid--unknown-cor-flag.dll": "unknown COR flag: Mono does not check COR flags",
    "invalid--sections-overlap.dll":
        "overlapping section raw data: Mono does not check the section layout",
}


def asmgate_verdict(e):
    """(short text, is-signed)."""
    if e is None:
        return "no result", False
    if "crash" in e:
        return "asmgate crashed (%s)" % e["crash"], False
    if e.get("skipped"):
        return "skipped (%s)" % e["skipped"], False
    if e.get("error"):
        return "error %s" % e["error"].get("code"), False
    s = e.get("signature") or {}
    st = s.get("state", "?")
    return st, st == "signed"


def why_not_comparable(path, e, with_map):
    """The reason Mono's answer cannot be compared, or None."""
    if not e or "crash" in e:
        return None
    a = e.get("assembly") or {}
    sig = e.get("signature") or {}
    # unsigned, delay-signed and public-signed are decided without any
    # cryptography (no key, or a zero slot): no Mono limit explains a
    # difference there.
    if sig.get("state") not in ("signed", "invalid", "test-signed"):
        return None
    for at in e.get("attributes") or []:
        if at.get("type") == "System.Reflection.AssemblySignatureKeyAttribute":
            return "enhanced strong naming: Mono ignores AssemblySignatureKeyAttribute"
    if sig.get("verifiedWith") == "signature-key":
        return "enhanced strong naming: Mono ignores AssemblySignatureKeyAttribute"
    pk = a.get("publicKey") or ""
    if len(pk) >= 16:
        ha = int.from_bytes(bytes.fromhex(pk[8:16]), "little")
        if ha in (0x800C, 0x800D, 0x800E):
            return "SHA-2 key (HashAlgID 0x%X): Mono hashes with SHA-1 only" % ha
    if sig.get("hashAlgorithm") not in (None, "sha1"):
        return "hash %s: Mono hashes with SHA-1 only" % sig.get("hashAlgorithm")
    tok = (a.get("publicKeyToken") or "").lower()
    if not with_map and tok in mapped_tokens:
        return ("token %s: Mono verifies it with the machine.config mapped key; "
                "this run has no --key-map" % tok)
    if sig.get("state") != "signed" and any(
            "StrongNameSigned flag" in r for r in sig.get("reasons") or []):
        return "flag-only difference: Mono ignores the StrongNameSigned flag"
    name = os.path.basename(path)
    if name in STRUCTURAL:
        return STRUCTURAL[name]
    return None


def compare(label, files, extra, with_map):
    res = run_asmgate(files, extra)
    agree = disagree = nc = 0
    by_reason = {}
    for f in files:
        e = res.get(f)
        text, signed = asmgate_verdict(e)
        rc = sn.get(f)
        if rc is None:
            print("xcheck-verify: %s: %s: no sn -v result" % (label, f))
            disagree += 1
            continue
        mono_valid = rc == 0
        if signed == mono_valid:
            agree += 1
            continue
        why = why_not_comparable(f, e, with_map)
        mono = "valid" if mono_valid else "not valid (exit %d)" % rc
        reasons = "; ".join(((e or {}).get("signature") or {}).get("reasons") or [])
        if why:
            nc += 1
            by_reason.setdefault(why, []).append(
                "%s: asmgate %s, sn -v %s" % (f, text, mono))
        else:
            disagree += 1
            print("xcheck-verify: %s: DISAGREE: %s: asmgate %s%s, sn -v %s"
                  % (label, f, text, " (%s)" % reasons if reasons else "", mono))
    for why, items in sorted(by_reason.items()):
        if len(items) > 10 and not verbose:
            print("xcheck-verify: %s: not comparable (%d files): %s; e.g. %s "
                  "(XCHECK_VERBOSE=1 lists all)" % (label, len(items), why, items[0]))
            continue
        for it in items:
            print("xcheck-verify: %s: not comparable: %s: %s" % (label, it, why))
    return "%s: %d files, %d agree, %d disagree, %d not comparable" % (
        label, len(files), agree, disagree, nc), disagree


parts = []
bad = 0
for label, files, extra, with_map in (
        ("GAC without mapping", gac, [], False),
        ("GAC with mapping", gac, maps, True),
        ("samples", samples, maps, True)):
    if with_map and not maps:
        parts.append("%s: not run (no mapping)" % label)
        continue
    line, d = compare(label, files, extra, with_map)
    parts.append(line)
    bad += d
print("xcheck-verify: " + "; ".join(parts).replace("; GAC with mapping:", "; with mapping:"))
sys.exit(1 if bad else 0)
EOF
