/*
 * json.c - a small streaming JSON writer (RFC 8259).
 */
#include <string.h>

#include "json.h"
#include "rd/hex.h"

void
cmd_json_init(cmd_json *j, FILE *out, int pretty)
{
	memset(j, 0, sizeof(*j));
	j->out = out;
	j->pretty = pretty;
}

static void
indent(cmd_json *j)
{
	int i;

	if (!j->pretty)
		return;
	fputc('\n', j->out);
	for (i = 0; i < j->depth; i++)
		fputs("  ", j->out);
}

/* Separator and indentation before a value or a key. */
static void
pre_value(cmd_json *j)
{
	if (j->after_key) {
		j->after_key = 0;
		return;
	}
	if (j->depth > 0) {
		if (j->count[j->depth - 1]++ > 0)
			fputc(',', j->out);
		indent(j);
	}
}

static void
open(cmd_json *j, int c)
{
	pre_value(j);
	fputc(c, j->out);
	if (j->depth < CMD_JSON_MAX_DEPTH)
		j->count[j->depth] = 0;
	j->depth++;
}

static void
close(cmd_json *j, int c)
{
	int had = j->depth > 0 && j->depth <= CMD_JSON_MAX_DEPTH &&
	    j->count[j->depth - 1] > 0;
	j->depth--;
	if (had)
		indent(j);
	fputc(c, j->out);
	if (j->depth == 0)
		fputc('\n', j->out);
}

void cmd_json_obj(cmd_json *j) { open(j, '{'); }
void cmd_json_obj_end(cmd_json *j) { close(j, '}'); }
void cmd_json_arr(cmd_json *j) { open(j, '['); }
void cmd_json_arr_end(cmd_json *j) { close(j, ']'); }

/* Length of a valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xE0) == 0xC0) {
		len = 2;
		cp = s[0] & 0x1F;
	} else if ((s[0] & 0xF0) == 0xE0) {
		len = 3;
		cp = s[0] & 0x0F;
	} else if ((s[0] & 0xF8) == 0xF0) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3F);
	}
	/* Overlong forms, surrogates and values above U+10FFFF. */
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
	    (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return len;
}

void
cmd_put_escaped(FILE *out, const char *str, size_t n, int json)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		size_t l;

		if (c == '"' && json) {
			fputs("\\\"", out);
		} else if (c == '\\' && json) {
			fputs("\\\\", out);
		} else if (c < 0x20 || c == 0x7F) {
			if (json && c == '\n')
				fputs("\\n", out);
			else if (json && c == '\t')
				fputs("\\t", out);
			else if (json)
				fprintf(out, "\\u%04x", c);
			else
				fprintf(out, "\\x%02x", c);
		} else if (c < 0x80) {
			fputc(c, out);
		} else if ((l = utf8_len(s + i, n - i)) != 0) {
			fwrite(s + i, 1, l, out);
			i += l;
			continue;
		} else {
			if (json)
				fputs("\\ufffd", out);
			else
				fprintf(out, "\\x%02x", c);
		}
		i++;
	}
}

void
cmd_json_key(cmd_json *j, const char *k)
{
	pre_value(j);
	fputc('"', j->out);
	cmd_put_escaped(j->out, k, strlen(k), 1);
	fputs(j->pretty ? "\": " : "\":", j->out);
	j->after_key = 1;
}

void
cmd_json_strn(cmd_json *j, const char *s, size_t n)
{
	pre_value(j);
	fputc('"', j->out);
	cmd_put_escaped(j->out, s, n, 1);
	fputc('"', j->out);
}

void
cmd_json_str(cmd_json *j, const char *s)
{
	if (!s) {
		cmd_json_null(j);
		return;
	}
	cmd_json_strn(j, s, strlen(s));
}

void
cmd_json_uint(cmd_json *j, uint64_t v)
{
	pre_value(j);
	fprintf(j->out, "%llu", (unsigned long long)v);
}

void
cmd_json_bool(cmd_json *j, int v)
{
	pre_value(j);
	fputs(v ? "true" : "false", j->out);
}

void
cmd_json_null(cmd_json *j)
{
	pre_value(j);
	fputs("null", j->out);
}

void
cmd_json_hex(cmd_json *j, const uint8_t *p, size_t n)
{
	char buf[129];
	size_t i;

	if (!p) {
		cmd_json_null(j);
		return;
	}
	pre_value(j);
	fputc('"', j->out);
	for (i = 0; i < n; i += 64) {
		size_t k = n - i < 64 ? n - i : 64;
		rd_hex_encode(buf, p + i, k);
		fputs(buf, j->out);
	}
	fputc('"', j->out);
}

void cmd_json_kstr(cmd_json *j, const char *k, const char *s)
{ cmd_json_key(j, k); cmd_json_str(j, s); }
void cmd_json_kuint(cmd_json *j, const char *k, uint64_t v)
{ cmd_json_key(j, k); cmd_json_uint(j, v); }
void cmd_json_kbool(cmd_json *j, const char *k, int v)
{ cmd_json_key(j, k); cmd_json_bool(j, v); }
void cmd_json_khex(cmd_json *j, const char *k, const uint8_t *p, size_t n)
{ cmd_json_key(j, k); cmd_json_hex(j, p, n); }
void cmd_json_knull(cmd_json *j, const char *k)
{ cmd_json_key(j, k); cmd_json_null(j); }
