/*
 * ctr_cfb_tests.h - unit tests of the compound file reader (ctr/cfb.c),
 * for tests/unit/test_ctr.c: #include "ctr_cfb_tests.h" after the other
 * tests and add CTR_CFB_TESTS to its test list.
 *
 * The samples come from samples/cfb/make-cfb-samples.py, a writer laid
 * out by hand from MS-CFB 2.2-2.6. Expected contents come from its
 * manifests (NAME.streams: path, type, size, CRC-32 of the bytes put
 * in, mini or not); expected failures from malformed/expect.txt, where
 * each offset is computed from the layout the writer chose. tiny.msi
 * is written by wixl and tiny.expect by msiinfo (msitools).
 */
#ifndef TESTS_CTR_CFB_TESTS_H
#define TESTS_CTR_CFB_TESTS_H

#include "ctr/cfb.h"

/* A sample opened: its bytes and the reader. */
typedef struct tcfb {
	uint8_t *data;
	size_t len;
	cfb *f;
} tcfb;

static void
tcfb_open(tcfb *t, const char *rel)
{
	asmgate_error err;
	asmgate_status st;

	t->data = th_load(rel, &t->len);
	st = cfb_open(&t->f, t->data, t->len, &err);
	if (st != ASMGATE_OK)
		fail_msg("%s: %s at 0x%llx: %s", rel, asmgate_status_name(st),
		    (unsigned long long)err.offset, err.msg);
	assert_non_null(t->f);
}

static void
tcfb_close(tcfb *t)
{
	cfb_free(t->f);
	free(t->data);
}

/* UTF-8 (BMP only, as the writer uses) to UTF-16 code units. */
static size_t
tcfb_utf16(const char *s, size_t n, uint16_t *out, size_t cap)
{
	size_t i = 0, k = 0;
	const unsigned char *u = (const unsigned char *)s;

	while (i < n) {
		uint32_t c;
		if (u[i] < 0x80) {
			c = u[i];
			i += 1;
		} else if ((u[i] & 0xE0) == 0xC0 && i + 1 < n) {
			c = (uint32_t)(u[i] & 0x1F) << 6 | (u[i + 1] & 0x3F);
			i += 2;
		} else {
			assert_true((u[i] & 0xF0) == 0xE0 && i + 2 < n);
			c = (uint32_t)(u[i] & 0x0F) << 12 |
			    (uint32_t)(u[i + 1] & 0x3F) << 6 |
			    (u[i + 2] & 0x3F);
			i += 3;
		}
		assert_true(k < cap);
		out[k++] = (uint16_t)c;
	}
	return k;
}

/* Index of the entry at path ('/' between storages), or CFB_NONE. */
static uint32_t
tcfb_lookup(const cfb *f, const char *path)
{
	uint32_t cur = 0;
	const char *p = path;

	for (;;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		uint16_t name[64];
		size_t k = tcfb_utf16(p, n, name, 64);
		cur = cfb_find(f, cur, name, k);
		if (cur == CFB_NONE || !slash)
			return cur;
		p = slash + 1;
	}
}

/* Every line of NAME.streams is found, typed, sized and read back with
 * the CRC-32 of the bytes the writer put in; nothing else is listed. */
