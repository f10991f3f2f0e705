/*
 * cfb.c - OLE compound files (MS-CFB), read-only and bounded.
 *
 * cfb_open reads, in this order:
 *  - the header (2.2): signature, CLSID zero, version 3 with 512-byte
 *    sectors or 4 with 4096-byte sectors, byte order FFFE, mini sector
 *    shift 6, reserved bytes zero, directory sector count zero for
 *    version 3, mini stream cutoff 4096;
 *  - the DIFAT (2.5): the 109 header entries, then the DIFAT sector
 *    chain (the last entry of each DIFAT sector names the next), which
 *    must list exactly the header's number of FAT sectors, unused
 *    entries FREESECT;
 *  - the FAT (2.3): each FAT sector is marked FATSECT, each DIFAT
 *    sector DIFSECT, and no other sector is;
 *  - the directory chain (2.6) and its entries: names, types, colours;
 *  - the mini FAT chain (2.4) and the mini stream (the root entry's
 *    stream, in normal sectors);
 *  - the red-black sibling tree under each storage from the root (2.6.4),
 *    with an explicit stack: each reachable entry is reached once, and
 *    siblings are in 2.6.4 order (shorter name first, then code units
 *    compared after simple upper-casing), so names are unique;
 *  - the chain of every reachable stream (in the mini stream when its
 *    size is under the cutoff), which must have exactly the sectors its
 *    size needs.
 * Every chain is followed with a step budget of the sectors there are,
 * and each sector (and mini sector) has one owner: a second chain, or
 * the same chain again (a cycle), reaching it is an error. Chains are
 * kept as sector lists, so reads are plain copies.
 *
 * The directory (2.6) is read by cfbdir.c. After cfb_open nothing is
 * written; reads keep their state on the stack.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfbint.h"
#include "rd/buf.h"
#include "rd/err.h"
#include "rd/limits.h"
#include "rd/rd.h"
#include "rd/safeint.h"

static const uint8_t cfb_sig[8] = {
	0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1,
};

int
cfb_detect(const uint8_t *p, size_t n)
{
	return n >= 8 && memcmp(p, cfb_sig, 8) == 0;
}

/* File offset of FAT entry s (where the pointer out of sector s is). */
static uint64_t
fat_entry_off(const cfb *f, uint32_t s)
{
	uint32_t per = f->ss / 4u;
	return cfb_sec_off(f, f->fatsec[s / per]) + (uint64_t)(s % per) * 4u;
}

/* File offset of mini FAT entry m, through the mini FAT chain. */
static uint64_t
minifat_entry_off(const cfb *f, const uint32_t *mfsec, uint32_t m)
{
	uint32_t per = f->ss / 4u;
	return cfb_sec_off(f, mfsec[m / per]) + (uint64_t)(m % per) * 4u;
}

/* Sectors (of size 1 << shift) needed for size bytes. */
static uint64_t
sectors_for(uint64_t size, unsigned shift)
{
	uint64_t mask = ((uint64_t)1 << shift) - 1u;
	return (size >> shift) + ((size & mask) != 0);
}

/* Read n little-endian u32 from sector s into out (the whole sector is
 * in the file: checked by the caller). */
static int
read_u32s(const cfb *f, uint32_t s, uint32_t *out, uint32_t n)
{
	rd r;
	uint32_t i;

	rd_init(&r, f->data, f->size, 0);
	if (!cfb_sec_has(f, s, f->ss) ||
	    !rd_seek(&r, (size_t)cfb_sec_off(f, s)))
		return 0;
	for (i = 0; i < n; i++)
		if (!rd_u32(&r, &out[i]))
			return 0;
	return 1;
}

static uint64_t
walk_entry_off(const cfb *f, const cfb_walk *w, uint32_t s)
{
	return w->mfsec ? minifat_entry_off(f, w->mfsec, s) :
	    fat_entry_off(f, s);
}

static const char *
owner_name(uint32_t o)
{
	switch (o) {
	case OWN_FAT: return "a FAT sector";
	case OWN_DIFAT: return "a DIFAT sector";
	case OWN_DIR: return "the directory chain";
	case OWN_MINIFAT: return "the mini FAT chain";
	}
	return "another stream's chain";
}

