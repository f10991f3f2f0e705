#!/usr/bin/env python3
"""Remake the cabinet samples in samples/cab/ (see samples/cab/README.md).

A small cabinet writer laid out from [MS-CAB] 2.1 (CFHEADER), 2.2
(CFFOLDER), 2.3 (CFFILE), 2.4 (CFDATA) and 2.5 (the checksum), with
MSZIP blocks ([MS-MCI] 2.1: "CK" and a raw deflate stream per block of
at most 32 KiB, each compressed with the previous 32 KiB of the folder's
output as its dictionary, so matches reach back across blocks). Valid
cabinets are written as they are; malformed ones patch one field of a
valid one. Assemblies come from samples/valid/. The LZX and Quantum
cabinets cannot be made here (no compressor): they are copies from
libmspack's test suite (see README.md) and are left alone.

Output is deterministic; rerunning the script rewrites the same bytes.

usage: python3 samples/make-cab-samples.py
"""
import io
import os
import struct
import sys
import zipfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "cab")

BLOCK = 32768
DOSDATE = 0x0021  # 1980-01-01
DOSTIME = 0
A_NAME_IS_UTF = 0x80
F_PREV, F_NEXT, F_RESERVE = 1, 2, 4
NONE, MSZIP, QUANTUM, LZX = 0, 1, 2, 3


def asm(name):
    with open(os.path.join(HERE, "valid", name), "rb") as f:
        return f.read()


CONTOSO = asm("contoso-orchestrations.dll")
FABRIKAM = asm("fabrikam-adapters.dll")
SIGNED2048 = asm("signed-2048.dll")
SIGNED4096 = asm("signed-4096.dll")
HELLO = asm("hello.exe")
README = b"Sample cabinet for asmgate's container reader.\n"
# 80 KiB of numbered lines: deflate matches cross every 32 KiB block.
LINES = b"".join(b"line %05d: the quick brown fox jumps over the lazy dog\n"
                 % i for i in range(1500))


def checksum(data, seed=0):
    """[MS-CAB] 2.5 csum: XOR of little-endian 32-bit words, then the
    1-3 trailing bytes, most significant first."""
    s = seed
    n = len(data) // 4 * 4
    for i in range(0, n, 4):
        s ^= struct.unpack_from("<I", data, i)[0]
    t = 0
    for b in data[n:]:
        t = t << 8 | b
    return (s ^ t) & 0xFFFFFFFF


def mszip_blocks(data):
    """Cut data into 32 KiB blocks, each "CK" + raw deflate with the
    previous 32 KiB as dictionary. Returns [(payload, ulen)]."""
    out = []
    for at in range(0, len(data), BLOCK):
        chunk = data[at:at + BLOCK]
        hist = data[max(0, at - BLOCK):at]
        if hist:
            co = zlib.compressobj(9, zlib.DEFLATED, -15, 9,
                                  zlib.Z_DEFAULT_STRATEGY, hist)
        else:
            co = zlib.compressobj(9, zlib.DEFLATED, -15, 9)
        out.append((b"CK" + co.compress(chunk) + co.flush(), len(chunk)))
    return out


def stored_blocks(data):
    return [(data[at:at + BLOCK], len(data[at:at + BLOCK]))
            for at in range(0, len(data), BLOCK)]


class Folder:
    def __init__(self, comp, files, blocks=None, type_word=None):
        self.comp = comp
        self.files = files          # [(name bytes, data, attribs)]
        self.payload = b"".join(f[1] for f in files)
        if blocks is None:
            blocks = (mszip_blocks if comp == MSZIP else
                      stored_blocks)(self.payload)
        self.blocks = blocks        # [(payload, ulen)]
        self.type_word = comp if type_word is None else type_word


