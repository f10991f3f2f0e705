/*
 * asn1.c - RSA keys in PEM and DER: SubjectPublicKeyInfo (RFC 5280
 * 4.1.2.7), PKCS#1 RSAPublicKey/RSAPrivateKey (RFC 8017 A.1) and
 * unencrypted PKCS#8 PrivateKeyInfo (RFC 5208), through OpenSSL 3's
 * OSSL_DECODER/OSSL_ENCODER. Encrypted keys are refused: no passphrase
 * is ever asked for.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <openssl/encoder.h>
#include <openssl/err.h>

#include "keys/keys.h"
#include "rd/err.h"
#include "rd/limits.h"

/* Refuse any passphrase request (encrypted PKCS#8, PEM with DEK-Info):
 * a library must never prompt. */
static int
no_passphrase(char *pass, size_t pass_size, size_t *pass_len,
    const OSSL_PARAM params[], void *arg)
{
	(void)pass;
	(void)pass_size;
	(void)params;
	*(int *)arg = 1;
	*pass_len = 0;
	return 0;
}

/* Does the text hold "ENCRYPTED" in a PEM header line? Only to explain
 * a failure. */
static int
looks_encrypted(const uint8_t *p, size_t len)
{
	static const char needle[] = "ENCRYPTED";
	size_t i, n = sizeof(needle) - 1;

	for (i = 0; len >= n && i <= len - n; i++)
		if (memcmp(p + i, needle, n) == 0)
			return 1;
	return 0;
}

asmgate_status
keys_load_asn1(asmgate_key **out, const uint8_t *p, size_t len, int pem,
    asmgate_error *err)
{
	OSSL_DECODER_CTX *dctx;
	EVP_PKEY *pkey = NULL;
	const unsigned char *data = p;
	size_t left = len;
	const char *what = pem ? "PEM" : "DER";
	int asked = 0, ok;
	asmgate_status rc;

	*out = NULL;
	if (len > RD_MAX_KEY_FILE_BYTES)
		return rd_fail_nooff(err, ASMGATE_E_LIMIT,
		    "key file of %zu bytes exceeds %zu", len,
		    RD_MAX_KEY_FILE_BYTES);
	dctx = OSSL_DECODER_CTX_new_for_pkey(&pkey, what, NULL, "RSA", 0,
	    NULL, NULL);
	if (!dctx || OSSL_DECODER_CTX_get_num_decoders(dctx) == 0) {
		OSSL_DECODER_CTX_free(dctx);
		ERR_clear_error();
		return rd_fail_nooff(err, ASMGATE_E_CRYPTO,
		    "OpenSSL has no %s decoder for RSA keys", what);
	}
	OSSL_DECODER_CTX_set_passphrase_cb(dctx, no_passphrase, &asked);
	ok = OSSL_DECODER_from_data(dctx, &data, &left) == 1 && pkey;
	OSSL_DECODER_CTX_free(dctx);
	ERR_clear_error();
	if (!ok) {
		EVP_PKEY_free(pkey);
		if (asked || (pem && looks_encrypted(p, len)))
			return rd_fail_nooff(err, ASMGATE_E_UNSUPPORTED,
			    "encrypted private keys are not supported; "
			    "decrypt it first (openssl pkey)");
		return rd_fail_nooff(err, ASMGATE_E_KEY,
		    "not an RSA key in %s (SubjectPublicKeyInfo, PKCS#1 or "
		    "PKCS#8)", what);
	}
	if (!pem && left != 0) {
		EVP_PKEY_free(pkey);
		return rd_fail(err, ASMGATE_E_KEY, len - left,
		    "%zu bytes after the DER key", left);
	}
	if (keys_pkey_is_private(pkey) &&
	    (rc = keys_rsa_check_private(pkey, err)) != ASMGATE_OK) {
		EVP_PKEY_free(pkey);
		return rc;
	}
	return keys_key_from_pkey(out, pkey, ASMGATE_CALG_SHA1,
	    pem ? ASMGATE_KEY_FMT_PEM : ASMGATE_KEY_FMT_DER, err);
}

asmgate_status
keys_write_asn1(const asmgate_key *k, int pem, int want_private,
    uint8_t **out, size_t *len, asmgate_error *err)
{
	OSSL_ENCODER_CTX *ectx;
	unsigned char *data = NULL;
	size_t dlen = 0;
	uint8_t *copy;
	int ok;

	*out = NULL;
	*len = 0;
	if (k->info.is_ecma || !k->pkey)
		return rd_fail_nooff(err, ASMGATE_E_KEY,
		    "the ECMA key holds no RSA key to write as %s",
		    pem ? "PEM" : "DER");
	if (want_private && !k->info.is_private)
		return rd_fail_nooff(err, ASMGATE_E_KEY,
		    "no private key to write: this key is public only");
	ectx = OSSL_ENCODER_CTX_new_for_pkey(k->pkey,
	    want_private ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
	    pem ? "PEM" : "DER",
	    want_private ? "PrivateKeyInfo" : "SubjectPublicKeyInfo", NULL);
	ok = ectx && OSSL_ENCODER_CTX_get_num_encoders(ectx) > 0 &&
	    OSSL_ENCODER_to_data(ectx, &data, &dlen) == 1 && data;
	OSSL_ENCODER_CTX_free(ectx);
	ERR_clear_error();
	if (!ok) {
		OPENSSL_clear_free(data, dlen);
		return rd_fail_nooff(err, ASMGATE_E_CRYPTO,
		    "OpenSSL cannot encode the key as %s", pem ? "PEM" : "DER");
	}
	/* Hand back malloc'd memory (asmgate_free), wiping OpenSSL's copy. */
	if ((copy = malloc(dlen ? dlen : 1)) == NULL) {
		OPENSSL_clear_free(data, dlen);
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
	}
	memcpy(copy, data, dlen);
	OPENSSL_clear_free(data, dlen);
	*out = copy;
	*len = dlen;
	return ASMGATE_OK;
}