static void
tcfb_check_manifest(const char *sample, const char *manifest)
{
	tcfb t;
	uint8_t *m;
	size_t mlen, lines = 0;
	char *txt, *line, *save = NULL;

	tcfb_open(&t, sample);
	m = th_load(manifest, &mlen);
	txt = malloc(mlen + 1);
	assert_non_null(txt);
	memcpy(txt, m, mlen);
	txt[mlen] = 0;
	for (line = strtok_r(txt, "\n", &save); line;
	    line = strtok_r(NULL, "\n", &save)) {
		char path[256];
		unsigned type, mini;
		unsigned long long size;
		unsigned long crc;
		uint32_t i;
		const cfb_entry *e;
		uint8_t *buf;
		size_t len;
		asmgate_error err;
		char *tab = strchr(line, '\t');

		assert_non_null(tab);
		assert_true((size_t)(tab - line) < sizeof(path));
		memcpy(path, line, (size_t)(tab - line));
		path[tab - line] = 0;
		assert_int_equal(sscanf(tab + 1, "%u\t%llu\t%lx\t%u", &type,
		    &size, &crc, &mini), 4);
		i = tcfb_lookup(t.f, path);
		if (i == CFB_NONE)
			fail_msg("%s: %s not found", sample, path);
		e = cfb_entry_at(t.f, i);
		assert_non_null(e);
		assert_int_equal(e->type, type);
		assert_int_equal(e->size, size);
		assert_int_equal(e->mini, mini);
		assert_int_equal(cfb_read(t.f, i, SIZE_MAX, &buf, &len, &err),
		    ASMGATE_OK);
		assert_non_null(buf);
		assert_int_equal(len, size);
		assert_int_equal(crc32(0, buf, (uInt)len), crc);
		free(buf);
		lines++;
	}
	assert_int_equal(cfb_count(t.f), lines + 1);
	free(txt);
	free(m);
	tcfb_close(&t);
}

/* The expectation line of a malformed sample in expect.txt. */
static void
tcfb_check_bad(const char *name)
{
	uint8_t *m, *data;
	size_t mlen, len;
	char *txt, *line, *save = NULL;
	int found = 0;

	m = th_load("cfb/malformed/expect.txt", &mlen);
	txt = malloc(mlen + 1);
	assert_non_null(txt);
	memcpy(txt, m, mlen);
	txt[mlen] = 0;
	for (line = strtok_r(txt, "\n", &save); line;
	    line = strtok_r(NULL, "\n", &save)) {
		char file[128], status[32], rel[200];
		unsigned long long off;
		const char *frag;
		cfb *f = (cfb *)1;
		asmgate_error err;
		asmgate_status st;
		int k;

		if (line[0] == '#')
			continue;
		assert_int_equal(sscanf(line, "%127[^\t]\t%31[^\t]\t%llu\t%n",
		    file, status, &off, &k), 3);
		frag = line + k;
		if (name && strcmp(name, file) != 0)
			continue;
		found++;
		snprintf(rel, sizeof(rel), "cfb/malformed/%s", file);
		data = th_load(rel, &len);
		memset(&err, 0, sizeof(err));
		st = cfb_open(&f, data, len, &err);
		if (st == ASMGATE_OK)
			fail_msg("%s: opened", file);
		assert_null(f);
		if (strcmp(asmgate_status_name(st), status) != 0 ||
		    !err.has_offset || err.offset != off ||
		    !strstr(err.msg, frag))
			fail_msg("%s: want %s at 0x%llx '%s', got %s at "
			    "0x%llx '%s'", file, status, off, frag,
			    asmgate_status_name(st),
			    (unsigned long long)err.offset, err.msg);
		free(data);
	}
	if (name)
		assert_int_equal(found, 1);
	else
		assert_true(found >= 40);
	free(txt);
	free(m);
}

static void
test_ctr__cfb_detect(void **state)
{
	static const uint8_t sig[8] = {
		0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1,
	};
	uint8_t b[8];
	cfb *f;
	asmgate_error err;

	(void)state;
	assert_true(cfb_detect(sig, 8));
	assert_false(cfb_detect(sig, 7));
	memcpy(b, sig, 8);
	b[7] ^= 1;
	assert_false(cfb_detect(b, 8));
	assert_int_equal(cfb_open(&f, b, sizeof(b), &err),
	    ASMGATE_E_MALFORMED);
	assert_null(f);
	assert_int_equal(cfb_open(&f, NULL, 0, &err), ASMGATE_E_MALFORMED);
	assert_null(f);
	cfb_free(NULL);
}

static void
test_ctr__cfb_v3_streams(void **state)
{
	(void)state;
	tcfb_check_manifest("cfb/v3-mini.cfb", "cfb/v3-mini.streams");
}

