/*
 * load.c - reading a key file of any supported format, detected by its
 * content, never by its name:
 *
 *   "MZ"                          an assembly: its Assembly.PublicKey
 *   the 16 ECMA bytes             the ECMA neutral key (strongname.md 6.4)
 *   0x07 ...                      CAPI PRIVATEKEYBLOB, a .snk (6.2)
 *   0x06 ...                      bare CAPI PUBLICKEYBLOB
 *   u32 SigAlgID, u32 HashAlgID   strong-name PublicKeyBlob (6.1): both
 *     (high halves zero)          IDs are 16-bit values
 *   "-----BEGIN "                 PEM
 *   printable text                hex of a PublicKeyBlob (sn -tp, policy)
 *   0x30 (SEQUENCE)               DER
 * Binary blobs are told apart by bytes text never holds (NUL, 0x06, 0x07);
 * DER always holds INTEGER tags (0x02), which printable text cannot.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys/keys.h"
#include "rd/err.h"
#include "rd/file.h"
#include "rd/hex.h"
#include "rd/limits.h"

/* An offset inside a decoded blob is not a file offset: move it into the
 * message. */
static void
offset_in(asmgate_error *err, const char *what)
{
	char pre[96];

	if (!err || !err->has_offset)
		return;
	snprintf(pre, sizeof(pre), "%s byte %llu", what,
	    (unsigned long long)err->offset);
	err->has_offset = 0;
	err->offset = 0;
	rd_err_prefix(err, pre);
}

static asmgate_status
load_assembly(asmgate_key **out, const uint8_t *p, size_t len,
    asmgate_error *err)
{
	asmgate_image *img = NULL;
	const asmgate_image_info *ii;
	asmgate_status rc;

	if ((rc = asmgate_image_from_memory(&img, p, len, err)) != ASMGATE_OK)
		return rc;
	ii = asmgate_image_get_info(img);
	if (!ii->assembly.public_key || ii->assembly.public_key_len == 0) {
		asmgate_image_free(img);
		return rd_fail_nooff(err, ASMGATE_E_KEY,
		    "the assembly has no public key (not strong-named)");
	}
	rc = keys_key_from_sn_blob(out, ii->assembly.public_key,
	    ii->assembly.public_key_len, ASMGATE_KEY_FMT_ASSEMBLY, err);
	if (rc != ASMGATE_OK) {
		/* Blob offsets -> file offsets. */
		if (err && err->has_offset)
			err->offset += ii->assembly.public_key_offset;
		rd_err_prefix(err, "assembly public key");
	}
	asmgate_image_free(img);
	return rc;
}

static asmgate_status
load_snk(asmgate_key **out, const uint8_t *p, size_t len, asmgate_error *err)
{
	keys_priv priv;
	EVP_PKEY *pkey = NULL;
	uint8_t *blob = NULL;
	size_t blen = 0;
	asmgate_status rc;

	if ((rc = keys_parse_capi_private(p, len, &priv, err)) != ASMGATE_OK)
		return rc;
	if ((rc = keys_pkey_from_capi(&priv.pub, &priv, &pkey, err)) !=
	    ASMGATE_OK)
		return rc;
	/* The public blob sn -p derives (strongname.md 6.3; Mono's
	 * StrongName.PublicKey): SigAlgID 0x2400, HashAlgID 0x8004,
	 * aiKeyAlg 0x2400. */
	if ((rc = keys_build_sn_blob(ASMGATE_CALG_RSA_SIGN, ASMGATE_CALG_SHA1,
		ASMGATE_CALG_RSA_SIGN, priv.pub.bitlen, priv.pub.exponent,
		priv.pub.modulus, &blob, &blen, err)) != ASMGATE_OK) {
		EVP_PKEY_free(pkey);
		return rc;
	}
	rc = keys_key_new(out, pkey, blob, blen, ASMGATE_KEY_FMT_SNK, err);
	free(blob);
	return rc;
}

static asmgate_status
load_capi_public(asmgate_key **out, const uint8_t *p, size_t len,
    asmgate_error *err)
{
	keys_pub pub;
	EVP_PKEY *pkey = NULL;
	uint8_t *blob = NULL;
	size_t blen = 0;
	asmgate_status rc;

	if ((rc = keys_parse_capi_public(p, len, &pub, err)) != ASMGATE_OK)
		return rc;
	if ((rc = keys_pkey_from_capi(&pub, NULL, &pkey, err)) != ASMGATE_OK)
		return rc;
	if ((rc = keys_build_sn_blob(pub.sig_alg, pub.hash_alg,
		ASMGATE_CALG_RSA_SIGN, pub.bitlen, pub.exponent, pub.modulus,
		&blob, &blen, err)) != ASMGATE_OK) {
		EVP_PKEY_free(pkey);
		return rc;
	}
	rc = keys_key_new(out, pkey, blob, blen, ASMGATE_KEY_FMT_CAPI_PUBLIC,
	    err);
	free(blob);
	return rc;
}

