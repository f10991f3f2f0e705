/*
 * capi.c - CAPI key blobs: the strong-name PublicKeyBlob (what assemblies
 * carry, sn -p/-e output), a bare PUBLICKEYBLOB and the PRIVATEKEYBLOB
 * of a .snk; read, validated and written.
 *
 * Layouts (strongname.md 6.1, 6.2; wincrypt.h BLOBHEADER + RSAPUBKEY):
 *   PublicKeyBlob   SigAlgID u32, HashAlgID u32, cbPublicKey u32, then a
 *                   PUBLICKEYBLOB
 *   PUBLICKEYBLOB   bType 6, bVersion 2, reserved u16, aiKeyAlg u32,
 *                   magic "RSA1", bitlen u32, pubexp u32, modulus
 *                   (bitlen/8, little-endian)
 *   PRIVATEKEYBLOB  bType 7 ... magic "RSA2" ..., modulus, then p, q, dp,
 *                   dq, qinv (bitlen/16 each), d (bitlen/8)
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/param_build.h>

#include "keys/keys.h"
#include "rd/buf.h"
#include "rd/err.h"
#include "rd/limits.h"
#include "rd/rd.h"
#include "rd/safeint.h"

/* ALG_ID class (wincrypt.h GET_ALG_CLASS: bits 13..15, strongname.md 8). */
#define ALG_CLASS(id) (((id) >> 13) & 7u)
#define ALG_CLASS_SIGNATURE 1u
#define ALG_CLASS_HASH 4u

static const char *
magic_name(uint32_t magic)
{
	return magic == KEYS_MAGIC_RSA1 ? "RSA1" : "RSA2";
}

/*
 * BLOBHEADER + RSAPUBKEY + modulus at the cursor (wincrypt.h), shared by
 * all three blobs. r's window starts at the beginning of the file, so
 * offsets in errors are file offsets.
 */
static asmgate_status
parse_capi_public_part(rd *r, uint8_t want_type, uint32_t want_magic,
    keys_pub *out, asmgate_error *err)
{
	uint8_t type, version;
	uint16_t reserved;
	uint32_t alg, magic, bitlen, exp;
	size_t at = r->pos, mlen;
	const uint8_t *mod;

	if (!rd_u8(r, &type) || !rd_u8(r, &version) ||
	    !rd_u16(r, &reserved) || !rd_u32(r, &alg) || !rd_u32(r, &magic) ||
	    !rd_u32(r, &bitlen) || !rd_u32(r, &exp))
		return rd_fail(err, ASMGATE_E_KEY, rd_offset_at(r, at),
		    "truncated CAPI key header: %zu bytes, need %u",
		    r->len - at, KEYS_CAPI_HEADER);
	(void)reserved; /* CAPI ignores it */
	if (type != want_type)
		return rd_fail(err, ASMGATE_E_KEY, rd_offset_at(r, at),
		    "CAPI bType 0x%02x, expected 0x%02x (%s)", type, want_type,
		    want_type == KEYS_PUBLICKEYBLOB ? "PUBLICKEYBLOB" :
		    "PRIVATEKEYBLOB");
	if (version != KEYS_CUR_BLOB_VERSION)
		return rd_fail(err, ASMGATE_E_KEY, rd_offset_at(r, at + 1),
		    "CAPI bVersion %u, expected 2", version);
	if (alg != ASMGATE_CALG_RSA_SIGN && alg != ASMGATE_CALG_RSA_KEYX)
		return rd_fail(err, ASMGATE_E_KEY, rd_offset_at(r, at + 4),
		    "aiKeyAlg 0x%x is not CALG_RSA_SIGN (0x2400) or "
		    "CALG_RSA_KEYX (0xa400)", alg);
	if (magic != want_magic)
		return rd_fail(err, ASMGATE_E_KEY, rd_offset_at(r, at + 8),
		    "RSAPUBKEY magic 0x%08x, expected \"%s\"", magic,
		    magic_name(want_magic));
	if (bitlen % 8 != 0)
		return rd_fail(err, ASMGATE_E_KEY, rd_offset_at(r, at + 12),
		    "bitlen %u is not a multiple of 8", bitlen);
	if (bitlen < RD_MIN_KEY_BITS || bitlen > RD_MAX_KEY_BITS)
		return rd_fail(err, ASMGATE_E_KEY, rd_offset_at(r, at + 12),
		    "bitlen %u is outside the %u..%u bits strong names allow",
		    bitlen, RD_MIN_KEY_BITS, RD_MAX_KEY_BITS);
	/* Tools disagree on the layout of a PRIVATEKEYBLOB when bitlen/16 is
	 * not whole (strongname.md 6.2): CAPI and dnlib truncate, Roslyn
	 * rounds up, F# rejects. We reject. */
	if (want_type == KEYS_PRIVATEKEYBLOB && bitlen % 16 != 0)
		return rd_fail(err, ASMGATE_E_KEY, rd_offset_at(r, at + 12),
		    "bitlen %u is not a multiple of 16: tools disagree on the "
		    "layout of such a .snk", bitlen);
	/* An even or tiny exponent is not RSA; e = 1 would make every
	 * message its own signature. */
	if (exp < 3 || (exp & 1) == 0)
		return rd_fail(err, ASMGATE_E_KEY, rd_offset_at(r, at + 16),
		    "public exponent %u is not an odd number >= 3", exp);
	mlen = bitlen / 8;
	if (!rd_bytes(r, mlen, &mod))
		return rd_fail(err, ASMGATE_E_KEY, rd_offset(r),
		    "modulus truncated: %zu bytes left, bitlen %u needs %zu",
		    rd_left(r), bitlen, mlen);
	/* Little-endian: the last byte is the most significant. A zero top
	 * byte would make the signature size (bitlen/8) exceed the key's. */
	if (mod[mlen - 1] == 0)
		return rd_fail(err, ASMGATE_E_KEY, rd_offset(r) - 1,
		    "modulus is shorter than bitlen %u (top byte is zero)",
		    bitlen);
	if ((mod[0] & 1) == 0)
		return rd_fail(err, ASMGATE_E_KEY, rd_offset(r) - mlen,
		    "modulus is even: not an RSA key");
	out->key_alg = alg;
	out->bitlen = bitlen;
	out->exponent = exp;
	out->modulus = mod;
	return ASMGATE_OK;
}

