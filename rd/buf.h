/*
 * buf.h - a growable byte buffer with a ceiling.
 *
 * Every buffer is created with the largest size it may reach; growing
 * past it, or failing to allocate, marks the buffer failed (sticky), so a
 * sequence of appends can be checked once at the end.
 */
#ifndef RD_BUF_H
#define RD_BUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct rd_buf {
	uint8_t *p;
	size_t len;
	size_t cap;
	size_t max;
	int failed;
} rd_buf;

void rd_buf_init(rd_buf *b, size_t max);
void rd_buf_free(rd_buf *b);
/** Wipe the contents (for key material) and free. */
void rd_buf_free_secure(rd_buf *b);
/** Append n bytes; returns 1, or 0 and marks the buffer failed. */
int rd_buf_put(rd_buf *b, const void *data, size_t n);
int rd_buf_putc(rd_buf *b, uint8_t c);
int rd_buf_puts(rd_buf *b, const char *s);
int rd_buf_printf(rd_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int rd_buf_put_u16(rd_buf *b, uint16_t v);
int rd_buf_put_u32(rd_buf *b, uint32_t v);
/** NUL-terminate without counting the NUL in len; returns the string or
 *  NULL when the buffer failed. */
const char *rd_buf_cstr(rd_buf *b);

/** malloc(n) for buffers that may be large (tens of MB): those are
 *  aligned and marked for huge pages. Free with free(). */
void *rd_alloc_big(size_t n);

#endif /* RD_BUF_H */
