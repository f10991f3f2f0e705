#!/usr/bin/env python3
"""Remake the Windows Installer samples in samples/msi/ (see its README).

Valid databases are built by Debian's msitools: `wixl` from the WiX
sources in samples/msi/src/, `msibuild` to import extra tables (IDT
files written below) and streams; external cabinets by `gcab`. The
assemblies come from samples/valid/. Malformed databases patch one
field of a valid one, found with the small compound-file reader below
(MS-CFB 2.2 header, 2.3 FAT, 2.4 mini FAT, 2.6 directory) and the
Windows Installer stream-name encoding. Without wixl, msibuild or gcab
the script prints SKIP and keeps the committed files.

usage: python3 samples/make-msi-samples.py
"""
import os
import shutil
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "msi")
SRC = os.path.join(OUT, "src")
ENV = dict(os.environ, SOURCE_DATE_EPOCH="315532800", TZ="UTC")


def have(tool):
    return shutil.which(tool) is not None


def run(*cmd, cwd=None):
    subprocess.run(cmd, check=True, cwd=cwd, env=ENV,
                   stdout=subprocess.DEVNULL)


def note(path):
    print("make-msi-samples: %s (%d bytes)" %
          (os.path.relpath(path, HERE), os.path.getsize(path)))


def payload(dst):
    """The files the WiX sources install, copied into dst."""
    shutil.copy(os.path.join(HERE, "valid", "contoso-orchestrations.dll"),
                os.path.join(dst, "Contoso.Orders.dll"))
    shutil.copy(os.path.join(HERE, "valid", "fabrikam-adapters.dll"),
                os.path.join(dst, "Fabrikam.Adapters.dll"))
    with open(os.path.join(dst, "readme.txt"), "wb") as f:
        f.write(b"readme\n")


def wixl(wxs, out, tmp):
    run("wixl", "-o", out, os.path.join(SRC, wxs), cwd=tmp)


def idt(tmp, name, header, rows):
    """An IDT file (msidb's text table format) for msibuild -i."""
    path = os.path.join(tmp, name + ".idt")
    with open(path, "w", newline="\r\n") as f:
        for line in header:
            f.write("\t".join(line) + "\n")
        for r in rows:
            f.write("\t".join(r) + "\n")
    return path


def gcab(out, files, tmp):
    """A MSZIP cabinet of (member name, path) pairs."""
    d = tempfile.mkdtemp(dir=tmp)
    for name, path in files:
        shutil.copy(path, os.path.join(d, name))
        os.utime(os.path.join(d, name), (315532800, 315532800))
    run("gcab", "-c", "-z", "-n", out, *[n for n, _ in files], cwd=d)


# ------------------------------------------------------------ MS-CFB