asmgate_status
keys_parse_sn_blob(const uint8_t *p, size_t len, keys_pub *out,
    asmgate_error *err)
{
	rd r;
	uint32_t sig, hash, cb;
	asmgate_status rc;

	memset(out, 0, sizeof(*out));
	if (len > RD_MAX_PUBLIC_KEY_BLOB)
		return rd_fail_nooff(err, ASMGATE_E_KEY,
		    "public key blob of %zu bytes exceeds %u", len,
		    RD_MAX_PUBLIC_KEY_BLOB);
	rd_init(&r, p, len, 0);
	if (!rd_u32(&r, &sig) || !rd_u32(&r, &hash) || !rd_u32(&r, &cb))
		return rd_fail(err, ASMGATE_E_KEY, 0,
		    "public key blob of %zu bytes is shorter than its 12-byte "
		    "header", len);
	/* StrongNameIsValidPublicKey (strongname.md 6.1). */
	if (cb != len - KEYS_SN_HEADER)
		return rd_fail(err, ASMGATE_E_KEY, 8,
		    "cbPublicKey %u does not match the %zu bytes that follow "
		    "the header", cb, len - KEYS_SN_HEADER);
	/* ALG_IDs are 16-bit values (wincrypt.h); bits above them would
	 * pass the class test yet make a different token. */
	if (sig > 0xFFFF || hash > 0xFFFF)
		return rd_fail(err, ASMGATE_E_KEY, sig > 0xFFFF ? 0 : 4,
		    "%s 0x%x is not a 16-bit ALG_ID",
		    sig > 0xFFFF ? "SigAlgID" : "HashAlgID",
		    sig > 0xFFFF ? sig : hash);
	if (sig != 0 && ALG_CLASS(sig) != ALG_CLASS_SIGNATURE)
		return rd_fail(err, ASMGATE_E_KEY, 0,
		    "SigAlgID 0x%x is not a signature algorithm", sig);
	if (hash != 0 && ALG_CLASS(hash) != ALG_CLASS_HASH)
		return rd_fail(err, ASMGATE_E_KEY, 4,
		    "HashAlgID 0x%x is not a hash algorithm", hash);
	if (!keys_hash_name(hash))
		return rd_fail(err, ASMGATE_E_KEY, 4,
		    "unsupported HashAlgID 0x%x (sha1, sha256, sha384, sha512 "
		    "are)", hash);
	if ((rc = parse_capi_public_part(&r, KEYS_PUBLICKEYBLOB,
		KEYS_MAGIC_RSA1, out, err)) != ASMGATE_OK)
		return rc;
	if (rd_left(&r) != 0)
		return rd_fail(err, ASMGATE_E_KEY, rd_offset(&r),
		    "%zu bytes after the modulus", rd_left(&r));
	out->sig_alg = sig;
	out->hash_alg = hash;
	return ASMGATE_OK;
}