/*
 * Follow the chain from start (2.3, 2.4): at most want sectors when
 * want != UINT64_MAX (then exactly want), else until ENDOFCHAIN within
 * the sectors there are. Appends to out[*n] (room for w->limit) and
 * marks each sector with owner id. from: file offset of the field that
 * holds start. what names the chain in messages.
 */
asmgate_status
cfb_follow(const cfb *f, const cfb_walk *w, uint32_t start, uint64_t from,
    uint64_t want, uint32_t id, const char *what, uint32_t *out,
    size_t *n, asmgate_error *err)
{
	uint32_t s = start;
	uint64_t steps = 0;

	for (;;) {
		if (s == ENDOFCHAIN) {
			if (want != UINT64_MAX && steps < want)
				return rd_fail(err, ASMGATE_E_MALFORMED, from,
				    "%s: chain ends after %llu %ss, its size "
				    "needs %llu", what,
				    (unsigned long long)steps, w->unit,
				    (unsigned long long)want);
			return ASMGATE_OK;
		}
		if (s > MAXREGSECT)
			return rd_fail(err, ASMGATE_E_MALFORMED, from,
			    "%s: %s inside the chain (0x%08x)", what,
			    s == FREESECT ? "FREESECT" : "a reserved value",
			    s);
		if (s >= w->limit || s >= w->nnext)
			return rd_fail(err, ASMGATE_E_MALFORMED, from,
			    "%s: %s %u past the end of the %s", what,
			    w->unit, s, w->mfsec ? "mini stream" : "file");
		if (want != UINT64_MAX && steps >= want)
			return rd_fail(err, ASMGATE_E_MALFORMED, from,
			    "%s: chain runs past the %llu %ss its size needs",
			    what, (unsigned long long)want, w->unit);
		if (steps >= w->limit)
			return rd_fail(err, ASMGATE_E_MALFORMED, from,
			    "%s: chain longer than the %u %ss there are",
			    what, w->limit, w->unit);
		if (w->owner[s] == id)
			return rd_fail(err, ASMGATE_E_MALFORMED, from,
			    "%s: cycle in the chain at %s %u", what, w->unit,
			    s);
		if (w->owner[s] != 0)
			return rd_fail(err, ASMGATE_E_MALFORMED, from,
			    "%s: %s %u is also in %s", what, w->unit, s,
			    owner_name(w->owner[s]));
		w->owner[s] = id;
		out[(*n)++] = s;
		steps++;
		from = walk_entry_off(f, w, s);
		s = w->next[s];
	}
}

