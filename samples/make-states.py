#!/usr/bin/env python3
"""make-states.py - derive the signing-state samples in samples/states/.

Dev-time only: the tests use the files this writes, never the script. The
files are made INDEPENDENTLY of asmgate (asmgate is never run): they are the
oracle asmgate is tested against.

Every output is named <expected-state>--<what>.dll, where the state is the
one `asmgate verify` must report with no options (one exception,
ecma-key-signed-with-test1024.dll, whose state depends on --key-map). The
list, how each file was made and Mono's `sn -v` verdict go to
samples/states/README.md, which this script writes.

Inputs (committed): samples/valid/*.dll, samples/states/delay-signed.dll,
samples/states/resigned-flag-clear.dll, samples/keys/*.snk|*.pub.

What it implements itself (python3 stdlib + the openssl CLI):
  * a strong-name signer that follows strongname.md 4.1 exactly: hash
    [0, e_lfanew); a 248/264-byte copy of the NT headers with CheckSum and
    the Certificate Table directory zeroed; the section table at
    O + SizeOfOptionalHeader; every section's raw data in table order minus
    the signature slot [sigOff, sigOff + directory Size). The COR20
    StrongNameSigned flag is set or cleared BEFORE hashing; the digest is
    signed with `openssl pkeyutl -sign -pkeyopt digest:<alg>` (RSASSA-PKCS1-
    v1_5) using a PKCS#1 PEM key converted from the .snk RSA2 blob here;
    the signature is byte-reversed into the slot; the PE checksum
    (strongname.md 9) is recomputed afterwards;
  * an RSA verifier (pure Python pow) used to assert, for every output,
    that the cryptographic check gives the result its name promises.

Fresh compiles (mcs) are needed only for the ECMA-key sample and the
enhanced-strong-naming sample, whose slot sizes or attributes differ from
every committed file. Their delay-signed compiler output is committed as
states/delay-signed--ecma-key.dll and states/delay-signed--enhanced.dll
and reused on later runs; only when such a file is missing (or with
--recompile) is mcs run, and without mcs that part is skipped with a
message. New keys (keys/sigkey-sha256.*) are made only when missing.

Usage: python3 samples/make-states.py [--recompile]
"""

import hashlib
import importlib.util
import os
import shutil
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def p(*parts):
    return os.path.join(HERE, *parts)


def rel(path):
    return os.path.relpath(path, HERE)


# The PE + metadata parser of make-malformed.py (file name has a dash).
# No __pycache__ in the source tree.
sys.dont_write_bytecode = True
_spec = importlib.util.spec_from_file_location("make_malformed",
                                               p("make-malformed.py"))
mm = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(mm)
PE = mm.PE
ParseError = mm.ParseError
TABLE_ID = mm.TABLE_ID


class Fail(Exception):
    pass


# ---------------------------------------------------------------------------
# keys: CAPI blobs <-> numbers, DER/PEM for openssl

CALG_RSA_SIGN = 0x2400
CALG = {"sha1": 0x8004, "sha256": 0x800C, "sha384": 0x800D, "sha512": 0x800E}
ALG_NAME = {0: "sha1", 0x8004: "sha1", 0x800C: "sha256", 0x800D: "sha384",
            0x800E: "sha512"}
# DER DigestInfo prefixes (RFC 8017 9.2 note 1)
DIGEST_INFO = {
    "sha1": bytes.fromhex("3021300906052b0e03021a05000414"),
    "sha256": bytes.fromhex("3031300d060960864801650304020105000420"),
    "sha384": bytes.fromhex("3041300d060960864801650304020205000430"),
    "sha512": bytes.fromhex("3051300d060960864801650304020305000440"),
}
ECMA_KEY = bytes.fromhex("00000000000000000400000000000000")


def le(b):
    return int.from_bytes(b, "little")


def parse_snk(blob, name):
    """CAPI PRIVATEKEYBLOB (strongname.md 6.2) -> dict of integers."""
    if len(blob) < 20 or blob[0] != 0x07 or blob[8:12] != b"RSA2":
        raise Fail("%s: not an RSA2 PRIVATEKEYBLOB" % name)
    bits, e = struct.unpack_from("<II", blob, 12)
    b8, b16 = bits // 8, bits // 16
    if bits % 16 or len(blob) != 20 + b8 * 2 + b16 * 5:
        raise Fail("%s: unexpected blob size %d for %d bits" % (name, len(blob), bits))
    o = 20
    k = {"bits": bits, "e": e, "aikeyalg": struct.unpack_from("<I", blob, 4)[0]}
    for field, size in (("n", b8), ("p", b16), ("q", b16), ("dp", b16),
                        ("dq", b16), ("qinv", b16), ("d", b8)):
        k[field] = le(blob[o:o + size])
        o += size
    if k["p"] * k["q"] != k["n"]:
        raise Fail("%s: p*q != n" % name)
    return k


