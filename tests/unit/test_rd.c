/*
 * test_rd.c - unit tests of the bounded reader and the rd/ utilities:
 * rd.h accessors, safeint.h, buf, hex, err, file, utf8 and json.
 *
 * Expected values are written out by hand from the definitions (little-
 * endian integers, ECMA-335 II.23.2 compressed integers with the
 * standard's own examples, RFC 4648 base16).
 */
#define _POSIX_C_SOURCE 200809L
#include "helpers.h"

#include <fcntl.h>
#include <signal.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "asmgate.h"
#include "rd/buf.h"
#include "rd/err.h"
#include "rd/file.h"
#include "rd/hex.h"
#include "rd/limits.h"
#include "rd/rd.h"
#include "rd/safeint.h"

static const uint8_t bytes8[8] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
	0x07, 0x08 };

/* ------------------------------------------------------------ rd.h */

static void
test_rd__init_and_offsets(void **state)
{
	rd r;

	(void)state;
	rd_init(&r, bytes8, sizeof(bytes8), 0x1000);
	assert_int_equal(r.len, 8);
	assert_int_equal(r.pos, 0);
	assert_int_equal(rd_left(&r), 8);
	assert_int_equal(rd_offset(&r), 0x1000);
	assert_int_equal(rd_offset_at(&r, 5), 0x1005);
	assert_true(rd_skip(&r, 3));
	assert_int_equal(rd_left(&r), 5);
	assert_int_equal(rd_offset(&r), 0x1003);

	/* A NULL window is an empty window, whatever len says. */
	rd_init(&r, NULL, 100, 7);
	assert_int_equal(r.len, 0);
	assert_int_equal(rd_left(&r), 0);
	assert_false(rd_has(&r, 1));
	assert_true(rd_has(&r, 0));
}

static void
test_rd__has_seek_skip(void **state)
{
	rd r;

	(void)state;
	rd_init(&r, bytes8, 8, 0);
	assert_true(rd_has(&r, 8));
	assert_false(rd_has(&r, 9));
	assert_false(rd_has(&r, SIZE_MAX));
	assert_true(rd_seek(&r, 8)); /* one past the end is a valid cursor */
	assert_int_equal(r.pos, 8);
	assert_true(rd_has(&r, 0));
	assert_false(rd_has(&r, 1));
	assert_false(rd_seek(&r, 9));
	assert_int_equal(r.pos, 8);
	assert_false(rd_seek(&r, SIZE_MAX));
	assert_int_equal(r.pos, 8);
	assert_true(rd_seek(&r, 2));
	assert_false(rd_skip(&r, 7));
	assert_int_equal(r.pos, 2);
	assert_false(rd_skip(&r, SIZE_MAX));
	assert_int_equal(r.pos, 2);
	assert_true(rd_skip(&r, 6));
	assert_int_equal(r.pos, 8);
	assert_true(rd_skip(&r, 0));
}

static void
test_rd__align(void **state)
{
	rd r;

	(void)state;
	rd_init(&r, bytes8, 8, 0);
	assert_true(rd_align(&r, 4)); /* already aligned: no move */
	assert_int_equal(r.pos, 0);
	assert_true(rd_skip(&r, 1));
	assert_true(rd_align(&r, 4));
	assert_int_equal(r.pos, 4);
	assert_true(rd_skip(&r, 3));
	assert_true(rd_align(&r, 4));
	assert_int_equal(r.pos, 8);
	/* Padding past the window fails and leaves the cursor. */
	rd_init(&r, bytes8, 6, 0);
	assert_true(rd_seek(&r, 5));
	assert_false(rd_align(&r, 4));
	assert_int_equal(r.pos, 5);
}

static void
test_rd__integers_little_endian(void **state)
{
	rd r;
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;

	(void)state;
	rd_init(&r, bytes8, 8, 0);
	assert_true(rd_u8(&r, &u8));
	assert_int_equal(u8, 0x01);
	assert_true(rd_u16(&r, &u16));
	assert_int_equal(u16, 0x0302);
	assert_true(rd_seek(&r, 0));
	assert_true(rd_u32(&r, &u32));
	assert_int_equal(u32, 0x04030201u);
	assert_true(rd_seek(&r, 0));
	assert_true(rd_u64(&r, &u64));
	assert_true(u64 == 0x0807060504030201ull);
	assert_int_equal(r.pos, 8);
}

static void
test_rd__integers_high_bits(void **state)
{
	static const uint8_t ff[8] = { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
		0xFF, 0xFE };
	rd r;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;

	(void)state;
	rd_init(&r, ff, 8, 0);
	assert_true(rd_u16(&r, &u16));
	assert_int_equal(u16, 0xFFFF);
	assert_true(rd_seek(&r, 0));
	assert_true(rd_u32(&r, &u32));
	assert_int_equal(u32, 0xFFFFFFFFu);
	assert_true(rd_seek(&r, 0));
	assert_true(rd_u64(&r, &u64));
	assert_true(u64 == 0xFEFFFFFFFFFFFFFFull);
}

/* Every accessor fails at the end of the window without moving the
 * cursor or writing its output. */
static void
test_rd__failure_does_not_move(void **state)
{
	rd r;
	uint8_t u8 = 0xAA;
	uint16_t u16 = 0xAAAA;
	uint32_t u32 = 0xAAAAAAAAu;
	uint64_t u64 = 0xAAAAAAAAAAAAAAAAull;
	const uint8_t *p = NULL;
	uint8_t dst[8] = { 0 };
	rd child;

	(void)state;
	rd_init(&r, bytes8, 8, 0);
	assert_true(rd_seek(&r, 8));
	assert_false(rd_u8(&r, &u8));
	assert_int_equal(u8, 0xAA);
	assert_int_equal(r.pos, 8);

	assert_true(rd_seek(&r, 7));
	assert_false(rd_u16(&r, &u16));
	assert_int_equal(u16, 0xAAAA);
	assert_int_equal(r.pos, 7);

	assert_true(rd_seek(&r, 5));
	assert_false(rd_u32(&r, &u32));
	assert_int_equal(u32, 0xAAAAAAAAu);
	assert_int_equal(r.pos, 5);

	/* rd_u64 reads two u32: the first succeeds, the second fails, and
	 * the cursor must still be back where it was. */
	assert_true(rd_seek(&r, 1));
	assert_false(rd_u64(&r, &u64));
	assert_true(u64 == 0xAAAAAAAAAAAAAAAAull);
	assert_int_equal(r.pos, 1);

	assert_true(rd_seek(&r, 6));
	assert_false(rd_index(&r, 1, &u32));
	assert_int_equal(r.pos, 6);
	assert_true(rd_seek(&r, 7));
	assert_false(rd_index(&r, 0, &u32));
	assert_int_equal(r.pos, 7);

	assert_true(rd_seek(&r, 4));
	assert_false(rd_bytes(&r, 5, &p));
	assert_null(p);
	assert_int_equal(r.pos, 4);
	assert_false(rd_copy(&r, dst, 5));
	assert_int_equal(dst[0], 0);
	assert_int_equal(r.pos, 4);
	assert_false(rd_take(&r, 5, &child));
	assert_int_equal(r.pos, 4);
	assert_false(rd_skip(&r, 5));
	assert_int_equal(r.pos, 4);
}

static void
test_rd__index_widths(void **state)
{
	rd r;
	uint32_t v;

	(void)state;
	rd_init(&r, bytes8, 8, 0);
	assert_true(rd_index(&r, 0, &v));
	assert_int_equal(v, 0x0201);
	assert_int_equal(r.pos, 2);
	assert_true(rd_index(&r, 1, &v));
	assert_int_equal(v, 0x06050403u);
	assert_int_equal(r.pos, 6);
}

