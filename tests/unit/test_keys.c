/*
 * test_keys.c - unit tests of keys/: formats, tokens, well-known keys,
 * RSA operations.
 *
 * Expected values come from outside asmgate: tokens as printed by Mono's
 * `sn -t` (samples/keys/README.md), public key blobs written by `sn -p`
 * and `sn -e` (samples/keys/NAME.pub, ecma.pub, microsoft.pub, mono.pub),
 * PEM/DER files made by the openssl command from the .snk fields
 * (samples/keys/make-key-samples.py) and signatures made by
 * `openssl pkeyutl -sign`.
 */
#include "helpers.h"

#include <openssl/evp.h>

#include "asmgate.h"
#include "keys/keys.h"
#include "rd/hex.h"
#include "rd/limits.h"

/* ------------------------------------------------------------ helpers */

static void
hex8(const char *s, uint8_t out[8])
{
	size_t n = 0;

	assert_true(rd_hex_decode(out, 8, &n, s, 16, NULL));
	assert_int_equal(n, 8);
}

static asmgate_key *
load(const char *rel)
{
	asmgate_key *k = NULL;
	asmgate_error err;

	asmgate_error_clear(&err);
	if (asmgate_key_load_file(&k, th_path(rel), &err) != ASMGATE_OK)
		fail_msg("%s: %s", rel, err.msg);
	assert_non_null(k);
	return k;
}

static void
assert_token(const asmgate_key *k, const char *want)
{
	uint8_t t[8];

	hex8(want, t);
	assert_memory_equal(asmgate_key_get_info(k)->token, t, 8);
}

/* Write k in fmt and compare with the sample file rel. */
static void
assert_writes(const asmgate_key *k, asmgate_key_format fmt, int priv,
    const char *rel)
{
	uint8_t *out = NULL, *want;
	size_t len = 0, wlen;
	asmgate_error err;

	asmgate_error_clear(&err);
	if (asmgate_key_write(k, fmt, priv, &out, &len, &err) != ASMGATE_OK)
		fail_msg("write for %s: %s", rel, err.msg);
	want = th_load(rel, &wlen);
	assert_int_equal(len, wlen);
	assert_memory_equal(out, want, wlen);
	free(want);
	asmgate_free(out);
}

static asmgate_status
load_mem_status(const uint8_t *p, size_t n, asmgate_error *err)
{
	asmgate_key *k = NULL;
	asmgate_status rc;

	asmgate_error_clear(err);
	rc = asmgate_key_load_memory(&k, p, n, err);
	if (rc == ASMGATE_OK)
		assert_non_null(k);
	else
		assert_null(k);
	asmgate_key_free(k);
	return rc;
}

/* The sn-made test keys and their `sn -t` tokens (samples/keys/README.md). */
static const struct {
	const char *name;
	unsigned bits;
	const char *token;
} sn_keys[] = {
	{ "test1024", 1024, "5b4d8b284476375e" },
	{ "test2048", 2048, "77906b6731e6e44e" },
	{ "test4096", 4096, "3ba7e1f7c519d82f" },
	{ "contoso", 2048, "e0ba8f48cb722cea" },
	{ "fabrikam", 1024, "92cdd74130f40b2c" },
};
#define NSNKEYS (sizeof(sn_keys) / sizeof(sn_keys[0]))

/* -------------------------------------------------------------- tests */

/* .snk and .pub tokens equal `sn -t`; the .snk's public blob equals
 * `sn -p`'s .pub byte for byte. */
static void
test_keys__snk_and_pub_agree_with_sn(void **state)
{
	size_t i;
	char rel[64];

	(void)state;
	for (i = 0; i < NSNKEYS; i++) {
		asmgate_key *snk, *pub;
		const asmgate_key_info *si, *pi;

		snprintf(rel, sizeof(rel), "keys/%s.snk", sn_keys[i].name);
		snk = load(rel);
		snprintf(rel, sizeof(rel), "keys/%s.pub", sn_keys[i].name);
		pub = load(rel);
		si = asmgate_key_get_info(snk);
		pi = asmgate_key_get_info(pub);
		assert_token(snk, sn_keys[i].token);
		assert_token(pub, sn_keys[i].token);
		assert_int_equal(si->format, ASMGATE_KEY_FMT_SNK);
		assert_int_equal(pi->format, ASMGATE_KEY_FMT_BLOB);
		assert_true(si->is_private);
		assert_false(pi->is_private);
		assert_int_equal(si->bits, sn_keys[i].bits);
		assert_int_equal(pi->bits, sn_keys[i].bits);
		assert_int_equal(si->exponent, 65537);
		assert_int_equal(pi->hash_alg, ASMGATE_CALG_SHA1);
		assert_int_equal(pi->sig_alg, ASMGATE_CALG_RSA_SIGN);
		assert_string_equal(pi->hash_name, "sha1");
		assert_null(pi->well_known);
		/* sn -p output, byte for byte */
		assert_writes(snk, ASMGATE_KEY_FMT_BLOB, 0, rel);
		assert_writes(pub, ASMGATE_KEY_FMT_BLOB, 0, rel);
		assert_int_equal(si->blob_len, pi->blob_len);
		assert_memory_equal(si->blob, pi->blob, pi->blob_len);
		assert_memory_equal(si->fingerprint, pi->fingerprint, 32);
		assert_true(keys_same_rsa(snk, pub));
		asmgate_key_free(snk);
		asmgate_key_free(pub);
	}
}