def parse_pub(blob, name):
    """PublicKeyBlob (strongname.md 6.1) -> (sigalg, hashalg, n, e, bits)."""
    if blob == ECMA_KEY:
        raise Fail("%s: the ECMA key has no modulus" % name)
    sigalg, hashalg, cb = struct.unpack_from("<III", blob, 0)
    if cb != len(blob) - 12 or blob[12] != 0x06 or blob[20:24] != b"RSA1":
        raise Fail("%s: not a PublicKeyBlob" % name)
    bits, e = struct.unpack_from("<II", blob, 24)
    n = le(blob[32:32 + bits // 8])
    return sigalg, hashalg, n, e, bits


def pub_blob(k, hashalg):
    """PublicKeyBlob for key k with the given HashAlgID."""
    b8 = k["bits"] // 8
    return (struct.pack("<III", CALG_RSA_SIGN, hashalg, 20 + b8)
            + struct.pack("<BBHI", 0x06, 0x02, 0, CALG_RSA_SIGN) + b"RSA1"
            + struct.pack("<II", k["bits"], k["e"]) + k["n"].to_bytes(b8, "little"))


def snk_blob(k):
    b8, b16 = k["bits"] // 8, k["bits"] // 16
    out = struct.pack("<BBHI", 0x07, 0x02, 0, CALG_RSA_SIGN) + b"RSA2"
    out += struct.pack("<II", k["bits"], k["e"])
    for field, size in (("n", b8), ("p", b16), ("q", b16), ("dp", b16),
                        ("dq", b16), ("qinv", b16), ("d", b8)):
        out += k[field].to_bytes(size, "little")  # raises if it does not fit
    return out


def der_len(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def der_int(v):
    b = v.to_bytes(v.bit_length() // 8 + 1, "big")  # always room for a sign bit
    while len(b) > 1 and b[0] == 0 and b[1] < 0x80:
        b = b[1:]
    return b"\x02" + der_len(len(b)) + b


def der_seq(*items):
    body = b"".join(items)
    return b"\x30" + der_len(len(body)) + body


def rsa_pem(k):
    """PKCS#1 RSAPrivateKey PEM for openssl."""
    der = der_seq(der_int(0), *(der_int(k[f]) for f in
                                ("n", "e", "d", "p", "q", "dp", "dq", "qinv")))
    import base64
    b64 = base64.b64encode(der).decode("ascii")
    lines = [b64[i:i + 64] for i in range(0, len(b64), 64)]
    return ("-----BEGIN RSA PRIVATE KEY-----\n" + "\n".join(lines)
            + "\n-----END RSA PRIVATE KEY-----\n")


def der_read(buf, o):
    """(tag, content start, content end) of the DER element at o."""
    tag = buf[o]
    ln = buf[o + 1]
    o += 2
    if ln & 0x80:
        nb = ln & 0x7F
        ln = int.from_bytes(buf[o:o + nb], "big")
        o += nb
    return tag, o, o + ln


def der_ints(buf, start, end):
    out = []
    o = start
    while o < end:
        tag, s, e = der_read(buf, o)
        out.append((tag, s, e))
        o = e
    return out


def key_from_der(der):
    """RSA private key from PKCS#1 or PKCS#8 DER (openssl output)."""
    tag, s, e = der_read(der, 0)
    items = der_ints(der, s, e)
    if len(items) == 3 and items[1][0] == 0x30 and items[2][0] == 0x04:  # PKCS#8
        return key_from_der(der[items[2][1]:items[2][2]])
    vals = [int.from_bytes(der[a:b], "big") for t, a, b in items]
    if len(vals) < 9 or vals[0] != 0:
        raise Fail("unexpected RSA private key DER")
    k = dict(zip(("n", "e", "d", "p", "q", "dp", "dq", "qinv"), vals[1:9]))
    k["bits"] = k["n"].bit_length()
    return k


def load_snk(path):
    with open(path, "rb") as f:
        return parse_snk(f.read(), rel(path))


def load_pub(path):
    with open(path, "rb") as f:
        return f.read()


# ---------------------------------------------------------------------------
# openssl

TMP = None


def openssl(*args, data=None):
    r = subprocess.run(("openssl",) + args, input=data, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    if r.returncode != 0:
        raise Fail("openssl %s failed: %s" % (" ".join(args),
                                              r.stderr.decode(errors="replace").strip()))
    return r.stdout


def rsa_sign(k, digest, alg):
    """RSASSA-PKCS1-v1_5 signature (big-endian, as openssl writes it)."""
    kp = os.path.join(TMP, "key.pem")
    dp = os.path.join(TMP, "digest.bin")
    sp = os.path.join(TMP, "sig.bin")
    with open(kp, "w") as f:
        f.write(rsa_pem(k))
    with open(dp, "wb") as f:
        f.write(digest)
    openssl("pkeyutl", "-sign", "-inkey", kp, "-pkeyopt", "digest:" + alg,
            "-in", dp, "-out", sp)
    with open(sp, "rb") as f:
        sig = f.read()
    if len(sig) != k["bits"] // 8:
        raise Fail("openssl gave a %d-byte signature for a %d-bit key" % (len(sig), k["bits"]))
    return sig


def rsa_check(n, e, bits, sig_be, digest, alg):
    """Pure-Python PKCS#1 v1.5 verification (for the self-checks)."""
    kl = bits // 8
    if len(sig_be) != kl:
        return False
    s = int.from_bytes(sig_be, "big")
    if s >= n:
        return False
    em = pow(s, e, n).to_bytes(kl, "big")
    t = DIGEST_INFO[alg] + digest
    return em == b"\x00\x01" + b"\xff" * (kl - 3 - len(t)) + b"\x00" + t


# ---------------------------------------------------------------------------
# the strong-name hash (strongname.md 4.1) and the PE checksum (9)

def sn_digest(data, alg):
    pe = PE(data, "image")
    d = pe.data
    h = hashlib.new(alg)
    L = pe.lfanew
    h.update(d[0:L])
    nt = bytearray(d[L:L + (264 if pe.pe32plus else 248)])
    nt[24 + 64:24 + 68] = bytes(4)                      # CheckSum
    cert = 24 + (144 if pe.pe32plus else 128)           # DataDirectory[4]
    nt[cert:cert + 8] = bytes(8)
    h.update(nt)
    h.update(d[pe.sect_table:pe.sect_table + 40 * pe.nsections])
    s0 = pe.sn_off
    s1 = s0 + pe.sn_size
    for s in pe.sections:
        a, b = s["rawptr"], s["rawptr"] + s["rawsize"]
        if b > len(d):
            raise Fail("section %s raw data past EOF" % s["name"])
        if s1 <= a or s0 >= b:
            h.update(d[a:b])
        elif a <= s0 and s1 <= b:
            h.update(d[a:s0])
            h.update(d[s1:b])
        else:
            raise Fail("signature straddles section %s" % s["name"])
    return h.digest()


def pe_checksum(data, checksum_off):
    d = bytearray(data)
    d[checksum_off:checksum_off + 4] = bytes(4)
    if len(d) % 2:
        d.append(0)
    s = 0
    for (w,) in struct.iter_unpack("<H", d):
        s += w
        s = (s & 0xFFFF) + (s >> 16)
    return (s + len(data)) & 0xFFFFFFFF


def fix_checksum(d):
    pe = PE(d, "image")
    struct.pack_into("<I", d, pe.checksum_off, pe_checksum(d, pe.checksum_off))


def set_flag(d, on):
    pe = PE(d, "image")
    f = pe.cor_flags
    struct.pack_into("<I", d, pe.cor_flags_off, (f | 0x8) if on else (f & ~0x8))


def sign(data, k, alg, flag):
    """Strong-name sign data with key k: flag True sets COR flag 0x8, False
    clears it (test signing), None leaves it. Returns the new bytes."""
    d = bytearray(data)
    pe = PE(d, "image")
    if pe.sn_off is None or pe.sn_size != k["bits"] // 8:
        raise Fail("slot is %s bytes, key needs %d" % (pe.sn_size, k["bits"] // 8))
    if flag is not None:
        set_flag(d, flag)
    d[pe.sn_off:pe.sn_off + pe.sn_size] = bytes(pe.sn_size)
    sig = rsa_sign(k, sn_digest(d, alg), alg)
    d[pe.sn_off:pe.sn_off + pe.sn_size] = sig[::-1]
    fix_checksum(d)
    return d


def crypto_ok(data, pubkey_blob, alg):
    """Does the slot verify with this PublicKeyBlob and hash alg?"""
    _, _, n, e, bits = parse_pub(pubkey_blob, "key")
    pe = PE(data, "image")
    sig = bytes(pe.data[pe.sn_off:pe.sn_off + pe.sn_size])[::-1]
    return rsa_check(n, e, bits, sig, sn_digest(data, alg), alg)


# ---------------------------------------------------------------------------
# metadata helpers

def assembly_key(pe):
    """(offset of the key bytes, the key bytes) of Assembly row 1."""
    o, plen, blen = pe.blob_off(pe.cell("Assembly", 1, "PublicKey"))
    return o + plen, bytes(pe.data[o + plen:o + plen + blen])


def stream_range(pe, name):
    s = pe.streams[name]
    return s["start"], s["start"] + s["size"]


def method_il(pe, name):
    for r in range(1, pe.rows[TABLE_ID["MethodDef"]] + 1):
        if pe.string(pe.cell("MethodDef", r, "Name")) == name:
            body = pe.rva_to_off(pe.cell("MethodDef", r, "RVA"))
            if pe.data[body] & 3 != 2:
                raise Fail("%s: no tiny header" % name)
            return body + 1
    raise Fail("no method " + name)


def typedef_name_off(pe, name):
    for r in range(1, pe.rows[TABLE_ID["TypeDef"]] + 1):
        idx = pe.cell("TypeDef", r, "TypeName")
        if pe.string(idx) == name:
            return pe.streams["#Strings"]["start"] + idx
    raise Fail("no type " + name)


def find_in(pe, stream, needle):
    a, b = stream_range(pe, stream)
    i = pe.data.find(needle, a, b)
    if i < 0 or pe.data.find(needle, i + 1, b) >= 0:
        raise Fail("%r not found exactly once in %s" % (needle, stream))
    return i


# ---------------------------------------------------------------------------
# Mono

def have(tool):
    return shutil.which(tool) is not None


def sn_verdict(path):
    """Mono's `sn -v` result as a short string, or None without sn."""
    if not have("sn"):
        return None
    r = subprocess.run(["sn", "-v", path], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    lines = [ln.strip() for ln in r.stdout.decode(errors="replace").splitlines()
             if ln.strip() and not ln.startswith(("Mono StrongName", "StrongName utility",
                                                   "Copyright"))]
    msg = lines[-1] if lines else ""
    msg = msg.replace(path, "FILE")
    if r.returncode == 0:
        return "valid (exit 0)"
    return "not valid, exit %d: \"%s\"" % (r.returncode, msg)


MCS_FLAGS = ["-noconfig", "-sdk:4.5", "-optimize+"]


def mcs(out_name, args):
    """Compile in a temp dir (so the file name sets the assembly name)."""
    d = tempfile.mkdtemp(dir=TMP)
    out = os.path.join(d, out_name)
    cmd = ["mcs"] + MCS_FLAGS + args + ["-out:" + out]
    print("+ " + " ".join(cmd))
    r = subprocess.run(cmd, cwd=HERE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if r.returncode != 0:
        raise Fail("mcs failed:\n" + r.stdout.decode(errors="replace"))
    with open(out, "rb") as f:
        return f.read()


# ---------------------------------------------------------------------------
# output bookkeeping

OUT = []     # dicts: name, how, expect, note, mono, size, mono_note
NOTES = []   # free-form observations for the README


def emit(name, data, how, expect_crypto=None, key=None, alg="sha1", note="",
         mono_note=""):
    """Write states/<name>; check the crypto expectation first.

    expect_crypto: True/False = the slot must / must not verify with key
    (a PublicKeyBlob) and alg; None = not checked here (zero slot etc.)."""
    if expect_crypto is not None:
        got = crypto_ok(data, key, alg)
        if got != expect_crypto:
            raise Fail("%s: crypto check gave %s, expected %s" % (name, got, expect_crypto))
    path = p("states", name)
    with open(path, "wb") as f:
        f.write(bytes(data))
    os.chmod(path, 0o644)
    OUT.append(dict(name=name, how=how, expect=name.split("--")[0] if "--" in name
                    else "see note", note=note, mono=sn_verdict(path),
                    size=len(data), mono_note=mono_note))


def copy_of(data):
    return bytearray(data)


def patch_byte(d, off, new):
    old = d[off]
    d[off] = new
    return "0x%X: 0x%02X -> 0x%02X" % (off, old, new)


# ---------------------------------------------------------------------------
# the samples

def main():
    global TMP
    recompile = "--recompile" in sys.argv[1:]
    for a in sys.argv[1:]:
        if a not in ("--recompile",):
            sys.exit("usage: python3 samples/make-states.py [--recompile]")
    if not have("openssl"):
        sys.exit("make-states: the openssl CLI is needed")
    TMP = tempfile.mkdtemp(prefix="make-states.")
    try:
        run_all(recompile)
    finally:
        shutil.rmtree(TMP, ignore_errors=True)


def read(*parts):
    with open(p(*parts), "rb") as f:
        return f.read()


def run_all(recompile):
    keys = {n: load_snk(p("keys", n + ".snk"))
            for n in ("contoso", "fabrikam", "test1024", "test2048")}
    pubs = {n: load_pub(p("keys", n + ".pub"))
            for n in ("contoso", "fabrikam", "test1024", "test2048")}

    base = read("valid", "contoso-orchestrations.dll")
    x64 = read("valid", "contoso-x64.dll")
    sat = read("valid", "satellite-fr.dll")
    delay = read("states", "delay-signed.dll")
    resigned = read("states", "resigned-flag-clear.dll")
    bpe, xpe, spe, dpe = (PE(base, "contoso-orchestrations.dll"), PE(x64, "contoso-x64.dll"),
                          PE(sat, "satellite-fr.dll"), PE(delay, "delay-signed.dll"))
    if bpe.pe32plus or not xpe.pe32plus:
        raise Fail("expected PE32 contoso-orchestrations.dll and PE32+ contoso-x64.dll")

    # remove earlier outputs of this script (never the five committed inputs)
    keep = {"unsigned.dll", "delay-signed.dll", "public-signed.dll",
            "resigned-flag-clear.dll", "tampered-il.dll",
            "delay-signed--ecma-key.dll", "delay-signed--enhanced.dll"}
    for f in os.listdir(p("states")):
        if f.endswith(".dll") and f not in keep:
            os.unlink(p("states", f))

    cpub = pubs["contoso"]

    # -- 0. self-checks of the signer --------------------------------------
    # (a) the committed signed samples verify with the Python hash + RSA
    for f in ("contoso-orchestrations.dll", "contoso-x64.dll", "satellite-fr.dll",
              "fabrikam-adapters.dll", "hello.exe", "signed-2048.dll", "signed-4096.dll"):
        data = read("valid", f)
        _, key = assembly_key(PE(data, f))
        if not crypto_ok(data, key, "sha1"):
            raise Fail("self-check: valid/%s does not verify with the Python hash" % f)
    # (b) re-signing delay-signed.dll with the flag left clear must give
    #     exactly the bytes of Mono's `sn -R` (resigned-flag-clear.dll),
    #     apart from the checksum (Mono leaves it 0).
    mine = sign(delay, keys["contoso"], "sha1", None)
    a, b = bytearray(mine), bytearray(resigned)
    a[dpe.checksum_off:dpe.checksum_off + 4] = bytes(4)
    b[dpe.checksum_off:dpe.checksum_off + 4] = bytes(4)
    if a != b:
        raise Fail("self-check: signer output differs from Mono's sn -R output")
    NOTES.append("Self-check: the Python signer, run on `delay-signed.dll` with "
                 "`contoso.snk` and the flag left clear, writes the same 256 slot "
                 "bytes as Mono's `sn -R` (`resigned-flag-clear.dll`); only the "
                 "PE checksum differs (Mono leaves 0). All seven `valid/` files "
                 "verify with the Python hash (SHA-1).")
    # (c) the same with the flag set: Mono's sn -v must accept it
    mine = sign(delay, keys["contoso"], "sha1", True)
    chk = os.path.join(TMP, "resigned.dll")
    with open(chk, "wb") as f:
        f.write(mine)
    v = sn_verdict(chk)
    if v is not None and not v.startswith("valid"):
        raise Fail("self-check: sn -v rejects delay-signed.dll re-signed by the "
                   "Python signer: " + v)
    NOTES.append("Self-check: `delay-signed.dll` re-signed by the Python signer "
                 "with `contoso.snk` (flag set, checksum recomputed): Mono `sn -v` "
                 "says %s." % (v or "(sn not installed: not run)"))

    B = "valid/contoso-orchestrations.dll"
    X = "valid/contoso-x64.dll"
    D = "states/delay-signed.dll"

    # -- 1. tampered: must NOT verify ---------------------------------------
    d = copy_of(base)
    off = 0x4E
    if not (0x40 <= off < bpe.lfanew):
        raise Fail("DOS stub too short")
    # 'This program cannot be run in DOS mode.' starts at 0x4E: T -> t
    c = patch_byte(d, off, d[off] ^ 0x20 if chr(d[off]).isalpha() else d[off] ^ 1)
    fix_checksum(d)
    emit("invalid--tampered-dos-stub.dll", d,
         "%s, one DOS stub byte (between 0x40 and e_lfanew 0x%X) changed %s; "
         "PE checksum recomputed" % (B, bpe.lfanew, c),
         False, cpub)

    d = copy_of(base)
    old = struct.unpack_from("<I", d, bpe.coff + 4)[0]
    struct.pack_into("<I", d, bpe.coff + 4, 0x5F5E0FF1)
    fix_checksum(d)
    emit("invalid--tampered-timestamp.dll", d,
         "%s, COFF TimeDateStamp (0x%X) 0x%X -> 0x5F5E0FF1; PE checksum recomputed"
         % (B, bpe.coff + 4, old), False, cpub)

    d = copy_of(base)
    o = typedef_name_off(bpe, "OrderMessage") + len("OrderMessage") - 1
    c = patch_byte(d, o, ord("f"))  # OrderMessage -> OrderMessagf
    fix_checksum(d)
    emit("invalid--tampered-strings-heap.dll", d,
         "%s, #Strings: TypeDef name OrderMessage -> OrderMessagf (%s); PE checksum "
         "recomputed" % (B, c), False, cpub)

    d = copy_of(base)
    o = find_in(bpe, "#US", "urn:contoso:orders:".encode("utf-16-le"))
    c = patch_byte(d, o, ord("U"))  # "urn:..." -> "Urn:..."
    fix_checksum(d)
    emit("invalid--tampered-us-heap.dll", d,
         "%s, #US: user string \"urn:contoso:orders:\" -> \"Urn:contoso:orders:\" "
         "(UTF-16 low byte %s); PE checksum recomputed" % (B, c), False, cpub)

    d = copy_of(base)
    needle = b"Contoso Ltd."
    a, e = stream_range(bpe, "#Blob")
    o = d.find(needle, a, e)
    if o < 0:
        raise Fail("no 'Contoso Ltd.' attribute blob")
    c = patch_byte(d, o + len("Contoso"), ord("_"))  # "Contoso Ltd." -> "Contoso_Ltd."
    fix_checksum(d)
    emit("invalid--tampered-blob-heap.dll", d,
         "%s, #Blob: AssemblyCompany custom attribute value \"Contoso Ltd.\" -> "
         "\"Contoso_Ltd.\" (%s); PE checksum recomputed" % (B, c), False, cpub)

    d = copy_of(sat)
    res_rva, res_size = struct.unpack_from("<II", d, spe.cor + 24)
    ro = spe.rva_to_off(res_rva)
    rlen = struct.unpack_from("<I", d, ro)[0]
    text = bytes(d[ro + 4:ro + 4 + rlen])
    i = next(j for j in range(len(text)) if chr(text[j]).isalpha())
    c = patch_byte(d, ro + 4 + i, text[i] ^ 0x20)
    fix_checksum(d)
    emit("invalid--tampered-resource.dll", d,
         "valid/satellite-fr.dll, first letter of the managed resource "
         "(COR20 Resources RVA 0x%X size 0x%X -> file 0x%X; resource length %d) "
         "case-flipped, %s; PE checksum recomputed" % (res_rva, res_size, ro, rlen, c),
         False, cpub)

    d = copy_of(base)
    reloc = bpe.section_named(".reloc")
    c = patch_byte(d, reloc["hdr"] + 1, ord("R"))  # ".reloc" -> ".Reloc"
    fix_checksum(d)
    emit("invalid--tampered-section-table.dll", d,
         "%s, section table: Name of .reloc -> .Reloc (%s); no field used for "
         "parsing changes; PE checksum recomputed" % (B, c), False, cpub)

    d = copy_of(base)
    o = bpe.sn_off + bpe.sn_size // 2
    c = patch_byte(d, o, d[o] ^ 0x01)
    fix_checksum(d)
    emit("invalid--tampered-signature.dll", d,
         "%s, one byte in the middle of the signature slot (slot 0x%X, 0x%X bytes) "
         "xor 0x01, %s; PE checksum recomputed" % (B, bpe.sn_off, bpe.sn_size, c),
         False, cpub)

    d = copy_of(x64)
    il = method_il(xpe, "MaxRetries")
    if d[il:il + 2] != b"\x19\x2A":
        raise Fail("x64 MaxRetries IL is not ldc.i4.3; ret")
    c = patch_byte(d, il, 0x1A)
    fix_checksum(d)
    emit("invalid--x64-tampered-il.dll", d,
         "%s (PE32+), IL of MaxRetries ldc.i4.3 -> ldc.i4.4 (%s); PE checksum "
         "recomputed" % (X, c), False, cpub)

    d = sign(delay, keys["test2048"], "sha1", True)
    if not crypto_ok(d, pubs["test2048"], "sha1"):
        raise Fail("wrong-key: does not verify with test2048")
    emit("invalid--wrong-key.dll", d,
         "%s signed by the Python signer with test2048.snk (2048-bit, same 256-byte "
         "slot), SHA-1, flag set, checksum recomputed. The identity key stays "
         "contoso" % D, False, cpub,
         note="Still **invalid** with `--test-key samples/keys/test2048.pub`: it "
              "verifies with the test key, but the flag is set, and the CLR never "
              "consults test keys for a fully signed assembly (strongname.md 7.1).")

    # -- 2. still valid -------------------------------------------------------
    d = copy_of(base)
    old = struct.unpack_from("<I", d, bpe.checksum_off)[0]
    struct.pack_into("<I", d, bpe.checksum_off, 0x12345678)
    emit("signed--checksum-changed.dll", d,
         "%s, PE CheckSum (0x%X) 0x%X -> 0x12345678 (deliberately wrong)"
         % (B, bpe.checksum_off, old), True, cpub)

    d = copy_of(base)
    last_end = max(s["rawptr"] + s["rawsize"] for s in bpe.sections)
    if last_end != len(d):
        raise Fail("base file has data after its last section")
    pad = (-len(d)) % 8
    cert_body = b"asmgate test: fake PKCS#7 SignedData, not Authenticode".ljust(56, b"\0")
    win_cert = struct.pack("<IHH", 8 + len(cert_body), 0x0200, 0x0002) + cert_body
    cert_off = len(d) + pad
    d += bytes(pad) + win_cert
    dd4 = bpe.dir_off(4)
    struct.pack_into("<II", d, dd4, cert_off, len(win_cert))
    fix_checksum(d)
    emit("signed--cert-entry-filled.dll", d,
         "%s + a fake %d-byte WIN_CERTIFICATE (dwLength %d, wRevision 0x0200, "
         "wCertificateType 2 = PKCS_SIGNED_DATA, junk body) appended at 0x%X after the "
         "last section; DataDirectory[4] (0x%X) = (0x%X, %d); PE checksum recomputed"
         % (B, len(win_cert), len(win_cert), cert_off, dd4, cert_off, len(win_cert)),
         True, cpub)

    d = copy_of(base)
    ts_end = bpe.sect_table + 40 * bpe.nsections
    first_raw = min(s["rawptr"] for s in bpe.sections if s["rawsize"])
    if first_raw - ts_end < 8 or any(d[ts_end:first_raw]):
        raise Fail("no zero header padding to change")
    filler = (b"asmgate header padding " * 10)[:first_raw - ts_end]
    d[ts_end:first_raw] = filler
    fix_checksum(d)
    emit("signed--header-padding-changed.dll", d,
         "%s, the %d zero bytes between the end of the section table (0x%X) and the "
         "first section's raw data (0x%X) replaced by ASCII text; PE checksum "
         "recomputed" % (B, first_raw - ts_end, ts_end, first_raw), True, cpub)

    overlay = b"asmgate test overlay: bytes after the last section are not hashed\n"
    d = copy_of(base) + overlay
    fix_checksum(d)
    emit("signed--appended-data.dll", d,
         "%s + %d bytes of ASCII text appended after the last section (data directory "
         "4 left 0); PE checksum recomputed" % (B, len(overlay)), True, cpub)

    d = copy_of(x64) + overlay
    fix_checksum(d)
    emit("signed--x64-appended-data.dll", d,
         "%s (PE32+) + the same %d appended bytes; PE checksum recomputed"
         % (X, len(overlay)), True, cpub)

    # -- 3. signing states ----------------------------------------------------
    d = sign(delay, keys["contoso"], "sha1", False)
    emit("signed--flag-clear-resigned.dll", d,
         "%s signed by the Python signer with contoso.snk, SHA-1, StrongNameSigned "
         "flag left CLEAR (flags 0x%X), checksum recomputed. Same slot bytes as "
         "resigned-flag-clear.dll (Mono sn -R); only the checksum differs"
         % (D, dpe.cor_flags), True, cpub)

    d = sign(delay, keys["test2048"], "sha1", False)
    emit("test-signed--test2048.dll", d,
         "%s signed by the Python signer with test2048.snk (identity key stays "
         "contoso), SHA-1, flag CLEAR as sn -TS leaves it, checksum recomputed" % D,
         False, cpub,
         note="test-signed with `--test-key samples/keys/test2048.pub`; without a "
              "test key asmgate must say invalid (non-zero slot that does not "
              "verify with the identity key).")
    if not crypto_ok(d, pubs["test2048"], "sha1"):
        raise Fail("test-signed: does not verify with test2048")

    NOTES.append("`public-signed--zero-slot.dll` was not made: it would be a byte copy "
                 "of `public-signed.dll` (delay-signed.dll with flag 0x8 set, zero slot).")

    # SHA-2 keyed: contoso's key with HashAlgID 0x800C/D/E
    _, dkey = assembly_key(dpe)
    if dkey != cpub:
        raise Fail("delay-signed.dll does not carry contoso.pub")
    for alg in ("sha256", "sha384", "sha512"):
        kb = bytearray(cpub)
        struct.pack_into("<I", kb, 4, CALG[alg])
        path = p("keys", "contoso-%s.pub" % alg)
        with open(path, "wb") as f:
            f.write(kb)
        os.chmod(path, 0o644)
    mcs_kept = check_mcs_hashalg() if have("mcs") else None
    for alg in ("sha256", "sha384", "sha512"):
        kb = load_pub(p("keys", "contoso-%s.pub" % alg))
        d = copy_of(delay)
        ko, key = assembly_key(dpe)
        old = struct.unpack_from("<I", d, ko + 4)[0]
        struct.pack_into("<I", d, ko + 4, CALG[alg])
        assert bytes(d[ko:ko + len(kb)]) == kb
        d = sign(d, keys["contoso"], alg, True)
        emit("signed--%s.dll" % alg, d,
             "%s with the Assembly PublicKey blob's HashAlgID (file offset 0x%X, in "
             "#Blob) patched 0x%X -> 0x%X (= keys/contoso-%s.pub; same length, nothing "
             "moves), then signed by the Python signer with contoso.snk over a %s "
             "digest, flag set, checksum recomputed"
             % (D, ko + 4, old, CALG[alg], alg, alg.upper()), True, kb, alg,
             mono_note="Mono hashes with SHA-1 whatever HashAlgID says")
    d = copy_of(delay)
    ko, _ = assembly_key(dpe)
    struct.pack_into("<I", d, ko + 4, CALG["sha256"])
    d = sign(d, keys["contoso"], "sha1", True)
    if not crypto_ok(d, cpub, "sha1"):
        raise Fail("sha256-signed-with-sha1: not a valid SHA-1 signature")
    emit("invalid--sha256-signed-with-sha1.dll", d,
         "as signed--sha256.dll (HashAlgID 0x800C) but signed over a SHA-1 digest",
         False, load_pub(p("keys", "contoso-sha256.pub")), "sha256",
         mono_note="Mono hashes with SHA-1 whatever HashAlgID says, so it accepts this")
    NOTES.append(mcs_kept if mcs_kept is not None else
                 "HashAlgID behaviour of mcs not re-checked (mcs not installed); mcs "
                 "6.8 rewrote 0x800C to 0x8004, so the SHA-2 samples patch the key "
                 "blob of `delay-signed.dll` instead of compiling.")

    # ECMA key
    make_ecma(keys, pubs, recompile)

    # enhanced strong naming
    make_enhanced(keys, pubs, recompile)

    # -- 4. structural ----------------------------------------------------------
    d = copy_of(base)
    text = bpe.section_of_rva(bpe.sn_rva)
    old = struct.unpack_from("<I", d, text["hdr"] + 36)[0]
    struct.pack_into("<I", d, text["hdr"] + 36, old | 0x80000000)
    d = sign(d, keys["contoso"], "sha1", True)
    emit("invalid--sig-in-writable-section.dll", d,
         "%s with %s Characteristics (0x%X) 0x%08X -> 0x%08X (IMAGE_SCN_MEM_WRITE), "
         "then re-signed by the Python signer with contoso.snk: the signature is "
         "cryptographically valid, only the structure is wrong (the CLR's "
         "CheckCorHeader rejects a signature in a writable section)"
         % (B, text["name"], text["hdr"] + 36, old, old | 0x80000000), True, cpub,
         mono_note="Mono does not check section flags")

    d = copy_of(base)
    old = bpe.cor_flags
    struct.pack_into("<I", d, bpe.cor_flags_off, old | 0x100)
    d = sign(d, keys["contoso"], "sha1", True)
    emit("invalid--unknown-cor-flag.dll", d,
         "%s with COR20 Flags (0x%X) 0x%X -> 0x%X (unknown bit 0x100), re-signed by the "
         "Python signer with contoso.snk: crypto valid, structure not (CheckCorHeader "
         "allows only 0x1 0x2 0x4 0x8 0x10 0x10000 0x20000)"
         % (B, bpe.cor_flags_off, old, old | 0x100), True, cpub,
         mono_note="Mono does not check COR flags")

    d = copy_of(base)
    rsrc = bpe.section_named(".rsrc")
    reloc = bpe.section_named(".reloc")
    if rsrc["index"] + 1 != reloc["index"] or reloc["rawsize"] > rsrc["rawsize"]:
        raise Fail("unexpected section layout for sections-overlap")
    old = struct.unpack_from("<I", d, reloc["hdr"] + 20)[0]
    struct.pack_into("<I", d, reloc["hdr"] + 20, rsrc["rawptr"])
    d = d[:old]   # .reloc's old raw data (the end of the file) is now unused
    if len(d) != rsrc["rawptr"] + rsrc["rawsize"]:
        raise Fail("sections-overlap: .reloc was not last")
    d = sign(d, keys["contoso"], "sha1", True)
    emit("invalid--sections-overlap.dll", d,
         "%s with .reloc PointerToRawData (0x%X) 0x%X -> 0x%X (= .rsrc's, so the two "
         "raw ranges overlap) and the file cut to 0x%X (the old .reloc bytes), then "
         "re-signed by the Python signer (table order, overlapping bytes hashed "
         "twice): crypto valid under the naive hash, but the CLR's CheckSection "
         "rejects overlapping raw ranges. The metadata (in .text) still parses"
         % (B, reloc["hdr"] + 20, old, rsrc["rawptr"], old), True, cpub,
         mono_note="Mono hashes sections in table order without layout checks")

    write_readme()
    for r in OUT:
        print("states/%-45s %5d  %s" % (r["name"], r["size"], r["mono"] or "(sn not run)"))


def check_mcs_hashalg():
    """Compile with keys/contoso-sha256.pub and report whether mcs keeps 0x800C."""
    try:
        out = mcs("Contoso.Orchestrations.dll",
                  ["-target:library", "-platform:anycpu", "-delaysign+",
                   "-keyfile:keys/contoso-sha256.pub", "src/Contoso.Orchestrations.cs"])
    except Fail as e:
        return "mcs with keys/contoso-sha256.pub failed: %s" % e
    pe = PE(out, "mcs output")
    _, key = assembly_key(pe)
    ha = struct.unpack_from("<I", key, 4)[0]
    if ha == 0x800C:
        return ("`mcs -delaysign+ -keyfile:keys/contoso-sha256.pub` keeps HashAlgID "
                "0x800C in the assembly's public key.")
    return ("**mcs rewrites HashAlgID**: `mcs -delaysign+ "
            "-keyfile:keys/contoso-sha256.pub` writes HashAlgID 0x%X (not 0x800C) into "
            "the assembly's public key, slot %d bytes. So the SHA-2 samples are made by "
            "patching the 4 HashAlgID bytes of the key blob in the #Blob heap of "
            "`delay-signed.dll` (same length, nothing moves) before signing."
            % (ha, pe.sn_size))


def make_ecma(keys, pubs, recompile):
    base_path = p("states", "delay-signed--ecma-key.dll")
    ecma_pub = p("keys", "ecma.pub")
    with open(ecma_pub, "wb") as f:
        f.write(ECMA_KEY)
    os.chmod(ecma_pub, 0o644)
    how_base = ("`mcs -noconfig -sdk:4.5 -optimize+ -target:library -platform:anycpu "
                "-delaysign+ -keyfile:keys/ecma.pub src/Contoso.Orchestrations.cs "
                "-out:Contoso.Orchestrations.dll` (keys/ecma.pub = the 16-byte ECMA key "
                "00000000 00000000 04000000 00000000)")
    if recompile or not os.path.exists(base_path):
        if not have("mcs"):
            print("make-states: mcs not installed: ECMA-key samples skipped")
            NOTES.append("ECMA-key samples not made: mcs was not installed.")
            return
        data = mcs("Contoso.Orchestrations.dll",
                   ["-target:library", "-platform:anycpu", "-delaysign+",
                    "-keyfile:keys/ecma.pub", "src/Contoso.Orchestrations.cs"])
        with open(base_path, "wb") as f:
            f.write(data)
        os.chmod(base_path, 0o644)
    data = read("states", "delay-signed--ecma-key.dll")
    pe = PE(data, "delay-signed--ecma-key.dll")
    _, key = assembly_key(pe)
    if key != ECMA_KEY:
        raise Fail("ECMA compile: public key is %s" % key.hex())
    NOTES.append("mcs with the 16-byte ECMA key as `-keyfile` (delay-signed) keeps the "
                 "16-byte key in the Assembly row and reserves a **%d-byte** slot "
                 "(flags 0x%X, checksum 0x%X)." % (pe.sn_size, pe.cor_flags,
                                                   pe.u32(pe.checksum_off)))
    if pe.sn_size != 128:
        NOTES.append("ECMA compile: slot is %d bytes, not 128: the signed ECMA sample "
                     "was not made." % pe.sn_size)
        OUT.append(dict(name="delay-signed--ecma-key.dll", how=how_base,
                        expect="delay-signed", note="", size=len(data),
                        mono=sn_verdict(base_path), mono_note=""))
        return
    OUT.append(dict(name="delay-signed--ecma-key.dll",
                    how=how_base + "; committed compiler output (reused by later runs)",
                    expect="delay-signed", size=len(data), mono=sn_verdict(base_path),
                    note="Zero 128-byte slot, flag clear.", mono_note=""))
    d = sign(data, keys["test1024"], "sha1", True)
    name = "ecma-key-signed-with-test1024.dll"
    emit(name, d,
         "delay-signed--ecma-key.dll signed by the Python signer with test1024.snk "
         "(1024-bit, fits the 128-byte slot), SHA-1, flag set, checksum recomputed",
         True, pubs["test1024"],
         note="**invalid** without a key map (asmgate substitutes the Microsoft key "
              "b03f5f7f11d50a3a for the ECMA key, and the signature is not by it); "
              "**signed** with `--key-map b77a5c561934e089=samples/keys/test1024.pub`.",
         mono_note="Debian's machine.config maps b77a5c561934e089 to the Mono key, "
                   "which did not sign it")
    OUT[-1]["expect"] = "invalid / signed with --key-map"


# -- enhanced strong naming --------------------------------------------------

ENH_SRC = """\
// Fabrikam.Enhanced: enhanced strong naming sample (generated by
// samples/make-states.py; do not edit by hand).
// Identity key: keys/fabrikam.pub (1024-bit, SHA-1). Signature key:
// keys/sigkey-sha256.pub (2048-bit, HashAlgID 0x800C). The second argument
// is the countersignature: fabrikam.snk's RSA PKCS#1 v1.5 SHA-1 signature
// over the whole sigkey-sha256.pub blob (12-byte header included),
// byte-reversed, lower-case hex.
using System.Reflection;

[assembly: AssemblyTitle("Fabrikam.Enhanced")]
[assembly: AssemblyCompany("Fabrikam, Inc.")]
[assembly: AssemblyVersion("1.0.0.0")]
[assembly: AssemblySignatureKey(
    "%s",
    "%s")]

namespace Fabrikam.Enhanced
{
    public static class Migration
    {
        public static string Describe()
        {
            return "identity fabrikam (SHA-1), signature key sigkey-sha256 (SHA-256)";
        }
    }
}
"""


def make_sigkey():
    snk = p("keys", "sigkey-sha256.snk")
    pub = p("keys", "sigkey-sha256.pub")
    if os.path.exists(snk) and os.path.exists(pub):
        return load_snk(snk), load_pub(pub)
    print("make-states: new key keys/sigkey-sha256.snk (openssl genrsa 2048)")
    pem = openssl("genrsa", "2048")
    der = openssl("pkey", "-outform", "DER", data=pem)
    k = key_from_der(der)
    if k["bits"] != 2048 or k["e"] >= 1 << 32:
        raise Fail("unexpected generated key")
    k["aikeyalg"] = CALG_RSA_SIGN
    blob = snk_blob(k)
    if parse_snk(blob, "sigkey")["n"] != k["n"]:
        raise Fail("snk round trip")
    with open(snk, "wb") as f:
        f.write(blob)
    with open(pub, "wb") as f:
        f.write(pub_blob(k, CALG["sha256"]))
    os.chmod(snk, 0o644)
    os.chmod(pub, 0o644)
    return load_snk(snk), load_pub(pub)


def find_enhanced_attr(pe):
    """The AssemblySignatureKeyAttribute value blob on the Assembly:
    (file offset of the blob, publicKey hex, countersig hex, offset of the
    countersig string bytes)."""
    for r in range(1, pe.rows.get(TABLE_ID["CustomAttribute"], 0) + 1):
        if pe.cell("CustomAttribute", r, "Parent") != (1 << 5) | 14:
            continue
        t = pe.cell("CustomAttribute", r, "Type")
        if t & 7 != 3:
            continue
        mr = t >> 3
        cls = pe.cell("MemberRef", mr, "Class")
        if cls & 7 != 1:
            continue
        tr = cls >> 3
        if (pe.string(pe.cell("TypeRef", tr, "TypeNamespace")), pe.string(
                pe.cell("TypeRef", tr, "TypeName"))) != ("System.Reflection",
                                                         "AssemblySignatureKeyAttribute"):
            continue
        o, plen, blen = pe.blob_off(pe.cell("CustomAttribute", r, "Value"))
        v = pe.data[o + plen:o + plen + blen]
        if v[:2] != b"\x01\x00":
            raise Fail("bad attribute prolog")
        strs, q = [], 2
        for _ in range(2):
            b0 = v[q]
            if b0 & 0x80 == 0:
                n, q = b0, q + 1
            elif b0 & 0xC0 == 0x80:
                n, q = (b0 & 0x3F) << 8 | v[q + 1], q + 2
            else:
                raise Fail("long string")
            strs.append((o + plen + q, v[q:q + n].decode("ascii")))
            q += n
        return o, strs[0][1], strs[1][1], strs[1][0]
    raise Fail("no AssemblySignatureKeyAttribute on the Assembly")


def make_enhanced(keys, pubs, recompile):
    sk, spub = make_sigkey()
    cs = rsa_sign(keys["fabrikam"], hashlib.sha1(spub).digest(), "sha1")[::-1]
    _, _, fn, fe, fbits = parse_pub(pubs["fabrikam"], "fabrikam.pub")
    if not rsa_check(fn, fe, fbits, cs[::-1], hashlib.sha1(spub).digest(), "sha1"):
        raise Fail("countersignature self-check")
    src = ENH_SRC % (spub.hex(), cs.hex())
    src_path = p("src", "Fabrikam.Enhanced.cs")
    old_src = None
    if os.path.exists(src_path):
        with open(src_path) as f:
            old_src = f.read()
    if old_src != src:
        with open(src_path, "w") as f:
            f.write(src)
    base_path = p("states", "delay-signed--enhanced.dll")
    cmd = ("`mcs -noconfig -sdk:4.5 -optimize+ -target:library -platform:anycpu "
           "-delaysign+ -keyfile:keys/fabrikam.pub src/Fabrikam.Enhanced.cs "
           "-out:Fabrikam.Enhanced.dll`")
    if recompile or old_src != src or not os.path.exists(base_path):
        if not have("mcs"):
            print("make-states: mcs not installed: enhanced strong-naming samples skipped")
            NOTES.append("Enhanced strong-naming samples not made: mcs was not installed.")
            return
        data = mcs("Fabrikam.Enhanced.dll",
                   ["-target:library", "-platform:anycpu", "-delaysign+",
                    "-keyfile:keys/fabrikam.pub", "src/Fabrikam.Enhanced.cs"])
        pe = PE(data, "mcs output")
        ENH_INFO["mcs_slot"] = pe.sn_size
        if pe.sn_size != sk["bits"] // 8:
            data = widen_enhanced(keys, pubs, sk, spub, cs)
        with open(base_path, "wb") as f:
            f.write(data)
        os.chmod(base_path, 0o644)
    data = read("states", "delay-signed--enhanced.dll")
    pe = PE(data, "delay-signed--enhanced.dll")
    _, key = assembly_key(pe)
    if key != pubs["fabrikam"]:
        raise Fail("enhanced: identity key is not fabrikam.pub")
    bo, pk_hex, cs_hex, cs_off = find_enhanced_attr(pe)
    if pk_hex != spub.hex() or cs_hex != cs.hex():
        raise Fail("enhanced: attribute does not match the keys")
    if pe.sn_size != 256:
        raise Fail("enhanced: slot is %d bytes" % pe.sn_size)
    how_base = ("committed output of %s (src/Fabrikam.Enhanced.cs is generated from "
                "keys/sigkey-sha256.pub and the countersignature)%s; 256-byte zero slot"
                % (cmd, describe_widened(pe, pubs["fabrikam"])))
    OUT.append(dict(name="delay-signed--enhanced.dll", how=how_base,
                    expect="delay-signed", size=len(data), mono=sn_verdict(base_path),
                    note="Identity fabrikam (1024), AssemblySignatureKeyAttribute with "
                         "sigkey-sha256 (2048, 0x800C) and a correct countersignature.",
                    mono_note="Mono ignores AssemblySignatureKeyAttribute"))
    d = sign(data, sk, "sha256", True)
    emit("signed--enhanced-sha256.dll", d,
         "delay-signed--enhanced.dll signed by the Python signer with "
         "keys/sigkey-sha256.snk (the SIGNATURE key, 2048-bit) over a SHA-256 digest, "
         "flag set, checksum recomputed", True, spub, "sha256",
         note="asmgate should report verifiedWith signature-key.",
         mono_note="Mono ignores AssemblySignatureKeyAttribute: it checks the 256-byte "
                   "slot against the 1024-bit identity key with SHA-1")
    d = bytearray(data)
    i = 0  # first hex digit of the countersignature string
    old = chr(d[cs_off + i])
    new = "0" if old != "0" else "1"
    d[cs_off + i] = ord(new)
    d = sign(d, sk, "sha256", True)
    emit("invalid--enhanced-bad-countersignature.dll", d,
         "delay-signed--enhanced.dll with the first hex digit of the countersignature "
         "string (file offset 0x%X, in the attribute's #Blob value) '%s' -> '%s' (same "
         "length), then signed like signed--enhanced-sha256.dll (the blob is hashed, "
         "so it is signed after the patch): the assembly signature is valid, the "
         "countersignature is not" % (cs_off + i, old, new), True, spub, "sha256",
         mono_note="Mono ignores AssemblySignatureKeyAttribute")


ENH_INFO = {}


def describe_widened(pe, fab):
    """If the committed enhanced file was made by widen_enhanced (the key
    blob is followed by the zeroed rest of a 288-byte placeholder), say so."""
    o, plen, blen = pe.blob_off(pe.cell("Assembly", 1, "PublicKey"))
    rest = pe.data[o + plen + blen:o + plen + 288]
    if blen != len(fab) or plen != 2 or len(rest) != 288 - blen or any(rest):
        return ""
    NOTES.append("**mcs sizes the enhanced slot by the identity key** (mcs 6.8, seen "
                 "when delay-signed--enhanced.dll was made): `mcs -delaysign+ "
                 "-keyfile:keys/fabrikam.pub` with AssemblySignatureKeyAttribute "
                 "reserves 128 bytes (fabrikam's 1024-bit modulus), not the signature "
                 "key's 256 (Roslyn sizes it by the attribute's key, strongname.md 7.4). "
                 "The committed file was therefore built with a placeholder identity "
                 "key, see its row.")
    return (". mcs sized the slot by the identity key (128 bytes), so the committed "
            "file was instead compiled with `-keyfile:keys/sigkey-sha256.pub` as a "
            "placeholder identity (mcs then reserves 256 bytes) and the Assembly "
            "PublicKey blob (#Blob file offset 0x%X) was rewritten in place: length "
            "prefix 0x120 -> 0x%X (2-byte form kept), then fabrikam.pub's %d bytes, "
            "the %d bytes left over zeroed (unreferenced; each zero byte reads as an "
            "empty blob)" % (o, blen, blen, 288 - blen))


def widen_enhanced(keys, pubs, sk, spub, cs):
    """mcs sized the slot by the identity key. Rebuild: compile with a 2048-bit
    placeholder identity key (so mcs reserves 256 bytes), then put fabrikam.pub
    into the PublicKey blob in place: same 2-byte length prefix form, 160 of the
    288 bytes used, the 128 left over zeroed (each reads as an empty blob)."""
    print("make-states: mcs reserved a %d-byte slot (identity key size); widening"
          % ENH_INFO["mcs_slot"])
    data = mcs("Fabrikam.Enhanced.dll",
               ["-target:library", "-platform:anycpu", "-delaysign+",
                "-keyfile:keys/sigkey-sha256.pub", "src/Fabrikam.Enhanced.cs"])
    d = bytearray(data)
    pe = PE(d, "placeholder compile")
    o, plen, blen = pe.blob_off(pe.cell("Assembly", 1, "PublicKey"))
    fab = pubs["fabrikam"]
    if plen != 2 or blen != len(spub) or pe.sn_size != 256:
        raise Fail("placeholder compile: unexpected key blob or slot")
    d[o:o + 2] = bytes([0x80 | len(fab) >> 8, len(fab) & 0xFF])
    d[o + 2:o + 2 + blen] = fab + bytes(blen - len(fab))
    pe2 = PE(d, "patched")
    if assembly_key(pe2)[1] != fab:
        raise Fail("placeholder patch failed")
    return bytes(d)


# ---------------------------------------------------------------------------
# README

EXISTING = [
    ("unsigned.dll", "unsigned", "make-samples.sh: compiled without a key"),
    ("delay-signed.dll", "delay-signed", "make-samples.sh: `-delaysign+ "
     "-keyfile:keys/contoso.pub`; zero 256-byte slot, flag clear"),
    ("public-signed.dll", "public-signed", "make-malformed.py: delay-signed.dll with "
     "COR flag 0x8 set; zero slot"),
    ("resigned-flag-clear.dll", "signed", "make-samples.sh: delay-signed.dll + Mono "
     "`sn -R` with contoso.snk; valid signature, flag clear, checksum 0"),
    ("tampered-il.dll", "invalid", "make-malformed.py: contoso-orchestrations.dll with "
     "one IL byte changed"),
]


def write_readme():
    def cell(s):
        return s.replace("|", "\\|").replace("\n", " ")

    lines = [
        "# samples/states",
        "",
        "Generated by `python3 samples/make-states.py` (except the five files in the "
        "first table); do not edit by hand.",
        "",
        "Each derived file is named `<expected-state>--<what>.dll`: the state "
        "`asmgate verify` must report **with no options**. They are made without "
        "asmgate: `make-states.py` has its own strong-name signer (strongname.md 4.1 "
        "hash, `openssl pkeyutl -sign` with PKCS#1 v1.5, byte-reversed into the slot, "
        "COR flag 0x8 set or cleared before hashing, PE checksum recomputed after) "
        "and a pure-Python RSA check that asserts, for every file, that the "
        "cryptographic check alone gives what the name promises. Files whose state "
        "is `invalid` for a *structural* reason (writable section, unknown COR flag, "
        "overlapping sections, bad countersignature) carry a signature that is "
        "cryptographically valid, so only the structure is wrong.",
        "",
        "Mono's `sn -v` column: Mono 6.8 hashes with SHA-1 whatever the key's "
        "HashAlgID, ignores the StrongNameSigned flag, AssemblySignatureKeyAttribute, "
        "section flags, COR flags and the section layout, and maps the ECMA key (and "
        "four other tokens) to the Mono key via /etc/mono/4.5/machine.config. Where "
        "its verdict differs from the expected state, the last column says why.",
        "",
        "## Committed inputs (made by make-samples.sh / make-malformed.py)",
        "",
        "| File | Expected state | How |",
        "|---|---|---|",
    ]
    for n, st, how in EXISTING:
        lines.append("| `%s` | %s | %s |" % (n, st, cell(how)))
    lines += [
        "",
        "## Derived by make-states.py",
        "",
        "| File | Bytes | Expected state | How it was made | Mono `sn -v` | Note |",
        "|---|---:|---|---|---|---|",
    ]
    for r in OUT:
        mono = r["mono"] or "(sn not installed: not run)"
        expect_valid = r["expect"] == "signed"
        mono_valid = mono.startswith("valid")
        note = r["note"]
        if r["mono"] and expect_valid != mono_valid and r["expect"] in (
                "signed", "invalid", "delay-signed", "test-signed"):
            note = (note + " " if note else "") + "**Mono differs**: " + (
                r["mono_note"] or "see above") + "."
        elif r["mono_note"] and r["mono"]:
            note = (note + " " if note else "") + "(Mono: " + r["mono_note"] + ".)"
        lines.append("| `%s` | %d | %s | %s | %s | %s |"
                     % (r["name"], r["size"], r["expect"], cell(r["how"]), cell(mono),
                        cell(note)))
    lines += ["", "## Observations", ""]
    for n in NOTES:
        lines.append("- " + n)
    lines += [
        "",
        "## Keys made or derived here (samples/keys/)",
        "",
        "- `contoso-sha256.pub`, `contoso-sha384.pub`, `contoso-sha512.pub`: "
        "`contoso.pub` with bytes 4..7 (HashAlgID) = 0x800C / 0x800D / 0x800E.",
        "- `ecma.pub`: the 16-byte ECMA neutral key.",
        "- `sigkey-sha256.snk` / `.pub`: a 2048-bit key made with `openssl genrsa 2048` "
        "and converted here (RSA2 PRIVATEKEYBLOB, bitlen/16 halves; PublicKeyBlob "
        "with SigAlgID 0x2400, HashAlgID 0x800C). Test key only.",
        "",
        "Re-running the script reproduces every derived file byte for byte (PKCS#1 "
        "v1.5 signatures are deterministic and the two compiled inputs are "
        "committed); `--recompile` recompiles those two with mcs (new MVIDs).",
        "",
    ]
    with open(p("states", "README.md"), "w") as f:
        f.write("\n".join(lines))


if __name__ == "__main__":
    try:
        main()
    except (Fail, ParseError, OSError) as e:
        sys.exit("make-states: %s" % e)
