#!/bin/sh
# Cross-check asmgate's Authenticode state against `osslsigncode verify`.
#
# usage: xcheck-authenticode.sh [ASMGATE]     (make xcheck-authenticode)
#
# Files: every sample in samples/authenticode/ (anchor pki/ca.pem, CRL
# pki/crl.pem, time 2026-06-01T00:00:00Z, as samples/authenticode/
# README.md) and every PE file with a certificate table (data directory
# 4 non-empty) found under XCHECK_AC_DIRS (default: /usr/lib/mono
# /usr/share /usr/lib /usr/local /opt), checked with the system bundle,
# the current time and no CRL (osslsigncode -ignore-crl: it would fetch
# CRL distribution points otherwise). Both tools get the same anchors,
# CRL and time. XCHECK_AC_DIRS=/tmp/asmgate-bench-authenticode adds the
# GAC copies make bench-authenticode signs (untrusted with the system
# bundle: their root is the test one).
#
# osslsigncode's outcome is mapped to the six states: exit 0 valid; "No
# signature found" unsigned; MISMATCH or a PKCS#7 signature/digest
# failure invalid; "certificate revoked" revoked; "certificate has
# expired"/"not yet valid" expired; chain and purpose errors untrusted.
# Each signature is verified alone (-index N): osslsigncode passes a file
# when any one signature passes (authenticode.md 4.3), asmgate takes the
# primary's state, and invalid when any signature is invalid.
#
# osslsigncode 2.9 is no oracle (counted apart, with the reason) for: a
# table with several WIN_CERTIFICATE entries (it reads one), non-zero
# bytes after the PKCS#7 inside an entry (no padding check, CVE-2013-3900),
# a table that does not end the file (it ignores it: "unsigned"), and an
# outcome the mapping does not know. Prints agree / disagree / no-oracle
# counts; exit 1 on a disagreement, 0 otherwise. Without osslsigncode
# (or python3) prints SKIP and exits 0. Only files made here or installed
# on the machine are given to osslsigncode (2.9 predates 2.12's fix of a
# digest-length overflow: authenticode.md 7.1).
root=$(cd "$(dirname "$0")/.." && pwd)
asmgate=${1:-$root/build/asmgate}
for t in osslsigncode python3; do
	if ! command -v "$t" >/dev/null 2>&1; then
		echo "xcheck-authenticode: SKIP: $t not found" \
		    "(apt-get install $t)"
		exit 0
	fi
done
if ! osslsigncode -h 2>&1 | grep -q -- "-index"; then
	echo "xcheck-authenticode: SKIP: osslsigncode without -index" \
	    "(2.8 or later needed; found $(osslsigncode -v 2>&1 | head -1))"
	exit 0
fi
[ -x "$asmgate" ] || {
	echo "xcheck-authenticode: $asmgate not built (make)" >&2
	exit 2
}
exec python3 - "$asmgate" "$root" \
    "${XCHECK_AC_DIRS:-/usr/lib/mono /usr/share /usr/lib /usr/local /opt}" \
    <<'PYEOF'
import json
import os
import struct
import subprocess
import sys

asmgate, root, dirs = sys.argv[1], sys.argv[2], sys.argv[3].split()
sdir = os.path.join(root, "samples", "authenticode")
CA = os.path.join(sdir, "pki", "ca.pem")
CRL = os.path.join(sdir, "pki", "crl.pem")
AT = "1780272000"  # 2026-06-01T00:00:00Z