/* Every derived format of the three test keys, made by openssl and sn,
 * loads to the same public blob (sn -p) and token (sn -t). */
static void
test_keys__all_formats_load_to_the_sn_blob(void **state)
{
	static const struct {
		const char *ext;
		asmgate_key_format fmt;
		int priv;
	} forms[] = {
		{ "pkcs1.pem", ASMGATE_KEY_FMT_PEM, 1 },
		{ "pkcs1.der", ASMGATE_KEY_FMT_DER, 1 },
		{ "pkcs8.pem", ASMGATE_KEY_FMT_PEM, 1 },
		{ "pkcs8.der", ASMGATE_KEY_FMT_DER, 1 },
		{ "spki.pem", ASMGATE_KEY_FMT_PEM, 0 },
		{ "spki.der", ASMGATE_KEY_FMT_DER, 0 },
		{ "rsapub.pem", ASMGATE_KEY_FMT_PEM, 0 },
		{ "hex", ASMGATE_KEY_FMT_HEX, 0 },
		{ "capi", ASMGATE_KEY_FMT_CAPI_PUBLIC, 0 },
	};
	size_t i, j;
	char rel[64], pub[64];

	(void)state;
	for (i = 0; i < 3; i++) {
		snprintf(pub, sizeof(pub), "keys/%s.pub", sn_keys[i].name);
		for (j = 0; j < sizeof(forms) / sizeof(forms[0]); j++) {
			asmgate_key *k;
			snprintf(rel, sizeof(rel), "keys/%s.%s",
			    sn_keys[i].name, forms[j].ext);
			k = load(rel);
			assert_int_equal(asmgate_key_get_info(k)->format,
			    forms[j].fmt);
			assert_int_equal(asmgate_key_get_info(k)->is_private,
			    forms[j].priv);
			assert_token(k, sn_keys[i].token);
			assert_writes(k, ASMGATE_KEY_FMT_BLOB, 0, pub);
			asmgate_key_free(k);
		}
	}
}

/* Our PEM/DER output equals what the openssl command writes for the same
 * key; our .snk and PUBLICKEYBLOB equal sn's. */
static void
test_keys__writes_match_openssl_and_sn(void **state)
{
	size_t i;
	char rel[64];

	(void)state;
	for (i = 0; i < 3; i++) {
		asmgate_key *snk, *pem;

		snprintf(rel, sizeof(rel), "keys/%s.snk", sn_keys[i].name);
		snk = load(rel);
		snprintf(rel, sizeof(rel), "keys/%s.pkcs8.pem", sn_keys[i].name);
		assert_writes(snk, ASMGATE_KEY_FMT_PEM, 1, rel);
		pem = load(rel);
		snprintf(rel, sizeof(rel), "keys/%s.pkcs8.der", sn_keys[i].name);
		assert_writes(snk, ASMGATE_KEY_FMT_DER, 1, rel);
		snprintf(rel, sizeof(rel), "keys/%s.spki.pem", sn_keys[i].name);
		assert_writes(snk, ASMGATE_KEY_FMT_PEM, 0, rel);
		snprintf(rel, sizeof(rel), "keys/%s.spki.der", sn_keys[i].name);
		assert_writes(snk, ASMGATE_KEY_FMT_DER, 0, rel);
		snprintf(rel, sizeof(rel), "keys/%s.capi", sn_keys[i].name);
		assert_writes(snk, ASMGATE_KEY_FMT_CAPI_PUBLIC, 0, rel);
		/* PKCS#8 back to the sn-made .snk, byte for byte */
		snprintf(rel, sizeof(rel), "keys/%s.snk", sn_keys[i].name);
		assert_writes(pem, ASMGATE_KEY_FMT_SNK, 1, rel);
		assert_writes(snk, ASMGATE_KEY_FMT_SNK, 1, rel);
		asmgate_key_free(snk);
		asmgate_key_free(pem);
	}
}

static void
test_keys__hex_text(void **state)
{
	asmgate_key *k = load("keys/test1024.pub"), *k2 = NULL;
	const asmgate_key_info *ki = asmgate_key_get_info(k);
	uint8_t *out = NULL, *buf;
	size_t len = 0, i;
	char *hex;
	asmgate_error err;

	(void)state;
	assert_int_equal(asmgate_key_write(k, ASMGATE_KEY_FMT_HEX, 0, &out,
	    &len, &err), ASMGATE_OK);
	assert_int_equal(len, 2 * ki->blob_len + 1);
	assert_int_equal(out[len - 1], '\n');
	hex = malloc(2 * ki->blob_len + 1);
	assert_non_null(hex);
	rd_hex_encode(hex, ki->blob, ki->blob_len);
	assert_memory_equal(out, hex, len - 1);
	asmgate_free(out);
	/* "0x", a BOM, CRLF line breaks and upper case are accepted. */
	buf = malloc(3 + 2 + 2 * ki->blob_len + 2 * 40 + 1);
	assert_non_null(buf);
	memcpy(buf, "\xEF\xBB\xBF" "0X", 5);
	len = 5;
	for (i = 0; i < 2 * ki->blob_len; i++) {
		buf[len++] = (uint8_t)(hex[i] >= 'a' ? hex[i] - 32 : hex[i]);
		if (i % 8 == 7) {
			buf[len++] = '\r';
			buf[len++] = '\n';
		}
	}
	assert_int_equal(asmgate_key_load_memory(&k2, buf, len, &err),
	    ASMGATE_OK);
	assert_int_equal(asmgate_key_get_info(k2)->format, ASMGATE_KEY_FMT_HEX);
	assert_token(k2, "5b4d8b284476375e");
	free(buf);
	free(hex);
	asmgate_key_free(k);
	asmgate_key_free(k2);
}

