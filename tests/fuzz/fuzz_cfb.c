/*
 * fuzz_cfb.c - libFuzzer harness for the compound file reader
 * (ctr/cfb.c, MS-CFB).
 *
 * Opens the input with cfb_open. On failure it checks the error record
 * (a status with a name, one printable line, an offset inside the
 * input). On success it checks every entry: the root first and only
 * there, stream IDs in increasing order, names NUL-terminated, the
 * parent a storage, the entry inside the input, mini streams under the
 * cutoff; cfb_find of the entry's own name under its parent finds it
 * (names are unique per storage); each stream is read whole (at most
 * READ_MAX; above it ASMGATE_E_LIMIT) and cfb_file_offset at its first,
 * middle and last byte names an input byte equal to the byte read,
 * cfb_read_at of its second half equals the same bytes of the whole
 * read. Any broken invariant traps, which libFuzzer reports as a crash.
 *
 * Built by tests/fuzz/run-fuzz.sh (clang, -fsanitize=fuzzer) and, for
 * corpus replay under gcc, with tests/fuzz/replay.c.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "asmgate.h"
#include "ctr/cfb.h"
#include "fuzz.h"

#define READ_MAX ((size_t)1 << 16)

static void
check_offset(const cfb *f, size_t i, uint64_t off, const uint8_t *out,
    const uint8_t *data, size_t size)
{
	uint64_t fo = cfb_file_offset(f, i, off);

	CHECK(fo < size);
	CHECK(data[fo] == out[off]);
}

static void
walk_entry(const cfb *f, size_t i, const uint8_t *data, size_t size)
{
	const cfb_entry *e = cfb_entry_at(f, i), *p;
	uint8_t *out = NULL, *part;
	size_t len = 7, half;
	asmgate_error err;
	asmgate_status st;

	CHECK(e != NULL);
	touch(e, sizeof(*e));
	CHECK(e->name_len < 32);
	CHECK(e->name[e->name_len] == 0);
	CHECK(e->offset <= size && size - e->offset >= 128);
	if (i == 0) {
		CHECK(e->type == CFB_TYPE_ROOT);
		CHECK(e->parent == CFB_NONE);
		CHECK(e->id == 0);
	} else {
		CHECK(e->type == CFB_TYPE_STORAGE ||
		    e->type == CFB_TYPE_STREAM);
		CHECK(e->id > cfb_entry_at(f, i - 1)->id);
		CHECK(e->parent < cfb_count(f));
		p = cfb_entry_at(f, e->parent);
		CHECK(p->type == CFB_TYPE_ROOT || p->type == CFB_TYPE_STORAGE);
		CHECK(cfb_find(f, e->parent, e->name, e->name_len) == i);
	}
	if (e->mini)
		CHECK(e->type == CFB_TYPE_STREAM && e->size < 4096);
	if (e->type == CFB_TYPE_STORAGE)
		CHECK(e->size == 0);
	CHECK(cfb_file_offset(f, i, e->size) == UINT64_MAX);

	asmgate_error_clear(&err);
	st = cfb_read(f, i, READ_MAX, &out, &len, &err);
	if (st != ASMGATE_OK) {
		fuzz_check_error(st, &err, 1);
		CHECK(st == ASMGATE_E_LIMIT || st == ASMGATE_E_NOMEM);
		CHECK(st != ASMGATE_E_LIMIT || e->size > READ_MAX);
		CHECK(out == NULL && len == 0);
		return;
	}
	CHECK(out != NULL);
	CHECK(len == e->size);
	touch(out, len);
	if (len > 0) {
		check_offset(f, i, 0, out, data, size);
		check_offset(f, i, len / 2, out, data, size);
		check_offset(f, i, len - 1, out, data, size);
		half = len / 2;
		part = malloc(len - half);
		CHECK(part != NULL);
		CHECK(cfb_read_at(f, i, half, part, len - half, &err) ==
		    ASMGATE_OK);
		CHECK(memcmp(part, out + half, len - half) == 0);
		free(part);
	}
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cfb *f = (cfb *)&f;
	asmgate_error err;
	asmgate_status st;
	size_t i, n;

	asmgate_error_clear(&err);
	(void)cfb_detect(data, size);
	st = cfb_open(&f, data, size, &err);
	if (st != ASMGATE_OK) {
		CHECK(f == NULL);
		fuzz_check_error(st, &err, 1);
		if (err.has_offset)
			CHECK(err.offset <= size);
		return 0;
	}
	CHECK(f != NULL);
	CHECK(cfb_detect(data, size));
	n = cfb_count(f);
	CHECK(n >= 1 && n <= 65536);
	CHECK(cfb_entry_at(f, n) == NULL);
	for (i = 0; i < n; i++)
		walk_entry(f, i, data, size);
	cfb_free(f);
	return 0;
}