static asmgate_status
read_header(cfb *f, cfb_hdr *h, asmgate_error *err)
{
	rd r;
	const uint8_t *p;
	uint16_t minor, order, shift, mshift;
	uint32_t cutoff, txn;
	uint64_t nsec;
	size_t i;

	rd_init(&r, f->data, f->size, 0);
	if (!rd_bytes(&r, 8, &p) || memcmp(p, cfb_sig, 8) != 0)
		return rd_fail(err, ASMGATE_E_MALFORMED, 0,
		    "not a compound file (signature)");
	if (f->size < HEADER_LEN)
		return rd_fail(err, ASMGATE_E_TRUNCATED, 0,
		    "file of %zu bytes is shorter than its header sector",
		    f->size);
	if (!rd_bytes(&r, 16, &p))
		return rd_fail(err, ASMGATE_E_TRUNCATED, 8,
		    "compound file header");
	for (i = 0; i < 16; i++)
		if (p[i] != 0)
			return rd_fail(err, ASMGATE_E_MALFORMED, 8,
			    "header CLSID is not zero");
	if (!rd_u16(&r, &minor) || !rd_u16(&r, &h->major) ||
	    !rd_u16(&r, &order) || !rd_u16(&r, &shift) ||
	    !rd_u16(&r, &mshift))
		return rd_fail(err, ASMGATE_E_TRUNCATED, 24,
		    "compound file header");
	(void)minor;
	if (order != 0xFFFE)
		return rd_fail(err, ASMGATE_E_MALFORMED, 28,
		    "byte order mark 0x%04x, not 0xFFFE", order);
	if (!((h->major == 3 && shift == 9) ||
	    (h->major == 4 && shift == 12)))
		return rd_fail(err, ASMGATE_E_MALFORMED, 26,
		    "major version %u with sector shift %u (3 with 9 or 4 "
		    "with 12)", h->major, shift);
	if (mshift != MINI_SHIFT)
		return rd_fail(err, ASMGATE_E_MALFORMED, 32,
		    "mini sector shift %u, not 6", mshift);
	if (!rd_bytes(&r, 6, &p))
		return rd_fail(err, ASMGATE_E_TRUNCATED, 34,
		    "compound file header");
	for (i = 0; i < 6; i++)
		if (p[i] != 0)
			return rd_fail(err, ASMGATE_E_MALFORMED, 34,
			    "reserved header bytes are not zero");
	if (!rd_u32(&r, &h->ndir) || !rd_u32(&r, &h->nfat) ||
	    !rd_u32(&r, &h->dir1) || !rd_u32(&r, &txn) ||
	    !rd_u32(&r, &cutoff) || !rd_u32(&r, &h->minifat1) ||
	    !rd_u32(&r, &h->nminifat) || !rd_u32(&r, &h->difat1) ||
	    !rd_u32(&r, &h->ndifat))
		return rd_fail(err, ASMGATE_E_TRUNCATED, 40,
		    "compound file header");
	(void)txn;
	if (h->major == 3 && h->ndir != 0)
		return rd_fail(err, ASMGATE_E_MALFORMED, 40,
		    "version 3 with %u directory sectors declared (must be "
		    "0)", h->ndir);
	if (cutoff != MINI_CUTOFF)
		return rd_fail(err, ASMGATE_E_MALFORMED, 56,
		    "mini stream cutoff %u, not 4096", cutoff);
	for (i = 0; i < HEADER_DIFAT; i++)
		if (!rd_u32(&r, &h->difat[i]))
			return rd_fail(err, ASMGATE_E_TRUNCATED, rd_offset(&r),
			    "compound file header");
	f->shift = shift;
	f->ss = (uint32_t)1 << shift;
	/* The header takes a whole sector; v4's is zero after 512 bytes,
	 * which nothing reads. */
	if (f->size < f->ss)
		return rd_fail(err, ASMGATE_E_TRUNCATED, 0,
		    "file of %zu bytes is shorter than its header sector",
		    f->size);
	nsec = sectors_for((uint64_t)f->size - f->ss, shift);
	if (nsec > MAXREGSECT)
		return rd_fail(err, ASMGATE_E_LIMIT, 0,
		    "file has more sectors than a compound file can number");
	f->nsec = (uint32_t)nsec;
	return ASMGATE_OK;
}

/* 2.5: collect the FAT sector numbers from the header and the DIFAT
 * sectors; marks both kinds in owner. */
