/*
 * fuzz_verify.c - libFuzzer harness for whole-file verification: parse
 * the input as an assembly and verify it with a test key and a key map
 * in play, so the structural checks, the hash plan, enhanced strong
 * naming and the RSA paths all see hostile input. Every outcome must be
 * one of the six states; an error status must leave the state invalid.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "asmgate.h"
#include "fuzz.h"
#include "rd/hex.h"

/* samples/keys/test1024.pub: a test key, also mapped for its own token. */
static const char test_key_hex[] =
    "00240000048000009400000006020000002400005253413100040000010001001f9747d805e8fff5ca4512fef43d8bc2fab18324d9ff92b7fb52f14694236a4dc040f90ded31692cfeed7b703b27d7ba10ce6e9ff418080314ccf62876e1ffc1dd3ba52e337c86cc7c35245aa49c7be25685aacc2d81ed8cd07590a690c61ff54b0e43de1d26b0d409ba4fdb242ecb219be95dd0f026c7722bbe046f54c449bc";

static asmgate_key *
test_key(void)
{
	static asmgate_key *k;
	uint8_t blob[sizeof(test_key_hex) / 2];
	size_t n = 0, bad;
	asmgate_error err;

	if (k)
		return k;
	CHECK(rd_hex_decode(blob, sizeof(blob), &n, test_key_hex,
	    sizeof(test_key_hex) - 1, &bad));
	CHECK(asmgate_key_from_blob(&k, blob, n, &err) == ASMGATE_OK);
	return k;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const asmgate_key *keys[1];
	asmgate_key_mapping map[2];
	asmgate_verify_options o;
	asmgate_image *img = NULL;
	asmgate_signature sig;
	asmgate_error err;
	asmgate_status rc;
	unsigned i;

	if (asmgate_image_from_memory(&img, data, size, &err) != ASMGATE_OK)
		return 0;
	(void)asmgate_verify_options_init(&o, ASMGATE_VERIFY_OPTIONS_VERSION);
	keys[0] = test_key();
	o.test_keys = keys;
	o.ntest_keys = 1;
	/* Map the test key's own token and the ECMA token to the test key. */
	memcpy(map[0].token, asmgate_key_get_info(keys[0])->token, 8);
	map[0].key = keys[0];
	memcpy(map[1].token, "\xb7\x7a\x5c\x56\x19\x34\xe0\x89", 8);
	map[1].key = keys[0];
	o.key_map = map;
	o.nkey_map = (size & 1) ? 2 : 0;

	rc = asmgate_verify_image(img, &o, &sig, &err);
	CHECK(sig.state >= ASMGATE_SN_INVALID && sig.state <= ASMGATE_SN_SIGNED);
	if (rc != ASMGATE_OK)
		CHECK(sig.state == ASMGATE_SN_INVALID);
	CHECK(sig.nreasons <= ASMGATE_MAX_REASONS);
	for (i = 0; i < sig.nreasons; i++)
		CHECK(memchr(sig.reasons[i], 0, ASMGATE_REASON_MAX) != NULL);
	/* Fail closed: signed or test-signed only with a verifying key. */
	if (sig.state == ASMGATE_SN_SIGNED)
		CHECK(sig.verified_with != ASMGATE_VW_NONE &&
		    sig.verified_with != ASMGATE_VW_TEST_KEY);
	if (sig.state == ASMGATE_SN_TEST_SIGNED)
		CHECK(sig.verified_with == ASMGATE_VW_TEST_KEY &&
		    sig.has_test_key && !sig.flag_set);
	asmgate_image_free(img);
	return 0;
}
