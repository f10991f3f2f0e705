/*
 * test_ctr.c - unit tests of the container reader (ctr/: ZIP here,
 * compound files in ctr_cfb_tests.h, cabinets in ctr_cab_tests.h,
 * installer databases in ctr_msi_tests.h).
 *
 * ZIPs are built in memory by a small writer below, laid out by hand
 * from APPNOTE.TXT 4.3.7 (local header), 4.3.9 (data descriptor),
 * 4.3.12 (central directory), 4.3.14-4.3.16 (ZIP64 end record, locator,
 * end record) and 4.5.3 (ZIP64 extra field), with zlib for deflate and
 * CRC-32; each malformed case patches one field of a valid archive.
 * Expected names come from the CP437 table of the Unicode consortium
 * (CP437.TXT), expected contents from the bytes put in.
 */
#include "helpers.h"

#include <zlib.h>

#include "asmgate.h"
#include "rd/limits.h"

/* ------------------------------------------------------------ writer */

#define TZ_MAX 8

typedef struct tz_ent {
	const char *name;
	size_t nlen;             /* 0: strlen(name) */
	const void *data;
	size_t len;
	uint16_t method;         /* 8: deflated here; else stored as given */
	uint16_t flags;
	int descriptor;          /* 1: with signature, 2: without */
	int zip64;               /* sizes and offset in ZIP64 extra fields */
	long at;                 /* > 0: no local header, central names it */
	const void *cextra;      /* more central extra bytes */
	size_t cxlen;
	const void *lextra;      /* more local extra bytes */
	size_t lxlen;
} tz_ent;

typedef struct tz {
	uint8_t *p;
	size_t len, cap;
	size_t local[TZ_MAX], data[TZ_MAX], central[TZ_MAX], csize[TZ_MAX];
	uint32_t crc[TZ_MAX];
	size_t cd, cd_size, eocd;
} tz;

static void
tz_put(tz *z, const void *p, size_t n)
{
	if (z->len + n > z->cap) {
		z->cap = (z->len + n) * 2 + 64;
		z->p = realloc(z->p, z->cap);
		assert_non_null(z->p);
	}
	if (n)
		memcpy(z->p + z->len, p, n);
	z->len += n;
}

static void
tz_u16(tz *z, uint16_t v)
{
	uint8_t b[2];
	th_put_u16(b, v);
	tz_put(z, b, 2);
}

static void
tz_u32(tz *z, uint32_t v)
{
	uint8_t b[4];
	th_put_u32(b, v);
	tz_put(z, b, 4);
}

static void
tz_u64(tz *z, uint64_t v)
{
	tz_u32(z, (uint32_t)v);
	tz_u32(z, (uint32_t)(v >> 32));
}

/* Raw deflate (RFC 1951) of data into a malloc'd buffer. */
static uint8_t *
deflate_raw(const void *data, size_t len, size_t *out)
{
	z_stream s;
	uint8_t *buf;
	size_t cap;

	memset(&s, 0, sizeof(s));
	assert_int_equal(deflateInit2(&s, 9, Z_DEFLATED, -15, 8,
	    Z_DEFAULT_STRATEGY), Z_OK);
	cap = deflateBound(&s, (uLong)len) + 16;
	buf = malloc(cap);
	assert_non_null(buf);
	s.next_in = (Bytef *)(uintptr_t)data;
	s.avail_in = (uInt)len;
	s.next_out = buf;
	s.avail_out = (uInt)cap;
	assert_int_equal(deflate(&s, Z_FINISH), Z_STREAM_END);
	*out = cap - s.avail_out;
	deflateEnd(&s);
	return buf;
}

static void
tz_free(tz *z)
{
	free(z->p);
	memset(z, 0, sizeof(*z));
}

/* Write entries, the central directory and the end record(s). */
static void
tz_build(tz *z, const tz_ent *e, size_t n, int zip64_end,
    const char *comment)
{
	uint8_t *comp[TZ_MAX];
	uint64_t off[TZ_MAX];
	size_t i, clen = comment ? strlen(comment) : 0;

	assert_true(n <= TZ_MAX);
	memset(z, 0, sizeof(*z));
	for (i = 0; i < n; i++) {
		const tz_ent *t = &e[i];
		size_t nlen = t->nlen ? t->nlen : strlen(t->name);
		const uint8_t *payload = t->data;
		uint16_t flags = t->flags | (t->descriptor ? 8 : 0);
		int dd = t->descriptor != 0;

		comp[i] = NULL;
		z->crc[i] = (uint32_t)crc32(0, t->data, (uInt)t->len);
		z->csize[i] = t->len;
		if (t->method == 8) {
			comp[i] = deflate_raw(t->data, t->len, &z->csize[i]);
			payload = comp[i];
		}
		if (t->at > 0) {
			off[i] = (uint64_t)t->at;
			continue;
		}
		off[i] = z->len;
		z->local[i] = z->len;
		tz_u32(z, 0x04034b50);
		tz_u16(z, t->zip64 ? 45 : 20);
		tz_u16(z, flags);
		tz_u16(z, t->method);
		tz_u32(z, 0x00210000); /* 1980-01-01 00:00 */
		tz_u32(z, dd ? 0 : z->crc[i]);
		tz_u32(z, t->zip64 ? 0xFFFFFFFFu : dd ? 0 :
		    (uint32_t)z->csize[i]);
		tz_u32(z, t->zip64 ? 0xFFFFFFFFu : dd ? 0 : (uint32_t)t->len);
		tz_u16(z, (uint16_t)nlen);
		tz_u16(z, (uint16_t)((t->zip64 ? 20 : 0) + t->lxlen));
		tz_put(z, t->name, nlen);
		if (t->zip64) {
			tz_u16(z, 1);
			tz_u16(z, 16);
			tz_u64(z, dd ? 0 : t->len);
			tz_u64(z, dd ? 0 : z->csize[i]);
		}
		tz_put(z, t->lextra, t->lxlen);
		z->data[i] = z->len;
		tz_put(z, payload, z->csize[i]);
		if (dd) {
			if (t->descriptor == 1)
				tz_u32(z, 0x08074b50);
			tz_u32(z, z->crc[i]);
			if (t->zip64) {
				tz_u64(z, z->csize[i]);
				tz_u64(z, t->len);
			} else {
				tz_u32(z, (uint32_t)z->csize[i]);
				tz_u32(z, (uint32_t)t->len);
			}
		}
	}
	z->cd = z->len;
	for (i = 0; i < n; i++) {
		const tz_ent *t = &e[i];
		size_t nlen = t->nlen ? t->nlen : strlen(t->name);

		z->central[i] = z->len;
		tz_u32(z, 0x02014b50);
		tz_u16(z, 0x031E); /* Unix, 3.0 */
		tz_u16(z, t->zip64 ? 45 : 20);
		tz_u16(z, t->flags | (t->descriptor ? 8 : 0));
		tz_u16(z, t->method);
		tz_u32(z, 0x00210000);
		tz_u32(z, z->crc[i]);
		tz_u32(z, t->zip64 ? 0xFFFFFFFFu : (uint32_t)z->csize[i]);
		tz_u32(z, t->zip64 ? 0xFFFFFFFFu : (uint32_t)t->len);
		tz_u16(z, (uint16_t)nlen);
		tz_u16(z, (uint16_t)((t->zip64 ? 28 : 0) + t->cxlen));
		tz_u16(z, 0);
		tz_u16(z, 0);
		tz_u16(z, 0);
		tz_u32(z, 0);
		tz_u32(z, t->zip64 ? 0xFFFFFFFFu : (uint32_t)off[i]);
		tz_put(z, t->name, nlen);
		if (t->zip64) {
			tz_u16(z, 1);
			tz_u16(z, 24);
			tz_u64(z, t->len);
			tz_u64(z, z->csize[i]);
			tz_u64(z, off[i]);
		}
		tz_put(z, t->cextra, t->cxlen);
		free(comp[i]);
	}
	z->cd_size = z->len - z->cd;
	if (zip64_end) {
		size_t e64 = z->len;
		tz_u32(z, 0x06064b50);
		tz_u64(z, 44);
		tz_u16(z, 45);
		tz_u16(z, 45);
		tz_u32(z, 0);
		tz_u32(z, 0);
		tz_u64(z, n);
		tz_u64(z, n);
		tz_u64(z, z->cd_size);
		tz_u64(z, z->cd);
		tz_u32(z, 0x07064b50);
		tz_u32(z, 0);
		tz_u64(z, e64);
		tz_u32(z, 1);
	}
	z->eocd = z->len;
	tz_u32(z, 0x06054b50);
	tz_u16(z, 0);
	tz_u16(z, 0);
	tz_u16(z, zip64_end ? 0xFFFF : (uint16_t)n);
	tz_u16(z, zip64_end ? 0xFFFF : (uint16_t)n);
	tz_u32(z, zip64_end ? 0xFFFFFFFFu : (uint32_t)z->cd_size);
	tz_u32(z, zip64_end ? 0xFFFFFFFFu : (uint32_t)z->cd);
	tz_u16(z, (uint16_t)clen);
	tz_put(z, comment, clen);
}

/*
 * Take central entry i (of n, no ZIP64 end record) out of the directory
 * of z, leaving its local header and data in place: bytes no entry
 * describes, as a hidden member that only a streaming reader sees.
 */
static void
tz_drop_central(tz *z, size_t i, size_t n)
{
	size_t from = z->central[i];
	size_t to = i + 1 < n ? z->central[i + 1] : z->cd + z->cd_size;
	size_t len = to - from, k;
	uint8_t *e;

	memmove(z->p + from, z->p + to, z->len - to);
	z->len -= len;
	z->cd_size -= len;
	z->eocd -= len;
	for (k = i + 1; k < n; k++)
		z->central[k] -= len;
	e = z->p + z->eocd;
	th_put_u16(e + 8, (uint16_t)(n - 1));
	th_put_u16(e + 10, (uint16_t)(n - 1));
	th_put_u32(e + 12, (uint32_t)z->cd_size);
}