static void
test_rd__bytes_and_copy(void **state)
{
	rd r;
	const uint8_t *p;
	uint8_t dst[4];

	(void)state;
	rd_init(&r, bytes8, 8, 0);
	assert_true(rd_bytes(&r, 0, &p)); /* zero bytes: fine, no move */
	assert_int_equal(r.pos, 0);
	assert_true(rd_bytes(&r, 3, &p));
	assert_ptr_equal(p, bytes8);
	assert_int_equal(r.pos, 3);
	assert_true(rd_copy(&r, dst, 4));
	assert_memory_equal(dst, bytes8 + 3, 4);
	assert_int_equal(r.pos, 7);
	assert_true(rd_copy(&r, NULL, 0));
	assert_int_equal(r.pos, 7);
	assert_false(rd_bytes(&r, SIZE_MAX, &p));
	assert_int_equal(r.pos, 7);
}

static void
test_rd__sub_bounds(void **state)
{
	rd r, c;
	uint8_t v;

	(void)state;
	rd_init(&r, bytes8, 8, 0x100);
	assert_true(rd_skip(&r, 2));
	/* rd_sub is absolute in the window and does not move the parent. */
	assert_true(rd_sub(&r, 4, 3, &c));
	assert_int_equal(r.pos, 2);
	assert_ptr_equal(c.p, bytes8 + 4);
	assert_int_equal(c.len, 3);
	assert_int_equal(c.pos, 0);
	assert_int_equal(c.base, 0x104);
	assert_true(rd_u8(&c, &v));
	assert_int_equal(v, 0x05);
	assert_int_equal(rd_offset(&c), 0x105);
	/* The child cannot read past its window, even though the parent
	 * memory continues. */
	assert_true(rd_skip(&c, 2));
	assert_false(rd_u8(&c, &v));

	assert_true(rd_sub(&r, 0, 8, &c));
	assert_true(rd_sub(&r, 8, 0, &c)); /* empty window at the end */
	assert_int_equal(c.len, 0);
	assert_false(rd_sub(&r, 9, 0, &c));
	assert_false(rd_sub(&r, 4, 5, &c));
	assert_false(rd_sub(&r, 1, SIZE_MAX, &c));   /* off + n wraps */
	assert_false(rd_sub(&r, SIZE_MAX, 2, &c));
	assert_false(rd_sub(&r, SIZE_MAX, SIZE_MAX, &c));
	assert_int_equal(r.pos, 2);
}

static void
test_rd__take_bounds(void **state)
{
	rd r, c;
	uint16_t v;

	(void)state;
	rd_init(&r, bytes8, 8, 0x10);
	assert_true(rd_skip(&r, 1));
	assert_true(rd_take(&r, 4, &c));
	assert_int_equal(r.pos, 5);
	assert_int_equal(c.len, 4);
	assert_int_equal(c.base, 0x11);
	assert_true(rd_u16(&c, &v));
	assert_int_equal(v, 0x0302);
	assert_false(rd_take(&r, 4, &c));
	assert_int_equal(r.pos, 5);
	assert_false(rd_take(&r, SIZE_MAX, &c));
	assert_int_equal(r.pos, 5);
	assert_true(rd_take(&r, 3, &c));
	assert_int_equal(r.pos, 8);
	assert_true(rd_take(&r, 0, &c));
	assert_int_equal(c.len, 0);
}

static void
test_rd__cstr(void **state)
{
	static const uint8_t s[] = { 'a', 'b', 'c', 0, 0, 'x', 'y' };
	rd r;
	const char *out;
	size_t n;

	(void)state;
	rd_init(&r, s, sizeof(s), 0);
	assert_true(rd_cstr(&r, 3, &out, &n)); /* max counts without the NUL */
	assert_string_equal(out, "abc");
	assert_int_equal(n, 3);
	assert_int_equal(r.pos, 4); /* past the NUL */
	assert_true(rd_cstr(&r, 0, &out, &n)); /* empty string */
	assert_string_equal(out, "");
	assert_int_equal(n, 0);
	assert_int_equal(r.pos, 5);
	/* "xy" runs to the end of the window with no NUL. */
	assert_false(rd_cstr(&r, 100, &out, &n));
	assert_int_equal(r.pos, 5);
	/* At the very end of the window. */
	assert_true(rd_seek(&r, 7));
	assert_false(rd_cstr(&r, 10, &out, &n));
	assert_int_equal(r.pos, 7);
}

static void
test_rd__cstr_max(void **state)
{
	static const uint8_t s[] = { 'a', 'b', 'c', 0 };
	rd r;
	const char *out = NULL;
	size_t n = 99;

	(void)state;
	rd_init(&r, s, sizeof(s), 0);
	assert_false(rd_cstr(&r, 2, &out, &n)); /* 3 chars > max 2 */
	assert_int_equal(r.pos, 0);
	assert_null(out);
	assert_int_equal(n, 99);
	assert_true(rd_cstr(&r, 3, &out, &n));
	assert_int_equal(n, 3);
}

/* The NUL exists in memory right after the window, but the window ends
 * before it: the string must be refused. */
static void
test_rd__cstr_nul_outside_window(void **state)
{
	static const uint8_t s[] = { 'a', 'b', 'c', 0 };
	rd r, c;
	const char *out;
	size_t n;

	(void)state;
	rd_init(&r, s, sizeof(s), 0);
	assert_true(rd_sub(&r, 0, 3, &c));
	assert_false(rd_cstr(&c, 100, &out, &n));
	assert_int_equal(c.pos, 0);
}

/* ECMA-335 II.23.2: the examples of compressed unsigned integers. */
static void
test_rd__cuint_ecma_examples(void **state)
{
	static const struct {
		uint8_t b[4];
		size_t n;
		uint32_t v;
	} ex[] = {
		{ { 0x03 }, 1, 0x03 },
		{ { 0x7F }, 1, 0x7F },
		{ { 0x80, 0x80 }, 2, 0x80 },
		{ { 0xAE, 0x57 }, 2, 0x2E57 },
		{ { 0xBF, 0xFF }, 2, 0x3FFF },
		{ { 0xC0, 0x00, 0x40, 0x00 }, 4, 0x4000 },
		{ { 0xDF, 0xFF, 0xFF, 0xFF }, 4, 0x1FFFFFFF },
		/* and the edges of each form */
		{ { 0x00 }, 1, 0x00 },
		{ { 0x80, 0x00 }, 2, 0x00 },
		{ { 0xC0, 0x00, 0x00, 0x00 }, 4, 0x00 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ex) / sizeof(ex[0]); i++) {
		rd r;
		uint32_t v = 0xDEADBEEF;

		rd_init(&r, ex[i].b, ex[i].n, 0);
		assert_true(rd_cuint(&r, &v));
		assert_int_equal(v, ex[i].v);
		assert_int_equal(r.pos, ex[i].n);
	}
}

