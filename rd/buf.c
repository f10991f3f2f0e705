/*
 * buf.c - a growable byte buffer with a ceiling.
 */
#define _DEFAULT_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "asmgate.h"
#include "buf.h"

void
rd_buf_init(rd_buf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
}

void
rd_buf_free(rd_buf *b)
{
	if (!b)
		return;
	free(b->p);
	memset(b, 0, sizeof(*b));
}

void
rd_buf_free_secure(rd_buf *b)
{
	volatile uint8_t *v;
	size_t i;

	if (!b)
		return;
	v = b->p;
	for (i = 0; v && i < b->cap; i++)
		v[i] = 0;
	rd_buf_free(b);
}

static int
grow(rd_buf *b, size_t need)
{
	size_t ncap;
	uint8_t *np;

	if (b->failed)
		return 0;
	/* The ceiling first: a small max must hold even while the first
	 * allocation would have room for more. */
	if (need > b->max) {
		b->failed = 1;
		return 0;
	}
	if (need <= b->cap)
		return 1;
	ncap = b->cap ? b->cap : (b->max < 64 ? b->max : 64);
	while (ncap < need)
		ncap = ncap > b->max / 2 ? b->max : ncap * 2;
	np = malloc(ncap);
	if (!np) {
		b->failed = 1;
		return 0;
	}
	if (b->len)
		memcpy(np, b->p, b->len);
	/* Wipe the old copy: buffers may hold key material. */
	if (b->p) {
		volatile uint8_t *v = b->p;
		size_t i;
		for (i = 0; i < b->cap; i++)
			v[i] = 0;
	}
	free(b->p);
	b->p = np;
	b->cap = ncap;
	return 1;
}

int
rd_buf_put(rd_buf *b, const void *data, size_t n)
{
	size_t need;

	if (b->failed)
		return 0;
	if (__builtin_add_overflow(b->len, n, &need) || !grow(b, need)) {
		b->failed = 1;
		return 0;
	}
	if (n)
		memcpy(b->p + b->len, data, n);
	b->len = need;
	return 1;
}

int
rd_buf_putc(rd_buf *b, uint8_t c)
{
	return rd_buf_put(b, &c, 1);
}

int
rd_buf_puts(rd_buf *b, const char *s)
{
	return rd_buf_put(b, s, strlen(s));
}

int
rd_buf_printf(rd_buf *b, const char *fmt, ...)
{
	va_list ap;
	char small[256];
	int n;
	char *big;
	int ok;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = 1;
		return 0;
	}
	if ((size_t)n < sizeof(small))
		return rd_buf_put(b, small, (size_t)n);
	if ((size_t)n > b->max) {
		b->failed = 1;
		return 0;
	}
	big = malloc((size_t)n + 1);
	if (!big) {
		b->failed = 1;
		return 0;
	}
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	ok = rd_buf_put(b, big, (size_t)n);
	free(big);
	return ok;
}

int
rd_buf_put_u16(rd_buf *b, uint16_t v)
{
	uint8_t q[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
	return rd_buf_put(b, q, 2);
}

int
rd_buf_put_u32(rd_buf *b, uint32_t v)
{
	uint8_t q[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
		(uint8_t)(v >> 24) };
	return rd_buf_put(b, q, 4);
}

const char *
rd_buf_cstr(rd_buf *b)
{
	if (!rd_buf_putc(b, 0))
		return NULL;
	b->len--;
	return (const char *)b->p;
}

void
asmgate_free(void *p)
{
	free(p);
}

/* Buffers from this size up are aligned to 2 MiB and offered to the
 * kernel for transparent huge pages: a decompressed folder of tens of
 * megabytes then costs tens of page faults, not thousands. */
#define RD_BIG_ALLOC ((size_t)8 << 20)
#define RD_HUGE_PAGE ((size_t)2 << 20)

void *
rd_alloc_big(size_t n)
{
	void *p = NULL;

	if (n < RD_BIG_ALLOC)
		return malloc(n ? n : 1);
	if (posix_memalign(&p, RD_HUGE_PAGE, n) != 0)
		return NULL;
#ifdef MADV_HUGEPAGE
	(void)madvise(p, n / RD_HUGE_PAGE * RD_HUGE_PAGE, MADV_HUGEPAGE);
#endif
	return p;
}