/* ----------------------------------------------------------- helpers */

static const char text[] = "Hello, container.\n";

/* Open z; must succeed. */
static asmgate_container *
must_open(const tz *z)
{
	asmgate_container *c = NULL;
	asmgate_error err;

	asmgate_error_clear(&err);
	if (asmgate_container_open_memory(&c, z->p, z->len, &err) !=
	    ASMGATE_OK)
		fail_msg("open failed: %s (offset 0x%llx)", err.msg,
		    (unsigned long long)err.offset);
	assert_non_null(c);
	return c;
}

/* Open z; must fail with code and a message containing what. */
static void
must_fail(const tz *z, asmgate_status code, const char *what,
    asmgate_error *errp)
{
	asmgate_container *c = (asmgate_container *)&c;
	asmgate_error err;
	size_t i;

	asmgate_error_clear(&err);
	assert_int_equal(asmgate_container_open_memory(&c, z->p, z->len,
	    &err), code);
	assert_null(c);
	assert_int_equal(err.code, code);
	if (!strstr(err.msg, what))
		fail_msg("message '%s' lacks '%s'", err.msg, what);
	for (i = 0; err.msg[i]; i++)
		assert_true((unsigned char)err.msg[i] >= 0x20 &&
		    (unsigned char)err.msg[i] < 0x7F);
	if (errp)
		*errp = err;
}

/* Read member i of z; must fail with code and what. */
static void
read_fails(const tz *z, size_t i, size_t max, asmgate_status code,
    const char *what, asmgate_error *errp)
{
	asmgate_container *c = must_open(z);
	asmgate_error err;
	uint8_t *out = (uint8_t *)&out;
	size_t len = 1;

	asmgate_error_clear(&err);
	assert_int_equal(asmgate_container_read(c, i, max, &out, &len, &err),
	    code);
	assert_null(out);
	assert_int_equal(len, 0);
	if (!strstr(err.msg, what))
		fail_msg("message '%s' lacks '%s'", err.msg, what);
	if (errp)
		*errp = err;
	asmgate_container_free(c);
}

/* Read member i whole; must equal want. */
static void
read_equals(const asmgate_container *c, size_t i, const void *want,
    size_t n)
{
	asmgate_error err;
	uint8_t *out = NULL;
	size_t len = 0;

	asmgate_error_clear(&err);
	if (asmgate_container_read(c, i, RD_MAX_MEMBER_BYTES, &out, &len,
	    &err) != ASMGATE_OK)
		fail_msg("read %zu failed: %s", i, err.msg);
	assert_int_equal(len, n);
	assert_memory_equal(out, want, n);
	asmgate_free(out);
}

/* ------------------------------------------------------------- tests */

static void
test_ctr__detect(void **state)
{
	(void)state;
	assert_int_equal(asmgate_container_detect("PK\3\4", 4),
	    ASMGATE_CONTAINER_ZIP);
	assert_int_equal(asmgate_container_detect("PK\5\6xx", 6),
	    ASMGATE_CONTAINER_ZIP);
	assert_int_equal(asmgate_container_detect("PK\1\2", 4),
	    ASMGATE_CONTAINER_NONE);
	assert_int_equal(asmgate_container_detect("MZ\x90\0", 4),
	    ASMGATE_CONTAINER_NONE);
	assert_int_equal(asmgate_container_detect("PK\3", 3),
	    ASMGATE_CONTAINER_NONE);
	assert_int_equal(asmgate_container_detect(NULL, 4),
	    ASMGATE_CONTAINER_NONE);
	assert_string_equal(asmgate_container_format_name(
	    ASMGATE_CONTAINER_ZIP), "zip");
	assert_string_equal(asmgate_container_format_name(
	    ASMGATE_CONTAINER_NONE), "none");
}

static void
test_ctr__not_a_container(void **state)
{
	asmgate_container *c = NULL;
	asmgate_error err;

	(void)state;
	assert_int_equal(asmgate_container_open_memory(&c, "MZxxxxxx", 8,
	    &err), ASMGATE_E_UNSUPPORTED);
	assert_null(c);
	assert_int_equal(asmgate_container_open_memory(&c, "", 0, &err),
	    ASMGATE_E_EMPTY);
	assert_int_equal(asmgate_container_open_memory(&c, "PK\3\4", 4,
	    &err), ASMGATE_E_TRUNCATED);
}

static void
test_ctr__members_and_fields(void **state)
{
	tz_ent e[3] = {
		{ .name = "readme.txt", .data = text, .len = sizeof(text) - 1 },
		{ .name = "lib/", .data = "", .len = 0 },
		{ .name = "lib/a.txt", .data = text, .len = sizeof(text) - 1,
		  .method = 8 },
	};
	const asmgate_member_info *m;
	asmgate_container *c;
	tz z;

	(void)state;
	tz_build(&z, e, 3, 0, NULL);
	c = must_open(&z);
	assert_int_equal(asmgate_container_get_format(c),
	    ASMGATE_CONTAINER_ZIP);
	assert_int_equal(asmgate_container_count(c), 3);
	assert_null(asmgate_container_member(c, 3));

	m = asmgate_container_member(c, 0);
	assert_string_equal(m->name, "readme.txt");
	assert_int_equal(m->size, sizeof(text) - 1);
	assert_int_equal(m->compressed_size, sizeof(text) - 1);
	assert_int_equal(m->method, 0);
	assert_string_equal(m->method_name, "stored");
	assert_int_equal(m->crc32, crc32(0, (const Bytef *)text,
	    sizeof(text) - 1));
	assert_false(m->is_directory);
	assert_null(m->unsupported);
	assert_int_equal(m->header_offset, 0);
	assert_int_equal(m->data_offset, 30 + 10);

	m = asmgate_container_member(c, 1);
	assert_string_equal(m->name, "lib/");
	assert_true(m->is_directory);
	assert_int_equal(m->size, 0);

	m = asmgate_container_member(c, 2);
	assert_string_equal(m->name, "lib/a.txt");
	assert_int_equal(m->method, 8);
	assert_string_equal(m->method_name, "deflate");
	assert_int_equal(m->compressed_size, z.csize[2]);
	assert_int_equal(m->header_offset, z.local[2]);
	assert_int_equal(m->data_offset, z.data[2]);
	assert_false(m->is_directory);
	asmgate_container_free(c);
	tz_free(&z);
}

static void
test_ctr__read_round_trip(void **state)
{
	uint8_t *dll;
	size_t dlen;
	tz_ent e[3];
	asmgate_container *c;
	tz z;

	(void)state;
	dll = th_load("valid/contoso-orchestrations.dll", &dlen);
	memset(e, 0, sizeof(e));
	e[0].name = "lib/net48/Contoso.dll";
	e[0].data = dll;
	e[0].len = dlen;
	e[0].method = 8;
	e[1].name = "Contoso.stored.dll";
	e[1].data = dll;
	e[1].len = dlen;
	e[2].name = "empty.txt";
	e[2].data = "";
	e[2].method = 8;
	tz_build(&z, e, 3, 0, NULL);
	assert_true(z.csize[0] < dlen);
	c = must_open(&z);
	read_equals(c, 0, dll, dlen);
	read_equals(c, 1, dll, dlen);
	read_equals(c, 2, "", 0);
	asmgate_container_free(c);
	tz_free(&z);
	free(dll);
}

static void
test_ctr__open_file(void **state)
{
	asmgate_container *c = NULL;
	asmgate_error err;
	char path[128];
	FILE *f;
	tz_ent e = { .name = "a.txt", .data = text, .len = sizeof(text) - 1,
		.method = 8 };
	tz z;

	(void)state;
	tz_build(&z, &e, 1, 0, NULL);
	snprintf(path, sizeof(path), "%s/a.zip", th_tmpdir);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(z.p, 1, z.len, f), z.len);
	fclose(f);
	assert_int_equal(asmgate_container_open(&c, path, &err), ASMGATE_OK);
	read_equals(c, 0, text, sizeof(text) - 1);
	asmgate_container_free(c);
	snprintf(path, sizeof(path), "%s/missing.zip", th_tmpdir);
	assert_int_equal(asmgate_container_open(&c, path, &err),
	    ASMGATE_E_IO);
	assert_null(c);
	asmgate_container_free(NULL);
	tz_free(&z);
}

static void
test_ctr__empty_archive(void **state)
{
	static const uint8_t eocd[22] = { 'P', 'K', 5, 6 };
	asmgate_container *c = NULL;
	asmgate_error err;

	(void)state;
	assert_int_equal(asmgate_container_open_memory(&c, eocd, sizeof(eocd),
	    &err), ASMGATE_OK);
	assert_int_equal(asmgate_container_count(c), 0);
	assert_null(asmgate_container_member(c, 0));
	asmgate_container_free(c);
}

static void
test_ctr__cp437_names(void **state)
{
	/* CP437.TXT: 0x80 U+00C7, 0x81 U+00FC, 0xE1 U+00DF, 0xB0 U+2591,
	 * 0xFF U+00A0, 0x9E U+20A7 */
	tz_ent e = { .name = "\x80\x81\xE1\xB0\xFF\x9E.txt",
		.data = text, .len = 3 };
	asmgate_container *c;
	tz z;

	(void)state;
	tz_build(&z, &e, 1, 0, NULL);
	c = must_open(&z);
	assert_string_equal(asmgate_container_member(c, 0)->name,
	    "\xC3\x87\xC3\xBC\xC3\x9F\xE2\x96\x91\xC2\xA0\xE2\x82\xA7.txt");
	asmgate_container_free(c);
	tz_free(&z);
}

