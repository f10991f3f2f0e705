/*
 * waiver.c - waiver files (verify --waivers): reviewed exceptions that
 * let a failing assembly pass, each with its reason and an optional
 * expiry date, and the verdict that weighs them.
 *
 * The format (docs/asmgate.1, WAIVERS) is one waiver a line:
 *
 *   PATTERN  REASON...  [expires=YYYY-MM-DD]
 *
 * '#' starts a comment line; blank lines are ignored. PATTERN is one
 * word, or any text between double quotes (no escapes):
 *   token:HEX16       the identity's public key token;
 *   identity:GLOB     the identity "Name, Version=v, Culture=c,
 *                     PublicKeyToken=t" (fnmatch, case-insensitive,
 *                     blanks after commas ignored); without a comma,
 *                     the assembly name alone;
 *   GLOB              with a '/' or '!': the subject's display name,
 *                     or its end from any component on (fnmatch, '*'
 *                     matches '/' and '!'): so lib/A.dll matches
 *                     x.nupkg!lib/A.dll; without: its last
 *                     component (the file or member name).
 * The whole file is checked before any waiver is used: a malformed line
 * fails the load with its number.
 */
#define _GNU_SOURCE
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "policy.h"
#include "rd/err.h"
#include "rd/file.h"
#include "rd/hex.h"
#include "rd/limits.h"

enum waiver_kind { WAIVER_PATH, WAIVER_BASE, WAIVER_TOKEN, WAIVER_IDENTITY,
	WAIVER_NAME };

typedef struct waiver_item {
	asmgate_waiver pub;
	enum waiver_kind kind;
	const char *glob;           /* identity/name/path glob, normalised */
	uint8_t token[8];
} waiver_item;

struct asmgate_waivers {
	char *path;
	char *text;                 /* the file, split in place */
	waiver_item *items;
	size_t n;
};

/* Blanks after commas dropped, so "A, Version=1" and "A,Version=1"
 * compare alike; at most outmax - 1 bytes (a longer input is cut, which
 * only makes a match fail). */
static void
squeeze(char *out, size_t outmax, const char *in)
{
	size_t k = 0;
	int comma = 0;

	for (; *in && k + 1 < outmax; in++) {
		if (comma && (*in == ' ' || *in == '\t'))
			continue;
		comma = *in == ',';
		out[k++] = *in;
	}
	out[k] = '\0';
}

/* 1 when s (10 bytes) is a real date YYYY-MM-DD (proleptic Gregorian). */
static int
valid_date(const char *s)
{
	static const unsigned char mdays[12] = { 31, 29, 31, 30, 31, 30, 31,
		31, 30, 31, 30, 31 };
	unsigned y, m, d;
	int i;

	for (i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? s[i] != '-' : s[i] < '0' || s[i] > '9')
			return 0;
	if (s[10] != '\0')
		return 0;
	y = (unsigned)((s[0] - '0') * 1000 + (s[1] - '0') * 100 +
	    (s[2] - '0') * 10 + (s[3] - '0'));
	m = (unsigned)((s[5] - '0') * 10 + (s[6] - '0'));
	d = (unsigned)((s[8] - '0') * 10 + (s[9] - '0'));
	if (y < 1970 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return 0;
	if (m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 ||
	    y % 400 == 0)))
		return 0;
	return 1;
}

/* Parse one line (NUL-terminated, CR stripped, in place) into it:
 * ASMGATE_OK, 1 for a line without a waiver, or a failure. */
