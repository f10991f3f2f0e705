/*
 * ctr_cab_tests.h - unit tests of the cabinet reader (ctr/cab.c,
 * cabdata.c, cablzx.c), included from test_ctr.c.
 *
 * Most cases open samples/cab/ (made by samples/make-cab-samples.py from
 * the assemblies in samples/valid/, whose bytes the members must
 * equal); a few build a cabinet in memory with the writer below, laid
 * out from [MS-CAB] 2.1 (CFHEADER), 2.2 (CFFOLDER), 2.3 (CFFILE) and
 * 2.4 (CFDATA; csum 0: no checksum), one folder of stored or
 * independently deflated MSZIP blocks.
 */
#include <pthread.h>

#include "ctr/cab.h"
#include "ctr/ctr.h"

/* ------------------------------------------------------------ writer */

#define TC_MAX 4

typedef struct tc_file {
	const char *name;
	const void *data;
	size_t len;
} tc_file;

/* A cabinet of one folder (comp 0 stored or 1 MSZIP) holding files,
 * each block at most 32 KiB. Returns a malloc'd buffer. */
static uint8_t *
tc_build(const tc_file *f, size_t nf, unsigned comp, size_t *len)
{
	uint8_t *payload, *out;
	size_t total = 0, i, at, names = 0, head, cap, o;
	size_t nblocks;

	for (i = 0; i < nf; i++) {
		total += f[i].len;
		names += strlen(f[i].name) + 1;
	}
	payload = malloc(total + 1);
	assert_non_null(payload);
	for (i = 0, at = 0; i < nf; i++, at += f[i - 1].len)
		memcpy(payload + at, f[i].data, f[i].len);
	nblocks = (total + 32767) / 32768;
	head = 36 + 8 + 16 * nf + names;
	cap = head + nblocks * (8 + 2 + 32768 + 64) + 64;
	out = calloc(1, cap);
	assert_non_null(out);
	memcpy(out, "MSCF", 4);
	th_put_u32(out + 16, 36 + 8);         /* coffFiles */
	out[24] = 3;
	out[25] = 1;
	th_put_u16(out + 26, 1);
	th_put_u16(out + 28, (uint16_t)nf);
	th_put_u32(out + 36, (uint32_t)head); /* coffCabStart */
	th_put_u16(out + 40, (uint16_t)nblocks);
	th_put_u16(out + 42, (uint16_t)comp);
	o = 44;
	for (i = 0, at = 0; i < nf; i++) {
		th_put_u32(out + o, (uint32_t)f[i].len);
		th_put_u32(out + o + 4, (uint32_t)at);
		th_put_u16(out + o + 10, 0x21);
		memcpy(out + o + 16, f[i].name, strlen(f[i].name) + 1);
		o += 16 + strlen(f[i].name) + 1;
		at += f[i].len;
	}
	assert_int_equal(o, head);
	for (at = 0; at < total; at += 32768) {
		size_t n = total - at < 32768 ? total - at : 32768;
		size_t cb;

		if (comp == 0) {
			memcpy(out + o + 8, payload + at, n);
			cb = n;
		} else {
			z_stream zs;

			memset(&zs, 0, sizeof(zs));
			assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, -15,
			    9, Z_DEFAULT_STRATEGY), Z_OK);
			out[o + 8] = 'C';
			out[o + 9] = 'K';
			zs.next_in = payload + at;
			zs.avail_in = (uInt)n;
			zs.next_out = out + o + 10;
			zs.avail_out = 32768 + 64;
			assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
			cb = 2 + zs.total_out;
			deflateEnd(&zs);
		}
		th_put_u16(out + o + 4, (uint16_t)cb);
		th_put_u16(out + o + 6, (uint16_t)n);
		o += 8 + cb;
	}
	th_put_u32(out + 8, (uint32_t)o);     /* cbCabinet */
	free(payload);
	*len = o;
	return out;
}

/* Member i of the cabinet sample rel, read whole, equals the file valid
 * (a samples/ path). */
