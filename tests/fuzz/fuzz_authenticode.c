/*
 * fuzz_authenticode.c - libFuzzer harness for the Authenticode path: the
 * certificate table (pe/), each WIN_CERTIFICATE's PKCS#7 SignedData,
 * nested signatures, timestamps, the image hash and the chain to the
 * test root with its CRL (samples/authenticode/pki, read from the
 * working directory, the repository root under make; without it no
 * anchor). Seeds: samples/authenticode. Invariants: the state is one of
 * the six, every reason is terminated, counts stay under their caps,
 * and a valid file has a valid primary signature whose digest matched
 * (fail closed).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "asmgate.h"
#include "fuzz.h"

static const asmgate_trust *
trust(void)
{
	static asmgate_trust *t;
	static int tried;
	const char *ca[] = { "samples/authenticode/pki/ca.pem" };
	const char *crl[] = { "samples/authenticode/pki/crl.pem" };
	asmgate_error err;

	if (!tried) {
		tried = 1;
		if (asmgate_trust_new(&t, ca, 1, NULL, 0, crl, 1, &err) !=
		    ASMGATE_OK)
			t = NULL;
	}
	return t;
}

static void
check_reasons(unsigned n, char r[][ASMGATE_REASON_MAX])
{
	unsigned i;

	CHECK(n <= ASMGATE_MAX_REASONS);
	for (i = 0; i < n; i++)
		CHECK(memchr(r[i], 0, ASMGATE_REASON_MAX) != NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	asmgate_verify_options o;
	asmgate_image *img = NULL;
	asmgate_signature sig;
	asmgate_authenticode *ac = NULL;
	asmgate_error err;
	size_t i;

	if (asmgate_image_from_memory(&img, data, size, &err) != ASMGATE_OK)
		return 0;
	(void)asmgate_verify_options_init(&o, ASMGATE_VERIFY_OPTIONS_VERSION);
	o.trust = trust();
	o.has_at = 1;
	o.at = 1780272000; /* 2026-06-01T00:00:00Z, as the samples */
	o.authenticode = 1;
	if (asmgate_verify_full(img, &o, &sig, &ac, &err) != ASMGATE_OK) {
		asmgate_authenticode_free(ac);
		asmgate_image_free(img);
		return 0;
	}
	CHECK(ac != NULL);
	CHECK((unsigned)ac->state < ASMGATE_AC_STATE_COUNT);
	CHECK(asmgate_ac_state_name(ac->state) != NULL);
	check_reasons(ac->nreasons, ac->reasons);
	CHECK(ac->nsignatures <= ASMGATE_AC_MAX_SIGNATURES);
	CHECK(ac->nsignatures == 0 || ac->signatures != NULL);
	for (i = 0; i < ac->nsignatures; i++) {
		const asmgate_ac_signature *sg = &ac->signatures[i];
		CHECK((unsigned)sg->state < ASMGATE_AC_STATE_COUNT);
		CHECK(sg->nchain <= ASMGATE_AC_MAX_CHAIN);
		check_reasons(sg->nreasons,
		    (char (*)[ASMGATE_REASON_MAX])sg->reasons);
		if (sg->has_signer) {
			CHECK(memchr(sg->signer.subject.text, 0,
			    ASMGATE_AC_NAME_MAX) != NULL);
			CHECK(sg->signer.subject.canon_len <=
			    ASMGATE_AC_CANON_MAX);
		}
	}
	if (ac->state == ASMGATE_AC_UNSIGNED)
		CHECK(ac->nsignatures == 0);
	if (ac->state == ASMGATE_AC_VALID) {
		CHECK(ac->nsignatures >= 1);
		CHECK(ac->signatures[0].state == ASMGATE_AC_VALID);
		CHECK(ac->signatures[0].digest_ok);
		for (i = 0; i < ac->nsignatures; i++)
			CHECK(ac->signatures[i].state != ASMGATE_AC_INVALID);
	}
	asmgate_authenticode_free(ac);
	asmgate_image_free(img);
	return 0;
}
