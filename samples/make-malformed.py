#!/usr/bin/env python3
"""make-malformed.py - derive the malformed and derived-state samples.

Dev-time only: the tests use the files this writes, never the script.

Reads (made by make-samples.sh, committed):
    samples/valid/contoso-orchestrations.dll   PE32, signed with contoso.snk
    samples/valid/contoso-x64.dll              PE32+, signed with contoso.snk
    samples/states/delay-signed.dll            delay-signed with contoso.pub
    samples/module/helper.netmodule            module, no Assembly row
Writes:
    samples/malformed/*        one defect per file, named after the defect
    samples/malformed/README.md  the list, with the offsets and values changed
    samples/states/public-signed.dll  delay-signed.dll with COR flag 0x8 set
    samples/states/tampered-il.dll    contoso-orchestrations.dll, 1 IL byte changed

Every offset is computed by parsing the input (DOS header, COFF header,
optional header, data directories, section table, COR20 header, metadata
root, stream headers, #~ table sizes per ECMA-335 II.24.2.6), never
hard-coded. No checksum or signature is fixed up after a change: a patched
file keeps the now-stale PE checksum and strong-name signature.

Usage: python3 samples/make-malformed.py
"""

import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def p(*parts):
    return os.path.join(HERE, *parts)


def rel(path):
    return os.path.relpath(path, HERE)


# ---------------------------------------------------------------------------
# ECMA-335 II.22 table schemas and II.24.2.6 coded indexes

CODED = {
    # name: (tag bits, tables by tag; None = unused tag)
    "TypeDefOrRef": (2, [0x02, 0x01, 0x1B]),
    "HasConstant": (2, [0x04, 0x08, 0x17]),
    "HasCustomAttribute": (5, [0x06, 0x04, 0x01, 0x02, 0x08, 0x09, 0x0A, 0x00,
                               0x0E, 0x17, 0x14, 0x11, 0x1A, 0x1B, 0x20, 0x23,
                               0x26, 0x27, 0x28, 0x2A, 0x2C, 0x2B]),
    "HasFieldMarshal": (1, [0x04, 0x08]),
    "HasDeclSecurity": (2, [0x02, 0x06, 0x20]),
    "MemberRefParent": (3, [0x02, 0x01, 0x1A, 0x06, 0x1B]),
    "HasSemantics": (1, [0x14, 0x17]),
    "MethodDefOrRef": (1, [0x06, 0x0A]),
    "MemberForwarded": (1, [0x04, 0x06]),
    "Implementation": (2, [0x26, 0x23, 0x27]),
    "CustomAttributeType": (3, [None, None, 0x06, 0x0A, None]),
    "ResolutionScope": (2, [0x00, 0x1A, 0x23, 0x01]),
    "TypeOrMethodDef": (1, [0x02, 0x06]),
}

