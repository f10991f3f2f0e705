/*
 * zipdata.c - a ZIP member's data: stored (method 0) or deflate
 * (method 8, RFC 1951), and its CRC-32 (APPNOTE.TXT 4.4.5, 4.4.7).
 *
 * Input is exactly the member's [data_offset, +compressed_size), checked
 * against the archive when the directory was opened. Output goes
 * straight into the caller's buffer and never past n bytes. A whole read
 * must produce exactly the declared size, end its deflate stream exactly
 * at the end of the compressed bytes, and match the declared CRC-32,
 * summed over each piece of output as it is written (one pass).
 * All state is on the stack (one z_stream per call), so calls on one
 * container may run in parallel.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <zlib.h>

#include "ctr.h"
#include "rd/err.h"
#include "rd/rd.h"

/* zlib counts in uInt: feed at most this much per call. */
#define ZCHUNK ((size_t)UINT_MAX)

/* Output per inflate() call (and per stored copy) when the CRC-32 is
 * computed: it runs over bytes just written, while they are in cache. */
#define CRC_CHUNK ((size_t)256 << 10)

static uInt
chunk(size_t n, size_t cap)
{
	return (uInt)(n < cap ? n : cap);
}

static asmgate_status
bad(const ctr_member *m, asmgate_status code, const char *what,
    asmgate_error *err)
{
	char q[CTR_QUOTE_BUF];

	return rd_fail(err, code, m->info.data_offset, "member '%s': %s",
	    ctr_quote(q, m), what);
}

/*
 * Raw inflate of src (clen bytes) into dst (n bytes). crc != NULL: a
 * whole read; the stream must end exactly at clen input bytes and n
 * output bytes, and may not produce more (probed with one scratch byte
 * once dst is full); *crc is updated over each call's output. crc ==
 * NULL: stop as soon as dst is full.
 */
static asmgate_status
inflate_member(const ctr_member *m, const uint8_t *src, size_t clen,
    uint8_t *dst, size_t n, uint32_t *crc, size_t *got, asmgate_error *err)
{
	z_stream zs;
	size_t in_left = clen, out_left = n;
	size_t out_cap = crc ? CRC_CHUNK : ZCHUNK;
	uint8_t probe;
	int probing = 0, ret, zr;
	asmgate_status st = ASMGATE_OK;

	memset(&zs, 0, sizeof(zs));
	zr = inflateInit2(&zs, -15);
	if (zr == Z_MEM_ERROR)
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
	if (zr != Z_OK)
		return bad(m, ASMGATE_E_MALFORMED, "inflate cannot start",
		    err);
	zs.next_in = (Bytef *)(uintptr_t)src;
	zs.avail_in = chunk(in_left, ZCHUNK);
	in_left -= zs.avail_in;
	zs.next_out = dst;
	zs.avail_out = chunk(out_left, out_cap);
	out_left -= zs.avail_out;
	for (;;) {
		uint8_t *o;
		uInt ai, ao;

		if (zs.avail_in == 0 && in_left > 0) {
			zs.avail_in = chunk(in_left, ZCHUNK);
			in_left -= zs.avail_in;
		}
		if (zs.avail_out == 0 && !probing) {
			if (out_left > 0) {
				zs.avail_out = chunk(out_left, out_cap);
				out_left -= zs.avail_out;
			} else if (!crc) {
				break; /* peek: n bytes out */
			} else {
				zs.next_out = &probe;
				zs.avail_out = 1;
				probing = 1;
			}
		}
		o = zs.next_out;
		ai = zs.avail_in;
		ao = zs.avail_out;
		/* Z_FINISH: no sliding window when it all fits in one call
		 * (zlib.h); otherwise it goes on as Z_NO_FLUSH would. */
		ret = inflate(&zs, Z_FINISH);
		if (probing && zs.avail_out == 0) {
			st = bad(m, ASMGATE_E_MALFORMED, "data inflates past "
			    "the declared size", err);
			goto out;
		}
		if (crc && !probing)
			*crc = (uint32_t)crc32_z(*crc, o, ao - zs.avail_out);
		if (ret == Z_STREAM_END)
			break;
		if (ret == Z_MEM_ERROR) {
			st = rd_fail_nooff(err, ASMGATE_E_NOMEM,
			    "out of memory");
			goto out;
		}
		if (ret != Z_OK && ret != Z_BUF_ERROR) {
			char what[96];

			(void)snprintf(what, sizeof(what),
			    "invalid deflate data (%s)",
			    zs.msg ? zs.msg : "error");
			st = bad(m, ASMGATE_E_MALFORMED, what, err);
			goto out;
		}
		if (zs.avail_in == 0 && in_left == 0 && zs.avail_out > 0) {
			st = bad(m, ASMGATE_E_MALFORMED, probing ?
			    "deflate stream does not end at the declared size" :
			    "deflate data ends before the declared size", err);
			goto out;
		}
		if (zs.avail_in == ai && zs.avail_out == ao) {
			st = bad(m, ASMGATE_E_MALFORMED, "deflate data makes "
			    "no progress", err);
			goto out;
		}
	}
	*got = n - out_left - (probing ? 0 : zs.avail_out);
	if (!crc)
		goto out;
	if (*got != n) {
		st = bad(m, ASMGATE_E_MALFORMED, "deflate stream ends before "
		    "the declared size", err);
		goto out;
	}
	if (zs.avail_in != 0 || in_left != 0) {
		st = bad(m, ASMGATE_E_MALFORMED, "compressed bytes left after "
		    "the end of the deflate stream", err);
		goto out;
	}
out:
	inflateEnd(&zs);
	return st;
}