static void
tc_member_is(const asmgate_container *c, size_t i, const char *valid)
{
	asmgate_error err;
	uint8_t *want, *out = NULL;
	size_t wlen, len;

	want = th_load(valid, &wlen);
	if (asmgate_container_read(c, i, RD_MAX_MEMBER_BYTES, &out, &len,
	    &err) != ASMGATE_OK)
		fail_msg("member %zu: %s", i, err.msg);
	assert_int_equal(len, wlen);
	assert_memory_equal(out, want, wlen);
	asmgate_free(out);
	free(want);
}

static int
tc_contains(const uint8_t *p, size_t n, const char *s)
{
	size_t k = strlen(s), i;

	for (i = 0; i + k <= n; i++)
		if (memcmp(p + i, s, k) == 0)
			return 1;
	return 0;
}

static asmgate_container *
tc_open(const char *rel)
{
	asmgate_container *c = NULL;
	asmgate_error err;

	if (asmgate_container_open(&c, th_path(rel), &err) != ASMGATE_OK)
		fail_msg("%s: %s", rel, err.msg);
	return c;
}

/* ------------------------------------------------------------- tests */

static void
test_ctr__cab_detect(void **state)
{
	static const uint8_t cab[8] = { 'M', 'S', 'C', 'F', 0, 0, 0, 0 };
	static const uint8_t notcab[8] = { 'M', 'S', 'C', 'F', 1, 0, 0, 0 };

	(void)state;
	assert_int_equal(asmgate_container_detect(cab, sizeof(cab)),
	    ASMGATE_CONTAINER_CAB);
	assert_int_equal(asmgate_container_detect(notcab, sizeof(notcab)),
	    ASMGATE_CONTAINER_NONE);
	assert_int_equal(asmgate_container_detect(cab, 4),
	    ASMGATE_CONTAINER_NONE);
	assert_string_equal(asmgate_container_format_name(
	    ASMGATE_CONTAINER_CAB), "cab");
}

/* A stored folder: names ('\' read as '/'), sizes, offsets, bytes. */
static void
test_ctr__cab_stored(void **state)
{
	asmgate_container *c = tc_open("cab/stored.cab");
	const asmgate_member_info *m;

	(void)state;
	assert_int_equal(asmgate_container_get_format(c),
	    ASMGATE_CONTAINER_CAB);
	assert_int_equal(asmgate_container_count(c), 3);
	m = asmgate_container_member(c, 0);
	assert_string_equal(m->name, "lib/Contoso.Orchestrations.dll");
	assert_int_equal(m->size, 6656);
	assert_string_equal(m->method_name, "stored");
	assert_null(m->unsupported);
	assert_int_equal(m->header_offset, 36 + 8);
	assert_int_equal(m->compressed_size, 6656 + 5120 + 47);
	assert_true(m->data_offset > m->header_offset);
	m = asmgate_container_member(c, 1);
	assert_string_equal(m->name, "lib/Fabrikam.Adapters.dll");
	assert_int_equal(m->header_offset, 36 + 8 + 16 + 31);
	assert_string_equal(asmgate_container_member(c, 2)->name,
	    "readme.txt");
	tc_member_is(c, 0, "valid/contoso-orchestrations.dll");
	tc_member_is(c, 1, "valid/fabrikam-adapters.dll");
	assert_null(asmgate_container_member(c, 3));
	asmgate_container_free(c);
}

static void
test_ctr__cab_mszip(void **state)
{
	asmgate_container *c = tc_open("cab/mszip.cab");

	(void)state;
	assert_int_equal(asmgate_container_count(c), 4);
	assert_string_equal(asmgate_container_member(c, 0)->method_name,
	    "mszip");
	assert_int_equal(asmgate_container_member(c, 0)->method, 1);
	/* Read out of order: the folder is decompressed once. */
	tc_member_is(c, 3, "valid/signed-4096.dll");
	tc_member_is(c, 0, "valid/contoso-orchestrations.dll");
	tc_member_is(c, 1, "valid/fabrikam-adapters.dll");
	tc_member_is(c, 2, "valid/signed-2048.dll");
	asmgate_container_free(c);
}

