#!/usr/bin/env python3
"""Derive the defective Authenticode samples from signed ones (make.sh).

Usage:
  patch.py overlay IN OUT          append 96 bytes of overlay data
  patch.py flip-section IN OUT     flip one bit mid first raw section
  patch.py flip-overlay IN OUT     flip one bit in the overlay
  patch.py flip-pkcs7 IN OUT       flip one bit in the RSA signature value
  patch.py trailing IN OUT         8 non-zero bytes after the PKCS#7 DER,
                                   inside dwLength and the directory size
  patch.py two-entries A B OUT     A plus B's WIN_CERTIFICATE as a second
                                   entry (A, B signed from the same input)
  patch.py after-table IN OUT      8 bytes after the certificate table

Offsets come from the PE headers (PE/COFF 3.4.3 data directory 4, a file
offset; 4 section table) and the WIN_CERTIFICATE header (dwLength u32,
wRevision u16, wCertificateType u16). Standard library only.
"""
import struct
import sys


def pe(data):
    lfanew = struct.unpack_from("<I", data, 0x3C)[0]
    assert data[lfanew:lfanew + 4] == b"PE\0\0"
    nsect = struct.unpack_from("<H", data, lfanew + 6)[0]
    optsz = struct.unpack_from("<H", data, lfanew + 20)[0]
    magic = struct.unpack_from("<H", data, lfanew + 24)[0]
    dirent = lfanew + 152 + (16 if magic == 0x20B else 0)
    sects = []
    base = lfanew + 24 + optsz
    for i in range(nsect):
        size, ptr = struct.unpack_from("<II", data, base + 40 * i + 16)
        sects.append((ptr, size))
    return dirent, sects


def table(data):
    dirent, _ = pe(data)
    off, size = struct.unpack_from("<II", data, dirent)
    assert off and size and off + size == len(data), "not signed"
    return dirent, off, size


def der_len(data, at):
    """Length of the DER TLV at `at` (definite lengths only)."""
    assert data[at] == 0x30
    n = data[at + 1]
    if n < 0x80:
        return 2 + n
    k = n & 0x7F
    return 2 + k + int.from_bytes(data[at + 2:at + 2 + k], "big")


def flip(data, at):
    data[at] ^= 0x01


def main(argv):
    op = argv[1]
    src = bytearray(open(argv[2], "rb").read())
    out = argv[-1]
    if op == "overlay":
        line = b"asmgate overlay test data, covered by the image hash\n"
        src += (line * 2)[:96]
    elif op == "flip-section":
        _, sects = pe(src)
        ptr, size = [s for s in sects if s[1]][0]
        flip(src, ptr + size // 2)
    elif op == "flip-overlay":
        _, off, _ = table(src)
        _, sects = pe(src)
        end = max(p + s for p, s in sects)
        assert end + 8 < off, "no overlay"
        flip(src, end + 4)
    elif op == "flip-pkcs7":
        _, off, _ = table(src)
        end = off + 8 + der_len(src, off + 8)
        # No unauthenticated attributes: the last 256 bytes of the DER
        # are the signer's RSA-2048 encryptedDigest (RFC 2315 9.2).
        flip(src, end - 16)
    elif op == "trailing":
        dirent, off, size = table(src)
        dwlen = struct.unpack_from("<I", src, off)[0]
        assert dwlen == size
        src += b"GARBAGE!"
        struct.pack_into("<I", src, off, dwlen + 8)
        struct.pack_into("<I", src, dirent + 4, size + 8)
    elif op == "two-entries":
        other = bytearray(open(argv[3], "rb").read())
        dirent, off, size = table(src)
        _, off2, size2 = table(other)
        assert off == off2, "A and B must come from the same input"
        src += other[off2:off2 + size2]
        struct.pack_into("<I", src, dirent + 4, size + size2)
    elif op == "after-table":
        table(src)
        src += b"AFTERTBL"
    else:
        sys.stderr.write("patch.py: unknown operation %s\n" % op)
        return 2
    open(out, "wb").write(bytes(src))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
