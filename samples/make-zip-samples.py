#!/usr/bin/env python3
"""Remake the ZIP samples in samples/zip/ (see samples/zip/README.md).

Valid archives come from Python's zipfile (and one from Info-ZIP zip);
malformed ones from the raw writer below, one defect each, laid out from
PKWARE APPNOTE.TXT 4.3.7 (local header), 4.3.9 (data descriptor), 4.3.12
(central directory), 4.3.14-4.3.16 (ZIP64 end record, locator, end
record) and 4.5.3 (ZIP64 extra field). Assemblies come from
samples/valid/. Output is deterministic (fixed timestamps).

usage: python3 samples/make-zip-samples.py
"""
import io
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "zip")
DATE = (1980, 1, 1, 0, 0, 0)
DOSTIME = 0x00210000  # 1980-01-01 00:00 as DOS time | date << 16


def asm(name):
    with open(os.path.join(HERE, "valid", name), "rb") as f:
        return f.read()


CONTOSO = asm("contoso-orchestrations.dll")
FABRIKAM = asm("fabrikam-adapters.dll")
HELLO = asm("hello.exe")
README = b"Sample archive for asmgate's container reader.\n"


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
    print("make-zip-samples: %s (%d bytes)" % (name, len(data)))


# ------------------------------------------------------------ zipfile


def pyzip(members, **kw):
    """members: (name, bytes, compress_type) tuples."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", **kw) as z:
        for name, data, ct in members:
            zi = zipfile.ZipInfo(name, DATE)
            zi.compress_type = ct
            zi.external_attr = 0o644 << 16
            z.writestr(zi, data)
    return buf.getvalue()


D = zipfile.ZIP_DEFLATED
S = zipfile.ZIP_STORED

CONTENT_TYPES = b"""<?xml version="1.0" encoding="utf-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="nuspec" ContentType="application/octet"/>
<Default Extension="dll" ContentType="application/octet"/>
</Types>
"""
RELS = b"""<?xml version="1.0" encoding="utf-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Type="http://schemas.microsoft.com/packaging/2010/07/manifest" Target="/Contoso.nuspec" Id="R1"/>
</Relationships>
"""
NUSPEC = b"""<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd">
  <metadata>
    <id>Contoso</id>
    <version>1.0.0</version>
    <authors>Contoso</authors>
    <description>Sample package for asmgate.</description>
  </metadata>
</package>
"""
VSIXMANIFEST = b"""<?xml version="1.0" encoding="utf-8"?>
<PackageManifest Version="2.0.0" xmlns="http://schemas.microsoft.com/developer/vsx-schema/2011">
  <Metadata>
    <Identity Id="Contoso.Extension" Version="1.0" Language="en-US" Publisher="Contoso"/>
    <DisplayName>Contoso Extension</DisplayName>
  </Metadata>
  <Assets>
    <Asset Type="Microsoft.VisualStudio.Assembly" Path="Contoso.Orchestrations.dll"/>
  </Assets>