/* Three MSZIP blocks whose deflate matches reach into the block before. */
static void
test_ctr__cab_mszip_window(void **state)
{
	asmgate_container *c = tc_open("cab/mszip-window.cab");
	asmgate_error err;
	uint8_t *out = NULL;
	char want[64];
	size_t len, at = 0;
	int i;

	(void)state;
	assert_string_equal(asmgate_container_member(c, 0)->name,
	    "data/lines.txt");
	assert_int_equal(asmgate_container_read(c, 0, RD_MAX_MEMBER_BYTES,
	    &out, &len, &err), ASMGATE_OK);
	assert_int_equal(len, 84000);
	for (i = 0; i < 1500; i++) {
		int n = snprintf(want, sizeof(want), "line %05d: the quick "
		    "brown fox jumps over the lazy dog\n", i);

		assert_memory_equal(out + at, want, (size_t)n);
		at += (size_t)n;
	}
	assert_int_equal(at, len);
	asmgate_free(out);
	tc_member_is(c, 1, "valid/contoso-orchestrations.dll");
	asmgate_container_free(c);
}

/* Several folders, a reserve area with a trailer, UTF-8 and ISO-8859-1
 * names. */
static void
test_ctr__cab_folders_reserve_names(void **state)
{
	asmgate_container *c = tc_open("cab/folders.cab");

	(void)state;
	assert_int_equal(asmgate_container_count(c), 4);
	assert_string_equal(asmgate_container_member(c, 0)->method_name,
	    "stored");
	assert_string_equal(asmgate_container_member(c, 3)->method_name,
	    "mszip");
	assert_true(asmgate_container_member(c, 1)->data_offset !=
	    asmgate_container_member(c, 3)->data_offset);
	tc_member_is(c, 3, "valid/fabrikam-adapters.dll");
	tc_member_is(c, 2, "valid/hello.exe");
	tc_member_is(c, 1, "valid/contoso-orchestrations.dll");
	asmgate_container_free(c);

	c = tc_open("cab/reserve.cab");
	assert_int_equal(asmgate_container_count(c), 2);
	tc_member_is(c, 0, "valid/contoso-orchestrations.dll");
	asmgate_container_free(c);

	c = tc_open("cab/utf8-names.cab");
	assert_string_equal(asmgate_container_member(c, 0)->name,
	    "lib/\xC3\xBCn\xC3\xAF" "c\xC3\xB8" "d\xC3\xA9/Contoso.dll");
	assert_string_equal(asmgate_container_member(c, 1)->name,
	    "caf\xC3\xA9.txt");
	tc_member_is(c, 0, "valid/contoso-orchestrations.dll");
	asmgate_container_free(c);

	c = tc_open("cab/empty.cab");
	assert_int_equal(asmgate_container_count(c), 0);
	asmgate_container_free(c);
}

/* LZX through libmspack, next to MSZIP; Quantum is unsupported. */
static void
test_ctr__cab_lzx_quantum(void **state)
{
	static const char lzx1[] = "This is LZX compressed\n";
	asmgate_container *c = tc_open("cab/lzx-2folders.cab");
	asmgate_error err;
	uint8_t *out = NULL;
	size_t len;

	(void)state;
	assert_int_equal(asmgate_container_count(c), 4);
	assert_string_equal(asmgate_container_member(c, 2)->name, "lzx1.txt");
	assert_string_equal(asmgate_container_member(c, 2)->method_name,
	    "lzx:18");
	assert_string_equal(asmgate_container_member(c, 0)->method_name,
	    "mszip");
	assert_int_equal(asmgate_container_read(c, 2, 1024, &out, &len,
	    &err), ASMGATE_OK);
	assert_int_equal(len, sizeof(lzx1) - 1);
	assert_memory_equal(out, lzx1, len);
	asmgate_free(out);
	asmgate_container_free(c);

	c = tc_open("cab/lzx-mszip-quantum.cab");
	assert_int_equal(asmgate_container_count(c), 3);
	assert_string_equal(asmgate_container_member(c, 2)->method_name,
	    "quantum");
	assert_string_equal(asmgate_container_member(c, 2)->unsupported,
	    "Quantum compression");
	assert_int_equal(asmgate_container_read(c, 2, 1024, &out, &len,
	    &err), ASMGATE_E_UNSUPPORTED);
	assert_null(out);
	assert_non_null(strstr(err.msg, "Quantum compression"));
	assert_int_equal(asmgate_container_read(c, 1, 1024, &out, &len,
	    &err), ASMGATE_OK);
	assert_int_equal(len, 187);
	assert_true(tc_contains(out, len, "the LZX decompressor is working"));
	asmgate_free(out);
	asmgate_container_free(c);
}

