/*
 * fuzz_msi.c - libFuzzer harness for installer databases (.msi, .msm).
 *
 * Inputs that are compound files are opened with
 * asmgate_container_open_memory (no path: external cabinets and source
 * files are unavailable, and said so per member). On success every
 * member has a non-empty name, a File key, a method name, offsets inside
 * the input; a member that cannot be read says why, and one that can is
 * read (at most 1 MiB) to exactly its size, its first bytes equal to a
 * peek's. On failure the error record is one printable line with a
 * status and an offset inside the input. Any broken invariant traps.
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
walk_member(const asmgate_container *c, size_t i, size_t size)
{
	const asmgate_member_info *m = asmgate_container_member(c, i);
	uint8_t peek[PEEK];
	size_t got = 0;

	CHECK(m != NULL);
	touch(m, sizeof(*m));
	CHECK(m->name != NULL && m->name[0] != '\0');
	touch(m->name, strlen(m->name) + 1);
	CHECK(m->key != NULL);
	touch(m->key, strlen(m->key) + 1);
	CHECK(m->method_name != NULL && m->method_name[0] != '\0');
	if (m->unsupported)
		touch(m->unsupported, strlen(m->unsupported) + 1);
	CHECK(m->header_offset <= size);
	CHECK(m->data_offset <= size);

	fuzz_peek_member(c, i, m, peek, sizeof(peek), &got);
	(void)fuzz_read_member(c, i, m, READ_MAX, peek, PEEK, got, 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	asmgate_container *c;
	size_t i, n;

	if (asmgate_container_detect(data, size) != ASMGATE_CONTAINER_MSI)
		return 0;
	c = fuzz_open_container(data, size, ASMGATE_CONTAINER_MSI);
	if (!c)
		return 0;
	n = asmgate_container_count(c);
	for (i = 0; i < n; i++)
		walk_member(c, i, size);
	asmgate_container_free(c);
	return 0;
}