class Cfb:
    """Just enough of a compound-file reader to patch streams in place."""

    def __init__(self, data):
        self.d = bytearray(data)
        self.shift = struct.unpack_from("<H", data, 0x1E)[0]
        self.ss = 1 << self.shift
        nfat = struct.unpack_from("<I", data, 0x2C)[0]
        self.dir0 = struct.unpack_from("<I", data, 0x30)[0]
        self.minifat0 = struct.unpack_from("<I", data, 0x3C)[0]
        difat = struct.unpack_from("<109I", data, 0x4C)[:nfat]
        self.fat = []
        for s in difat:
            self.fat += struct.unpack_from("<%dI" % (self.ss // 4),
                                           data, self.off(s))
        self.entries = []
        for s in self.chain(self.dir0):
            for k in range(self.ss // 128):
                o = self.off(s) + 128 * k
                nl = struct.unpack_from("<H", data, o + 64)[0]
                name = struct.unpack_from("<%dH" % max(nl // 2 - 1, 0),
                                          data, o)
                self.entries.append((o, name))
        root = self.entries[0][0]
        self.ministart = struct.unpack_from("<I", data, root + 116)[0]
        self.minifat = []
        if self.minifat0 < 0xFFFFFFFA:
            for s in self.chain(self.minifat0):
                self.minifat += struct.unpack_from(
                    "<%dI" % (self.ss // 4), data, self.off(s))

    def off(self, s):
        return (s + 1) << self.shift

    def chain(self, s):
        out = []
        while s < 0xFFFFFFFA:
            out.append(s)
            s = self.fat[s]
        return out

    def entry(self, units):
        for o, name in self.entries:
            if list(name) == list(units):
                return o
        raise KeyError(units)

    def size(self, o):
        return struct.unpack_from("<I", self.d, o + 120)[0]

    def byte_offsets(self, units):
        """File offset of each byte of the stream named units."""
        o = self.entry(units)
        start = struct.unpack_from("<I", self.d, o + 116)[0]
        size = self.size(o)
        offs = []
        if size < 4096:
            mini = self.chain(self.ministart)
            s = start
            while s < 0xFFFFFFFA and len(offs) < size:
                base = s * 64
                for k in range(64):
                    pos = base + k
                    offs.append(self.off(mini[pos // self.ss]) +
                                pos % self.ss)
                s = self.minifat[s]
        else:
            for s in self.chain(start):
                offs += range(self.off(s), self.off(s) + self.ss)
        return offs[:size]

    def read(self, units):
        return bytes(self.d[i] for i in self.byte_offsets(units))

    def patch(self, units, pos, data):
        offs = self.byte_offsets(units)
        for k, b in enumerate(data):
            self.d[offs[pos + k]] = b

    def set_size(self, units, size):
        struct.pack_into("<I", self.d, self.entry(units) + 120, size)


ALPHA = ("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
         "abcdefghijklmnopqrstuvwxyz._")


def encode(name, table=False):
    """Windows Installer's stream name encoding."""
    out = [0x4840] if table else []
    i = 0
    while i < len(name):
        a = ALPHA.find(name[i])
        b = ALPHA.find(name[i + 1]) if i + 1 < len(name) else -1
        if a >= 0 and b >= 0:
            out.append(0x3800 + a + (b << 6))
            i += 2
        elif a >= 0:
            out.append(0x4800 + a)
            i += 1
        else:
            out.append(ord(name[i]))
            i += 1
    return out


class Msi:
    """String pool and tables of a database, for patching."""

    def __init__(self, data):
        self.cfb = Cfb(data)
        pool = self.cfb.read(encode("_StringPool", True))
        sdata = self.cfb.read(encode("_StringData", True))
        self.long = bool(struct.unpack_from("<H", pool, 2)[0] & 0x8000)
        self.strings = [None]
        self.lens = [None]
        off = 0
        for i in range(1, len(pool) // 4):
            ln, refs = struct.unpack_from("<HH", pool, 4 * i)
            self.strings.append(sdata[off:off + ln])
            self.lens.append(4 * i)
            off += ln
        self.sdata = sdata

    def sid(self, s):
        return self.strings.index(s.encode())

    def raw(self):
        return bytes(self.cfb.d)


def patched(src, fn, out):
    with open(src, "rb") as f:
        m = Msi(f.read())
    fn(m)
    with open(out, "wb") as f:
        f.write(m.raw())
    note(out)


# File table columns (wixl): File s72, Component_ s72, FileName l255,
# FileSize i4, Version S72, Language S20, Attributes I2, Sequence i4;
# stored column by column, 2-byte string references.
FILE_ROWS = 3


def bad_string_ref(m):
    # Component_ of the first row: column 2 starts after column 1.
    m.cfb.patch(encode("File", True), 2 * FILE_ROWS, struct.pack("<H",
                                                                  0xFFF0))


def bad_row_size(m):
    t = encode("File", True)
    m.cfb.set_size(t, m.cfb.size(m.cfb.entry(t)) - 1)


def dir_cycle(m):
    # Directory: Directory s72, Directory_Parent S72, DefaultDir l255.
    t = encode("Directory", True)
    data = m.cfb.read(t)
    rows = len(data) // 6
    keys = [struct.unpack_from("<H", data, 2 * r)[0] for r in range(rows)]
    pf = keys.index(m.sid("ProgramFilesFolder"))
    inst = m.sid("INSTALLDIR")
    m.cfb.patch(t, 2 * rows + 2 * pf, struct.pack("<H", inst))


def pool_past_end(m):
    # The last string claims 200 more bytes than _StringData holds.
    pool = encode("_StringPool", True)
    last = len(m.strings) - 1
    ln = len(m.strings[last])
    m.cfb.patch(pool, m.lens[last], struct.pack("<H", ln + 200))


def missing_cab_stream(m):
    # Media.Cabinet "#app.cab" becomes "#apq.cab": no such stream.
    sid = m.sid("#app.cab")
    off = sum(len(s) for s in m.strings[1:sid])
    m.cfb.patch(encode("_StringData", True), off + 3, b"q")


def cab_bad_checksum(m):
    # A byte of the first CFDATA block's compressed data.
    cab = encode("app.cab")
    data = m.cfb.read(cab)
    first = struct.unpack_from("<I", data, 36)[0]  # CFFOLDER.coffCabStart
    pos = first + 8 + 20
    m.cfb.patch(cab, pos, bytes([data[pos] ^ 0x55]))


# ------------------------------------------------------------ samples


def main():
    tools = ["wixl", "msibuild", "gcab"]
    missing = [t for t in tools if not have(t)]
    if missing:
        print("make-msi-samples: SKIP (%s not installed; the committed "
              "samples stay)" % ", ".join(missing))
        return 0
    tmp = tempfile.mkdtemp()
    try:
        payload(tmp)
        app = os.path.join(OUT, "app.msi")
        wixl("app.wxs", app, tmp)
        note(app)

        # External cabinet beside the database, and a copy without it.
        for d in ("external", "missing-cab"):
            os.makedirs(os.path.join(OUT, d), exist_ok=True)
        ext = os.path.join(OUT, "external", "ext.msi")
        wixl("ext.wxs", ext, tmp)
        note(ext)
        gcab(os.path.join(OUT, "external", "ext.cab"),
             [("OrdersDll", os.path.join(tmp, "Contoso.Orders.dll")),
              ("Readme", os.path.join(tmp, "readme.txt")),
              ("FabDll", os.path.join(tmp, "Fabrikam.Adapters.dll"))], tmp)
        note(os.path.join(OUT, "external", "ext.cab"))
        shutil.copy(ext, os.path.join(OUT, "missing-cab", "ext.msi"))
        note(os.path.join(OUT, "missing-cab", "ext.msi"))

        # Uncompressed media: no cabinet, files in the source image.
        unc_dir = os.path.join(OUT, "uncompressed")
        os.makedirs(os.path.join(unc_dir, "Contoso", "Adapters"),
                    exist_ok=True)
        unc = os.path.join(unc_dir, "unc.msi")
        shutil.copy(ext, unc)
        run("msibuild", unc, "-q", "UPDATE Media SET Cabinet = ''")
        shutil.copy(os.path.join(tmp, "Contoso.Orders.dll"),
                    os.path.join(unc_dir, "Contoso"))
        shutil.copy(os.path.join(tmp, "readme.txt"),
                    os.path.join(unc_dir, "Contoso"))
        shutil.copy(os.path.join(tmp, "Fabrikam.Adapters.dll"),
                    os.path.join(unc_dir, "Contoso", "Adapters"))
        note(unc)

        # A .NET assembly component bound for the global assembly cache.
        gac = os.path.join(OUT, "gac.msi")
        shutil.copy(app, gac)
        run("msibuild", gac, "-i", idt(tmp, "MsiAssembly", [
            ("Component_", "Feature_", "File_Manifest", "File_Application",
             "Attributes"),
            ("s72", "s38", "S72", "S72", "I2"),
            ("MsiAssembly", "Component_")],
            [("C2", "F", "FabDll", "", "0")]))
        note(gac)

        # Two components installing one path (conditions pick one).
        dup = os.path.join(OUT, "dup-path.msi")
        wixl("dup-path.wxs", dup, tmp)
        note(dup)

        # A merge module: no Media table, the cabinet in the stream
        # MergeModule.CABinet, File keys "Name.<module guid>".
        msm = os.path.join(OUT, "module.msm")
        if os.path.exists(msm):
            os.remove(msm)
        guid = "12345678_1234_1234_1234_123456789020"
        fkey = "ModDll." + guid
        cab = os.path.join(tmp, "module.cab")
        gcab(cab, [(fkey, os.path.join(tmp, "Contoso.Orders.dll"))], tmp)
        tables = [
            idt(tmp, "Directory", [
                ("Directory", "Directory_Parent", "DefaultDir"),
                ("s72", "S72", "l255"), ("Directory", "Directory")],
                [("TARGETDIR", "", "SourceDir"),
                 ("MergeRedirectFolder." + guid, "TARGETDIR", "."),
                 ("Contoso." + guid, "MergeRedirectFolder." + guid,
                  "Contoso")]),
            idt(tmp, "Component", [
                ("Component", "ComponentId", "Directory_", "Attributes",
                 "Condition", "KeyPath"),
                ("s72", "S38", "s72", "i2", "S255", "S72"),
                ("Component", "Component")],
                [("M1." + guid, "{12345678-1234-1234-1234-123456789021}",
                  "Contoso." + guid, "0", "", fkey)]),
            idt(tmp, "File", [
                ("File", "Component_", "FileName", "FileSize", "Version",
                 "Language", "Attributes", "Sequence"),
                ("s72", "s72", "l255", "i4", "S72", "S20", "I2", "i2"),
                ("File", "File")],
                [(fkey, "M1." + guid, "CONTOS~1.DLL|Contoso.Orders.dll",
                  str(os.path.getsize(os.path.join(tmp,
                                                   "Contoso.Orders.dll"))),
                  "", "", "512", "1")]),
            idt(tmp, "ModuleSignature", [
                ("ModuleID", "Language", "Version"),
                ("s72", "i2", "s32"), ("ModuleSignature", "ModuleID")],
                [("ContosoModule." + guid, "1033", "1.0.0")]),
        ]
        # (one msibuild run per change: it stops after a failed
        # option in a longer command line)
        for t in tables:
            run("msibuild", msm, "-i", t)
        run("msibuild", msm, "-a", "MergeModule.CABinet", cab)
        run("msibuild", msm, "-s", "Contoso module", "Contoso",
            "Intel;1033", "{12345678-1234-1234-1234-123456789020}")
        note(msm)

        # Signed with Authenticode (\5DigitalSignature) by osslsigncode
        # with a throwaway self-signed certificate.
        if have("osslsigncode") and have("openssl"):
            key = os.path.join(tmp, "pub.key")
            crt = os.path.join(tmp, "pub.crt")
            run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-keyout", key, "-out", crt, "-days", "3650", "-subj",
                "/CN=asmgate sample publisher")
            out = os.path.join(OUT, "signed.msi")
            if os.path.exists(out):
                os.remove(out)
            run("osslsigncode", "sign", "-certs", crt, "-key", key,
                "-in", app, "-out", out)
            note(out)
        else:
            print("make-msi-samples: SKIP signed.msi (osslsigncode or "
                  "openssl not installed)")

        # Malformed, one defect each.
        mal = os.path.join(OUT, "malformed")
        os.makedirs(mal, exist_ok=True)
        for name, fn in (("string-ref-out-of-range.msi", bad_string_ref),
                         ("table-row-size.msi", bad_row_size),
                         ("directory-cycle.msi", dir_cycle),
                         ("pool-past-end.msi", pool_past_end),
                         ("missing-cab-stream.msi", missing_cab_stream),
                         ("cab-bad-checksum.msi", cab_bad_checksum)):
            patched(app, fn, os.path.join(mal, name))
    finally:
        shutil.rmtree(tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
