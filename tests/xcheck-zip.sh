#!/bin/sh
# Cross-check asmgate's ZIP reader against Python's zipfile (and Info-ZIP
# unzip -t, where installed, for a second opinion on archives asmgate
# refuses).
#
# usage: xcheck-zip.sh [ZIPLS]      (make xcheck-zip)
#
# ZIPLS (build/zipls, tests/xcheck/zipls.c) lists a container through
# libasmgate: member names, sizes and SHA-256 of each file member read
# whole. The same is computed with Python's zipfile, and the two lists
# must agree for every container under samples/ (found by content) and
# for every .zip/.nupkg/.vsix/.jar/.whl found on this machine (find /
# -xdev, at most XCHECK_MAX_FILES files of at most 64 MiB; /proc, /sys,
# /work and the temporary folders /tmp and /var/tmp skipped: what other
# runs left there is no installed archive).
#
# A refusal (of an archive or of one member) counts as by design when its
# status is "unsupported" or "limit" (encryption, a compression method,
# size or ratio caps). Any other refusal ("malformed", "truncated") of an
# archive or member that zipfile reads is a disagreement (exit 1), except
# for the malformed samples named below (samples/zip/README.md), which
# exist to be refused. Without python3 the check prints SKIP and exits 0.
root=$(cd "$(dirname "$0")/.." && pwd)
zipls=${1:-$root/build/zipls}
if ! command -v python3 >/dev/null 2>&1; then
	echo "xcheck-zip: SKIP: python3 not found (apt-get install python3)"
	exit 0
fi
[ -x "$zipls" ] || { echo "xcheck-zip: $zipls not built (make build/zipls)" >&2; exit 2; }
exec python3 - "$zipls" "$root" "${XCHECK_MAX_FILES:-2000}" <<'EOF'
import hashlib
import os
import shutil
import subprocess
import sys
import zipfile

zipls, root, max_files = sys.argv[1], sys.argv[2], int(sys.argv[3])
unzip = shutil.which("unzip")

# Refusals by design: statuses that say "not handled", not "broken".
BY_DESIGN = ("unsupported", "limit")

# samples/zip/README.md, "Malformed": refused on purpose.
MALFORMED_SAMPLES = set(os.path.join(root, "samples", "zip", f) for f in (
    "truncated-central-directory.zip", "local-central-mismatch.zip",
    "bad-crc.zip", "overlapping-members.zip", "member-past-end.zip",
    "zip64-bogus-sizes.zip", "ratio-bomb.zip", "duplicate-names.zip",
    "encrypted-member.zip", "bzip2-member.zip", "hidden-member-in-gap.zip",
    "descriptor-flag-central-only.zip", "utf8-flag-invalid-name.zip",
    "backslash-duplicate.zip", "path-traversal.zip"))


def is_container(path):
    try:
        with open(path, "rb") as f:
            head = f.read(4)
    except OSError:
        return False
    return head in (b"PK\3\4", b"PK\5\6")


def reference(path):
    """('E', why) or ('OK', {name_hex: entry}) with entry ('D',) or
    ('M', size, sha) or ('U', why)."""
    try:
        z = zipfile.ZipFile(path)
    except Exception as e:  # noqa: BLE001 - any refusal counts
        return ("E", type(e).__name__ + ": " + str(e))
    out = {}
    with z:
        for info in z.infolist():
            key = info.filename.encode("utf-8", "surrogateescape").hex()
            if info.is_dir():
                out[key] = ("D",)
                continue
            try:
                data = z.read(info)
            except Exception as e:  # noqa: BLE001
                out[key] = ("U", type(e).__name__ + ": " + str(e))
                continue
            out[key] = ("M", len(data), hashlib.sha256(data).hexdigest())
        if len(out) != len(z.infolist()):
            return ("E", "duplicate names")
    return ("OK", out)


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
        if p[0] == "D":
            out[p[1]] = ("D",)
        elif p[0] == "M":
            out[p[1]] = ("M", int(p[2]), p[3])
        else:
            out[p[1]] = ("U", " ".join(p[2:]))
    return ("OK", out)


