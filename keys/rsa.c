/*
 * rsa.c - the RSA operations strong names need: digests by ALG_ID,
 * RSASSA-PKCS1-v1_5 over a precomputed digest in strong-name byte order
 * (strongname.md 5), key generation (sn -k) and a consistency check of
 * private keys read from files.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rsa.h>

#include "keys/keys.h"
#include "rd/err.h"
#include "rd/limits.h"

const EVP_MD *
keys_md(uint32_t hash_alg)
{
	switch (hash_alg) {
	case 0: /* HashAlgID 0 means SHA-1 (strongname.md 5) */
	case ASMGATE_CALG_SHA1: return EVP_sha1();
	case ASMGATE_CALG_SHA_256: return EVP_sha256();
	case ASMGATE_CALG_SHA_384: return EVP_sha384();
	case ASMGATE_CALG_SHA_512: return EVP_sha512();
	}
	return NULL;
}

/* Reverse n bytes from src into dst (strong-name signatures are stored
 * little-endian, PKCS#1 is big-endian: strongname.md 5). */
static void
reverse_copy(uint8_t *dst, const uint8_t *src, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		dst[i] = src[n - 1 - i];
}

/* An EVP_PKEY_CTX set up for PKCS#1 v1.5 with md; verify or sign. */
static asmgate_status
pkcs1_ctx(const asmgate_key *k, const EVP_MD *md, int sign,
    EVP_PKEY_CTX **out, asmgate_error *err)
{
	EVP_PKEY_CTX *ctx;

	*out = NULL;
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey, NULL);
	if (!ctx ||
	    (sign ? EVP_PKEY_sign_init(ctx) : EVP_PKEY_verify_init(ctx)) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) != 1) {
		EVP_PKEY_CTX_free(ctx);
		ERR_clear_error();
		return rd_fail_nooff(err, ASMGATE_E_CRYPTO,
		    "OpenSSL cannot set up RSA PKCS#1 v1.5 %s",
		    sign ? "signing" : "verification");
	}
	if (EVP_PKEY_CTX_set_signature_md(ctx, md) != 1) {
		EVP_PKEY_CTX_free(ctx);
		ERR_clear_error();
		/* A crypto policy may forbid RSA-SHA1 (strongname.md 5, 11.15). */
		return rd_fail_nooff(err, ASMGATE_E_CRYPTO,
		    "OpenSSL refuses RSA with %s (crypto policy?)",
		    EVP_MD_get0_name(md));
	}
	*out = ctx;
	return ASMGATE_OK;
}

static asmgate_status
check_digest(const asmgate_key *k, const EVP_MD *md, size_t dlen,
    size_t siglen, const char *what, asmgate_error *err)
{
	if (k->info.is_ecma || !k->pkey)
		return rd_fail_nooff(err, ASMGATE_E_KEY,
		    "the ECMA key holds no RSA key; substitute the real key");
	if (!md || dlen != (size_t)EVP_MD_get_size(md))
		return rd_fail_nooff(err, ASMGATE_E_USAGE,
		    "digest of %zu bytes does not fit %s", dlen,
		    md ? EVP_MD_get0_name(md) : "an unknown hash");
	if (siglen != k->info.bits / 8)
		return rd_fail_nooff(err, ASMGATE_E_KEY,
		    "%s of %zu bytes for a %u-bit key (needs %u)", what,
		    siglen, k->info.bits, k->info.bits / 8);
	return ASMGATE_OK;
}

asmgate_status
keys_verify_digest(const asmgate_key *k, const EVP_MD *md,
    const uint8_t *digest, size_t dlen, const uint8_t *sig_le, size_t siglen,
    int *ok, asmgate_error *err)
{
	EVP_PKEY_CTX *ctx = NULL;
	uint8_t *sig;
	asmgate_status rc;
	int r;

	*ok = 0;
	if ((rc = check_digest(k, md, dlen, siglen, "signature", err)) !=
	    ASMGATE_OK)
		return rc;
	if ((sig = malloc(siglen)) == NULL)
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
	reverse_copy(sig, sig_le, siglen);
	if ((rc = pkcs1_ctx(k, md, 0, &ctx, err)) == ASMGATE_OK) {
		/* 1: verified; 0 or negative: a bad signature (a value above
		 * the modulus, bad padding, wrong DigestInfo). */
		r = EVP_PKEY_verify(ctx, sig, siglen, digest, dlen);
		*ok = r == 1;
	}
	EVP_PKEY_CTX_free(ctx);
	free(sig);
	ERR_clear_error();
	return rc;
}

asmgate_status
keys_sign_digest(const asmgate_key *k, const EVP_MD *md,
    const uint8_t *digest, size_t dlen, uint8_t *out_le, size_t outlen,
    asmgate_error *err)
{
	EVP_PKEY_CTX *ctx = NULL;
	uint8_t *sig;
	size_t slen = outlen;
	asmgate_status rc;

	if ((rc = check_digest(k, md, dlen, outlen, "signature buffer",
		err)) != ASMGATE_OK)
		return rc;
	if (!k->info.is_private)
		return rd_fail_nooff(err, ASMGATE_E_KEY,
		    "signing needs a key pair; this key is public only");
	if ((sig = malloc(outlen)) == NULL)
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
	if ((rc = pkcs1_ctx(k, md, 1, &ctx, err)) == ASMGATE_OK &&
	    (EVP_PKEY_sign(ctx, sig, &slen, digest, dlen) != 1 ||
		slen != outlen))
		rc = rd_fail_nooff(err, ASMGATE_E_CRYPTO,
		    "RSA signing failed");
	if (rc == ASMGATE_OK)
		reverse_copy(out_le, sig, outlen);
	EVP_PKEY_CTX_free(ctx);
	OPENSSL_cleanse(sig, outlen);
	free(sig);
	ERR_clear_error();
	return rc;
}

