/*
 * safeint.h - checked arithmetic for offsets and sizes from untrusted
 * input. Every offset+size and count*size taken from a file goes through
 * one of these; each returns 1 on success and 0 on overflow.
 */
#ifndef RD_SAFEINT_H
#define RD_SAFEINT_H

#include <stddef.h>
#include <stdint.h>

#define RD_SAFE_MUST_CHECK __attribute__((warn_unused_result))

static inline RD_SAFE_MUST_CHECK int
rd_add_u32(uint32_t a, uint32_t b, uint32_t *out)
{
	return !__builtin_add_overflow(a, b, out);
}

static inline RD_SAFE_MUST_CHECK int
rd_add_u64(uint64_t a, uint64_t b, uint64_t *out)
{
	return !__builtin_add_overflow(a, b, out);
}

static inline RD_SAFE_MUST_CHECK int
rd_add_size(size_t a, size_t b, size_t *out)
{
	return !__builtin_add_overflow(a, b, out);
}

static inline RD_SAFE_MUST_CHECK int
rd_mul_size(size_t a, size_t b, size_t *out)
{
	return !__builtin_mul_overflow(a, b, out);
}

/** Does [off, off+n) lie inside [0, total)? Subtraction form: no sum is
 *  ever formed, so no overflow is possible. */
static inline RD_SAFE_MUST_CHECK int
rd_range_ok(uint64_t off, uint64_t n, uint64_t total)
{
	return off <= total && n <= total - off;
}

/** Does [a, a+an) lie inside [b, b+bn)? Both ranges must be valid (no
 *  overflow) which the caller has checked. */
static inline RD_SAFE_MUST_CHECK int
rd_range_within(uint64_t a, uint64_t an, uint64_t b, uint64_t bn)
{
	return a >= b && rd_range_ok(a - b, an, bn);
}

/** Do [a, a+an) and [b, b+bn) share a byte? */
static inline int
rd_range_overlap(uint64_t a, uint64_t an, uint64_t b, uint64_t bn)
{
	if (an == 0 || bn == 0)
		return 0;
	return a < b ? b - a < an : a - b < bn;
}

#endif /* RD_SAFEINT_H */