# Column kinds: "u1" "u2" "u4" fixed; "S" "G" "B" heap indexes;
# ("T", table) simple index; ("C", coded-index-name).
TABLES = {
    0x00: ("Module", [("Generation", "u2"), ("Name", "S"), ("Mvid", "G"),
                      ("EncId", "G"), ("EncBaseId", "G")]),
    0x01: ("TypeRef", [("ResolutionScope", ("C", "ResolutionScope")),
                       ("TypeName", "S"), ("TypeNamespace", "S")]),
    0x02: ("TypeDef", [("Flags", "u4"), ("TypeName", "S"), ("TypeNamespace", "S"),
                       ("Extends", ("C", "TypeDefOrRef")),
                       ("FieldList", ("T", 0x04)), ("MethodList", ("T", 0x06))]),
    0x03: ("FieldPtr", [("Field", ("T", 0x04))]),
    0x04: ("Field", [("Flags", "u2"), ("Name", "S"), ("Signature", "B")]),
    0x05: ("MethodPtr", [("Method", ("T", 0x06))]),
    0x06: ("MethodDef", [("RVA", "u4"), ("ImplFlags", "u2"), ("Flags", "u2"),
                         ("Name", "S"), ("Signature", "B"),
                         ("ParamList", ("T", 0x08))]),
    0x07: ("ParamPtr", [("Param", ("T", 0x08))]),
    0x08: ("Param", [("Flags", "u2"), ("Sequence", "u2"), ("Name", "S")]),
    0x09: ("InterfaceImpl", [("Class", ("T", 0x02)),
                             ("Interface", ("C", "TypeDefOrRef"))]),
    0x0A: ("MemberRef", [("Class", ("C", "MemberRefParent")), ("Name", "S"),
                         ("Signature", "B")]),
    0x0B: ("Constant", [("Type", "u1"), ("Padding", "u1"),
                        ("Parent", ("C", "HasConstant")), ("Value", "B")]),
    0x0C: ("CustomAttribute", [("Parent", ("C", "HasCustomAttribute")),
                               ("Type", ("C", "CustomAttributeType")),
                               ("Value", "B")]),
    0x0D: ("FieldMarshal", [("Parent", ("C", "HasFieldMarshal")),
                            ("NativeType", "B")]),
    0x0E: ("DeclSecurity", [("Action", "u2"), ("Parent", ("C", "HasDeclSecurity")),
                            ("PermissionSet", "B")]),
    0x0F: ("ClassLayout", [("PackingSize", "u2"), ("ClassSize", "u4"),
                           ("Parent", ("T", 0x02))]),
    0x10: ("FieldLayout", [("Offset", "u4"), ("Field", ("T", 0x04))]),
    0x11: ("StandAloneSig", [("Signature", "B")]),
    0x12: ("EventMap", [("Parent", ("T", 0x02)), ("EventList", ("T", 0x14))]),
    0x13: ("EventPtr", [("Event", ("T", 0x14))]),
    0x14: ("Event", [("EventFlags", "u2"), ("Name", "S"),
                     ("EventType", ("C", "TypeDefOrRef"))]),
    0x15: ("PropertyMap", [("Parent", ("T", 0x02)), ("PropertyList", ("T", 0x17))]),
    0x16: ("PropertyPtr", [("Property", ("T", 0x17))]),
    0x17: ("Property", [("Flags", "u2"), ("Name", "S"), ("Type", "B")]),
    0x18: ("MethodSemantics", [("Semantics", "u2"), ("Method", ("T", 0x06)),
                               ("Association", ("C", "HasSemantics"))]),
    0x19: ("MethodImpl", [("Class", ("T", 0x02)),
                          ("MethodBody", ("C", "MethodDefOrRef")),
                          ("MethodDeclaration", ("C", "MethodDefOrRef"))]),
    0x1A: ("ModuleRef", [("Name", "S")]),
    0x1B: ("TypeSpec", [("Signature", "B")]),
    0x1C: ("ImplMap", [("MappingFlags", "u2"),
                       ("MemberForwarded", ("C", "MemberForwarded")),
                       ("ImportName", "S"), ("ImportScope", ("T", 0x1A))]),
    0x1D: ("FieldRVA", [("RVA", "u4"), ("Field", ("T", 0x04))]),
    0x1E: ("EncLog", [("Token", "u4"), ("FuncCode", "u4")]),
    0x1F: ("EncMap", [("Token", "u4")]),
    0x20: ("Assembly", [("HashAlgId", "u4"), ("MajorVersion", "u2"),
                        ("MinorVersion", "u2"), ("BuildNumber", "u2"),
                        ("RevisionNumber", "u2"), ("Flags", "u4"),
                        ("PublicKey", "B"), ("Name", "S"), ("Culture", "S")]),
    0x21: ("AssemblyProcessor", [("Processor", "u4")]),
    0x22: ("AssemblyOS", [("OSPlatformID", "u4"), ("OSMajorVersion", "u4"),
                          ("OSMinorVersion", "u4")]),
    0x23: ("AssemblyRef", [("MajorVersion", "u2"), ("MinorVersion", "u2"),
                           ("BuildNumber", "u2"), ("RevisionNumber", "u2"),
                           ("Flags", "u4"), ("PublicKeyOrToken", "B"),
                           ("Name", "S"), ("Culture", "S"), ("HashValue", "B")]),
    0x24: ("AssemblyRefProcessor", [("Processor", "u4"),
                                    ("AssemblyRef", ("T", 0x23))]),
    0x25: ("AssemblyRefOS", [("OSPlatformId", "u4"), ("OSMajorVersion", "u4"),
                             ("OSMinorVersion", "u4"), ("AssemblyRef", ("T", 0x23))]),
    0x26: ("File", [("Flags", "u4"), ("Name", "S"), ("HashValue", "B")]),
    0x27: ("ExportedType", [("Flags", "u4"), ("TypeDefId", "u4"),
                            ("TypeName", "S"), ("TypeNamespace", "S"),
                            ("Implementation", ("C", "Implementation"))]),
    0x28: ("ManifestResource", [("Offset", "u4"), ("Flags", "u4"), ("Name", "S"),
                                ("Implementation", ("C", "Implementation"))]),
    0x29: ("NestedClass", [("NestedClass", ("T", 0x02)),
                           ("EnclosingClass", ("T", 0x02))]),
    0x2A: ("GenericParam", [("Number", "u2"), ("Flags", "u2"),
                            ("Owner", ("C", "TypeOrMethodDef")), ("Name", "S")]),
    0x2B: ("MethodSpec", [("Method", ("C", "MethodDefOrRef")),
                          ("Instantiation", "B")]),
    0x2C: ("GenericParamConstraint", [("Owner", ("T", 0x2A)),
                                      ("Constraint", ("C", "TypeDefOrRef"))]),
}
TABLE_ID = {name: tid for tid, (name, _) in TABLES.items()}


class ParseError(Exception):
    pass