static asmgate_status
read_difat(cfb *f, const cfb_hdr *h, uint32_t *owner, asmgate_error *err)
{
	/* FAT sector numbers per DIFAT sector */
	uint32_t per = f->ss / 4u - 1u;
	uint32_t i, j, k, d, want_difat, *buf = NULL;
	uint64_t from, *at = NULL;
	asmgate_status st = ASMGATE_OK;

	if (h->nfat == 0 || h->nfat > f->nsec)
		return rd_fail(err, ASMGATE_E_MALFORMED, 44,
		    "%u FAT sectors declared in a file of %u sectors",
		    h->nfat, f->nsec);
	want_difat = h->nfat > HEADER_DIFAT ?
	    (h->nfat - HEADER_DIFAT) / per +
	    ((h->nfat - HEADER_DIFAT) % per != 0) : 0;
	if (h->ndifat != want_difat)
		return rd_fail(err, ASMGATE_E_MALFORMED, 72,
		    "%u DIFAT sectors declared, %u FAT sectors need %u",
		    h->ndifat, h->nfat, want_difat);
	f->fatsec = malloc((size_t)h->nfat * sizeof(*f->fatsec));
	if (!f->fatsec)
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "FAT sector list");
	f->nfatsec = h->nfat;
	/* where each FAT sector number is, for messages */
	at = malloc((size_t)h->nfat * sizeof(*at));
	if (!at)
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "FAT sector list");
	for (i = 0; i < HEADER_DIFAT; i++) {
		if (i < h->nfat) {
			at[i] = 76u + 4u * i;
			f->fatsec[i] = h->difat[i];
		} else if (h->difat[i] != FREESECT) {
			free(at);
			return rd_fail(err, ASMGATE_E_MALFORMED, 76 + 4u * i,
			    "unused header DIFAT entry %u is not FREESECT", i);
		}
	}
	d = h->difat1;
	from = 68;
	if (want_difat == 0 && d != ENDOFCHAIN && d != FREESECT) {
		st = rd_fail(err, ASMGATE_E_MALFORMED, 68,
		    "first DIFAT sector %u without DIFAT sectors", d);
		goto out;
	}
	if (want_difat) {
		buf = malloc((size_t)f->ss);
		if (!buf) {
			st = rd_fail_nooff(err, ASMGATE_E_NOMEM, "DIFAT");
			goto out;
		}
	}
	i = HEADER_DIFAT;
	for (k = 0; k < want_difat; k++) {
		if (d >= f->nsec || !cfb_sec_has(f, d, f->ss)) {
			st = rd_fail(err, ASMGATE_E_MALFORMED, from,
			    "DIFAT sector %u past the end of the file", d);
			goto out;
		}
		if (owner[d] != 0) {
			st = rd_fail(err, ASMGATE_E_MALFORMED, from,
			    "DIFAT chain reaches sector %u twice", d);
			goto out;
		}
		owner[d] = OWN_DIFAT;
		if (!read_u32s(f, d, buf, per + 1u)) {
			st = rd_fail(err, ASMGATE_E_TRUNCATED,
			    cfb_sec_off(f, d), "DIFAT sector");
			goto out;
		}
		for (j = 0; j < per; j++) {
			if (i < h->nfat) {
				at[i] = cfb_sec_off(f, d) + 4u * j;
				f->fatsec[i++] = buf[j];
			} else if (buf[j] != FREESECT) {
				st = rd_fail(err, ASMGATE_E_MALFORMED,
				    cfb_sec_off(f, d) + 4u * j,
				    "unused DIFAT entry is not FREESECT");
				goto out;
			}
		}
		from = cfb_sec_off(f, d) + 4u * per;
		d = buf[per];
	}
	if (want_difat && d != ENDOFCHAIN && d != FREESECT) {
		st = rd_fail(err, ASMGATE_E_MALFORMED, from,
		    "DIFAT chain does not end after %u sectors", want_difat);
		goto out;
	}
	for (i = 0; i < h->nfat; i++) {
		uint32_t s = f->fatsec[i];
		if (!cfb_sec_has(f, s, f->ss)) {
			st = rd_fail(err, ASMGATE_E_MALFORMED, at[i],
			    "FAT sector %u (0x%x) past the end of the file",
			    i, s);
			goto out;
		}
		if (owner[s] != 0) {
			st = rd_fail(err, ASMGATE_E_MALFORMED, at[i],
			    "FAT sector %u is sector %u, listed twice or a "
			    "DIFAT sector", i, s);
			goto out;
		}
		owner[s] = OWN_FAT;
	}
out:
	free(buf);
	free(at);
	return st;
}

/* 2.3: load the FAT; FAT sectors must be FATSECT, DIFAT sectors DIFSECT,
 * and no other sector either. Entries for sectors past the file's end
 * must be FREESECT. */