static void
test_ctr__cfb_v4_streams(void **state)
{
	tcfb t;

	(void)state;
	tcfb_check_manifest("cfb/v4.cfb", "cfb/v4.streams");
	/* 4096-byte sectors: major version 4, sector shift 12 (2.2). */
	tcfb_open(&t, "cfb/v4.cfb");
	assert_int_equal(t.data[26], 4);
	assert_int_equal(t.data[30], 12);
	assert_int_equal(t.len % 4096, 0);
	tcfb_close(&t);
}

static void
test_ctr__cfb_nested(void **state)
{
	tcfb t;
	uint32_t store, deeper, leaf;
	size_t i;

	(void)state;
	tcfb_check_manifest("cfb/nested.cfb", "cfb/nested.streams");
	tcfb_open(&t, "cfb/nested.cfb");
	/* Root first, then stream ID order; parents are list indexes. */
	assert_int_equal(cfb_entry_at(t.f, 0)->type, CFB_TYPE_ROOT);
	assert_int_equal(cfb_entry_at(t.f, 0)->parent, CFB_NONE);
	for (i = 1; i < cfb_count(t.f); i++) {
		const cfb_entry *e = cfb_entry_at(t.f, i);
		assert_true(e->id > cfb_entry_at(t.f, i - 1)->id);
		assert_true(e->parent < cfb_count(t.f));
		assert_int_not_equal(cfb_entry_at(t.f, e->parent)->type,
		    CFB_TYPE_STREAM);
	}
	assert_null(cfb_entry_at(t.f, cfb_count(t.f)));
	store = tcfb_lookup(t.f, "Store");
	deeper = tcfb_lookup(t.f, "Store/Deeper");
	leaf = tcfb_lookup(t.f, "Store/Deeper/Leaf");
	assert_int_not_equal(leaf, CFB_NONE);
	assert_int_equal(cfb_entry_at(t.f, leaf)->parent, deeper);
	assert_int_equal(cfb_entry_at(t.f, deeper)->parent, store);
	assert_int_equal(cfb_entry_at(t.f, store)->parent, 0);
	/* Names are found only under their own storage. */
	assert_int_equal(tcfb_lookup(t.f, "Leaf"), CFB_NONE);
	assert_int_equal(tcfb_lookup(t.f, "Store/Top"), CFB_NONE);
	tcfb_close(&t);
}

static void
test_ctr__cfb_deep(void **state)
{
	tcfb t;
	const cfb_entry *e;
	size_t depth = 0;
	uint32_t i;

	(void)state;
	/* 31 storages inside each other: within RD_MAX_CFB_DEPTH. */
	tcfb_check_manifest("cfb/deep.cfb", "cfb/deep.streams");
	tcfb_open(&t, "cfb/deep.cfb");
	i = (uint32_t)cfb_count(t.f) - 1;
	e = cfb_entry_at(t.f, i);
	assert_int_equal(e->type, CFB_TYPE_STREAM);
	while (e->parent != CFB_NONE) {
		e = cfb_entry_at(t.f, e->parent);
		depth++;
	}
	assert_int_equal(depth, 32);
	assert_true(depth - 1 < RD_MAX_CFB_DEPTH + 1);
	tcfb_close(&t);
	tcfb_check_bad("too-deep.cfb");
}

static void
test_ctr__cfb_difat(void **state)
{
	tcfb t;
	uint32_t nfat, ndifat;

	(void)state;
	tcfb_check_manifest("cfb/difat.cfb", "cfb/difat.streams");
	/* The sample does need a DIFAT sector (2.5): over 109 FAT
	 * sectors. */
	tcfb_open(&t, "cfb/difat.cfb");
	nfat = th_get_u32(t.data + 44);
	ndifat = th_get_u32(t.data + 72);
	assert_true(nfat > 109);
	assert_int_equal(ndifat, 1);
	tcfb_close(&t);
}

static void
test_ctr__cfb_partial_tail(void **state)
{
	tcfb t;

	(void)state;
	/* The last sector ends with the last stream's last byte. */
	tcfb_check_manifest("cfb/partial-tail.cfb",
	    "cfb/partial-tail.streams");
	tcfb_open(&t, "cfb/partial-tail.cfb");
	assert_int_not_equal(t.len % 512, 0);
	tcfb_close(&t);
	tcfb_check_bad("truncated-stream.cfb");
}