static void
test_ctr__utf8_flag(void **state)
{
	tz_ent e[2] = {
		{ .name = "caf\xC3\xA9.dll", .data = text, .len = 3,
		  .flags = 0x0800 },
		{ .name = "caf\xC3\xA9.txt", .data = text, .len = 3 },
	};
	asmgate_container *c;
	tz z;

	(void)state;
	tz_build(&z, e, 2, 0, NULL);
	c = must_open(&z);
	/* bit 11: bytes as stored */
	assert_string_equal(asmgate_container_member(c, 0)->name,
	    "caf\xC3\xA9.dll");
	/* no bit 11: CP437 0xC3 U+251C, 0xA9 U+2310 */
	assert_string_equal(asmgate_container_member(c, 1)->name,
	    "caf\xE2\x94\x9C\xE2\x8C\x90.txt");
	asmgate_container_free(c);
	tz_free(&z);
}

static void
test_ctr__zip64(void **state)
{
	tz_ent e[2] = {
		{ .name = "a.dll", .data = text, .len = sizeof(text) - 1,
		  .method = 8, .zip64 = 1 },
		{ .name = "b.txt", .data = text, .len = sizeof(text) - 1,
		  .method = 8, .zip64 = 1, .descriptor = 1 },
	};
	const asmgate_member_info *m;
	asmgate_container *c;
	tz z;

	(void)state;
	tz_build(&z, e, 2, 1, NULL);
	c = must_open(&z);
	assert_int_equal(asmgate_container_count(c), 2);
	m = asmgate_container_member(c, 0);
	assert_int_equal(m->size, sizeof(text) - 1);
	assert_int_equal(m->compressed_size, z.csize[0]);
	assert_int_equal(m->header_offset, z.local[0]);
	assert_int_equal(m->data_offset, z.data[0]);
	read_equals(c, 0, text, sizeof(text) - 1);
	read_equals(c, 1, text, sizeof(text) - 1);
	asmgate_container_free(c);
	tz_free(&z);
}

static void
test_ctr__zip64_bogus(void **state)
{
	tz_ent e = { .name = "a.dll", .data = text, .len = sizeof(text) - 1,
		.zip64 = 1 };
	size_t x;
	tz z;

	(void)state;
	/* zip64 extras (central and local alike): sizes past the file */
	tz_build(&z, &e, 1, 1, NULL);
	x = z.central[0] + 46 + 5 + 4;
	th_put_u32(z.p + x, 0xFFFFFF00u);
	th_put_u32(z.p + x + 8, 0xFFFFFF00u);
	x = z.local[0] + 30 + 5 + 4;
	th_put_u32(z.p + x, 0xFFFFFF00u);
	th_put_u32(z.p + x + 8, 0xFFFFFF00u);
	must_fail(&z, ASMGATE_E_MALFORMED, "data of 'a.dll' [0x", NULL);
	must_fail(&z, ASMGATE_E_MALFORMED, "runs past the start of the "
	    "central directory", NULL);
	tz_free(&z);

	/* central extra: offset beyond the directory */
	tz_build(&z, &e, 1, 1, NULL);
	x = z.central[0] + 46 + 5 + 4 + 16;
	th_put_u32(z.p + x + 4, 1);
	must_fail(&z, ASMGATE_E_MALFORMED, "not inside the archive", NULL);
	tz_free(&z);

	/* central extra too short for the three values it must hold */
	tz_build(&z, &e, 1, 1, NULL);
	th_put_u16(z.p + z.central[0] + 46 + 5 + 2, 16);
	must_fail(&z, ASMGATE_E_MALFORMED, "too short", NULL);
	tz_free(&z);

	/* zip64 extra field missing although the entry says 0xFFFFFFFF */
	tz_build(&z, &e, 1, 1, NULL);
	th_put_u16(z.p + z.central[0] + 46 + 5, 0x5455);
	must_fail(&z, ASMGATE_E_MALFORMED, "lacks its zip64", NULL);
	tz_free(&z);

	/* zip64 end record: central directory offset out of range */
	tz_build(&z, &e, 1, 1, NULL);
	th_put_u32(z.p + z.cd + z.cd_size + 48 + 4, 0x10);
	must_fail(&z, ASMGATE_E_TRUNCATED, "runs past its end record", NULL);
	tz_free(&z);

	/* end record and zip64 end record disagree on the count */
	tz_build(&z, &e, 1, 1, NULL);
	th_put_u16(z.p + z.eocd + 10, 7);
	must_fail(&z, ASMGATE_E_MALFORMED, "disagree", NULL);
	tz_free(&z);

	/* locator pointing somewhere else than just before it */
	tz_build(&z, &e, 1, 1, NULL);
	th_put_u32(z.p + z.eocd - 20 + 8, (uint32_t)z.cd);
	must_fail(&z, ASMGATE_E_MALFORMED, "not right before", NULL);
	tz_free(&z);
}

static void
test_ctr__data_descriptor(void **state)
{
	tz_ent e[2] = {
		{ .name = "a.txt", .data = text, .len = sizeof(text) - 1,
		  .method = 8, .descriptor = 1 },
		{ .name = "b.txt", .data = text, .len = sizeof(text) - 1,
		  .method = 8, .descriptor = 2 },
	};
	asmgate_container *c;
	tz z;

	(void)state;
	tz_build(&z, e, 2, 0, NULL);
	c = must_open(&z);
	read_equals(c, 0, text, sizeof(text) - 1);
	read_equals(c, 1, text, sizeof(text) - 1);
	asmgate_container_free(c);
	/* a descriptor that disagrees with the central directory */
	z.p[z.data[0] + z.csize[0] + 4] ^= 1;
	must_fail(&z, ASMGATE_E_MALFORMED, "data descriptor of 'a.txt'",
	    NULL);
	tz_free(&z);

	/* with bit 3, a local CRC that is neither 0 nor the central one */
	tz_build(&z, e, 2, 0, NULL);
	th_put_u32(z.p + z.local[1] + 14, 1);
	must_fail(&z, ASMGATE_E_MALFORMED, "crc-32", NULL);
	tz_free(&z);
}

static void
test_ctr__truncated_central_directory(void **state)
{
	tz_ent e[2] = {
		{ .name = "a.txt", .data = text, .len = 5 },
		{ .name = "b.txt", .data = text, .len = 5 },
	};
	tz z;

	(void)state;
	/* more entries than the directory has room for */
	tz_build(&z, e, 2, 0, NULL);
	th_put_u16(z.p + z.eocd + 8, 3);
	th_put_u16(z.p + z.eocd + 10, 3);
	must_fail(&z, ASMGATE_E_TRUNCATED, "cannot hold", NULL);
	tz_free(&z);

	/* directory runs past the end record */
	tz_build(&z, e, 2, 0, NULL);
	th_put_u32(z.p + z.eocd + 12, (uint32_t)z.cd_size + 1);
	must_fail(&z, ASMGATE_E_TRUNCATED, "runs past", NULL);
	tz_free(&z);

	/* the second entry's name runs past the directory */
	tz_build(&z, e, 2, 0, NULL);
	th_put_u16(z.p + z.central[1] + 28, 9);
	must_fail(&z, ASMGATE_E_TRUNCATED, "entry 2 truncated", NULL);
	tz_free(&z);

	/* the file cut inside the directory: no end record */
	tz_build(&z, e, 2, 0, NULL);
	z.len = z.central[1] + 10;
	must_fail(&z, ASMGATE_E_TRUNCATED, "no end of central directory",
	    NULL);
	tz_free(&z);

	/* more directory bytes than entries */
	tz_build(&z, e, 2, 0, NULL);
	th_put_u16(z.p + z.eocd + 8, 1);
	th_put_u16(z.p + z.eocd + 10, 1);
	must_fail(&z, ASMGATE_E_MALFORMED, "bytes after its 1 entries", NULL);
	tz_free(&z);
}

static void
test_ctr__eocd_search(void **state)
{
	tz_ent e = { .name = "a.txt", .data = text, .len = 5 };
	asmgate_container *c;
	tz z;

	(void)state;
	/* a comment holding a fake end record that does not end at EOF */
	tz_build(&z, &e, 1, 0, "PK\5\6 fake, its comment length is wrong");
	c = must_open(&z);
	assert_int_equal(asmgate_container_count(c), 1);
	asmgate_container_free(c);
	tz_free(&z);

	/* A comment that ends in a consistent 22-byte fake record (with a
	 * fake directory of its own before it, naming the same local
	 * header): readers that take the last record and readers that take
	 * the first would each open an archive. This pins first-vs-last:
	 * neither is taken. */
	{
		tz_ent f = { .name = "b.txt", .data = text, .len = 5 };
		uint8_t comment[46 + 5 + 22 + 1];
		tz y;

		tz_build(&y, &f, 1, 0, NULL);
		memcpy(comment, y.p + y.cd, 46 + 5);
		memcpy(comment + 46 + 5, y.p + y.eocd, 22);
		comment[sizeof(comment) - 1] = '\0';
		tz_build(&z, &f, 1, 0, NULL);
		/* the fake directory sits right after the real end record */
		th_put_u32(comment + 46 + 5 + 16, (uint32_t)(z.eocd + 22));
		tz_free(&z);
		tz_free(&y);
		/* the comment holds NUL bytes: build, then append it */
		tz_build(&z, &f, 1, 0, NULL);
		th_put_u16(z.p + z.eocd + 20, sizeof(comment) - 1);
		tz_put(&z, comment, sizeof(comment) - 1);
		must_fail(&z, ASMGATE_E_MALFORMED, "two end of central "
		    "directory records", NULL);
		tz_free(&z);
	}

	/* bytes after the end record (comment length short) */
	tz_build(&z, &e, 1, 0, "comment");
	th_put_u16(z.p + z.eocd + 20, 3);
	must_fail(&z, ASMGATE_E_TRUNCATED, "no end of central directory",
	    NULL);
	tz_free(&z);

	/* multi-disk */
	tz_build(&z, &e, 1, 0, NULL);
	th_put_u16(z.p + z.eocd + 4, 1);
	must_fail(&z, ASMGATE_E_UNSUPPORTED, "multi-disk", NULL);
	tz_free(&z);
	tz_build(&z, &e, 1, 0, NULL);
	th_put_u16(z.p + z.eocd + 8, 0);
	must_fail(&z, ASMGATE_E_UNSUPPORTED, "multi-disk", NULL);
	tz_free(&z);
}