static asmgate_status
read_fat(cfb *f, const uint32_t *owner, asmgate_error *err)
{
	uint32_t per = f->ss / 4u, i;
	size_t n;

	if (!rd_mul_size(f->nfatsec, per, &n) || n > UINT32_MAX)
		return rd_fail(err, ASMGATE_E_LIMIT, 44, "FAT too large");
	f->fat = malloc(n * sizeof(*f->fat));
	if (!f->fat)
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "FAT");
	f->nfat = (uint32_t)n;
	for (i = 0; i < f->nfatsec; i++)
		if (!read_u32s(f, f->fatsec[i], f->fat + (size_t)i * per, per))
			return rd_fail(err, ASMGATE_E_TRUNCATED,
			    cfb_sec_off(f, f->fatsec[i]), "FAT sector");
	if (f->nfat < f->nsec)
		return rd_fail(err, ASMGATE_E_MALFORMED, 44,
		    "FAT of %u entries for %u sectors", f->nfat, f->nsec);
	for (i = 0; i < f->nfat; i++) {
		uint32_t v = f->fat[i];
		uint32_t o = i < f->nsec ? owner[i] : 0;
		if (o == OWN_FAT && v != FATSECT)
			return rd_fail(err, ASMGATE_E_MALFORMED,
			    fat_entry_off(f, i),
			    "FAT sector %u not marked FATSECT", i);
		if (o == OWN_DIFAT && v != DIFSECT)
			return rd_fail(err, ASMGATE_E_MALFORMED,
			    fat_entry_off(f, i),
			    "DIFAT sector %u not marked DIFSECT", i);
		if (o == 0 && (v == FATSECT || v == DIFSECT))
			return rd_fail(err, ASMGATE_E_MALFORMED,
			    fat_entry_off(f, i),
			    "sector %u marked %s but not listed in the DIFAT",
			    i, v == FATSECT ? "FATSECT" : "DIFSECT");
		if (i >= f->nsec && v != FREESECT)
			return rd_fail(err, ASMGATE_E_MALFORMED,
			    fat_entry_off(f, i),
			    "FAT entry %u past the end of the file is not "
			    "FREESECT", i);
	}
	return ASMGATE_OK;
}

void
cfb_free(cfb *f)
{
	if (!f)
		return;
	free(f->fat);
	free(f->fatsec);
	free(f->minifat);
	free(f->ents);
	free(f->kids);
	free(f->kid_off);
	free(f->kid_n);
	free(f->chain);
	free(f->mchain);
	free(f->coff);
	free(f->clen);
	free(f);
}

/* The chain of entry i (2.3, or 2.4 in the mini stream when mini):
 * exactly the sectors its size needs, every sector but the last whole
 * in the file (or the mini stream), the last holding what the size
 * needs. Appends to f->chain[*nch] or f->mchain[*nmch]. */
static asmgate_status
stream_chain(cfb *f, const cfb_walk *fw, const cfb_walk *mw, size_t i,
    const char *what, size_t *nch, size_t *nmch, asmgate_error *err)
{
	const cfb_entry *e = &f->ents[i];
	uint32_t id = OWN_STREAM + (uint32_t)i, last;
	uint64_t tail;
	size_t k;
	asmgate_status st;

	if (e->mini) {
		f->coff[i] = *nmch;
		st = cfb_follow(f, mw, e->start, e->offset + 116,
		    sectors_for(e->size, MINI_SHIFT), id, what, f->mchain,
		    nmch, err);
		if (st != ASMGATE_OK)
			return st;
		f->clen[i] = *nmch - f->coff[i];
		for (k = f->coff[i]; k + 1 < *nmch; k++)
			if (f->mchain[k] >= f->ministream / MINI_SIZE)
				return rd_fail(err, ASMGATE_E_MALFORMED,
				    e->offset + 116, "%s: mini sector %u is "
				    "not whole in the mini stream", what,
				    f->mchain[k]);
		last = f->mchain[*nmch - 1];
		tail = ((e->size - 1) & (MINI_SIZE - 1u)) + 1;
		if (!rd_range_ok((uint64_t)last * MINI_SIZE, tail,
		    f->ministream))
			return rd_fail(err, ASMGATE_E_MALFORMED,
			    e->offset + 120, "%s: ends past the mini stream",
			    what);
		return ASMGATE_OK;
	}
	f->coff[i] = *nch;
	st = cfb_follow(f, fw, e->start, e->offset + 116,
	    sectors_for(e->size, f->shift), id, what, f->chain, nch, err);
	if (st != ASMGATE_OK)
		return st;
	f->clen[i] = *nch - f->coff[i];
	for (k = f->coff[i]; k + 1 < *nch; k++)
		if (!cfb_sec_has(f, f->chain[k], f->ss))
			return rd_fail(err, ASMGATE_E_TRUNCATED,
			    cfb_sec_off(f, f->chain[k]),
			    "%s: sector past the end of the file", what);
	/* A partial last sector of the file is read only as far as the
	 * size needs. */
	last = f->chain[*nch - 1];
	tail = ((e->size - 1) & (f->ss - 1u)) + 1;
	if (!cfb_sec_has(f, last, tail))
		return rd_fail(err, ASMGATE_E_TRUNCATED, cfb_sec_off(f, last),
		    "%s: last sector past the end of the file", what);
	return ASMGATE_OK;
}

