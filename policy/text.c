/*
 * text.c - escaping for the reports the policy module writes: XML 1.0
 * character data and attributes, JSON strings (RFC 8259), URI
 * references (RFC 3986), and a small streaming JSON writer.
 *
 * Strings written here often come from assemblies (untrusted): invalid
 * UTF-8 becomes U+FFFD and characters XML 1.0 forbids are dropped, so
 * the output is well-formed whatever the input held.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "rd/err.h"
#include "rd/hex.h"

size_t
policy_utf8_next(const uint8_t *s, size_t n, uint32_t *cp)
{
	uint32_t c;
	size_t len, i;

	if (n == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		len = 2;
		c = s[0] & 0x1Fu;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		len = 3;
		c = s[0] & 0x0Fu;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		len = 4;
		c = s[0] & 0x07u;
	} else {
		return 0; /* continuation byte, C0/C1 (overlong) or F5..FF */
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3Fu);
	}
	/* Unicode 3.9 table 3-7: shortest form, no surrogates, <= 10FFFF. */
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    (c >= 0xD800 && c <= 0xDFFF) || c > 0x10FFFF)
		return 0;
	*cp = c;
	return len;
}

size_t
policy_utf8_check(const uint8_t *s, size_t n)
{
	size_t i = 0, l;
	uint32_t cp;

	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		l = policy_utf8_next(s + i, n - i, &cp);
		if (l == 0)
			return i;
		i += l;
	}
	return n;
}

/* XML 1.0 (fifth edition) 2.2, production [2] Char. */
static int
xml_char_ok(uint32_t c)
{
	return c == 0x9 || c == 0xA || c == 0xD ||
	    (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) ||
	    (c >= 0x10000 && c <= 0x10FFFF);
}

static const char replacement[] = "\xEF\xBF\xBD"; /* U+FFFD */

void
policy_xml_put(rd_buf *b, const char *str, size_t n, int attr)
{
	const uint8_t *s = (const uint8_t *)str;
	size_t i = 0, l;
	uint32_t cp;

	while (i < n) {
		l = policy_utf8_next(s + i, n - i, &cp);
		if (l == 0) {
			rd_buf_puts(b, replacement);
			i++;
			continue;
		}
		i += l;
		switch (cp) {
		case '&': rd_buf_puts(b, "&amp;"); continue;
		case '<': rd_buf_puts(b, "&lt;"); continue;
		case '>': rd_buf_puts(b, "&gt;"); continue;
		case '"': rd_buf_puts(b, attr ? "&quot;" : "\""); continue;
		default: break;
		}
		if (attr && (cp == '\t' || cp == '\n' || cp == '\r')) {
			/* 3.3.3: keep them through attribute normalisation */
			rd_buf_printf(b, "&#%u;", (unsigned)cp);
		} else if (cp == '\r') {
			rd_buf_puts(b, "&#13;"); /* 2.11: would become \n */
		} else if (cp == 0xFFFE || cp == 0xFFFF) {
			rd_buf_puts(b, replacement);
		} else if (xml_char_ok(cp)) {
			rd_buf_put(b, s + i - l, l);
		}
		/* else: a control character XML 1.0 forbids: dropped */
	}
}

void
policy_xml_puts(rd_buf *b, const char *s, int attr)
{
	if (s)
		policy_xml_put(b, s, strlen(s), attr);
}

void
policy_json_put(rd_buf *b, const char *str, size_t n)
{
	const uint8_t *s = (const uint8_t *)str;
	size_t i = 0, l;
	uint32_t cp;

	while (i < n) {
		l = policy_utf8_next(s + i, n - i, &cp);
		if (l == 0) {
			rd_buf_puts(b, "\\ufffd");
			i++;
			continue;
		}
		i += l;
		switch (cp) {
		case '"': rd_buf_puts(b, "\\\""); break;
		case '\\': rd_buf_puts(b, "\\\\"); break;
		case '\n': rd_buf_puts(b, "\\n"); break;
		case '\r': rd_buf_puts(b, "\\r"); break;
		case '\t': rd_buf_puts(b, "\\t"); break;
		default:
			if (cp < 0x20 || cp == 0x7F)
				rd_buf_printf(b, "\\u%04x", (unsigned)cp);
			else
				rd_buf_put(b, s + i - l, l);
		}
	}
}

void
policy_uri_put(rd_buf *b, const char *path)
{
	static const char hexd[] = "0123456789ABCDEF";
	const uint8_t *s = (const uint8_t *)path;

	if (s[0] == '/')
		rd_buf_puts(b, "file://");
	for (; *s; s++) {
		uint8_t c = *s;
		/* RFC 3986 2.3 unreserved, plus the path separator */
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~' || c == '/') {
			rd_buf_putc(b, c);
		} else {
			rd_buf_putc(b, '%');
			rd_buf_putc(b, (uint8_t)hexd[c >> 4]);
			rd_buf_putc(b, (uint8_t)hexd[c & 15]);
		}
	}
}

/* JSON writer -------------------------------------------------------- */

