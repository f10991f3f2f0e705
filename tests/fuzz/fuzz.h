/*
 * fuzz.h - what every harness shares: the entry point's declaration, an
 * invariant check that libFuzzer reports as a crash, and a read of every
 * byte of a borrowed buffer so the sanitizers see an over-read.
 */
#ifndef TESTS_FUZZ_H
#define TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "asmgate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)

static volatile uint8_t fuzz_sink;

static inline void
touch(const void *p, size_t n)
{
	const volatile uint8_t *q = p;
	uint8_t acc = 0;
	size_t i;

	for (i = 0; i < n; i++)
		acc ^= q[i];
	fuzz_sink ^= acc;
}

/* A failure's error record: the status it returned, a known name, one
 * NUL-terminated message; with printable, only printable ASCII (names
 * from the input must not carry newlines or terminal escapes into
 * "PATH: error: WHAT"). */
static inline void
fuzz_check_error(asmgate_status st, const asmgate_error *err, int printable)
{
	size_t i;

	CHECK(st < 0);
	CHECK(err->code == st);
	CHECK(memchr(err->msg, 0, sizeof(err->msg)) != NULL);
	CHECK(err->msg[0] != '\0');
	CHECK(strchr(err->msg, '\n') == NULL);
	CHECK(strcmp(asmgate_status_name(st), "unknown") != 0);
	for (i = 0; printable && err->msg[i] != '\0'; i++)
		CHECK((unsigned char)err->msg[i] >= 0x20 &&
		    (unsigned char)err->msg[i] < 0x7F);
}

#endif /* TESTS_FUZZ_H */