/* A file split into the next cabinet is reported, not an error; the
 * whole one beside it reads. */
static void
test_ctr__cab_spanning(void **state)
{
	asmgate_container *c = tc_open("cab/spans-next.cab");
	asmgate_error err;
	uint8_t buf[4];
	size_t got;

	(void)state;
	assert_int_equal(asmgate_container_count(c), 2);
	assert_null(asmgate_container_member(c, 0)->unsupported);
	assert_string_equal(asmgate_container_member(c, 1)->unsupported,
	    "spans cabinets");
	assert_int_equal(asmgate_container_peek(c, 1, buf, sizeof(buf), &got,
	    &err), ASMGATE_E_UNSUPPORTED);
	assert_non_null(strstr(err.msg, "spans cabinets"));
	assert_int_equal(asmgate_container_peek(c, 0, buf, sizeof(buf), &got,
	    &err), ASMGATE_OK);
	assert_int_equal(got, 4);
	assert_memory_equal(buf, "Samp", 4);
	asmgate_container_free(c);
}

/* Peeks and partial extracts stop after n bytes. */
static void
test_ctr__cab_partial_reads(void **state)
{
	asmgate_container *c = tc_open("cab/mszip-window.cab");
	const ctr_member *m;
	asmgate_error err;
	uint8_t buf[16];
	size_t got;

	(void)state;
	assert_int_equal(asmgate_container_peek(c, 1, buf, 2, &got, &err),
	    ASMGATE_OK);
	assert_int_equal(got, 2);
	assert_memory_equal(buf, "MZ", 2);
	assert_int_equal(asmgate_container_peek(c, 0, buf, sizeof(buf), &got,
	    &err), ASMGATE_OK);
	assert_int_equal(got, sizeof(buf));
	assert_memory_equal(buf, "line 00000: the ", 16);
	/* Through the format's ops, as a reader of embedded cabinets. */
	m = &c->members[0];
	assert_int_equal(c->ops->extract(c, m, buf, 5, 0, &got, &err),
	    ASMGATE_OK);
	assert_int_equal(got, 5);
	assert_memory_equal(buf, "line ", 5);
	asmgate_container_free(c);

	c = tc_open("cab/reserve.cab");
	assert_int_equal(asmgate_container_peek(c, 1, buf, sizeof(buf), &got,
	    &err), ASMGATE_OK);
	assert_int_equal(got, sizeof(buf));
	assert_memory_equal(buf, "Sample cabinet f", 16);
	asmgate_container_free(c);
}

/* The ops table over memory, as the MSI reader opens an embedded
 * cabinet stream: open, members, extract, close. */
static void
test_ctr__cab_ops_in_memory(void **state)
{
	asmgate_container *c = calloc(1, sizeof(*c));
	uint8_t *data, *dll, *out;
	size_t len, dlen, got;
	asmgate_error err;

	(void)state;
	assert_non_null(c);
	data = th_load("cab/folders.cab", &len);
	dll = th_load("valid/fabrikam-adapters.dll", &dlen);
	c->data = data;
	c->size = len;
	c->ops = &ctr_cab_ops;
	assert_true(ctr_cab_ops.detect(data, len));
	assert_int_equal(ctr_cab_ops.open(c, &err), ASMGATE_OK);
	assert_int_equal(c->nmembers, 4);
	assert_int_equal(c->ranges_checked, 1);
	assert_string_equal(c->members[3].info.name,
	    "b/Fabrikam.Adapters.dll");
	out = malloc(dlen);
	assert_non_null(out);
	assert_int_equal(ctr_cab_ops.extract(c, &c->members[3], out, dlen, 1,
	    &got, &err), ASMGATE_OK);
	assert_int_equal(got, dlen);
	assert_memory_equal(out, dll, dlen);
	free(out);
	/* asmgate_container_free calls ops->close, frees members. */
	asmgate_container_free(c);
	free(data);
	free(dll);
}