def build(folders, reserve=None, flags=0, strings=(), extra_files=(),
          trailer=b"", csum=True):
    """A cabinet: folders in order, their files in order. reserve =
    (cbCFHeader, cbCFFolder, cbCFData) sets cfhdrRESERVE_PRESENT.
    strings: the prev/next names the flags announce. extra_files:
    raw CFFILE tuples (size, uoff, ifolder, attribs, name) appended.
    Returns (bytes, layout) where layout holds record offsets."""
    if reserve:
        flags |= F_RESERVE
    hres, fres, dres = reserve or (0, 0, 0)
    files = []
    for fi, f in enumerate(folders):
        off = 0
        for name, data, attribs in f.files:
            files.append((len(data), off, fi, attribs, name))
            off += len(data)
    files += list(extra_files)
    head = 36 + (4 + hres if reserve else 0) + sum(len(s) + 1
                                                  for s in strings)
    folder_at = head
    files_at = folder_at + len(folders) * (8 + fres)
    data_at = files_at + sum(16 + len(f[4]) + 1 for f in files)
    layout = {"folders": [], "files": [], "blocks": [],
              "coff_files": files_at}
    # CFDATA
    data = b""
    starts = []
    for f in folders:
        starts.append(data_at + len(data))
        bl = []
        for payload, ulen in f.blocks:
            bl.append(data_at + len(data))
            sizes = struct.pack("<HH", len(payload), ulen)
            cs = checksum(sizes, checksum(payload)) if csum else 0
            data += struct.pack("<I", cs) + sizes + b"\xAB" * dres + payload
        layout["blocks"].append(bl)
    total = data_at + len(data)
    out = struct.pack("<4sIIIIIBBHHHHH", b"MSCF", 0, total, 0, files_at, 0,
                      3, 1, len(folders), len(files), flags, 0x1234, 0)
    if reserve:
        out += struct.pack("<HBB", hres, fres, dres) + b"\xCD" * hres
    for s in strings:
        out += s + b"\0"
    for i, f in enumerate(folders):
        layout["folders"].append(len(out))
        out += struct.pack("<IHH", starts[i], len(f.blocks), f.type_word)
        out += b"\xEF" * fres
    for size, uoff, ifold, attribs, name in files:
        layout["files"].append(len(out))
        out += struct.pack("<IIHHHH", size, uoff, ifold, DOSDATE, DOSTIME,
                           attribs) + name + b"\0"
    assert len(out) == data_at
    return out + data + trailer, layout


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def patch(data, at, fmt, *v):
    b = bytearray(data)
    struct.pack_into(fmt, b, at, *v)
    return bytes(b)


def resum(data, layout, folder, block, dres=0):
    """Recompute one block's checksum after a patch of its fields."""
    at = layout["blocks"][folder][block]
    cb, cu = struct.unpack_from("<HH", data, at + 4)
    payload = data[at + 8 + dres:at + 8 + dres + cb]
    return patch(data, at, "<I", checksum(data[at + 4:at + 8],
                                          checksum(payload)))


def zip_of(entries):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in entries:
            zi = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, data)
    return buf.getvalue()