/* The ECMA key: from sn -e of Mono's mscorlib.dll. */
static void
test_keys__ecma_key(void **state)
{
	asmgate_key *k = load("keys/ecma.pub"), *k2 = NULL, *m = NULL;
	const asmgate_key_info *ki = asmgate_key_get_info(k);
	uint8_t *out = NULL;
	size_t len = 0;
	asmgate_error err;

	(void)state;
	assert_true(ki->is_ecma);
	assert_false(ki->is_private);
	assert_int_equal(ki->format, ASMGATE_KEY_FMT_ECMA);
	assert_int_equal(ki->bits, 0);
	assert_int_equal(ki->blob_len, 16);
	assert_string_equal(ki->hash_name, "sha1");
	assert_string_equal(ki->well_known, "ECMA");
	assert_token(k, "b77a5c561934e089");
	assert_null(keys_pkey(k));
	/* from_blob gives the same key */
	assert_int_equal(asmgate_key_from_blob(&k2, ki->blob, ki->blob_len,
	    &err), ASMGATE_OK);
	assert_true(asmgate_key_get_info(k2)->is_ecma);
	assert_true(keys_same_rsa(k, k2));
	m = load("keys/microsoft.pub");
	assert_false(keys_same_rsa(k, m));
	/* nothing RSA can be written or done with it */
	assert_int_equal(asmgate_key_write(k, ASMGATE_KEY_FMT_PEM, 0, &out,
	    &len, &err), ASMGATE_E_KEY);
	assert_int_equal(asmgate_key_write(k, ASMGATE_KEY_FMT_CAPI_PUBLIC, 0,
	    &out, &len, &err), ASMGATE_E_KEY);
	assert_int_equal(keys_blob_with_hash(k, ASMGATE_CALG_SHA1, &out, &len,
	    &err), ASMGATE_E_KEY);
	assert_writes(k, ASMGATE_KEY_FMT_ECMA, 0, "keys/ecma.pub");
	asmgate_key_free(k);
	asmgate_key_free(k2);
	asmgate_key_free(m);
}

/* Well-known keys: names, blobs (sn -e of GAC assemblies), tokens. */
static void
test_keys__well_known(void **state)
{
	static const struct {
		const char *token, *name;
		int has_blob;
	} wk[] = {
		{ "b77a5c561934e089", "ECMA", 1 },
		{ "b03f5f7f11d50a3a", "Microsoft", 1 },
		{ "31bf3856ad364e35", "MicrosoftShared", 1 },
		{ "7cec85d7bea7798e", "SilverlightPlatform", 1 },
		{ "cc7b13ffcd2ddd51", "Open", 1 },
		{ "adb9793829ddae60", "MicrosoftAspNetCore", 1 },
		{ "0738eb9f132ed756", "Mono", 1 },
		{ "24eec0d8c86cda1e", "Microsoft.Phone", 0 },
		{ "ccac92ed873b185c", "XNA", 0 },
	};
	asmgate_key *k, *f;
	uint8_t t[8];
	asmgate_error err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(wk) / sizeof(wk[0]); i++) {
		hex8(wk[i].token, t);
		assert_string_equal(asmgate_key_well_known_name(t), wk[i].name);
		k = NULL;
		if (!wk[i].has_blob) {
			assert_int_equal(keys_well_known(&k, t, &err),
			    ASMGATE_E_UNSUPPORTED);
			assert_null(k);
			continue;
		}
		/* The embedded blob hashes to its token. */
		assert_int_equal(keys_well_known(&k, t, &err), ASMGATE_OK);
		assert_token(k, wk[i].token);
		assert_string_equal(asmgate_key_get_info(k)->well_known,
		    wk[i].name);
		asmgate_key_free(k);
	}
	/* The embedded Microsoft and Mono blobs equal sn -e's. */
	f = load("keys/microsoft.pub");
	assert_string_equal(asmgate_key_get_info(f)->well_known, "Microsoft");
	hex8("b03f5f7f11d50a3a", t);
	assert_int_equal(keys_well_known(&k, t, &err), ASMGATE_OK);
	assert_writes(k, ASMGATE_KEY_FMT_BLOB, 0, "keys/microsoft.pub");
	assert_int_equal(asmgate_key_get_info(k)->bits, 1024);
	asmgate_key_free(k);
	asmgate_key_free(f);
	f = load("keys/mono.pub");
	assert_string_equal(asmgate_key_get_info(f)->well_known, "Mono");
	hex8("0738eb9f132ed756", t);
	assert_int_equal(keys_well_known(&k, t, &err), ASMGATE_OK);
	assert_writes(k, ASMGATE_KEY_FMT_BLOB, 0, "keys/mono.pub");
	asmgate_key_free(k);
	asmgate_key_free(f);
	/* A name needs the whole blob, not just a token. */
	f = load("keys/test1024.pub");
	hex8("b03f5f7f11d50a3a", t);
	assert_null(keys_well_known_for(t, asmgate_key_get_info(f)->blob,
	    asmgate_key_get_info(f)->blob_len));
	asmgate_key_free(f);
	hex8("0123456789abcdef", t);
	assert_null(asmgate_key_well_known_name(t));
	assert_int_equal(keys_well_known(&k, t, &err), ASMGATE_E_KEY);
}