static void
test_rd__cuint_invalid_and_truncated(void **state)
{
	static const uint8_t e0[] = { 0xE0, 0x00, 0x00, 0x00, 0x00 };
	static const uint8_t ff[] = { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF };
	static const uint8_t two[] = { 0x80 };
	static const uint8_t four[] = { 0xC0, 0x00, 0x40 };
	rd r;
	uint32_t v = 0xDEADBEEF;

	(void)state;
	/* 111xxxxx is not a valid lead byte. */
	rd_init(&r, e0, sizeof(e0), 0);
	assert_false(rd_cuint(&r, &v));
	assert_int_equal(r.pos, 0);
	rd_init(&r, ff, sizeof(ff), 0);
	assert_false(rd_cuint(&r, &v));
	assert_int_equal(r.pos, 0);
	/* A 2-byte form with one byte, a 4-byte form with three. */
	rd_init(&r, two, sizeof(two), 0);
	assert_false(rd_cuint(&r, &v));
	assert_int_equal(r.pos, 0);
	rd_init(&r, four, sizeof(four), 0);
	assert_false(rd_cuint(&r, &v));
	assert_int_equal(r.pos, 0);
	/* Empty. */
	rd_init(&r, four, 0, 0);
	assert_false(rd_cuint(&r, &v));
	assert_int_equal(v, 0xDEADBEEF);
}

/* -------------------------------------------------------- safeint.h */

static void
test_rd__safeint_add(void **state)
{
	uint32_t a32;
	uint64_t a64;
	size_t sz;

	(void)state;
	assert_true(rd_add_u32(0xFFFFFFFEu, 1, &a32));
	assert_int_equal(a32, 0xFFFFFFFFu);
	assert_false(rd_add_u32(0xFFFFFFFFu, 1, &a32));
	assert_false(rd_add_u32(0x80000000u, 0x80000000u, &a32));
	assert_true(rd_add_u64(UINT64_MAX - 1, 1, &a64));
	assert_true(a64 == UINT64_MAX);
	assert_false(rd_add_u64(UINT64_MAX, 1, &a64));
	assert_true(rd_add_size(SIZE_MAX - 5, 5, &sz));
	assert_true(sz == SIZE_MAX);
	assert_false(rd_add_size(SIZE_MAX, 1, &sz));
	assert_false(rd_add_size(1, SIZE_MAX, &sz));
}

static void
test_rd__safeint_mul(void **state)
{
	size_t sz;

	(void)state;
	assert_true(rd_mul_size(0, SIZE_MAX, &sz));
	assert_int_equal(sz, 0);
	assert_true(rd_mul_size(SIZE_MAX, 1, &sz));
	assert_true(sz == SIZE_MAX);
	assert_true(rd_mul_size(0x00FFFFFFu, 64, &sz));
	assert_int_equal(sz, 0x3FFFFFC0u);
	assert_false(rd_mul_size(SIZE_MAX / 2 + 1, 2, &sz));
	assert_false(rd_mul_size(SIZE_MAX, SIZE_MAX, &sz));
}

static void
test_rd__range_ok(void **state)
{
	(void)state;
	assert_true(rd_range_ok(0, 0, 0));
	assert_true(rd_range_ok(10, 0, 10));  /* empty range at the end */
	assert_false(rd_range_ok(11, 0, 10));
	assert_true(rd_range_ok(5, 5, 10));
	assert_false(rd_range_ok(5, 6, 10));
	assert_true(rd_range_ok(0, 10, 10));
	assert_false(rd_range_ok(0, 11, 10));
	/* Sums that would wrap in 64 bits. */
	assert_false(rd_range_ok(UINT64_MAX, 1, UINT64_MAX));
	assert_false(rd_range_ok(1, UINT64_MAX, UINT64_MAX));
	assert_true(rd_range_ok(1, UINT64_MAX - 1, UINT64_MAX));
	/* 32-bit PE fields: 0xFFFFFF00 + 0x200 wraps a u32, not a u64. */
	assert_false(rd_range_ok(0xFFFFFF00u, 0x200, 0x1A00));
}

static void
test_rd__range_within(void **state)
{
	(void)state;
	assert_true(rd_range_within(10, 5, 8, 7));   /* [10,15) in [8,15) */
	assert_false(rd_range_within(10, 6, 8, 7));  /* ends at 16 */
	assert_false(rd_range_within(7, 1, 8, 7));   /* starts before */
	assert_true(rd_range_within(8, 0, 8, 0));
	assert_true(rd_range_within(8, 7, 8, 7));
	assert_false(rd_range_within(UINT64_MAX, 2, 0, UINT64_MAX));
	assert_true(rd_range_within(0x2100, 0x100, 0x2000, 0x1000));
	assert_false(rd_range_within(0x2F80, 0x100, 0x2000, 0x1000));
}

static void
test_rd__range_overlap(void **state)
{
	(void)state;
	assert_false(rd_range_overlap(0, 4, 4, 4)); /* adjacent */
	assert_false(rd_range_overlap(4, 4, 0, 4));
	assert_true(rd_range_overlap(0, 5, 4, 4));
	assert_true(rd_range_overlap(4, 4, 0, 5));
	assert_true(rd_range_overlap(0, 10, 2, 2)); /* containment */
	assert_true(rd_range_overlap(2, 2, 0, 10));
	assert_true(rd_range_overlap(3, 1, 3, 1));
	assert_false(rd_range_overlap(3, 0, 0, 10)); /* empty never overlaps */
	assert_false(rd_range_overlap(0, 10, 3, 0));
	assert_true(rd_range_overlap(UINT64_MAX - 1, 1, 0, UINT64_MAX));
	assert_false(rd_range_overlap(UINT64_MAX - 1, 1, 0, UINT64_MAX - 1));
	/* The COR20 header [0x208,+72) and a signature slot at 0x208. */
	assert_true(rd_range_overlap(0x208, 72, 0x208, 0x100));
	assert_false(rd_range_overlap(0x208, 72, 0x34C, 0x100));
}

/* ------------------------------------------------------------- buf */

static void
test_rd__buf_growth(void **state)
{
	rd_buf b;
	uint8_t chunk[100];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(chunk); i++)
		chunk[i] = (uint8_t)i;
	rd_buf_init(&b, 1u << 20);
	assert_null(b.p);
	assert_int_equal(b.len, 0);
	assert_true(rd_buf_put(&b, chunk, 10));
	assert_int_equal(b.cap, 64); /* first allocation */
	assert_true(rd_buf_put(&b, chunk, 100));
	assert_int_equal(b.len, 110);
	assert_int_equal(b.cap, 128); /* doubled */
	assert_memory_equal(b.p, chunk, 10);
	assert_memory_equal(b.p + 10, chunk, 100);
	for (i = 0; i < 50; i++)
		assert_true(rd_buf_put(&b, chunk, 100));
	assert_int_equal(b.len, 5110);
	assert_true(b.cap >= 5110);
	assert_memory_equal(b.p + 5010, chunk, 100);
	assert_false(b.failed);
	assert_true(rd_buf_put(&b, NULL, 0));
	rd_buf_free(&b);
	assert_null(b.p);
	assert_int_equal(b.len, 0);
}

static void
test_rd__buf_ceiling(void **state)
{
	rd_buf b;
	uint8_t chunk[100] = { 0 };

	(void)state;
	rd_buf_init(&b, 100);
	assert_true(rd_buf_put(&b, chunk, 65));
	/* 64 -> would double to 128 > max: capped at max */
	assert_int_equal(b.cap, 100);
	assert_true(rd_buf_put(&b, chunk, 35)); /* exactly at the ceiling */
	assert_int_equal(b.len, 100);
	assert_false(b.failed);
	assert_false(rd_buf_putc(&b, 'x'));
	assert_true(b.failed);
	assert_int_equal(b.len, 100);
	rd_buf_free(&b);

	/* A ceiling below the first allocation size holds as well: the
	 * len may never pass max, whatever cap was allocated. */
	rd_buf_init(&b, 10);
	assert_true(rd_buf_put(&b, chunk, 5));
	assert_true(rd_buf_put(&b, chunk, 5));
	assert_false(rd_buf_putc(&b, 'x'));
	assert_true(b.failed);
	assert_int_equal(b.len, 10);
	assert_true(b.cap <= 10);
	rd_buf_free(&b);

	/* The NUL of rd_buf_cstr counts against the ceiling too. */
	rd_buf_init(&b, 4);
	assert_true(rd_buf_puts(&b, "abcd"));
	assert_null(rd_buf_cstr(&b));
	assert_true(b.failed);
	rd_buf_free(&b);

	/* A size that wraps len + n fails. */
	rd_buf_init(&b, SIZE_MAX);
	assert_true(rd_buf_putc(&b, 1));
	assert_false(rd_buf_put(&b, chunk, SIZE_MAX));
	assert_true(b.failed);
	rd_buf_free(&b);
}

