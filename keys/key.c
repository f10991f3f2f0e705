/*
 * key.c - the asmgate_key object: a strong-name public key blob, the RSA
 * key it describes (an EVP_PKEY, possibly with its private half) and the
 * facts asmgate_key_get_info reports.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>

#include "keys/keys.h"
#include "rd/err.h"
#include "rd/limits.h"

/* The ECMA neutral key: SigAlgID 0, HashAlgID 0, cbPublicKey 4, four zero
 * bytes (strongname.md 6.4; ECMA-335 II.6.2.1.3). */
const uint8_t keys_ecma_blob[KEYS_ECMA_LEN] = {
	0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0
};

const char *
keys_hash_name(uint32_t hash_alg)
{
	switch (hash_alg) {
	case 0: /* HashAlgID 0 means SHA-1 (strongname.md 5) */
	case ASMGATE_CALG_SHA1: return "sha1";
	case ASMGATE_CALG_SHA_256: return "sha256";
	case ASMGATE_CALG_SHA_384: return "sha384";
	case ASMGATE_CALG_SHA_512: return "sha512";
	}
	return NULL;
}

void
keys_free_secret(void *p, size_t n)
{
	if (!p)
		return;
	OPENSSL_cleanse(p, n);
	free(p);
}

int
keys_pkey_is_private(const EVP_PKEY *pkey)
{
	BIGNUM *d = NULL;
	int has;

	if (!pkey)
		return 0;
	has = EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_D, &d) == 1 &&
	    d != NULL;
	BN_clear_free(d);
	ERR_clear_error();
	return has;
}

asmgate_status
keys_key_new(asmgate_key **out, EVP_PKEY *pkey, const uint8_t *blob,
    size_t blob_len, asmgate_key_format fmt, asmgate_error *err)
{
	asmgate_key *k;
	asmgate_key_info *ki;
	keys_pub pub;
	unsigned int mdlen = 0;
	asmgate_status rc;
	int ecma;

	*out = NULL;
	ecma = blob_len == KEYS_ECMA_LEN &&
	    memcmp(blob, keys_ecma_blob, KEYS_ECMA_LEN) == 0;
	memset(&pub, 0, sizeof(pub));
	if (!ecma &&
	    (rc = keys_parse_sn_blob(blob, blob_len, &pub, err)) != ASMGATE_OK) {
		EVP_PKEY_free(pkey);
		return rc;
	}
	if (ecma != (pkey == NULL)) {
		EVP_PKEY_free(pkey);
		return rd_fail_nooff(err, ASMGATE_E_KEY,
		    "internal: key and blob disagree");
	}
	k = calloc(1, sizeof(*k));
	if (!k || (k->blob = malloc(blob_len)) == NULL) {
		free(k);
		EVP_PKEY_free(pkey);
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
	}
	memcpy(k->blob, blob, blob_len);
	k->blob_len = blob_len;
	k->pkey = pkey;

	ki = &k->info;
	ki->format = fmt;
	ki->is_ecma = ecma;
	ki->is_private = keys_pkey_is_private(pkey);
	ki->bits = ecma ? 0 : pub.bitlen;
	ki->exponent = ecma ? 0 : pub.exponent;
	ki->sig_alg = pub.sig_alg;
	ki->hash_alg = pub.hash_alg;
	ki->hash_name = keys_hash_name(pub.hash_alg);
	ki->blob = k->blob;
	ki->blob_len = k->blob_len;
	if ((rc = asmgate_key_token(k->blob, k->blob_len, ki->token, err)) !=
	    ASMGATE_OK) {
		asmgate_key_free(k);
		return rc;
	}
	/* SHA-256 fingerprint of the public key blob. */
	if (!EVP_Digest(k->blob, k->blob_len, ki->fingerprint, &mdlen,
		EVP_sha256(), NULL) || mdlen != sizeof(ki->fingerprint)) {
		asmgate_key_free(k);
		ERR_clear_error();
		return rd_fail_nooff(err, ASMGATE_E_CRYPTO,
		    "SHA-256 unavailable for the key fingerprint");
	}
	ki->well_known = keys_well_known_for(ki->token, k->blob, k->blob_len);
	*out = k;
	return ASMGATE_OK;
}