/* An assembly yields its public key (the key it was signed with). */
static void
test_keys__assembly(void **state)
{
	asmgate_key *k;
	asmgate_error err;

	(void)state;
	k = load("valid/signed-2048.dll");
	assert_int_equal(asmgate_key_get_info(k)->format,
	    ASMGATE_KEY_FMT_ASSEMBLY);
	assert_token(k, "77906b6731e6e44e");
	assert_writes(k, ASMGATE_KEY_FMT_BLOB, 0, "keys/test2048.pub");
	asmgate_key_free(k);
	k = load("valid/fabrikam-adapters.dll");
	assert_token(k, "92cdd74130f40b2c");
	asmgate_key_free(k);
	k = NULL;
	asmgate_error_clear(&err);
	assert_int_equal(asmgate_key_load_file(&k, th_path(
	    "states/unsigned.dll"), &err), ASMGATE_E_KEY);
	assert_null(k);
	assert_non_null(strstr(err.msg, "no public key"));
	assert_int_equal(asmgate_key_load_file(&k, th_path(
	    "malformed/bad-pe-signature.dll"), &err), ASMGATE_E_NOT_PE);
}

/* Hex text with whitespace, decoded by rd_hex_decode_ws (shared with the
 * policy's publicKey): tabs and spaces between digits, even inside a
 * byte; a bad character is reported at its file offset; odd, too long and
 * empty inputs fail. */
static void
test_keys__hex_whitespace(void **state)
{
	static const char wrapped[] = "0a\tB c\r\nD0 ";
	static const char ws[] = " \t\r\n";
	uint8_t out[4];
	size_t n = 99, where = 99;
	asmgate_key *k = load("keys/test1024.pub"), *k2 = NULL;
	const asmgate_key_info *ki = asmgate_key_get_info(k);
	asmgate_error err;
	char *text;
	size_t i, len = 0;

	(void)state;
	assert_int_equal(rd_hex_decode_ws(out, sizeof(out), &n, wrapped,
	    strlen(wrapped), &where), RD_HEX_OK);
	assert_int_equal(n, 3);
	assert_int_equal(out[0], 0x0a);
	assert_int_equal(out[1], 0xbc);
	assert_int_equal(out[2], 0xd0);
	assert_int_equal(rd_hex_decode_ws(out, sizeof(out), &n, ws, 4, &where),
	    RD_HEX_OK);
	assert_int_equal(n, 0);
	assert_int_equal(rd_hex_decode_ws(out, sizeof(out), &n, "0a b", 4,
	    &where), RD_HEX_ODD);
	assert_int_equal(where, 3);
	assert_int_equal(rd_hex_decode_ws(out, sizeof(out), &n, "0a zz", 5,
	    &where), RD_HEX_BAD_DIGIT);
	assert_int_equal(where, 3);
	assert_int_equal(rd_hex_decode_ws(out, 1, &n, "0a 0b", 5, &where),
	    RD_HEX_TOO_LONG);
	assert_int_equal(where, 4);
	/* a NUL is not whitespace */
	assert_int_equal(rd_hex_decode_ws(out, sizeof(out), &n, "0a\0000", 5,
	    &where), RD_HEX_BAD_DIGIT);
	assert_int_equal(where, 2);

	/* A .pub as hex, one space after every digit and a tab per line. */
	text = malloc(4 * ki->blob_len + 8);
	assert_non_null(text);
	for (i = 0; i < ki->blob_len; i++) {
		static const char d[] = "0123456789abcdef";
		text[len++] = d[ki->blob[i] >> 4];
		text[len++] = ' ';
		text[len++] = d[ki->blob[i] & 15];
		text[len++] = i % 16 == 15 ? '\t' : ' ';
	}
	assert_int_equal(asmgate_key_load_memory(&k2, text, len, &err),
	    ASMGATE_OK);
	assert_memory_equal(asmgate_key_get_info(k2)->fingerprint,
	    ki->fingerprint, 32);
	asmgate_key_free(k2);
	/* a bad character: reported at its offset in the file */
	text[9] = 'g';
	assert_int_equal(load_mem_status((const uint8_t *)text, len, &err),
	    ASMGATE_E_KEY);
	assert_true(err.has_offset);
	assert_int_equal(err.offset, 9);
	assert_non_null(strstr(err.msg, "'g' is not a hex digit"));
	/* one digit too many */
	text[9] = ' ';
	text[len - 1] = '0';
	assert_int_equal(load_mem_status((const uint8_t *)text, len, &err),
	    ASMGATE_E_KEY);
	assert_non_null(strstr(err.msg, "odd number"));
	free(text);
	asmgate_key_free(k);
}

