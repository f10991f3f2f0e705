/*
 * cabdata.c - a cabinet folder's data (MS-CAB 2.4, 2.5) and the files
 * cut from it.
 *
 * A folder is decompressed whole, normally once (cab.h: the cache and
 * its caps): the first read of any of its files takes the folder's
 * lock, walks its CFDATA blocks (whose bounds open checked), verifies
 * each block's checksum (csum, 2.5; 0 means none was computed), and
 * writes exactly the sum of the blocks' cbUncomp bytes into a buffer
 * kept in the container's state.
 *  - stored (typeCompress 0): each block's bytes as they are;
 *  - MSZIP ([MS-MCI] 2.1): each block is "CK" and a raw deflate stream
 *    (RFC 1951) whose window carries over from the block before, so
 *    each block is inflated with up to 32 KiB of the output before it
 *    as a preset dictionary; it must produce exactly cbUncomp bytes;
 *  - LZX ([MS-PATCH] and MS-CAB 2.2): libmspack (cablzx.c).
 * A folder whose uncompressed size is above RD_MAX_COMPRESSION_RATIO
 * times its compressed size (and above RD_RATIO_MIN_BYTES) is refused
 * before anything is decompressed. A file is then a copy from the
 * buffer (under the folder's lock); its range was checked against the
 * folder at open.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "cab.h"
#include "rd/buf.h"
#include "rd/err.h"
#include "rd/limits.h"
#include "rd/rd.h"

/* MSZIP's window: the history a block may refer back to. */
#define MSZIP_WINDOW 32768u