asmgate_status
keys_key_from_sn_blob(asmgate_key **out, const uint8_t *blob, size_t len,
    asmgate_key_format fmt, asmgate_error *err)
{
	keys_pub pub;
	EVP_PKEY *pkey = NULL;
	asmgate_status rc;

	*out = NULL;
	if (!blob || len == 0)
		return rd_fail_nooff(err, ASMGATE_E_KEY, "empty public key");
	if (len == KEYS_ECMA_LEN && memcmp(blob, keys_ecma_blob, len) == 0)
		return keys_key_new(out, NULL, blob, len,
		    fmt == ASMGATE_KEY_FMT_BLOB ? ASMGATE_KEY_FMT_ECMA : fmt,
		    err);
	if ((rc = keys_parse_sn_blob(blob, len, &pub, err)) != ASMGATE_OK)
		return rc;
	if ((rc = keys_pkey_from_capi(&pub, NULL, &pkey, err)) != ASMGATE_OK)
		return rc;
	return keys_key_new(out, pkey, blob, len, fmt, err);
}

asmgate_status
asmgate_key_from_blob(asmgate_key **out, const uint8_t *blob, size_t len,
    asmgate_error *err)
{
	asmgate_status rc;
	char pre[64];

	rc = keys_key_from_sn_blob(out, blob, len, ASMGATE_KEY_FMT_BLOB, err);
	/* The caller knows where the blob lies, we do not: an offset into
	 * the blob is not a file offset, so it moves into the message. */
	if (rc != ASMGATE_OK && err && err->has_offset) {
		snprintf(pre, sizeof(pre), "public key blob byte %llu",
		    (unsigned long long)err->offset);
		err->has_offset = 0;
		err->offset = 0;
		rd_err_prefix(err, pre);
	}
	return rc;
}

asmgate_status
keys_key_from_pkey(asmgate_key **out, EVP_PKEY *pkey, uint32_t hash_alg,
    asmgate_key_format fmt, asmgate_error *err)
{
	BIGNUM *n = NULL, *e = NULL;
	uint8_t *mod = NULL, *blob = NULL;
	size_t nbytes = 0, blen = 0;
	uint32_t exp = 0;
	asmgate_status rc;

	*out = NULL;
	if (!EVP_PKEY_is_a(pkey, "RSA")) {
		rc = rd_fail_nooff(err, ASMGATE_E_KEY,
		    "not an RSA key (strong names use RSA)");
		goto out;
	}
	if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &n) != 1 ||
	    EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e) != 1) {
		rc = rd_fail_nooff(err, ASMGATE_E_KEY,
		    "RSA key without a modulus or exponent");
		goto out;
	}
	nbytes = (size_t)BN_num_bytes(n);
	/* CAPI RSAPUBKEY.bitlen: whole bytes of modulus (strongname.md 6.1). */
	if (nbytes * 8 < RD_MIN_KEY_BITS || nbytes * 8 > RD_MAX_KEY_BITS) {
		rc = rd_fail_nooff(err, ASMGATE_E_KEY,
		    "%d-bit RSA key is outside the %u..%u bits strong names "
		    "allow", BN_num_bits(n), RD_MIN_KEY_BITS, RD_MAX_KEY_BITS);
		goto out;
	}
	/* RSAPUBKEY.pubexp is a 32-bit field. */
	if (BN_num_bits(e) > 32) {
		rc = rd_fail_nooff(err, ASMGATE_E_KEY,
		    "public exponent does not fit the 32-bit CAPI field");
		goto out;
	}
	exp = (uint32_t)BN_get_word(e);
	if (exp < 3 || (exp & 1) == 0 || !BN_is_odd(n)) {
		rc = rd_fail_nooff(err, ASMGATE_E_KEY,
		    "not a valid RSA key (exponent %u, modulus %s)", exp,
		    BN_is_odd(n) ? "odd" : "even");
		goto out;
	}
	if ((mod = malloc(nbytes)) == NULL) {
		rc = rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
		goto out;
	}
	if (BN_bn2lebinpad(n, mod, (int)nbytes) != (int)nbytes) {
		rc = rd_fail_nooff(err, ASMGATE_E_CRYPTO,
		    "cannot export the RSA modulus");
		goto out;
	}
	/* Mono and Roslyn derive SigAlgID 0x2400 and aiKeyAlg 0x2400
	 * (strongname.md 6.3). */
	if ((rc = keys_build_sn_blob(ASMGATE_CALG_RSA_SIGN, hash_alg,
		ASMGATE_CALG_RSA_SIGN, (uint32_t)(nbytes * 8), exp, mod, &blob,
		&blen, err)) != ASMGATE_OK)
		goto out;
	rc = keys_key_new(out, pkey, blob, blen, fmt, err);
	pkey = NULL; /* owned by the key, or freed */