static void
test_ctr__cfb_find_case(void **state)
{
	static const uint16_t alpha_lc[] = { 'a', 'l', 'p', 'h', 'a' };
	static const uint16_t alpha_uc[] = { 'A', 'L', 'P', 'H', 'A' };
	static const uint16_t alphb[] = { 'A', 'l', 'p', 'h', 'b' };
	static const uint16_t ete_uc[] = { 0xC9, 'T', 0xC9 };
	static const uint16_t ete_lc[] = { 0xE9, 't', 0xE9 };
	static const uint16_t ete_x[] = { 0xE9, 't', 'e' };
	tcfb t;
	uint32_t a, store, ete;

	(void)state;
	tcfb_open(&t, "cfb/v3-mini.cfb");
	a = tcfb_lookup(t.f, "Alpha");
	assert_int_not_equal(a, CFB_NONE);
	assert_int_equal(cfb_find(t.f, 0, alpha_lc, 5), a);
	assert_int_equal(cfb_find(t.f, 0, alpha_uc, 5), a);
	assert_int_equal(cfb_find(t.f, 0, alphb, 5), CFB_NONE);
	assert_int_equal(cfb_find(t.f, 0, alpha_uc, 4), CFB_NONE);
	/* A stream is no parent; an index past the list neither. */
	assert_int_equal(cfb_find(t.f, a, alpha_uc, 5), CFB_NONE);
	assert_int_equal(cfb_find(t.f, 1000, alpha_uc, 5), CFB_NONE);
	tcfb_close(&t);

	/* Latin-1 letters upper-case too (2.6.4). */
	tcfb_open(&t, "cfb/nested.cfb");
	store = tcfb_lookup(t.f, "Store");
	ete = tcfb_lookup(t.f, "Store/\xc3\xa9t\xc3\xa9");
	assert_int_not_equal(ete, CFB_NONE);
	assert_int_equal(cfb_find(t.f, store, ete_uc, 3), ete);
	assert_int_equal(cfb_find(t.f, store, ete_lc, 3), ete);
	assert_int_equal(cfb_find(t.f, store, ete_x, 3), CFB_NONE);
	tcfb_close(&t);
}

static void
test_ctr__cfb_v3_size_high_bits(void **state)
{
	tcfb t;
	uint32_t b;
	const cfb_entry *e;

	(void)state;
	/* The writer put 0xDEAD in the high half of Beta's size: version 3
	 * readers use the low 32 bits only (2.6.3). */
	tcfb_open(&t, "cfb/v3-mini.cfb");
	b = tcfb_lookup(t.f, "Beta");
	assert_int_not_equal(b, CFB_NONE);
	e = cfb_entry_at(t.f, b);
	assert_int_equal(th_get_u32(t.data + e->offset + 124), 0xDEAD);
	assert_int_equal(e->size, th_get_u32(t.data + e->offset + 120));
	tcfb_close(&t);
}

static void
test_ctr__cfb_read_limits(void **state)
{
	tcfb t;
	uint32_t big, empty;
	uint8_t *buf = (uint8_t *)1;
	size_t len = 7, size;
	asmgate_error err;

	(void)state;
	tcfb_open(&t, "cfb/v3-mini.cfb");
	big = tcfb_lookup(t.f, "Large");
	size = (size_t)cfb_entry_at(t.f, big)->size;
	assert_int_equal(cfb_read(t.f, big, size - 1, &buf, &len, &err),
	    ASMGATE_E_LIMIT);
	assert_null(buf);
	assert_int_equal(len, 0);
	assert_int_equal(cfb_read(t.f, big, size, &buf, &len, &err),
	    ASMGATE_OK);
	assert_int_equal(len, size);
	free(buf);
	empty = tcfb_lookup(t.f, "Empty");
	assert_int_equal(cfb_entry_at(t.f, empty)->size, 0);
	assert_int_equal(cfb_read(t.f, empty, 0, &buf, &len, &err),
	    ASMGATE_OK);
	assert_non_null(buf);
	assert_int_equal(len, 0);
	free(buf);
	assert_int_not_equal(cfb_read(t.f, cfb_count(t.f), SIZE_MAX, &buf,
	    &len, &err), ASMGATE_OK);
	assert_null(buf);
	tcfb_close(&t);
}