static void
test_ctr__local_central_mismatch(void **state)
{
	tz_ent e[2] = {
		{ .name = "lib/a.dll", .data = text, .len = sizeof(text) - 1,
		  .method = 8 },
		{ .name = "b.txt", .data = text, .len = 5 },
	};
	asmgate_error err;
	tz z;

	(void)state;
	tz_build(&z, e, 2, 0, NULL);
	th_put_u16(z.p + z.local[0] + 8, 0); /* method */
	must_fail(&z, ASMGATE_E_MALFORMED, "local header of 'lib/a.dll' "
	    "disagrees with the central directory (method", &err);
	assert_true(err.has_offset);
	assert_int_equal(err.offset, z.local[0]);
	tz_free(&z);

	tz_build(&z, e, 2, 0, NULL);
	z.p[z.local[0] + 30] = 'L'; /* name, same length */
	must_fail(&z, ASMGATE_E_MALFORMED, "names another file", NULL);
	tz_free(&z);

	tz_build(&z, e, 2, 0, NULL);
	th_put_u32(z.p + z.local[1] + 14, 0); /* crc */
	must_fail(&z, ASMGATE_E_MALFORMED, "crc-32", NULL);
	tz_free(&z);

	tz_build(&z, e, 2, 0, NULL);
	th_put_u32(z.p + z.local[1] + 22, 4); /* size */
	must_fail(&z, ASMGATE_E_MALFORMED, "(size", NULL);
	tz_free(&z);

	tz_build(&z, e, 2, 0, NULL);
	th_put_u32(z.p + z.local[0] + 18, 4); /* compressed size */
	must_fail(&z, ASMGATE_E_MALFORMED, "compressed size", NULL);
	tz_free(&z);

	tz_build(&z, e, 2, 0, NULL);
	z.p[z.local[0] + 6] |= 1; /* encryption flag */
	must_fail(&z, ASMGATE_E_MALFORMED, "encryption", NULL);
	tz_free(&z);

	tz_build(&z, e, 2, 0, NULL);
	z.p[z.local[1]] = 'X'; /* signature */
	must_fail(&z, ASMGATE_E_MALFORMED, "bad signature", NULL);
	tz_free(&z);
}

static void
test_ctr__bad_crc(void **state)
{
	tz_ent e[2] = {
		{ .name = "a.dll", .data = text, .len = sizeof(text) - 1,
		  .method = 8 },
		{ .name = "b.txt", .data = text, .len = sizeof(text) - 1 },
	};
	asmgate_error err;
	tz z;

	(void)state;
	tz_build(&z, e, 2, 0, NULL);
	z.p[z.data[1]] ^= 0x20; /* stored byte changed */
	read_fails(&z, 1, 1024, ASMGATE_E_MALFORMED, "CRC-32 mismatch", &err);
	assert_true(err.has_offset);
	assert_int_equal(err.offset, z.data[1]);
	tz_free(&z);

	tz_build(&z, e, 2, 0, NULL);
	th_put_u32(z.p + z.local[0] + 14, z.crc[0] ^ 1);
	th_put_u32(z.p + z.central[0] + 16, z.crc[0] ^ 1);
	read_fails(&z, 0, 1024, ASMGATE_E_MALFORMED, "CRC-32 mismatch", &err);
	assert_int_equal(err.offset, z.data[0]);
	tz_free(&z);
}

static void
test_ctr__overlapping_members(void **state)
{
	tz inner;
	tz_ent b = { .name = "b.txt", .data = text, .len = 5 };
	tz_ent e[2];
	tz z;

	(void)state;
	/* b's local header and data, quoted as a's stored data; b's central
	 * entry points into a: both local headers check out. */
	tz_build(&inner, &b, 1, 0, NULL);
	memset(e, 0, sizeof(e));
	e[0].name = "a.txt";
	e[0].data = inner.p;
	e[0].len = inner.cd;
	e[1] = b;
	e[1].at = 30 + 5;
	tz_build(&z, e, 2, 0, NULL);
	must_fail(&z, ASMGATE_E_MALFORMED, "overlap", NULL);
	tz_free(&z);

	/* two entries naming the same local header */
	memset(e, 0, sizeof(e));
	e[0].name = "a.txt";
	e[0].data = text;
	e[0].len = 5;
	e[1] = e[0];
	e[1].at = -1;
	tz_build(&z, e, 2, 0, NULL);
	th_put_u32(z.p + z.central[1] + 42, 0);
	must_fail(&z, ASMGATE_E_MALFORMED, "overlap", NULL);
	tz_free(&z);
	tz_free(&inner);
}

static void
test_ctr__member_past_end(void **state)
{
	tz_ent e[2] = {
		{ .name = "a.txt", .data = text, .len = 5 },
		{ .name = "b.txt", .data = text, .len = 5 },
	};
	tz z;

	(void)state;
	tz_build(&z, e, 2, 0, NULL);
	th_put_u32(z.p + z.local[1] + 18, 5000);
	th_put_u32(z.p + z.local[1] + 22, 5000);
	th_put_u32(z.p + z.central[1] + 20, 5000);
	th_put_u32(z.p + z.central[1] + 24, 5000);
	must_fail(&z, ASMGATE_E_MALFORMED, "runs past the start of the "
	    "central directory", NULL);
	tz_free(&z);

	tz_build(&z, e, 2, 0, NULL);
	th_put_u32(z.p + z.central[1] + 42, (uint32_t)z.cd - 10);
	must_fail(&z, ASMGATE_E_MALFORMED, "not inside the archive", NULL);
	tz_free(&z);
}

static void
test_ctr__inflate_size_checks(void **state)
{
	tz_ent e = { .name = "a.txt", .data = text, .len = sizeof(text) - 1,
		.method = 8 };
	uint8_t *junk;
	tz_ent j;
	tz z;

	(void)state;
	/* declared smaller than the stream: inflates past the size */
	tz_build(&z, &e, 1, 0, NULL);
	th_put_u32(z.p + z.local[0] + 22, 4);
	th_put_u32(z.p + z.central[0] + 24, 4);
	read_fails(&z, 0, 1024, ASMGATE_E_MALFORMED, "past the declared",
	    NULL);
	tz_free(&z);

	/* declared larger: the stream ends early */
	tz_build(&z, &e, 1, 0, NULL);
	th_put_u32(z.p + z.local[0] + 22, 100);
	th_put_u32(z.p + z.central[0] + 24, 100);
	read_fails(&z, 0, 1024, ASMGATE_E_MALFORMED, "ends before", NULL);
	tz_free(&z);

	/* compressed bytes left after the stream: append junk to the
	 * deflate data by building a stored-looking entry of our own */
	{
		size_t clen;
		uint8_t *comp = deflate_raw(text, sizeof(text) - 1, &clen);
		junk = malloc(clen + 3);
		assert_non_null(junk);
		memcpy(junk, comp, clen);
		memcpy(junk + clen, "xyz", 3);
		free(comp);
		memset(&j, 0, sizeof(j));
		j.name = "a.txt";
		j.data = junk;
		j.len = clen + 3;
		tz_build(&z, &j, 1, 0, NULL);
		/* now say: deflate, size and CRC of the text */
		th_put_u16(z.p + z.local[0] + 8, 8);
		th_put_u16(z.p + z.central[0] + 10, 8);
		th_put_u32(z.p + z.local[0] + 14, (uint32_t)crc32(0,
		    (const Bytef *)text, sizeof(text) - 1));
		th_put_u32(z.p + z.central[0] + 16, (uint32_t)crc32(0,
		    (const Bytef *)text, sizeof(text) - 1));
		th_put_u32(z.p + z.local[0] + 22, sizeof(text) - 1);
		th_put_u32(z.p + z.central[0] + 24, sizeof(text) - 1);
		read_fails(&z, 0, 1024, ASMGATE_E_MALFORMED, "left after",
		    NULL);
		/* invalid deflate data */
		z.p[z.data[0]] = 0xFF;
		read_fails(&z, 0, 1024, ASMGATE_E_MALFORMED,
		    "invalid deflate data", NULL);
		tz_free(&z);
		/* truncated: the last compressed bytes cut off (a member of
		 * its own, so no bytes are left between it and the
		 * directory) */
		j.len = clen - 2;
		tz_build(&z, &j, 1, 0, NULL);
		th_put_u16(z.p + z.local[0] + 8, 8);
		th_put_u16(z.p + z.central[0] + 10, 8);
		th_put_u32(z.p + z.local[0] + 14, (uint32_t)crc32(0,
		    (const Bytef *)text, sizeof(text) - 1));
		th_put_u32(z.p + z.central[0] + 16, (uint32_t)crc32(0,
		    (const Bytef *)text, sizeof(text) - 1));
		th_put_u32(z.p + z.local[0] + 22, sizeof(text) - 1);
		th_put_u32(z.p + z.central[0] + 24, sizeof(text) - 1);
		read_fails(&z, 0, 1024, ASMGATE_E_MALFORMED,
		    "member 'a.txt': deflate data ends before the declared "
		    "size", NULL);
		tz_free(&z);
		free(junk);
	}

	/* stored with compressed size != size */
	tz_build(&z, &e, 1, 0, NULL);
	th_put_u16(z.p + z.local[0] + 8, 0);
	th_put_u16(z.p + z.central[0] + 10, 0);
	must_fail(&z, ASMGATE_E_MALFORMED, "stored member 'a.txt'", NULL);
	tz_free(&z);
}