</PackageManifest>
"""


def nupkg():
    return pyzip([
        ("[Content_Types].xml", CONTENT_TYPES, D),
        ("_rels/.rels", RELS, D),
        ("Contoso.nuspec", NUSPEC, D),
        ("lib/net48/Contoso.Orchestrations.dll", CONTOSO, D),
    ])


class Unseekable(io.RawIOBase):
    """A write-only stream zipfile cannot seek: it then writes data
    descriptors (flag bit 3)."""

    def __init__(self):
        self.buf = bytearray()

    def writable(self):
        return True

    def write(self, b):
        self.buf += b
        return len(b)


def data_descriptor_zip():
    s = Unseekable()
    with zipfile.ZipFile(s, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in (("lib/Contoso.Orchestrations.dll", CONTOSO),
                           ("readme.txt", README)):
            zi = zipfile.ZipInfo(name, DATE)
            zi.compress_type = D
            with z.open(zi, "w") as w:
                w.write(data)
    return bytes(s.buf)


# ---------------------------------------------------------- raw writer


def deflate(data):
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


class Ent:
    def __init__(self, name, data, method=0, flags=0, zip64=False,
                 descriptor=False, at=None, payload=None, crc=None,
                 tail=b""):
        self.name = name if isinstance(name, bytes) else name.encode()
        self.data = data
        self.method = method
        self.flags = flags | (8 if descriptor else 0)
        self.zip64 = zip64
        self.descriptor = descriptor
        self.at = at  # no local header; the central entry points here
        if payload is None:
            payload = deflate(data) if method == 8 else data
        self.payload = payload
        self.crc = zlib.crc32(data) if crc is None else crc
        self.tail = tail  # bytes after the member that no entry lists
        # filled by raw(): the values each header gets (patchable)
        self.local = {}
        self.central = {}


def raw(ents, zip64_end=False, patch=None):
    """Write a ZIP. patch(ents) may change e.local / e.central fields
    (method, flags, crc, csize, usize, offset) before the headers are
    written; keys not set default to the true values."""
    out = bytearray()
    offs = []
    for e in ents:
        dd = e.descriptor
        e.local.setdefault("method", e.method)
        e.local.setdefault("flags", e.flags)
        e.local.setdefault("crc", 0 if dd else e.crc)
        e.local.setdefault("csize", 0 if dd else len(e.payload))
        e.local.setdefault("usize", 0 if dd else len(e.data))
        e.central.setdefault("method", e.method)
        e.central.setdefault("flags", e.flags)
        e.central.setdefault("crc", e.crc)
        e.central.setdefault("csize", len(e.payload))
        e.central.setdefault("usize", len(e.data))
    if patch:
        patch(ents)
    for e in ents:
        if e.at is not None:
            offs.append(e.at)
            continue
        offs.append(len(out))
        lo = e.local
        extra = b""
        cs, us = lo["csize"], lo["usize"]
        if e.zip64:
            extra = struct.pack("<HHQQ", 1, 16, us, cs)
            cs = us = 0xFFFFFFFF
        out += struct.pack("<IHHHIIIIHH", 0x04034b50, 45 if e.zip64 else 20,
                           lo["flags"], lo["method"], DOSTIME, lo["crc"], cs, us,
                           len(e.name), len(extra))
        out += e.name + extra + e.payload
        if e.descriptor:
            if e.zip64:
                out += struct.pack("<IIQQ", 0x08074b50, e.crc,
                                   len(e.payload), len(e.data))
            else:
                out += struct.pack("<IIII", 0x08074b50, e.crc,
                                   len(e.payload), len(e.data))
        out += e.tail
    cd = len(out)
    for e, off in zip(ents, offs):
        ce = e.central
        cs, us, o = ce["csize"], ce["usize"], ce.get("offset", off)
        extra = b""
        if e.zip64:
            extra = struct.pack("<HHQQQ", 1, 24, us, cs, o)
            cs = us = o = 0xFFFFFFFF
        out += struct.pack("<IHHHHIIIIHHHHHII", 0x02014b50, 0x031E,
                           45 if e.zip64 else 20, ce["flags"], ce["method"],
                           DOSTIME, ce["crc"], cs, us, len(e.name),
                           len(extra), 0, 0, 0, 0o644 << 16, o)
        out += e.name + extra
    cd_size = len(out) - cd
    n = len(ents)
    if zip64_end:
        e64 = len(out)
        out += struct.pack("<IQHHIIQQQQ", 0x06064b50, 44, 45, 45, 0, 0, n, n,
                           cd_size, cd)
        out += struct.pack("<IIQI", 0x07064b50, 0, e64, 1)
        out += struct.pack("<IHHHHIIH", 0x06054b50, 0, 0, 0xFFFF, 0xFFFF,
                           0xFFFFFFFF, 0xFFFFFFFF, 0)
    else:
        out += struct.pack("<IHHHHIIH", 0x06054b50, 0, 0, n, n, cd_size, cd,
                           0)
    return bytes(out)


# Traditional PKWARE encryption (APPNOTE 6.1), for encrypted-member.zip.
def zipcrypto(data, crc, password=b"secret"):
    def crc_byte(c, b):
        return (zlib.crc32(bytes([b]), c ^ 0xFFFFFFFF) ^ 0xFFFFFFFF)
    keys = [0x12345678, 0x23456789, 0x34567890]

    def update(b):
        keys[0] = crc_byte(keys[0], b)
        keys[1] = ((keys[1] + (keys[0] & 0xFF)) * 134775813 + 1) & 0xFFFFFFFF
        keys[2] = crc_byte(keys[2], keys[1] >> 24)

    for b in password:
        update(b)
    head = bytes(range(11)) + bytes([crc >> 24])
    out = bytearray()
    for b in head + data:
        t = (keys[2] | 2) & 0xFFFF
        k = ((t * (t ^ 1)) >> 8) & 0xFF
        out.append(b ^ k)
        update(b)
    return bytes(out)


# ------------------------------------------------------------- samples


def valid():
    write("app.zip", pyzip([
        ("bin/Contoso.Orchestrations.dll", CONTOSO, D),
        ("bin/Fabrikam.Adapters.dll", FABRIKAM, D),
        ("bin/hello.exe", HELLO, S),
        ("readme.txt", README, D),
    ]))
    write("Contoso.nupkg", nupkg())
    write("outer.zip", pyzip([
        ("pkgs/Contoso.nupkg", nupkg(), S),
        ("readme.txt", README, D),
    ]))
    write("Contoso.Extension.vsix", pyzip([
        ("extension.vsixmanifest", VSIXMANIFEST, D),
        ("[Content_Types].xml", CONTENT_TYPES, D),
        ("Contoso.Orchestrations.dll", CONTOSO, D),
    ]))
    write("zip64.zip", raw([
        Ent("lib/Contoso.Orchestrations.dll", CONTOSO, 8, zip64=True),
        Ent("readme.txt", README, 0, zip64=True),
    ], zip64_end=True))
    write("data-descriptor.zip", data_descriptor_zip())
    # CP437 names (flag bit 11 clear): 0x84 U+00E4, 0x94 U+00F6,
    # 0x81 U+00FC
    write("cp437-names.zip", raw([
        Ent(b"\x84\x94\x81.txt", README, 8),
        Ent(b"lib/\x8e.dll", CONTOSO, 8),
    ]))
    write("empty.zip", pyzip([]))
    write("control-chars-in-name.zip", pyzip([
        ("lib/evil\x1b[31mred\x1b[0m\n\t.dll", CONTOSO, D),
    ]))
    # Nested deeper than RD_MAX_CONTAINER_DEPTH (4): five zips, each
    # holding the next, the innermost an assembly.
    inner = pyzip([("lib/Contoso.Orchestrations.dll", CONTOSO, D)])
    for level in range(4, 0, -1):
        inner = pyzip([("level%d.zip" % (level + 1), inner, S)])
    write("depth-bomb.zip", inner)
    # A drop that mixes outcomes: a signed, a delay-signed and a tampered
    # assembly, a native PE (skipped), nested in a package inside a zip.
    states = os.path.join(HERE, "states")
    with open(os.path.join(states, "delay-signed.dll"), "rb") as f:
        delay = f.read()
    with open(os.path.join(states, "invalid--tampered-signature.dll"),
              "rb") as f:
        tampered = f.read()
    with open(os.path.join(HERE, "malformed", "not-dotnet.dll"), "rb") as f:
        native = f.read()
    write("mixed.zip", pyzip([
        ("bin/Contoso.Orchestrations.dll", CONTOSO, D),
        ("bin/Delay.dll", delay, D),
        ("bin/native.dll", native, D),
        ("pkgs/Tampered.nupkg", pyzip([
            ("Tampered.nuspec", NUSPEC, D),
            ("lib/net48/Tampered.dll", tampered, D),
        ]), D),
    ]))


def info_zip():
    if shutil.which("zip") is None:
        print("make-zip-samples: SKIP info-zip.zip: Info-ZIP zip not "
              "installed (apt-get install zip); keeping the committed file")
        return
    with tempfile.TemporaryDirectory() as t:
        os.makedirs(os.path.join(t, "lib"))
        for name, data in (("lib/Contoso.Orchestrations.dll", CONTOSO),
                           ("lib/Fabrikam.Adapters.dll", FABRIKAM),
                           ("readme.txt", README)):
            p = os.path.join(t, name)
            with open(p, "wb") as f:
                f.write(data)
            os.utime(p, (315532800, 315532800))
        os.utime(os.path.join(t, "lib"), (315532800, 315532800))
        out = os.path.join(t, "out.zip")
        subprocess.run(["zip", "-q", "-X", "-9", "-r", out, "lib",
                        "readme.txt"], cwd=t, check=True,
                       env=dict(os.environ, TZ="UTC"))
        with open(out, "rb") as f:
            write("info-zip.zip", f.read())


def malformed():
    # the directory cut short: the last entry is gone but the end record
    # still counts it and gives the old size
    z = bytearray(raw([Ent("a.dll", CONTOSO, 8), Ent("readme.txt", README)]))
    eocd = len(z) - 22
    cd = struct.unpack_from("<I", z, eocd + 16)[0]
    second = z.index(b"PK\1\2", cd + 4)
    write("truncated-central-directory.zip", bytes(z[:second] + z[eocd:]))

    def method_mismatch(ents):
        ents[0].local["method"] = 0
    write("local-central-mismatch.zip", raw(
        [Ent("lib/Contoso.Orchestrations.dll", CONTOSO, 8)],
        patch=method_mismatch))

    write("bad-crc.zip", raw([
        Ent("lib/Contoso.Orchestrations.dll", CONTOSO, 8,
            crc=zlib.crc32(CONTOSO) ^ 0x00010000)]))

    # b's local header and data quoted inside a's stored data; b's central
    # entry points there: both local headers are right, the data overlaps
    b = raw([Ent("b.dll", CONTOSO, 8)])
    b_local = b[:struct.unpack_from("<I", b, len(b) - 6)[0]]
    write("overlapping-members.zip", raw([
        Ent("a.bin", b_local, 0),
        Ent("b.dll", CONTOSO, 8, at=30 + len("a.bin")),
    ]))

    def past_end(ents):
        for h in (ents[1].local, ents[1].central):
            h["csize"] = h["usize"] = 0x7FFF0000
    write("member-past-end.zip", raw([
        Ent("a.dll", CONTOSO, 0), Ent("b.txt", README, 0)],
        patch=past_end))

    def bogus64(ents):
        for h in (ents[0].local, ents[0].central):
            h["csize"] = 0x7FFFFFFFFFFF0000
    write("zip64-bogus-sizes.zip", raw([
        Ent("lib/Contoso.Orchestrations.dll", CONTOSO, 8, zip64=True)],
        zip64_end=True, patch=bogus64))

    write("ratio-bomb.zip", pyzip([
        ("zeros.dll", bytes(4 << 20), D)]))

    write("duplicate-names.zip", raw([
        Ent("lib/Contoso.Orchestrations.dll", CONTOSO, 8),
        Ent("lib/Contoso.Orchestrations.dll", FABRIKAM, 8),
    ]))

    crc = zlib.crc32(CONTOSO)
    write("encrypted-member.zip", raw([
        Ent("lib/Contoso.Orchestrations.dll", CONTOSO, 0, flags=1,
            payload=zipcrypto(CONTOSO, crc))]))

    write("bzip2-member.zip", pyzip([
        ("lib/Contoso.Orchestrations.dll", CONTOSO, zipfile.ZIP_BZIP2)]))

    # A local header and data no central entry lists, between two
    # members: a streaming reader (Java's ZipInputStream) extracts it
    evil = raw([Ent("lib/Evil.dll", FABRIKAM, 8)])
    evil_local = evil[:struct.unpack_from("<I", evil, len(evil) - 6)[0]]
    write("hidden-member-in-gap.zip", raw([
        Ent("lib/Contoso.Orchestrations.dll", CONTOSO, 8, tail=evil_local),
        Ent("readme.txt", README, 8),
    ]))

    # Flag bit 3 in the central entry only: the local header (zero CRC
    # and sizes, no bit 3) says an empty stored member, so a streaming
    # reader goes on to the local header quoted in its data
    def descriptor_central_only(ents):
        ents[0].local["flags"] = 0
    write("descriptor-flag-central-only.zip", raw([
        Ent("a.bin", evil_local, 0, descriptor=True)],
        patch=descriptor_central_only))

    # Flag bit 11 on names that are not UTF-8: .NET reads both as
    # "lib/a\ufffd.dll"
    write("utf8-flag-invalid-name.zip", raw([
        Ent(b"lib/a\xff.dll", CONTOSO, 8, flags=0x800),
        Ent(b"lib/a\xfe.dll", FABRIKAM, 8, flags=0x800),
    ]))

    # The same path with backslash separators: one file once extracted
    write("backslash-duplicate.zip", raw([
        Ent("lib/net48/Contoso.Orchestrations.dll", CONTOSO, 8),
        Ent("lib\\net48\\Contoso.Orchestrations.dll", FABRIKAM, 8),
    ]))

    # A name that climbs out of the folder it is extracted to
    write("path-traversal.zip", raw([
        Ent("../../Contoso.Orchestrations.dll", CONTOSO, 8)]))


def main():
    os.makedirs(OUT, exist_ok=True)
    valid()
    info_zip()
    malformed()
    return 0


if __name__ == "__main__":
    sys.exit(main())
