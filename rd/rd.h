/*
 * rd.h - the bounded byte reader.
 *
 * Every byte asmgate reads from an untrusted file goes through an rd.
 * An rd is a window {p, len} over borrowed memory plus a cursor pos and
 * the absolute file offset (base) of p[0], so a failure anywhere can be
 * reported with its file offset.
 *
 * Rules, after OpenSSL's PACKET:
 *  - every accessor checks "len - pos < n" before touching memory; no
 *    pointer is ever formed from an unchecked sum;
 *  - accessors return 1 on success and 0 on failure, write the value
 *    through an out pointer, and must have their result checked;
 *  - on failure the cursor does not move;
 *  - sub-readers (rd_sub, rd_take) share the parent's memory: the memory
 *    must outlive them. A sub-reader can never reach past its window, so
 *    a #Strings lookup cannot run into #Blob or off the file.
 * Integers are little-endian unless the name says otherwise.
 */
#ifndef RD_RD_H
#define RD_RD_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define RD_MUST_CHECK __attribute__((warn_unused_result))

typedef struct rd {
	const uint8_t *p; /* window start (borrowed) */
	size_t len;       /* window length */
	size_t pos;       /* cursor, 0 <= pos <= len */
	uint64_t base;    /* file offset of p[0] */
} rd;

/** Make a reader over [p, p+len) whose first byte is at file offset base. */
static inline void
rd_init(rd *r, const void *p, size_t len, uint64_t base)
{
	r->p = (const uint8_t *)p;
	r->len = p ? len : 0;
	r->pos = 0;
	r->base = base;
}

/** Bytes left after the cursor. */
static inline size_t
rd_left(const rd *r)
{
	return r->len - r->pos;
}

/** File offset of the cursor (for error messages). */
static inline uint64_t
rd_offset(const rd *r)
{
	return r->base + r->pos;
}

/** File offset of window position pos. */
static inline uint64_t
rd_offset_at(const rd *r, size_t pos)
{
	return r->base + pos;
}

static inline RD_MUST_CHECK int
rd_has(const rd *r, size_t n)
{
	return r->len - r->pos >= n;
}

static inline RD_MUST_CHECK int
rd_seek(rd *r, size_t pos)
{
	if (pos > r->len)
		return 0;
	r->pos = pos;
	return 1;
}

static inline RD_MUST_CHECK int
rd_skip(rd *r, size_t n)
{
	if (!rd_has(r, n))
		return 0;
	r->pos += n;
	return 1;
}

/** Advance the cursor to the next multiple of a (a power of two) counted
 *  from the window start. */
static inline RD_MUST_CHECK int
rd_align(rd *r, size_t a)
{
	size_t rem = r->pos & (a - 1);
	return rem == 0 ? 1 : rd_skip(r, a - rem);
}

static inline RD_MUST_CHECK int
rd_u8(rd *r, uint8_t *out)
{
	if (!rd_has(r, 1))
		return 0;
	*out = r->p[r->pos];
	r->pos += 1;
	return 1;
}

static inline RD_MUST_CHECK int
rd_u16(rd *r, uint16_t *out)
{
	const uint8_t *q;
	if (!rd_has(r, 2))
		return 0;
	q = r->p + r->pos;
	*out = (uint16_t)(q[0] | (uint16_t)q[1] << 8);
	r->pos += 2;
	return 1;
}

static inline RD_MUST_CHECK int
rd_u32(rd *r, uint32_t *out)
{
	const uint8_t *q;
	if (!rd_has(r, 4))
		return 0;
	q = r->p + r->pos;
	*out = (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 |
	    (uint32_t)q[3] << 24;
	r->pos += 4;
	return 1;
}

static inline RD_MUST_CHECK int
rd_u64(rd *r, uint64_t *out)
{
	uint32_t lo, hi;
	size_t save = r->pos;
	if (!rd_u32(r, &lo) || !rd_u32(r, &hi)) {
		r->pos = save;
		return 0;
	}
	*out = (uint64_t)hi << 32 | lo;
	return 1;
}

/** Read a u16 or a u32 index: wide != 0 selects 4 bytes (ECMA-335
 *  II.24.2.6 heap and table indexes are 2 or 4 bytes wide). */
static inline RD_MUST_CHECK int
rd_index(rd *r, int wide, uint32_t *out)
{
	uint16_t v;
	if (wide)
		return rd_u32(r, out);
	if (!rd_u16(r, &v))
		return 0;
	*out = v;
	return 1;
}

/** Borrow n bytes at the cursor and advance past them. */
static inline RD_MUST_CHECK int
rd_bytes(rd *r, size_t n, const uint8_t **out)
{
	if (!rd_has(r, n))
		return 0;
	*out = r->p + r->pos;
	r->pos += n;
	return 1;
}

/** Copy n bytes at the cursor into dst and advance. */
static inline RD_MUST_CHECK int
rd_copy(rd *r, void *dst, size_t n)
{
	if (!rd_has(r, n))
		return 0;
	if (n)
		memcpy(dst, r->p + r->pos, n);
	r->pos += n;
	return 1;
}

/** Child reader over [off, off+n) of r's window (absolute within the
 *  window, independent of the cursor). r is not moved. */
static inline RD_MUST_CHECK int
rd_sub(const rd *r, size_t off, size_t n, rd *child)
{
	if (off > r->len || n > r->len - off)
		return 0;
	rd_init(child, r->p + off, n, r->base + off);
	return 1;
}

/** Child reader over the next n bytes; r advances past them. */
static inline RD_MUST_CHECK int
rd_take(rd *r, size_t n, rd *child)
{
	if (!rd_sub(r, r->pos, n, child))
		return 0;
	r->pos += n;
	return 1;
}

/** Read a NUL-terminated string of at most max bytes (excluding the NUL)
 *  at the cursor; *out points into the window, *n is its length. The NUL
 *  must lie inside the window and within max+1 bytes. The cursor moves
 *  past the NUL. */
static inline RD_MUST_CHECK int
rd_cstr(rd *r, size_t max, const char **out, size_t *n)
{
	size_t avail = rd_left(r);
	const uint8_t *start = r->p + r->pos;
	const uint8_t *nul;
	if (max < avail && avail - max > 1)
		avail = max + 1; /* max < avail: max + 1 cannot overflow */
	nul = avail ? memchr(start, 0, avail) : NULL;
	if (!nul)
		return 0;
	*out = (const char *)start;
	*n = (size_t)(nul - start);
	r->pos += *n + 1;
	return 1;
}

/** ECMA-335 II.23.2 compressed unsigned integer: 1, 2 or 4 bytes, most
 *  significant byte first. 0b111xxxxx is not a valid lead byte. */
static inline RD_MUST_CHECK int
rd_cuint(rd *r, uint32_t *out)
{
	const uint8_t *q;
	uint8_t b0;
	if (!rd_has(r, 1))
		return 0;
	q = r->p + r->pos;
	b0 = q[0];
	if ((b0 & 0x80) == 0) {
		*out = b0;
		r->pos += 1;
		return 1;
	}
	if ((b0 & 0xC0) == 0x80) {
		if (!rd_has(r, 2))
			return 0;
		*out = (uint32_t)(b0 & 0x3F) << 8 | q[1];
		r->pos += 2;
		return 1;
	}
	if ((b0 & 0xE0) == 0xC0) {
		if (!rd_has(r, 4))
			return 0;
		*out = (uint32_t)(b0 & 0x1F) << 24 | (uint32_t)q[1] << 16 |
		    (uint32_t)q[2] << 8 | q[3];
		r->pos += 4;
		return 1;
	}
	return 0;
}

#endif /* RD_RD_H */