/* 2.4, then each stream's chain: the mini FAT, the mini stream (root),
 * and every reachable stream. */
static asmgate_status
read_chains(cfb *f, const cfb_hdr *h, uint32_t *owner, asmgate_error *err)
{
	cfb_walk fw = { f->fat, f->nfat, f->nsec, owner, NULL, "sector" };
	cfb_walk mw;
	uint32_t *mfsec = NULL, *mowner = NULL, nmini = 0, per = f->ss / 4u;
	size_t nmf = 0, nch = 0, nmch = 0, i;
	uint64_t nmini64;
	asmgate_status st;
	const cfb_entry *root = &f->ents[0];

	/* The mini FAT chain has exactly the declared sectors. */
	mfsec = malloc((size_t)f->nsec * sizeof(*mfsec));
	if (!mfsec)
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "mini FAT");
	if (h->nminifat == 0 && (h->minifat1 == ENDOFCHAIN ||
	    h->minifat1 == FREESECT)) {
		/* no mini FAT */
	} else {
		st = cfb_follow(f, &fw, h->minifat1, 60, h->nminifat,
		    OWN_MINIFAT, "mini FAT", mfsec, &nmf, err);
		if (st != ASMGATE_OK)
			goto out;
		if (nmf == 0) {
			st = rd_fail(err, ASMGATE_E_MALFORMED, 64,
			    "mini FAT of 0 sectors starts at sector %u",
			    h->minifat1);
			goto out;
		}
	}
	if (nmf > UINT32_MAX / per) {
		st = rd_fail(err, ASMGATE_E_LIMIT, 64,
		    "mini FAT of %zu sectors", nmf);
		goto out;
	}
	f->nminifat = (uint32_t)(nmf * per);
	f->minifat = malloc(((size_t)f->nminifat + 1) * sizeof(*f->minifat));
	if (!f->minifat) {
		st = rd_fail_nooff(err, ASMGATE_E_NOMEM, "mini FAT");
		goto out;
	}
	for (i = 0; i < nmf; i++)
		if (!read_u32s(f, mfsec[i], f->minifat + i * per, per)) {
			st = rd_fail(err, ASMGATE_E_TRUNCATED,
			    cfb_sec_off(f, mfsec[i]), "mini FAT sector");
			goto out;
		}

	/* The mini stream: the root's chain, in normal sectors. */
	f->ministream = root->size;
	nmini64 = sectors_for(f->ministream, MINI_SHIFT);
	if (nmini64 > f->nminifat) {
		st = rd_fail(err, ASMGATE_E_MALFORMED, root->offset + 120,
		    "mini stream of %llu bytes has more mini sectors than "
		    "the mini FAT's %u entries",
		    (unsigned long long)f->ministream, f->nminifat);
		goto out;
	}
	nmini = (uint32_t)nmini64;
	f->chain = malloc(((size_t)f->nsec + 1) * sizeof(*f->chain));
	f->mchain = malloc(((size_t)nmini + 1) * sizeof(*f->mchain));
	f->coff = calloc(f->nents, sizeof(*f->coff));
	f->clen = calloc(f->nents, sizeof(*f->clen));
	mowner = calloc((size_t)nmini + 1, sizeof(*mowner));
	if (!f->chain || !f->mchain || !f->coff || !f->clen || !mowner) {
		st = rd_fail_nooff(err, ASMGATE_E_NOMEM, "sector lists");
		goto out;
	}
	mw.next = f->minifat;
	mw.nnext = f->nminifat;
	mw.limit = nmini;
	mw.owner = mowner;
	mw.mfsec = mfsec;
	mw.unit = "mini sector";
	for (i = 0; i < f->nents; i++) {
		const cfb_entry *e = &f->ents[i];
		char what[48];
		if (e->type == CFB_TYPE_STORAGE)
			continue;
		/* Messages name the entry by stream ID. */
		if (e->type == CFB_TYPE_ROOT)
			(void)snprintf(what, sizeof(what), "mini stream");
		else
			(void)snprintf(what, sizeof(what), "stream entry %u",
			    e->id);
		if (e->size == 0) {
			/* 2.6.3: an empty stream's start sector should be
			 * ENDOFCHAIN; some writers leave 0 or FREESECT. */
			continue;
		}
		st = stream_chain(f, &fw, &mw, i, what, &nch, &nmch, err);
		if (st != ASMGATE_OK)
			goto out;
	}
	st = ASMGATE_OK;