/* Parts read with cfb_read_at equal the same bytes of the whole read,
 * and cfb_file_offset names the file byte holding each stream byte. */
static void
tcfb_check_parts(const char *sample)
{
	tcfb t;
	size_t i;

	tcfb_open(&t, sample);
	for (i = 0; i < cfb_count(t.f); i++) {
		const cfb_entry *e = cfb_entry_at(t.f, i);
		uint8_t *whole, part[300];
		size_t len, off;
		asmgate_error err;

		assert_int_equal(cfb_read(t.f, i, SIZE_MAX, &whole, &len,
		    &err), ASMGATE_OK);
		for (off = 0; off < len; off += 37) {
			size_t n = len - off < sizeof(part) ? len - off :
			    sizeof(part);
			uint64_t fo = cfb_file_offset(t.f, i, off);
			assert_int_equal(cfb_read_at(t.f, i, off, part, n,
			    &err), ASMGATE_OK);
			assert_memory_equal(part, whole + off, n);
			assert_true(fo < t.len);
			assert_int_equal(t.data[fo], whole[off]);
		}
		if (len) {
			uint64_t fo = cfb_file_offset(t.f, i, len - 1);
			assert_true(fo < t.len);
			assert_int_equal(t.data[fo], whole[len - 1]);
		}
		assert_int_equal(cfb_file_offset(t.f, i, e->size),
		    UINT64_MAX);
		assert_int_not_equal(cfb_read_at(t.f, i, e->size, part, 1,
		    &err), ASMGATE_OK);
		assert_int_not_equal(cfb_read_at(t.f, i, UINT64_MAX, part, 2,
		    &err), ASMGATE_OK);
		free(whole);
	}
	assert_int_equal(cfb_file_offset(t.f, cfb_count(t.f), 0),
	    UINT64_MAX);
	tcfb_close(&t);
}

static void
test_ctr__cfb_read_at_and_offsets(void **state)
{
	(void)state;
	tcfb_check_parts("cfb/v3-mini.cfb");
	tcfb_check_parts("cfb/v4.cfb");
	tcfb_check_parts("cfb/nested.cfb");
	tcfb_check_parts("cfb/tiny.msi");
}

static void
test_ctr__cfb_root_ministream(void **state)
{
	tcfb t;
	uint8_t *ms, *s;
	size_t mslen, slen, i, nmini = 0;
	asmgate_error err;

	(void)state;
	/* The root's stream is the mini stream (2.6.2); the writer put each
	 * mini stream's bytes at 64 * its start sector. */
	tcfb_open(&t, "cfb/v3-mini.cfb");
	assert_int_equal(cfb_read(t.f, 0, SIZE_MAX, &ms, &mslen, &err),
	    ASMGATE_OK);
	assert_int_equal(mslen, cfb_entry_at(t.f, 0)->size);
	assert_int_equal(mslen % 64, 0);
	for (i = 1; i < cfb_count(t.f); i++) {
		const cfb_entry *e = cfb_entry_at(t.f, i);
		if (!e->mini || e->size == 0)
			continue;
		assert_true(e->size < 4096);
		assert_int_equal(cfb_read(t.f, i, SIZE_MAX, &s, &slen, &err),
		    ASMGATE_OK);
		assert_true((uint64_t)e->start * 64 + slen <= mslen);
		assert_memory_equal(ms + (size_t)e->start * 64, s, slen);
		free(s);
		nmini++;
	}
	assert_true(nmini >= 3);
	free(ms);
	tcfb_close(&t);
}

