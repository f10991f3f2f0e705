#!/usr/bin/env python3
# make-pkcs9.py SIGNED.DLL SIG.DER CS.DER OUT.DLL
#   or: make-pkcs9.py --encdigest SIG.DER OUT.BIN
# Test helper (standard library only): give an Authenticode signature a
# legacy PKCS#9 counterSignature (1.2.840.113549.1.9.6), as old
# Authenticode timestamp servers did, offline. SIG.DER is the PKCS#7 of
# SIGNED.DLL (osslsigncode extract-signature); CS.DER a CMS SignedData
# whose only SignerInfo signed the SignerInfo's encryptedDigest (openssl
# cms -sign over the bytes --encdigest wrote); its SignerInfo becomes
# the value of an unauthenticated attribute of SIG.DER's SignerInfo,
# and OUT.DLL is SIGNED.DLL with that signature in its certificate
# table (RFC 2315 9.2, 10; authenticode.md 3.7).
import struct
import sys


def tlv(b, i):
    """(tag, header length, content length) of the DER element at i."""
    tag = b[i]
    n = b[i + 1]
    if n < 0x80:
        return tag, 2, n
    k = n & 0x7F
    return tag, 2 + k, int.from_bytes(b[i + 2:i + 2 + k], 'big')


def enc(tag, content):
    n = len(content)
    if n < 0x80:
        return bytes([tag, n]) + content
    ln = n.to_bytes((n.bit_length() + 7) // 8, 'big')
    return bytes([tag, 0x80 | len(ln)]) + ln + content


def children(b, i):
    """Offsets of the elements inside the constructed element at i."""
    _, h, n = tlv(b, i)
    j, end, out = i + h, i + h + n, []
    while j < end:
        out.append(j)
        _, hh, nn = tlv(b, j)
        j += hh + nn
    return out


def whole(b, i):
    _, h, n = tlv(b, i)
    return b[i:i + h + n]


def path(b):
    """ContentInfo > [0] > SignedData > signerInfos SET > SignerInfo."""
    ci = 0
    exp = children(b, ci)[1]
    sd = children(b, exp)[0]
    sis = children(b, sd)[-1]
    si = children(b, sis)[0]
    return ci, exp, sd, sis, si


def signer_info_of_cms(b):
    return whole(b, path(b)[4])


def enc_digest(b):
    si = path(b)[4]
    for c in children(b, si):
        if b[c] == 0x04:
            _, h, n = tlv(b, c)
            return b[c + h:c + h + n]
    raise SystemExit('no encryptedDigest')


def main():
    if sys.argv[1] == '--encdigest':
        d = open(sys.argv[2], 'rb').read()
        open(sys.argv[3], 'wb').write(enc_digest(d))
        return
    dll, sig, cs, out = sys.argv[1:5]
    b = open(sig, 'rb').read()
    csi = signer_info_of_cms(open(cs, 'rb').read())
    ci, exp, sd, sis, si = path(b)
    oid = bytes.fromhex('06092a864886f70d010906')   # 1.2.840.113549.1.9.6
    attr = enc(0x30, oid + enc(0x31, csi))
    kids = [whole(b, c) for c in children(b, si)]
    if kids[-1][0] == 0xA1:
        _, h, n = tlv(kids[-1], 0)
        kids[-1] = enc(0xA1, kids[-1][h:h + n] + attr)
    else:
        kids.append(enc(0xA1, attr))
    new_si = enc(0x30, b''.join(kids))
    new_sis = enc(0x31, new_si)
    sd_kids = [whole(b, c) for c in children(b, sd)]
    sd_kids[-1] = new_sis
    new_sd = enc(0x30, b''.join(sd_kids))
    new_ci = enc(0x30, whole(b, children(b, ci)[0]) + enc(0xA0, new_sd))
    d = bytearray(open(dll, 'rb').read())
    lfanew = struct.unpack_from('<I', d, 0x3c)[0]
    magic = struct.unpack_from('<H', d, lfanew + 24)[0]
    dirp = lfanew + 24 + (112 if magic == 0x20b else 96) + 32
    off, _ = struct.unpack_from('<II', d, dirp)
    body = new_ci + b'\0' * ((8 - len(new_ci) % 8) % 8)
    entry = struct.pack('<IHH', 8 + len(body), 0x0200, 2) + body
    d = d[:off] + entry
    struct.pack_into('<II', d, dirp, off, len(entry))
    open(out, 'wb').write(bytes(d))


main()
