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