def unzip_ok(path):
    if not unzip:
        return None
    r = subprocess.run([unzip, "-tqq", path], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    return r.returncode == 0


def find_samples():
    found = []
    for d, _, files in os.walk(os.path.join(root, "samples")):
        for f in sorted(files):
            p = os.path.join(d, f)
            if is_container(p):
                found.append(p)
    return sorted(found)


def find_machine():
    exts = (".zip", ".nupkg", ".vsix", ".jar", ".whl")
    found = []
    skip = ("/proc", "/sys", "/dev", "/run", "/work", "/tmp", "/var/tmp")
    dev = os.stat("/").st_dev
    for d, dirs, files in os.walk("/"):
        if d.startswith(skip) or os.stat(d).st_dev != dev:
            dirs[:] = []
            continue
        dirs.sort()
        for f in sorted(files):
            if not f.lower().endswith(exts):
                continue
            p = os.path.join(d, f)
            try:
                if (not os.path.isfile(p) or os.path.islink(p)
                        or os.path.getsize(p) > (64 << 20)):
                    continue
            except OSError:
                continue
            if is_container(p):
                found.append(p)
                if len(found) >= max_files:
                    return found
    return found


def compare(path, stats, notes):
    ref = reference(path)
    ours = asmgate(path)
    if ours[0] == "X":
        stats["disagree"] += 1
        notes.append("CRASH? %s: %s" % (path, ours[1]))
        return
    if ours[0] == "E":
        if ref[0] == "E":
            stats["both refuse"] += 1
            return
        u = unzip_ok(path)
        why = "%s: %s (zipfile reads it%s)" % (
            path, ours[1], "" if u is None else
            ", unzip -t %s" % ("passes" if u else "fails"))
        if ours[1].split(" ", 1)[0] in BY_DESIGN:
            stats["refused by design"] += 1
            notes.append("refused by design: " + why)
        elif path in MALFORMED_SAMPLES:
            stats["malformed samples"] += 1
            notes.append("refused (malformed sample): " + why)
        else:
            stats["disagree"] += 1
            notes.append("DISAGREE refused: " + why)
        return
    if ref[0] == "E":
        stats["disagree"] += 1
        notes.append("DISAGREE %s: zipfile refuses (%s), asmgate opens"
                     % (path, ref[1]))
        return
    a, b = ours[1], ref[1]
    bad = []
    if set(a) != set(b):
        bad.append("member names differ: only asmgate %s, only zipfile %s"
                   % (sorted(set(a) - set(b))[:3],
                      sorted(set(b) - set(a))[:3]))
    for k in sorted(set(a) & set(b)):
        x, y = a[k], b[k]
        if x[0] == "U":
            name = bytes.fromhex(k).decode("utf-8", "replace")
            if x[1].split(" ", 1)[0] in BY_DESIGN:
                stats["members refused by design"] += 1
                if y[0] != "U":
                    notes.append("member refused by design: %s: %s: %s"
                                 % (path, name, x[1]))
            elif y[0] == "U":
                stats["members refused by both"] += 1
            elif path in MALFORMED_SAMPLES:
                stats["members refused by both"] += 1
                notes.append("member refused (malformed sample): %s: %s: "
                             "%s" % (path, name, x[1]))
            else:
                bad.append("%s: asmgate refuses (%s), zipfile reads it"
                           % (name, x[1]))
            continue
        if x != y:
            bad.append("%s: asmgate %s, zipfile %s" % (
                bytes.fromhex(k).decode("utf-8", "replace"), x, y))
        else:
            stats["members agree"] += 1
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
        print("xcheck-zip: %s: %s" % (label, n))
    print("xcheck-zip: %s: %d archives: %d agree, %d disagree, "
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


bad = run("samples", find_samples())
bad += run("machine", find_machine())
sys.exit(1 if bad else 0)
EOF