static int
is_space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Printable ASCII and whitespace only (after an optional UTF-8 BOM). */
static int
is_text(const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!is_space(p[i]) && (p[i] < 0x20 || p[i] > 0x7e))
			return 0;
	return 1;
}

static int
has_pem_marker(const uint8_t *p, size_t len)
{
	static const char m[] = "-----BEGIN ";
	size_t i, n = sizeof(m) - 1;

	for (i = 0; len >= n && i <= len - n; i++)
		if (memcmp(p + i, m, n) == 0)
			return 1;
	return 0;
}

/* Hex text of a PublicKeyBlob: hex digits with any whitespace between
 * them, optionally prefixed "0x" (sn -tp prints it in 78-column lines),
 * starting at p[i] (after a BOM). */
static asmgate_status
load_hex(asmgate_key **out, const uint8_t *p, size_t len, size_t i,
    asmgate_error *err)
{
	uint8_t blob[RD_MAX_PUBLIC_KEY_BLOB];
	size_t n = 0, where = 0;
	asmgate_status rc;

	while (i < len && is_space(p[i]))
		i++;
	if (len - i >= 2 && p[i] == '0' && (p[i + 1] == 'x' || p[i + 1] == 'X'))
		i += 2;
	switch (rd_hex_decode_ws(blob, sizeof(blob), &n, (const char *)p + i,
	    len - i, &where)) {
	case RD_HEX_OK:
		break;
	case RD_HEX_BAD_DIGIT:
		return rd_fail(err, ASMGATE_E_KEY, i + where,
		    "not a key: '%c' is not a hex digit", p[i + where]);
	case RD_HEX_ODD:
		return rd_fail_nooff(err, ASMGATE_E_KEY,
		    "odd number of hex digits");
	case RD_HEX_TOO_LONG:
	default:
		return rd_fail_nooff(err, ASMGATE_E_KEY,
		    "hex public key longer than %u bytes",
		    RD_MAX_PUBLIC_KEY_BLOB);
	}
	if (n == 0)
		return rd_fail_nooff(err, ASMGATE_E_KEY,
		    "no hex digits: not a key");
	rc = keys_key_from_sn_blob(out, blob, n, ASMGATE_KEY_FMT_HEX, err);
	if (rc != ASMGATE_OK)
		offset_in(err, "decoded blob");
	return rc;
}

asmgate_status
asmgate_key_load_memory(asmgate_key **out, const void *data, size_t len,
    asmgate_error *err)
{
	const uint8_t *p = data;

	*out = NULL;
	if (!p || len == 0)
		return rd_fail_nooff(err, ASMGATE_E_EMPTY, "empty key file");
	if (len >= 2 && p[0] == 'M' && p[1] == 'Z')
		return load_assembly(out, p, len, err);
	if (len > RD_MAX_KEY_FILE_BYTES)
		return rd_fail_nooff(err, ASMGATE_E_LIMIT,
		    "%zu bytes is too large for a key file (limit %zu)", len,
		    RD_MAX_KEY_FILE_BYTES);
	if (len == KEYS_ECMA_LEN && memcmp(p, keys_ecma_blob, len) == 0)
		return keys_key_from_sn_blob(out, p, len, ASMGATE_KEY_FMT_ECMA,
		    err);
	if (p[0] == KEYS_PRIVATEKEYBLOB)
		return load_snk(out, p, len, err);
	if (p[0] == KEYS_PUBLICKEYBLOB)
		return load_capi_public(out, p, len, err);
	if (len >= 4 && p[2] == 0 && p[3] == 0 &&
	    (len < 8 || (p[6] == 0 && p[7] == 0)))
		return keys_key_from_sn_blob(out, p, len, ASMGATE_KEY_FMT_BLOB,
		    err);
	if (has_pem_marker(p, len))
		return keys_load_asn1(out, p, len, 1, err);
	if (len >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF &&
	    is_text(p + 3, len - 3))
		return load_hex(out, p, len, 3, err);
	if (is_text(p, len))
		return load_hex(out, p, len, 0, err);
	if (p[0] == 0x30)
		return keys_load_asn1(out, p, len, 0, err);
	return rd_fail(err, ASMGATE_E_KEY, 0,
	    "not a key: unrecognized format (first byte 0x%02x)", p[0]);
}

asmgate_status
asmgate_key_load_file(asmgate_key **out, const char *path,
    asmgate_error *err)
{
	rd_file f;
	asmgate_status rc;

	*out = NULL;
	/* Assemblies may be large; key formats are capped in load_memory. */
	if ((rc = rd_file_open(&f, path, RD_MAX_FILE_BYTES, err)) !=
	    ASMGATE_OK)
		return rc;
	rc = asmgate_key_load_memory(out, f.data, f.size, err);
	rd_file_close(&f);
	return rc;
}