class PE:
    """Just enough of a PE/CLI parser to locate every field this script edits.

    All offsets are file offsets. Bounds are checked; the inputs are
    well-formed compiler output, so any failure here is a bug or a bad input.
    """

    def __init__(self, data, name):
        self.data = bytes(data)
        self.name = name
        d = self.data
        if len(d) < 64 or d[0:2] != b"MZ":
            raise ParseError(name + ": no MZ header")
        self.lfanew = self.u32(0x3C)
        L = self.lfanew
        if d[L:L + 4] != b"PE\0\0":
            raise ParseError(name + ": no PE signature")
        self.coff = L + 4
        (self.machine, self.nsections, self.timestamp, _, _,
         self.size_opt, self.characteristics) = struct.unpack_from("<HHIIIHH", d, self.coff)
        self.opt = L + 24
        self.magic = self.u16(self.opt)
        if self.magic == 0x10B:
            self.pe32plus = False
            self.nrva_off = self.opt + 92
            self.dd = self.opt + 96
        elif self.magic == 0x20B:
            self.pe32plus = True
            self.nrva_off = self.opt + 108
            self.dd = self.opt + 112
        else:
            raise ParseError("%s: optional header magic 0x%x" % (name, self.magic))
        self.checksum_off = self.opt + 64
        self.nrva = self.u32(self.nrva_off)
        self.sect_table = self.opt + self.size_opt
        self.sections = []
        for i in range(self.nsections):
            o = self.sect_table + 40 * i
            sname = d[o:o + 8].rstrip(b"\0").decode("ascii")
            vsize, va, rawsize, rawptr = struct.unpack_from("<IIII", d, o + 8)
            chars = self.u32(o + 36)
            self.sections.append(dict(index=i, name=sname, hdr=o, vsize=vsize, va=va,
                                      rawsize=rawsize, rawptr=rawptr, chars=chars))
        self._parse_cli()

    # -- little helpers
    def u16(self, off):
        return struct.unpack_from("<H", self.data, off)[0]

    def u32(self, off):
        return struct.unpack_from("<I", self.data, off)[0]

    def dir_off(self, index):
        if index >= self.nrva:
            raise ParseError("%s: no data directory %d" % (self.name, index))
        return self.dd + 8 * index

    def section_of_rva(self, rva):
        for s in self.sections:
            if s["va"] <= rva < s["va"] + max(s["vsize"], s["rawsize"]):
                return s
        return None

    def section_named(self, sname):
        for s in self.sections:
            if s["name"] == sname:
                return s
        raise ParseError("%s: no section %s" % (self.name, sname))

    def rva_to_off(self, rva):
        s = self.section_of_rva(rva)
        if s is None or rva - s["va"] >= s["rawsize"]:
            raise ParseError("%s: RVA 0x%x is in no section's raw data" % (self.name, rva))
        return rva - s["va"] + s["rawptr"]

    # -- CLI header, metadata root, streams, tables
    def _parse_cli(self):
        d = self.data
        self.cli_dir = self.dir_off(14)
        self.cli_rva, self.cli_size = struct.unpack_from("<II", d, self.cli_dir)
        if self.cli_rva == 0:
            raise ParseError(self.name + ": not a .NET image")
        self.cor = self.rva_to_off(self.cli_rva)
        c = self.cor
        self.cor_cb = self.u32(c)
        self.md_rva, self.md_size = struct.unpack_from("<II", d, c + 8)
        self.cor_flags_off = c + 16
        self.cor_flags = self.u32(c + 16)
        self.sn_dir = c + 32
        self.sn_rva, self.sn_size = struct.unpack_from("<II", d, c + 32)
        self.sn_off = self.rva_to_off(self.sn_rva) if self.sn_rva else None

        self.md = m = self.rva_to_off(self.md_rva)
        if d[m:m + 4] != b"BSJB":
            raise ParseError(self.name + ": no BSJB")
        self.md_verlen_off = m + 12
        vlen = self.u32(m + 12)
        self.md_version = d[m + 16:m + 16 + vlen].rstrip(b"\0").decode("ascii")
        self.nstreams_off = m + 16 + vlen + 2
        nstreams = self.u16(self.nstreams_off)
        self.streams = {}
        self.stream_list = []
        h = self.nstreams_off + 2
        for _ in range(nstreams):
            soff, ssize = struct.unpack_from("<II", d, h)
            end = d.index(b"\0", h + 8)
            sname = d[h + 8:end].decode("ascii")
            st = dict(name=sname, hdr=h, name_off=h + 8, offset=soff, size=ssize,
                      start=m + soff)
            self.streams[sname] = st
            self.stream_list.append(st)
            h = h + 8 + ((end - (h + 8)) + 4) // 4 * 4
        self.stream_headers_end = h
        self._parse_tables()

    def _parse_tables(self):
        d = self.data
        t = self.streams.get("#~") or self.streams.get("#-")
        if t is None:
            raise ParseError(self.name + ": no table stream")
        self.tables_stream = t
        o = t["start"]
        self.heap_sizes = d[o + 6]
        self.valid = struct.unpack_from("<Q", d, o + 8)[0]
        self.rows = {}
        self.rowcount_off = {}
        r = o + 24
        for tid in range(64):
            if self.valid >> tid & 1:
                self.rows[tid] = self.u32(r)
                self.rowcount_off[tid] = r
                r += 4
        if self.heap_sizes & 0x40:
            r += 4
        for tid in self.rows:
            if tid not in TABLES:
                raise ParseError("%s: unsupported table 0x%x" % (self.name, tid))

        big = "#JTD" in self.streams
        self.str_size = 4 if big or self.heap_sizes & 1 else 2
        self.guid_size = 4 if big or self.heap_sizes & 2 else 2
        self.blob_size = 4 if big or self.heap_sizes & 4 else 2

        def nrows(tid):
            return self.rows.get(tid, 0)

        def col_size(kind):
            if kind == "u1":
                return 1
            if kind == "u2":
                return 2
            if kind == "u4":
                return 4
            if kind == "S":
                return self.str_size
            if kind == "G":
                return self.guid_size
            if kind == "B":
                return self.blob_size
            if kind[0] == "T":
                return 4 if big or nrows(kind[1]) >= 0x10000 else 2
            bits, targets = CODED[kind[1]]
            mx = max(nrows(x) for x in targets if x is not None)
            return 4 if big or mx >= (1 << (16 - bits)) else 2

        self.table_off = {}
        self.row_size = {}
        self.col_layout = {}
        pos = r
        for tid in sorted(self.rows):
            cols = []
            co = 0
            for cname, kind in TABLES[tid][1]:
                sz = col_size(kind)
                cols.append((cname, co, sz))
                co += sz
            self.col_layout[tid] = cols
            self.row_size[tid] = co
            self.table_off[tid] = pos
            pos += co * self.rows[tid]
        self.tables_end = pos
        # Self-check of the table-size arithmetic: the rows must fill the #~
        # stream up to its padding. mcs (IKVM.Reflection writer) pads with 1-4
        # zero bytes, so 4 bytes of slack occur when the rows end 4-aligned.
        slack = t["start"] + t["size"] - pos
        if not 0 <= slack < 8:
            raise ParseError("%s: table sizes do not add up (%d bytes left in #~)"
                             % (self.name, slack))

    def cell_off(self, table, row, column):
        """File offset and size of a cell; row is 1-based."""
        tid = TABLE_ID[table]
        if not 1 <= row <= self.rows.get(tid, 0):
            raise ParseError("%s: no %s row %d" % (self.name, table, row))
        for cname, co, sz in self.col_layout[tid]:
            if cname == column:
                return self.table_off[tid] + self.row_size[tid] * (row - 1) + co, sz
        raise ParseError("no column %s.%s" % (table, column))

    def cell(self, table, row, column):
        off, sz = self.cell_off(table, row, column)
        return int.from_bytes(self.data[off:off + sz], "little")

    def string(self, index):
        s = self.streams["#Strings"]
        o = s["start"] + index
        return self.data[o:self.data.index(b"\0", o)].decode("utf-8")

    def blob_off(self, index):
        """(offset of the length prefix, prefix length, blob length)."""
        s = self.streams["#Blob"]
        o = s["start"] + index
        b0 = self.data[o]
        if b0 & 0x80 == 0:
            return o, 1, b0
        if b0 & 0xC0 == 0x80:
            return o, 2, (b0 & 0x3F) << 8 | self.data[o + 1]
        if b0 & 0xE0 == 0xC0:
            return o, 4, int.from_bytes(self.data[o:o + 4], "big") & 0x1FFFFFFF
        raise ParseError("bad blob length byte 0x%02x" % b0)


