/*
 * token.c - public key tokens (ECMA-335 II.6.2.1.3): the low 8 bytes of
 * the SHA-1 of the full strong-name public key blob, in reverse order.
 * Always SHA-1, whatever the blob's HashAlgID.
 */
#include <openssl/evp.h>

#include "asmgate.h"
#include "rd/err.h"
#include "rd/limits.h"

asmgate_status
asmgate_key_token(const uint8_t *blob, size_t len, uint8_t out[8],
    asmgate_error *err)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	int i;

	if (!blob || len == 0)
		return rd_fail_nooff(err, ASMGATE_E_KEY, "empty public key");
	if (len > RD_MAX_PUBLIC_KEY_BLOB)
		return rd_fail_nooff(err, ASMGATE_E_KEY,
		    "public key blob of %zu bytes exceeds %u", len,
		    RD_MAX_PUBLIC_KEY_BLOB);
	if (!EVP_Digest(blob, len, md, &mdlen, EVP_sha1(), NULL) ||
	    mdlen != 20)
		return rd_fail_nooff(err, ASMGATE_E_CRYPTO,
		    "SHA-1 unavailable for the public key token");
	for (i = 0; i < 8; i++)
		out[i] = md[19 - i];
	return ASMGATE_OK;
}
