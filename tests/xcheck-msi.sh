#!/bin/sh
# Cross-check asmgate's installer-database reader against msitools'
# msiextract (libmsi + libgcab).
#
# usage: xcheck-msi.sh [ZIPLS] [FILE...]      (make xcheck-msi)
#
# ZIPLS (build/zipls, tests/xcheck/zipls.c) lists a container through
# libasmgate: member names, sizes and SHA-256 of each member read whole.
# msiextract extracts the same database into a temporary folder; the
# files it writes (path, size, SHA-256) must be the members asmgate
# lists. Paths are compared after their first segment, the system folder,
# which the two name differently (asmgate: the property without "Folder",
# "ProgramFiles"; msiextract: "Program Files", or the DefaultDir such as
# "PFiles64" for folders it does not know). Every .msi/.msm under
# samples/msi (the malformed ones excepted: they exist to be refused) and
# any FILE given are checked. msiextract runs under `timeout` (it does
# not return on a Directory cycle). Without python3 or msiextract the
# check prints SKIP and exits 0.
root=$(cd "$(dirname "$0")/.." && pwd)
zipls=${1:-$root/build/zipls}
[ $# -gt 0 ] && shift
for t in python3 msiextract timeout; do
	if ! command -v "$t" >/dev/null 2>&1; then
		echo "xcheck-msi: SKIP: $t not found (apt-get install python3 msitools)"
		exit 0
	fi
done
[ -x "$zipls" ] || { echo "xcheck-msi: $zipls not built (make build/zipls)" >&2; exit 2; }
exec python3 - "$zipls" "$root" "$@" <<'EOF'
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile

zipls, root, extra = sys.argv[1], sys.argv[2], sys.argv[3:]


def tail(path):
    parts = path.split("/")
    return "/".join(parts[1:]) if len(parts) > 1 else path


def ours(path):
    r = subprocess.run([zipls, path], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=600)
    lines = r.stdout.decode("utf-8", "replace").splitlines()
    if r.returncode != 0:
        return None, "zipls exit %d: %s" % (r.returncode,
                                             " ".join(lines)[:200])
    out = []
    for ln in lines:
        p = ln.split(" ", 3)
        name = bytes.fromhex(p[1]).decode("utf-8", "replace")
        if p[0] == "M":
            out.append((name, int(p[2]), p[3]))
        elif p[0] == "U":
            out.append((name, -1, " ".join(p[2:])))
    return out, None


def theirs(path):
    tmp = tempfile.mkdtemp(prefix="xcheck-msi.")
    try:
        r = subprocess.run(["timeout", "60", "msiextract", "-C", tmp, path],
                           stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE)
        if r.returncode != 0:
            return None, "msiextract exit %d: %s" % (
                r.returncode, r.stderr.decode("utf-8", "replace")[-200:])
        out = []
        for d, _, files in os.walk(tmp):
            for f in files:
                p = os.path.join(d, f)
                with open(p, "rb") as fh:
                    data = fh.read()
                out.append((os.path.relpath(p, tmp), len(data),
                            hashlib.sha256(data).hexdigest()))
        return out, None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


files = []
for d, _, fs in os.walk(os.path.join(root, "samples", "msi")):
    if os.sep + "malformed" in d:
        continue
    for f in sorted(fs):
        if f.endswith((".msi", ".msm")):
            files.append(os.path.join(d, f))
files = sorted(files) + extra

stats = {"databases": 0, "members": 0, "agree": 0, "disagree": 0,
         "skipped": 0}
for path in files:
    a, why_a = ours(path)
    b, why_b = theirs(path)
    rel = os.path.relpath(path, root)
    if b is None:
        stats["skipped"] += 1
        print("xcheck-msi: %s: msiextract cannot read it (%s); %s" % (
            rel, why_b.strip(), "asmgate lists %d members" % len(a)
            if a is not None else "asmgate refuses it too: " + why_a))
        continue
    stats["databases"] += 1
    if a is None:
        stats["disagree"] += 1
        print("DISAGREE %s: asmgate refuses (%s), msiextract reads %d "
              "files" % (rel, why_a, len(b)))
        continue
    mine = sorted((tail(n), s, h) for n, s, h in a if s >= 0)
    unread = [(n, h) for n, s, h in a if s < 0]
    ref = sorted((tail(n), s, h) for n, s, h in b)
    stats["members"] += len(a)
    if unread:
        for n, h in unread:
            print("xcheck-msi: %s!%s: not read: %s" % (rel, n, h))
    if mine == ref:
        stats["agree"] += 1
        continue
    # Global assembly cache: msiextract writes such files into their
    # component's directory; asmgate names them GlobalAssemblyCache/NAME.
    gac = [(n, s_, h) for n, s_, h in a if n.startswith(
        "GlobalAssemblyCache/")]
    if gac:
        rest = [x for x in ref if not any(
            x[0].split("/")[-1] == n.split("/")[-1] and x[2] == h
            for n, _, h in gac)]
        if len(rest) == len(ref) - len(gac) and sorted(
                (tail(n), s_, h) for n, s_, h in a
                if not n.startswith("GlobalAssemblyCache/")) == rest:
            stats["agree"] += 1
            print("xcheck-msi: %s: agrees; %d file(s) bound for the "
                  "global assembly cache, which msiextract writes to "
                  "their component's folder" % (rel, len(gac)))
            continue
    # Uncompressed media: msiextract reads cabinets only; compare with
    # the source image beside the database.
    if not ref and mine:
        base = os.path.dirname(path)
        src = []
        for n, s_, h in mine:
            f = os.path.join(base, n)
            if os.path.isfile(f):
                with open(f, "rb") as fh:
                    d = fh.read()
                src.append((n, len(d), hashlib.sha256(d).hexdigest()))
        if src == mine:
            stats["agree"] += 1
            print("xcheck-msi: %s: msiextract extracts no uncompressed "
                  "media; all %d members equal the source image's files"
                  % (rel, len(mine)))
            continue
    # Two rows for one path: msiextract keeps the last file written,
    # asmgate lists both with "#<File key>".
    mine_d = sorted(set((n.split("#")[0], s, h) for n, s, h in mine))
    if all(x in mine_d for x in ref) and \
            set(n for n, _, _ in mine_d) == set(n for n, _, _ in ref):
        stats["agree"] += 1
        print("xcheck-msi: %s: agrees; asmgate also lists the files "
              "msiextract overwrote (%d more)" % (rel, len(mine) - len(ref)))
        continue
    stats["disagree"] += 1
    print("DISAGREE %s:\n  asmgate    %s\n  msiextract %s" % (
        rel, [(n, s, h[:12]) for n, s, h in mine],
        [(n, s, h[:12]) for n, s, h in ref]))
print("xcheck-msi: %d databases compared, %d members, %d agree, "
      "%d disagree, %d msiextract could not read" % (
          stats["databases"], stats["members"], stats["agree"],
          stats["disagree"], stats["skipped"]))
sys.exit(1 if stats["disagree"] else 0)
EOF