# ---------------------------------------------------------------------------
# output bookkeeping

RECORDS = []   # (file, defect, [change lines])
STATES = []


def patch(data, off, fmt, value):
    """Write struct fmt value at off; return a 'field: old -> new' note."""
    old = struct.unpack_from(fmt, data, off)
    struct.pack_into(fmt, data, off, *(value if isinstance(value, tuple) else (value,)))
    new = struct.unpack_from(fmt, data, off)

    def show(vals):
        width = struct.calcsize(fmt[-1]) * 2
        return ", ".join(
            "'%s'" % "".join(chr(b) if 32 <= b < 127 else "\\x%02x" % b for b in v)
            if isinstance(v, bytes) else "0x%0*X" % (width, v)
            for v in vals)
    return "0x%X: %s -> %s" % (off, show(old), show(new))


def write(path, data, defect, changes, records=RECORDS):
    with open(path, "wb") as f:
        f.write(bytes(data))
    records.append((os.path.basename(path) if records is RECORDS else rel(path),
                    defect, changes, len(data)))


# ---------------------------------------------------------------------------
# the malformed set

def make_malformed(base, x64, module_path, outdir):
    src = base.data
    B = rel(p("valid", "contoso-orchestrations.dll"))
    out = lambda n: os.path.join(outdir, n)  # noqa: E731

    write(out("empty.dll"), b"", "zero-length file", ["(empty)"])

    write(out("not-pe.txt"),
          b"This is a plain text file, not a PE image.\n"
          b"asmgate must reject it without reading past its end.\n",
          "text file, no MZ header", ["plain ASCII text"])

    write(out("truncated-dos-header.dll"), src[:40],
          "file ends inside the 64-byte DOS header (before e_lfanew at 0x3C)",
          ["first 40 bytes of %s" % B])

    cut = base.coff + 10
    write(out("truncated-pe-header.dll"), src[:cut],
          "file ends inside the COFF file header",
          ["first %d bytes (PE signature at 0x%X, COFF header 0x%X..0x%X)"
           % (cut, base.lfanew, base.coff, base.coff + 20)])

    text = base.section_named(".text")
    cut = text["rawptr"] + text["rawsize"] // 2
    write(out("truncated-section-data.dll"), src[:cut],
          "file ends in the middle of .text raw data",
          [".text raw data 0x%X..0x%X; file cut at 0x%X"
           % (text["rawptr"], text["rawptr"] + text["rawsize"], cut)])

    d = bytearray(src)
    c = patch(d, 0, "<2s", b"NZ")
    write(out("bad-mz.dll"), d, "DOS e_magic is not 'MZ'", ["e_magic " + c])

    d = bytearray(src)
    c = patch(d, base.lfanew, "<4s", b"PX\0\0")
    write(out("bad-pe-signature.dll"), d, "PE signature is not 'PE\\0\\0'",
          ["signature at e_lfanew " + c])

    d = bytearray(src)
    c = patch(d, 0x3C, "<I", 0x7FFFFFF0)
    write(out("lfanew-past-eof.dll"), d, "e_lfanew points far past the end of the file",
          ["e_lfanew " + c])

    d = bytearray(src)
    c = patch(d, 0x3C, "<I", 0xFFFFFFFD)
    write(out("lfanew-unaligned-huge.dll"), d,
          "e_lfanew is odd and so large that e_lfanew + 4 wraps a 32-bit offset",
          ["e_lfanew " + c])

    d = bytearray(src)
    c = patch(d, base.coff + 2, "<H", 0xFFFF)
    write(out("too-many-sections.dll"), d,
          "NumberOfSections = 0xFFFF: the section table would run far past EOF",
          ["COFF NumberOfSections " + c])

    d = bytearray(src)
    newsize = (len(src) - text["rawptr"] + 0x1000 + 0x1FF) & ~0x1FF
    c = patch(d, text["hdr"] + 16, "<I", newsize)
    write(out("section-raw-past-eof.dll"), d,
          ".text PointerToRawData + SizeOfRawData is beyond the end of the file",
          [".text SizeOfRawData " + c,
           "(PointerToRawData 0x%X + 0x%X = 0x%X > file size 0x%X)"
           % (text["rawptr"], newsize, text["rawptr"] + newsize, len(src))])

    d = bytearray(src)
    c1 = patch(d, text["hdr"] + 20, "<I", 0xFFFFFF00)
    c2 = patch(d, text["hdr"] + 16, "<I", 0x200)
    write(out("section-raw-size-overflow.dll"), d,
          ".text PointerToRawData + SizeOfRawData overflows 32 bits (wraps to 0x100)",
          [".text PointerToRawData " + c1, ".text SizeOfRawData " + c2])

    d = bytearray(src)
    c = patch(d, base.opt, "<H", 0x0107)
    write(out("bad-optional-magic.dll"), d,
          "optional-header Magic is 0x107 (ROM image), neither PE32 nor PE32+",
          ["Magic " + c])

    d = bytearray(src)
    c = patch(d, base.cli_dir, "<II", (0, 0))
    write(out("not-dotnet.dll"), d,
          "CLI header directory (data directory 14) is 0,0: a PE that is not .NET",
          ["DataDirectory[14] (RVA, Size) " + c])

    d = bytearray(src)
    c = patch(d, base.cli_dir, "<I", bad_rva(base))
    write(out("cli-header-rva-outside-sections.dll"), d,
          "CLI header RVA lies in no section (past SizeOfImage)",
          ["DataDirectory[14].VirtualAddress " + c])

    d = bytearray(src)
    c1 = patch(d, base.cor, "<I", 0x20)
    c2 = patch(d, base.cli_dir + 4, "<I", 0x20)
    write(out("cli-header-too-small.dll"), d,
          "COR20 cb and the CLI directory Size are 32, less than the 72-byte header",
          ["IMAGE_COR20_HEADER.cb " + c1, "DataDirectory[14].Size " + c2])

    d = bytearray(src)
    ts = base.section_of_rva(base.md_rva)
    new_rva = ts["va"] + ts["vsize"] - 8
    c = patch(d, base.cor + 8, "<I", new_rva)
    write(out("metadata-rva-past-section.dll"), d,
          "metadata directory starts 8 bytes before the end of its section, so "
          "[RVA, RVA+Size) runs past the section",
          ["COR20 MetaData.VirtualAddress " + c,
           "(section %s VA 0x%X VirtualSize 0x%X; MetaData.Size 0x%X)"
           % (ts["name"], ts["va"], ts["vsize"], base.md_size)])

    d = bytearray(src)
    c = patch(d, base.md, "<4s", b"BSJX")
    write(out("bad-bsjb-signature.dll"), d, "metadata root signature is not 'BSJB'",
          ["metadata signature " + c])

    d = bytearray(src)
    c = patch(d, base.md_verlen_off, "<I", 0xFFFFFFF0)
    write(out("metadata-version-length-huge.dll"), d,
          "metadata version-string length is 0xFFFFFFF0",
          ["metadata root Length " + c])

    d = bytearray(src)
    c = patch(d, base.nstreams_off, "<H", 0xFFFF)
    write(out("stream-count-huge.dll"), d,
          "metadata root says 0xFFFF streams (%d real)" % len(base.stream_list),
          ["metadata root Streams " + c])

    d = bytearray(src)
    t = base.streams["#~"]
    c = patch(d, t["hdr"], "<I", base.md_size + 0x1000)
    write(out("stream-offset-past-metadata.dll"), d,
          "'#~' stream Offset is beyond the metadata size (0x%X)" % base.md_size,
          ["'#~' stream header Offset " + c])

    d = bytearray(src)
    last = base.stream_list[-1]
    filler = (last["name"].encode("ascii") + b"X" * 32)[:32]
    spill = last["name_off"] + 32 - base.stream_headers_end
    c = patch(d, last["name_off"], "<32s", filler)
    write(out("stream-name-unterminated.dll"), d,
          "the last stream name ('%s') has no NUL within its 32-byte limit; its "
          "last %d bytes overwrite the start of the first stream's data (the #~ "
          "header), which a parser that stops at the bad name never reads"
          % (last["name"], spill),
          ["32 bytes at 0x%X: '%s\\0\\0\\0' -> '%s'"
           % (last["name_off"], last["name"], filler.decode("ascii")),
           "(stream headers end at 0x%X)" % base.stream_headers_end])

    d = bytearray(src)
    c = patch(d, t["name_off"], "<2s", b"#X")
    write(out("missing-tables-stream.dll"), d,
          "no '#~' (or '#-') stream: it is renamed '#X'",
          ["stream name " + c])

    d = bytearray(src)
    tid = TABLE_ID["TypeDef"]
    c = patch(d, base.rowcount_off[tid], "<I", 0x00FFFFFF)
    write(out("tables-rowcount-huge.dll"), d,
          "TypeDef row count 0x00FFFFFF (the largest S.R.M accepts); the rows "
          "would run far past the '#~' stream",
          ["#~ Rows[TypeDef] " + c])

    d = bytearray(src)
    c = patch(d, base.rowcount_off[tid], "<I", 0x01000000 | base.rows[tid])
    write(out("tables-rowcount-highbyte.dll"), d,
          "TypeDef row count with the high byte set (0x01000000 | real count): "
          "S.R.M rejects counts above 0x00FFFFFF, old Mono masks the high byte and "
          "reads the real count",
          ["#~ Rows[TypeDef] " + c])

    d = bytearray(src)
    off, sz = base.cell_off("Assembly", 1, "Name")
    ssize = base.streams["#Strings"]["size"]
    bad = min(ssize + 0x100, (1 << (8 * sz)) - 1)
    c = patch(d, off, "<H" if sz == 2 else "<I", bad)
    write(out("strings-index-out-of-range.dll"), d,
          "Assembly row 1 Name index is past the end of #Strings (size 0x%X)" % ssize,
          ["Assembly[1].Name (%d-byte #Strings index) " % sz + c,
           "(was '%s')" % base.string(base.cell("Assembly", 1, "Name"))])

    d = bytearray(src)
    pk = base.cell("Assembly", 1, "PublicKey")
    boff, plen, blen = base.blob_off(pk)
    heap = base.streams["#Blob"]
    c = patch(d, boff, ">I", 0xDFFFFFFF)
    write(out("blob-length-overflow.dll"), d,
          "the Assembly PublicKey blob gets a 4-byte compressed length 0x1FFFFFFF "
          "(bytes DF FF FF FF), far beyond the #Blob heap (size 0x%X)" % heap["size"],
          ["#Blob[0x%X] length prefix at 0x%X (big-endian u32) %s"
           % (pk, boff, c.split(": ", 1)[1]),
           "(was a %d-byte prefix for %d bytes; the first %d key bytes are "
           "overwritten too)" % (plen, blen, 4 - plen)])

    with open(module_path, "rb") as f:
        mod = f.read()
    mpe = PE(mod, rel(module_path))
    if TABLE_ID["Assembly"] in mpe.rows:
        raise ParseError(rel(module_path) + " unexpectedly has an Assembly row")
    write(out("no-assembly-row.netmodule"), mod,
          "a .NET module with no Assembly table (no manifest, no public key): "
          "a copy of %s" % rel(module_path),
          ["unchanged copy (tables present: %s)"
           % ", ".join(TABLES[t][0] for t in sorted(mpe.rows))])

    # -- extras around the strong-name signature directory (one defect each)
    d = bytearray(src)
    c = patch(d, base.sn_dir + 4, "<I", base.sn_size // 2)
    write(out("sig-size-mismatch.dll"), d,
          "StrongNameSignature Size is half the key's modulus size",
          ["COR20 StrongNameSignature.Size " + c])

    d = bytearray(src)
    c = patch(d, base.sn_dir, "<I", bad_rva(base))
    write(out("sig-rva-outside-sections.dll"), d,
          "StrongNameSignature RVA lies in no section",
          ["COR20 StrongNameSignature.VirtualAddress " + c])

    d = bytearray(src)
    ts = base.section_of_rva(base.sn_rva)
    c = patch(d, base.sn_dir, "<I", ts["va"] + ts["vsize"] - base.sn_size // 2)
    write(out("sig-straddles-section-end.dll"), d,
          "signature range starts inside .text and ends past its VirtualSize",
          ["COR20 StrongNameSignature.VirtualAddress " + c])

    d = bytearray(src)
    c = patch(d, base.sn_dir, "<I", base.cli_rva)
    write(out("sig-overlaps-cor-header.dll"), d,
          "signature range overlaps the COR20 header",
          ["COR20 StrongNameSignature.VirtualAddress " + c + " (= CLI header RVA)"])

    d = bytearray(src)
    c = patch(d, base.sn_dir, "<II", (0, 0))
    write(out("flag-signed-no-sig-dir.dll"), d,
          "StrongNameSigned flag (0x8) set but no StrongNameSignature directory",
          ["COR20 StrongNameSignature (RVA, Size) " + c,
           "(Flags 0x%X unchanged)" % base.cor_flags])

    d = bytearray(src)
    c = patch(d, base.cor_flags_off, "<I", base.cor_flags | 0x00100000)
    write(out("cor-flags-unknown-bit.dll"), d,
          "COR20 Flags has an unknown bit (0x00100000); the CLR rejects such images",
          ["COR20 Flags " + c])

    # -- PE32+ variants, where the directory offsets differ from PE32
    X = rel(p("valid", "contoso-x64.dll"))
    xs = x64.data
    d = bytearray(xs)
    c = patch(d, x64.cli_dir, "<II", (0, 0))
    write(out("x64-not-dotnet.dll"), d,
          "PE32+: data directory 14 (at O+224, not O+208) is 0,0",
          ["DataDirectory[14] (RVA, Size) " + c + " in " + X])

    cut = x64.opt + 232
    write(out("x64-truncated-optional-header.dll"), xs[:cut],
          "PE32+ file cut 8 bytes before the end of its 240-byte optional header "
          "(enough bytes for a PE32 header, not for PE32+)",
          ["first %d bytes of %s (optional header 0x%X..0x%X)"
           % (cut, X, x64.opt, x64.opt + x64.size_opt)])


def bad_rva(pe):
    """An RVA past every section and past SizeOfImage."""
    end = max(s["va"] + s["vsize"] for s in pe.sections)
    rva = (end + 0x10000) & ~0xFFF
    if rva < pe.u32(pe.opt + 56):
        raise ParseError("%s: SizeOfImage is unexpectedly large" % pe.name)
    return rva


# ---------------------------------------------------------------------------
# derived signing states

def make_states(base, delay):
    # public-signed.dll: delay-signed.dll with COMIMAGE_FLAGS_STRONGNAMESIGNED
    d = bytearray(delay.data)
    if delay.cor_flags & 0x8:
        raise ParseError("delay-signed.dll already has flag 0x8")
    if any(d[delay.sn_off:delay.sn_off + delay.sn_size]):
        raise ParseError("delay-signed.dll signature slot is not zero")
    c = patch(d, delay.cor_flags_off, "<I", delay.cor_flags | 0x8)
    write(p("states", "public-signed.dll"), d,
          "public-signed: COR flag 0x8 set, signature slot all zero",
          ["COR20 Flags " + c + " (only change from states/delay-signed.dll)"],
          records=STATES)

    # tampered-il.dll: one IL byte of MaxRetries() changed, signature kept
    d = bytearray(base.data)
    row = None
    for r in range(1, base.rows[TABLE_ID["MethodDef"]] + 1):
        if base.string(base.cell("MethodDef", r, "Name")) == "MaxRetries":
            row = r
            break
    if row is None:
        raise ParseError("no MaxRetries method")
    body = base.rva_to_off(base.cell("MethodDef", row, "RVA"))
    hdr = d[body]
    if hdr & 3 != 2:
        raise ParseError("MaxRetries does not have a tiny method header")
    il = body + 1
    if d[il:il + 2] != b"\x19\x2A":
        raise ParseError("MaxRetries IL is not ldc.i4.3; ret: %s" % d[il:il + 2].hex())
    c = patch(d, il, "<B", 0x1A)
    write(p("states", "tampered-il.dll"), d,
          "tampered: IL of OrderProcessingOrchestration.MaxRetries changed "
          "ldc.i4.3 (0x19) -> ldc.i4.4 (0x1A); signature, flag 0x8 and "
          "checksum left as they were",
          ["IL byte " + c + " (MethodDef row %d, body at 0x%X)" % (row, body)],
          records=STATES)


# ---------------------------------------------------------------------------
# README

def write_readme(outdir, base):
    lines = [
        "# samples/malformed",
        "",
        "Generated by `python3 samples/make-malformed.py`; do not edit by hand.",
        "",
        "Each file is `samples/valid/contoso-orchestrations.dll` (PE32, %d bytes) "
        "with **one** defect, unless the table says otherwise (`x64-*` start from "
        "`samples/valid/contoso-x64.dll`, PE32+). Offsets are file offsets, values "
        "little-endian unless stated. Nothing else is fixed up: the PE checksum and "
        "the strong-name signature are left stale, so every patched file also fails "
        "signature verification; the point of each file is the parse defect." % len(base.data),
        "",
        "Layout of the base file, as parsed by the script: e_lfanew 0x%X, COFF header "
        "0x%X, optional header 0x%X (magic 0x%X), DataDirectory[14] at 0x%X, COR20 "
        "header at 0x%X (flags 0x%X), StrongNameSignature at 0x%X (0x%X bytes), "
        "metadata root at 0x%X (size 0x%X, version '%s'), streams: %s."
        % (base.lfanew, base.coff, base.opt, base.magic, base.cli_dir, base.cor,
           base.cor_flags, base.sn_off, base.sn_size, base.md, base.md_size,
           base.md_version,
           ", ".join("%s at 0x%X (0x%X)" % (s["name"], s["start"], s["size"])
                     for s in base.stream_list)),
        "",
        "| File | Size | Defect | Field changed: offset: old -> new |",
        "|---|---:|---|---|",
    ]
    for name, defect, changes, size in RECORDS:
        lines.append("| `%s` | %d | %s | %s |"
                     % (name, size, defect.replace("|", "\\|"),
                        "<br>".join(x.replace("|", "\\|") for x in changes)))
    lines += [
        "",
        "`tables-rowcount-highbyte.dll`, the `sig-*`, `flag-signed-no-sig-dir.dll`, "
        "`cor-flags-unknown-bit.dll` and `x64-*` files are extras beyond the "
        "original list (reference notes §2 and §11).",
        "",
        "## Derived signing states (written to samples/states/ by the same script)",
        "",
        "| File | Size | State | Change |",
        "|---|---:|---|---|",
    ]
    for name, defect, changes, size in STATES:
        lines.append("| `%s` | %d | %s | %s |" % (name, size, defect, "<br>".join(changes)))
    lines.append("")
    with open(os.path.join(outdir, "README.md"), "w") as f:
        f.write("\n".join(lines))


def main():
    def load(*parts):
        path = p(*parts)
        with open(path, "rb") as f:
            return PE(f.read(), rel(path))

    base = load("valid", "contoso-orchestrations.dll")
    x64 = load("valid", "contoso-x64.dll")
    delay = load("states", "delay-signed.dll")
    if base.pe32plus or not x64.pe32plus:
        raise ParseError("expected a PE32 base and a PE32+ x64 sample")
    name = base.string(base.cell("Assembly", 1, "Name"))
    if name != "Contoso.Orchestrations":
        raise ParseError("unexpected assembly name %r" % name)

    outdir = p("malformed")
    os.makedirs(outdir, exist_ok=True)
    for f in os.listdir(outdir):
        os.unlink(os.path.join(outdir, f))

    make_malformed(base, x64, p("module", "helper.netmodule"), outdir)
    make_states(base, delay)
    write_readme(outdir, base)
    for name, defect, _, size in RECORDS:
        print("malformed/%-40s %6d  %s" % (name, size, defect))
    for name, defect, _, size in STATES:
        print("%-50s %6d  %s" % (name, size, defect))


if __name__ == "__main__":
    try:
        main()
    except (ParseError, OSError) as e:
        sys.exit("make-malformed: %s" % e)
