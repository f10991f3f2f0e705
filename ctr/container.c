/*
 * container.c - the public container API (include/asmgate.h,
 * "Containers"), format dispatch, and the checks every format shares:
 * member ranges neither overlap nor (where members lie back to back)
 * leave gaps, names are relative paths inside the extraction folder and
 * unique as paths (separators, "." segments and ASCII case aside), and a
 * member is read only within the caller's size limit (at most
 * RD_MAX_MEMBER_BYTES) and RD_MAX_COMPRESSION_RATIO.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctr.h"
#include "rd/err.h"
#include "rd/limits.h"

static const ctr_ops *const formats[] = { &ctr_zip_ops, &ctr_cab_ops,
	&ctr_msi_ops };
#define NFORMATS (sizeof(formats) / sizeof(formats[0]))

const char *
ctr_quote(char *dst, const ctr_member *m)
{
	(void)rd_printable(dst, CTR_QUOTE_BUF, m->info.name,
	    m->name_len < CTR_QUOTE_MAX ? m->name_len : CTR_QUOTE_MAX);
	if (m->name_len > CTR_QUOTE_MAX)
		memcpy(dst + strlen(dst), "...", 4);
	return dst;
}

static const ctr_ops *
find_format(const void *data, size_t len)
{
	size_t i;

	for (i = 0; i < NFORMATS; i++)
		if (formats[i]->detect(data, len))
			return formats[i];
	return NULL;
}

asmgate_container_format
asmgate_container_detect(const void *data, size_t len)
{
	const ctr_ops *ops = data ? find_format(data, len) : NULL;

	return ops ? ops->format : ASMGATE_CONTAINER_NONE;
}

const char *
asmgate_container_format_name(asmgate_container_format f)
{
	size_t i;

	for (i = 0; i < NFORMATS; i++)
		if (formats[i]->format == f)
			return formats[i]->name;
	return "none";
}

/* Members ordered by where they start in the container. */
static int
cmp_offset(const void *a, const void *b)
{
	const ctr_member *x = *(const ctr_member *const *)a;
	const ctr_member *y = *(const ctr_member *const *)b;

	if (x->info.header_offset != y->info.header_offset)
		return x->info.header_offset < y->info.header_offset ? -1 : 1;
	return x < y ? -1 : x > y;
}

/*
 * The overlapping-member bomb (two entries sharing data) and, for formats
 * whose members lie back to back, bytes no member accounts for: a local
 * header hidden in a gap is what a streaming reader (Java's
 * ZipInputStream) finds although the directory never lists it. v is
 * sorted by offset here.
 */
static asmgate_status
check_ranges(const asmgate_container *c, const ctr_member **v,
    asmgate_error *err)
{
	char q1[CTR_QUOTE_BUF], q2[CTR_QUOTE_BUF];
	uint64_t at = 0;
	size_t i;

	qsort(v, c->nmembers, sizeof(*v), cmp_offset);
	for (i = 0; i < c->nmembers; i++) {
		const ctr_member *m = v[i];

		if (i > 0 && at > m->info.header_offset)
			return rd_fail(err, ASMGATE_E_MALFORMED,
			    m->info.header_offset, "members '%s' and '%s' "
			    "overlap at 0x%llx", ctr_quote(q1, v[i - 1]),
			    ctr_quote(q2, m),
			    (unsigned long long)m->info.header_offset);
		if (c->tiled && at < m->info.header_offset)
			return rd_fail(err, ASMGATE_E_MALFORMED, at,
			    "gap of %llu bytes at 0x%llx before member '%s' "
			    "(data no directory entry describes)",
			    (unsigned long long)(m->info.header_offset - at),
			    (unsigned long long)at, ctr_quote(q1, m));
		at = m->data_end;
	}
	if (c->tiled && at < c->members_end)
		return rd_fail(err, ASMGATE_E_MALFORMED, at,
		    "gap of %llu bytes at 0x%llx before the directory (data "
		    "no directory entry describes)",
		    (unsigned long long)(c->members_end - at),
		    (unsigned long long)at);
	if (c->tiled && at > c->members_end)
		return rd_fail(err, ASMGATE_E_MALFORMED, c->members_end,
		    "member data runs into the directory at 0x%llx",
		    (unsigned long long)c->members_end);
	return ASMGATE_OK;
}

/* ASCII case folding (policy/decide.c has its own; rd/ has none). */
static int
fold(int ch)
{
	return ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch;
}

