/*
 * hex.c - hexadecimal text <-> bytes.
 */
#include "hex.h"

void
rd_hex_encode(char *out, const uint8_t *in, size_t n)
{
	static const char d[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = d[in[i] >> 4];
		out[2 * i + 1] = d[in[i] & 15];
	}
	out[2 * n] = '\0';
}

int
rd_hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
rd_hex_decode(uint8_t *out, size_t outmax, size_t *outlen, const char *in,
    size_t len, size_t *bad)
{
	size_t i;

	if (bad)
		*bad = 0;
	if (len % 2 != 0) {
		if (bad)
			*bad = len;
		return 0;
	}
	if (len / 2 > outmax)
		return 0;
	for (i = 0; i < len; i += 2) {
		int hi = rd_hex_digit((unsigned char)in[i]);
		int lo = rd_hex_digit((unsigned char)in[i + 1]);
		if (hi < 0 || lo < 0) {
			if (bad)
				*bad = hi < 0 ? i : i + 1;
			return 0;
		}
		out[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	*outlen = len / 2;
	return 1;
}

static int
hex_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

rd_hex_ws
rd_hex_decode_ws(uint8_t *out, size_t outmax, size_t *outlen, const char *in,
    size_t len, size_t *where)
{
	size_t i, digits = 0, n = 0;
	int hi = -1;

	*outlen = 0;
	*where = 0;
	/* First pass: every character is a digit or whitespace; count. */
	for (i = 0; i < len; i++) {
		if (hex_space((unsigned char)in[i]))
			continue;
		if (rd_hex_digit((unsigned char)in[i]) < 0) {
			*where = i;
			return RD_HEX_BAD_DIGIT;
		}
		digits++;
	}
	*where = digits;
	if (digits % 2 != 0)
		return RD_HEX_ODD;
	if (digits / 2 > outmax)
		return RD_HEX_TOO_LONG;
	/* Second pass: decode, now known to fit. */
	for (i = 0; i < len; i++) {
		int d;
		if (hex_space((unsigned char)in[i]))
			continue;
		d = rd_hex_digit((unsigned char)in[i]);
		if (hi < 0) {
			hi = d;
			continue;
		}
		out[n++] = (uint8_t)(hi << 4 | d);
		hi = -1;
	}
	*outlen = n;
	*where = 0;
	return RD_HEX_OK;
}