static asmgate_status
parse_line(waiver_item *it, char *p, unsigned long line, const char *today,
    asmgate_error *err)
{
	char *pat, *end, *last;
	size_t n;

	for (end = p; *end; end++)
		if ((unsigned char)*end < 0x20 && *end != '\t')
			return rd_fail_line(err, ASMGATE_E_MALFORMED, line,
			    "a control character in a waiver");
	while (*p == ' ' || *p == '\t')
		p++;
	n = strlen(p);
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		p[--n] = '\0';
	if (n == 0 || *p == '#')
		return (asmgate_status)1;
	if (*p == '"') {
		pat = ++p;
		end = strchr(p, '"');
		if (!end)
			return rd_fail_line(err, ASMGATE_E_MALFORMED, line,
			    "a quoted pattern without its closing quote");
		if (end[1] != ' ' && end[1] != '\t' && end[1] != '\0')
			return rd_fail_line(err, ASMGATE_E_MALFORMED, line,
			    "a blank must follow the closing quote");
	} else {
		pat = p;
		end = p + strcspn(p, " \t");
	}
	p = *end ? end + 1 : end;
	*end = '\0';
	if (*pat == '\0')
		return rd_fail_line(err, ASMGATE_E_MALFORMED, line,
		    "an empty pattern");
	while (*p == ' ' || *p == '\t')
		p++;
	/* A last word expires=DATE is the expiry, not the reason. */
	last = p + strlen(p);
	while (last > p && last[-1] != ' ' && last[-1] != '\t')
		last--;
	if (strncmp(last, "expires=", 8) == 0) {
		if (!valid_date(last + 8))
			return rd_fail_line(err, ASMGATE_E_MALFORMED, line,
			    "expires= wants a date YYYY-MM-DD");
		it->pub.expires = last + 8;
		it->pub.expired = strcmp(today, last + 8) > 0;
		while (last > p && (last[-1] == ' ' || last[-1] == '\t'))
			last--;
		*last = '\0';
	}
	if (*p == '\0')
		return rd_fail_line(err, ASMGATE_E_MALFORMED, line, "a waiver "
		    "needs a reason after its pattern");
	it->pub.pattern = pat;
	it->pub.reason = p;
	it->pub.line = line;
	if (strncmp(pat, "token:", 6) == 0) {
		size_t len = 0, bad;

		it->kind = WAIVER_TOKEN;
		if (strlen(pat + 6) != 16 || !rd_hex_decode(it->token, 8, &len,
		    pat + 6, 16, &bad) || len != 8)
			return rd_fail_line(err, ASMGATE_E_MALFORMED, line,
			    "token: wants 16 hex digits");
	} else if (strncmp(pat, "identity:", 9) == 0) {
		if (pat[9] == '\0')
			return rd_fail_line(err, ASMGATE_E_MALFORMED, line,
			    "identity: wants an assembly identity");
		it->kind = strchr(pat + 9, ',') ? WAIVER_IDENTITY :
		    WAIVER_NAME;
		it->glob = pat + 9;
	} else {
		it->kind = strpbrk(pat, "/!") ? WAIVER_PATH : WAIVER_BASE;
		it->glob = pat;
	}
	return ASMGATE_OK;
}

static void
today_utc(char *out, size_t outmax)
{
	time_t now = time(NULL);
	struct tm tm;

	if (!gmtime_r(&now, &tm) || strftime(out, outmax, "%Y-%m-%d",
	    &tm) != 10)
		snprintf(out, outmax, "9999-12-31"); /* fail closed: expired */
}

asmgate_status
asmgate_waivers_load(asmgate_waivers **out, const char *path,
    const char *today, asmgate_error *err)
{
	asmgate_waivers *w = NULL;
	rd_file f;
	char now[16];
	char *p, *end, *e;
	unsigned long line = 0;
	asmgate_status st;

	if (!out || !path)
		return rd_fail_nooff(err, ASMGATE_E_USAGE,
		    "asmgate_waivers_load: out and path are required");
	*out = NULL;
	if (today && !valid_date(today))
		return rd_fail_nooff(err, ASMGATE_E_USAGE,
		    "the date of today must be YYYY-MM-DD");
	if (!today) {
		today_utc(now, sizeof(now));
		today = now;
	}
	memset(&f, 0, sizeof(f));
	st = rd_file_open(&f, path, RD_MAX_WAIVER_BYTES, err);
	if (st != ASMGATE_OK)
		return st;
	w = calloc(1, sizeof(*w));
	if (!w || !(w->path = strdup(path)) ||
	    !(w->text = malloc(f.size + 1))) {
		st = rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
		goto out;
	}
	if (f.size)
		memcpy(w->text, f.data, f.size);
	w->text[f.size] = '\0';
	if (memchr(w->text, '\0', f.size)) {
		st = rd_fail_nooff(err, ASMGATE_E_MALFORMED, "a NUL byte in a "
		    "waiver file");
		goto out;
	}
	p = w->text;
	end = p + f.size;
	while (p < end) {
		waiver_item it;

		line++;
		e = memchr(p, '\n', (size_t)(end - p));
		if (!e)
			e = end;
		*e = '\0';
		if (e > p && e[-1] == '\r')
			e[-1] = '\0';
		if ((size_t)(e - p) > RD_MAX_WAIVER_LINE) {
			st = rd_fail_line(err, ASMGATE_E_LIMIT, line, "a line "
			    "longer than %u bytes", RD_MAX_WAIVER_LINE);
			goto out;
		}
		memset(&it, 0, sizeof(it));
		st = parse_line(&it, p, line, today, err);
		p = e + 1;
		if (st == (asmgate_status)1)
			continue;
		if (st != ASMGATE_OK)
			goto out;
		if (w->n >= RD_MAX_WAIVERS) {
			st = rd_fail_line(err, ASMGATE_E_LIMIT, line, "more "
			    "than %u waivers", RD_MAX_WAIVERS);
			goto out;
		}
		if ((w->n & (w->n - 1)) == 0) { /* 0, 1, 2, 4, ...: grow */
			waiver_item *nv = realloc(w->items, (w->n ? w->n * 2 :
			    1) * sizeof(*nv));
			if (!nv) {
				st = rd_fail_nooff(err, ASMGATE_E_NOMEM,
				    "out of memory");
				goto out;
			}
			w->items = nv;
		}
		it.pub.file = w->path;
		w->items[w->n++] = it;
	}
	st = ASMGATE_OK;
	*out = w;
	w = NULL;
out:
	rd_file_close(&f);
	asmgate_waivers_free(w);
	return st;
}

