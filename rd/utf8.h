/*
 * utf8.h - strict UTF-8 decoding (Unicode 15.0, 3.9 table 3-7).
 *
 * Shared by everything that escapes text for output (JSON, XML, the
 * terminal) and by the policy loader's encoding check.
 */
#ifndef RD_UTF8_H
#define RD_UTF8_H

#include <stddef.h>
#include <stdint.h>

/** Length (1-4) of the valid UTF-8 sequence at s (n bytes available)
 *  with its code point in *cp, or 0 when the bytes are not valid UTF-8:
 *  a stray continuation byte, an overlong form, a surrogate, a value
 *  above U+10FFFF, a truncated sequence, or n == 0. */
int rd_utf8_next(const uint8_t *s, size_t n, uint32_t *cp);

/** Length of the longest valid UTF-8 prefix of s: n when all of s is
 *  UTF-8, else the offset of the first byte that is not. */
size_t rd_utf8_valid_len(const uint8_t *s, size_t n);

#endif /* RD_UTF8_H */
