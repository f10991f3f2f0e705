#!/usr/bin/env python3
"""make-r2r.py - ReadyToRun-shaped samples in samples/r2r/.

Dev-time only: the tests use the files this writes, never the script, and
asmgate is never run here. There is no crossgen on the build machine, so
the ReadyToRun images are derived from a Mono-built assembly by doing to
its PE and CLI headers what crossgen/crossgen2 does, as the runtime's
documentation describes it (dotnet/runtime
docs/design/coreclr/botr/readytorun-format.md, "PE Headers and CLI
Headers", "READYTORUN_HEADER"; src/coreclr/inc/readytorun.h; crossgen2's
CopiedCorHeaderNode and MachineOSOverride):

  * the CLI header's ManagedNativeHeader directory points to a
    READYTORUN_HEADER { Signature 0x00525452 "RTR", MajorVersion 9,
    MinorVersion 2, CoreHeader { Flags 0, NumberOfSections 1 } } and one
    READYTORUN_SECTION { Type 100 CompilerIdentifier, RVA, Size } whose
    data is an ASCII string; all of it in the slack at the end of .text,
    a read-only section (CNT_CODE | MEM_EXECUTE | MEM_READ), whose
    VirtualSize grows to cover it;
  * COR20 Flags: COMIMAGE_FLAGS_ILONLY cleared, COMIMAGE_FLAGS_IL_LIBRARY
    set (crossgen2: (Flags & ~ILOnly) | ILLibrary);
  * the strong-name signature directory set to (0, 0) and the old slot's
    bytes zeroed, the Assembly row's public key kept: what the framework
    files of issue 15 show;
  * COFF Machine = IMAGE_FILE_MACHINE_AMD64 (0x8664) XOR the Linux
    override 0x7B79 (pedecoder.h IMAGE_FILE_MACHINE_NATIVE_OS_OVERRIDE)
    = 0xFD1D;
  * the PE checksum recomputed (strongname.md 9).

No native code is added: the images are "ReadyToRun-shaped", enough for
every check asmgate makes, not loadable by the runtime.

Input (committed): samples/valid/contoso-x64.dll (PE32+, mcs -platform:x64,
signed with keys/contoso.snk).
Outputs:
  r2r/contoso-x64-r2r.dll           StrongNameSigned flag cleared too (the
                                    shape issue 15 reports: "public key
                                    but no signature slot")
  r2r/contoso-x64-r2r-flag-set.dll  StrongNameSigned flag kept (crossgen2
                                    copies the other flags as they are)

Usage: python3 samples/make-r2r.py
"""

import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "valid", "contoso-x64.dll")
OUT = os.path.join(HERE, "r2r")

COMIMAGE_FLAGS_ILONLY = 0x1
COMIMAGE_FLAGS_IL_LIBRARY = 0x4
COMIMAGE_FLAGS_STRONGNAMESIGNED = 0x8
READYTORUN_SIGNATURE = 0x00525452
MACHINE_AMD64 = 0x8664
OS_OVERRIDE_LINUX = 0x7B79
SCN_MEM_WRITE = 0x80000000
COMPILER_ID = b"asmgate samples/make-r2r.py (not crossgen)\0"


def pe_checksum(d, off):
    """strongname.md 9: 16-bit words with CheckSum zeroed, end-around
    carry, plus the file length."""
    b = bytearray(d)
    b[off:off + 4] = bytes(4)
    if len(b) % 2:
        b.append(0)
    s = 0
    for (w,) in struct.iter_unpack("<H", b):
        s += w
        s = (s & 0xFFFF) + (s >> 16)
    return (s + len(d)) & 0xFFFFFFFF


class PE:
    def __init__(self, d):
        self.lfanew = struct.unpack_from("<I", d, 0x3C)[0]
        assert d[self.lfanew:self.lfanew + 4] == b"PE\0\0"
        self.coff = self.lfanew + 4
        self.machine, self.nsec = struct.unpack_from("<HH", d, self.coff)
        soh = struct.unpack_from("<H", d, self.coff + 16)[0]
        self.opt = self.coff + 20
        magic = struct.unpack_from("<H", d, self.opt)[0]
        assert magic == 0x20B, "expected PE32+"
        self.checksum_off = self.opt + 64
        self.dirs = self.opt + 112            # PE32+ data directories
        self.sectab = self.opt + soh
        self.sections = []
        for i in range(self.nsec):
            o = self.sectab + 40 * i
            vsize, va, rsize, roff = struct.unpack_from("<IIII", d, o + 8)
            ch = struct.unpack_from("<I", d, o + 36)[0]
            self.sections.append(dict(hdr=o, name=d[o:o + 8].rstrip(b"\0"),
                                      vsize=vsize, va=va, rsize=rsize,
                                      roff=roff, ch=ch))

    def rva2off(self, rva, n):
        for s in self.sections:
            if s["va"] <= rva and rva - s["va"] + n <= s["rsize"]:
                return s["roff"] + rva - s["va"], s
        raise ValueError("RVA 0x%x not in a section" % rva)


