/*
 * fuzz_cab.c - libFuzzer harness for the cabinet (MS-CAB) reader.
 *
 * Opens the input with asmgate_container_open_memory (inputs that are
 * not cabinets return at once: fuzz_zip covers ZIP). On success it
 * checks every member record (name NUL-terminated, non-empty, with no
 * backslash left; method names; header offsets inside the input, data
 * offsets and compressed sizes inside it; an unsupported reason for
 * Quantum and unknown methods), then peeks and reads each member (at
 * most 1 MiB), twice in a row for the first (the second read comes from
 * the folder cache, or the cached error): a read returns exactly the
 * declared size and its bytes start with what a peek returned; a
 * refused read leaves no buffer and says why. On failure it checks the
 * error record. Any broken invariant traps, which libFuzzer reports as
 * a crash.
 *
 * Built by tests/fuzz/run-fuzz.sh (clang, -fsanitize=fuzzer) and, for
 * corpus replay under gcc, with tests/fuzz/replay.c.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "asmgate.h"
#include "fuzz.h"

#define READ_MAX ((size_t)1 << 20)
#define PEEK 64

/* Read member i; the first status of member 0 is kept so the second
 * read (from the folder cache, or the cached error) answers alike. */
static void
read_member(const asmgate_container *c, size_t i,
    const asmgate_member_info *m, const uint8_t *peek, size_t got,
    asmgate_status *first)
{
	asmgate_status st;

	st = fuzz_read_member(c, i, m, READ_MAX, peek, PEEK, got, 0);
	if (*first != 1)
		CHECK(st == *first);
	*first = st;
}

static void
walk_member(const asmgate_container *c, size_t i, size_t size)
{
	const asmgate_member_info *m = asmgate_container_member(c, i);
	uint8_t peek[PEEK];
	size_t n, got = 0;
	asmgate_status first = 1;

	CHECK(m != NULL);
	touch(m, sizeof(*m));
	CHECK(m->name != NULL);
	n = strlen(m->name);
	touch(m->name, n + 1);
	CHECK(n > 0);
	CHECK(strchr(m->name, '\\') == NULL);
	CHECK(m->name[n - 1] != '/');
	CHECK(!m->is_directory);
	CHECK(m->method_name != NULL && m->method_name[0] != '\0');
	touch(m->method_name, strlen(m->method_name) + 1);
	if (m->unsupported)
		touch(m->unsupported, strlen(m->unsupported) + 1);
	if ((m->method & 0xF) > 1 && (m->method & 0xF) != 3)
		CHECK(m->unsupported != NULL);
	CHECK(m->header_offset >= 36 && m->header_offset < size);
	CHECK(m->data_offset <= size);
	CHECK(m->compressed_size <= size - m->data_offset);

	fuzz_peek_member(c, i, m, peek, sizeof(peek), &got);
	read_member(c, i, m, peek, got, &first);
	if (i == 0)
		read_member(c, i, m, peek, got, &first);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	asmgate_container *c;
	size_t i, n;

	if (asmgate_container_detect(data, size) != ASMGATE_CONTAINER_CAB)
		return 0;
	c = fuzz_open_container(data, size, ASMGATE_CONTAINER_CAB);
	if (!c)
		return 0;
	n = asmgate_container_count(c);
	CHECK(n <= 65535);
	CHECK(n * 17 <= size);
	for (i = 0; i < n; i++)
		walk_member(c, i, size);
	asmgate_container_free(c);
	return 0;
}