void
policy_json_init(policy_json *j, rd_buf *b)
{
	memset(j, 0, sizeof(*j));
	j->b = b;
}

static void
json_indent(policy_json *j)
{
	int i;

	rd_buf_putc(j->b, '\n');
	for (i = 0; i < j->depth; i++)
		rd_buf_puts(j->b, "  ");
}

static void
json_pre(policy_json *j)
{
	if (j->after_key) {
		j->after_key = 0;
		return;
	}
	if (j->depth > 0 && j->depth <= POLICY_JSON_MAX_DEPTH) {
		if (j->count[j->depth - 1]++ > 0)
			rd_buf_putc(j->b, ',');
		json_indent(j);
	}
}

static void
json_open(policy_json *j, uint8_t c)
{
	json_pre(j);
	rd_buf_putc(j->b, c);
	if (j->depth >= POLICY_JSON_MAX_DEPTH) {
		j->b->failed = 1; /* a bug in the caller: fail the document */
		return;
	}
	j->count[j->depth] = 0;
	j->depth++;
}

static void
json_close(policy_json *j, uint8_t c)
{
	if (j->depth <= 0) {
		j->b->failed = 1;
		return;
	}
	j->depth--;
	if (j->count[j->depth] > 0)
		json_indent(j);
	rd_buf_putc(j->b, c);
	if (j->depth == 0)
		rd_buf_putc(j->b, '\n');
}

void policy_json_obj(policy_json *j) { json_open(j, '{'); }
void policy_json_obj_end(policy_json *j) { json_close(j, '}'); }
void policy_json_arr(policy_json *j) { json_open(j, '['); }
void policy_json_arr_end(policy_json *j) { json_close(j, ']'); }

void
policy_json_key(policy_json *j, const char *k)
{
	json_pre(j);
	rd_buf_putc(j->b, '"');
	policy_json_put(j->b, k, strlen(k));
	rd_buf_puts(j->b, "\": ");
	j->after_key = 1;
}

void
policy_json_str(policy_json *j, const char *s)
{
	if (!s) {
		policy_json_null(j);
		return;
	}
	json_pre(j);
	rd_buf_putc(j->b, '"');
	policy_json_put(j->b, s, strlen(s));
	rd_buf_putc(j->b, '"');
}

void
policy_json_uint(policy_json *j, uint64_t v)
{
	json_pre(j);
	rd_buf_printf(j->b, "%llu", (unsigned long long)v);
}

void
policy_json_bool(policy_json *j, int v)
{
	json_pre(j);
	rd_buf_puts(j->b, v ? "true" : "false");
}

void
policy_json_null(policy_json *j)
{
	json_pre(j);
	rd_buf_puts(j->b, "null");
}

void
policy_json_hex(policy_json *j, const uint8_t *p, size_t n)
{
	size_t i;
	char h[3];

	if (!p) {
		policy_json_null(j);
		return;
	}
	json_pre(j);
	rd_buf_putc(j->b, '"');
	for (i = 0; i < n; i++) {
		rd_hex_encode(h, p + i, 1);
		rd_buf_put(j->b, h, 2);
	}
	rd_buf_putc(j->b, '"');
}

void
policy_json_kstr(policy_json *j, const char *k, const char *s)
{
	policy_json_key(j, k);
	policy_json_str(j, s);
}

void
policy_json_kuint(policy_json *j, const char *k, uint64_t v)
{
	policy_json_key(j, k);
	policy_json_uint(j, v);
}

void
policy_json_kbool(policy_json *j, const char *k, int v)
{
	policy_json_key(j, k);
	policy_json_bool(j, v);
}

/* Shared helpers ------------------------------------------------------ */

asmgate_status
policy_buf_take(rd_buf *b, uint8_t **out, size_t *len, const char *what,
    asmgate_error *err)
{
	*out = NULL;
	*len = 0;
	if (!rd_buf_cstr(b)) {
		size_t max = b->max;
		rd_buf_free(b);
		return rd_fail_nooff(err, ASMGATE_E_NOMEM,
		    "%s: out of memory or larger than %zu bytes", what, max);
	}
	*out = b->p;
	*len = b->len;
	memset(b, 0, sizeof(*b));
	return ASMGATE_OK;
}

void
policy_full_name(rd_buf *b, const asmgate_image *img)
{
	const asmgate_image_info *info = asmgate_image_get_info(img);
	const asmgate_assembly_info *a = &info->assembly;
	uint8_t tok[8];
	char hex[17], ver[32];

	policy_version_str(ver, sizeof(ver), &a->version);
	rd_buf_printf(b, "%s, Version=%s, Culture=%s, PublicKeyToken=",
	    a->name ? a->name : "", ver,
	    a->culture && a->culture[0] ? a->culture : "neutral");
	if (a->public_key && a->public_key_len &&
	    asmgate_key_token(a->public_key, a->public_key_len, tok, NULL) ==
	    ASMGATE_OK) {
		rd_hex_encode(hex, tok, 8);
		rd_buf_puts(b, hex);
	} else {
		rd_buf_puts(b, "null");
	}
}