static void
test_ctr__ratio_bomb_and_max(void **state)
{
	size_t n = (size_t)2 << 20;
	uint8_t *zeros = calloc(1, n), buf[16];
	tz_ent e = { .name = "bomb.bin", .method = 8 };
	asmgate_container *c;
	asmgate_error err;
	size_t got;
	tz z;

	(void)state;
	assert_non_null(zeros);
	e.data = zeros;
	e.len = n;
	tz_build(&z, &e, 1, 0, NULL);
	assert_true(z.csize[0] * RD_MAX_COMPRESSION_RATIO < n);
	read_fails(&z, 0, RD_MAX_MEMBER_BYTES, ASMGATE_E_LIMIT,
	    "compression ratio", NULL);
	read_fails(&z, 0, 1000, ASMGATE_E_LIMIT, "above the limit", NULL);
	/* peeking needs no ratio check */
	c = must_open(&z);
	assert_int_equal(asmgate_container_peek(c, 0, buf, sizeof(buf), &got,
	    &err), ASMGATE_OK);
	assert_int_equal(got, sizeof(buf));
	assert_memory_equal(buf, zeros, sizeof(buf));
	asmgate_container_free(c);
	tz_free(&z);

	/* at or below RD_RATIO_MIN_BYTES the ratio is not held against it */
	e.len = (size_t)RD_RATIO_MIN_BYTES;
	tz_build(&z, &e, 1, 0, NULL);
	c = must_open(&z);
	read_equals(c, 0, zeros, e.len);
	asmgate_container_free(c);
	/* max exactly the size: fine; one less: limit */
	read_fails(&z, 0, e.len - 1, ASMGATE_E_LIMIT, "above the limit", NULL);
	tz_free(&z);
	free(zeros);
}

static void
test_ctr__duplicate_names(void **state)
{
	tz_ent e[3] = {
		{ .name = "lib/A.dll", .data = text, .len = 5 },
		{ .name = "readme", .data = text, .len = 5 },
		{ .name = "lib/A.dll", .data = text, .len = 5 },
	};
	asmgate_error err;
	tz z;

	(void)state;
	tz_build(&z, e, 3, 0, NULL);
	must_fail(&z, ASMGATE_E_MALFORMED, "duplicate member name 'lib/A.dll'",
	    &err);
	assert_int_equal(err.offset, z.central[2]);
	tz_free(&z);

	e[2].name = "LIB/a.DLL";
	tz_build(&z, e, 3, 0, NULL);
	must_fail(&z, ASMGATE_E_MALFORMED, "differ only in case", NULL);
	tz_free(&z);

	/* a CP437 name and a UTF-8 name that convert to the same text */
	e[0].name = "\x82.txt";
	e[2].name = "\xC3\xA9.txt";
	e[2].flags = 0x0800;
	tz_build(&z, e, 3, 0, NULL);
	must_fail(&z, ASMGATE_E_MALFORMED, "duplicate member name", NULL);
	tz_free(&z);
}

static void
test_ctr__encrypted(void **state)
{
	tz_ent e[3] = {
		{ .name = "a.dll", .data = text, .len = 5, .flags = 1 },
		{ .name = "b.dll", .data = text, .len = 5, .flags = 0x40 },
		{ .name = "c.dll", .data = text, .len = 5, .method = 99 },
	};
	asmgate_container *c;
	asmgate_error err;
	uint8_t *out = NULL, buf[4];
	size_t i, len, got;
	tz z;

	(void)state;
	tz_build(&z, e, 3, 0, NULL);
	c = must_open(&z);
	for (i = 0; i < 3; i++) {
		const asmgate_member_info *m = asmgate_container_member(c, i);
		assert_non_null(m->unsupported);
		assert_string_equal(m->unsupported, "encrypted");
		assert_int_equal(asmgate_container_read(c, i, 1024, &out, &len,
		    &err), ASMGATE_E_UNSUPPORTED);
		assert_null(out);
		assert_non_null(strstr(err.msg, "encrypted"));
		assert_int_equal(err.offset, m->data_offset);
		assert_int_equal(asmgate_container_peek(c, i, buf, 4, &got,
		    &err), ASMGATE_E_UNSUPPORTED);
	}
	assert_string_equal(asmgate_container_member(c, 2)->method_name,
	    "aes");
	asmgate_container_free(c);
	tz_free(&z);
}

static void
test_ctr__unsupported_methods(void **state)
{
	tz_ent e[3] = {
		{ .name = "a.dll", .data = text, .len = 5, .method = 12 },
		{ .name = "b.dll", .data = text, .len = 5, .method = 77 },
		{ .name = "c.dll", .data = text, .len = 5, .method = 14 },
	};
	const asmgate_member_info *m;
	asmgate_container *c;
	tz z;

	(void)state;
	tz_build(&z, e, 3, 0, NULL);
	c = must_open(&z);
	m = asmgate_container_member(c, 0);
	assert_string_equal(m->method_name, "bzip2");
	assert_string_equal(m->unsupported, "compression method 12 (bzip2)");
	m = asmgate_container_member(c, 1);
	assert_string_equal(m->method_name, "method 77");
	assert_string_equal(m->unsupported, "compression method 77");
	m = asmgate_container_member(c, 2);
	assert_string_equal(m->unsupported, "compression method 14 (lzma)");
	asmgate_container_free(c);
	read_fails(&z, 0, 1024, ASMGATE_E_UNSUPPORTED,
	    "member 'a.dll': compression method 12 (bzip2)", NULL);
	tz_free(&z);
}

static void
test_ctr__names_nul_and_controls(void **state)
{
	tz_ent e = { .name = "a\0b.dll", .nlen = 7, .data = text, .len = 5 };
	tz_ent k = { .name = "evil\x1b[31m\n\t.dll", .data = text,
		.len = sizeof(text) - 1 };
	asmgate_container *c;
	asmgate_error err;
	tz z;

	(void)state;
	tz_build(&z, &e, 1, 0, NULL);
	must_fail(&z, ASMGATE_E_MALFORMED, "NUL", NULL);
	tz_free(&z);

	e.nlen = 0;
	e.name = "";
	tz_build(&z, &e, 1, 0, NULL);
	must_fail(&z, ASMGATE_E_MALFORMED, "empty name", NULL);
	tz_free(&z);

	/* control characters are kept in the name (the caller escapes) */
	tz_build(&z, &k, 1, 0, NULL);
	c = must_open(&z);
	assert_string_equal(asmgate_container_member(c, 0)->name,
	    "evil\x1b[31m\n\t.dll");
	read_equals(c, 0, text, sizeof(text) - 1);
	asmgate_container_free(c);
	/* ... and made printable in messages */
	z.p[z.data[0]] ^= 1;
	read_fails(&z, 0, 1024, ASMGATE_E_MALFORMED,
	    "member 'evil?[31m??.dll'", &err);
	tz_free(&z);
}

static void
test_ctr__name_cap_and_quote(void **state)
{
	char *name = malloc(RD_MAX_MEMBER_NAME + 2);
	tz_ent e = { .data = text, .len = 5 };
	asmgate_error err;
	tz z;

	(void)state;
	assert_non_null(name);
	memset(name, 'n', RD_MAX_MEMBER_NAME + 1);
	name[RD_MAX_MEMBER_NAME + 1] = '\0';
	e.name = name;
	tz_build(&z, &e, 1, 0, NULL);
	must_fail(&z, ASMGATE_E_LIMIT, "above the cap", NULL);
	tz_free(&z);

	/* at the cap: fine; a message quotes it truncated */
	name[RD_MAX_MEMBER_NAME] = '\0';
	tz_build(&z, &e, 1, 0, NULL);
	th_put_u32(z.p + z.local[0] + 14, 0);
	must_fail(&z, ASMGATE_E_MALFORMED, "nnn...'", &err);
	assert_true(strlen(err.msg) < 200);
	tz_free(&z);
	free(name);
}

static void
test_ctr__member_cap(void **state)
{
	tz_ent e = { .name = "a.txt", .data = text, .len = 5 };
	tz z;

	(void)state;
	tz_build(&z, &e, 1, 1, NULL);
	/* zip64 end record: RD_MAX_CONTAINER_MEMBERS + 1 entries */
	th_put_u32(z.p + z.cd + z.cd_size + 24, RD_MAX_CONTAINER_MEMBERS + 1);
	th_put_u32(z.p + z.cd + z.cd_size + 32, RD_MAX_CONTAINER_MEMBERS + 1);
	must_fail(&z, ASMGATE_E_LIMIT, "above the cap", NULL);
	tz_free(&z);
}

static void
test_ctr__unicode_path_extra(void **state)
{
	uint8_t x[4 + 1 + 4 + 5];
	tz_ent e = { .name = "a.txt", .data = text, .len = 5 };
	asmgate_container *c;
	tz z;

	(void)state;
	th_put_u16(x, 0x7075);
	th_put_u16(x + 2, 10);
	x[4] = 1;
	th_put_u32(x + 5, (uint32_t)crc32(0, (const Bytef *)"a.txt", 5));
	memcpy(x + 9, "b.dll", 5);
	e.cextra = x;
	e.cxlen = sizeof(x);
	tz_build(&z, &e, 1, 0, NULL);
	must_fail(&z, ASMGATE_E_MALFORMED, "unicode path", NULL);
	tz_free(&z);

	memcpy(x + 9, "a.txt", 5); /* agrees: fine */
	tz_build(&z, &e, 1, 0, NULL);
	c = must_open(&z);
	asmgate_container_free(c);
	tz_free(&z);
}