/* samples/keys/bad: one defect each; every one fails with its class and
 * a message naming the defect. */
static void
test_keys__bad_keys_rejected(void **state)
{
	static const struct {
		const char *file;
		asmgate_status st;
		const char *says;
	} bad[] = {
		{ "capi-truncated.capi", ASMGATE_E_KEY, "truncated" },
		{ "der-trailing-bytes.der", ASMGATE_E_KEY, "after the DER" },
		{ "der-truncated.der", ASMGATE_E_KEY, "DER" },
		{ "empty.snk", ASMGATE_E_EMPTY, "empty" },
		{ "hex-bad-digit.hex", ASMGATE_E_KEY, "hex digit" },
		{ "hex-not-a-key.hex", ASMGATE_E_KEY, "cbPublicKey" },
		{ "hex-odd-digits.hex", ASMGATE_E_KEY, "odd number" },
		{ "pem-ec-key.pem", ASMGATE_E_KEY, "not an RSA key" },
		{ "pem-encrypted.pem", ASMGATE_E_UNSUPPORTED, "encrypted" },
		{ "pem-garbage.pem", ASMGATE_E_KEY, "PEM" },
		{ "pub-bad-keyalg.pub", ASMGATE_E_KEY, "aiKeyAlg 0x6610" },
		{ "pub-bad-magic.pub", ASMGATE_E_KEY, "magic" },
		{ "pub-bad-version.pub", ASMGATE_E_KEY, "bVersion" },
		{ "pub-bitlen-modulus-mismatch.pub", ASMGATE_E_KEY,
		  "bitlen 2048" },
		{ "pub-bitlen-not-multiple-of-8.pub", ASMGATE_E_KEY,
		  "multiple of 8" },
		{ "pub-btype-not-publickeyblob.pub", ASMGATE_E_KEY, "bType" },
		{ "pub-cb-mismatch.pub", ASMGATE_E_KEY, "cbPublicKey" },
		{ "pub-exponent-one.pub", ASMGATE_E_KEY, "exponent 1" },
		{ "pub-exponent-zero.pub", ASMGATE_E_KEY, "exponent 0" },
		{ "pub-hashalg-md5.pub", ASMGATE_E_KEY, "HashAlgID 0x8003" },
		{ "pub-hashalg-not-hash.pub", ASMGATE_E_KEY, "not a hash" },
		{ "pub-modulus-even.pub", ASMGATE_E_KEY, "even" },
		{ "pub-modulus-top-byte-zero.pub", ASMGATE_E_KEY, "top byte" },
		{ "pub-sigalg-keyx.pub", ASMGATE_E_KEY, "SigAlgID 0xa400" },
		{ "pub-trailing-padding.pub", ASMGATE_E_KEY, "after the modulus" },
		{ "pub-truncated-header.pub", ASMGATE_E_KEY, "12-byte header" },
		{ "pub-truncated-modulus.pub", ASMGATE_E_KEY, "truncated" },
		{ "snk-bad-keyalg.snk", ASMGATE_E_KEY, "aiKeyAlg" },
		{ "snk-bad-magic.snk", ASMGATE_E_KEY, "RSA2" },
		{ "snk-bad-version.snk", ASMGATE_E_KEY, "bVersion" },
		{ "snk-bitlen-not-multiple-of-16.snk", ASMGATE_E_KEY,
		  "multiple of 16" },
		{ "snk-bitlen-too-large.snk", ASMGATE_E_KEY, "outside" },
		{ "snk-bitlen-too-small.snk", ASMGATE_E_KEY, "outside" },
		{ "snk-exponent-even.snk", ASMGATE_E_KEY, "exponent 65536" },
		{ "snk-inconsistent-crt.snk", ASMGATE_E_KEY, "inconsistent" },
		{ "snk-trailing-bytes.snk", ASMGATE_E_KEY, "after the private" },
		{ "snk-truncated.snk", ASMGATE_E_KEY, "truncated" },
		{ "text-not-a-key.txt", ASMGATE_E_KEY, "not a key" },
		{ "unknown-format.bin", ASMGATE_E_KEY, "unrecognized" },
	};
	size_t i;
	char rel[96];

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		asmgate_key *k = NULL;
		asmgate_error err;
		asmgate_status rc;

		snprintf(rel, sizeof(rel), "keys/bad/%s", bad[i].file);
		asmgate_error_clear(&err);
		rc = asmgate_key_load_file(&k, th_path(rel), &err);
		if (rc != bad[i].st || !strstr(err.msg, bad[i].says))
			fail_msg("%s: status %s, message '%s'; expected %s, "
			    "'%s'", bad[i].file, asmgate_status_name(rc),
			    err.msg, asmgate_status_name(bad[i].st),
			    bad[i].says);
		assert_null(k);
		assert_true(strchr(err.msg, '\n') == NULL);
	}
}

/* PKCS#1 v1.5 signatures equal `openssl pkeyutl -sign` over SHA-1("abc")
 * and SHA-256("abc"), reversed to strong-name order; verification accepts
 * them and rejects a changed byte. */