typedef struct tc_thread {
	const asmgate_container *c;
	size_t i;
	int ok;
} tc_thread;

static void *
tc_reader(void *arg)
{
	tc_thread *t = arg;
	asmgate_error err;
	uint8_t *out = NULL;
	size_t len;

	t->ok = asmgate_container_read(t->c, t->i, RD_MAX_MEMBER_BYTES,
	    &out, &len, &err) == ASMGATE_OK &&
	    len == asmgate_container_member(t->c, t->i)->size;
	asmgate_free(out);
	return NULL;
}

/* Members of one folder read from several threads at once: the first
 * to come decompresses, the others wait and copy. */
static void
test_ctr__cab_threads(void **state)
{
	asmgate_container *c = tc_open("cab/mszip.cab");
	pthread_t th[8];
	tc_thread t[8];
	size_t k;

	(void)state;
	for (k = 0; k < 8; k++) {
		t[k].c = c;
		t[k].i = k % 4;
		t[k].ok = 0;
		assert_int_equal(pthread_create(&th[k], NULL, tc_reader,
		    &t[k]), 0);
	}
	for (k = 0; k < 8; k++) {
		assert_int_equal(pthread_join(th[k], NULL), 0);
		assert_true(t[k].ok);
	}
	asmgate_container_free(c);
}

/* The checksum of MS-CAB 2.5: little-endian words, then the tail most
 * significant byte first. */
static void
test_ctr__cab_checksum(void **state)
{
	static const uint8_t b[7] = { 'a', 'b', 'c', 'd', 'e', 'f', 'g' };
	static const uint8_t w[5] = { 1, 2, 3, 4, 5 };

	(void)state;
	assert_int_equal(ctr_cab_checksum(b, 7, 0), 0x64636261u ^ 0x656667u);
	assert_int_equal(ctr_cab_checksum(w, 5, 0x11111111u),
	    0x11111111u ^ 0x04030201u ^ 5u);
	assert_int_equal(ctr_cab_checksum(b, 0, 0x1234u), 0x1234u);
}

/* Names are still checked by container.c: duplicates (one with '\'),
 * '..' segments. */
static void
test_ctr__cab_names_checked(void **state)
{
	tc_file f[2] = { { "lib/a.dll", "x", 1 }, { "lib\\A.dll", "y", 1 } };
	asmgate_container *c = NULL;
	asmgate_error err;
	uint8_t *cab;
	size_t len;

	(void)state;
	cab = tc_build(f, 2, 0, &len);
	assert_int_equal(asmgate_container_open_memory(&c, cab, len, &err),
	    ASMGATE_E_MALFORMED);
	assert_non_null(strstr(err.msg, "differ only in case"));
	free(cab);

	f[1].name = "..\\..\\evil.dll";
	cab = tc_build(f, 2, 1, &len);
	assert_int_equal(asmgate_container_open_memory(&c, cab, len, &err),
	    ASMGATE_E_MALFORMED);
	assert_non_null(strstr(err.msg, "has a '..' segment"));
	assert_true(err.has_offset);
	free(cab);

	f[1].name = "lib/b.dll";
	cab = tc_build(f, 2, 1, &len);
	assert_int_equal(asmgate_container_open_memory(&c, cab, len, &err),
	    ASMGATE_OK);
	assert_int_equal(asmgate_container_count(c), 2);
	asmgate_container_free(c);
	free(cab);
}

/* A folder of zeros: 64 MSZIP blocks of 32 KiB from a few KiB. The
 * folder's ratio is refused before anything is inflated; a member above
 * the caller's max is refused. */