out:
	EVP_PKEY_free(pkey);
	BN_free(n);
	BN_free(e);
	free(mod);
	free(blob);
	ERR_clear_error();
	return rc;
}

void
asmgate_key_free(asmgate_key *key)
{
	if (!key)
		return;
	EVP_PKEY_free(key->pkey); /* OpenSSL clears RSA private BIGNUMs */
	free(key->blob);
	OPENSSL_cleanse(key, sizeof(*key));
	free(key);
}

const asmgate_key_info *
asmgate_key_get_info(const asmgate_key *key)
{
	return key ? &key->info : NULL;
}

EVP_PKEY *
keys_pkey(const asmgate_key *k)
{
	return k ? k->pkey : NULL;
}

int
keys_same_rsa(const asmgate_key *a, const asmgate_key *b)
{
	size_t mlen;

	if (!a || !b)
		return 0;
	if (a->info.is_ecma || b->info.is_ecma)
		return a->info.is_ecma && b->info.is_ecma;
	if (a->info.bits != b->info.bits ||
	    a->info.exponent != b->info.exponent)
		return 0;
	/* Both blobs were validated: the modulus is the last bitlen/8
	 * bytes (strongname.md 6.1). */
	mlen = a->info.bits / 8;
	if (a->blob_len != KEYS_BLOB_MIN + mlen ||
	    b->blob_len != KEYS_BLOB_MIN + mlen)
		return 0;
	return CRYPTO_memcmp(a->blob + KEYS_BLOB_MIN, b->blob + KEYS_BLOB_MIN,
	    mlen) == 0;
}

asmgate_status
keys_blob_with_hash(const asmgate_key *k, uint32_t hash_alg, uint8_t **out,
    size_t *len, asmgate_error *err)
{
	uint8_t *b;

	*out = NULL;
	*len = 0;
	if (k->info.is_ecma)
		return rd_fail_nooff(err, ASMGATE_E_KEY,
		    "the ECMA key has no RSA key to derive a blob from");
	if (hash_alg != 0 && !keys_hash_name(hash_alg))
		return rd_fail_nooff(err, ASMGATE_E_UNSUPPORTED,
		    "unsupported HashAlgID 0x%x", hash_alg);
	if ((b = malloc(k->blob_len)) == NULL)
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
	memcpy(b, k->blob, k->blob_len);
	/* HashAlgID: offset 4 of the PublicKeyBlob (strongname.md 6.1). */
	b[4] = (uint8_t)hash_alg;
	b[5] = (uint8_t)(hash_alg >> 8);
	b[6] = (uint8_t)(hash_alg >> 16);
	b[7] = (uint8_t)(hash_alg >> 24);
	*out = b;
	*len = k->blob_len;
	return ASMGATE_OK;
}