static void
test_ctr__peek(void **state)
{
	uint8_t *dll, buf[64];
	size_t dlen, got;
	tz_ent e[2];
	asmgate_container *c;
	asmgate_error err;
	tz z;

	(void)state;
	dll = th_load("valid/hello.exe", &dlen);
	memset(e, 0, sizeof(e));
	e[0].name = "hello.exe";
	e[0].data = dll;
	e[0].len = dlen;
	e[0].method = 8;
	e[1].name = "short.txt";
	e[1].data = "abc";
	e[1].len = 3;
	e[1].method = 8;
	tz_build(&z, e, 2, 0, NULL);
	c = must_open(&z);
	assert_int_equal(asmgate_container_peek(c, 0, buf, 2, &got, &err),
	    ASMGATE_OK);
	assert_int_equal(got, 2);
	assert_memory_equal(buf, "MZ", 2);
	assert_int_equal(asmgate_container_peek(c, 0, buf, sizeof(buf), &got,
	    &err), ASMGATE_OK);
	assert_int_equal(got, sizeof(buf));
	assert_memory_equal(buf, dll, sizeof(buf));
	assert_int_equal(asmgate_container_peek(c, 1, buf, sizeof(buf), &got,
	    &err), ASMGATE_OK);
	assert_int_equal(got, 3);
	assert_memory_equal(buf, "abc", 3);
	assert_int_equal(asmgate_container_peek(c, 1, buf, 0, &got, &err),
	    ASMGATE_OK);
	assert_int_equal(got, 0);
	assert_int_equal(asmgate_container_peek(c, 2, buf, 4, &got, &err),
	    ASMGATE_E_USAGE);
	asmgate_container_free(c);
	tz_free(&z);
	free(dll);
}

/* Bytes between members, before the first or after the last: a local
 * header hidden there is what a streaming reader finds. */
static void
test_ctr__gaps(void **state)
{
	tz_ent e[3] = {
		{ .name = "a.txt", .data = text, .len = 5 },
		{ .name = "evil.dll", .data = text, .len = sizeof(text) - 1,
		  .method = 8 },
		{ .name = "c.txt", .data = text, .len = 5 },
	};
	asmgate_error err;
	tz z;

	(void)state;
	/* between two members */
	tz_build(&z, e, 3, 0, NULL);
	tz_drop_central(&z, 1, 3);
	must_fail(&z, ASMGATE_E_MALFORMED, "gap of ", &err);
	if (!strstr(err.msg, "before member 'c.txt'"))
		fail_msg("%s", err.msg);
	assert_int_equal(err.offset, z.local[1]);
	tz_free(&z);

	/* before the first member */
	tz_build(&z, e, 3, 0, NULL);
	tz_drop_central(&z, 0, 3);
	must_fail(&z, ASMGATE_E_MALFORMED, "gap of 40 bytes at 0x0 before "
	    "member 'evil.dll'", &err);
	assert_int_equal(err.offset, 0);
	tz_free(&z);

	/* after the last member, before the directory */
	tz_build(&z, e, 3, 0, NULL);
	tz_drop_central(&z, 2, 3);
	must_fail(&z, ASMGATE_E_MALFORMED, "before the directory", &err);
	assert_int_equal(err.offset, z.local[2]);
	tz_free(&z);

	/* one member: its data, then junk */
	tz_build(&z, e, 2, 0, NULL);
	tz_drop_central(&z, 1, 2);
	must_fail(&z, ASMGATE_E_MALFORMED, "before the directory", NULL);
	tz_free(&z);

	/* no member at all: the directory must start at 0 */
	tz_build(&z, e, 1, 0, NULL);
	tz_drop_central(&z, 0, 1);
	must_fail(&z, ASMGATE_E_MALFORMED, "gap of 40 bytes at 0x0 before "
	    "the directory", NULL);
	tz_free(&z);

	/* with data descriptors of both kinds the members still tile */
	e[0].method = 8;
	e[0].descriptor = 1;
	e[1].descriptor = 2;
	e[2].method = 8;
	e[2].descriptor = 1;
	e[2].zip64 = 1;
	tz_build(&z, e, 3, 1, NULL);
	asmgate_container_free(must_open(&z));
	tz_free(&z);
}

/* An empty member with ZIP64 sizes in its descriptor: the 24 bytes also
 * read as a 16-byte descriptor; the one the next header follows wins. */
static void
test_ctr__descriptor_layouts(void **state)
{
	tz_ent e[2] = {
		{ .name = "empty.txt", .data = "", .len = 0, .method = 8,
		  .descriptor = 1, .zip64 = 1 },
		{ .name = "b.txt", .data = text, .len = 5 },
	};
	asmgate_container *c;
	tz z;

	(void)state;
	tz_build(&z, e, 2, 1, NULL);
	c = must_open(&z);
	read_equals(c, 0, "", 0);
	read_equals(c, 1, text, 5);
	asmgate_container_free(c);
	tz_free(&z);
}

/* Flags a streaming reader takes from the local header must be the
 * central directory's; stored data cannot end in a descriptor. */
static void
test_ctr__local_flags(void **state)
{
	tz_ent e[2] = {
		{ .name = "a.bin", .data = text, .len = sizeof(text) - 1,
		  .method = 8, .descriptor = 1 },
		{ .name = "b.txt", .data = text, .len = 5 },
	};
	tz z;

	(void)state;
	/* bit 3 in the central entry only: the local header says an
	 * empty member (zero CRC and sizes) */
	tz_build(&z, e, 2, 0, NULL);
	z.p[z.local[0] + 6] &= (uint8_t)~8;
	must_fail(&z, ASMGATE_E_MALFORMED, "local header of 'a.bin' disagrees "
	    "with the central directory (data descriptor flag", NULL);
	tz_free(&z);

	/* bit 3 in the local header only */
	tz_build(&z, e, 2, 0, NULL);
	z.p[z.local[1] + 6] |= 8;
	must_fail(&z, ASMGATE_E_MALFORMED, "(data descriptor flag", NULL);
	tz_free(&z);

	/* bit 11 (UTF-8) in one header only, either way */
	tz_build(&z, e, 2, 0, NULL);
	z.p[z.local[1] + 7] |= 8;
	must_fail(&z, ASMGATE_E_MALFORMED, "(UTF-8 flag", NULL);
	tz_free(&z);
	tz_build(&z, e, 2, 0, NULL);
	z.p[z.central[1] + 9] |= 8;
	must_fail(&z, ASMGATE_E_MALFORMED, "(UTF-8 flag", NULL);
	tz_free(&z);

	/* bit 13 (masked local header) in the local header only */
	tz_build(&z, e, 2, 0, NULL);
	z.p[z.local[1] + 7] |= 0x20;
	must_fail(&z, ASMGATE_E_MALFORMED, "(masked header flag", NULL);
	tz_free(&z);

	/* stored with a data descriptor, both headers agreeing */
	e[0].method = 0;
	tz_build(&z, e, 2, 0, NULL);
	must_fail(&z, ASMGATE_E_MALFORMED, "stored member 'a.bin' has a data "
	    "descriptor", NULL);
	tz_free(&z);
}

/* Bit 11 with bytes that are not UTF-8: .NET reads each bad byte as
 * U+FFFD, so two different names would read the same. */
static void
test_ctr__utf8_flag_invalid(void **state)
{
	tz_ent e[2] = {
		{ .name = "lib/a\xFF.dll", .data = text, .len = 3,
		  .flags = 0x0800 },
		{ .name = "lib/a\xFE.dll", .data = text, .len = 3,
		  .flags = 0x0800 },
	};
	static const char *const bad[] = {
		"a\xC3.dll",             /* truncated sequence */
		"a\xC0\xAF.dll",         /* overlong '/' */
		"a\xED\xA0\x80.dll",     /* surrogate */
		"a\x80.dll",             /* stray continuation byte */
	};
	asmgate_container *c;
	size_t k;
	tz z;

	(void)state;
	tz_build(&z, e, 2, 0, NULL);
	must_fail(&z, ASMGATE_E_MALFORMED, "central directory entry 1: name "
	    "is not valid UTF-8 (byte 6)", NULL);
	tz_free(&z);
	for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		e[1].name = bad[k];
		tz_build(&z, &e[1], 1, 0, NULL);
		must_fail(&z, ASMGATE_E_MALFORMED, "not valid UTF-8", NULL);
		tz_free(&z);
	}
	/* without bit 11 the same bytes are CP437: fine */
	e[0].flags = 0;
	e[1].flags = 0;
	e[1].name = "lib/a\xFE.dll";
	tz_build(&z, e, 2, 0, NULL);
	c = must_open(&z);
	/* CP437.TXT: 0xFF U+00A0, 0xFE U+25A0 */
	assert_string_equal(asmgate_container_member(c, 0)->name,
	    "lib/a\xC2\xA0.dll");
	assert_string_equal(asmgate_container_member(c, 1)->name,
	    "lib/a\xE2\x96\xA0.dll");
	asmgate_container_free(c);
	tz_free(&z);
}

/* Without bit 11, bytes that are valid UTF-8 are shown as CP437 but .NET
 * (NuGet) reads them as UTF-8: duplicates under either reading. */
static void
test_ctr__utf8_unflagged_duplicates(void **state)
{
	tz_ent e[2] = {
		{ .name = "caf\xC3\xA9.dll", .data = text, .len = 3 },
		{ .name = "caf\xC3\xA9.dll", .data = text, .len = 4,
		  .flags = 0x0800 },
	};
	asmgate_error err;
	tz z;

	(void)state;
	tz_build(&z, e, 2, 0, NULL);
	must_fail(&z, ASMGATE_E_MALFORMED, "are the same file when read as "
	    "UTF-8", &err);
	assert_int_equal(err.offset, z.central[1]);
	tz_free(&z);

	/* either order, and with case folded */
	e[0].flags = 0x0800;
	e[0].name = "CAF\xC3\xA9.dll";
	e[1].flags = 0;
	tz_build(&z, e, 2, 0, NULL);
	must_fail(&z, ASMGATE_E_MALFORMED, "when read as UTF-8", NULL);
	tz_free(&z);

	/* the name asmgate shows for one (CP437 0x82 U+00E9) is the name
	 * .NET reads for the other: a report would vouch for the wrong
	 * file */
	e[0].flags = 0;
	e[0].name = "caf\x82.dll";
	tz_build(&z, e, 2, 0, NULL);
	must_fail(&z, ASMGATE_E_MALFORMED, "when read as UTF-8", NULL);
	tz_free(&z);

	/* different under both readings: fine */
	e[0].name = "caf\xC3\xA8.dll";
	tz_build(&z, e, 2, 0, NULL);
	asmgate_container_free(must_open(&z));
	tz_free(&z);
}

