/*
 * fuzz_keymap.c - libFuzzer harness for Mono machine.config token
 * mappings (policy/keymap.c, verify --key-map-from): the hardened XML
 * loader, then <pubTokenMapping><map Token PublicKey/>.
 *
 * The input is handed to asmgate_key_map_load by the path of an
 * in-memory file (memfd_create; /proc/self/fd/N). On success each
 * mapping is read back: a key, a line, and no token twice. On
 * failure the error record is checked. Any broken invariant traps.
 *
 * Built by tests/fuzz/run-fuzz.sh and, for corpus replay, with
 * tests/fuzz/replay.c. Seeds: tests/fuzz/corpus/keymap.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "asmgate.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	asmgate_key_map *m = NULL;
	asmgate_error err;
	asmgate_status st;
	unsigned long lines = 1, line;
	char path[64];
	size_t i, j, n;
	int fd;

	for (i = 0; i < size; i++)
		if (data[i] == '\n')
			lines++;
	fd = memfd_create("machine.config", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (size && write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	asmgate_error_clear(&err);
	st = asmgate_key_map_load(&m, path, &err);
	close(fd);
	if (st != ASMGATE_OK) {
		CHECK(m == NULL);
		fuzz_check_error(st, &err, 0);
		/* UTF-16 input is converted first: its lines are the
		 * converted text's, at most as many as the bytes' */
		CHECK(err.line <= size + 1);
		return 0;
	}
	/* A configuration without mappings loads (count 0); the command
	 * refuses it, not the library. */
	n = asmgate_key_map_count(m);
	for (i = 0; i < n; i++) {
		const asmgate_key_mapping *e = asmgate_key_map_get(m, i, &line);
		CHECK(e != NULL);
		CHECK(e->key != NULL);
		CHECK(line >= 1);
		touch(e->token, sizeof(e->token));
		for (j = 0; j < i; j++)
			CHECK(memcmp(asmgate_key_map_get(m, j, NULL)->token,
			    e->token, 8) != 0);
	}
	CHECK(asmgate_key_map_get(m, n, NULL) == NULL);
	(void)lines;
	asmgate_key_map_free(m);
	return 0;
}
