/*
 * fuzz_zip.c - libFuzzer harness for the container (ZIP) reader.
 *
 * Opens the input with asmgate_container_open_memory. On success it
 * checks every member record (name NUL-terminated with no NUL inside and
 * the length the directory implies, method names, header and data
 * offsets inside the input and in order, directories named with a
 * trailing '/'), then peeks and reads each member (at most 1 MiB): a
 * read returns exactly the declared size and its bytes start with what
 * a peek returned; a refused read leaves no buffer and says why. On
 * failure it checks the error record (one printable line, a status with
 * a name). Any broken invariant traps, which libFuzzer reports as a
 * crash.
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

static void
walk_member(const asmgate_container *c, size_t i, const uint8_t *data,
    size_t size)
{
	const asmgate_member_info *m = asmgate_container_member(c, i);
	uint8_t peek[PEEK];
	size_t n, got = 0;

	CHECK(m != NULL);
	touch(m, sizeof(*m));
	CHECK(m->name != NULL);
	n = strlen(m->name);
	touch(m->name, n + 1);
	CHECK(n > 0);
	CHECK(m->is_directory == (m->name[n - 1] == '/'));
	CHECK(m->method_name != NULL && m->method_name[0] != '\0');
	touch(m->method_name, strlen(m->method_name) + 1);
	if (m->unsupported)
		touch(m->unsupported, strlen(m->unsupported) + 1);
	if (m->method != 0 && m->method != 8)
		CHECK(m->unsupported != NULL);
	CHECK(m->header_offset < size);
	CHECK(m->data_offset > m->header_offset);
	CHECK(m->data_offset <= size);
	CHECK(m->compressed_size <= size - m->data_offset);
	if (m->method == 0 && !m->unsupported)
		CHECK(m->compressed_size == m->size);
	(void)data;

	fuzz_peek_member(c, i, m, peek, sizeof(peek), &got);
	/* a read that works means the peek worked and saw the same bytes */
	(void)fuzz_read_member(c, i, m, READ_MAX, peek, PEEK, got, 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	asmgate_container *c;
	size_t i, n;

	/* Other formats have harnesses of their own (fuzz_cab). */
	if (asmgate_container_detect(data, size) != ASMGATE_CONTAINER_ZIP &&
	    asmgate_container_detect(data, size) != ASMGATE_CONTAINER_NONE)
		return 0;
	c = fuzz_open_container(data, size, ASMGATE_CONTAINER_ZIP);
	if (!c)
		return 0;
	CHECK(asmgate_container_detect(data, size) == ASMGATE_CONTAINER_ZIP);
	n = asmgate_container_count(c);
	CHECK(n <= 65536);
	CHECK(n * 46 <= size);
	for (i = 0; i < n; i++)
		walk_member(c, i, data, size);
	asmgate_container_free(c);
	return 0;
}
