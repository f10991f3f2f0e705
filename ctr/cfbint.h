/*
 * cfbint.h - what the compound file reader's two files share
 * (module-internal): cfb.c reads the header, DIFAT, FAT, mini FAT and
 * chains and serves reads; cfbdir.c reads the directory (MS-CFB 2.6).
 */
#ifndef CTR_CFBINT_H
#define CTR_CFBINT_H

#include <stddef.h>
#include <stdint.h>

#include "cfb.h"
#include "rd/safeint.h"

/* Special sector numbers (2.1). */
#define MAXREGSECT 0xFFFFFFFAu
#define DIFSECT 0xFFFFFFFCu
#define FATSECT 0xFFFFFFFDu
#define ENDOFCHAIN 0xFFFFFFFEu
#define FREESECT 0xFFFFFFFFu
#define NOSTREAM 0xFFFFFFFFu

#define HEADER_LEN 512u
#define HEADER_DIFAT 109u
#define DIRENT_LEN 128u
#define MINI_SHIFT 6u
#define MINI_SIZE 64u
#define MINI_CUTOFF 4096u

/* Owners of sectors, besides streams (whose owner is 4 + list index). */
#define OWN_FAT 1u
#define OWN_DIFAT 2u
#define OWN_DIR 3u
#define OWN_MINIFAT 4u
#define OWN_STREAM 5u

struct cfb {
	const uint8_t *data;
	size_t size;
	unsigned shift;          /* sector shift: 9 or 12 */
	uint32_t ss;             /* sector size */
	uint32_t nsec;           /* sectors after the header (last may be
	                            partial) */
	uint32_t *fat;           /* nfat entries */
	uint32_t nfat;
	uint32_t *fatsec;        /* FAT sector numbers, in DIFAT order */
	uint32_t nfatsec;
	uint32_t *minifat;       /* nminifat entries */
	uint32_t nminifat;
	uint64_t ministream;     /* mini stream size (the root's) */
	cfb_entry *ents;         /* reachable entries, root first */
	size_t nents;
	/* Children of entry i in 2.6.4 order (as the sibling tree's in-order
	 * walk gave them, checked increasing): kids[kid_off[i] .. +
	 * kid_n[i]), list indexes; cfb_find searches them by halves. */
	uint32_t *kids;
	uint32_t *kid_off;
	uint32_t *kid_n;
	/* Sector lists: entry i's chain is chain[coff[i] .. + clen[i]), in
	 * mini sectors (mchain) when ents[i].mini. */
	uint32_t *chain;
	uint32_t *mchain;
	size_t *coff;
	size_t *clen;
};

/* File offset of sector s (2.2: sector 0 follows the header sector). */
static inline uint64_t
cfb_sec_off(const cfb *f, uint32_t s)
{
	return ((uint64_t)s + 1) << f->shift;
}

/* 1 when n bytes at the start of sector s lie inside the file. */
static inline int
cfb_sec_has(const cfb *f, uint32_t s, uint64_t n)
{
	return s < f->nsec && rd_range_ok(cfb_sec_off(f, s), n, f->size);
}

/* A chain being followed: sectors or mini sectors. */
typedef struct cfb_walk {
	const uint32_t *next;    /* FAT or mini FAT */
	uint32_t nnext;          /* its entries */
	uint32_t limit;          /* sectors that exist */
	uint32_t *owner;         /* per sector: 0 or the owning chain */
	const uint32_t *mfsec;   /* mini FAT sectors (mini walks), or NULL */
	const char *unit;        /* "sector" or "mini sector" */
} cfb_walk;


/* 2.2: the header; fills shift, sizes and counts. */
typedef struct cfb_hdr {
	uint16_t major;
	uint32_t ndir, nfat, dir1, minifat1, nminifat, difat1, ndifat;
	uint32_t difat[HEADER_DIFAT];
} cfb_hdr;


/* cfb.c */

/** Follow the chain from start (2.3, 2.4): exactly want sectors when
 *  want != UINT64_MAX, else until ENDOFCHAIN; appends them to out[*n]
 *  and marks each in w->owner with id. from: file offset of the field
 *  holding start; what names the chain in messages. */
asmgate_status cfb_follow(const cfb *f, const cfb_walk *w, uint32_t start,
    uint64_t from, uint64_t want, uint32_t id, const char *what,
    uint32_t *out, size_t *n, asmgate_error *err);

/* cfbdir.c */

/** 2.6.4 order: shorter first, then code units after upper-casing. */
int cfb_name_cmp(const uint16_t *a, size_t an, const uint16_t *b,
    size_t bn);

/** Read the directory chain (marking its sectors in owner; secs has room
 *  for every sector), walk the tree from the root and fill f->ents,
 *  f->kids, f->kid_off and f->kid_n. */
asmgate_status cfb_read_dir(cfb *f, const cfb_hdr *h, uint32_t *owner,
    uint32_t *secs, asmgate_error *err);

#endif /* CTR_CFBINT_H */
