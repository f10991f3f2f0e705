/*
 * hex.h - hexadecimal text <-> bytes.
 */
#ifndef RD_HEX_H
#define RD_HEX_H

#include <stddef.h>
#include <stdint.h>

/** Write 2*n lowercase hex digits and a NUL into out (size >= 2n+1). */
void rd_hex_encode(char *out, const uint8_t *in, size_t n);

/** Decode exactly len hex characters (case-insensitive) into out, which
 *  holds outmax bytes. Fails (returns 0) on an odd length, a non-hex
 *  character (*bad set to its index) or too small an output. *outlen
 *  receives len/2. */
int rd_hex_decode(uint8_t *out, size_t outmax, size_t *outlen,
    const char *in, size_t len, size_t *bad);

/** Value of one hex digit, or -1. */
int rd_hex_digit(int c);

#endif /* RD_HEX_H */
