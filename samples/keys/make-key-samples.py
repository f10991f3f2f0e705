#!/usr/bin/env python3
"""make-key-samples.py - derived key files for the keys/ tests.

Usage: python3 samples/keys/make-key-samples.py

Writes, next to this script, from the committed sn-made test keys
(test1024/2048/4096.snk and .pub) and WITHOUT using asmgate, so tests can
compare asmgate's output against values made independently:

  NAME.pkcs1.pem   PKCS#1 RSAPrivateKey: built from the .snk fields parsed
                   here, DER-encoded by `openssl asn1parse -genconf`, then
                   `openssl rsa -traditional`
  NAME.pkcs1.der   the same in DER, as `openssl asn1parse -genconf` wrote it
  NAME.pkcs8.pem   PKCS#8 PrivateKeyInfo (`openssl pkey`)
  NAME.pkcs8.der   the same in DER (`openssl pkcs8 -topk8 -nocrypt`)
  NAME.spki.pem    SubjectPublicKeyInfo (`openssl pkey -pubout`), .spki.der
  NAME.rsapub.pem  PKCS#1 RSAPublicKey (`openssl rsa -RSAPublicKey_out`)
  NAME.hex         the hex lines `sn -tp NAME.pub` prints
  NAME.capi        the bare CAPI PUBLICKEYBLOB: NAME.pub minus 12 bytes
  ecma.pub         `sn -e /usr/lib/mono/4.5/mscorlib.dll` (ECMA key)
  microsoft.pub    `sn -e /usr/lib/mono/4.5/Accessibility.dll` (Microsoft)
  mono.pub         `sn -e /usr/lib/mono/4.5/Mono.Security.dll` (Mono key)
  bad/*            one defect each, named after it (see BAD below)

Needs the openssl command; the Mono parts (hex, well-known keys) are skipped
with a message when `sn` is missing, leaving the committed files as they
are. The output is deterministic: running it again changes nothing except
bad/pem-encrypted.pem (random salt) and bad/pem-ec-key.pem (a new key).
"""
import os
import shutil
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
KEYS = ["test1024", "test2048", "test4096"]


def run(*args, **kw):
    return subprocess.run(args, check=True, capture_output=True, **kw)


def le(b):
    return int.from_bytes(b, "little")


def parse_snk(data):
    """CAPI PRIVATEKEYBLOB (strongname.md 6.2) -> dict of integers."""
    btype, ver, _res, alg, magic, bitlen, exp = struct.unpack_from(
        "<BBHI4sII", data, 0)
    assert btype == 7 and ver == 2 and magic == b"RSA2", "not a .snk"
    n8, n16 = bitlen // 8, bitlen // 16
    off = 20
    parts = {}
    for name, size in (("n", n8), ("p", n16), ("q", n16), ("dp", n16),
                       ("dq", n16), ("qinv", n16), ("d", n8)):
        parts[name] = le(data[off:off + size])
        off += size
    assert off == len(data), "trailing bytes in .snk"
    parts["e"] = exp
    return parts


def write(name, data, mode=0o644):
    path = os.path.join(HERE, name)
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, mode)


def derive_asn1(name, tmp):
    k = parse_snk(open(os.path.join(HERE, name + ".snk"), "rb").read())
    conf = os.path.join(tmp, name + ".conf")
    with open(conf, "w") as f:
        f.write("asn1=SEQUENCE:rsakey\n[rsakey]\nversion=INTEGER:0\n")
        for field in ("n", "e", "d", "p", "q", "dp", "dq", "qinv"):
            f.write("%s=INTEGER:0x%X\n" % (field, k[field]))
    der = os.path.join(tmp, name + ".der")
    run("openssl", "asn1parse", "-genconf", conf, "-out", der, "-noout")
    out = lambda ext: os.path.join(HERE, name + ext)
    run("openssl", "rsa", "-inform", "DER", "-in", der, "-traditional",
        "-out", out(".pkcs1.pem"))
    run("openssl", "pkey", "-inform", "DER", "-in", der, "-out",
        out(".pkcs8.pem"))
    run("openssl", "pkcs8", "-topk8", "-nocrypt", "-inform", "DER", "-in",
        der, "-outform", "DER", "-out", out(".pkcs8.der"))
    shutil.copyfile(der, out(".pkcs1.der"))
    run("openssl", "pkey", "-inform", "DER", "-in", der, "-pubout", "-out",
        out(".spki.pem"))
    run("openssl", "pkey", "-inform", "DER", "-in", der, "-pubout",
        "-outform", "DER", "-out", out(".spki.der"))
    run("openssl", "rsa", "-inform", "DER", "-in", der, "-RSAPublicKey_out",
        "-out", out(".rsapub.pem"))
    for ext in (".pkcs1.pem", ".pkcs1.der", ".pkcs8.pem", ".pkcs8.der",
                ".spki.pem",
                ".spki.der", ".rsapub.pem"):
        os.chmod(out(ext), 0o644)  # throwaway test keys: no secret
    pub = open(out(".pub"), "rb").read()
    write(name + ".capi", pub[12:])


def sn_hex(name):
    text = run("sn", "-tp", os.path.join(HERE, name + ".pub"),
               text=True).stdout
    lines = text.splitlines()
    i = lines.index("Public Key:") + 1
    hexlines = []
    while lines[i].strip():
        hexlines.append(lines[i].strip())
        i += 1
    write(name + ".hex", ("\n".join(hexlines) + "\n").encode())


def sn_extract(asm, name, tmp):
    out = os.path.join(tmp, name)
    run("sn", "-q", "-e", asm, out)
    shutil.copyfile(out, os.path.join(HERE, name))
    os.chmod(os.path.join(HERE, name), 0o644)