/* Names an extractor writes to the same path, and names that escape
 * the folder they are extracted to. */
static void
test_ctr__path_names(void **state)
{
	static const struct {
		const char *a, *b;
	} same[] = {
		{ "lib/net48/A.dll", "lib\\net48\\A.dll" },
		{ "lib/a.dll", "lib//a.dll" },
		{ "lib/a.dll", "./lib/./a.dll" },
		{ "lib/a.dll", "LIB\\.\\A.DLL" },
		{ "lib/", "lib" },
	};
	static const struct {
		const char *name, *why;
	} escape[] = {
		{ "../evil.dll", "has a '..' segment" },
		{ "lib/../../evil.dll", "has a '..' segment" },
		{ "lib\\..\\..\\evil.dll", "has a '..' segment" },
		{ "lib/..", "has a '..' segment" },
		{ "/etc/evil.dll", "is an absolute path" },
		{ "\\Windows\\evil.dll", "is an absolute path" },
		{ "C:evil.dll", "starts with a drive letter" },
		{ "c:/evil.dll", "starts with a drive letter" },
	};
	static const char *const fine[] = {
		"a..b.dll", "...", "lib/..x/a.dll", "lib/.hidden", "1:a.dll",
	};
	tz_ent e[2] = {
		{ .data = text, .len = 5 },
		{ .data = text, .len = 5 },
	};
	asmgate_container *c;
	asmgate_error err;
	size_t k;
	tz z;

	(void)state;
	for (k = 0; k < sizeof(same) / sizeof(same[0]); k++) {
		e[0].name = same[k].a;
		e[1].name = same[k].b;
		tz_build(&z, e, 2, 0, NULL);
		must_fail(&z, ASMGATE_E_MALFORMED, "are the same path", &err);
		assert_int_equal(err.offset, z.central[1]);
		tz_free(&z);
	}
	for (k = 0; k < sizeof(escape) / sizeof(escape[0]); k++) {
		char want[128];

		e[0].name = escape[k].name;
		tz_build(&z, e, 1, 0, NULL);
		(void)snprintf(want, sizeof(want), "member name '%s' %s",
		    escape[k].name, escape[k].why);
		must_fail(&z, ASMGATE_E_MALFORMED, want, &err);
		assert_int_equal(err.offset, z.central[0]);
		tz_free(&z);
	}
	for (k = 0; k < sizeof(fine) / sizeof(fine[0]); k++) {
		e[0].name = fine[k];
		tz_build(&z, e, 1, 0, NULL);
		c = must_open(&z);
		assert_string_equal(asmgate_container_member(c, 0)->name,
		    fine[k]);
		asmgate_container_free(c);
		tz_free(&z);
	}
}

/* The Info-ZIP Unicode Path field of the local header: what a streaming
 * unzip shows. */
static void
test_ctr__unicode_path_local(void **state)
{
	uint8_t x[4 + 1 + 4 + 5];
	tz_ent e = { .name = "a.txt", .data = text, .len = 5 };
	asmgate_error err;
	tz z;

	(void)state;
	th_put_u16(x, 0x7075);
	th_put_u16(x + 2, 10);
	x[4] = 1;
	th_put_u32(x + 5, (uint32_t)crc32(0, (const Bytef *)"a.txt", 5));
	memcpy(x + 9, "b.dll", 5);
	e.lextra = x;
	e.lxlen = sizeof(x);
	tz_build(&z, &e, 1, 0, NULL);
	must_fail(&z, ASMGATE_E_MALFORMED, "unicode path extra field of "
	    "'a.txt' in its local header names another file", &err);
	assert_int_equal(err.offset, z.local[0]);
	tz_free(&z);

	/* two of them */
	{
		uint8_t two[2 * sizeof(x)];

		memcpy(x + 9, "a.txt", 5);
		memcpy(two, x, sizeof(x));
		memcpy(two + sizeof(x), x, sizeof(x));
		e.lextra = two;
		e.lxlen = sizeof(two);
		tz_build(&z, &e, 1, 0, NULL);
		must_fail(&z, ASMGATE_E_MALFORMED, "two unicode path extra "
		    "fields in its local header", NULL);
		tz_free(&z);
	}

	/* agrees: fine */
	e.lextra = x;
	e.lxlen = sizeof(x);
	tz_build(&z, &e, 1, 0, NULL);
	asmgate_container_free(must_open(&z));
	tz_free(&z);
}

/* A peek is refused when the data ends before min(n, declared size). */
static void
test_ctr__peek_short(void **state)
{
	tz_ent e = { .name = "x.dll", .data = "MZ", .len = 2, .method = 8 };
	asmgate_container *c;
	asmgate_error err;
	uint8_t buf[64];
	size_t got = 99;
	tz z;

	(void)state;
	tz_build(&z, &e, 1, 0, NULL);
	th_put_u32(z.p + z.local[0] + 22, 1000);
	th_put_u32(z.p + z.central[0] + 24, 1000);
	c = must_open(&z);
	asmgate_error_clear(&err);
	assert_int_equal(asmgate_container_peek(c, 0, buf, sizeof(buf), &got,
	    &err), ASMGATE_E_MALFORMED);
	assert_int_equal(got, 0);
	if (!strstr(err.msg, "member 'x.dll': data ends after 2 bytes, "
	    "before the declared size of 1000"))
		fail_msg("%s", err.msg);
	assert_int_equal(err.offset, z.data[0]);
	/* two bytes asked: two bytes there */
	assert_int_equal(asmgate_container_peek(c, 0, buf, 2, &got, &err),
	    ASMGATE_OK);
	assert_int_equal(got, 2);
	assert_memory_equal(buf, "MZ", 2);
	asmgate_container_free(c);
	tz_free(&z);

	/* stored: the declared size is the data's */
	e.method = 0;
	tz_build(&z, &e, 1, 0, NULL);
	c = must_open(&z);
	assert_int_equal(asmgate_container_peek(c, 0, buf, sizeof(buf), &got,
	    &err), ASMGATE_OK);
	assert_int_equal(got, 2);
	asmgate_container_free(c);
	tz_free(&z);
}

/* max above RD_MAX_MEMBER_BYTES is held to it. */
static void
test_ctr__read_max_clamped(void **state)
{
	tz_ent e = { .name = "a.txt", .data = text, .len = sizeof(text) - 1,
		.method = 8 };
	char want[64];
	tz z;

	(void)state;
	tz_build(&z, &e, 1, 0, NULL);
	th_put_u32(z.p + z.local[0] + 22, (uint32_t)RD_MAX_MEMBER_BYTES + 1);
	th_put_u32(z.p + z.central[0] + 24,
	    (uint32_t)RD_MAX_MEMBER_BYTES + 1);
	(void)snprintf(want, sizeof(want), "above the limit of %zu bytes",
	    RD_MAX_MEMBER_BYTES);
	read_fails(&z, 0, SIZE_MAX, ASMGATE_E_LIMIT, want, NULL);
	tz_free(&z);
}

/* Members larger than one CRC-32 piece: read whole, and a byte changed
 * in the last piece is caught. */
static void
test_ctr__crc_pieces(void **state)
{
	size_t n = (size_t)600 << 10, i;
	uint8_t *data = malloc(n);
	tz_ent e[2];
	asmgate_container *c;
	tz z;

	(void)state;
	assert_non_null(data);
	for (i = 0; i < n; i++)
		data[i] = (uint8_t)(i * 2654435761u >> 13);
	memset(e, 0, sizeof(e));
	e[0].name = "stored.bin";
	e[0].data = data;
	e[0].len = n;
	e[1].name = "deflated.bin";
	e[1].data = data;
	e[1].len = n;
	e[1].method = 8;
	tz_build(&z, e, 2, 0, NULL);
	c = must_open(&z);
	read_equals(c, 0, data, n);
	read_equals(c, 1, data, n);
	asmgate_container_free(c);
	z.p[z.data[0] + n - 1] ^= 1;
	read_fails(&z, 0, n, ASMGATE_E_MALFORMED, "CRC-32 mismatch", NULL);
	tz_free(&z);
	free(data);
}

/* ----------------------------------------------------------- samples */

/* Every committed valid sample opens and every file member reads. */
static void
test_ctr__samples_valid(void **state)
{
	static const char *const names[] = {
		"zip/app.zip", "zip/Contoso.nupkg", "zip/outer.zip",
		"zip/info-zip.zip", "zip/Contoso.Extension.vsix",
		"zip/zip64.zip", "zip/data-descriptor.zip",
		"zip/cp437-names.zip", "zip/empty.zip",
		"zip/control-chars-in-name.zip", "zip/depth-bomb.zip",
		"zip/real/ContainerOne.1.0.0.nupkg",
		"zip/real/NestedContainer.1.0.0.nupkg",
		"zip/real/NestedZip.zip",
		"zip/real/PackageWithRelationships.vsix",
		"zip/real/SignedPackage.1.0.0.nupkg",
		"zip/real/Simple.nupkg", "zip/real/Simple.vsix",
		"zip/real/test.vsix",
	};
	size_t k, i;

	(void)state;
	for (k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		asmgate_container *c = NULL;
		asmgate_error err;

		if (asmgate_container_open(&c, th_path(names[k]), &err) !=
		    ASMGATE_OK)
			fail_msg("%s: %s", names[k], err.msg);
		for (i = 0; i < asmgate_container_count(c); i++) {
			uint8_t *out = NULL;
			size_t len;

			if (asmgate_container_read(c, i, RD_MAX_MEMBER_BYTES,
			    &out, &len, &err) != ASMGATE_OK)
				fail_msg("%s member %zu: %s", names[k], i,
				    err.msg);
			assert_int_equal(len,
			    asmgate_container_member(c, i)->size);
			asmgate_free(out);
		}
		asmgate_container_free(c);
	}
}

/* Members of a sample by name. */
static const asmgate_member_info *
find_member(const asmgate_container *c, const char *name)
{
	size_t i;

	for (i = 0; i < asmgate_container_count(c); i++)
		if (strcmp(asmgate_container_member(c, i)->name, name) == 0)
			return asmgate_container_member(c, i);
	return NULL;
}

