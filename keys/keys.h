/*
 * keys.h - strong-name keys (module-internal API).
 *
 * An asmgate_key is an RSA key (public, or a key pair) plus the
 * strong-name public key blob that names it (strongname.md 6.1), or the
 * 16-byte ECMA neutral key (strongname.md 6.4), which holds no RSA key.
 *
 * Files:
 *   key.c        the object: info, blob, EVP_PKEY, comparisons
 *   capi.c       CAPI blobs: strong-name PublicKeyBlob, PUBLICKEYBLOB,
 *                PRIVATEKEYBLOB (.snk), read and written
 *   asn1.c       PEM and DER: SubjectPublicKeyInfo, PKCS#1, PKCS#8
 *   load.c       format detection by content, hex text, assemblies
 *   write.c      asmgate_key_write
 *   rsa.c        digests, PKCS#1 v1.5 sign/verify, key generation,
 *                private key consistency checks
 *   wellknown.c  the well-known public keys and their tokens
 *   token.c      public key tokens
 *
 * Only OpenSSL 3 EVP/OSSL_PARAM interfaces are used (the build defines
 * OPENSSL_NO_DEPRECATED). Private key material held in our own buffers
 * is wiped with OPENSSL_cleanse before it is freed.
 */
#ifndef KEYS_KEYS_H
#define KEYS_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "asmgate.h"

/* Sizes fixed by the formats (strongname.md 6.1, 6.2). */
#define KEYS_SN_HEADER 12u      /* SigAlgID, HashAlgID, cbPublicKey */
#define KEYS_CAPI_HEADER 20u    /* BLOBHEADER (8) + RSAPUBKEY (12) */
#define KEYS_BLOB_MIN (KEYS_SN_HEADER + KEYS_CAPI_HEADER)
#define KEYS_ECMA_LEN 16u

/* CAPI constants (wincrypt.h). */
#define KEYS_PUBLICKEYBLOB 0x06u
#define KEYS_PRIVATEKEYBLOB 0x07u
#define KEYS_CUR_BLOB_VERSION 0x02u
#define KEYS_MAGIC_RSA1 0x31415352u /* "RSA1" */
#define KEYS_MAGIC_RSA2 0x32415352u /* "RSA2" */

/* The 16-byte ECMA neutral key (strongname.md 6.4). */
extern const uint8_t keys_ecma_blob[KEYS_ECMA_LEN];

/* The object behind asmgate_key. */
struct asmgate_key {
	asmgate_key_info info;  /* info.blob points at blob */
	uint8_t *blob;          /* the strong-name public key blob */
	size_t blob_len;
	EVP_PKEY *pkey;         /* NULL for the ECMA key */
};

/* ---- Interface used by verify/ -------------------------------------- */

/** The key's EVP_PKEY (borrowed); NULL for the ECMA key. */
EVP_PKEY *keys_pkey(const asmgate_key *k);

/** CALG -> EVP_MD (EVP_sha1() etc.); 0 means SHA-1 (strongname.md 5);
 *  NULL if unknown. */
const EVP_MD *keys_md(uint32_t hash_alg);

/** Verify an RSASSA-PKCS1-v1_5 signature over a precomputed digest. sig
 *  is in strong-name (little-endian, reversed) byte order and must be
 *  exactly the modulus size. *ok = 1 verified, 0 not. Errors only for
 *  crypto failures and misuse (ECMA key, wrong digest length). */
asmgate_status keys_verify_digest(const asmgate_key *k, const EVP_MD *md,
    const uint8_t *digest, size_t dlen, const uint8_t *sig_le, size_t siglen,
    int *ok, asmgate_error *err);

/** Sign a digest with a private key; writes modulus-size bytes in
 *  strong-name (reversed) order into out (outlen must equal the modulus
 *  size). */
asmgate_status keys_sign_digest(const asmgate_key *k, const EVP_MD *md,
    const uint8_t *digest, size_t dlen, uint8_t *out_le, size_t outlen,
    asmgate_error *err);

/** The well-known key by token (8 bytes, display order), e.g. the
 *  Microsoft key for ECMA substitution. ASMGATE_E_UNSUPPORTED when the
 *  token is known by name only (no public blob available). */
asmgate_status keys_well_known(asmgate_key **out, const uint8_t token[8],
    asmgate_error *err);

/** Same RSA public key (modulus and exponent)? Two ECMA keys are the
 *  same; an ECMA key and an RSA key are not. */
int keys_same_rsa(const asmgate_key *a, const asmgate_key *b);

/** The strong-name public blob of k with HashAlgID hash_alg (as the CLR
 *  derives it when checking a .snk against an assembly key, strongname.md
 *  6.3); *out is malloc'd. Fails for the ECMA key and for an unknown
 *  hash_alg (0 is kept as 0). */
asmgate_status keys_blob_with_hash(const asmgate_key *k, uint32_t hash_alg,
    uint8_t **out, size_t *len, asmgate_error *err);

/* ---- Module internals ----------------------------------------------- */

/* Fields of a validated strong-name PublicKeyBlob (strongname.md 6.1). */
typedef struct keys_pub {
	uint32_t sig_alg;
	uint32_t hash_alg;
	uint32_t key_alg;       /* aiKeyAlg of the CAPI part */
	uint32_t bitlen;
	uint32_t exponent;
	const uint8_t *modulus; /* little-endian, bitlen/8 bytes (borrowed) */
} keys_pub;

