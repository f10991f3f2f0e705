#!/usr/bin/env python3
"""Write a minimal native (non-.NET) PE32 console executable.

Usage: make-native.py OUT

One .text section holding `xor eax, eax; ret` (31 C0 C3), no imports, no
data directories: 1,024 bytes, the same on every run. Field offsets from
the PE/COFF specification (3.2 COFF file header, 3.4 optional header,
4 section table). Python standard library only; used by make.sh.
"""
import struct
import sys

FILE_ALIGN = 0x200
SECT_ALIGN = 0x1000


def build():
    dos = bytearray(64)
    dos[0:2] = b"MZ"
    struct.pack_into("<I", dos, 0x3C, 0x40)          # e_lfanew
    coff = struct.pack("<HHIIIHH",
                       0x014C,                       # Machine: i386
                       1,                            # NumberOfSections
                       0, 0, 0,                      # time, symtab, nsyms
                       0xE0,                         # SizeOfOptionalHeader
                       0x0102)                       # EXECUTABLE | 32BIT
    opt = struct.pack("<HBBIIIIIIIIIHHHHHHIIIIHHIIIIII",
                      0x010B, 14, 0,                 # PE32, linker 14.0
                      FILE_ALIGN, 0, 0,              # code, idata, udata
                      0x1000, 0x1000, 0x2000,        # entry, code, data
                      0x00400000,                    # ImageBase
                      SECT_ALIGN, FILE_ALIGN,
                      6, 0, 0, 0, 6, 0,              # OS, image, subsys
                      0,                             # Win32VersionValue
                      0x2000,                        # SizeOfImage
                      FILE_ALIGN,                    # SizeOfHeaders
                      0,                             # CheckSum
                      3,                             # Subsystem: console
                      0x8500,                        # NX, NO_SEH, TS aware
                      0x100000, 0x1000, 0x100000, 0x1000,
                      0, 16)                         # flags, RVA count
    opt += bytes(16 * 8)                             # data directories
    sect = struct.pack("<8sIIIIIIHHI", b".text", 0x10, 0x1000,
                       FILE_ALIGN, FILE_ALIGN, 0, 0, 0, 0, 0x60000020)
    hdr = dos + b"PE\0\0" + coff + opt + sect
    hdr += bytes(FILE_ALIGN - len(hdr))
    code = bytes([0x31, 0xC0, 0xC3])
    text = code + bytes(FILE_ALIGN - len(code))
    return bytes(hdr) + text


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: make-native.py OUT\n")
        return 2
    with open(sys.argv[1], "wb") as f:
        f.write(build())
    return 0


if __name__ == "__main__":
    sys.exit(main())