static void
test_rd__buf_sticky_failure(void **state)
{
	rd_buf b;

	(void)state;
	rd_buf_init(&b, 8);
	assert_false(rd_buf_puts(&b, "123456789"));
	assert_true(b.failed);
	assert_int_equal(b.len, 0);
	/* Everything after the failure fails, even what would fit. */
	assert_false(rd_buf_putc(&b, 'a'));
	assert_false(rd_buf_puts(&b, "a"));
	assert_false(rd_buf_put_u16(&b, 1));
	assert_false(rd_buf_put_u32(&b, 1));
	assert_false(rd_buf_printf(&b, "%d", 1));
	assert_null(rd_buf_cstr(&b));
	assert_int_equal(b.len, 0);
	rd_buf_free(&b);
	assert_false(b.failed); /* free resets */
}

static void
test_rd__buf_values(void **state)
{
	static const uint8_t want[] = { 0x34, 0x12, 0x78, 0x56, 0x34, 0x12,
		'h', 'i', ' ', '4', '2' };
	rd_buf b;
	const char *s;

	(void)state;
	rd_buf_init(&b, 1024);
	assert_true(rd_buf_put_u16(&b, 0x1234));
	assert_true(rd_buf_put_u32(&b, 0x12345678u));
	assert_true(rd_buf_printf(&b, "%s %d", "hi", 42));
	assert_int_equal(b.len, sizeof(want));
	assert_memory_equal(b.p, want, sizeof(want));
	s = rd_buf_cstr(&b);
	assert_non_null(s);
	assert_int_equal(b.len, sizeof(want)); /* NUL not counted */
	assert_int_equal(s[sizeof(want)], '\0');
	assert_true(rd_buf_puts(&b, "!")); /* overwrites the NUL */
	assert_string_equal(rd_buf_cstr(&b) + 6, "hi 42!");
	rd_buf_free_secure(&b);
	assert_null(b.p);
}

static void
test_rd__buf_printf_large(void **state)
{
	rd_buf b;
	char big[1001];

	(void)state;
	memset(big, 'z', 1000);
	big[1000] = '\0';
	rd_buf_init(&b, 4096);
	/* Longer than the 256-byte fast path. */
	assert_true(rd_buf_printf(&b, "<%s>", big));
	assert_int_equal(b.len, 1002);
	assert_int_equal(b.p[0], '<');
	assert_int_equal(b.p[1000], 'z');
	assert_int_equal(b.p[1001], '>');
	rd_buf_free(&b);
	/* Longer than the ceiling. */
	rd_buf_init(&b, 500);
	assert_false(rd_buf_printf(&b, "%s", big));
	assert_true(b.failed);
	rd_buf_free(&b);
	/* Free of a zeroed or NULL buffer is safe. */
	rd_buf_free(NULL);
	rd_buf_free_secure(NULL);
	memset(&b, 0, sizeof(b));
	rd_buf_free_secure(&b);
}

/* ------------------------------------------------------------- hex */

static void
test_rd__hex_encode(void **state)
{
	static const uint8_t in[] = { 0x00, 0x01, 0xAB, 0xCD, 0xEF, 0xFF,
		0x10 };
	char out[2 * sizeof(in) + 1];

	(void)state;
	memset(out, 'X', sizeof(out));
	rd_hex_encode(out, in, sizeof(in));
	assert_string_equal(out, "0001abcdefff10");
	rd_hex_encode(out, in, 0);
	assert_string_equal(out, "");
}

static void
test_rd__hex_decode(void **state)
{
	uint8_t out[8];
	size_t n = 0, bad = 99;

	(void)state;
	assert_true(rd_hex_decode(out, sizeof(out), &n, "00ffAbcD10", 10,
	    &bad));
	assert_int_equal(n, 5);
	assert_int_equal(bad, 0);
	assert_int_equal(out[0], 0x00);
	assert_int_equal(out[1], 0xFF);
	assert_int_equal(out[2], 0xAB);
	assert_int_equal(out[3], 0xCD);
	assert_int_equal(out[4], 0x10);
	/* Only len characters are read. */
	assert_true(rd_hex_decode(out, sizeof(out), &n, "e0ba8f48zz", 8,
	    NULL));
	assert_int_equal(n, 4);
	assert_int_equal(out[0], 0xE0);
	assert_int_equal(out[3], 0x48);
	assert_true(rd_hex_decode(out, 0, &n, "", 0, &bad));
	assert_int_equal(n, 0);
	/* Exactly fills the output. */
	assert_true(rd_hex_decode(out, 2, &n, "0102", 4, &bad));
	assert_int_equal(n, 2);
}

static void
test_rd__hex_decode_odd_length(void **state)
{
	uint8_t out[8];
	size_t n = 77, bad = 0;

	(void)state;
	assert_false(rd_hex_decode(out, sizeof(out), &n, "abc", 3, &bad));
	assert_int_equal(bad, 3);
	assert_int_equal(n, 77);
	assert_false(rd_hex_decode(out, sizeof(out), &n, "a", 1, NULL));
}

static void
test_rd__hex_decode_bad_digit(void **state)
{
	uint8_t out[8];
	size_t n = 77, bad = 0;

	(void)state;
	/* High nibble bad: index of that character. */
	assert_false(rd_hex_decode(out, sizeof(out), &n, "00g0", 4, &bad));
	assert_int_equal(bad, 2);
	/* Low nibble bad. */
	assert_false(rd_hex_decode(out, sizeof(out), &n, "000G", 4, &bad));
	assert_int_equal(bad, 3);
	assert_false(rd_hex_decode(out, sizeof(out), &n, " 0", 2, &bad));
	assert_int_equal(bad, 0);
	assert_false(rd_hex_decode(out, sizeof(out), &n, "0x12", 4, &bad));
	assert_int_equal(bad, 1);
	/* A NUL inside len is a bad digit, not an end. */
	assert_false(rd_hex_decode(out, sizeof(out), &n, "01\0" "2", 4, &bad));
	assert_int_equal(bad, 2);
	assert_false(rd_hex_decode(out, sizeof(out), &n, "\xff" "0", 2, &bad));
	assert_int_equal(bad, 0);
	assert_int_equal(n, 77);
	/* Output too small. */
	assert_false(rd_hex_decode(out, 1, &n, "0102", 4, &bad));
	assert_int_equal(n, 77);
}

static void
test_rd__hex_digit(void **state)
{
	(void)state;
	assert_int_equal(rd_hex_digit('0'), 0);
	assert_int_equal(rd_hex_digit('9'), 9);
	assert_int_equal(rd_hex_digit('a'), 10);
	assert_int_equal(rd_hex_digit('f'), 15);
	assert_int_equal(rd_hex_digit('A'), 10);
	assert_int_equal(rd_hex_digit('F'), 15);
	assert_int_equal(rd_hex_digit('g'), -1);
	assert_int_equal(rd_hex_digit('G'), -1);
	assert_int_equal(rd_hex_digit('/'), -1);
	assert_int_equal(rd_hex_digit(':'), -1);
	assert_int_equal(rd_hex_digit('@'), -1);
	assert_int_equal(rd_hex_digit('`'), -1);
	assert_int_equal(rd_hex_digit(0), -1);
	assert_int_equal(rd_hex_digit(0xFF), -1);
	assert_int_equal(rd_hex_digit(-1), -1);
}

