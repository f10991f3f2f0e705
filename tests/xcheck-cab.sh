#!/bin/sh
# Cross-check asmgate's cabinet reader against cabextract.
#
# usage: xcheck-cab.sh [ZIPLS [DIR...]]      (make xcheck-cab)
#
# ZIPLS (build/zipls, tests/xcheck/zipls.c) lists a container through
# libasmgate: member names, sizes and SHA-256 of each member read whole.
# cabextract extracts the same cabinet into a scratch folder, and the
# two must agree (names, sizes, SHA-256) for every cabinet under
# samples/ and the DIRs given (found by content: "MSCF" at offset 0),
# and for every .cab found on this machine (find / -xdev, at most
# XCHECK_MAX_FILES files of at most 64 MiB; /proc, /sys, /work, /tmp and
# /var/tmp skipped).
#
# A refusal (of a cabinet or of one member) counts as by design when its
# status is "unsupported" or "limit" (Quantum, a file spanning cabinets,
# the ratio cap). Any other refusal of a cabinet cabextract extracts
# without error is a disagreement (exit 1), except for the malformed
# samples (samples/cab/README.md), which exist to be refused. Without
# cabextract or python3 the check prints SKIP and exits 0.
root=$(cd "$(dirname "$0")/.." && pwd)
zipls=${1:-$root/build/zipls}
[ $# -gt 0 ] && shift
if ! command -v cabextract >/dev/null 2>&1; then
	echo "xcheck-cab: SKIP: cabextract not found (apt-get install cabextract)"
	exit 0
fi
if ! command -v python3 >/dev/null 2>&1; then
	echo "xcheck-cab: SKIP: python3 not found (apt-get install python3)"
	exit 0
fi
[ -x "$zipls" ] || { echo "xcheck-cab: $zipls not built (make build/zipls)" >&2; exit 2; }
exec python3 - "$zipls" "$root" "${XCHECK_MAX_FILES:-2000}" "$@" <<'EOF'
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile

zipls, root, max_files = sys.argv[1], sys.argv[2], int(sys.argv[3])
extra_dirs = sys.argv[4:]

BY_DESIGN = ("unsupported", "limit")

# samples/cab/README.md, "Malformed": refused on purpose.
MALFORMED_SAMPLES = set(os.path.join(root, "samples", "cab", f) for f in (
    "bad-checksum.cab", "cbcabinet-mismatch.cab", "file-outside-folder.cab",
    "cfdata-past-end.cab", "cbuncomp-too-big.cab", "bad-folder-index.cab",
    "files-overlap.cab",
    "name-without-nul.cab", "truncated-header.cab", "lzx-window.cab",
    "block-short.cab", "mszip-no-ck.cab", "lzx-bad-data.cab"))


def is_cab(path):
    try:
        with open(path, "rb") as f:
            return f.read(4) == b"MSCF"
    except OSError:
        return False


def reference(path):
    """(rc, {name_hex: (size, sha)}) of what cabextract extracted."""
    out = {}
    with tempfile.TemporaryDirectory() as d:
        r = subprocess.run(["cabextract", "-q", "-s", "-e", "ISO-8859-1",
                            "-d", d, path],
                           stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=600)
        for top, _, files in os.walk(d):
            for f in files:
                p = os.path.join(top, f)
                rel = os.path.relpath(p, d)
                with open(p, "rb") as fh:
                    data = fh.read()
                key = rel.encode("utf-8", "surrogateescape").hex()
                out[key] = (len(data), hashlib.sha256(data).hexdigest())
    return r.returncode, out


def asmgate(path):
    r = subprocess.run([zipls, path], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=600)
    lines = r.stdout.decode("utf-8", "replace").splitlines()
    if r.returncode == 1 and lines and lines[0].startswith("E "):
        return ("E", lines[0][2:])
    if r.returncode != 0:
        return ("X", "zipls exit %d: %s" % (r.returncode,
                                           r.stderr.decode()[-200:]))
    out = {}
    for ln in lines:
        p = ln.split(" ", 3)
        if p[0] == "M":
            out[p[1]] = ("M", int(p[2]), p[3])
        elif p[0] == "U":
            out[p[1]] = ("U", " ".join(p[2:]))
        else:
            out[p[1]] = ("D",)
    return ("OK", out)


def find_in(dirs):
    found = []
    for top in dirs:
        for d, dirnames, files in os.walk(top):
            dirnames.sort()
            for f in sorted(files):
                p = os.path.join(d, f)
                if os.path.isfile(p) and is_cab(p):
                    found.append(p)
    return sorted(found)


def find_machine():
    found = []
    skip = ("/proc", "/sys", "/dev", "/run", "/work", "/tmp", "/var/tmp")
    dev = os.stat("/").st_dev
    for d, dirs, files in os.walk("/"):
        if d.startswith(skip) or os.stat(d).st_dev != dev:
            dirs[:] = []
            continue
        dirs.sort()
        for f in sorted(files):
            if not f.lower().endswith(".cab"):
                continue
            p = os.path.join(d, f)
            try:
                if (not os.path.isfile(p) or os.path.islink(p)
                        or os.path.getsize(p) > (64 << 20)):
                    continue
            except OSError:
                continue
            if is_cab(p):
                found.append(p)
                if len(found) >= max_files:
                    return found
    return found


def compare(path, stats, notes):
    rc, ref = reference(path)
    ours = asmgate(path)
    if ours[0] == "X":
        stats["disagree"] += 1
        notes.append("CRASH? %s: %s" % (path, ours[1]))
        return
    if ours[0] == "E":
        if rc != 0:
            stats["both refuse"] += 1
        elif ours[1].split(" ", 1)[0] in BY_DESIGN:
            stats["refused by design"] += 1
            notes.append("refused by design: %s: %s" % (path, ours[1]))
        elif path in MALFORMED_SAMPLES:
            stats["malformed samples"] += 1
            notes.append("refused (malformed sample): %s: %s"
                         % (path, ours[1]))
        else:
            stats["disagree"] += 1
            notes.append("DISAGREE refused: %s: %s (cabextract extracts "
                         "it)" % (path, ours[1]))
        return
    bad = []
    for k, x in sorted(ours[1].items()):
        name = bytes.fromhex(k).decode("utf-8", "replace")
        y = ref.get(k)
        if x[0] == "U":
            if x[1].split(" ", 1)[0] in BY_DESIGN:
                stats["members refused by design"] += 1
            elif y is None or rc != 0 or path in MALFORMED_SAMPLES:
                stats["members refused by both"] += 1
            else:
                bad.append("%s: asmgate refuses (%s), cabextract "
                           "extracts it" % (name, x[1]))
            continue
        if x[0] != "M":
            continue
        if y is None:
            bad.append("%s: cabextract did not extract it" % name)
        elif (x[1], x[2]) != y:
            bad.append("%s: asmgate %s, cabextract %s" % (name, x[1:], y))
        else:
            stats["members agree"] += 1
    only_ref = sorted(set(ref) - set(ours[1]))
    if only_ref:
        bad.append("only cabextract: %s" % [bytes.fromhex(k).decode(
            "utf-8", "replace") for k in only_ref[:3]])
    if bad:
        stats["disagree"] += 1
        notes.append("DISAGREE %s: %s" % (path, "; ".join(bad[:3])))
    else:
        stats["agree"] += 1


def run(label, paths):
    stats = {"agree": 0, "disagree": 0, "both refuse": 0,
             "refused by design": 0, "malformed samples": 0,
             "members agree": 0, "members refused by design": 0,
             "members refused by both": 0}
    notes = []
    for p in paths:
        compare(p, stats, notes)
    for n in notes:
        print("xcheck-cab: %s: %s" % (label, n))
    print("xcheck-cab: %s: %d cabinets: %d agree, %d disagree, "
          "%d refused by asmgate only (%d by design, %d malformed "
          "samples), %d refused by both; members: %d agree, %d refused "
          "by design, %d refused by both" % (
              label, len(paths), stats["agree"], stats["disagree"],
              stats["refused by design"] + stats["malformed samples"],
              stats["refused by design"], stats["malformed samples"],
              stats["both refuse"], stats["members agree"],
              stats["members refused by design"],
              stats["members refused by both"]))
    return stats["disagree"]


bad = run("samples", find_in([os.path.join(root, "samples")]))
if extra_dirs:
    bad += run("given", find_in(extra_dirs))
bad += run("machine", find_machine())
sys.exit(1 if bad else 0)
EOF