/* One name of a member as a path key for the duplicate check. */
typedef struct name_key {
	const char *k;          /* into the keys buffer */
	size_t len;
	const ctr_member *m;
	int alt;                /* 1: made from m->alt_name */
} name_key;

/*
 * The path key of name s (n bytes) at dst (at most n bytes): segments
 * split at '/' or '\', empty and "." segments dropped, joined with '/',
 * ASCII case folded, so names an extractor writes to one file get one
 * key. Returns NULL with *len set, or why the name is refused: a path an
 * extractor would write outside its folder.
 */
static const char *
path_key(char *dst, size_t *len, const char *s, size_t n)
{
	size_t i = 0, o = 0;

	*len = 0;
	if (n > 0 && (s[0] == '/' || s[0] == '\\'))
		return "is an absolute path";
	if (n >= 2 && fold((unsigned char)s[0]) >= 'a' &&
	    fold((unsigned char)s[0]) <= 'z' && s[1] == ':')
		return "starts with a drive letter";
	while (i < n) {
		size_t j = i;

		while (j < n && s[j] != '/' && s[j] != '\\')
			j++;
		if (j - i == 2 && s[i] == '.' && s[i + 1] == '.')
			return "has a '..' segment";
		if (j > i && !(j - i == 1 && s[i] == '.')) {
			if (o > 0)
				dst[o++] = '/';
			for (; i < j; i++)
				dst[o++] = (char)fold((unsigned char)s[i]);
		}
		i = j + 1;
	}
	*len = o;
	return NULL;
}

/* Keys ordered by bytes, then by member and alt, so equal keys are
 * adjacent and each run starts with the earliest member. */
static int
cmp_key(const void *a, const void *b)
{
	const name_key *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int d = n ? memcmp(x->k, y->k, n) : 0;

	if (d != 0)
		return d;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	if (x->m != y->m)
		return x->m < y->m ? -1 : 1;
	return x->alt - y->alt;
}

/* Two members whose keys are equal: say how their names relate. */
static asmgate_status
duplicate(const name_key *x, const name_key *y, asmgate_error *err)
{
	char q1[CTR_QUOTE_BUF], q2[CTR_QUOTE_BUF];
	const ctr_member *a = x->m, *b = y->m;
	size_t k;

	if (a->dir_offset > b->dir_offset) {
		const ctr_member *t = a;
		a = b;
		b = t;
	}
	if (x->alt || y->alt)
		return rd_fail(err, ASMGATE_E_MALFORMED, b->dir_offset,
		    "member names '%s' and '%s' are the same file when read "
		    "as UTF-8", ctr_quote(q1, a), ctr_quote(q2, b));
	if (a->name_len == b->name_len) {
		if (memcmp(a->info.name, b->info.name, a->name_len) == 0)
			return rd_fail(err, ASMGATE_E_MALFORMED,
			    b->dir_offset, "duplicate member name '%s'",
			    ctr_quote(q1, b));
		for (k = 0; k < a->name_len; k++)
			if (fold((unsigned char)a->info.name[k]) !=
			    fold((unsigned char)b->info.name[k]))
				break;
		if (k == a->name_len)
			return rd_fail(err, ASMGATE_E_MALFORMED,
			    b->dir_offset, "member names '%s' and '%s' differ "
			    "only in case", ctr_quote(q1, a),
			    ctr_quote(q2, b));
	}
	return rd_fail(err, ASMGATE_E_MALFORMED, b->dir_offset,
	    "member names '%s' and '%s' are the same path", ctr_quote(q1, a),
	    ctr_quote(q2, b));
}

/*
 * Names: none escapes the folder it is extracted to, and no two name
 * the same file (which copy an installer keeps is its choice). A member
 * with an alt_name has two keys, so it collides under either reading.
 */