def pe_table(path):
    """(offset, size, data) of the certificate table, or None when the
    file is no PE; (0, 0, data) when the directory is empty."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return None
    if len(data) < 0x40 or data[:2] != b"MZ":
        return None
    lfanew = struct.unpack_from("<I", data, 0x3C)[0]
    if lfanew + 0xB0 > len(data) or data[lfanew:lfanew + 4] != b"PE\0\0":
        return None
    magic = struct.unpack_from("<H", data, lfanew + 24)[0]
    if magic not in (0x10B, 0x20B):
        return None
    dirent = lfanew + 152 + (16 if magic == 0x20B else 0)
    if dirent + 8 > len(data):
        return None
    off, size = struct.unpack_from("<II", data, dirent)
    return off, size, data


def der_len(b, at):
    if at + 2 > len(b) or b[at] != 0x30:
        return None
    n = b[at + 1]
    if n < 0x80:
        return 2 + n
    k = n & 0x7F
    if k == 0 or k > 4 or at + 2 + k > len(b):
        return None
    return 2 + k + int.from_bytes(b[at + 2:at + 2 + k], "big")


def no_oracle_reason(path):
    """Why osslsigncode 2.9 cannot judge this file, or None."""
    t = pe_table(path)
    if not t or not t[1]:
        return None
    off, size, data = t
    if off + size != len(data):
        return "table does not end the file (osslsigncode ignores it)"
    entries, pos = [], off
    while pos + 8 <= off + size:
        dwlen = struct.unpack_from("<I", data, pos)[0]
        if dwlen < 8:
            break
        entries.append((pos, dwlen))
        pos += (dwlen + 7) & ~7
    if len(entries) > 1:
        return "%d WIN_CERTIFICATE entries (osslsigncode 2.9 reads one)" \
            % len(entries)
    if entries:
        pos, dwlen = entries[0]
        n = der_len(data, pos + 8)
        if n is not None and pos + 8 + n <= off + size:
            tail = data[pos + 8 + n:off + size]
            if tail.strip(b"\0"):
                return "non-zero bytes after the PKCS#7 (osslsigncode " \
                    "2.9 has no padding check)"
    return None


def classify(rc, text):
    if rc == 0:
        return "valid", None
    if "No signature found" in text:
        return "unsigned", None
    if "MISMATCH" in text or "signature failure" in text or \
            "digest failure" in text or "Corrupted" in text or \
            "Failed to decode" in text:
        return "invalid", None
    if "certificate revoked" in text:
        return "revoked", None
    if "certificate has expired" in text or "not yet valid" in text:
        return "expired", None
    for s in ("Unsupported Signer's certificate purpose",
              "does not permit codeSigning",
              "unable to get local issuer certificate",
              "unable to get issuer certificate",
              "self-signed certificate in certificate chain",
              "self signed certificate in certificate chain",
              "self-signed certificate", "self signed certificate",
              "unsuitable certificate purpose", "invalid CA certificate",
              "path length constraint exceeded",
              "unable to verify the first certificate"):
        if s in text:
            return "untrusted", None
    lines = [l for l in text.splitlines() if "error" in l.lower()]
    return None, "unrecognised outcome: " + (lines[-1].strip()[:100]
                                             if lines else "exit %d" % rc)


def oracle(path, opts):
    """(state, reason): state None when osslsigncode is no oracle."""
    why = no_oracle_reason(path)
    if why:
        return None, why
    base = ["osslsigncode", "verify"] + opts + ["-in", path]
    p = subprocess.run(base, capture_output=True, text=True,
                       errors="replace")
    text = p.stdout + p.stderr
    n = 1
    for l in text.splitlines():
        if l.startswith("Number of verified signatures:"):
            n = int(l.split(":")[1])
    if n <= 1:
        return classify(p.returncode, text)
    states = []
    for i in range(n):
        q = subprocess.run(base[:2] + ["-index", str(i)] + base[2:],
                           capture_output=True, text=True, errors="replace")
        st, why = classify(q.returncode, q.stdout + q.stderr)
        if st is None:
            return None, "signature %d: %s" % (i, why)
        states.append(st)
    if "invalid" in states:
        return "invalid", None
    return states[0], None


def asmgate_states(paths, opts):
    out = {}
    for i in range(0, len(paths), 200):
        chunk = paths[i:i + 200]
        p = subprocess.run([asmgate, "verify", "--format", "json",
                            "--jobs", "1"] + opts + ["--"] + chunk,
                           capture_output=True, text=True, errors="replace")
        try:
            doc = json.loads(p.stdout)
        except ValueError:
            sys.stderr.write("xcheck-authenticode: asmgate gave no JSON "
                             "(exit %d): %s\n" % (p.returncode,
                                                  p.stderr.strip()[:300]))
            sys.exit(2)
        for f in doc.get("files", []):
            ac = f.get("authenticode") or {}
            out[f.get("path")] = ac.get("state")
    return out


agree = disagree = noor = 0
reasons = {}


def check(paths, aopts, oopts, label):
    global agree, disagree, noor
    got = asmgate_states(paths, aopts)
    for p in paths:
        a = got.get(p)
        o, why = oracle(p, oopts)
        name = os.path.relpath(p, root) if p.startswith(root) else p
        if o is None:
            noor += 1
            reasons[why] = reasons.get(why, 0) + 1
            print("no-oracle  %-40s asmgate=%s (%s)" % (name, a, why))
        elif a == o:
            agree += 1
            print("agree      %-40s %s" % (name, a))
        else:
            disagree += 1
            print("DISAGREE   %-40s asmgate=%s osslsigncode=%s"
                  % (name, a, o))


samples = sorted(os.path.join(sdir, f) for f in os.listdir(sdir)
                 if f.endswith((".dll", ".exe")))
print("== samples/authenticode (%d files; anchor pki/ca.pem, CRL, "
      "time %s)" % (len(samples), AT))
check(samples,
      ["--ca-file", CA, "--crl-file", CRL, "--at", AT],
      ["-CAfile", CA, "-TSA-CAfile", CA, "-CRLfile", CRL, "-time", AT],
      "samples")

found, npe = [], 0
for d in dirs:
    for dp, dn, fn in os.walk(d):
        for f in fn:
            p = os.path.join(dp, f)
            if os.path.islink(p) or not os.path.isfile(p):
                continue
            try:
                with open(p, "rb") as fh:
                    if fh.read(2) != b"MZ":
                        continue
            except OSError:
                continue
            t = pe_table(p)
            if t is None:
                continue
            npe += 1
            if t[1]:
                found.append(p)
print("== machine: %d PE files under %s, %d with a certificate table"
      % (npe, " ".join(dirs), len(found)))
if found:
    check(sorted(found), [], ["-ignore-crl"], "machine")
else:
    print("   (none is Authenticode-signed: Mono's GAC and the other "
          "PE files here carry no certificate table)")

print("xcheck-authenticode: %d agree, %d disagree, %d no-oracle"
      % (agree, disagree, noor))
for why, n in sorted(reasons.items()):
    print("  no-oracle %d: %s" % (n, why))
sys.exit(1 if disagree else 0)
PYEOF