static void
test_ctr__cfb_tiny_msi(void **state)
{
	static const uint16_t si[] = {
		5, 'S', 'u', 'm', 'm', 'a', 'r', 'y', 'I', 'n', 'f', 'o', 'r',
		'm', 'a', 't', 'i', 'o', 'n',
	};
	tcfb t;
	uint8_t *exp, *buf;
	size_t elen, len, i, ncab = 0;
	unsigned long long cab_size;
	unsigned long cab_crc;
	char txt[128];
	uint32_t k;
	asmgate_error err;

	(void)state;
	exp = th_load("cfb/tiny.expect", &elen);
	assert_true(elen < sizeof(txt));
	memcpy(txt, exp, elen);
	txt[elen] = 0;
	assert_int_equal(sscanf(txt, "cab\t%llu\t%lx", &cab_size, &cab_crc),
	    2);
	tcfb_open(&t, "cfb/tiny.msi");
	assert_true(cfb_count(t.f) > 3);
	for (i = 1; i < cfb_count(t.f); i++) {
		const cfb_entry *e = cfb_entry_at(t.f, i);
		assert_int_equal(e->type, CFB_TYPE_STREAM);
		assert_int_equal(e->parent, 0);
		assert_int_equal(cfb_read(t.f, i, SIZE_MAX, &buf, &len, &err),
		    ASMGATE_OK);
		/* The embedded cabinet, as msiinfo extracts it. */
		if (len >= 4 && memcmp(buf, "MSCF", 4) == 0) {
			assert_int_equal(len, cab_size);
			assert_int_equal(crc32(0, buf, (uInt)len), cab_crc);
			ncab++;
		}
		free(buf);
	}
	assert_int_equal(ncab, 1);
	/* The summary information property set (byte order FFFE). */
	k = cfb_find(t.f, 0, si, sizeof(si) / sizeof(si[0]));
	assert_int_not_equal(k, CFB_NONE);
	assert_int_equal(cfb_read(t.f, k, SIZE_MAX, &buf, &len, &err),
	    ASMGATE_OK);
	assert_true(len >= 2);
	assert_int_equal(buf[0], 0xFE);
	assert_int_equal(buf[1], 0xFF);
	free(buf);
	tcfb_close(&t);
	free(exp);
}

static void
test_ctr__cfb_bad_header(void **state)
{
	(void)state;
	tcfb_check_bad("byte-order.cfb");
	tcfb_check_bad("sector-shift.cfb");
	tcfb_check_bad("v4-sector-shift.cfb");
	tcfb_check_bad("mini-shift.cfb");
	tcfb_check_bad("cutoff.cfb");
	tcfb_check_bad("v3-dir-count.cfb");
	tcfb_check_bad("clsid.cfb");
	tcfb_check_bad("truncated-header.cfb");
}

static void
test_ctr__cfb_bad_difat_fat(void **state)
{
	(void)state;
	tcfb_check_bad("difat-loop.cfb");
	tcfb_check_bad("difat-count.cfb");
	tcfb_check_bad("difat-unused.cfb");
	tcfb_check_bad("fat-count.cfb");
	tcfb_check_bad("fat-listed-twice.cfb");
	tcfb_check_bad("fat-not-fatsect.cfb");
	tcfb_check_bad("fat-past-eof.cfb");
}

static void
test_ctr__cfb_bad_chains(void **state)
{
	(void)state;
	tcfb_check_bad("fat-cycle.cfb");
	tcfb_check_bad("chain-past-eof.cfb");
	tcfb_check_bad("free-in-chain.cfb");
	tcfb_check_bad("reserved-in-chain.cfb");
	tcfb_check_bad("shared-sector.cfb");
	tcfb_check_bad("stream-short-chain.cfb");
	tcfb_check_bad("stream-long-chain.cfb");
	tcfb_check_bad("stream-in-directory.cfb");
	tcfb_check_bad("dir-chain-cycle.cfb");
	tcfb_check_bad("dir-past-eof.cfb");
}

static void
test_ctr__cfb_bad_mini(void **state)
{
	(void)state;
	tcfb_check_bad("minifat-cycle.cfb");
	tcfb_check_bad("mini-shared.cfb");
	tcfb_check_bad("mini-past-end.cfb");
	tcfb_check_bad("ministream-short.cfb");
}