def make(keep_flag):
    d = bytearray(open(SRC, "rb").read())
    pe = PE(d)
    cli_rva, cli_size = struct.unpack_from("<II", d, pe.dirs + 8 * 14)
    cor, _ = pe.rva2off(cli_rva, 72)
    flags = struct.unpack_from("<I", d, cor + 16)[0]
    sn_rva, sn_size = struct.unpack_from("<II", d, cor + 32)
    assert sn_size > 0 and flags & COMIMAGE_FLAGS_STRONGNAMESIGNED
    slot, _ = pe.rva2off(sn_rva, sn_size)

    text = [s for s in pe.sections if s["name"] == b".text"][0]
    assert not text["ch"] & SCN_MEM_WRITE
    hdr_rva = (text["va"] + text["vsize"] + 7) & ~7
    id_rva = hdr_rva + 16 + 12
    end_rva = id_rva + len(COMPILER_ID)
    assert end_rva - text["va"] <= text["rsize"], "no slack in .text"
    hdr_off = text["roff"] + hdr_rva - text["va"]
    assert d[hdr_off:hdr_off + end_rva - hdr_rva] == bytes(end_rva - hdr_rva)

    # READYTORUN_HEADER + one READYTORUN_SECTION + CompilerIdentifier
    struct.pack_into("<IHHII", d, hdr_off, READYTORUN_SIGNATURE, 9, 2, 0, 1)
    struct.pack_into("<III", d, hdr_off + 16, 100, id_rva, len(COMPILER_ID))
    d[hdr_off + 28:hdr_off + 28 + len(COMPILER_ID)] = COMPILER_ID
    struct.pack_into("<I", d, text["hdr"] + 8, end_rva - text["va"])

    # CLI header: flags, strong-name directory (0,0), ManagedNativeHeader
    flags = (flags & ~COMIMAGE_FLAGS_ILONLY) | COMIMAGE_FLAGS_IL_LIBRARY
    if not keep_flag:
        flags &= ~COMIMAGE_FLAGS_STRONGNAMESIGNED
    struct.pack_into("<I", d, cor + 16, flags)
    d[slot:slot + sn_size] = bytes(sn_size)
    struct.pack_into("<II", d, cor + 32, 0, 0)
    # the directory covers READYTORUN_HEADER and its section array (as
    # crossgen2's header node), not the sections' data
    struct.pack_into("<II", d, cor + 64, hdr_rva, 16 + 12)

    # Linux AMD64 machine value, then the checksum
    assert pe.machine == MACHINE_AMD64
    struct.pack_into("<H", d, pe.coff, MACHINE_AMD64 ^ OS_OVERRIDE_LINUX)
    struct.pack_into("<I", d, pe.checksum_off, pe_checksum(d, pe.checksum_off))

    # Self-check, read back independently of the writes above.
    pe2 = PE(d)
    assert pe2.machine == 0xFD1D
    m_rva, m_size = struct.unpack_from("<II", d, cor + 64)
    mo, ms = pe2.rva2off(m_rva, m_size)
    assert not ms["ch"] & SCN_MEM_WRITE
    assert m_rva + m_size <= ms["va"] + ms["vsize"]
    assert d[mo:mo + 4] == b"RTR\0"
    assert struct.unpack_from("<II", d, cor + 32) == (0, 0)
    return d, hdr_off, flags


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, keep in (("contoso-x64-r2r.dll", False),
                       ("contoso-x64-r2r-flag-set.dll", True)):
        d, hdr_off, flags = make(keep)
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(d)
        print("%s: %d bytes, RTR header at 0x%x, COR20 flags 0x%x, "
              "Machine 0xFD1D" % (name, len(d), hdr_off, flags))
    return 0


if __name__ == "__main__":
    sys.exit(main())