static void
test_ctr__cab_ratio_and_max(void **state)
{
	size_t big = (size_t)64 << 15, len, got;
	uint8_t *zeros = calloc(1, big), *cab, *out = NULL, buf[4];
	tc_file f[2];
	asmgate_container *c = NULL;
	asmgate_error err;

	(void)state;
	assert_non_null(zeros);
	f[0].name = "small.bin";
	f[0].data = zeros;
	f[0].len = 16;
	f[1].name = "zeros.bin";
	f[1].data = zeros;
	f[1].len = big - 16;
	cab = tc_build(f, 2, 1, &len);
	assert_int_equal(asmgate_container_open_memory(&c, cab, len, &err),
	    ASMGATE_OK);
	/* The small member's own ratio is fine; its folder's is not. */
	assert_int_equal(asmgate_container_peek(c, 0, buf, 4, &got, &err),
	    ASMGATE_E_LIMIT);
	assert_non_null(strstr(err.msg, "compression ratio"));
	assert_true(err.has_offset);
	assert_int_equal(asmgate_container_read(c, 1, 1024, &out, &len,
	    &err), ASMGATE_E_LIMIT);
	assert_null(out);
	asmgate_container_free(c);
	free(cab);
	free(zeros);
}

/* Each malformed sample: status at open or at read, message, offset. */
static void
test_ctr__cab_malformed(void **state)
{
	static const struct {
		const char *name;
		asmgate_status open, read;
		uint64_t offset;
		const char *what;
	} s[] = {
		{ "cab/bad-checksum.cab", ASMGATE_OK, ASMGATE_E_MALFORMED,
		  0x7d, "folder 0: data block 1: checksum mismatch" },
		{ "cab/cbcabinet-mismatch.cab", ASMGATE_E_MALFORMED, 0, 8,
		  "cabinet size 4474 but the file has 4475 bytes" },
		{ "cab/file-outside-folder.cab", ASMGATE_E_MALFORMED, 0, 0x57,
		  "file 'Fabrikam.Adapters.dll' [0x1a10, +0x1400) lies "
		  "outside its folder's 11776 bytes" },
		{ "cab/cfdata-past-end.cab", ASMGATE_E_MALFORMED, 0, 4475,
		  "folder 0: data block 2 runs past the end of the cabinet" },
		{ "cab/cbuncomp-too-big.cab", ASMGATE_E_MALFORMED, 0, 0x46,
		  "data block 1 expands to 40000 bytes, above the maximum" },
		{ "cab/files-overlap.cab", ASMGATE_E_MALFORMED, 0, 0x57,
		  "files 'Contoso.Orchestrations.dll' and "
		  "'Fabrikam.Adapters.dll' overlap in folder 0" },
		{ "cab/bad-folder-index.cab", ASMGATE_E_MALFORMED, 0, 0x5f,
		  "file 'Fabrikam.Adapters.dll' names folder 1 of 1" },
		{ "cab/name-without-nul.cab", ASMGATE_E_MALFORMED, 0, 0x3c,
		  "file 0: name is not NUL-terminated" },
		{ "cab/truncated-header.cab", ASMGATE_E_TRUNCATED, 0, 0,
		  "cabinet header truncated" },
		{ "cab/lzx-window.cab", ASMGATE_E_MALFORMED, 0, 0x2a,
		  "LZX window of 2^22 bytes" },
		{ "cab/block-short.cab", ASMGATE_OK, ASMGATE_E_MALFORMED, 0x57,
		  "MSZIP block makes 6656 bytes, not the 6664 it declares" },
		{ "cab/mszip-no-ck.cab", ASMGATE_OK, ASMGATE_E_MALFORMED, 0x7d,
		  "MSZIP block does not start with \"CK\"" },
		{ "cab/lzx-bad-data.cab", ASMGATE_OK, ASMGATE_E_MALFORMED, 0,
		  "invalid LZX data" },
	};
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(s) / sizeof(s[0]); k++) {
		asmgate_container *c = NULL;
		asmgate_error err;
		asmgate_status st;
		uint8_t *out = NULL;
		size_t len;

		asmgate_error_clear(&err);
		st = asmgate_container_open(&c, th_path(s[k].name), &err);
		if (st != s[k].open)
			fail_msg("%s: open %s (%s)", s[k].name,
			    asmgate_status_name(st), err.msg);
		if (st == ASMGATE_OK) {
			st = asmgate_container_read(c, 0, RD_MAX_MEMBER_BYTES,
			    &out, &len, &err);
			asmgate_free(out);
			asmgate_container_free(c);
			if (st != s[k].read)
				fail_msg("%s: read %s (%s)", s[k].name,
				    asmgate_status_name(st), err.msg);
		}
		if (!strstr(err.msg, s[k].what))
			fail_msg("%s: '%s' lacks '%s'", s[k].name, err.msg,
			    s[k].what);
		if (!err.has_offset)
			fail_msg("%s: no offset", s[k].name);
		if (s[k].offset && err.offset != s[k].offset)
			fail_msg("%s: offset 0x%llx, not 0x%llx", s[k].name,
			    (unsigned long long)err.offset,
			    (unsigned long long)s[k].offset);
	}
}

