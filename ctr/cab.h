/*
 * cab.h - cabinet (MS-CAB) state shared by cab.c (the directory) and
 * cabdata.c (folder data) (module-internal).
 *
 * A cabinet's files live in folders: each folder is one compressed
 * stream cut into CFDATA blocks, and a file is a range of the folder's
 * uncompressed bytes. A folder is decompressed when one of its files is
 * first read, into a buffer kept for its other files (a failure is kept
 * too); a mutex per folder makes that safe when several threads read
 * members at once, and a file is copied out under it. Buffers held at
 * once are capped (RD_MAX_CAB_CACHE_BYTES: a folder nobody is reading
 * is dropped to make room, and decompressed again if asked for), and so
 * are the bytes decompressed over the container's life
 * (RD_MAX_CAB_WORK_BYTES). Everything else is written only by open.
 */
#ifndef CTR_CAB_H
#define CTR_CAB_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "ctr.h"

/* typeCompress (MS-CAB 2.2): the method in the low 4 bits; LZX keeps
 * its window size (2^bits bytes) in bits 8-12. */
#define CAB_COMP_MASK 0x000Fu
#define CAB_COMP_NONE 0u
#define CAB_COMP_MSZIP 1u
#define CAB_COMP_QUANTUM 2u
#define CAB_COMP_LZX 3u
#define CAB_LZX_BITS(t) (((t) >> 8) & 0x1Fu)

/* CFDATA header before its reserve (MS-CAB 2.5): csum, cbData,
 * cbUncomp. */
#define CAB_CFDATA_LEN 8u

/* libmspack's LZX decoder kept with a folder between reads (cablzx.c). */
typedef struct cab_lzx cab_lzx;

typedef struct cab_folder {
	uint64_t offset;       /* container offset of the CFFOLDER record */
	uint32_t data_start;   /* coffCabStart: the first CFDATA */
	uint64_t data_end;     /* one past the last CFDATA */
	uint16_t nblocks;      /* cCFData */
	uint16_t type;         /* typeCompress */
	uint64_t csize;        /* sum of cbData */
	uint64_t usize;        /* sum of cbUncomp */
	int spans;             /* continued from or into another cabinet */
	pthread_mutex_t lock;  /* guards buf, done, next, pos and fail */
	uint8_t *buf;          /* usize bytes, the first done decoded, or
	                          NULL */
	/* Stored and MSZIP folders are decoded as far as a read needs, so
	 * one reader can go on with its file while the next decodes the
	 * folder further: done bytes are there, block next is the next to
	 * decode, at offset pos of the folder's blocks. LZX folders go on
	 * the same way through the decoder kept in lzx. */
	size_t done;
	size_t next;
	size_t pos;
	cab_lzx *lzx;          /* LZX: the decoder, while buf is held */
	/* Why the folder cannot be decompressed past done, once that is
	 * known: files beyond get the same answer without decompressing
	 * it again (NULL also after running out of memory, which may
	 * pass); files wholly in the first done bytes still read. */
	asmgate_error *fail;
} cab_folder;

typedef struct cab_state {
	uint8_t data_reserve;  /* cbCFData: reserve bytes in each CFDATA */
	size_t nfolders;
	cab_folder *folders;
	/* Per member (index into c->members): its folder and its offset
	 * in the folder's uncompressed bytes. */
	uint16_t *file_folder;
	uint32_t *file_offset;
	/* Decompressed bytes: held in folder buffers now, and made over
	 * the container's life (RD_MAX_CAB_CACHE_BYTES,
	 * RD_MAX_CAB_WORK_BYTES). */
	pthread_mutex_t acct_lock;
	int acct_init;
	uint64_t cached, work;
} cab_state;

/** The MS-CAB checksum (2.5, csum) of n bytes, seeded with seed: the XOR
 *  of the little-endian 32-bit words, then of the 1-3 trailing bytes
 *  read most significant first. */
uint32_t ctr_cab_checksum(const uint8_t *p, size_t n, uint32_t seed);

/** Read (part of) member m: its folder decompressed once (cached in
 *  c->fmt), then copied (the ctr_ops extract of CAB). */
asmgate_status ctr_cab_extract(const asmgate_container *c,
    const ctr_member *m, uint8_t *dst, size_t n, int whole, size_t *got,
    asmgate_error *err);

/** Decompress LZX folder fi of container c into dst (its usize bytes)
 *  with libmspack (cablzx.c). */
/** Decode LZX folder fi into its buffer until need bytes are there
 *  (caller holds the folder's lock; f->done goes up). */
asmgate_status ctr_cab_lzx(const asmgate_container *c, const cab_state *s,
    size_t fi, size_t need, asmgate_error *err);

/** Free a folder's LZX decoder (NULL is fine). */
void ctr_cab_lzx_free(cab_lzx *z);

#endif /* CTR_CAB_H */
