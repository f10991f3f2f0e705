/*
 * container.c - the public container API (include/asmgate.h,
 * "Containers"), format dispatch, and the checks every format shares:
 * member ranges do not overlap, names are unique (also with ASCII case
 * folded), and a member is read only within the caller's size limit and
 * RD_MAX_COMPRESSION_RATIO.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctr.h"
#include "rd/err.h"
#include "rd/limits.h"

static const ctr_ops *const formats[] = { &ctr_zip_ops };
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

static int
fold(int ch)
{
	return ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch;
}

/* Names ordered with ASCII case folded, so equal names are adjacent. */
static int
cmp_name(const void *a, const void *b)
{
	const ctr_member *x = *(const ctr_member *const *)a;
	const ctr_member *y = *(const ctr_member *const *)b;
	const unsigned char *p = (const unsigned char *)x->info.name;
	const unsigned char *q = (const unsigned char *)y->info.name;
	size_t i, n = x->name_len < y->name_len ? x->name_len : y->name_len;

	for (i = 0; i < n; i++)
		if (fold(p[i]) != fold(q[i]))
			return fold(p[i]) - fold(q[i]);
	if (x->name_len != y->name_len)
		return x->name_len < y->name_len ? -1 : 1;
	return x < y ? -1 : x > y;
}

asmgate_status
ctr_check_members(const asmgate_container *c, asmgate_error *err)
{
	const ctr_member **v;
	char q1[CTR_QUOTE_BUF], q2[CTR_QUOTE_BUF];
	asmgate_status st = ASMGATE_OK;
	size_t i;

	if (c->nmembers < 2)
		return ASMGATE_OK;
	v = malloc(c->nmembers * sizeof(*v)); /* nmembers <= cap */
	if (!v)
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
	for (i = 0; i < c->nmembers; i++)
		v[i] = &c->members[i];

	/* The overlapping-member bomb: two entries sharing data. */
	qsort(v, c->nmembers, sizeof(*v), cmp_offset);
	for (i = 1; i < c->nmembers; i++) {
		if (v[i - 1]->data_end > v[i]->info.header_offset) {
			st = rd_fail(err, ASMGATE_E_MALFORMED,
			    v[i]->info.header_offset, "members '%s' and '%s' "
			    "overlap at 0x%llx", ctr_quote(q1, v[i - 1]),
			    ctr_quote(q2, v[i]),
			    (unsigned long long)v[i]->info.header_offset);
			goto out;
		}
	}

	/* Duplicate names: which copy an installer keeps is its choice. */
	qsort(v, c->nmembers, sizeof(*v), cmp_name);
	for (i = 1; i < c->nmembers; i++) {
		const ctr_member *a = v[i - 1], *b = v[i];
		size_t k;

		if (a->name_len != b->name_len)
			continue;
		for (k = 0; k < a->name_len; k++)
			if (fold((unsigned char)a->info.name[k]) !=
			    fold((unsigned char)b->info.name[k]))
				break;
		if (k < a->name_len)
			continue;
		if (a->dir_offset > b->dir_offset) {
			const ctr_member *t = a;
			a = b;
			b = t;
		}
		if (memcmp(a->info.name, b->info.name, a->name_len) == 0)
			st = rd_fail(err, ASMGATE_E_MALFORMED, b->dir_offset,
			    "duplicate member name '%s'", ctr_quote(q1, b));
		else
			st = rd_fail(err, ASMGATE_E_MALFORMED, b->dir_offset,
			    "member names '%s' and '%s' differ only in case",
			    ctr_quote(q1, a), ctr_quote(q2, b));
		goto out;
	}
out:
	free(v);
	return st;
}

void
asmgate_container_free(asmgate_container *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->nmembers; i++)
		free((void *)(uintptr_t)c->members[i].info.name);
	free(c->members);
	rd_file_close(&c->file);
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
	asmgate_container *c;
	asmgate_status st;

	*out = NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
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
	if (!c)
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
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
	asmgate_status st;

	*got = 0;
	if ((st = readable(c, i, &m, err)) != ASMGATE_OK)
		return st;
	if (n > m->info.size)
		n = (size_t)m->info.size;
	return c->ops->extract(c, m, buf, n, 0, got, err);
}