/* ------------------------------------------------------------- err */

static void
test_rd__err_fail(void **state)
{
	asmgate_error e;

	(void)state;
	asmgate_error_clear(&e);
	assert_int_equal(rd_fail(&e, ASMGATE_E_TRUNCATED, 0x1234, "x %d", 5),
	    ASMGATE_E_TRUNCATED);
	assert_int_equal(e.code, ASMGATE_E_TRUNCATED);
	assert_int_equal(e.has_offset, 1);
	assert_int_equal(e.offset, 0x1234);
	assert_int_equal(e.line, 0);
	assert_string_equal(e.msg, "x 5");

	assert_int_equal(rd_fail_nooff(&e, ASMGATE_E_IO, "io %s", "y"),
	    ASMGATE_E_IO);
	assert_int_equal(e.has_offset, 0);
	assert_int_equal(e.offset, 0);
	assert_string_equal(e.msg, "io y");

	assert_int_equal(rd_fail_line(&e, ASMGATE_E_POLICY, 42, "line"),
	    ASMGATE_E_POLICY);
	assert_int_equal(e.line, 42);
	assert_int_equal(e.has_offset, 0);

	/* one line whatever a quoted value holds: C0 controls and DEL
	 * become '?', other bytes stay */
	assert_int_equal(rd_fail_line(&e, ASMGATE_E_MALFORMED, 3,
	    "bad '%s'", "a\nb\r\tc\x7f\xc3\xa9"), ASMGATE_E_MALFORMED);
	assert_string_equal(e.msg, "bad 'a?b??c?\xc3\xa9'");

	/* err may be NULL: the status still comes back. */
	assert_int_equal(rd_fail(NULL, ASMGATE_E_LIMIT, 1, "z"),
	    ASMGATE_E_LIMIT);
	assert_int_equal(rd_fail_nooff(NULL, ASMGATE_E_LIMIT, "z"),
	    ASMGATE_E_LIMIT);
	assert_int_equal(rd_fail_line(NULL, ASMGATE_E_LIMIT, 1, "z"),
	    ASMGATE_E_LIMIT);

	asmgate_error_clear(&e);
	assert_int_equal(e.code, ASMGATE_OK);
	assert_int_equal(e.msg[0], '\0');
	asmgate_error_clear(NULL);
}