/* Private components of a CAPI PRIVATEKEYBLOB (strongname.md 6.2); all
 * little-endian and borrowed from the blob. */
typedef struct keys_priv {
	keys_pub pub;           /* sig_alg, hash_alg: what sn -p derives */
	const uint8_t *p, *q, *dp, *dq, *qinv; /* bitlen/16 bytes each */
	const uint8_t *d;       /* bitlen/8 bytes */
} keys_priv;

/** Name of a supported HashAlgID ("sha1", ...; 0 is "sha1"), or NULL. */
const char *keys_hash_name(uint32_t hash_alg);

/** Parse and validate a strong-name PublicKeyBlob (not the ECMA key). */
asmgate_status keys_parse_sn_blob(const uint8_t *p, size_t len,
    keys_pub *out, asmgate_error *err);

/** Parse a bare CAPI PUBLICKEYBLOB ("RSA1", no 12-byte prefix). */
asmgate_status keys_parse_capi_public(const uint8_t *p, size_t len,
    keys_pub *out, asmgate_error *err);

/** Parse a CAPI PRIVATEKEYBLOB ("RSA2", a .snk). */
asmgate_status keys_parse_capi_private(const uint8_t *p, size_t len,
    keys_priv *out, asmgate_error *err);

/** Build a strong-name PublicKeyBlob: 12-byte header + PUBLICKEYBLOB
 *  with aiKeyAlg key_alg; *out malloc'd. */
asmgate_status keys_build_sn_blob(uint32_t sig_alg, uint32_t hash_alg,
    uint32_t key_alg, uint32_t bitlen, uint32_t exponent,
    const uint8_t *modulus_le, uint8_t **out, size_t *len,
    asmgate_error *err);

/** EVP_PKEY from little-endian public (and, when priv is not NULL,
 *  private) components. Private keys are checked for consistency. */
asmgate_status keys_pkey_from_capi(const keys_pub *pub,
    const keys_priv *priv, EVP_PKEY **out, asmgate_error *err);

/** Does pkey hold the private half? */
int keys_pkey_is_private(const EVP_PKEY *pkey);

/** Check that a private RSA key's CRT components agree (n = pq,
 *  e*dp = 1 mod p-1, e*dq = 1 mod q-1, q*qinv = 1 mod p, dp, dq
 *  derived from d): a key that fails would leak its factors when
 *  signing. */
asmgate_status keys_rsa_check_private(const EVP_PKEY *pkey,
    asmgate_error *err);

/** A new key from an EVP_PKEY (ownership passes to the key, also on
 *  failure) and a strong-name blob (copied). Computes the info. */
asmgate_status keys_key_new(asmgate_key **out, EVP_PKEY *pkey,
    const uint8_t *blob, size_t blob_len, asmgate_key_format fmt,
    asmgate_error *err);

/** A key from an RSA EVP_PKEY read from PEM/DER or generated: derives the
 *  strong-name blob (SigAlgID 0x2400, HashAlgID hash_alg, aiKeyAlg
 *  0x2400). Takes ownership of pkey, also on failure. */
asmgate_status keys_key_from_pkey(asmgate_key **out, EVP_PKEY *pkey,
    uint32_t hash_alg, asmgate_key_format fmt, asmgate_error *err);

/** A key from a strong-name blob (or the ECMA key) with format fmt. */
asmgate_status keys_key_from_sn_blob(asmgate_key **out, const uint8_t *blob,
    size_t len, asmgate_key_format fmt, asmgate_error *err);

/** Decode PEM (pem != 0) or DER: SPKI, PKCS#1 (public or private),
 *  unencrypted PKCS#8. */
asmgate_status keys_load_asn1(asmgate_key **out, const uint8_t *p,
    size_t len, int pem, asmgate_error *err);

/** Encode as PEM or DER: SubjectPublicKeyInfo, or PKCS#8 PrivateKeyInfo
 *  when want_private. *out malloc'd (wiped by the caller when private). */
asmgate_status keys_write_asn1(const asmgate_key *k, int pem,
    int want_private, uint8_t **out, size_t *len, asmgate_error *err);

/** Write the CAPI PRIVATEKEYBLOB (.snk) of a key pair; *out malloc'd,
 *  holds private material: wipe it before freeing. */
asmgate_status keys_write_snk(const asmgate_key *k, uint8_t **out,
    size_t *len, asmgate_error *err);

/** Read the little-endian, zero-padded value of an RSA parameter
 *  (OSSL_PKEY_PARAM_RSA_*) into out[0..n). */
asmgate_status keys_get_param_le(const EVP_PKEY *pkey, const char *name,
    uint8_t *out, size_t n, asmgate_error *err);

/** Wipe and free n bytes (private material in our own buffers). */
void keys_free_secret(void *p, size_t n);

/** Well-known name for a key's token and blob (a known blob must match
 *  byte for byte; a token known by name only matches by token). */
const char *keys_well_known_for(const uint8_t token[8], const uint8_t *blob,
    size_t len);

#endif /* KEYS_KEYS_H */