asmgate_status
asmgate_key_generate(asmgate_key **out, unsigned bits, uint32_t hash_alg,
    asmgate_error *err)
{
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;

	*out = NULL;
	if (bits < RD_MIN_KEY_BITS || bits > RD_MAX_KEY_BITS || bits % 16)
		return rd_fail_nooff(err, ASMGATE_E_USAGE,
		    "key size %u: need a multiple of 16 in %u..%u", bits,
		    RD_MIN_KEY_BITS, RD_MAX_KEY_BITS);
	if (hash_alg == 0 || !keys_hash_name(hash_alg))
		return rd_fail_nooff(err, ASMGATE_E_USAGE,
		    "unsupported hash algorithm 0x%x", hash_alg);
	/* e = 65537, OpenSSL's default, as sn -k uses. */
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	if (!ctx || EVP_PKEY_keygen_init(ctx) != 1 ||
	    EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, (int)bits) != 1 ||
	    EVP_PKEY_generate(ctx, &pkey) != 1) {
		EVP_PKEY_CTX_free(ctx);
		ERR_clear_error();
		return rd_fail_nooff(err, ASMGATE_E_CRYPTO,
		    "OpenSSL cannot generate a %u-bit RSA key", bits);
	}
	EVP_PKEY_CTX_free(ctx);
	return keys_key_from_pkey(out, pkey, hash_alg, ASMGATE_KEY_FMT_SNK,
	    err);
}

asmgate_status
keys_rsa_check_private(const EVP_PKEY *pkey, asmgate_error *err)
{
	static const char *const names[8] = {
		OSSL_PKEY_PARAM_RSA_N, OSSL_PKEY_PARAM_RSA_E,
		OSSL_PKEY_PARAM_RSA_D, OSSL_PKEY_PARAM_RSA_FACTOR1,
		OSSL_PKEY_PARAM_RSA_FACTOR2, OSSL_PKEY_PARAM_RSA_EXPONENT1,
		OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1
	};
	BIGNUM *v[8] = { NULL };
	BIGNUM *t = NULL, *pm1 = NULL, *qm1 = NULL;
	BN_CTX *bc = NULL;
	BIGNUM *extra = NULL;
	const char *bad = NULL;
	asmgate_status rc = ASMGATE_OK;
	int i;
	enum { N, E, D, P, Q, DP, DQ, QI };

	for (i = 0; i < 8; i++) {
		if (EVP_PKEY_get_bn_param(pkey, names[i], &v[i]) != 1 ||
		    !v[i]) {
			rc = rd_fail_nooff(err, ASMGATE_E_KEY,
			    "private key lacks %s (a .snk needs the CRT "
			    "components)", names[i]);
			goto out;
		}
	}
	/* A third prime cannot be written as a .snk. */
	if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_FACTOR3,
		&extra) == 1 && extra) {
		rc = rd_fail_nooff(err, ASMGATE_E_KEY,
		    "multi-prime RSA keys are not supported");
		goto out;
	}
	bc = BN_CTX_secure_new();
	t = BN_secure_new();
	pm1 = BN_secure_new();
	qm1 = BN_secure_new();
	if (!bc || !t || !pm1 || !qm1) {
		rc = rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
		goto out;
	}
	/* n = p*q; p, q > 1 */
	if (BN_cmp(v[P], BN_value_one()) <= 0 ||
	    BN_cmp(v[Q], BN_value_one()) <= 0)
		bad = "a prime factor is 0 or 1";
	else if (!BN_mul(t, v[P], v[Q], bc) || BN_cmp(t, v[N]) != 0)
		bad = "p*q is not the modulus";
	else if (!BN_sub(pm1, v[P], BN_value_one()) ||
	    !BN_sub(qm1, v[Q], BN_value_one()))
		bad = "arithmetic failed";
	/* dp = d mod (p-1), dq = d mod (q-1) */
	else if (!BN_mod(t, v[D], pm1, bc) || BN_cmp(t, v[DP]) != 0)
		bad = "exponent1 is not d mod (p-1)";
	else if (!BN_mod(t, v[D], qm1, bc) || BN_cmp(t, v[DQ]) != 0)
		bad = "exponent2 is not d mod (q-1)";
	/* e*dp = 1 mod (p-1), e*dq = 1 mod (q-1): d inverts e */
	else if (!BN_mod_mul(t, v[E], v[DP], pm1, bc) || !BN_is_one(t))
		bad = "d is not the inverse of e mod (p-1)";
	else if (!BN_mod_mul(t, v[E], v[DQ], qm1, bc) || !BN_is_one(t))
		bad = "d is not the inverse of e mod (q-1)";
	/* q*qinv = 1 mod p */
	else if (!BN_mod_mul(t, v[Q], v[QI], v[P], bc) || !BN_is_one(t))
		bad = "coefficient is not q^-1 mod p";
	if (bad)
		rc = rd_fail_nooff(err, ASMGATE_E_KEY,
		    "inconsistent private key: %s", bad);
out:
	for (i = 0; i < 8; i++)
		BN_clear_free(v[i]);
	BN_clear_free(extra);
	BN_clear_free(t);
	BN_clear_free(pm1);
	BN_clear_free(qm1);
	BN_CTX_free(bc);
	ERR_clear_error();
	return rc;
}