uint32_t
ctr_cab_checksum(const uint8_t *p, size_t n, uint32_t seed)
{
	uint32_t sum = seed, tail = 0;
	size_t i, words = n / 4;

	for (i = 0; i < words; i++, p += 4)
		sum ^= (uint32_t)p[0] | (uint32_t)p[1] << 8 |
		    (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
	for (i = 0; i < n % 4; i++)
		tail = tail << 8 | p[i];
	return sum ^ tail;
}

/* One CFDATA block, read with its bounds checked again. */
typedef struct cab_block {
	uint64_t offset;       /* container offset of its header */
	uint32_t csum;
	uint16_t cb_data, cb_uncomp;
	const uint8_t *data;
} cab_block;

static int
next_block(rd *b, uint8_t reserve, cab_block *k)
{
	k->offset = rd_offset(b);
	return rd_u32(b, &k->csum) && rd_u16(b, &k->cb_data) &&
	    rd_u16(b, &k->cb_uncomp) && rd_skip(b, reserve) &&
	    rd_bytes(b, k->cb_data, &k->data);
}

/* 2.5: csum over the data, then over the cbData and cbUncomp fields. */
static int
block_sum_ok(const cab_block *k)
{
	uint8_t f[4];

	if (k->csum == 0)
		return 1;
	f[0] = (uint8_t)k->cb_data;
	f[1] = (uint8_t)(k->cb_data >> 8);
	f[2] = (uint8_t)k->cb_uncomp;
	f[3] = (uint8_t)(k->cb_uncomp >> 8);
	return ctr_cab_checksum(f, 4, ctr_cab_checksum(k->data, k->cb_data,
	    0)) == k->csum;
}

static asmgate_status
block_fail(const cab_block *k, size_t fi, size_t bi, const char *what,
    asmgate_error *err)
{
	return rd_fail(err, ASMGATE_E_MALFORMED, k->offset, "folder %zu: "
	    "data block %zu: %s", fi, bi + 1, what);
}

/* [MS-MCI] 2.1: one MSZIP block into dst (k->cb_uncomp bytes), with
 * the hist bytes before dst as its dictionary. */
/* One MSZIP block with zs (raw inflate, made by the caller and reset
 * here: one stream serves a whole folder). */
static asmgate_status
inflate_block(z_stream *zsp, const cab_block *k, const uint8_t *hist,
    size_t nhist, uint8_t *dst, size_t fi, size_t bi, asmgate_error *err)
{
#define zs (*zsp)
	uint8_t probe;
	char what[96];
	int zr;
	asmgate_status st = ASMGATE_OK;

	if (k->cb_data < 2 || k->data[0] != 'C' || k->data[1] != 'K')
		return block_fail(k, fi, bi, "MSZIP block does not start with "
		    "\"CK\"", err);
	if (inflateReset(&zs) != Z_OK)
		return block_fail(k, fi, bi, "inflate cannot start", err);
	if (nhist > 0 && inflateSetDictionary(&zs, hist, (uInt)nhist) !=
	    Z_OK) {
		st = block_fail(k, fi, bi, "inflate refuses the window", err);
		goto out;
	}
	zs.next_in = (Bytef *)(uintptr_t)(k->data + 2);
	zs.avail_in = (uInt)(k->cb_data - 2);
	zs.next_out = dst;
	zs.avail_out = k->cb_uncomp;
	zr = inflate(&zs, Z_FINISH);
	if (zr == Z_MEM_ERROR) {
		st = rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
		goto out;
	}
	if (zr != Z_STREAM_END && zr != Z_OK && zr != Z_BUF_ERROR) {
		(void)snprintf(what, sizeof(what), "invalid deflate data "
		    "(%s)", zs.msg ? zs.msg : "error");
		st = block_fail(k, fi, bi, what, err);
		goto out;
	}
	if (zs.avail_out != 0) {
		(void)snprintf(what, sizeof(what), "MSZIP block makes %u "
		    "bytes, not the %u it declares",
		    (unsigned)(k->cb_uncomp - zs.avail_out), k->cb_uncomp);
		st = block_fail(k, fi, bi, what, err);
		goto out;
	}
	if (zr != Z_STREAM_END) {
		/* Full: the stream must end here (probe one byte more). */
		zs.next_out = &probe;
		zs.avail_out = 1;
		zr = inflate(&zs, Z_FINISH);
		if (zs.avail_out == 0) {
			(void)snprintf(what, sizeof(what), "MSZIP block makes "
			    "more than the %u bytes it declares",
			    k->cb_uncomp);
			st = block_fail(k, fi, bi, what, err);
			goto out;
		}
		if (zr != Z_STREAM_END && zs.avail_in != 0) {
			st = block_fail(k, fi, bi, "deflate data goes on "
			    "after the declared size", err);
			goto out;
		}
	}
	if (zs.avail_in != 0)
		st = block_fail(k, fi, bi, "compressed bytes left after the "
		    "end of the deflate stream", err);
out:
	return st;
#undef zs
}

/* decode_blocks' loop: blocks from b (at the folder's place) until need
 * bytes are there; zs is the inflate stream (MSZIP) or NULL. */
static asmgate_status
decode_from(const cab_state *s, size_t fi, size_t need, rd *bp,
    z_stream *zs, asmgate_error *err)
{
	cab_folder *f = &s->folders[fi];
	unsigned type = f->type & CAB_COMP_MASK;
	uint8_t *dst = f->buf;
	rd b = *bp;
	asmgate_status st;

	while (f->next < f->nblocks && f->done < need) {
		size_t bi = f->next, at = f->done;
		cab_block k;

		if (!next_block(&b, s->data_reserve, &k) ||
		    k.cb_uncomp > f->usize - at)
			return rd_fail(err, ASMGATE_E_TRUNCATED, k.offset,
			    "folder %zu: data block %zu outside the folder",
			    fi, bi + 1);
		if (!block_sum_ok(&k))
			return block_fail(&k, fi, bi, "checksum mismatch",
			    err);
		if (type == CAB_COMP_NONE) {
			if (k.cb_data != k.cb_uncomp)
				return block_fail(&k, fi, bi, "stored block "
				    "size differs from its declared size",
				    err);
			if (k.cb_data)
				memcpy(dst + at, k.data, k.cb_data);
		} else {
			size_t nhist = at < MSZIP_WINDOW ? at : MSZIP_WINDOW;

			if (!zs)
				return block_fail(&k, fi, bi, "inflate "
				    "cannot start", err);
			if ((st = inflate_block(zs, &k, dst + at - nhist,
			    nhist, dst + at, fi, bi, err)) != ASMGATE_OK)
				return st;
		}
		f->done = at + k.cb_uncomp;
		f->next = bi + 1;
		f->pos = rd_offset(&b) - f->data_start;
	}
	if (f->next == f->nblocks && f->done != f->usize)
		return rd_fail(err, ASMGATE_E_MALFORMED, f->offset, "folder "
		    "%zu: blocks make %zu bytes, not %llu", fi, f->done,
		    (unsigned long long)f->usize);
	return ASMGATE_OK;
}

/* Stored and MSZIP folders, block by block, into f->buf, from where the
 * last call stopped until at least need bytes are there (caller holds
 * the folder's lock). One inflate stream serves the call's blocks. */
static asmgate_status
decode_blocks(const asmgate_container *c, const cab_state *s, size_t fi,
    size_t need, asmgate_error *err)
{
	cab_folder *f = &s->folders[fi];
	rd whole, b;
	z_stream zs;
	asmgate_status st;
	int zr, mszip = (f->type & CAB_COMP_MASK) == CAB_COMP_MSZIP;

	rd_init(&whole, c->data, c->size, 0);
	if (!rd_sub(&whole, f->data_start, (size_t)(f->data_end -
	    f->data_start), &b) || !rd_skip(&b, f->pos))
		return rd_fail(err, ASMGATE_E_TRUNCATED, f->offset,
		    "folder %zu: data outside the file", fi);
	memset(&zs, 0, sizeof(zs));
	if (mszip && f->next < f->nblocks && f->done < need) {
		zr = inflateInit2(&zs, -15);
		if (zr == Z_MEM_ERROR)
			return rd_fail_nooff(err, ASMGATE_E_NOMEM,
			    "out of memory");
		if (zr != Z_OK)
			return rd_fail(err, ASMGATE_E_MALFORMED, f->offset,
			    "folder %zu: inflate cannot start", fi);
	}
	st = decode_from(s, fi, need, &b, zs.state ? &zs : NULL, err);
	if (zs.state)
		(void)inflateEnd(&zs);
	return st;
}

/* Checksums of every block of an LZX folder (libmspack checks them too,
 * but its error would not say which block). */
static asmgate_status
check_sums(const asmgate_container *c, const cab_state *s, size_t fi,
    asmgate_error *err)
{
	const cab_folder *f = &s->folders[fi];
	size_t bi;
	rd whole, b;

	rd_init(&whole, c->data, c->size, 0);
	if (!rd_sub(&whole, f->data_start, (size_t)(f->data_end -
	    f->data_start), &b))
		return rd_fail(err, ASMGATE_E_TRUNCATED, f->offset,
		    "folder %zu: data outside the file", fi);
	for (bi = 0; bi < f->nblocks; bi++) {
		cab_block k;

		if (!next_block(&b, s->data_reserve, &k))
			return rd_fail(err, ASMGATE_E_TRUNCATED, k.offset,
			    "folder %zu: data block %zu outside the folder",
			    fi, bi + 1);
		if (!block_sum_ok(&k))
			return block_fail(&k, fi, bi, "checksum mismatch",
			    err);
	}
	return ASMGATE_OK;
}

/*
 * Account for decompressing need bytes into folder fi (whose lock the
 * caller holds): refused when the container's work budget is spent;
 * when the cache would grow past its cap, folders nobody holds
 * (trylock: never waits, so no lock order is needed) are dropped first.
 */
static asmgate_status
reserve(cab_state *s, size_t fi, uint64_t need, asmgate_error *err)
{
	size_t j;
	int over;

	(void)pthread_mutex_lock(&s->acct_lock);
	if (s->work > RD_MAX_CAB_WORK_BYTES - need) {
		(void)pthread_mutex_unlock(&s->acct_lock);
		return rd_fail(err, ASMGATE_E_LIMIT, s->folders[fi].offset,
		    "folder %zu: more than %llu bytes decompressed from one "
		    "cabinet", fi, (unsigned long long)RD_MAX_CAB_WORK_BYTES);
	}
	s->work += need;
	s->cached += need;
	over = s->cached > RD_MAX_CAB_CACHE_BYTES;
	(void)pthread_mutex_unlock(&s->acct_lock);
	for (j = 0; over && j < s->nfolders; j++) {
		cab_folder *g = &s->folders[j];

		if (j == fi || pthread_mutex_trylock(&g->lock) != 0)
			continue;
		if (g->buf && !g->fail) {
			free(g->buf);
			g->buf = NULL;
			g->done = g->next = g->pos = 0;
			ctr_cab_lzx_free(g->lzx);
			g->lzx = NULL;
			(void)pthread_mutex_lock(&s->acct_lock);
			s->cached -= g->usize;
			over = s->cached > RD_MAX_CAB_CACHE_BYTES;
			(void)pthread_mutex_unlock(&s->acct_lock);
		}
		(void)pthread_mutex_unlock(&g->lock);
	}
	return ASMGATE_OK;
}

static void
unreserve(cab_state *s, uint64_t n)
{
	(void)pthread_mutex_lock(&s->acct_lock);
	s->cached -= n;
	(void)pthread_mutex_unlock(&s->acct_lock);
}

/* The first need bytes of folder fi decompressed, from the cache or now
 * (caller holds the folder's lock). err is not NULL. */
static asmgate_status
load_folder(const asmgate_container *c, cab_state *s, size_t fi,
    size_t need, asmgate_error *err)
{
	cab_folder *f = &s->folders[fi];
	unsigned type = f->type & CAB_COMP_MASK;
	asmgate_status st;

	if (f->buf && f->done >= need)
		return ASMGATE_OK;
	if (f->fail) {
		*err = *f->fail;
		return f->fail->code;
	}
	if (!f->buf) {
		if (f->usize > RD_RATIO_MIN_BYTES && (f->csize == 0 ||
		    f->usize / f->csize > RD_MAX_COMPRESSION_RATIO))
			return rd_fail(err, ASMGATE_E_LIMIT, f->offset,
			    "folder %zu: compression ratio %llu:1 above the "
			    "cap of %u:1", fi, (unsigned long long)(f->csize ?
			    f->usize / f->csize : f->usize),
			    RD_MAX_COMPRESSION_RATIO);
		if ((st = reserve(s, fi, f->usize, err)) != ASMGATE_OK)
			return st;
		/* <= RD_MAX_CAB_FOLDER_BYTES */
		f->buf = rd_alloc_big((size_t)f->usize + 1);
		if (!f->buf) {
			unreserve(s, f->usize);
			return rd_fail_nooff(err, ASMGATE_E_NOMEM,
			    "out of memory");
		}
		f->done = f->next = f->pos = 0;
	}
	if (type == CAB_COMP_LZX) {
		st = f->lzx || f->done ? ASMGATE_OK : check_sums(c, s, fi, err);
		if (st == ASMGATE_OK && f->usize > 0)
			st = ctr_cab_lzx(c, s, fi, need, err);
	} else if (type == CAB_COMP_NONE || type == CAB_COMP_MSZIP) {
		st = decode_blocks(c, s, fi, need, err);
	} else {
		st = rd_fail(err, ASMGATE_E_UNSUPPORTED, f->offset, "folder "
		    "%zu: compression type %u", fi, type);
	}
	if (st != ASMGATE_OK) {
		/* Kept: a bad folder shared by many files is decompressed
		 * once, not once per file; the bytes before the bad block
		 * (LZX: the bad piece) stay for the files that lie there. */
		ctr_cab_lzx_free(f->lzx);
		f->lzx = NULL;
		if (f->done == 0 || st == ASMGATE_E_NOMEM) {
			free(f->buf);
			f->buf = NULL;
			f->done = f->next = f->pos = 0;
			unreserve(s, f->usize);
		}
		if (st != ASMGATE_E_NOMEM &&
		    (f->fail = malloc(sizeof(*f->fail))) != NULL)
			*f->fail = *err;
		return st;
	}
	return ASMGATE_OK;
}

asmgate_status
ctr_cab_extract(const asmgate_container *c, const ctr_member *m,
    uint8_t *dst, size_t n, int whole, size_t *got, asmgate_error *err)
{
	cab_state *s = c->fmt;
	size_t i = (size_t)(m - c->members), fi, k;
	cab_folder *f;
	char q[CTR_QUOTE_BUF];
	asmgate_error e;
	asmgate_status st;

	*got = 0;
	if (!s || i >= c->nmembers)
		return rd_fail_nooff(err, ASMGATE_E_USAGE,
		    "not a member of this cabinet");
	if (m->info.unsupported)
		return rd_fail(err, ASMGATE_E_UNSUPPORTED, m->info.data_offset,
		    "member '%s': %s", ctr_quote(q, m), m->info.unsupported);
	fi = s->file_folder[i];
	f = &s->folders[fi];
	if (pthread_mutex_lock(&f->lock) != 0)
		return rd_fail_nooff(err, ASMGATE_E_USAGE, "folder lock");
	asmgate_error_clear(&e);
	k = n < m->info.size ? n : (size_t)m->info.size;
	st = load_folder(c, s, fi, (size_t)s->file_offset[i] + k, &e);
	if (st != ASMGATE_OK) {
		(void)pthread_mutex_unlock(&f->lock);
		char what[CTR_QUOTE_BUF + 16];

		if (err) {
			*err = e;
			(void)snprintf(what, sizeof(what), "member '%s'",
			    ctr_quote(q, m));
			rd_err_prefix(err, what);
		}
		return st;
	}
	/* Range checked at open. Copied under the lock: another reader
	 * may drop the buffer to make room once it is released. */
	if (k)
		memcpy(dst, f->buf + s->file_offset[i], k);
	(void)pthread_mutex_unlock(&f->lock);
	*got = k;
	if (whole && k != n)
		return rd_fail(err, ASMGATE_E_USAGE, m->info.data_offset,
		    "member '%s': %zu bytes asked of %llu", ctr_quote(q, m),
		    n, (unsigned long long)m->info.size);
	return ASMGATE_OK;
}