out:
	free(mfsec);
	free(mowner);
	return st;
}

asmgate_status
cfb_open(cfb **out, const uint8_t *data, size_t size, asmgate_error *err)
{
	cfb *f;
	cfb_hdr h;
	uint32_t *owner = NULL, *secs = NULL;
	asmgate_status st;

	*out = NULL;
	f = calloc(1, sizeof(*f));
	if (!f)
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "compound file");
	f->data = data;
	f->size = data ? size : 0;
	if ((st = read_header(f, &h, err)) != ASMGATE_OK)
		goto out;
	owner = calloc((size_t)f->nsec + 1, sizeof(*owner));
	secs = malloc(((size_t)f->nsec + 1) * sizeof(*secs));
	if (!owner || !secs) {
		st = rd_fail_nooff(err, ASMGATE_E_NOMEM, "sector owners");
		goto out;
	}
	if ((st = read_difat(f, &h, owner, err)) != ASMGATE_OK ||
	    (st = read_fat(f, owner, err)) != ASMGATE_OK ||
	    (st = cfb_read_dir(f, &h, owner, secs, err)) != ASMGATE_OK ||
	    (st = read_chains(f, &h, owner, err)) != ASMGATE_OK)
		goto out;
	*out = f;
	f = NULL;
out:
	cfb_free(f);
	free(owner);
	free(secs);
	return st;
}

size_t
cfb_count(const cfb *f)
{
	return f ? f->nents : 0;
}

const cfb_entry *
cfb_entry_at(const cfb *f, size_t i)
{
	return f && i < f->nents ? &f->ents[i] : NULL;
}