asmgate_status
keys_parse_capi_public(const uint8_t *p, size_t len, keys_pub *out,
    asmgate_error *err)
{
	rd r;
	asmgate_status rc;

	memset(out, 0, sizeof(*out));
	rd_init(&r, p, len, 0);
	if ((rc = parse_capi_public_part(&r, KEYS_PUBLICKEYBLOB,
		KEYS_MAGIC_RSA1, out, err)) != ASMGATE_OK)
		return rc;
	if (rd_left(&r) != 0)
		return rd_fail(err, ASMGATE_E_KEY, rd_offset(&r),
		    "%zu bytes after the modulus", rd_left(&r));
	/* What Mono and Roslyn derive for the strong-name header
	 * (strongname.md 6.3). */
	out->sig_alg = ASMGATE_CALG_RSA_SIGN;
	out->hash_alg = ASMGATE_CALG_SHA1;
	return ASMGATE_OK;
}

asmgate_status
keys_parse_capi_private(const uint8_t *p, size_t len, keys_priv *out,
    asmgate_error *err)
{
	rd r;
	asmgate_status rc;
	size_t n8, n16, need;

	memset(out, 0, sizeof(*out));
	rd_init(&r, p, len, 0);
	if ((rc = parse_capi_public_part(&r, KEYS_PRIVATEKEYBLOB,
		KEYS_MAGIC_RSA2, &out->pub, err)) != ASMGATE_OK)
		return rc;
	n8 = out->pub.bitlen / 8;
	n16 = out->pub.bitlen / 16;
	need = KEYS_CAPI_HEADER + 2 * n8 + 5 * n16; /* no overflow: capped */
	if (len < need)
		return rd_fail(err, ASMGATE_E_KEY, rd_offset(&r),
		    "truncated .snk: %zu bytes, a %u-bit key pair needs %zu",
		    len, out->pub.bitlen, need);
	if (len > need)
		return rd_fail(err, ASMGATE_E_KEY, need,
		    "%zu bytes after the private key", len - need);
	if (!rd_bytes(&r, n16, &out->p) || !rd_bytes(&r, n16, &out->q) ||
	    !rd_bytes(&r, n16, &out->dp) || !rd_bytes(&r, n16, &out->dq) ||
	    !rd_bytes(&r, n16, &out->qinv) || !rd_bytes(&r, n8, &out->d))
		return rd_fail(err, ASMGATE_E_KEY, rd_offset(&r),
		    "truncated private key components");
	out->pub.sig_alg = ASMGATE_CALG_RSA_SIGN;
	out->pub.hash_alg = ASMGATE_CALG_SHA1;
	return ASMGATE_OK;
}

asmgate_status
keys_build_sn_blob(uint32_t sig_alg, uint32_t hash_alg, uint32_t key_alg,
    uint32_t bitlen, uint32_t exponent, const uint8_t *modulus_le,
    uint8_t **out, size_t *len, asmgate_error *err)
{
	rd_buf b;
	size_t mlen = bitlen / 8;

	*out = NULL;
	*len = 0;
	rd_buf_init(&b, RD_MAX_PUBLIC_KEY_BLOB);
	rd_buf_put_u32(&b, sig_alg);
	rd_buf_put_u32(&b, hash_alg);
	rd_buf_put_u32(&b, (uint32_t)(KEYS_CAPI_HEADER + mlen));
	rd_buf_putc(&b, KEYS_PUBLICKEYBLOB);
	rd_buf_putc(&b, KEYS_CUR_BLOB_VERSION);
	rd_buf_put_u16(&b, 0);
	rd_buf_put_u32(&b, key_alg);
	rd_buf_put_u32(&b, KEYS_MAGIC_RSA1);
	rd_buf_put_u32(&b, bitlen);
	rd_buf_put_u32(&b, exponent);
	rd_buf_put(&b, modulus_le, mlen);
	if (b.failed) {
		rd_buf_free(&b);
		return rd_fail_nooff(err, ASMGATE_E_NOMEM,
		    "cannot build the public key blob");
	}
	*out = b.p;
	*len = b.len;
	return ASMGATE_OK;
}

/* A BIGNUM from n little-endian bytes; secure (wiped on free) when priv. */
static BIGNUM *
le2bn(const uint8_t *p, size_t n, int priv)
{
	BIGNUM *bn = priv ? BN_secure_new() : BN_new();

	if (bn && !BN_lebin2bn(p, (int)n, bn)) {
		BN_clear_free(bn);
		return NULL;
	}
	return bn;
}

