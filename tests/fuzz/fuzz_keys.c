/*
 * fuzz_keys.c - libFuzzer harness for the key readers and writers.
 *
 * Loads the input with asmgate_key_load_memory (every format: blobs,
 * .snk, PEM, DER, hex, assemblies). On success it checks the key's info
 * (blob size against bits, token against asmgate_key_token), writes the
 * key in every format, public and private, and reads each output back:
 * the same RSA key must come out (and the same blob and token where the
 * format keeps the strong-name header). On failure it checks the error
 * record. Any broken invariant traps, which libFuzzer reports as a crash.
 *
 * Built by tests/fuzz/run-fuzz.sh (clang, -fsanitize=fuzzer) and, for
 * corpus replay under gcc, with tests/fuzz/replay.c. Seeds:
 * tests/fuzz/corpus/keys.seeds.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "asmgate.h"
#include "fuzz.h"
#include "keys/keys.h"


static void
check_info(const asmgate_key *k)
{
	const asmgate_key_info *ki = asmgate_key_get_info(k);
	uint8_t tok[8];
	asmgate_error err;

	CHECK(ki != NULL);
	CHECK(ki->blob != NULL);
	CHECK(ki->hash_name != NULL);
	CHECK(asmgate_key_token(ki->blob, ki->blob_len, tok, &err) ==
	    ASMGATE_OK);
	CHECK(memcmp(tok, ki->token, 8) == 0);
	if (ki->is_ecma) {
		CHECK(ki->blob_len == 16);
		CHECK(!ki->is_private && ki->bits == 0);
		CHECK(keys_pkey(k) == NULL);
		return;
	}
	CHECK(keys_pkey(k) != NULL);
	CHECK(ki->bits >= 384 && ki->bits <= 16384 && ki->bits % 8 == 0);
	CHECK(ki->blob_len == 32 + ki->bits / 8);
	CHECK(ki->exponent >= 3 && (ki->exponent & 1));
}

static void
write_and_reload(const asmgate_key *k, asmgate_key_format fmt, int priv)
{
	const asmgate_key_info *ki = asmgate_key_get_info(k);
	asmgate_key *back = NULL;
	uint8_t *out = NULL;
	size_t len = 0;
	asmgate_error err;
	asmgate_status st;

	asmgate_error_clear(&err);
	st = asmgate_key_write(k, fmt, priv, &out, &len, &err);
	if (st != ASMGATE_OK) {
		CHECK(out == NULL);
		fuzz_check_error(st, &err, 0);
		return;
	}
	CHECK(out != NULL);
	/* A key pair whose primes are unbalanced cannot be a .snk; every
	 * other output of a loaded key must load again. */
	asmgate_error_clear(&err);
	st = asmgate_key_load_memory(&back, out, len, &err);
	CHECK(st == ASMGATE_OK);
	check_info(back);
	CHECK(keys_same_rsa(k, back));
	CHECK(asmgate_key_get_info(back)->is_private == (priv != 0));
	if (fmt == ASMGATE_KEY_FMT_BLOB || fmt == ASMGATE_KEY_FMT_HEX ||
	    fmt == ASMGATE_KEY_FMT_ECMA) {
		CHECK(asmgate_key_get_info(back)->blob_len == ki->blob_len);
		CHECK(memcmp(asmgate_key_get_info(back)->blob, ki->blob,
		    ki->blob_len) == 0);
	}
	asmgate_key_free(back);
	keys_free_secret(out, len);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const asmgate_key_format fmts[] = {
		ASMGATE_KEY_FMT_BLOB, ASMGATE_KEY_FMT_SNK,
		ASMGATE_KEY_FMT_CAPI_PUBLIC, ASMGATE_KEY_FMT_PEM,
		ASMGATE_KEY_FMT_DER, ASMGATE_KEY_FMT_HEX, ASMGATE_KEY_FMT_ECMA,
	};
	asmgate_key *k = NULL;
	asmgate_error err;
	asmgate_status st;
	size_t i;

	asmgate_error_clear(&err);
	st = asmgate_key_load_memory(&k, data, size, &err);
	if (st != ASMGATE_OK) {
		CHECK(k == NULL);
		fuzz_check_error(st, &err, 0);
		return 0;
	}
	CHECK(k != NULL);
	check_info(k);
	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		write_and_reload(k, fmts[i], 0);
		write_and_reload(k, fmts[i], 1);
	}
	asmgate_key_free(k);
	return 0;
}