static asmgate_status
check_names(const asmgate_container *c, asmgate_error *err)
{
	char q[CTR_QUOTE_BUF];
	name_key *keys;
	char *buf, *o;
	size_t i, nk = 0, total = 0;
	asmgate_status st = ASMGATE_OK;

	/* nmembers <= RD_MAX_CONTAINER_MEMBERS, names <= 3 x
	 * RD_MAX_MEMBER_NAME bytes each: no sum below overflows. */
	for (i = 0; i < c->nmembers; i++)
		total += c->members[i].name_len + c->members[i].alt_len;
	keys = malloc(2 * c->nmembers * sizeof(*keys) + 1);
	buf = malloc(total + 1);
	if (!keys || !buf) {
		st = rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
		goto out;
	}
	o = buf;
	for (i = 0; i < c->nmembers; i++) {
		const ctr_member *m = &c->members[i];
		const char *why = path_key(o, &keys[nk].len, m->info.name,
		    m->name_len);

		if (why) {
			st = rd_fail(err, ASMGATE_E_MALFORMED, m->dir_offset,
			    "member name '%s' %s", ctr_quote(q, m), why);
			goto out;
		}
		keys[nk].k = o;
		keys[nk].m = m;
		keys[nk].alt = 0;
		o += keys[nk++].len;
		if (!m->alt_name)
			continue;
		/* Same ASCII bytes as the name: it passed the path rules. */
		(void)path_key(o, &keys[nk].len, (const char *)m->alt_name,
		    m->alt_len);
		keys[nk].k = o;
		keys[nk].m = m;
		keys[nk].alt = 1;
		o += keys[nk++].len;
	}
	qsort(keys, nk, sizeof(*keys), cmp_key);
	for (i = 1; i < nk; i++) {
		if (keys[i - 1].m == keys[i].m ||
		    keys[i - 1].len != keys[i].len || (keys[i].len &&
		    memcmp(keys[i - 1].k, keys[i].k, keys[i].len) != 0))
			continue;
		st = duplicate(&keys[i - 1], &keys[i], err);
		goto out;
	}
out:
	free(keys);
	free(buf);
	return st;
}

asmgate_status
ctr_check_members(const asmgate_container *c, asmgate_error *err)
{
	const ctr_member **v;
	asmgate_status st;
	size_t i;

	v = malloc(c->nmembers * sizeof(*v) + 1); /* nmembers <= cap */
	if (!v)
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
	for (i = 0; i < c->nmembers; i++)
		v[i] = &c->members[i];
	st = c->ranges_checked ? ASMGATE_OK : check_ranges(c, v, err);
	free(v);
	if (st != ASMGATE_OK)
		return st;
	return check_names(c, err);
}

void
asmgate_container_free(asmgate_container *c)
{
	size_t i;

	if (!c)
		return;
	if (c->ops && c->ops->close)
		c->ops->close(c);
	for (i = 0; i < c->nmembers; i++) {
		free((void *)(uintptr_t)c->members[i].info.name);
		free((void *)(uintptr_t)c->members[i].info.key);
	}
	free(c->members);
	rd_file_close(&c->file);
	free(c->path);
	free(c);
}

/* Open over c->data / c->size, which the caller has set. */
static asmgate_status
open_common(asmgate_container *c, asmgate_error *err)
{
	asmgate_status st;

	if (c->size == 0)
		return rd_fail(err, ASMGATE_E_EMPTY, 0, "file is empty");
	c->ops = find_format(c->data, c->size);
	if (!c->ops)
		return rd_fail(err, ASMGATE_E_UNSUPPORTED, 0,
		    "not a known container format");
	if ((st = c->ops->open(c, err)) != ASMGATE_OK)
		return st;
	return ctr_check_members(c, err);
}

asmgate_status
asmgate_container_open_memory(asmgate_container **out, const void *data,
    size_t len, asmgate_error *err)
{
	return asmgate_container_open_bytes(out, data, len, NULL, err);
}

asmgate_status
asmgate_container_open_bytes(asmgate_container **out, const void *data,
    size_t len, const char *path, asmgate_error *err)
{
	asmgate_container *c;
	asmgate_status st;

	*out = NULL;
	c = calloc(1, sizeof(*c));
	if (!c || (path && !(c->path = strdup(path)))) {
		free(c);
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
	}
	c->data = data;
	c->size = data ? len : 0;
	if ((st = open_common(c, err)) != ASMGATE_OK) {
		asmgate_container_free(c);
		return st;
	}
	*out = c;
	return ASMGATE_OK;
}

asmgate_status
asmgate_container_open(asmgate_container **out, const char *path,
    asmgate_error *err)
{
	asmgate_container *c;
	asmgate_status st;

	*out = NULL;
	c = calloc(1, sizeof(*c));
	if (!c || !(c->path = strdup(path))) {
		free(c);
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
	}
	st = rd_file_open(&c->file, path, RD_MAX_FILE_BYTES, err);
	if (st == ASMGATE_OK) {
		c->data = c->file.data;
		c->size = c->file.size;
		st = open_common(c, err);
	}
	if (st != ASMGATE_OK) {
		asmgate_container_free(c);
		return st;
	}
	*out = c;
	return ASMGATE_OK;
}

