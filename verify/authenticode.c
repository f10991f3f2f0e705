/*
 * authenticode.c - Authenticode signatures on PE files (authenticode.md).
 */
#include <stdlib.h>
#include <string.h>

#include "pe/pe.h"
#include "rd/err.h"
#include "verify.h"

void
asmgate_authenticode_free(asmgate_authenticode *ac)
{
	if (!ac)
		return;
	free(ac->signatures);
	free(ac);
}

asmgate_status
asmgate_trust_new(asmgate_trust **out, const char *const *ca_files,
    size_t nca_files, const char *const *ca_paths, size_t nca_paths,
    const char *const *crl_files, size_t ncrl_files, asmgate_error *err)
{
	(void)ca_files; (void)nca_files; (void)ca_paths; (void)nca_paths;
	(void)crl_files; (void)ncrl_files;
	*out = NULL;
	return rd_fail_nooff(err, ASMGATE_E_UNSUPPORTED, "not yet");
}

void
asmgate_trust_free(asmgate_trust *t)
{
	(void)t;
}

asmgate_status
asmgate_authenticode_verify(const asmgate_image *img,
    const asmgate_verify_options *opts, asmgate_authenticode **out,
    asmgate_error *err)
{
	(void)img; (void)opts;
	*out = calloc(1, sizeof(**out));
	if (!*out)
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
	(*out)->state = ASMGATE_AC_UNSIGNED;
	return ASMGATE_OK;
}

asmgate_status
asmgate_verify_full(const asmgate_image *img,
    const asmgate_verify_options *opts, asmgate_signature *sig,
    asmgate_authenticode **ac, asmgate_error *err)
{
	asmgate_status rc = asmgate_verify_image(img, opts, sig, err);

	if (rc != ASMGATE_OK || !ac)
		return rc;
	return asmgate_authenticode_verify(img, opts, ac, err);
}

asmgate_status
asmgate_dn_canonical(const char *dn, uint8_t *out, size_t cap, size_t *len,
    asmgate_error *err)
{
	(void)dn; (void)out; (void)cap;
	*len = 0;
	return rd_fail_nooff(err, ASMGATE_E_UNSUPPORTED, "not yet");
}
