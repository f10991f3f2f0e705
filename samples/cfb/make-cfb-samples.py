#!/usr/bin/env python3
"""make-cfb-samples.py - write the compound file samples (MS-CFB).

A small writer laid out from MS-CFB: the header (2.2), FAT sectors first,
then DIFAT sectors (2.5), the directory (2.6), the mini FAT (2.4), the
mini stream and the streams in normal sectors, each chain in consecutive
sectors. Sibling trees are balanced binary trees in 2.6.4 order (all
black). Stream bytes are a pattern derived from the stream's path.

Valid files get NAME.streams: one line per stream or storage,
    path<TAB>type<TAB>size<TAB>crc32<TAB>mini
(path with '/' between storages; type 1 storage, 2 stream). Malformed
files are each one valid layout with one defect patched in; their
expectations go to malformed/expect.txt:
    file<TAB>status<TAB>offset<TAB>message fragment
where offset is computed from the layout (the field that holds the bad
value, or the FAT / mini FAT entry that points to the bad sector).

Run from anywhere: python3 samples/cfb/make-cfb-samples.py
Test-time only; the outputs are committed.
"""
import os
import shutil
import struct
import subprocess
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
SIG = bytes.fromhex("D0CF11E0A1B11AE1")
FREESECT, ENDOFCHAIN, FATSECT, DIFSECT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFC
NOSTREAM = 0xFFFFFFFF


def upper(c):
    """2.6.4 simple upper-casing of one code unit (Latin-1 part)."""
    if 0x61 <= c <= 0x7A or (0xE0 <= c <= 0xFE and c != 0xF7):
        return c - 0x20
    if c == 0xFF:
        return 0x178
    return c


def key(name):
    units = [ord(ch) for ch in name]
    return (len(units), [upper(u) for u in units])


def pattern(path, size):
    seed = zlib.crc32(path.encode("utf-8"))
    return bytes(((seed >> (8 * (i % 4))) + i * 31) & 0xFF for i in range(size))


class Node:
    def __init__(self, name, kind, data=b"", children=None):
        self.name, self.kind, self.data = name, kind, data
        self.children = children or []
        self.id = None
        self.left = self.right = self.child = NOSTREAM
        self.start, self.size, self.mini = ENDOFCHAIN, 0, False
        self.path = ""
        self.sectors = []


def stream(name, size, path_hint=None):
    n = Node(name, 2)
    n.size_wanted = size
    return n


def storage(name, children):
    return Node(name, 1, children=children)