/* Stored data: copied in CRC_CHUNK pieces, each summed while cached. */
static void
copy_stored(const uint8_t *src, uint8_t *dst, size_t k, uint32_t *crc)
{
	size_t off = 0;

	if (!crc) {
		if (k)
			memcpy(dst, src, k);
		return;
	}
	while (off < k) {
		size_t len = k - off < CRC_CHUNK ? k - off : CRC_CHUNK;

		memcpy(dst + off, src + off, len);
		*crc = (uint32_t)crc32_z(*crc, dst + off, len);
		off += len;
	}
}

asmgate_status
ctr_zip_extract(const asmgate_container *c, const ctr_member *m,
    uint8_t *dst, size_t n, int whole, size_t *got, asmgate_error *err)
{
	size_t clen = (size_t)m->info.compressed_size;
	uint32_t crc = 0; /* crc32(0, NULL, 0) */
	const uint8_t *src;
	asmgate_status st;
	rd f, d;

	*got = 0;
	/* [data_offset, +clen) was checked against the file at open. */
	rd_init(&f, c->data, c->size, 0);
	if (!rd_sub(&f, (size_t)m->info.data_offset, clen, &d) ||
	    !rd_bytes(&d, clen, &src))
		return bad(m, ASMGATE_E_TRUNCATED, "data outside the file",
		    err);
	if (m->info.method == 0) {
		/* csize == size was checked at open. */
		size_t k = n < clen ? n : clen;

		copy_stored(src, dst, k, whole ? &crc : NULL);
		*got = k;
		if (whole && k != n)
			return bad(m, ASMGATE_E_MALFORMED,
			    "stored data shorter than the declared size", err);
	} else {
		st = inflate_member(m, src, clen, dst, n, whole ? &crc : NULL,
		    got, err);
		if (st != ASMGATE_OK)
			return st;
	}
	if (whole && crc != m->info.crc32) {
		char what[80];

		(void)snprintf(what, sizeof(what), "CRC-32 mismatch "
		    "(computed 0x%08x, declared 0x%08x)", crc,
		    m->info.crc32);
		return bad(m, ASMGATE_E_MALFORMED, what, err);
	}
	return ASMGATE_OK;
}