size_t
asmgate_waivers_count(const asmgate_waivers *w)
{
	return w ? w->n : 0;
}

const asmgate_waiver *
asmgate_waivers_get(const asmgate_waivers *w, size_t i)
{
	return w && i < w->n ? &w->items[i].pub : NULL;
}

/* The subject's last component: after the last '/' or '!'. */
static const char *
base_name(const char *name)
{
	const char *b = name, *p;

	for (p = name; *p; p++)
		if (*p == '/' || *p == '!')
			b = p + 1;
	return b;
}

static int
match_one(const waiver_item *it, const char *name, const asmgate_image *img,
    const char *full)
{
	const asmgate_assembly_info *a;
	const char *p;
	uint8_t tok[8];
	char g[RD_MAX_WAIVER_LINE + 1];

	switch (it->kind) {
	case WAIVER_PATH:
		/* the whole name, or its end from a component on */
		for (p = name; *p; p++)
			if ((p == name || p[-1] == '/' || p[-1] == '!') &&
			    fnmatch(it->glob, p, 0) == 0)
				return 1;
		return 0;
	case WAIVER_BASE:
		return fnmatch(it->glob, base_name(name), 0) == 0;
	case WAIVER_TOKEN:
		if (!img)
			return 0;
		a = &asmgate_image_get_info(img)->assembly;
		return a->public_key && a->public_key_len &&
		    asmgate_key_token(a->public_key, a->public_key_len, tok,
		    NULL) == ASMGATE_OK && memcmp(tok, it->token, 8) == 0;
	case WAIVER_NAME:
		if (!img)
			return 0;
		a = &asmgate_image_get_info(img)->assembly;
		return a->name && fnmatch(it->glob, a->name, FNM_CASEFOLD) ==
		    0;
	case WAIVER_IDENTITY:
		if (!img || !full)
			return 0;
		squeeze(g, sizeof(g), it->glob);
		return fnmatch(g, full, FNM_CASEFOLD) == 0;
	}
	return 0;
}

long
asmgate_waivers_match(const asmgate_waivers *w, const char *name,
    const asmgate_image *img)
{
	char full[RD_MAX_NAME_BYTES + 128];
	rd_buf nb;
	size_t i;
	long hit = -1;

	if (!w || !name)
		return -1;
	full[0] = '\0';
	if (img) {
		rd_buf_init(&nb, sizeof(full));
		policy_full_name(&nb, img);
		if (rd_buf_cstr(&nb))
			squeeze(full, sizeof(full), (const char *)nb.p);
		rd_buf_free(&nb);
	}
	for (i = 0; i < w->n && hit < 0; i++)
		if (!w->items[i].pub.expired && match_one(&w->items[i], name,
		    img, full[0] ? full : NULL))
			hit = (long)i;
	return hit;
}

void
asmgate_waivers_free(asmgate_waivers *w)
{
	if (!w)
		return;
	free(w->items);
	free(w->text);
	free(w->path);
	free(w);
}

asmgate_verdict
asmgate_verdict_of(const asmgate_verdict_rules *rules,
    const asmgate_signature *sig, const asmgate_authenticode *ac,
    const asmgate_decision *d, const asmgate_waiver *w)
{
	if (!asmgate_verdict_fails_ac(rules, sig, ac, d))
		return ASMGATE_VERDICT_PASS;
	/* Nothing verified, or an outcome of a state this code does not
	 * know: no waiver (fail closed). */
	if (!w || w->expired || (!sig && !ac) ||
	    (sig && (unsigned)sig->state > ASMGATE_SN_SIGNED) ||
	    (ac && (unsigned)ac->state >= ASMGATE_AC_STATE_COUNT))
		return ASMGATE_VERDICT_FAIL;
	return ASMGATE_VERDICT_WAIVED;
}