static void
test_keys__sign_and_verify_match_openssl(void **state)
{
	static const struct {
		const char *snk;
		const EVP_MD *(*md)(void);
		const char *sig_be;
	} cases[] = {
		{ "keys/test1024.snk", EVP_sha1,
		  "80532d7bd890a8335c52876fa1a8457168a4ecbea08399d49f1da816351f1b"
		  "6de05a748049227062d421c01a1955676298e6647693564e1d5908517fb1f0"
		  "80d69d753f1cab534f4d47d0d5c1858642195a5754542097c0575d864d6bca"
		  "fa454634ff5317e8455531d792d30b0f304afe41cfbb3df3f7a96f88310faa"
		  "c80274b4" },
		{ "keys/test2048.snk", EVP_sha256,
		  "b641b72df3d530e39c16368351573dd3841153e8b171175c664b4a1973fbcb"
		  "d325b7ca66068e488a9822aa63c182fef0a1317d9674ca556f4a9aaf099b8a"
		  "ba8332529d9fde136183cf367dfbff83f3a8dbf7e58e4267f2dd925370f71f"
		  "fb8d0b116e860a540e1f6f702ba79520c71038824384af608f6106dde5e51a"
		  "71a49182e3365d8556ed61c5646aac0d0c8a2f3d0bbe0f2b409851b1d5385a"
		  "a7ba079445dc4d14f5099597b3146d8c02986760a2a600510aecb1a9f0b028"
		  "cc349fb31e0939e75db7a03d935f4e8ce8518372e4852f536e426f63764f5a"
		  "133fc63c0cba2572e2231f24aeb4be07cb99b8faa1e21fe58ff75dd5cb4b35"
		  "204c0bcedb1864f7" },
	};
	size_t c, i, n;

	(void)state;
	for (c = 0; c < 2; c++) {
		asmgate_key *k = load(cases[c].snk), *pub;
		const EVP_MD *md = cases[c].md();
		uint8_t dg[64], be[512], le[512], sig[512];
		unsigned dlen = 0;
		asmgate_error err;
		int ok = -1;

		assert_true(EVP_Digest("abc", 3, dg, &dlen, md, NULL));
		n = strlen(cases[c].sig_be) / 2;
		assert_true(rd_hex_decode(be, sizeof(be), &n, cases[c].sig_be,
		    2 * n, NULL));
		for (i = 0; i < n; i++)
			le[i] = be[n - 1 - i];
		assert_int_equal(keys_sign_digest(k, md, dg, dlen, sig, n,
		    &err), ASMGATE_OK);
		assert_memory_equal(sig, le, n);
		/* verify with the public half only */
		assert_int_equal(asmgate_key_from_blob(&pub,
		    asmgate_key_get_info(k)->blob,
		    asmgate_key_get_info(k)->blob_len, &err), ASMGATE_OK);
		assert_int_equal(keys_verify_digest(pub, md, dg, dlen, le, n,
		    &ok, &err), ASMGATE_OK);
		assert_int_equal(ok, 1);
		le[n / 2] ^= 1;
		assert_int_equal(keys_verify_digest(pub, md, dg, dlen, le, n,
		    &ok, &err), ASMGATE_OK);
		assert_int_equal(ok, 0);
		le[n / 2] ^= 1;
		/* the other digest does not verify */
		dg[0] ^= 1;
		assert_int_equal(keys_verify_digest(pub, md, dg, dlen, le, n,
		    &ok, &err), ASMGATE_OK);
		assert_int_equal(ok, 0);
		/* wrong sizes and a public key are errors */
		assert_int_equal(keys_verify_digest(pub, md, dg, dlen, le, n - 1,
		    &ok, &err), ASMGATE_E_KEY);
		assert_int_equal(keys_verify_digest(pub, md, dg, dlen - 1, le, n,
		    &ok, &err), ASMGATE_E_USAGE);
		assert_int_equal(keys_sign_digest(pub, md, dg, dlen, sig, n,
		    &err), ASMGATE_E_KEY);
		asmgate_key_free(k);
		asmgate_key_free(pub);
	}
}

/* A signature value above the modulus is "not verified", not an error. */
static void
test_keys__verify_garbage_signature(void **state)
{
	asmgate_key *k = load("keys/test1024.pub");
	uint8_t dg[20] = { 0 }, sig[128];
	asmgate_error err;
	int ok = -1;

	(void)state;
	memset(sig, 0xFF, sizeof(sig));
	assert_int_equal(keys_verify_digest(k, EVP_sha1(), dg, 20, sig, 128,
	    &ok, &err), ASMGATE_OK);
	assert_int_equal(ok, 0);
	memset(sig, 0, sizeof(sig));
	assert_int_equal(keys_verify_digest(k, EVP_sha1(), dg, 20, sig, 128,
	    &ok, &err), ASMGATE_OK);
	assert_int_equal(ok, 0);
	asmgate_key_free(k);
}

static void
test_keys__md_by_alg_id(void **state)
{
	(void)state;
	assert_ptr_equal(keys_md(0), EVP_sha1());
	assert_ptr_equal(keys_md(ASMGATE_CALG_SHA1), EVP_sha1());
	assert_ptr_equal(keys_md(ASMGATE_CALG_SHA_256), EVP_sha256());
	assert_ptr_equal(keys_md(ASMGATE_CALG_SHA_384), EVP_sha384());
	assert_ptr_equal(keys_md(ASMGATE_CALG_SHA_512), EVP_sha512());
	assert_null(keys_md(0x8003));
	assert_null(keys_md(ASMGATE_CALG_RSA_SIGN));
}

