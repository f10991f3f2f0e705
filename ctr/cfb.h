/*
 * cfb.h - OLE compound files (MS-CFB), read-only and bounded
 * (module-internal).
 *
 * cfb_open reads and checks the whole structure before it returns: the
 * header (2.2: signature, minor/major version 3 with 512-byte sectors or
 * 4 with 4096-byte sectors, byte order, mini sector shift 6, mini stream
 * cutoff 4096), the DIFAT (2.5: the 109 header entries and the DIFAT
 * sector chain), the FAT (2.3), the directory chain and its entries
 * (2.6: names, types, colours, the red-black sibling tree under each
 * storage), the mini FAT (2.4) and the mini stream (the root entry's
 * stream). Every sector chain is followed with a step budget: a chain
 * longer than the file's sector count, a cycle, a sector number past the
 * end of the file, a FREE or reserved value inside a chain, a chain that
 * ends before (or runs past) the size its entry declares, and a sector
 * owned by two chains are errors with the file offset, never a hang.
 * Every directory entry reachable from the root is reached exactly once.
 *
 * After cfb_open the object is never written again; cfb_read keeps its
 * state on the stack, so streams may be read from several threads.
 * Counts are capped by rd/limits.h (RD_MAX_CFB_*).
 */
#ifndef CTR_CFB_H
#define CTR_CFB_H

#include <stddef.h>
#include <stdint.h>

#include "asmgate.h"

#define CFB_NONE 0xFFFFFFFFu          /* NOSTREAM / no parent */

#define CFB_TYPE_STORAGE 1u
#define CFB_TYPE_STREAM 2u
#define CFB_TYPE_ROOT 5u

typedef struct cfb cfb;

/* One directory entry reachable from the root (2.6.1). */
typedef struct cfb_entry {
	uint16_t name[32];   /* UTF-16 code units as stored, NUL-terminated */
	size_t name_len;     /* code units before the NUL (0..31) */
	uint8_t type;        /* CFB_TYPE_STORAGE, _STREAM or _ROOT */
	uint32_t id;         /* its index in the directory (stream ID) */
	uint32_t parent;     /* index in cfb_entry_at of the storage holding
	                        it; CFB_NONE for the root */
	uint32_t start;      /* starting sector (mini sector when mini) */
	uint64_t size;       /* stream size (v3: the low 32 bits only) */
	int mini;            /* 1: stored in the mini stream */
	uint64_t offset;     /* file offset of the 128-byte entry */
} cfb_entry;

/** Open the compound file in [data, data + size) (borrowed: the bytes
 *  must outlive the cfb). */
asmgate_status cfb_open(cfb **out, const uint8_t *data, size_t size,
    asmgate_error *err);

void cfb_free(cfb *f);

/** 1 when p (n bytes) starts with the compound file signature
 *  D0 CF 11 E0 A1 B1 1A E1. */
int cfb_detect(const uint8_t *p, size_t n);

/** Entries reachable from the root, the root first (index 0), then in
 *  directory (stream ID) order. */
size_t cfb_count(const cfb *f);
const cfb_entry *cfb_entry_at(const cfb *f, size_t i);

/** Index of the stream or storage named name (n UTF-16 code units,
 *  compared as MS-CFB 2.6.4 compares: after simple upper-casing of
 *  each code unit) directly under the storage at index parent, or
 *  CFB_NONE. */
uint32_t cfb_find(const cfb *f, uint32_t parent, const uint16_t *name,
    size_t n);

/** Gather stream i into a new buffer of exactly its size (free() it;
 *  *out is a valid non-NULL pointer also for an empty stream). Refused
 *  with ASMGATE_E_LIMIT when the size is above max; the chain was
 *  checked at open, so this fails only for memory or a bad index. */
asmgate_status cfb_read(const cfb *f, size_t i, size_t max, uint8_t **out,
    size_t *len, asmgate_error *err);

/** Copy bytes [off, off + n) of stream i into dst (within its size);
 *  for reading a part of a stream without gathering all of it. */
asmgate_status cfb_read_at(const cfb *f, size_t i, uint64_t off,
    uint8_t *dst, size_t n, asmgate_error *err);

/** The bytes of stream i where they lie in the file, when its sectors
 *  follow one another (a stream written in one piece, as installer
 *  tools write cabinets), so a reader can borrow them instead of
 *  gathering a copy; else NULL (mini streams, fragmented chains). */
const uint8_t *cfb_contiguous(const cfb *f, size_t i);

/** The file offset of byte off of stream i (off < its size), following
 *  its chain (and the mini stream's), so an error found inside a stream
 *  can name the place in the file; UINT64_MAX when out of range. */
uint64_t cfb_file_offset(const cfb *f, size_t i, uint64_t off);

#endif /* CTR_CFB_H */