asmgate_container_format
asmgate_container_get_format(const asmgate_container *c)
{
	return c && c->ops ? c->ops->format : ASMGATE_CONTAINER_NONE;
}

int
asmgate_container_has_signature(const asmgate_container *c)
{
	return c ? c->has_signature : 0;
}

size_t
asmgate_container_count(const asmgate_container *c)
{
	return c ? c->nmembers : 0;
}

const asmgate_member_info *
asmgate_container_member(const asmgate_container *c, size_t i)
{
	return c && i < c->nmembers ? &c->members[i].info : NULL;
}

/* Member i if it exists and can be read, else an error. */
static asmgate_status
readable(const asmgate_container *c, size_t i, const ctr_member **mp,
    asmgate_error *err)
{
	char q[CTR_QUOTE_BUF];
	const ctr_member *m;

	if (!c || i >= c->nmembers)
		return rd_fail_nooff(err, ASMGATE_E_USAGE,
		    "no member %zu in the container", i);
	m = &c->members[i];
	if (m->info.unsupported)
		return rd_fail(err, ASMGATE_E_UNSUPPORTED, m->info.data_offset,
		    "member '%s': %s", ctr_quote(q, m), m->info.unsupported);
	*mp = m;
	return ASMGATE_OK;
}

asmgate_status
asmgate_container_read(const asmgate_container *c, size_t i, size_t max,
    uint8_t **out, size_t *len, asmgate_error *err)
{
	const ctr_member *m = NULL;
	char q[CTR_QUOTE_BUF];
	uint64_t size, csize;
	uint8_t *buf;
	size_t got;
	asmgate_status st;

	*out = NULL;
	*len = 0;
	if ((st = readable(c, i, &m, err)) != ASMGATE_OK)
		return st;
	if (max > RD_MAX_MEMBER_BYTES)
		max = RD_MAX_MEMBER_BYTES;
	size = m->info.size;
	csize = m->info.compressed_size;
	if (size > max || size >= SIZE_MAX)
		return rd_fail(err, ASMGATE_E_LIMIT, m->info.data_offset,
		    "member '%s': size %llu above the limit of %zu bytes",
		    ctr_quote(q, m), (unsigned long long)size, max);
	/* Declared sizes are checked before any byte is inflated. */
	if (size > RD_RATIO_MIN_BYTES &&
	    (csize == 0 || size / csize > RD_MAX_COMPRESSION_RATIO))
		return rd_fail(err, ASMGATE_E_LIMIT, m->info.data_offset,
		    "member '%s': compression ratio %llu:1 above the cap of "
		    "%u:1", ctr_quote(q, m), (unsigned long long)(csize ?
		    size / csize : size), RD_MAX_COMPRESSION_RATIO);
	buf = malloc((size_t)size + 1);
	if (!buf)
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
	st = c->ops->extract(c, m, buf, (size_t)size, 1, &got, err);
	/* Consumed: a mapped file's pages need not stay resident. */
	rd_file_release(&c->file, m->info.header_offset,
	    m->data_end - m->info.header_offset);
	if (st != ASMGATE_OK) {
		free(buf);
		return st;
	}
	*out = buf;
	*len = got;
	return ASMGATE_OK;
}

asmgate_status
asmgate_container_peek(const asmgate_container *c, size_t i, uint8_t *buf,
    size_t n, size_t *got, asmgate_error *err)
{
	const ctr_member *m = NULL;
	char q[CTR_QUOTE_BUF];
	asmgate_status st;

	*got = 0;
	if ((st = readable(c, i, &m, err)) != ASMGATE_OK)
		return st;
	if (n > m->info.size)
		n = (size_t)m->info.size;
	if ((st = c->ops->extract(c, m, buf, n, 0, got, err)) != ASMGATE_OK)
		return st;
	/* The data ran out before the declared size: no short answer a
	 * caller could take for the whole member. */
	if (*got < n) {
		size_t had = *got;

		*got = 0;
		return rd_fail(err, ASMGATE_E_MALFORMED, m->info.data_offset,
		    "member '%s': data ends after %zu bytes, before the "
		    "declared size of %llu", ctr_quote(q, m), had,
		    (unsigned long long)m->info.size);
	}
	return ASMGATE_OK;
}
