/*
 * text.c - escaping for the reports the policy module writes: XML 1.0
 * character data and attributes and URI references (RFC 3986); JSON
 * goes through rd/json.h.
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
#include "rd/utf8.h"

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
		l = (size_t)rd_utf8_next(s + i, n - i, &cp);
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
		} else if (rd_utf8_is_display_control(cp)) {
			/* C1 and bidirectional controls as character
			 * references: the same text, inert in a viewer */
			rd_buf_printf(b, "&#x%X;", (unsigned)cp);
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