/* A generated key: right size and hash, signs and verifies, survives a
 * .snk round trip; the .snk has no HashAlgID, so the reloaded key's blob
 * says SHA-1 and keys_blob_with_hash gives the original back. */
static void
test_keys__generate(void **state)
{
	asmgate_key *k = NULL, *back = NULL;
	const asmgate_key_info *ki;
	uint8_t *snk = NULL, *blob = NULL, dg[32] = { 1 }, sig[128];
	size_t snklen = 0, blen = 0;
	asmgate_error err;
	int ok = 0;

	(void)state;
	assert_int_equal(asmgate_key_generate(&k, 1024, ASMGATE_CALG_SHA_256,
	    &err), ASMGATE_OK);
	ki = asmgate_key_get_info(k);
	assert_true(ki->is_private);
	assert_int_equal(ki->bits, 1024);
	assert_int_equal(ki->exponent, 65537);
	assert_int_equal(ki->hash_alg, ASMGATE_CALG_SHA_256);
	assert_string_equal(ki->hash_name, "sha256");
	assert_int_equal(ki->blob_len, 160);
	assert_int_equal(keys_sign_digest(k, EVP_sha256(), dg, 32, sig, 128,
	    &err), ASMGATE_OK);
	assert_int_equal(keys_verify_digest(k, EVP_sha256(), dg, 32, sig, 128,
	    &ok, &err), ASMGATE_OK);
	assert_int_equal(ok, 1);
	assert_int_equal(asmgate_key_write(k, ASMGATE_KEY_FMT_SNK, 1, &snk,
	    &snklen, &err), ASMGATE_OK);
	assert_int_equal(snklen, 596);
	assert_int_equal(asmgate_key_load_memory(&back, snk, snklen, &err),
	    ASMGATE_OK);
	assert_true(keys_same_rsa(k, back));
	assert_int_equal(asmgate_key_get_info(back)->hash_alg,
	    ASMGATE_CALG_SHA1);
	assert_memory_not_equal(asmgate_key_get_info(back)->token, ki->token,
	    8);
	assert_int_equal(keys_blob_with_hash(back, ASMGATE_CALG_SHA_256, &blob,
	    &blen, &err), ASMGATE_OK);
	assert_int_equal(blen, ki->blob_len);
	assert_memory_equal(blob, ki->blob, blen);
	free(blob);
	assert_int_equal(keys_blob_with_hash(back, 0x8003, &blob, &blen, &err),
	    ASMGATE_E_UNSUPPORTED);
	keys_free_secret(snk, snklen);
	asmgate_key_free(k);
	asmgate_key_free(back);
	/* sizes sn -k allows but a .snk cannot hold, and nonsense */
	assert_int_equal(asmgate_key_generate(&k, 1032, ASMGATE_CALG_SHA1,
	    &err), ASMGATE_E_USAGE);
	assert_int_equal(asmgate_key_generate(&k, 1024, 0x8003, &err),
	    ASMGATE_E_USAGE);
	assert_int_equal(asmgate_key_generate(&k, 32768, ASMGATE_CALG_SHA1,
	    &err), ASMGATE_E_USAGE);
	assert_null(k);
}

static void
test_keys__write_refusals(void **state)
{
	asmgate_key *pub = load("keys/test1024.pub");
	asmgate_key *snk = load("keys/test1024.snk");
	uint8_t *out = NULL;
	size_t len = 0;
	asmgate_error err;

	(void)state;
	assert_int_equal(asmgate_key_write(pub, ASMGATE_KEY_FMT_SNK, 1, &out,
	    &len, &err), ASMGATE_E_KEY);
	assert_int_equal(asmgate_key_write(snk, ASMGATE_KEY_FMT_SNK, 0, &out,
	    &len, &err), ASMGATE_E_USAGE);
	assert_int_equal(asmgate_key_write(pub, ASMGATE_KEY_FMT_PEM, 1, &out,
	    &len, &err), ASMGATE_E_KEY);
	assert_int_equal(asmgate_key_write(snk, ASMGATE_KEY_FMT_HEX, 1, &out,
	    &len, &err), ASMGATE_E_USAGE);
	assert_int_equal(asmgate_key_write(snk, ASMGATE_KEY_FMT_ECMA, 0, &out,
	    &len, &err), ASMGATE_E_USAGE);
	assert_int_equal(asmgate_key_write(snk, ASMGATE_KEY_FMT_ASSEMBLY, 0,
	    &out, &len, &err), ASMGATE_E_USAGE);
	assert_null(out);
	/* a key pair written without want_private is its public part */
	assert_writes(snk, ASMGATE_KEY_FMT_PEM, 0, "keys/test1024.spki.pem");
	asmgate_key_free(pub);
	asmgate_key_free(snk);
}

