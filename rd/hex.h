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

/* Outcomes of rd_hex_decode_ws. */
typedef enum rd_hex_ws {
	RD_HEX_OK = 0,
	RD_HEX_BAD_DIGIT,   /* *where: index of the first non-hex character */
	RD_HEX_ODD,         /* *where: the number of hex digits */
	RD_HEX_TOO_LONG     /* *where: the number of hex digits */
} rd_hex_ws;

/** Decode the hex digits (case-insensitive) among len characters of in,
 *  with whitespace (space, tab, CR, LF) allowed anywhere between them, as
 *  wrapped key blobs are written (sn -tp output, policy publicKey), into
 *  out, which holds outmax bytes. On RD_HEX_OK *outlen receives the bytes
 *  decoded (0 when there is no digit at all: the caller decides whether
 *  that is an error). Checks, in order: a character that is neither a
 *  digit nor whitespace, an odd number of digits, too many for out. */
rd_hex_ws rd_hex_decode_ws(uint8_t *out, size_t outmax, size_t *outlen,
    const char *in, size_t len, size_t *where);

/** Value of one hex digit, or -1. */
int rd_hex_digit(int c);

#endif /* RD_HEX_H */
