/*
 * err.c - error records, the stable names of statuses, and file bytes
 * made printable for messages.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

const char *
asmgate_status_name(asmgate_status st)
{
	switch (st) {
	case ASMGATE_OK: return "ok";
	case ASMGATE_E_IO: return "io";
	case ASMGATE_E_NOMEM: return "nomem";
	case ASMGATE_E_EMPTY: return "empty";
	case ASMGATE_E_TRUNCATED: return "truncated";
	case ASMGATE_E_NOT_PE: return "not-pe";
	case ASMGATE_E_NOT_DOTNET: return "not-dotnet";
	case ASMGATE_E_NO_ASSEMBLY: return "no-assembly";
	case ASMGATE_E_MALFORMED: return "malformed";
	case ASMGATE_E_LIMIT: return "limit";
	case ASMGATE_E_UNSUPPORTED: return "unsupported";
	case ASMGATE_E_KEY: return "bad-key";
	case ASMGATE_E_CRYPTO: return "crypto";
	case ASMGATE_E_POLICY: return "bad-policy";
	case ASMGATE_E_USAGE: return "usage";
	case ASMGATE_E_KEY_MISMATCH: return "key-mismatch";
	}
	return "unknown";
}

void
asmgate_error_clear(asmgate_error *err)
{
	if (!err)
		return;
	memset(err, 0, sizeof(*err));
}

static asmgate_status
vfail(asmgate_error *err, asmgate_status code, int has_offset,
    uint64_t offset, unsigned long line, const char *fmt, va_list ap)
{
	size_t i;

	if (!err)
		return code;
	err->code = code;
	err->has_offset = has_offset;
	err->offset = has_offset ? offset : 0;
	err->line = line;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	/* One line, whatever a quoted value held (a display name's "\n"
	 * escape decodes to a newline): C0 controls and DEL become '?'.
	 * Other bytes stay; the command escapes what it prints. */
	for (i = 0; err->msg[i] != '\0'; i++)
		if ((unsigned char)err->msg[i] < 0x20 ||
		    (unsigned char)err->msg[i] == 0x7F)
			err->msg[i] = '?';
	return code;
}

asmgate_status
rd_fail(asmgate_error *err, asmgate_status code, uint64_t offset,
    const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfail(err, code, 1, offset, 0, fmt, ap);
	va_end(ap);
	return code;
}

asmgate_status
rd_fail_nooff(asmgate_error *err, asmgate_status code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfail(err, code, 0, 0, 0, fmt, ap);
	va_end(ap);
	return code;
}

asmgate_status
rd_fail_line(asmgate_error *err, asmgate_status code, unsigned long line,
    const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfail(err, code, 0, 0, line, fmt, ap);
	va_end(ap);
	return code;
}

void
rd_err_prefix(asmgate_error *err, const char *what)
{
	size_t wl, ml, cap = sizeof(err->msg) - 1;

	if (!err || !what)
		return;
	wl = strlen(what);
	if (wl + 2 > cap)
		return;
	ml = strnlen(err->msg, cap);
	if (ml > cap - wl - 2)
		ml = cap - wl - 2; /* truncate the old message, keep the prefix */
	memmove(err->msg + wl + 2, err->msg, ml);
	memcpy(err->msg, what, wl);
	err->msg[wl] = ':';
	err->msg[wl + 1] = ' ';
	err->msg[wl + 2 + ml] = '\0';
}

const char *
rd_printable(char *dst, size_t dstlen, const char *src, size_t n)
{
	size_t i;

	if (dstlen == 0)
		return dst;
	for (i = 0; i < n && i + 1 < dstlen && src[i] != '\0'; i++) {
		unsigned char c = (unsigned char)src[i];
		dst[i] = c >= 0x20 && c < 0x7F ? (char)c : '?';
	}
	dst[i] = '\0';
	return dst;
}