def patch(data, off, fmt, value):
    b = bytearray(data)
    struct.pack_into(fmt, b, off, value)
    return bytes(b)


def bad_keys(tmp):
    snk = open(os.path.join(HERE, "test1024.snk"), "rb").read()
    pub = open(os.path.join(HERE, "test1024.pub"), "rb").read()
    der = open(os.path.join(HERE, "test1024.spki.der"), "rb").read()
    p_off = 20 + 128  # first byte of the prime p in a 1024-bit .snk
    bad = {
        # .snk (CAPI PRIVATEKEYBLOB, strongname.md 6.2)
        "empty.snk": b"",
        "snk-truncated.snk": snk[:500],
        "snk-trailing-bytes.snk": snk + b"\0\0\0\0",
        "snk-bad-version.snk": patch(snk, 1, "<B", 3),
        "snk-bad-keyalg.snk": patch(snk, 4, "<I", 0x6610),
        "snk-bad-magic.snk": patch(snk, 8, "<4s", b"RSA3"),
        "snk-bitlen-not-multiple-of-16.snk": patch(snk, 12, "<I", 1032),
        "snk-bitlen-too-small.snk": patch(snk, 12, "<I", 256),
        "snk-bitlen-too-large.snk": patch(snk, 12, "<I", 32768),
        "snk-exponent-even.snk": patch(snk, 16, "<I", 65536),
        "snk-inconsistent-crt.snk": patch(snk, p_off, "<B",
                                          snk[p_off] ^ 0x02),
        # strong-name PublicKeyBlob (strongname.md 6.1)
        "pub-truncated-header.pub": pub[:10],
        "pub-truncated-modulus.pub": patch(pub[:100], 8, "<I", 88),
        "pub-cb-mismatch.pub": patch(pub, 8, "<I", 0x90),
        "pub-trailing-padding.pub": patch(pub + b"\0" * 4, 8, "<I", 152),
        "pub-sigalg-keyx.pub": patch(pub, 0, "<I", 0xA400),
        "pub-hashalg-not-hash.pub": patch(pub, 4, "<I", 0x2400),
        "pub-hashalg-md5.pub": patch(pub, 4, "<I", 0x8003),
        "pub-btype-not-publickeyblob.pub": patch(pub, 12, "<B", 7),
        "pub-bad-version.pub": patch(pub, 13, "<B", 1),
        "pub-bad-keyalg.pub": patch(pub, 16, "<I", 0x6610),
        "pub-bad-magic.pub": patch(pub, 20, "<4s", b"RSA2"),
        "pub-bitlen-modulus-mismatch.pub": patch(pub, 24, "<I", 2048),
        "pub-bitlen-not-multiple-of-8.pub": patch(pub, 24, "<I", 1020),
        "pub-exponent-zero.pub": patch(pub, 28, "<I", 0),
        "pub-exponent-one.pub": patch(pub, 28, "<I", 1),
        "pub-modulus-even.pub": patch(pub, 32, "<B", pub[32] & 0xFE),
        "pub-modulus-top-byte-zero.pub": patch(pub, len(pub) - 1, "<B", 0),
        # bare CAPI PUBLICKEYBLOB
        "capi-truncated.capi": pub[12:100],
        # hex text
        "hex-odd-digits.hex": pub.hex()[:-1].encode() + b"\n",
        "hex-bad-digit.hex": b"0024000004800000940000000602zz00\n",
        "hex-not-a-key.hex": b"00000000000000000400000000\n",
        # PEM and DER
        "pem-garbage.pem": b"-----BEGIN PUBLIC KEY-----\nAAAAAAAA\n"
                           b"-----END PUBLIC KEY-----\n",
        "der-truncated.der": der[:100],
        "der-trailing-bytes.der": der + b"\0\0",
        # neither
        "unknown-format.bin": bytes([0xFF, 0xFE, 0x01, 0x02, 0x03]),
        "text-not-a-key.txt": b"this is not a key\n",
    }
    os.makedirs(os.path.join(HERE, "bad"), exist_ok=True)
    for name, data in bad.items():
        write(os.path.join("bad", name), data)
    # Encrypted PKCS#8 and a non-RSA key, made by openssl.
    out = os.path.join(HERE, "bad", "pem-encrypted.pem")
    run("openssl", "pkey", "-in", os.path.join(HERE, "test1024.pkcs8.pem"),
        "-aes-128-cbc", "-passout", "pass:test", "-out", out)
    os.chmod(out, 0o644)
    out = os.path.join(HERE, "bad", "pem-ec-key.pem")
    run("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt",
        "ec_paramgen_curve:P-256", "-out", out)
    os.chmod(out, 0o644)


def main():
    if len(sys.argv) > 1:
        print(__doc__.strip())
        return 0 if sys.argv[1] in ("-h", "--help") else 2
    if not shutil.which("openssl"):
        print("make-key-samples: openssl not installed", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        for name in KEYS:
            derive_asn1(name, tmp)
        bad_keys(tmp)
        if shutil.which("sn"):
            for name in KEYS:
                sn_hex(name)
            mono = "/usr/lib/mono/4.5/"
            sn_extract(mono + "mscorlib.dll", "ecma.pub", tmp)
            sn_extract(mono + "Accessibility.dll", "microsoft.pub", tmp)
            sn_extract(mono + "Mono.Security.dll", "mono.pub", tmp)
        else:
            print("make-key-samples: Mono not installed (sn); hex and "
                  "well-known key files left as they are", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
