/*
 * state.c - names of signing states and verification sources.
 * These strings are part of the JSON and policy interfaces.
 */
#include <string.h>

#include "asmgate.h"

static const char *const state_names[] = {
	[ASMGATE_SN_INVALID] = "invalid",
	[ASMGATE_SN_UNSIGNED] = "unsigned",
	[ASMGATE_SN_DELAY_SIGNED] = "delay-signed",
	[ASMGATE_SN_PUBLIC_SIGNED] = "public-signed",
	[ASMGATE_SN_TEST_SIGNED] = "test-signed",
	[ASMGATE_SN_SIGNED] = "signed",
};

#define NSTATES (sizeof(state_names) / sizeof(state_names[0]))

const char *
asmgate_sn_state_name(asmgate_sn_state st)
{
	if ((unsigned)st >= NSTATES)
		return "invalid";
	return state_names[st];
}

int
asmgate_sn_state_parse(const char *name, asmgate_sn_state *out)
{
	size_t i;

	for (i = 0; i < NSTATES; i++) {
		if (strcmp(name, state_names[i]) == 0) {
			*out = (asmgate_sn_state)i;
			return 1;
		}
	}
	return 0;
}

const char *
asmgate_verified_with_name(asmgate_verified_with vw)
{
	switch (vw) {
	case ASMGATE_VW_IDENTITY: return "identity";
	case ASMGATE_VW_SIGNATURE_KEY: return "signature-key";
	case ASMGATE_VW_TEST_KEY: return "test-key";
	case ASMGATE_VW_KEY_MAP: return "key-map";
	case ASMGATE_VW_NONE: break;
	}
	return NULL;
}

static const char *const ac_state_names[] = {
	[ASMGATE_AC_INVALID] = "invalid",
	[ASMGATE_AC_UNSIGNED] = "unsigned",
	[ASMGATE_AC_VALID] = "valid",
	[ASMGATE_AC_UNTRUSTED] = "untrusted",
	[ASMGATE_AC_EXPIRED] = "expired",
	[ASMGATE_AC_REVOKED] = "revoked",
};

#define NAC_STATES (sizeof(ac_state_names) / sizeof(ac_state_names[0]))

const char *
asmgate_ac_state_name(asmgate_ac_state st)
{
	if ((unsigned)st >= NAC_STATES)
		return "invalid";
	return ac_state_names[st];
}

int
asmgate_ac_state_parse(const char *name, asmgate_ac_state *out)
{
	size_t i;

	for (i = 0; i < NAC_STATES; i++) {
		if (strcmp(name, ac_state_names[i]) == 0) {
			*out = (asmgate_ac_state)i;
			return 1;
		}
	}
	return 0;
}

const char *
asmgate_ac_ts_kind_name(asmgate_ac_ts_kind k)
{
	switch (k) {
	case ASMGATE_AC_TS_RFC3161: return "rfc3161";
	case ASMGATE_AC_TS_PKCS9: return "pkcs9";
	case ASMGATE_AC_TS_NONE: break;
	}
	return NULL;
}
