/*
 * fuzz.h - what every harness shares: the entry point's declaration, an
 * invariant check that libFuzzer reports as a crash, and a read of every
 * byte of a borrowed buffer so the sanitizers see an over-read.
 */
#ifndef TESTS_FUZZ_H
#define TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

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

#endif /* TESTS_FUZZ_H */
