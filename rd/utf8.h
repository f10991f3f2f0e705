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

/** 1 for characters that control or reorder a terminal's display
 *  although they are valid UTF-8: the C1 controls U+0080-U+009F (U+009B
 *  is CSI on some terminals) and the bidirectional controls of UAX #9
 *  2.1-2.6 (ALM U+061C, LRM/RLM U+200E-U+200F, embeddings and overrides
 *  U+202A-U+202E, isolates U+2066-U+2069). Output escapes them. */
static inline int
rd_utf8_is_display_control(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9F) || cp == 0x061C ||
	    cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
	    (cp >= 0x2066 && cp <= 0x2069);
}

#endif /* RD_UTF8_H */