def main():
    os.makedirs(OUT, exist_ok=True)

    # ---------------------------------------------------------- valid
    stored, _ = build([Folder(NONE, [
        (b"lib\\Contoso.Orchestrations.dll", CONTOSO, 0),
        (b"lib\\Fabrikam.Adapters.dll", FABRIKAM, 0),
        (b"readme.txt", README, 0)])])
    write("stored.cab", stored)

    mszip, _ = build([Folder(MSZIP, [
        (b"Contoso.Orchestrations.dll", CONTOSO, 0),
        (b"Fabrikam.Adapters.dll", FABRIKAM, 0),
        (b"signed-2048.dll", SIGNED2048, 0),
        (b"signed-4096.dll", SIGNED4096, 0)])])
    write("mszip.cab", mszip)

    window, _ = build([Folder(MSZIP, [
        (b"data/lines.txt", LINES, 0),
        (b"bin/Contoso.Orchestrations.dll", CONTOSO, 0)])])
    write("mszip-window.cab", window)

    folders, _ = build([
        Folder(NONE, [(b"a/readme.txt", README, 0)]),
        Folder(MSZIP, [(b"a/Contoso.Orchestrations.dll", CONTOSO, 0),
                       (b"a/hello.exe", HELLO, 0)]),
        Folder(MSZIP, [(b"b/Fabrikam.Adapters.dll", FABRIKAM, 0)])])
    write("folders.cab", folders)

    # Header reserve (as signing tools leave room for a signature) and
    # bytes after cbCabinet (where such a signature goes).
    reserve, _ = build([Folder(MSZIP, [
        (b"Contoso.Orchestrations.dll", CONTOSO, 0),
        (b"readme.txt", README, 0)])], reserve=(20, 4, 8),
        trailer=b"\x30\x82" + b"\0" * 30)
    write("reserve.cab", reserve)

    names, _ = build([Folder(NONE, [
        ("lib/ünïcødé/Contoso.dll".encode("utf-8"), CONTOSO,
         A_NAME_IS_UTF),
        (b"caf\xe9.txt", README, 0)])])
    write("utf8-names.cab", names)

    nested, _ = build([Folder(MSZIP, [
        (b"pkg/app.zip", zip_of([("lib/Fabrikam.Adapters.dll",
                                  FABRIKAM)]), 0)])])
    write("zip-in-cab.cab", nested)

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        zi = zipfile.ZipInfo("cabs/mszip.cab", (1980, 1, 1, 0, 0, 0))
        zi.compress_type = zipfile.ZIP_STORED
        z.writestr(zi, mszip)
    write("cab-in-zip.zip", buf.getvalue())

    # A cabinet that goes on in the next one: the last folder's file is
    # split (iFolder 0xFFFE), the first folder's file is whole.
    half = FABRIKAM[:2048]
    spans, _ = build([Folder(MSZIP, [(b"whole.txt", README, 0)]),
                      Folder(MSZIP, [], blocks=mszip_blocks(half))],
                     flags=F_NEXT, strings=(b"next.cab", b"disk 2"),
                     extra_files=[(len(FABRIKAM), 0, 0xFFFE, 0,
                                   b"Fabrikam.Adapters.dll")])
    write("spans-next.cab", spans)

    empty, _ = build([])
    write("empty.cab", empty)

    # ------------------------------------------------------ malformed
    base, lay = build([Folder(MSZIP, [
        (b"Contoso.Orchestrations.dll", CONTOSO, 0),
        (b"Fabrikam.Adapters.dll", FABRIKAM, 0)])])
    b0 = lay["blocks"][0][0]
    f0, f1 = lay["files"]
    fold = lay["folders"][0]

    cs = struct.unpack_from("<I", base, b0)[0]
    write("bad-checksum.cab", patch(base, b0, "<I", cs ^ 1))
    write("cbcabinet-mismatch.cab", patch(base, 8, "<I", len(base) - 1))
    write("file-outside-folder.cab",
          patch(base, f1 + 4, "<I", len(CONTOSO) + 16))
    write("cfdata-past-end.cab", patch(base, fold + 4, "<H", 2))
    write("bad-folder-index.cab", patch(base, f1 + 8, "<H", 1))
    write("files-overlap.cab", patch(base, f1 + 4, "<I", 4096))
    write("truncated-header.cab", base[:30])
    # An empty file in a folder without blocks, its name's NUL cut off:
    # the name runs to the end of the cabinet.
    nonul, lay4 = build([Folder(NONE, [(b"empty.dll", b"", 0)])])
    nonul = patch(nonul[:-1], 8, "<I", len(nonul) - 1)
    nonul = patch(nonul, lay4["folders"][0], "<I", 36)
    write("name-without-nul.cab", nonul)
    write("lzx-window.cab", patch(base, fold + 6, "<H", 0x1603))

    big, lay2 = build([Folder(NONE, [(b"zeros.bin", b"\0" * 100, 0)])])
    b2 = lay2["blocks"][0][0]
    big = patch(big, b2 + 6, "<H", 40000)
    write("cbuncomp-too-big.cab", resum(big, lay2, 0, 0))

    # One block claims 8 bytes more than its deflate data makes; the
    # file sizes follow, so only the block is wrong.
    short, lay3 = build([Folder(MSZIP, [
        (b"Contoso.Orchestrations.dll", CONTOSO, 0)])])
    b3 = lay3["blocks"][0][0]
    cu = struct.unpack_from("<H", short, b3 + 6)[0]
    short = patch(short, b3 + 6, "<H", cu + 8)
    short = patch(short, lay3["files"][0], "<I", len(CONTOSO) + 8)
    write("block-short.cab", resum(short, lay3, 0, 0))

    nock = bytearray(base)
    nock[b0 + 8] = ord("X")
    nock = resum(bytes(nock), lay, 0, 0)
    write("mszip-no-ck.cab", nock)
    return 0


if __name__ == "__main__":
    sys.exit(main())
