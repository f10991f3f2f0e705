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

/* Open the input as a container of format want: NULL when it does not
 * open (the error record checked: one line, a known status, an offset
 * inside the input), else the container, of that format. */
static inline asmgate_container *
fuzz_open_container(const uint8_t *data, size_t size,
    asmgate_container_format want)
{
	asmgate_container *c = NULL;
	asmgate_error err;
	asmgate_status st;

	asmgate_error_clear(&err);
	st = asmgate_container_open_memory(&c, data, size, &err);
	if (st != ASMGATE_OK) {
		CHECK(c == NULL);
		fuzz_check_error(st, &err, 1);
		if (err.has_offset)
			CHECK(err.offset <= size);
		return NULL;
	}
	CHECK(c != NULL);
	CHECK(asmgate_container_get_format(c) == want);
	CHECK(asmgate_container_member(c, asmgate_container_count(c)) ==
	    NULL);
	return c;
}

/* Peek at the first n bytes of container member i (its record m): on
 * failure a well-formed error; on success at most n and at most the
 * declared size. *got is 0 after a failure. */
static inline void
fuzz_peek_member(const asmgate_container *c, size_t i,
    const asmgate_member_info *m, uint8_t *peek, size_t n, size_t *got)
{
	asmgate_error err;
	asmgate_status st;

	*got = 0;
	asmgate_error_clear(&err);
	st = asmgate_container_peek(c, i, peek, n, got, &err);
	if (st != ASMGATE_OK) {
		fuzz_check_error(st, &err, 1);
		*got = 0;
		return;
	}
	CHECK(*got <= n);
	CHECK(*got <= m->size);
	touch(peek, *got);
}

/* Read member i whole (at most max bytes): a refusal leaves no buffer,
 * says why, and is "unsupported" for a member marked so; a read returns
 * exactly the declared size, starting with the got bytes a peek of n
 * returned (with peek_ok, a read that works means the peek worked).
 * Returns the status. */
static inline asmgate_status
fuzz_read_member(const asmgate_container *c, size_t i,
    const asmgate_member_info *m, size_t max, const uint8_t *peek,
    size_t n, size_t got, int peek_ok)
{
	uint8_t *out = NULL;
	size_t len = 0;
	asmgate_error err;
	asmgate_status st;

	asmgate_error_clear(&err);
	st = asmgate_container_read(c, i, max, &out, &len, &err);
	if (st != ASMGATE_OK) {
		fuzz_check_error(st, &err, 1);
		CHECK(out == NULL && len == 0);
		if (m->unsupported)
			CHECK(st == ASMGATE_E_UNSUPPORTED);
		return st;
	}
	CHECK(m->unsupported == NULL);
	CHECK(out != NULL);
	CHECK(len == m->size);
	CHECK(len <= max);
	touch(out, len);
	if (peek_ok || got > 0) {
		CHECK(got == (len < n ? len : n));
		CHECK(memcmp(peek, out, got) == 0);
	}
	asmgate_free(out);
	return st;
}

#endif /* TESTS_FUZZ_H */