static void
test_keys__blob_with_hash(void **state)
{
	asmgate_key *k = load("keys/test1024.snk");
	const asmgate_key_info *ki = asmgate_key_get_info(k);
	uint8_t *b = NULL;
	size_t n = 0;
	asmgate_error err;

	(void)state;
	assert_int_equal(keys_blob_with_hash(k, ASMGATE_CALG_SHA_512, &b, &n,
	    &err), ASMGATE_OK);
	assert_int_equal(n, ki->blob_len);
	assert_int_equal(th_get_u32(b + 4), ASMGATE_CALG_SHA_512);
	assert_memory_equal(b, ki->blob, 4);
	assert_memory_equal(b + 8, ki->blob + 8, n - 8);
	free(b);
	assert_int_equal(keys_blob_with_hash(k, 0, &b, &n, &err), ASMGATE_OK);
	assert_int_equal(th_get_u32(b + 4), 0);
	free(b);
	asmgate_key_free(k);
}

/* The same RSA key under another HashAlgID is another token: the token
 * hashes the whole blob (strongname.md 6.5). A SHA-256 blob loads. */
static void
test_keys__hash_alg_in_blob(void **state)
{
	size_t len;
	uint8_t *pub = th_load("keys/test1024.pub", &len);
	asmgate_key *k = NULL;
	asmgate_error err;

	(void)state;
	th_put_u32(pub + 4, ASMGATE_CALG_SHA_256);
	assert_int_equal(asmgate_key_from_blob(&k, pub, len, &err), ASMGATE_OK);
	assert_string_equal(asmgate_key_get_info(k)->hash_name, "sha256");
	assert_memory_not_equal(asmgate_key_get_info(k)->token,
	    "\x5b\x4d\x8b\x28\x44\x76\x37\x5e", 8);
	asmgate_key_free(k);
	/* HashAlgID 0 and SigAlgID 0 are valid (0 means the default) */
	th_put_u32(pub + 4, 0);
	th_put_u32(pub, 0);
	assert_int_equal(asmgate_key_from_blob(&k, pub, len, &err), ASMGATE_OK);
	assert_string_equal(asmgate_key_get_info(k)->hash_name, "sha1");
	asmgate_key_free(k);
	/* CALG_RSA_KEYX as the CAPI aiKeyAlg occurs and is accepted */
	th_put_u32(pub + 16, ASMGATE_CALG_RSA_KEYX);
	assert_int_equal(asmgate_key_from_blob(&k, pub, len, &err), ASMGATE_OK);
	asmgate_key_free(k);
	free(pub);
}

/* Caps: a non-assembly above RD_MAX_KEY_FILE_BYTES is refused; an empty
 * input is "empty". */
static void
test_keys__limits(void **state)
{
	uint8_t *big = calloc(1, RD_MAX_KEY_FILE_BYTES + 1);
	asmgate_error err;

	(void)state;
	assert_non_null(big);
	memset(big, '0', RD_MAX_KEY_FILE_BYTES + 1);
	assert_int_equal(load_mem_status(big, RD_MAX_KEY_FILE_BYTES + 1, &err),
	    ASMGATE_E_LIMIT);
	assert_int_equal(load_mem_status(big, 0, &err), ASMGATE_E_EMPTY);
	/* hex text longer than any blob */
	assert_int_equal(load_mem_status(big, RD_MAX_KEY_FILE_BYTES, &err),
	    ASMGATE_E_KEY);
	free(big);
}

/* Every single-byte change in the headers of a .pub and a .snk either
 * loads or fails cleanly (ASan/UBSan run this too). */
static void
test_keys__header_mutations(void **state)
{
	static const char *const files[] = { "keys/test1024.pub",
		"keys/test1024.snk" };
	static const uint8_t vals[] = { 0x00, 0x01, 0x02, 0x06, 0x07, 0x24,
		0x7f, 0x80, 0xa4, 0xff };
	size_t f, off, v, len;
	asmgate_error err;

	(void)state;
	for (f = 0; f < 2; f++) {
		uint8_t *p = th_load(files[f], &len);
		for (off = 0; off < 36; off++) {
			uint8_t keep = p[off];
			for (v = 0; v < sizeof(vals); v++) {
				p[off] = vals[v];
				(void)load_mem_status(p, len, &err);
			}
			p[off] = keep;
		}
		/* and every truncation */
		for (off = 0; off < len; off += 7)
			(void)load_mem_status(p, off, &err);
		free(p);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys__snk_and_pub_agree_with_sn),
		cmocka_unit_test(test_keys__all_formats_load_to_the_sn_blob),
		cmocka_unit_test(test_keys__writes_match_openssl_and_sn),
		cmocka_unit_test(test_keys__hex_text),
		cmocka_unit_test(test_keys__hex_whitespace),
		cmocka_unit_test(test_keys__ecma_key),
		cmocka_unit_test(test_keys__well_known),
		cmocka_unit_test(test_keys__assembly),
		cmocka_unit_test(test_keys__bad_keys_rejected),
		cmocka_unit_test(test_keys__sign_and_verify_match_openssl),
		cmocka_unit_test(test_keys__verify_garbage_signature),
		cmocka_unit_test(test_keys__md_by_alg_id),
		cmocka_unit_test(test_keys__generate),
		cmocka_unit_test(test_keys__write_refusals),
		cmocka_unit_test(test_keys__blob_with_hash),
		cmocka_unit_test(test_keys__hash_alg_in_blob),
		cmocka_unit_test(test_keys__limits),
		cmocka_unit_test(test_keys__header_mutations),
	};

	return cmocka_run_group_tests_name("keys", tests, NULL, NULL);
}