static void
test_ctr__samples_layout(void **state)
{
	asmgate_container *c = NULL;
	asmgate_error err;
	uint8_t *dll, *out;
	size_t dlen, len, i;

	(void)state;
	assert_int_equal(asmgate_container_open(&c,
	    th_path("zip/Contoso.nupkg"), &err), ASMGATE_OK);
	assert_non_null(find_member(c, "[Content_Types].xml"));
	assert_non_null(find_member(c, "_rels/.rels"));
	assert_non_null(find_member(c, "Contoso.nuspec"));
	assert_non_null(find_member(c, "lib/net48/Contoso.Orchestrations.dll"));
	dll = th_load("valid/contoso-orchestrations.dll", &dlen);
	for (i = 0; i < asmgate_container_count(c); i++)
		if (asmgate_container_member(c, i) == find_member(c,
		    "lib/net48/Contoso.Orchestrations.dll"))
			break;
	assert_int_equal(asmgate_container_read(c, i, RD_MAX_MEMBER_BYTES,
	    &out, &len, &err), ASMGATE_OK);
	assert_int_equal(len, dlen);
	assert_memory_equal(out, dll, dlen);
	asmgate_free(out);
	asmgate_container_free(c);
	free(dll);

	assert_int_equal(asmgate_container_open(&c, th_path("zip/zip64.zip"),
	    &err), ASMGATE_OK);
	assert_true(asmgate_container_count(c) > 0);
	asmgate_container_free(c);

	assert_int_equal(asmgate_container_open(&c,
	    th_path("zip/cp437-names.zip"), &err), ASMGATE_OK);
	/* 0x84 U+00E4, 0x94 U+00F6, 0x81 U+00FC (CP437.TXT) */
	assert_non_null(find_member(c, "\xC3\xA4\xC3\xB6\xC3\xBC.txt"));
	asmgate_container_free(c);

	assert_int_equal(asmgate_container_open(&c,
	    th_path("zip/bzip2-member.zip"), &err), ASMGATE_OK);
	assert_string_equal(asmgate_container_member(c, 0)->unsupported,
	    "compression method 12 (bzip2)");
	asmgate_container_free(c);
}

/* Each malformed sample is refused, at open or when its member is read,
 * with its own status and message. */
static void
test_ctr__samples_malformed(void **state)
{
	static const struct {
		const char *name;
		asmgate_status open, read;
		const char *what;
	} s[] = {
		{ "zip/truncated-central-directory.zip", ASMGATE_E_TRUNCATED,
		  0, "central directory [0x" },
		{ "zip/local-central-mismatch.zip", ASMGATE_E_MALFORMED, 0,
		  "disagrees with the central directory (method: local 0x0, "
		  "central 0x8)" },
		{ "zip/bad-crc.zip", ASMGATE_OK, ASMGATE_E_MALFORMED,
		  "member 'lib/Contoso.Orchestrations.dll': CRC-32 mismatch" },
		{ "zip/overlapping-members.zip", ASMGATE_E_MALFORMED, 0,
		  "members 'a.bin' and 'b.dll' overlap at 0x23" },
		{ "zip/member-past-end.zip", ASMGATE_E_MALFORMED, 0,
		  "data of 'b.txt' [0x1a46, +0x7fff0000) runs past the start "
		  "of the central directory" },
		{ "zip/zip64-bogus-sizes.zip", ASMGATE_E_MALFORMED, 0,
		  "+0x7fffffffffff0000) runs past the start of the central "
		  "directory" },
		{ "zip/ratio-bomb.zip", ASMGATE_OK, ASMGATE_E_LIMIT,
		  "member 'zeros.dll': compression ratio" },
		{ "zip/duplicate-names.zip", ASMGATE_E_MALFORMED, 0,
		  "duplicate member name 'lib/Contoso.Orchestrations.dll'" },
		{ "zip/encrypted-member.zip", ASMGATE_OK,
		  ASMGATE_E_UNSUPPORTED,
		  "member 'lib/Contoso.Orchestrations.dll': encrypted" },
		{ "zip/bzip2-member.zip", ASMGATE_OK, ASMGATE_E_UNSUPPORTED,
		  "compression method 12 (bzip2)" },
		{ "zip/hidden-member-in-gap.zip", ASMGATE_E_MALFORMED, 0,
		  "gap of 2212 bytes at 0xb85 before member 'readme.txt'" },
		{ "zip/descriptor-flag-central-only.zip", ASMGATE_E_MALFORMED,
		  0, "local header of 'a.bin' disagrees with the central "
		  "directory (data descriptor flag: local 0x0, central 0x8)" },
		{ "zip/utf8-flag-invalid-name.zip", ASMGATE_E_MALFORMED, 0,
		  "name is not valid UTF-8" },
		{ "zip/backslash-duplicate.zip", ASMGATE_E_MALFORMED, 0,
		  "member names 'lib/net48/Contoso.Orchestrations.dll' and "
		  "'lib\\net48\\Contoso.Orchestrations.dll' are the same "
		  "path" },
		{ "zip/path-traversal.zip", ASMGATE_E_MALFORMED, 0,
		  "member name '../../Contoso.Orchestrations.dll' has a '..' "
		  "segment" },
	};
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(s) / sizeof(s[0]); k++) {
		asmgate_container *c = NULL;
		asmgate_error err, first;
		asmgate_status st, worst = ASMGATE_OK;
		size_t i;

		asmgate_error_clear(&err);
		asmgate_error_clear(&first);
		st = asmgate_container_open(&c, th_path(s[k].name), &err);
		if (st != s[k].open)
			fail_msg("%s: open %s (%s)", s[k].name,
			    asmgate_status_name(st), err.msg);
		if (st != ASMGATE_OK) {
			if (!strstr(err.msg, s[k].what))
				fail_msg("%s: '%s' lacks '%s'", s[k].name,
				    err.msg, s[k].what);
			continue;
		}
		for (i = 0; i < asmgate_container_count(c); i++) {
			uint8_t *out = NULL;
			size_t len;

			st = asmgate_container_read(c, i, RD_MAX_MEMBER_BYTES,
			    &out, &len, &err);
			asmgate_free(out);
			if (st != ASMGATE_OK && worst == ASMGATE_OK) {
				worst = st;
				first = err;
			}
		}
		if (worst != s[k].read)
			fail_msg("%s: read %s", s[k].name,
			    asmgate_status_name(worst));
		if (!strstr(first.msg, s[k].what))
			fail_msg("%s: '%s' lacks '%s'", s[k].name, first.msg,
			    s[k].what);
		asmgate_container_free(c);
	}
}

#include "ctr_cfb_tests.h"
#include "ctr_cab_tests.h"

/* ----------------------------------------------- installer databases */

#include "ctr_msi_tests.h"

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ctr__detect),
		cmocka_unit_test(test_ctr__not_a_container),
		cmocka_unit_test(test_ctr__members_and_fields),
		cmocka_unit_test(test_ctr__read_round_trip),
		cmocka_unit_test(test_ctr__open_file),
		cmocka_unit_test(test_ctr__empty_archive),
		cmocka_unit_test(test_ctr__cp437_names),
		cmocka_unit_test(test_ctr__utf8_flag),
		cmocka_unit_test(test_ctr__zip64),
		cmocka_unit_test(test_ctr__zip64_bogus),
		cmocka_unit_test(test_ctr__data_descriptor),
		cmocka_unit_test(test_ctr__truncated_central_directory),
		cmocka_unit_test(test_ctr__eocd_search),
		cmocka_unit_test(test_ctr__local_central_mismatch),
		cmocka_unit_test(test_ctr__bad_crc),
		cmocka_unit_test(test_ctr__overlapping_members),
		cmocka_unit_test(test_ctr__member_past_end),
		cmocka_unit_test(test_ctr__inflate_size_checks),
		cmocka_unit_test(test_ctr__ratio_bomb_and_max),
		cmocka_unit_test(test_ctr__duplicate_names),
		cmocka_unit_test(test_ctr__encrypted),
		cmocka_unit_test(test_ctr__unsupported_methods),
		cmocka_unit_test(test_ctr__names_nul_and_controls),
		cmocka_unit_test(test_ctr__name_cap_and_quote),
		cmocka_unit_test(test_ctr__member_cap),
		cmocka_unit_test(test_ctr__unicode_path_extra),
		cmocka_unit_test(test_ctr__peek),
		cmocka_unit_test(test_ctr__gaps),
		cmocka_unit_test(test_ctr__descriptor_layouts),
		cmocka_unit_test(test_ctr__local_flags),
		cmocka_unit_test(test_ctr__utf8_flag_invalid),
		cmocka_unit_test(test_ctr__utf8_unflagged_duplicates),
		cmocka_unit_test(test_ctr__path_names),
		cmocka_unit_test(test_ctr__unicode_path_local),
		cmocka_unit_test(test_ctr__peek_short),
		cmocka_unit_test(test_ctr__read_max_clamped),
		cmocka_unit_test(test_ctr__crc_pieces),
		cmocka_unit_test(test_ctr__samples_valid),
		cmocka_unit_test(test_ctr__samples_layout),
		cmocka_unit_test(test_ctr__samples_malformed),
		CTR_CFB_TESTS,
		CTR_CAB_TESTS,
		cmocka_unit_test(test_msi__embedded_cabinet),
		cmocka_unit_test(test_msi__external_cabinet),
		cmocka_unit_test(test_msi__uncompressed_source),
		cmocka_unit_test(test_msi__gac_component),
		cmocka_unit_test(test_msi__duplicate_paths),
		cmocka_unit_test(test_msi__merge_module),
		cmocka_unit_test(test_msi__malformed),
		cmocka_unit_test(test_msi__not_a_database),
	};

	return cmocka_run_group_tests_name("ctr", tests, th_setup_tmp,
	    th_teardown_tmp);
}
