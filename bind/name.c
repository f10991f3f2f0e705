/*
 * name.c - assembly display names, as .NET reads them (the string form
 * of System.Reflection.AssemblyName: "Name, Version=a.b.c.d,
 * Culture=neutral, PublicKeyToken=0123456789abcdef"), and the assembly
 * part of an assembly-qualified type name ("Ns.Type, Asm, ..."), as
 * binding files write them (ModuleRef@FullName,
 * *Pipeline@FullyQualifiedName, Transform/Schema@AssemblyQualifiedName).
 *
 * Rules (the .NET AssemblyNameParser): components are separated by
 * commas; white space around a name or a value is not part of it; a
 * name or value may be quoted with " or '; '\' escapes one of , = " '
 * \ (and \n \r \t); keys are case-insensitive; Version has 2 to 4
 * parts of 0-65535; Culture "neutral" is the invariant culture;
 * PublicKeyToken is 16 hex digits or "null"; a key given twice is an
 * error; other keys (ProcessorArchitecture, Retargetable, ContentType,
 * PublicKey, Custom) are accepted and do not take part in matching.
 */
#include <stdlib.h>
#include <string.h>

#include "bind.h"
#include "rd/err.h"

int
bind_casecmp(const char *a, const char *b)
{
	unsigned char x, y;

	do {
		x = (unsigned char)*a++;
		y = (unsigned char)*b++;
		if (x >= 'A' && x <= 'Z')
			x = (unsigned char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (unsigned char)(y - 'A' + 'a');
	} while (x && x == y);
	return x - y;
}

static int
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* One token (a name or a value) at *pp into buf (cap bytes with the
 * NUL): stops at an unescaped, unquoted ',' or '=' or the end; quotes
 * and escapes removed, outer white space dropped. */
static asmgate_status
token(const char **pp, char *buf, size_t cap, const char *what,
    asmgate_error *err)
{
	const char *p = *pp;
	size_t n = 0, keep = 0;
	char q = 0;

	while (is_ws(*p))
		p++;
	if (*p == '"' || *p == '\'') {
		q = *p++;
	}
	for (;;) {
		char c = *p;

		if (c == '\0') {
			if (q)
				return rd_fail_nooff(err, ASMGATE_E_MALFORMED,
				    "unterminated quote in %s", what);
			break;
		}
		if (q && c == q) {
			p++;
			q = 0;
			keep = n;
			while (is_ws(*p))
				p++;
			if (*p && *p != ',' && *p != '=')
				return rd_fail_nooff(err, ASMGATE_E_MALFORMED,
				    "text after a quoted %s", what);
			break;
		}
		if (!q && (c == ',' || c == '='))
			break;
		if (c == '\\') {
			c = p[1];
			if (c == 'n')
				c = '\n';
			else if (c == 'r')
				c = '\r';
			else if (c == 't')
				c = '\t';
			else if (c != ',' && c != '=' && c != '"' &&
			    c != '\'' && c != '\\')
				return rd_fail_nooff(err, ASMGATE_E_MALFORMED,
				    "bad escape '\\%c' in %s", c ? c : '0',
				    what);
			p += 2;
			if (n + 1 >= cap)
				goto long_;
			buf[n++] = c;
			keep = n;
			continue;
		}
		if (n + 1 >= cap)
			goto long_;
		buf[n++] = c;
		if (q || !is_ws(c))
			keep = n;
		p++;
	}
	n = keep;
	buf[n] = '\0';
	*pp = p;
	return ASMGATE_OK;
long_:
	return rd_fail_nooff(err, ASMGATE_E_LIMIT, "%s longer than %zu bytes",
	    what, cap - 1);
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static asmgate_status
parse_version(const char *v, asmgate_version *out, asmgate_error *err)
{
	unsigned long part[4] = { 0, 0, 0, 0 };
	unsigned n = 0;
	const char *p = v;

	for (;;) {
		unsigned long x = 0;
		const char *s = p;

		while (*p >= '0' && *p <= '9') {
			x = x * 10 + (unsigned long)(*p - '0');
			if (x > 65535)
				goto bad;
			p++;
		}
		if (p == s || n >= 4)
			goto bad;
		part[n++] = x;
		if (*p == '\0')
			break;
		if (*p++ != '.')
			goto bad;
	}
	if (n < 2)
		goto bad;
	out->major = (uint16_t)part[0];
	out->minor = (uint16_t)part[1];
	out->build = (uint16_t)part[2];
	out->revision = (uint16_t)part[3];
	return ASMGATE_OK;
bad:
	return rd_fail_nooff(err, ASMGATE_E_MALFORMED, "bad Version '%.40s' "
	    "(2 to 4 numbers of 0-65535 separated by dots)", v);
}

asmgate_status
bind_parse_display_name(const char *s, bind_name *out, asmgate_error *err)
{
	char key[64], val[RD_MAX_NAME_BYTES + 1];
	const char *p = s;
	unsigned seen = 0;
	asmgate_status st;

	memset(out, 0, sizeof(*out));
	if (strlen(s) > RD_MAX_DISPLAY_NAME)
		return rd_fail_nooff(err, ASMGATE_E_LIMIT, "display name "
		    "longer than %u bytes", RD_MAX_DISPLAY_NAME);
	st = token(&p, out->name, sizeof(out->name), "the assembly name",
	    err);
	if (st != ASMGATE_OK)
		return st;
	if (out->name[0] == '\0')
		return rd_fail_nooff(err, ASMGATE_E_MALFORMED,
		    "empty assembly name");
	if (*p == '=')
		return rd_fail_nooff(err, ASMGATE_E_MALFORMED,
		    "'=' in the assembly name");
	while (*p == ',') {
		unsigned bit;

		p++;
		st = token(&p, key, sizeof(key), "a key", err);
		if (st != ASMGATE_OK)
			return st;
		if (*p != '=')
			return rd_fail_nooff(err, ASMGATE_E_MALFORMED,
			    "'%.40s' without '=value'", key);
		p++;
		st = token(&p, val, sizeof(val), "a value", err);
		if (st != ASMGATE_OK)
			return st;
		if (*p == '=')
			return rd_fail_nooff(err, ASMGATE_E_MALFORMED,
			    "two '=' in '%.40s'", key);
		if (key[0] == '\0')
			return rd_fail_nooff(err, ASMGATE_E_MALFORMED,
			    "empty key");
		if (bind_casecmp(key, "Version") == 0)
			bit = 1;
		else if (bind_casecmp(key, "Culture") == 0)
			bit = 2;
		else if (bind_casecmp(key, "PublicKeyToken") == 0)
			bit = 4;
		else if (bind_casecmp(key, "PublicKey") == 0)
			bit = 8;
		else if (bind_casecmp(key, "ProcessorArchitecture") == 0)
			bit = 16;
		else if (bind_casecmp(key, "Retargetable") == 0)
			bit = 32;
		else if (bind_casecmp(key, "ContentType") == 0)
			bit = 64;
		else
			continue; /* unknown: ignored, as .NET does */
		if (seen & bit)
			return rd_fail_nooff(err, ASMGATE_E_MALFORMED,
			    "%s given twice", key);
		seen |= bit;
		if (bit == 1) {
			st = parse_version(val, &out->version, err);
			if (st != ASMGATE_OK)
				return st;
			out->has_version = 1;
		} else if (bit == 2) {
			if (strlen(val) >= sizeof(out->culture))
				return rd_fail_nooff(err, ASMGATE_E_MALFORMED,
				    "Culture longer than %zu bytes",
				    sizeof(out->culture) - 1);
			out->has_culture = 1;
			if (bind_casecmp(val, "neutral") != 0)
				memcpy(out->culture, val, strlen(val) + 1);
		} else if (bit == 4) {
			size_t i;

			out->has_token = 1;
			if (bind_casecmp(val, "null") == 0) {
				out->token_null = 1;
				continue;
			}
			if (strlen(val) != 16)
				goto bad_token;
			for (i = 0; i < 8; i++) {
				int h = hexval(val[2 * i]),
				    l = hexval(val[2 * i + 1]);
				if (h < 0 || l < 0)
					goto bad_token;
				out->token[i] = (uint8_t)(h << 4 | l);
			}
		}
	}
	if (*p != '\0')
		return rd_fail_nooff(err, ASMGATE_E_MALFORMED,
		    "unexpected '%c' in a display name", *p);
	return ASMGATE_OK;
bad_token:
	return rd_fail_nooff(err, ASMGATE_E_MALFORMED, "bad PublicKeyToken "
	    "'%.40s' (16 hex digits or null)", val);
}

asmgate_status
bind_parse_qualified_name(const char *s, bind_name *out,
    asmgate_error *err)
{
	const char *p = s;
	int depth = 0;

	for (; *p; p++) {
		if (*p == '\\' && p[1]) {
			p++;
		} else if (*p == '[') {
			depth++;
		} else if (*p == ']') {
			if (depth == 0)
				break;
			depth--;
		} else if (*p == ',' && depth == 0) {
			return bind_parse_display_name(p + 1, out, err);
		}
	}
	memset(out, 0, sizeof(*out));
	return rd_fail_nooff(err, ASMGATE_E_MALFORMED, "no assembly after "
	    "the type name (want 'Type, Assembly, Version=...')");
}