asmgate_status
keys_pkey_from_capi(const keys_pub *pub, const keys_priv *priv,
    EVP_PKEY **out, asmgate_error *err)
{
	static const char *const names[6] = {
		OSSL_PKEY_PARAM_RSA_D, OSSL_PKEY_PARAM_RSA_FACTOR1,
		OSSL_PKEY_PARAM_RSA_FACTOR2, OSSL_PKEY_PARAM_RSA_EXPONENT1,
		OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1
	};
	size_t n8 = pub->bitlen / 8, n16 = pub->bitlen / 16;
	BIGNUM *n = NULL, *e = NULL, *comp[6] = { NULL };
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	asmgate_status rc = ASMGATE_OK;
	int i, ok;

	*out = NULL;
	n = le2bn(pub->modulus, n8, 0);
	e = BN_new();
	bld = OSSL_PARAM_BLD_new();
	ok = n && e && bld && BN_set_word(e, pub->exponent) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e);
	if (ok && priv) {
		/* CAPI order: p, q, dp, dq, qinv, d (strongname.md 6.2). */
		const uint8_t *src[6] = { priv->d, priv->p, priv->q, priv->dp,
			priv->dq, priv->qinv };
		for (i = 0; ok && i < 6; i++) {
			comp[i] = le2bn(src[i], i == 0 ? n8 : n16, 1);
			ok = comp[i] &&
			    OSSL_PARAM_BLD_push_BN(bld, names[i], comp[i]);
		}
	}
	/* Parameters from secure BIGNUMs land in a block that
	 * OSSL_PARAM_free wipes. */
	if (ok)
		ok = (params = OSSL_PARAM_BLD_to_param(bld)) != NULL;
	if (!ok) {
		rc = rd_fail_nooff(err, ASMGATE_E_NOMEM,
		    "cannot build RSA key parameters");
		goto out;
	}
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	if (!ctx || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, out,
		priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) != 1) {
		rc = rd_fail_nooff(err, ASMGATE_E_CRYPTO,
		    "OpenSSL cannot import the RSA key");
		goto out;
	}
	if (priv &&
	    (rc = keys_rsa_check_private(*out, err)) != ASMGATE_OK) {
		EVP_PKEY_free(*out);
		*out = NULL;
	}
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	for (i = 0; i < 6; i++)
		BN_clear_free(comp[i]);
	ERR_clear_error();
	return rc;
}

asmgate_status
keys_get_param_le(const EVP_PKEY *pkey, const char *name, uint8_t *out,
    size_t n, asmgate_error *err)
{
	BIGNUM *bn = NULL;
	int ok;

	if (EVP_PKEY_get_bn_param(pkey, name, &bn) != 1 || !bn) {
		ERR_clear_error();
		return rd_fail_nooff(err, ASMGATE_E_KEY,
		    "the RSA key has no %s", name);
	}
	ok = BN_bn2lebinpad(bn, out, (int)n) == (int)n;
	BN_clear_free(bn);
	if (!ok)
		return rd_fail_nooff(err, ASMGATE_E_KEY,
		    "RSA %s does not fit in %zu bytes (a .snk needs factors of "
		    "half the modulus size)", name, n);
	return ASMGATE_OK;
}

asmgate_status
keys_write_snk(const asmgate_key *k, uint8_t **out, size_t *len,
    asmgate_error *err)
{
	static const char *const order[6] = {
		OSSL_PKEY_PARAM_RSA_FACTOR1, OSSL_PKEY_PARAM_RSA_FACTOR2,
		OSSL_PKEY_PARAM_RSA_EXPONENT1, OSSL_PKEY_PARAM_RSA_EXPONENT2,
		OSSL_PKEY_PARAM_RSA_COEFFICIENT1, OSSL_PKEY_PARAM_RSA_D
	};
	uint32_t bitlen = k->info.bits;
	size_t n8 = bitlen / 8, n16 = bitlen / 16, total, off;
	uint8_t *b;
	asmgate_status rc;
	int i;

	*out = NULL;
	*len = 0;
	if (k->info.is_ecma || !k->info.is_private)
		return rd_fail_nooff(err, ASMGATE_E_KEY,
		    "a .snk holds a key pair; this key has no private half");
	if (bitlen % 16 != 0)
		return rd_fail_nooff(err, ASMGATE_E_KEY,
		    "a %u-bit key cannot be written as a .snk (bitlen must be "
		    "a multiple of 16)", bitlen);
	total = KEYS_CAPI_HEADER + 2 * n8 + 5 * n16;
	if ((b = calloc(1, total)) == NULL)
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
	/* PRIVATEKEYBLOB header (strongname.md 6.2): the modulus is copied
	 * from the public blob's CAPI part. */
	memcpy(b, k->blob + KEYS_SN_HEADER, KEYS_CAPI_HEADER + n8);
	b[0] = KEYS_PRIVATEKEYBLOB;
	b[8] = 'R';
	b[9] = 'S';
	b[10] = 'A';
	b[11] = '2';
	off = KEYS_CAPI_HEADER + n8;
	for (i = 0; i < 6; i++) {
		size_t n = i == 5 ? n8 : n16;
		if ((rc = keys_get_param_le(k->pkey, order[i], b + off, n,
			err)) != ASMGATE_OK) {
			keys_free_secret(b, total);
			return rc;
		}
		off += n;
	}
	*out = b;
	*len = total;
	return ASMGATE_OK;
}