static void
test_rd__err_message_truncated(void **state)
{
	asmgate_error e;
	char big[600];

	(void)state;
	memset(big, 'm', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	rd_fail(&e, ASMGATE_E_MALFORMED, 0, "%s", big);
	assert_int_equal(strlen(e.msg), ASMGATE_ERRMSG_MAX - 1);
}

static void
test_rd__err_prefix(void **state)
{
	asmgate_error e;

	(void)state;
	rd_fail(&e, ASMGATE_E_TRUNCATED, 0x40, "COFF header");
	rd_err_prefix(&e, "a.dll");
	assert_string_equal(e.msg, "a.dll: COFF header");
	assert_int_equal(e.offset, 0x40); /* offset kept */
	assert_int_equal(e.code, ASMGATE_E_TRUNCATED);
	rd_err_prefix(&e, "outer");
	assert_string_equal(e.msg, "outer: a.dll: COFF header");
	/* Empty old message. */
	rd_fail(&e, ASMGATE_E_IO, 0, "%s", "");
	rd_err_prefix(&e, "p");
	assert_string_equal(e.msg, "p: ");
	/* NULLs are ignored. */
	rd_err_prefix(NULL, "x");
	rd_err_prefix(&e, NULL);
	assert_string_equal(e.msg, "p: ");
}

static void
test_rd__err_prefix_truncation(void **state)
{
	asmgate_error e;
	char big[300], what[300];
	size_t cap = ASMGATE_ERRMSG_MAX - 1;

	(void)state;
	/* A full message: the prefix is kept, the tail of the old message
	 * is cut, the result is exactly cap bytes and NUL-terminated. */
	memset(big, 'm', cap);
	big[cap] = '\0';
	rd_fail(&e, ASMGATE_E_MALFORMED, 1, "%s", big);
	assert_int_equal(strlen(e.msg), cap);
	rd_err_prefix(&e, "prefix");
	assert_int_equal(strlen(e.msg), cap);
	assert_memory_equal(e.msg, "prefix: mmm", 11);
	assert_int_equal(e.msg[cap - 1], 'm');

	/* A prefix that leaves no room (wl + 2 > cap): nothing changes. */
	memset(what, 'w', cap - 1);
	what[cap - 1] = '\0';
	rd_fail(&e, ASMGATE_E_MALFORMED, 1, "old");
	rd_err_prefix(&e, what);
	assert_string_equal(e.msg, "old");

	/* A prefix that fits exactly with ": " and no old text. */
	memset(what, 'w', cap - 2);
	what[cap - 2] = '\0';
	rd_fail(&e, ASMGATE_E_MALFORMED, 1, "old");
	rd_err_prefix(&e, what);
	assert_int_equal(strlen(e.msg), cap);
	assert_memory_equal(e.msg + cap - 2, ": ", 2);

	/* A prefix that leaves one byte of the old message. */
	memset(what, 'w', cap - 3);
	what[cap - 3] = '\0';
	rd_fail(&e, ASMGATE_E_MALFORMED, 1, "old");
	rd_err_prefix(&e, what);
	assert_int_equal(strlen(e.msg), cap);
	assert_int_equal(e.msg[cap - 1], 'o');
}

static void
test_rd__status_names(void **state)
{
	static const struct {
		asmgate_status st;
		const char *name;
	} names[] = {
		{ ASMGATE_OK, "ok" }, { ASMGATE_E_IO, "io" },
		{ ASMGATE_E_NOMEM, "nomem" }, { ASMGATE_E_EMPTY, "empty" },
		{ ASMGATE_E_TRUNCATED, "truncated" },
		{ ASMGATE_E_NOT_PE, "not-pe" },
		{ ASMGATE_E_NOT_DOTNET, "not-dotnet" },
		{ ASMGATE_E_NO_ASSEMBLY, "no-assembly" },
		{ ASMGATE_E_MALFORMED, "malformed" },
		{ ASMGATE_E_LIMIT, "limit" },
		{ ASMGATE_E_UNSUPPORTED, "unsupported" },
		{ ASMGATE_E_KEY, "bad-key" }, { ASMGATE_E_CRYPTO, "crypto" },
		{ ASMGATE_E_POLICY, "bad-policy" },
		{ ASMGATE_E_USAGE, "usage" },
		{ ASMGATE_E_KEY_MISMATCH, "key-mismatch" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		assert_string_equal(asmgate_status_name(names[i].st),
		    names[i].name);
	assert_string_equal(asmgate_status_name((asmgate_status)-99),
	    "unknown");
	assert_string_equal(asmgate_status_name((asmgate_status)1), "unknown");
}

/* ------------------------------------------------------------ file */

/* A scratch directory per test run, removed at teardown. */
static char tmpdir[512];

static int
file_setup(void **state)
{
	const char *t = getenv("TMPDIR");

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "%s/test_rd.XXXXXX",
	    t && *t ? t : "/tmp");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int
file_teardown(void **state)
{
	char p[600];
	static const char *names[] = { "empty", "small", "big", "sub",
	    "shrinks", "out" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", tmpdir, names[i]);
		if (unlink(p) != 0)
			(void)rmdir(p);
	}
	return rmdir(tmpdir);
}

static const char *
tmpfile_with(const char *name, const void *data, size_t n)
{
	static char p[600];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", tmpdir, name);
	f = fopen(p, "wb");
	assert_non_null(f);
	if (n)
		assert_int_equal(fwrite(data, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
	return p;
}

static void
test_rd__file_empty(void **state)
{
	rd_file f;
	asmgate_error e;
	const char *p = tmpfile_with("empty", NULL, 0);

	(void)state;
	asmgate_error_clear(&e);
	assert_int_equal(rd_file_open(&f, p, RD_MAX_FILE_BYTES, &e),
	    ASMGATE_OK);
	assert_null(f.data);
	assert_int_equal(f.size, 0);
	rd_file_release(&f, 0, 100);
	rd_file_close(&f);
	rd_file_close(&f);
}

static void
test_rd__file_regular(void **state)
{
	rd_file f;
	asmgate_error e;
	const char *p = tmpfile_with("small", bytes8, sizeof(bytes8));

	(void)state;
	assert_int_equal(rd_file_open(&f, p, 8, &e), ASMGATE_OK);
	assert_non_null(f.data);
	assert_int_equal(f.size, 8);
	assert_memory_equal(f.data, bytes8, 8);
	rd_file_release(&f, 0, 8);
	rd_file_release(&f, 100, 8);
	rd_file_release(&f, 4, UINT64_MAX);
	assert_memory_equal(f.data, bytes8, 8); /* still readable */
	rd_file_close(&f);
	assert_null(f.data);
	assert_int_equal(f.size, 0);
	rd_file_close(&f); /* twice is safe */
	rd_file_close(NULL);
}

static void
test_rd__file_above_cap(void **state)
{
	rd_file f;
	asmgate_error e;
	const char *p = tmpfile_with("big", bytes8, sizeof(bytes8));

	(void)state;
	asmgate_error_clear(&e);
	assert_int_equal(rd_file_open(&f, p, 7, &e), ASMGATE_E_LIMIT);
	assert_int_equal(e.code, ASMGATE_E_LIMIT);
	assert_int_equal(e.has_offset, 0);
	assert_non_null(strstr(e.msg, "7-byte limit"));
	assert_null(f.data);
	rd_file_close(&f);
}

static void
test_rd__file_directory(void **state)
{
	rd_file f;
	asmgate_error e;
	char p[600];

	(void)state;
	snprintf(p, sizeof(p), "%s/sub", tmpdir);
	assert_int_equal(mkdir(p, 0700), 0);
	asmgate_error_clear(&e);
	assert_int_equal(rd_file_open(&f, p, RD_MAX_FILE_BYTES, &e),
	    ASMGATE_E_IO);
	assert_int_equal(e.code, ASMGATE_E_IO);
	assert_string_equal(e.msg, "is a directory");
	assert_null(f.data);
	rd_file_close(&f);
}

static void
test_rd__file_missing(void **state)
{
	rd_file f;
	asmgate_error e;
	char p[600];

	(void)state;
	snprintf(p, sizeof(p), "%s/does-not-exist", tmpdir);
	asmgate_error_clear(&e);
	assert_int_equal(rd_file_open(&f, p, RD_MAX_FILE_BYTES, &e),
	    ASMGATE_E_IO);
	assert_non_null(strstr(e.msg, "cannot open"));
	assert_null(f.data);
	assert_int_equal(rd_file_open(&f, p, RD_MAX_FILE_BYTES, NULL),
	    ASMGATE_E_IO);
}

static void
test_rd__file_not_regular(void **state)
{
	rd_file f;
	asmgate_error e;

	(void)state;
	asmgate_error_clear(&e);
	assert_int_equal(rd_file_open(&f, "/dev/null", RD_MAX_FILE_BYTES, &e),
	    ASMGATE_E_IO);
	assert_string_equal(e.msg, "not a regular file");
}

/* The command's SIGBUS handler, as cmd/main.c has it. */
static void
recover_sigbus(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	if (!asmgate_recover_fault(si->si_addr))
		_exit(99);
}

/* A mapped file that shrinks while it is read: the read past its new end
 * faults, the handler turns the rest of the mapping into zeros, and the
 * file and the reading thread carry the mark (issue 14). */
static void
test_rd__file_shrinks_while_mapped(void **state)
{
	struct sigaction sa, old;
	rd_file f, g;
	asmgate_error e;
	unsigned long before;
	const size_t size = (size_t)3 << 20; /* mapped: above 1 MiB */
	uint8_t *buf = malloc(size);
	const char *p;
	volatile uint8_t v;
	size_t i;
	int fd;

	(void)state;
	assert_non_null(buf);
	memset(buf, 0xA5, size);
	p = tmpfile_with("shrinks", buf, size);
	free(buf);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = recover_sigbus;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGBUS, &sa, &old), 0);

	asmgate_error_clear(&e);
	assert_int_equal(rd_file_open(&f, p, RD_MAX_FILE_BYTES, &e),
	    ASMGATE_OK);
	assert_int_equal(f.mapped, 1);
	assert_true(f.slot >= 0);
	/* a second mapping, untouched by the first one's fault */
	assert_int_equal(rd_file_open(&g, p, RD_MAX_FILE_BYTES, &e),
	    ASMGATE_OK);
	assert_int_equal(f.data[0], 0xA5);
	assert_int_equal(rd_file_changed(&f), 0);
	before = rd_file_thread_faults();

	fd = open(p, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 4096), 0);
	close(fd);
	/* still there before the new end */
	assert_int_equal(f.data[100], 0xA5);
	assert_int_equal(rd_file_thread_faults(), before);
	/* past it: one fault, and zeros to the end of the mapping */
	v = f.data[(size_t)2 << 20];
	assert_int_equal(v, 0);
	for (i = (size_t)2 << 20; i < size; i += 4096)
		assert_int_equal(f.data[i], 0);
	assert_int_equal(f.data[size - 1], 0);
	assert_int_equal(rd_file_thread_faults(), before + 1);
	assert_int_equal(rd_file_changed(&f), 1);
	assert_int_equal(rd_file_changed(&g), 0);
	rd_file_close(&f);
	/* an address in no mapping of the library is not recovered */
	assert_int_equal(asmgate_recover_fault(&e), 0);
	/* g faults on its own */
	v = g.data[size - 1];
	assert_int_equal(v, 0);
	assert_int_equal(rd_file_changed(&g), 1);
	assert_int_equal(rd_file_thread_faults(), before + 2);
	rd_file_close(&g);
	assert_int_equal(rd_file_changed(&g), 0);
	assert_int_equal(sigaction(SIGBUS, &old, NULL), 0);
}

/* ------------------------------------------------------ utf8, json */

/* What the writer told the hook: how many calls, the last path. */
typedef struct hook_log {
	unsigned calls;
	char last[600];
	int last_null;
} hook_log;

static void
log_hook(void *arg, const char *path)
{
	hook_log *h = arg;

	h->calls++;
	h->last_null = path == NULL;
	snprintf(h->last, sizeof(h->last), "%s", path ? path : "");
}

/* Entries of the scratch directory named .asmgate-*. */
static unsigned
leftovers(void)
{
	DIR *d = opendir(tmpdir);
	struct dirent *e;
	unsigned n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (strncmp(e->d_name, ".asmgate-", 9) == 0)
			n++;
	closedir(d);
	return n;
}

static void
assert_file_is(const char *p, const char *want)
{
	char buf[64];
	FILE *f = fopen(p, "rb");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	assert_int_equal(n, strlen(want));
	assert_memory_equal(buf, want, n);
}

/* The named temporary (where O_TMPFILE is missing): the hook hears its
 * path before anything is written and NULL once it is removed; an
 * abandoned writer leaves neither it nor the destination. */
static void
test_rd__atomic_named_abort(void **state)
{
	char out[600];
	hook_log h;
	rd_atomic *w = NULL;
	asmgate_error e;
	struct stat st;

	(void)state;
	memset(&h, 0, sizeof(h));
	snprintf(out, sizeof(out), "%s/out", tmpdir);
	asmgate_error_clear(&e);
	assert_int_equal(rd_atomic_open(&w, out, 0644, RD_ATOMIC_NAMED,
	    log_hook, &h, &e), ASMGATE_OK);
	assert_int_equal(h.calls, 1);
	assert_false(h.last_null);
	assert_non_null(strstr(h.last, "/.asmgate-"));
	assert_string_equal(rd_atomic_temp_path(w), h.last);
	assert_int_equal(stat(h.last, &st), 0);
	assert_int_equal(leftovers(), 1);
	assert_int_equal(rd_atomic_write(w, "abc", 3, &e), ASMGATE_OK);
	rd_atomic_free(w);
	assert_int_equal(h.calls, 2);
	assert_true(h.last_null);
	assert_int_equal(leftovers(), 0);
	assert_int_not_equal(stat(out, &st), 0);
	rd_atomic_free(NULL);
}

/* Committed, the named temporary replaces the destination, with the
 * mode asked for, and is gone. */
static void
test_rd__atomic_named_commit(void **state)
{
	char out[600];
	hook_log h;
	rd_atomic *w = NULL;
	asmgate_error e;
	struct stat st;

	(void)state;
	memset(&h, 0, sizeof(h));
	snprintf(out, sizeof(out), "%s/out", tmpdir);
	(void)tmpfile_with("out", "old contents", 12);
	asmgate_error_clear(&e);
	assert_int_equal(rd_atomic_open(&w, out, 0640, RD_ATOMIC_NAMED,
	    log_hook, &h, &e), ASMGATE_OK);
	assert_int_equal(rd_atomic_write(w, "ab", 2, &e), ASMGATE_OK);
	assert_int_equal(rd_atomic_write(w, "c", 1, &e), ASMGATE_OK);
	assert_int_equal(rd_atomic_commit(w, &e), ASMGATE_OK);
	assert_true(h.last_null);
	assert_null(rd_atomic_temp_path(w));
	rd_atomic_free(w);
	assert_int_equal(h.calls, 2);
	assert_file_is(out, "abc");
	assert_int_equal(stat(out, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	assert_int_equal(leftovers(), 0);
	assert_int_equal(unlink(out), 0);
}

/* A temporary that SIGKILL left behind is removed by the next writer
 * into the folder: only ".asmgate-HOST-PID-XXXXXX" regular files of
 * this machine, whose writer no longer runs and that are at least a
 * minute old (rd/file.c, sweep_stale). HOST is made here from
 * gethostname by the documented rule. */
static void
sweep_make(const char *name, int old, int link_it)
{
	char p[700];
	struct timespec ts[2];

	snprintf(p, sizeof(p), "%s/%s", tmpdir, name);
	if (link_it) {
		assert_int_equal(symlink("nowhere", p), 0);
		return;
	}
	(void)tmpfile_with(name, "x", 1);
	if (old) {
		ts[0].tv_sec = ts[1].tv_sec = time(NULL) - 3600;
		ts[0].tv_nsec = ts[1].tv_nsec = 0;
		assert_int_equal(utimensat(AT_FDCWD, p, ts, 0), 0);
	}
}

static int
sweep_exists(const char *name)
{
	char p[700];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", tmpdir, name);
	return lstat(p, &st) == 0;
}

static void
test_rd__atomic_sweeps_stale(void **state)
{
	char host[64], h[256], out[600];
	char dead_old[160], dead_young[160], alive[160], other[160];
	char link_name[160], suffix[160], own[160];
	rd_atomic *w = NULL;
	asmgate_error e;
	pid_t pid;
	size_t i;

	(void)state;
	assert_int_equal(gethostname(h, sizeof(h)), 0);
	h[sizeof(h) - 1] = '\0';
	for (i = 0; h[i] && i < 32; i++)
		host[i] = ((h[i] >= 'a' && h[i] <= 'z') ||
		    (h[i] >= 'A' && h[i] <= 'Z') ||
		    (h[i] >= '0' && h[i] <= '9') || h[i] == '.') ? h[i] : '_';
	host[i] = '\0';
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(0);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	snprintf(dead_old, sizeof(dead_old), ".asmgate-%s-%ld-aB3dE9", host,
	    (long)pid);
	snprintf(dead_young, sizeof(dead_young), ".asmgate-%s-%ld-aB3dE8",
	    host, (long)pid);
	snprintf(alive, sizeof(alive), ".asmgate-%s-1-aB3dE9", host);
	snprintf(other, sizeof(other), ".asmgate-%sx-%ld-aB3dE9", host,
	    (long)pid);
	snprintf(link_name, sizeof(link_name), ".asmgate-%s-%ld-zzzzzz",
	    host, (long)pid);
	snprintf(suffix, sizeof(suffix), ".asmgate-%s-%ld-aB3dE9.x", host,
	    (long)pid);
	snprintf(own, sizeof(own), ".asmgate-%s-%ld-aB3dE9", host,
	    (long)getpid());
	sweep_make(dead_old, 1, 0);
	sweep_make(dead_young, 0, 0);
	sweep_make(alive, 1, 0);
	sweep_make(other, 1, 0);
	sweep_make(link_name, 0, 1);
	sweep_make(suffix, 1, 0);
	sweep_make(own, 1, 0);
	snprintf(out, sizeof(out), "%s/out", tmpdir);
	asmgate_error_clear(&e);
	assert_int_equal(rd_atomic_open(&w, out, 0644, RD_ATOMIC_NAMED,
	    NULL, NULL, &e), ASMGATE_OK);
	/* its own temporary is named by the same rule */
	snprintf(h, sizeof(h), "/.asmgate-%s-%ld-", host, (long)getpid());
	assert_non_null(strstr(rd_atomic_temp_path(w), h));
	rd_atomic_free(w);
	assert_false(sweep_exists(dead_old));
	assert_true(sweep_exists(dead_young));
	assert_true(sweep_exists(alive));
	assert_true(sweep_exists(other));
	assert_true(sweep_exists(link_name));
	assert_true(sweep_exists(suffix));
	assert_true(sweep_exists(own));
	{
		const char *rm[] = { dead_young, alive, other, link_name,
			suffix, own };
		char p[700];
		for (i = 0; i < sizeof(rm) / sizeof(rm[0]); i++) {
			snprintf(p, sizeof(p), "%s/%s", tmpdir, rm[i]);
			assert_int_equal(unlink(p), 0);
		}
	}
	assert_int_equal(leftovers(), 0);
}

/* The default: an unnamed O_TMPFILE file where the filesystem has
 * them, so no name exists while it is written (a process killed then,
 * even by SIGKILL, leaves nothing) and the hook hears of one only for
 * the rename. Where TMPDIR lacks O_TMPFILE the writer falls back to a
 * named file, checked as above. */
static void
test_rd__atomic_unnamed(void **state)
{
	char out[600];
	hook_log h;
	rd_atomic *w = NULL;
	asmgate_error e;

	(void)state;
	memset(&h, 0, sizeof(h));
	snprintf(out, sizeof(out), "%s/out", tmpdir);
	asmgate_error_clear(&e);
	assert_int_equal(rd_atomic_open(&w, out, 0644, 0, log_hook, &h, &e),
	    ASMGATE_OK);
	if (rd_atomic_temp_path(w) != NULL) {
		rd_atomic_free(w);
		skip();
	}
	assert_int_equal(h.calls, 0);
	assert_int_equal(rd_atomic_write(w, "abc", 3, &e), ASMGATE_OK);
	assert_int_equal(leftovers(), 0);
	rd_atomic_free(w);       /* abandoned: nothing to remove */
	assert_int_equal(h.calls, 0);
	assert_int_equal(leftovers(), 0);
	assert_int_not_equal(access(out, F_OK), 0);

	assert_int_equal(rd_atomic_open(&w, out, 0644, 0, log_hook, &h, &e),
	    ASMGATE_OK);
	assert_int_equal(rd_atomic_write(w, "xyz", 3, &e), ASMGATE_OK);
	assert_int_equal(rd_atomic_commit(w, &e), ASMGATE_OK);
	rd_atomic_free(w);
	assert_int_equal(h.calls, 2); /* named for the rename, then gone */
	assert_true(h.last_null);
	assert_file_is(out, "xyz");
	assert_int_equal(leftovers(), 0);
	assert_int_equal(unlink(out), 0);
}

/* Failures leave the destination as it was and no temporary: a folder
 * that does not exist, and a destination that is a folder (the rename
 * fails after everything was written). */
static void
test_rd__atomic_failures(void **state)
{
	char out[600], dir[600];
	unsigned flags;
	rd_atomic *w = NULL;
	asmgate_error e;

	(void)state;
	snprintf(out, sizeof(out), "%s/missing/out", tmpdir);
	asmgate_error_clear(&e);
	assert_int_equal(rd_atomic_open(&w, out, 0644, 0, NULL, NULL, &e),
	    ASMGATE_E_IO);
	assert_null(w);
	snprintf(dir, sizeof(dir), "%s/dst", tmpdir);
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(out, sizeof(out), "%s/dst/x", tmpdir);
	(void)tmpfile_with("dst/x", "x", 1);
	for (flags = 0; flags <= RD_ATOMIC_NAMED; flags += RD_ATOMIC_NAMED) {
		assert_int_equal(rd_atomic_open(&w, dir, 0644, flags, NULL,
		    NULL, &e), ASMGATE_OK);
		assert_int_equal(rd_atomic_write(w, "abc", 3, &e), ASMGATE_OK);
		assert_int_equal(rd_atomic_commit(w, &e), ASMGATE_E_IO);
		rd_atomic_free(w);
		assert_int_equal(leftovers(), 0);
		assert_file_is(out, "x");
	}
	assert_int_equal(unlink(out), 0);
	assert_int_equal(rmdir(dir), 0);
}

/* The one-call form used for key files. */
static void
test_rd__atomic_whole(void **state)
{
	char out[600];
	asmgate_error e;

	(void)state;
	snprintf(out, sizeof(out), "%s/out", tmpdir);
	asmgate_error_clear(&e);
	assert_int_equal(rd_file_write_atomic(out, "hello", 5, 0600, 0, &e),
	    ASMGATE_OK);
	assert_file_is(out, "hello");
	assert_int_equal(leftovers(), 0);
	assert_int_equal(unlink(out), 0);
}

/* RD_ATOMIC_NOREPLACE: an existing destination stays as it was and no
 * temporary is left, named or unnamed; a missing one is created. */
static void
test_rd__atomic_noreplace(void **state)
{
	static const unsigned flags[] = { RD_ATOMIC_NOREPLACE,
	    RD_ATOMIC_NOREPLACE | RD_ATOMIC_NAMED };
	char out[600];
	asmgate_error e;
	size_t i;

	(void)state;
	snprintf(out, sizeof(out), "%s/out", tmpdir);
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		asmgate_error_clear(&e);
		assert_int_equal(rd_file_write_atomic(out, "old", 3, 0644,
		    flags[i], &e), ASMGATE_OK);
		assert_file_is(out, "old");
		assert_int_equal(rd_file_write_atomic(out, "new", 3, 0644,
		    flags[i], &e), ASMGATE_E_IO);
		assert_non_null(strstr(e.msg, "exists"));
		assert_file_is(out, "old");
		assert_int_equal(leftovers(), 0);
		assert_int_equal(unlink(out), 0);
	}
}

#include "rd_json_tests.h"

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rd__init_and_offsets),
		cmocka_unit_test(test_rd__has_seek_skip),
		cmocka_unit_test(test_rd__align),
		cmocka_unit_test(test_rd__integers_little_endian),
		cmocka_unit_test(test_rd__integers_high_bits),
		cmocka_unit_test(test_rd__failure_does_not_move),
		cmocka_unit_test(test_rd__index_widths),
		cmocka_unit_test(test_rd__bytes_and_copy),
		cmocka_unit_test(test_rd__sub_bounds),
		cmocka_unit_test(test_rd__take_bounds),
		cmocka_unit_test(test_rd__cstr),
		cmocka_unit_test(test_rd__cstr_max),
		cmocka_unit_test(test_rd__cstr_nul_outside_window),
		cmocka_unit_test(test_rd__cuint_ecma_examples),
		cmocka_unit_test(test_rd__cuint_invalid_and_truncated),
		cmocka_unit_test(test_rd__safeint_add),
		cmocka_unit_test(test_rd__safeint_mul),
		cmocka_unit_test(test_rd__range_ok),
		cmocka_unit_test(test_rd__range_within),
		cmocka_unit_test(test_rd__range_overlap),
		cmocka_unit_test(test_rd__buf_growth),
		cmocka_unit_test(test_rd__buf_ceiling),
		cmocka_unit_test(test_rd__buf_sticky_failure),
		cmocka_unit_test(test_rd__buf_values),
		cmocka_unit_test(test_rd__buf_printf_large),
		cmocka_unit_test(test_rd__hex_encode),
		cmocka_unit_test(test_rd__hex_decode),
		cmocka_unit_test(test_rd__hex_decode_odd_length),
		cmocka_unit_test(test_rd__hex_decode_bad_digit),
		cmocka_unit_test(test_rd__hex_digit),
		cmocka_unit_test(test_rd__err_fail),
		cmocka_unit_test(test_rd__err_message_truncated),
		cmocka_unit_test(test_rd__err_prefix),
		cmocka_unit_test(test_rd__err_prefix_truncation),
		cmocka_unit_test(test_rd__status_names),
		cmocka_unit_test(test_rd__file_empty),
		cmocka_unit_test(test_rd__file_regular),
		cmocka_unit_test(test_rd__file_above_cap),
		cmocka_unit_test(test_rd__file_directory),
		cmocka_unit_test(test_rd__file_missing),
		cmocka_unit_test(test_rd__file_not_regular),
		cmocka_unit_test(test_rd__file_shrinks_while_mapped),
		cmocka_unit_test(test_rd__atomic_named_abort),
		cmocka_unit_test(test_rd__atomic_named_commit),
		cmocka_unit_test(test_rd__atomic_sweeps_stale),
		cmocka_unit_test(test_rd__atomic_unnamed),
		cmocka_unit_test(test_rd__atomic_failures),
		cmocka_unit_test(test_rd__atomic_whole),
		cmocka_unit_test(test_rd__atomic_noreplace),
		RD_JSON_TESTS,
	};

	return cmocka_run_group_tests_name("rd", tests, file_setup,
	    file_teardown);
}