class Cfb:
    """Lay out a compound file; keep every offset for the patches."""

    def __init__(self, children, version=3, force_nfat=0, size_hi=None):
        self.v = version
        self.ss = 512 if version == 3 else 4096
        self.shift = 9 if version == 3 else 12
        per = self.ss // 4
        root = Node("Root Entry", 5, children=children)
        self.root = root
        # ids: root 0, then depth first in list order
        self.nodes = []

        def assign(n, path):
            n.id = len(self.nodes)
            n.path = path
            self.nodes.append(n)
            for c in n.children:
                assign(c, (path + "/" if path else "") + c.name)
        assign(root, "")
        for n in self.nodes:
            if n.kind == 2:
                n.data = pattern(n.path, n.size_wanted)
                n.size = len(n.data)
                n.mini = n.size < 4096
        # sibling trees: balanced, in 2.6.4 order
        for n in self.nodes:
            if n.children:
                kids = sorted(n.children, key=lambda c: key(c.name))
                n.inorder = kids
                n.child = self._tree(kids)
        # mini stream
        mini = bytearray()
        for n in self.nodes:
            if n.kind == 2 and n.mini and n.size:
                k = (n.size + 63) // 64
                n.start = len(mini) // 64
                n.sectors = list(range(n.start, n.start + k))
                mini += n.data + bytes(k * 64 - n.size)
        self.ministream = bytes(mini)
        self.nmini = len(mini) // 64
        root.size = len(mini)
        ceil = lambda a, b: (a + b - 1) // b
        ndir = ceil(len(self.nodes) * 128, self.ss)
        nminifat = ceil(self.nmini * 4, self.ss)
        nms = ceil(len(mini), self.ss)
        big = [n for n in self.nodes if n.kind == 2 and not n.mini and n.size]
        nbig = sum(ceil(n.size, self.ss) for n in big)
        n0 = ndir + nminifat + nms + nbig
        nfat = 1
        while True:
            ndifat = ceil(max(0, nfat - 109), per - 1)
            if nfat * per >= n0 + nfat + ndifat:
                break
            nfat += 1
        if force_nfat > nfat:
            nfat = force_nfat
            ndifat = ceil(max(0, nfat - 109), per - 1)
        self.nfat, self.ndifat = nfat, ndifat
        s = 0
        self.fat_secs = list(range(s, s + nfat)); s += nfat
        self.difat_secs = list(range(s, s + ndifat)); s += ndifat
        self.dir_secs = list(range(s, s + ndir)); s += ndir
        self.minifat_secs = list(range(s, s + nminifat)); s += nminifat
        self.ms_secs = list(range(s, s + nms)); s += nms
        root.start = self.ms_secs[0] if nms else ENDOFCHAIN
        root.sectors = self.ms_secs
        for n in big:
            k = ceil(n.size, self.ss)
            n.start = s
            n.sectors = list(range(s, s + k))
            s += k
        self.nsec = s
        fat = [FREESECT] * (nfat * per)
        for x in self.fat_secs:
            fat[x] = FATSECT
        for x in self.difat_secs:
            fat[x] = DIFSECT
        for chain in [self.dir_secs, self.minifat_secs, self.ms_secs] + \
                [n.sectors for n in big]:
            for a, b in zip(chain, chain[1:]):
                fat[a] = b
            if chain:
                fat[chain[-1]] = ENDOFCHAIN
        self.fat = fat
        minifat = [FREESECT] * (nminifat * per)
        for n in self.nodes:
            if n.kind == 2 and n.mini and n.size:
                for a, b in zip(n.sectors, n.sectors[1:]):
                    minifat[a] = b
                minifat[n.sectors[-1]] = ENDOFCHAIN
        self.minifat = minifat
        self.size_hi = size_hi or {}
        self.write()

    def _tree(self, kids):
        if not kids:
            return NOSTREAM
        m = len(kids) // 2
        top = kids[m]
        top.left = self._tree(kids[:m])
        top.right = self._tree(kids[m + 1:])
        return top.id

    def off(self, sec):
        return (sec + 1) * self.ss

    def fat_entry(self, s):
        per = self.ss // 4
        return self.off(self.fat_secs[s // per]) + 4 * (s % per)

    def minifat_entry(self, m):
        per = self.ss // 4
        return self.off(self.minifat_secs[m // per]) + 4 * (m % per)

    def entry(self, id_):
        per = self.ss // 128
        return self.off(self.dir_secs[id_ // per]) + 128 * (id_ % per)

    def node(self, path):
        for n in self.nodes:
            if n.path == path:
                return n
        raise KeyError(path)

    def write(self):
        ss = self.ss
        b = bytearray(ss * (self.nsec + 1))
        hdr = bytearray(SIG) + bytes(16)
        hdr += struct.pack("<HHHHH", 0x3E, self.v, 0xFFFE, self.shift, 6)
        hdr += bytes(6)
        hdr += struct.pack("<IIIIIIIII",
                           len(self.dir_secs) if self.v == 4 else 0,
                           self.nfat, self.dir_secs[0], 0, 4096,
                           self.minifat_secs[0] if self.minifat_secs else ENDOFCHAIN,
                           len(self.minifat_secs),
                           self.difat_secs[0] if self.difat_secs else ENDOFCHAIN,
                           self.ndifat)
        difat = self.fat_secs + []
        for i in range(109):
            hdr += struct.pack("<I", difat[i] if i < len(difat) else FREESECT)
        b[0:512] = hdr
        per = ss // 4
        rest = difat[109:]
        for k, d in enumerate(self.difat_secs):
            chunk = rest[k * (per - 1):(k + 1) * (per - 1)]
            chunk += [FREESECT] * (per - 1 - len(chunk))
            nxt = self.difat_secs[k + 1] if k + 1 < len(self.difat_secs) else ENDOFCHAIN
            b[self.off(d):self.off(d) + ss] = struct.pack("<%dI" % per, *(chunk + [nxt]))
        for i, f in enumerate(self.fat_secs):
            b[self.off(f):self.off(f) + ss] = struct.pack(
                "<%dI" % per, *self.fat[i * per:(i + 1) * per])
        for i, f in enumerate(self.minifat_secs):
            b[self.off(f):self.off(f) + ss] = struct.pack(
                "<%dI" % per, *self.minifat[i * per:(i + 1) * per])
        dirb = bytearray()
        for n in self.nodes:
            name = n.name.encode("utf-16-le") + b"\0\0"
            e = name + bytes(64 - len(name))
            size = n.size | (self.size_hi.get(n.path, 0) << 32)
            e += struct.pack("<HBBIII", len(name), n.kind, 1, n.left, n.right,
                             n.child)
            e += bytes(16) + struct.pack("<I", 0) + bytes(16)
            e += struct.pack("<IQ", n.start if n.kind != 1 else 0, size)
            dirb += e
        nd = len(self.dir_secs) * (ss // 128)
        for i in range(len(self.nodes), nd):
            dirb += bytes(64) + struct.pack("<HBBIII", 0, 0, 0, NOSTREAM,
                                           NOSTREAM, NOSTREAM) + bytes(48)
        for i, d in enumerate(self.dir_secs):
            b[self.off(d):self.off(d) + ss] = dirb[i * ss:(i + 1) * ss]
        ms = self.ministream + bytes(len(self.ms_secs) * ss - len(self.ministream))
        for i, d in enumerate(self.ms_secs):
            b[self.off(d):self.off(d) + ss] = ms[i * ss:(i + 1) * ss]
        for n in self.nodes:
            if n.kind == 2 and not n.mini:
                data = n.data + bytes(len(n.sectors) * ss - n.size)
                for i, d in enumerate(n.sectors):
                    b[self.off(d):self.off(d) + ss] = data[i * ss:(i + 1) * ss]
        self.bytes = b

    def manifest(self):
        lines = []
        for n in self.nodes[1:]:
            lines.append("%s\t%d\t%d\t%08x\t%d" % (
                n.path, n.kind, n.size, zlib.crc32(n.data) & 0xFFFFFFFF,
                1 if n.mini else 0))
        return "\n".join(lines) + "\n"


def put32(b, off, v):
    b[off:off + 4] = struct.pack("<I", v)


def put16(b, off, v):
    b[off:off + 2] = struct.pack("<H", v)


def save(rel, data):
    path = os.path.join(HERE, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


# ------------------------------------------------------------- layouts

def basic(version=3):
    """Mini streams, a normal stream of three sectors, an empty stream."""
    big = 2 * (512 if version == 3 else 4096) + 100
    if big < 4096:
        big = 4096 + 700   # v3: 10 sectors
    return Cfb([stream("Alpha", 100), stream("Beta", 700),
                stream("Gamma", 64), stream("Empty", 0),
                stream("Large", big), stream("Second", 5000)],
               version=version, size_hi={"Beta": 0xDEAD} if version == 3 else None)


def nested():
    return Cfb([stream("Top", 10),
                storage("Store", [stream("Inner", 300), stream("\u00e9t\u00e9", 40),
                                  storage("Deeper", [stream("Leaf", 5)])]),
                stream("Z", 3),
                stream("\u0005SummaryInformation", 200)])


def many():
    """Enough entries for a directory of several sectors."""
    return Cfb([stream("S%02d" % i, 20 + i) for i in range(12)])


def deep(levels):
    """levels storages, each inside the one before, a stream in the last."""
    t = [stream("Leaf", 16)]
    for i in range(levels, 0, -1):
        t = [storage("D%d" % i, t)]
    return Cfb(t)


def main():
    valid = {
        "deep.cfb": deep(31),
        "v3-mini.cfb": basic(3),
        "v4.cfb": basic(4),
        "nested.cfb": nested(),
        "difat.cfb": Cfb([stream("Data", 1000), stream("Big", 5000)],
                         force_nfat=110),
    }
    for name, c in valid.items():
        save(name, bytes(c.bytes))
        save(name.replace(".cfb", ".streams"), c.manifest().encode("utf-8"))
    # A last sector cut short after the last stream's last byte.
    c = basic(3)
    last = c.node("Second")
    end = c.off(last.sectors[-1]) + (last.size - 1) % c.ss + 1
    assert end == len(c.bytes) - (c.ss - last.size % c.ss)
    save("partial-tail.cfb", bytes(c.bytes[:end]))
    save("partial-tail.streams", c.manifest().encode("utf-8"))

    bad = []

    def mal(name, c, status, offset, frag, data=None):
        save("malformed/" + name, bytes(data if data is not None else c.bytes))
        bad.append("%s\t%s\t%d\t%s" % (name, status, offset, frag))

    # Header (2.2)
    c = basic(); put16(c.bytes, 28, 0xFEFF)
    mal("byte-order.cfb", c, "malformed", 28, "byte order")
    c = basic(); put16(c.bytes, 30, 12)
    mal("sector-shift.cfb", c, "malformed", 26, "sector shift")
    c = basic(4); put16(c.bytes, 30, 9)
    mal("v4-sector-shift.cfb", c, "malformed", 26, "sector shift")
    c = basic(); put16(c.bytes, 32, 7)
    mal("mini-shift.cfb", c, "malformed", 32, "mini sector shift")
    c = basic(); put32(c.bytes, 56, 8192)
    mal("cutoff.cfb", c, "malformed", 56, "mini stream cutoff")
    c = basic(); put32(c.bytes, 40, 1)
    mal("v3-dir-count.cfb", c, "malformed", 40, "directory sectors")
    c = basic(); c.bytes[8] = 1
    mal("clsid.cfb", c, "malformed", 8, "CLSID")
    c = basic()
    mal("truncated-header.cfb", c, "truncated", 0, "header sector",
        data=c.bytes[:300])

    # DIFAT and FAT (2.5, 2.3)
    c = Cfb([stream("Data", 1000), stream("Big", 5000)], force_nfat=110)
    d = c.difat_secs[0]
    put32(c.bytes, c.off(d) + c.ss - 4, d)
    mal("difat-loop.cfb", c, "malformed", c.off(d) + c.ss - 4, "does not end")
    c = Cfb([stream("Data", 1000)], force_nfat=110)
    put32(c.bytes, 72, 2)
    mal("difat-count.cfb", c, "malformed", 72, "DIFAT sectors")
    c = basic(); put32(c.bytes, 44, 2)
    put32(c.bytes, 76 + 4, c.dir_secs[0])
    mal("fat-count.cfb", c, "malformed", c.fat_entry(c.dir_secs[0]),
        "not marked FATSECT")
    c = basic(); put32(c.bytes, 44, 2)
    put32(c.bytes, 76 + 4, c.fat_secs[0])
    mal("fat-listed-twice.cfb", c, "malformed", 76 + 4, "listed twice")
    c = basic(); put32(c.bytes, c.fat_entry(c.fat_secs[0]), FREESECT)
    mal("fat-not-fatsect.cfb", c, "malformed", c.fat_entry(c.fat_secs[0]),
        "not marked FATSECT")
    c = basic(); put32(c.bytes, 76, 4000)
    mal("fat-past-eof.cfb", c, "malformed", 76, "past the end")
    c = basic(); put32(c.bytes, 76 + 4 * 5, 3)
    mal("difat-unused.cfb", c, "malformed", 76 + 4 * 5, "not FREESECT")

    # Chains (2.3)
    c = basic(); n = c.node("Large")
    put32(c.bytes, c.fat_entry(n.sectors[3]), n.sectors[1])
    mal("fat-cycle.cfb", c, "malformed", c.fat_entry(n.sectors[3]), "cycle")
    c = basic(); n = c.node("Large")
    put32(c.bytes, c.fat_entry(n.sectors[2]), 5000)
    mal("chain-past-eof.cfb", c, "malformed", c.fat_entry(n.sectors[2]),
        "past the end of the file")
    c = basic(); n = c.node("Large")
    put32(c.bytes, c.fat_entry(n.sectors[2]), FREESECT)
    mal("free-in-chain.cfb", c, "malformed", c.fat_entry(n.sectors[2]),
        "FREESECT inside the chain")
    c = basic(); n = c.node("Large")
    put32(c.bytes, c.fat_entry(n.sectors[2]), 0xFFFFFFFB)
    mal("reserved-in-chain.cfb", c, "malformed", c.fat_entry(n.sectors[2]),
        "reserved value")
    c = basic(); a = c.node("Large"); b2 = c.node("Second")
    assert a.id < b2.id
    put32(c.bytes, c.fat_entry(b2.sectors[0]), a.sectors[4])
    mal("shared-sector.cfb", c, "malformed", c.fat_entry(b2.sectors[0]),
        "also in another stream")
    c = basic(); n = c.node("Large")
    put32(c.bytes, c.entry(n.id) + 120, n.size + c.ss)
    mal("stream-short-chain.cfb", c, "malformed", c.fat_entry(n.sectors[-1]),
        "chain ends")
    c = basic(); n = c.node("Large")
    put32(c.bytes, c.entry(n.id) + 120, n.size - c.ss)
    mal("stream-long-chain.cfb", c, "malformed", c.fat_entry(n.sectors[-2]),
        "runs past")
    c = basic(); n = c.node("Large")
    put32(c.bytes, c.entry(n.id) + 116, c.dir_secs[0])
    mal("stream-in-directory.cfb", c, "malformed", c.entry(n.id) + 116,
        "also in the directory chain")
    c = many(); assert len(c.dir_secs) >= 3
    put32(c.bytes, c.fat_entry(c.dir_secs[2]), c.dir_secs[1])
    mal("dir-chain-cycle.cfb", c, "malformed", c.fat_entry(c.dir_secs[2]),
        "cycle")
    c = basic(); put32(c.bytes, 48, 0x10000)
    mal("dir-past-eof.cfb", c, "malformed", 48, "past the end of the file")
    c = basic(); n = c.node("Second")
    cut = c.off(n.sectors[-1]) + 10
    mal("truncated-stream.cfb", c, "truncated", c.off(n.sectors[-1]),
        "past the end of the file", data=c.bytes[:cut])

    # Mini FAT and mini stream (2.4)
    c = basic(); n = c.node("Alpha")
    assert len(n.sectors) == 2
    c = basic(); n = c.node("Beta")   # 11 mini sectors
    put32(c.bytes, c.minifat_entry(n.sectors[3]), n.sectors[1])
    mal("minifat-cycle.cfb", c, "malformed", c.minifat_entry(n.sectors[3]),
        "cycle")
    c = basic(); a = c.node("Alpha"); b2 = c.node("Beta")
    put32(c.bytes, c.minifat_entry(b2.sectors[0]), a.sectors[1])
    mal("mini-shared.cfb", c, "malformed", c.minifat_entry(b2.sectors[0]),
        "also in another stream")
    c = basic(); n = c.node("Beta")
    put32(c.bytes, c.minifat_entry(n.sectors[2]), 900)
    mal("mini-past-end.cfb", c, "malformed", c.minifat_entry(n.sectors[2]),
        "mini sector 900 past the end")
    c = basic()
    put32(c.bytes, c.entry(0) + 120, c.root.size + 4 * 512)
    mal("ministream-short.cfb", c, "malformed",
        c.fat_entry(c.ms_secs[-1]), "mini stream: chain ends")

    # Directory (2.6)
    c = basic(); put16(c.bytes, c.entry(0) + 66, 1)
    mal("root-type.cfb", c, "malformed", c.entry(0) + 66, "not the root")
    c = basic(); n = c.node("Gamma"); put16(c.bytes, c.entry(n.id) + 64, 7)
    mal("name-len-odd.cfb", c, "malformed", c.entry(n.id) + 64, "name length")
    c = basic(); n = c.node("Gamma"); put16(c.bytes, c.entry(n.id) + 64, 66)
    mal("name-len-long.cfb", c, "malformed", c.entry(n.id) + 64, "name length")
    c = basic(); n = c.node("Gamma"); put16(c.bytes, c.entry(n.id) + 10, 0x41)
    mal("name-no-nul.cfb", c, "malformed", c.entry(n.id) + 10,
        "NUL-terminated")
    c = basic(); n = c.node("Gamma"); c.bytes[c.entry(n.id) + 67] = 2
    mal("colour.cfb", c, "malformed", c.entry(n.id) + 67, "colour")
    c = basic(); n = c.node("Gamma"); c.bytes[c.entry(n.id) + 66] = 3
    mal("entry-type.cfb", c, "malformed", c.entry(n.id) + 66, "object type 3")
    # sibling cycle: the last entry in order points back to the tree top
    c = basic(); kids = c.root.inorder; last = kids[-1]
    assert last.right == NOSTREAM
    put32(c.bytes, c.entry(last.id) + 72, c.root.child)
    mal("sibling-cycle.cfb", c, "malformed", c.entry(last.id) + 72,
        "reached twice")
    # a storage's child is an entry already in the root's tree
    c = nested(); s = c.node("Store"); z = c.node("Z")
    put32(c.bytes, c.entry(s.id) + 76, z.id)
    mal("reached-twice.cfb", c, "malformed", c.entry(s.id) + 76,
        "reached twice")
    # two siblings' names swapped: out of order
    c = Cfb([stream("AAA", 10), stream("BBB", 10), stream("CCC", 10)])
    a, b2 = c.node("AAA"), c.node("BBB")
    ea, eb = c.entry(a.id), c.entry(b2.id)
    na, nb = bytes(c.bytes[ea:ea + 8]), bytes(c.bytes[eb:eb + 8])
    c.bytes[ea:ea + 8], c.bytes[eb:eb + 8] = nb, na
    mal("sibling-order.cfb", c, "malformed", eb, "out of order")
    c = Cfb([stream("AAA", 10), stream("BBB", 10), stream("CCC", 10)])
    b2 = c.node("BBB"); eb = c.entry(b2.id)
    c.bytes[eb:eb + 6] = "aaa".encode("utf-16-le")
    mal("duplicate-name.cfb", c, "malformed", eb, "same name")
    c = basic(); n = c.node("Gamma")
    put32(c.bytes, c.entry(n.id) + 76, c.node("Alpha").id)
    mal("stream-child.cfb", c, "malformed", c.entry(n.id) + 76, "has a child")
    c = basic(); top = c.node("Gamma") if c.root.child == c.node("Gamma").id else None
    c = basic(); put32(c.bytes, c.entry(0) + 76, 200)
    mal("child-past-dir.cfb", c, "malformed", c.entry(0) + 76,
        "past the directory")
    c = nested(); s = c.node("Store/Deeper")
    put16(c.bytes, c.entry(s.id) + 66, 0)
    mal("unused-linked.cfb", c, "malformed", c.entry(c.node("Store/Inner").id) + 72
        if c.node("Store/Inner").right == s.id else -1, "unused but linked")

    # a Greek letter: its upper-casing is Windows' table's, not known here
    c = Cfb([stream("B", 10), stream("x\u03b1", 10)])
    n = c.node("x\u03b1")
    mal("name-cased-script.cfb", c, "unsupported", c.entry(n.id) + 2,
        "case mapping")

    # storages nested one deeper than RD_MAX_CFB_DEPTH (32) allows
    c = deep(32)
    mal("too-deep.cfb", c, "limit", c.entry(32), "nested deeper")

    with open(os.path.join(HERE, "malformed", "expect.txt"), "w") as f:
        f.write("# file\tstatus\toffset\tmessage fragment "
                "(written by make-cfb-samples.py)\n")
        for line in bad:
            f.write(line + "\n")


def tiny_msi():
    """tiny.msi from tiny.wxs (wixl), and what msiinfo reads from it:
    the embedded cabinet's size and CRC-32, in tiny.expect."""
    if not shutil.which("wixl") or not shutil.which("msiinfo"):
        print("wixl/msiinfo not found: tiny.msi kept as it is")
        return
    msi = os.path.join(HERE, "tiny.msi")
    subprocess.run(["wixl", "-o", msi, "tiny.wxs"], cwd=HERE, check=True)
    cab = subprocess.run(["msiinfo", "extract", msi, "tiny.cab"],
                         check=True, stdout=subprocess.PIPE).stdout
    with open(os.path.join(HERE, "tiny.expect"), "w") as f:
        f.write("cab\t%d\t%08x\n" % (len(cab), zlib.crc32(cab) & 0xFFFFFFFF))


if __name__ == "__main__":
    main()
    tiny_msi()