/* A folder that fails fails each of its files alike (the failure is
 * kept, not recomputed), each naming its own member. */
static void
test_ctr__cab_failure_kept(void **state)
{
	asmgate_container *c = tc_open("cab/bad-checksum.cab");
	asmgate_error e1, e2, e3;
	uint8_t *out = NULL, buf[4];
	size_t len, got;

	(void)state;
	assert_int_equal(asmgate_container_read(c, 1, RD_MAX_MEMBER_BYTES,
	    &out, &len, &e1), ASMGATE_E_MALFORMED);
	assert_int_equal(asmgate_container_read(c, 0, RD_MAX_MEMBER_BYTES,
	    &out, &len, &e2), ASMGATE_E_MALFORMED);
	assert_int_equal(asmgate_container_peek(c, 0, buf, 4, &got, &e3),
	    ASMGATE_E_MALFORMED);
	assert_null(out);
	assert_int_equal(e1.offset, 0x7d);
	assert_int_equal(e2.offset, 0x7d);
	assert_int_equal(e3.offset, 0x7d);
	assert_non_null(strstr(e1.msg, "member 'Fabrikam.Adapters.dll': "
	    "folder 0: data block 1: checksum mismatch"));
	assert_non_null(strstr(e2.msg, "member 'Contoso.Orchestrations.dll': "
	    "folder 0: data block 1: checksum mismatch"));
	assert_string_equal(e2.msg, e3.msg);
	asmgate_container_free(c);
}

/* Nesting both ways opens as containers by content. */
static void
test_ctr__cab_nested(void **state)
{
	asmgate_container *c = tc_open("cab/zip-in-cab.cab"), *in = NULL;
	asmgate_error err;
	uint8_t *out = NULL;
	size_t len;

	(void)state;
	assert_int_equal(asmgate_container_read(c, 0, RD_MAX_MEMBER_BYTES,
	    &out, &len, &err), ASMGATE_OK);
	assert_int_equal(asmgate_container_detect(out, len),
	    ASMGATE_CONTAINER_ZIP);
	assert_int_equal(asmgate_container_open_memory(&in, out, len, &err),
	    ASMGATE_OK);
	assert_string_equal(asmgate_container_member(in, 0)->name,
	    "lib/Fabrikam.Adapters.dll");
	tc_member_is(in, 0, "valid/fabrikam-adapters.dll");
	asmgate_container_free(in);
	asmgate_free(out);
	asmgate_container_free(c);

	c = tc_open("cab/cab-in-zip.zip");
	assert_int_equal(asmgate_container_read(c, 0, RD_MAX_MEMBER_BYTES,
	    &out, &len, &err), ASMGATE_OK);
	assert_int_equal(asmgate_container_detect(out, len),
	    ASMGATE_CONTAINER_CAB);
	assert_int_equal(asmgate_container_open_memory(&in, out, len, &err),
	    ASMGATE_OK);
	assert_int_equal(asmgate_container_count(in), 4);
	tc_member_is(in, 1, "valid/fabrikam-adapters.dll");
	asmgate_container_free(in);
	asmgate_free(out);
	asmgate_container_free(c);
}

/* Truncating a valid cabinet anywhere is an error at open, never a
 * crash; cutting only what cbCabinet does not count is not. */
static void
test_ctr__cab_truncations(void **state)
{
	uint8_t *data;
	size_t len, n;

	(void)state;
	data = th_load("cab/reserve.cab", &len);
	for (n = 1; n < len; n += n < 200 ? 1 : 97) {
		asmgate_container *c = NULL;
		asmgate_error err;
		asmgate_status st;

		st = asmgate_container_open_memory(&c, data, n, &err);
		if (n >= len - 32) {
			assert_int_equal(st, ASMGATE_OK);
			asmgate_container_free(c);
			continue;
		}
		if (st == ASMGATE_OK)
			fail_msg("cut at %zu opened", n);
		assert_null(c);
	}
	free(data);
}

