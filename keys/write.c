/*
 * write.c - asmgate_key_write: a key in any writable format.
 *
 *   BLOB         the strong-name PublicKeyBlob (what sn -p writes)
 *   CAPI_PUBLIC  the bare PUBLICKEYBLOB (the blob minus its 12 bytes)
 *   SNK          the CAPI PRIVATEKEYBLOB; a key pair, private form only
 *   PEM, DER     SubjectPublicKeyInfo, or PKCS#8 when want_private
 *   HEX          lowercase hex of the PublicKeyBlob and a newline
 *   ECMA         the 16 bytes, for the ECMA key only
 */
#include <stdlib.h>
#include <string.h>

#include "keys/keys.h"
#include "rd/err.h"
#include "rd/hex.h"

static asmgate_status
dup_bytes(const uint8_t *p, size_t n, uint8_t **out, size_t *len,
    asmgate_error *err)
{
	uint8_t *b = malloc(n ? n : 1);

	if (!b)
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
	if (n)
		memcpy(b, p, n);
	*out = b;
	*len = n;
	return ASMGATE_OK;
}

asmgate_status
asmgate_key_write(const asmgate_key *key, asmgate_key_format fmt,
    int want_private, uint8_t **out, size_t *len, asmgate_error *err)
{
	const asmgate_key_info *ki = &key->info;
	char *hex;

	*out = NULL;
	*len = 0;
	if (want_private && !ki->is_private)
		return rd_fail_nooff(err, ASMGATE_E_KEY,
		    "no private key to write: this key is public only");
	switch (fmt) {
	case ASMGATE_KEY_FMT_BLOB:
	case ASMGATE_KEY_FMT_ECMA:
		if (fmt == ASMGATE_KEY_FMT_ECMA && !ki->is_ecma)
			return rd_fail_nooff(err, ASMGATE_E_USAGE,
			    "only the ECMA key can be written as the ECMA key");
		if (want_private)
			return rd_fail_nooff(err, ASMGATE_E_USAGE,
			    "a public key blob has no private form");
		return dup_bytes(key->blob, key->blob_len, out, len, err);
	case ASMGATE_KEY_FMT_CAPI_PUBLIC:
		if (ki->is_ecma)
			return rd_fail_nooff(err, ASMGATE_E_KEY,
			    "the ECMA key has no CAPI PUBLICKEYBLOB");
		if (want_private)
			return rd_fail_nooff(err, ASMGATE_E_USAGE,
			    "a PUBLICKEYBLOB has no private form; write a .snk");
		return dup_bytes(key->blob + KEYS_SN_HEADER,
		    key->blob_len - KEYS_SN_HEADER, out, len, err);
	case ASMGATE_KEY_FMT_SNK:
		if (!want_private)
			return rd_fail_nooff(err, ASMGATE_E_USAGE,
			    "a .snk is a key pair: ask for the private form, or "
			    "write the public key blob");
		return keys_write_snk(key, out, len, err);
	case ASMGATE_KEY_FMT_PEM:
	case ASMGATE_KEY_FMT_DER:
		return keys_write_asn1(key, fmt == ASMGATE_KEY_FMT_PEM,
		    want_private, out, len, err);
	case ASMGATE_KEY_FMT_HEX:
		if (want_private)
			return rd_fail_nooff(err, ASMGATE_E_USAGE,
			    "hex text holds the public key blob only");
		/* 2 digits a byte, a newline, a NUL; blob_len is capped. */
		if ((hex = malloc(2 * key->blob_len + 2)) == NULL)
			return rd_fail_nooff(err, ASMGATE_E_NOMEM,
			    "out of memory");
		rd_hex_encode(hex, key->blob, key->blob_len);
		hex[2 * key->blob_len] = '\n';
		hex[2 * key->blob_len + 1] = '\0';
		*out = (uint8_t *)hex;
		*len = 2 * key->blob_len + 1;
		return ASMGATE_OK;
	case ASMGATE_KEY_FMT_UNKNOWN:
	case ASMGATE_KEY_FMT_ASSEMBLY:
		break;
	}
	return rd_fail_nooff(err, ASMGATE_E_USAGE,
	    "cannot write a key in that format");
}
