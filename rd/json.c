/*
 * json.c - a small streaming JSON writer (RFC 8259) into an rd_buf.
 */
#include <stdio.h>
#include <string.h>

#include "hex.h"
#include "json.h"
#include "utf8.h"

void
rd_json_init(rd_json *j, rd_buf *b, int pretty)
{
	memset(j, 0, sizeof(*j));
	j->b = b;
	j->pretty = pretty;
}

static void
indent(rd_json *j)
{
	int i;

	if (!j->pretty)
		return;
	rd_buf_putc(j->b, '\n');
	for (i = 0; i < j->depth; i++)
		rd_buf_put(j->b, "  ", 2);
}

/* Separator and indentation before a value or a key. */
static void
pre_value(rd_json *j)
{
	if (j->after_key) {
		j->after_key = 0;
		return;
	}
	if (j->depth > 0) {
		if (j->count[j->depth - 1]++ > 0)
			rd_buf_putc(j->b, ',');
		indent(j);
	}
}

static void
open_container(rd_json *j, uint8_t c)
{
	pre_value(j);
	rd_buf_putc(j->b, c);
	if (j->depth >= RD_JSON_MAX_DEPTH) {
		j->b->failed = 1; /* a bug in the caller: fail the document */
		return;
	}
	j->count[j->depth] = 0;
	j->depth++;
}

static void
close_container(rd_json *j, uint8_t c)
{
	if (j->depth <= 0) {
		j->b->failed = 1;
		return;
	}
	j->depth--;
	if (j->count[j->depth] > 0)
		indent(j);
	rd_buf_putc(j->b, c);
	if (j->depth == 0)
		rd_buf_putc(j->b, '\n');
}

void rd_json_obj(rd_json *j) { open_container(j, '{'); }
void rd_json_obj_end(rd_json *j) { close_container(j, '}'); }
void rd_json_arr(rd_json *j) { open_container(j, '['); }
void rd_json_arr_end(rd_json *j) { close_container(j, ']'); }

/* "\\uXXXX" for a code point of the BMP, into u (7 bytes). */
static const char *
u_escape(char u[7], uint32_t cp)
{
	static const char hexd[] = "0123456789abcdef";

	u[0] = '\\';
	u[1] = 'u';
	u[2] = hexd[(cp >> 12) & 15];
	u[3] = hexd[(cp >> 8) & 15];
	u[4] = hexd[(cp >> 4) & 15];
	u[5] = hexd[cp & 15];
	u[6] = '\0';
	return u;
}

void
rd_json_escape(rd_buf *b, const char *str, size_t n)
{
	const uint8_t *s = (const uint8_t *)str;
	size_t i = 0, start = 0;
	uint32_t cp;
	char u[7];
	const char *esc;
	int l;

	/* Runs of bytes that need no escape are copied in one go. */
	while (i < n) {
		uint8_t c = s[i];

		if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
			i++;
			continue;
		}
		if (c >= 0x80 && (l = rd_utf8_next(s + i, n - i, &cp)) > 0) {
			/* C1 and bidirectional controls as \uXXXX (the same
			 * string to a JSON reader, inert on a terminal). */
			if (!rd_utf8_is_display_control(cp)) {
				i += (size_t)l;
				continue;
			}
			rd_buf_put(b, s + start, i - start);
			rd_buf_puts(b, u_escape(u, cp));
			i += (size_t)l;
			start = i;
			continue;
		}
		if (c >= 0x80) {
			esc = "\\ufffd";
		} else if (c == '"') {
			esc = "\\\"";
		} else if (c == '\\') {
			esc = "\\\\";
		} else if (c == '\n') {
			esc = "\\n";
		} else if (c == '\t') {
			esc = "\\t";
		} else {
			esc = u_escape(u, c);
		}
		rd_buf_put(b, s + start, i - start);
		rd_buf_puts(b, esc);
		start = ++i;
	}
	rd_buf_put(b, s + start, i - start);
}

void
rd_json_key(rd_json *j, const char *k)
{
	pre_value(j);
	rd_buf_putc(j->b, '"');
	rd_json_escape(j->b, k, strlen(k));
	rd_buf_puts(j->b, j->pretty ? "\": " : "\":");
	j->after_key = 1;
}

void
rd_json_strn(rd_json *j, const char *s, size_t n)
{
	pre_value(j);
	rd_buf_putc(j->b, '"');
	rd_json_escape(j->b, s, n);
	rd_buf_putc(j->b, '"');
}

void
rd_json_str(rd_json *j, const char *s)
{
	if (!s) {
		rd_json_null(j);
		return;
	}
	rd_json_strn(j, s, strlen(s));
}

void
rd_json_uint(rd_json *j, uint64_t v)
{
	pre_value(j);
	rd_buf_printf(j->b, "%llu", (unsigned long long)v);
}

void
rd_json_int(rd_json *j, int64_t v)
{
	pre_value(j);
	rd_buf_printf(j->b, "%lld", (long long)v);
}

void
rd_json_bool(rd_json *j, int v)
{
	pre_value(j);
	rd_buf_puts(j->b, v ? "true" : "false");
}

void
rd_json_null(rd_json *j)
{
	pre_value(j);
	rd_buf_puts(j->b, "null");
}

void
rd_json_hex(rd_json *j, const uint8_t *p, size_t n)
{
	char h[129];
	size_t i, k;

	if (!p) {
		rd_json_null(j);
		return;
	}
	pre_value(j);
	rd_buf_putc(j->b, '"');
	for (i = 0; i < n; i += k) {
		k = n - i < 64 ? n - i : 64;
		rd_hex_encode(h, p + i, k);
		rd_buf_put(j->b, h, 2 * k);
	}
	rd_buf_putc(j->b, '"');
}

void
rd_json_kstr(rd_json *j, const char *k, const char *s)
{
	rd_json_key(j, k);
	rd_json_str(j, s);
}

void
rd_json_kuint(rd_json *j, const char *k, uint64_t v)
{
	rd_json_key(j, k);
	rd_json_uint(j, v);
}

void
rd_json_kbool(rd_json *j, const char *k, int v)
{
	rd_json_key(j, k);
	rd_json_bool(j, v);
}

void
rd_json_khex(rd_json *j, const char *k, const uint8_t *p, size_t n)
{
	rd_json_key(j, k);
	rd_json_hex(j, p, n);
}

void
rd_json_knull(rd_json *j, const char *k)
{
	rd_json_key(j, k);
	rd_json_null(j);
}

void
rd_json_fragment(rd_json *j, int depth, unsigned before)
{
	if (depth < 1 || depth > RD_JSON_MAX_DEPTH) {
		j->b->failed = 1;
		return;
	}
	j->depth = depth;
	j->count[depth - 1] = before;
}

void
rd_json_splice(rd_json *j, const void *p, size_t n, unsigned values)
{
	if (j->depth <= 0) {
		j->b->failed = 1;
		return;
	}
	rd_buf_put(j->b, p, n);
	j->count[j->depth - 1] += values;
}

void
rd_json_splice_value(rd_json *j, const void *p, size_t n)
{
	if (j->depth <= 0) {
		j->b->failed = 1;
		return;
	}
	if (j->count[j->depth - 1] > 0)
		rd_buf_putc(j->b, ',');
	rd_buf_put(j->b, p, n);
	j->count[j->depth - 1]++;
}