/* A folder is decoded only as far as a read needs: with its third block
 * broken, a file in the first block reads, a file reaching the third
 * fails, in either order, and again the same way. */
static void
test_ctr__cab_bad_block_later(void **state)
{
	static uint8_t small[1000], big[70000];
	tc_file f[2] = { { "a.bin", small, sizeof(small) },
	    { "b.bin", big, sizeof(big) } };
	asmgate_container *c;
	asmgate_error err;
	uint8_t *cab, *out, peek[8];
	size_t len, o, k, n, got;
	int order;

	(void)state;
	for (k = 0; k < sizeof(small); k++)
		small[k] = (uint8_t)(k * 7);
	for (k = 0; k < sizeof(big); k++)
		big[k] = (uint8_t)(k % 251);
	cab = tc_build(f, 2, 1, &len);
	/* The third CFDATA: past two headers and their data. */
	o = th_get_u32(cab + 36);
	for (k = 0; k < 2; k++)
		o += 8 + (size_t)(cab[o + 4] | cab[o + 5] << 8);
	n = (size_t)(cab[o + 4] | cab[o + 5] << 8);
	assert_true(n > 4);
	memset(cab + o + 8 + 2, 0xFF, n - 2); /* not deflate any more */
	for (order = 0; order < 2; order++) {
		asmgate_error_clear(&err);
		assert_int_equal(asmgate_container_open_memory(&c, cab, len,
		    &err), ASMGATE_OK);
		if (order == 1) {
			out = NULL;
			assert_int_equal(asmgate_container_read(c, 1, 1 << 20,
			    &out, &n, &err), ASMGATE_E_MALFORMED);
			assert_non_null(strstr(err.msg, "data block 3"));
		}
		assert_int_equal(asmgate_container_read(c, 0, 1 << 20, &out,
		    &n, &err), ASMGATE_OK);
		assert_int_equal(n, sizeof(small));
		assert_memory_equal(out, small, n);
		asmgate_free(out);
		/* The start of b lies in the first block. */
		assert_int_equal(asmgate_container_peek(c, 1, peek,
		    sizeof(peek), &got, &err), ASMGATE_OK);
		assert_memory_equal(peek, big, sizeof(peek));
		out = NULL;
		assert_int_equal(asmgate_container_read(c, 1, 1 << 20, &out,
		    &n, &err), ASMGATE_E_MALFORMED);
		assert_null(out);
		assert_non_null(strstr(err.msg, "data block 3"));
		assert_int_equal(asmgate_container_read(c, 0, 1 << 20, &out,
		    &n, &err), ASMGATE_OK);
		asmgate_free(out);
		asmgate_container_free(c);
	}
	free(cab);
}

#define CTR_CAB_TESTS \
	cmocka_unit_test(test_ctr__cab_detect), \
	cmocka_unit_test(test_ctr__cab_stored), \
	cmocka_unit_test(test_ctr__cab_mszip), \
	cmocka_unit_test(test_ctr__cab_mszip_window), \
	cmocka_unit_test(test_ctr__cab_folders_reserve_names), \
	cmocka_unit_test(test_ctr__cab_lzx_quantum), \
	cmocka_unit_test(test_ctr__cab_spanning), \
	cmocka_unit_test(test_ctr__cab_partial_reads), \
	cmocka_unit_test(test_ctr__cab_ops_in_memory), \
	cmocka_unit_test(test_ctr__cab_threads), \
	cmocka_unit_test(test_ctr__cab_checksum), \
	cmocka_unit_test(test_ctr__cab_names_checked), \
	cmocka_unit_test(test_ctr__cab_ratio_and_max), \
	cmocka_unit_test(test_ctr__cab_malformed), \
	cmocka_unit_test(test_ctr__cab_failure_kept), \
	cmocka_unit_test(test_ctr__cab_bad_block_later), \
	cmocka_unit_test(test_ctr__cab_nested), \
	cmocka_unit_test(test_ctr__cab_truncations)