uint32_t
cfb_find(const cfb *f, uint32_t parent, const uint16_t *name, size_t n)
{
	size_t lo, hi;

	if (!f || parent >= f->nents || (n && !name))
		return CFB_NONE;
	/* The children are in 2.6.4 order, unique (checked at open). */
	lo = f->kid_off[parent];
	hi = lo + f->kid_n[parent];
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const cfb_entry *e = &f->ents[f->kids[mid]];
		int c = cfb_name_cmp(e->name, e->name_len, name, n);
		if (c == 0)
			return f->kids[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return CFB_NONE;
}

/* File offset of byte off (< size) of entry i; the chains were checked
 * at open, so every step stays inside them. */
static uint64_t
map_off(const cfb *f, size_t i, uint64_t off)
{
	const cfb_entry *e = &f->ents[i];

	if (e->mini) {
		uint64_t k = off >> MINI_SHIFT, ms;
		if (k >= f->clen[i])
			return UINT64_MAX;
		ms = (uint64_t)f->mchain[f->coff[i] + k] * MINI_SIZE +
		    (off & (MINI_SIZE - 1u));
		return map_off(f, 0, ms); /* the root holds the mini stream */
	} else {
		uint64_t k = off >> f->shift;
		if (k >= f->clen[i])
			return UINT64_MAX;
		return cfb_sec_off(f, f->chain[f->coff[i] + k]) +
		    (off & (f->ss - 1u));
	}
}

uint64_t
cfb_file_offset(const cfb *f, size_t i, uint64_t off)
{
	if (!f || i >= f->nents || f->ents[i].type == CFB_TYPE_STORAGE ||
	    off >= f->ents[i].size)
		return UINT64_MAX;
	return map_off(f, i, off);
}

const uint8_t *
cfb_contiguous(const cfb *f, size_t i)
{
	size_t k, n;
	const uint32_t *c;

	if (!f || i >= f->nents || f->ents[i].type != CFB_TYPE_STREAM ||
	    f->ents[i].mini || f->ents[i].size == 0)
		return NULL;
	c = f->chain + f->coff[i];
	n = f->clen[i];
	for (k = 1; k < n; k++)
		if (c[k] != c[0] + k)
			return NULL;
	/* The chain was checked at open: its sectors hold the size. */
	if (!rd_range_ok(cfb_sec_off(f, c[0]), f->ents[i].size, f->size))
		return NULL;
	return f->data + cfb_sec_off(f, c[0]);
}

asmgate_status
cfb_read_at(const cfb *f, size_t i, uint64_t off, uint8_t *dst, size_t n,
    asmgate_error *err)
{
	rd r;
	uint32_t unit;

	if (!f || i >= f->nents)
		return rd_fail_nooff(err, ASMGATE_E_USAGE,
		    "no compound file entry %zu", i);
	if (!rd_range_ok(off, n, f->ents[i].size))
		return rd_fail(err, ASMGATE_E_USAGE, f->ents[i].offset,
		    "bytes [%llu, +%zu) outside stream entry %u of %llu "
		    "bytes", (unsigned long long)off, n, f->ents[i].id,
		    (unsigned long long)f->ents[i].size);
	rd_init(&r, f->data, f->size, 0);
	/* A mini sector never straddles a sector: copy up to the end of
	 * the smaller unit. */
	unit = f->ents[i].mini ? MINI_SIZE : f->ss;
	while (n > 0) {
		uint64_t at = map_off(f, i, off);
		size_t k = unit - (size_t)(off & (unit - 1u));
		if (k > n)
			k = n;
		if (at == UINT64_MAX || at > SIZE_MAX ||
		    !rd_seek(&r, (size_t)at) || !rd_copy(&r, dst, k))
			return rd_fail(err, ASMGATE_E_TRUNCATED,
			    f->ents[i].offset, "stream entry %u",
			    f->ents[i].id);
		dst += k;
		off += k;
		n -= k;
	}
	return ASMGATE_OK;
}

asmgate_status
cfb_read(const cfb *f, size_t i, size_t max, uint8_t **out, size_t *len,
    asmgate_error *err)
{
	uint8_t *buf;
	size_t n;
	asmgate_status st;

	*out = NULL;
	*len = 0;
	if (!f || i >= f->nents)
		return rd_fail_nooff(err, ASMGATE_E_USAGE,
		    "no compound file entry %zu", i);
	if (f->ents[i].size > max)
		return rd_fail(err, ASMGATE_E_LIMIT, f->ents[i].offset + 120,
		    "stream entry %u of %llu bytes is above the %zu-byte "
		    "limit", f->ents[i].id,
		    (unsigned long long)f->ents[i].size, max);
	n = (size_t)f->ents[i].size;
	buf = rd_alloc_big(n);
	if (!buf)
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "stream entry %u",
		    f->ents[i].id);
	st = cfb_read_at(f, i, 0, buf, n, err);
	if (st != ASMGATE_OK) {
		free(buf);
		return st;
	}
	*out = buf;
	*len = n;
	return ASMGATE_OK;
}