static void
test_ctr__cfb_bad_directory(void **state)
{
	(void)state;
	tcfb_check_bad("root-type.cfb");
	tcfb_check_bad("name-len-odd.cfb");
	tcfb_check_bad("name-len-long.cfb");
	tcfb_check_bad("name-no-nul.cfb");
	tcfb_check_bad("colour.cfb");
	tcfb_check_bad("entry-type.cfb");
	tcfb_check_bad("stream-child.cfb");
	tcfb_check_bad("child-past-dir.cfb");
	tcfb_check_bad("unused-linked.cfb");
	tcfb_check_bad("name-cased-script.cfb");
}

static void
test_ctr__cfb_bad_tree(void **state)
{
	(void)state;
	tcfb_check_bad("sibling-cycle.cfb");
	tcfb_check_bad("reached-twice.cfb");
	tcfb_check_bad("sibling-order.cfb");
	tcfb_check_bad("duplicate-name.cfb");
}

static void
test_ctr__cfb_bad_all(void **state)
{
	(void)state;
	/* Every line of expect.txt, including any added later. */
	tcfb_check_bad(NULL);
}

/* Cuts and single-byte damage of a valid file: each open either fails
 * with an error or yields a reader whose every stream reads. */
static void
test_ctr__cfb_damage(void **state)
{
	uint8_t *orig, *copy;
	size_t len, cut, pos;
	int opened = 0, refused = 0;

	(void)state;
	orig = th_load("cfb/v3-mini.cfb", &len);
	copy = malloc(len);
	assert_non_null(copy);
	for (cut = 0; cut <= len; cut += cut < 600 ? 1 : 97) {
		cfb *f;
		asmgate_error err;
		asmgate_status st = cfb_open(&f, orig, cut, &err);
		if (st == ASMGATE_OK) {
			opened++;
			cfb_free(f);
		} else {
			assert_null(f);
			assert_true(err.has_offset || st == ASMGATE_E_NOMEM);
			refused++;
		}
	}
	assert_true(refused > 0);
	for (pos = 0; pos < len; pos += 3) {
		cfb *f;
		asmgate_error err;
		size_t i;

		memcpy(copy, orig, len);
		copy[pos] ^= 0x5A;
		if (cfb_open(&f, copy, len, &err) != ASMGATE_OK)
			continue;
		for (i = 0; i < cfb_count(f); i++) {
			uint8_t *buf;
			size_t blen;
			assert_int_equal(cfb_read(f, i, SIZE_MAX, &buf, &blen,
			    &err), ASMGATE_OK);
			free(buf);
		}
		cfb_free(f);
		opened++;
	}
	assert_true(opened > 0);
	free(copy);
	free(orig);
}

#define CTR_CFB_TESTS \
	cmocka_unit_test(test_ctr__cfb_detect), \
	cmocka_unit_test(test_ctr__cfb_v3_streams), \
	cmocka_unit_test(test_ctr__cfb_v4_streams), \
	cmocka_unit_test(test_ctr__cfb_nested), \
	cmocka_unit_test(test_ctr__cfb_deep), \
	cmocka_unit_test(test_ctr__cfb_difat), \
	cmocka_unit_test(test_ctr__cfb_partial_tail), \
	cmocka_unit_test(test_ctr__cfb_find_case), \
	cmocka_unit_test(test_ctr__cfb_v3_size_high_bits), \
	cmocka_unit_test(test_ctr__cfb_read_limits), \
	cmocka_unit_test(test_ctr__cfb_read_at_and_offsets), \
	cmocka_unit_test(test_ctr__cfb_root_ministream), \
	cmocka_unit_test(test_ctr__cfb_tiny_msi), \
	cmocka_unit_test(test_ctr__cfb_bad_header), \
	cmocka_unit_test(test_ctr__cfb_bad_difat_fat), \
	cmocka_unit_test(test_ctr__cfb_bad_chains), \
	cmocka_unit_test(test_ctr__cfb_bad_mini), \
	cmocka_unit_test(test_ctr__cfb_bad_directory), \
	cmocka_unit_test(test_ctr__cfb_bad_tree), \
	cmocka_unit_test(test_ctr__cfb_bad_all), \
	cmocka_unit_test(test_ctr__cfb_damage)

#endif /* TESTS_CTR_CFB_TESTS_H */
