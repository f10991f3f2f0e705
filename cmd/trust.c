/*
 * trust.c - the Authenticode options shared by verify and inspect:
 * trust anchors (--ca-file, --ca-path), revocation lists (--crl-file)
 * and the verification time (--at).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"

/* Days since 1970-01-01 of a Gregorian date. */
static int64_t
days(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* Days in month m of year y (Gregorian). */
static unsigned
month_days(unsigned y, unsigned m)
{
	static const unsigned n[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30,
		31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : n[m - 1];
}

/* Unix seconds ("1780272000", as osslsigncode's -time) or ISO 8601 UTC
 * ("2026-01-31T12:00:00Z"). */
static int
parse_time(const char *s, int64_t *out)
{
	unsigned y, mo, d, h, mi, se;
	char z[4];
	int n = 0;
	char *end;
	long long v;

	if (*s >= '0' && *s <= '9' && strspn(s, "0123456789") ==
	    strlen(s)) {
		v = strtoll(s, &end, 10);
		if (*end || strlen(s) > 12)
			return 0;
		*out = v;
		return 1;
	}
	if (sscanf(s, "%4u-%2u-%2uT%2u:%2u:%2u%3s%n", &y, &mo, &d, &h, &mi,
	    &se, z, &n) != 7 || s[n] != '\0' || strcmp(z, "Z") != 0 ||
	    y < 1970 || mo < 1 || mo > 12 || d < 1 ||
	    d > month_days(y, mo) || h > 23 || mi > 59 || se > 60 ||
	    strspn(s, "0123456789-T:Z") != strlen(s))
		return 0;
	*out = days(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
	return 1;
}

int
cmd_trust_option(const char *cmd, cmd_trust_args *a, int c, const char *arg)
{
	const char **list;
	size_t *n;

	switch (c) {
	case OPT_CA_FILE: list = a->ca_files; n = &a->nca_files; break;
	case OPT_CA_PATH: list = a->ca_paths; n = &a->nca_paths; break;
	case OPT_CRL_FILE: list = a->crl_files; n = &a->ncrl_files; break;
	default:
		if (a->has_at) {
			cmd_usage_error(cmd, "--at given twice");
			return 0;
		}
		if (!parse_time(arg, &a->at)) {
			cmd_usage_error(cmd, "--at wants Unix seconds or "
			    "YYYY-MM-DDTHH:MM:SSZ");
			return 0;
		}
		a->has_at = 1;
		return 1;
	}
	if (*n >= CMD_MAX_TRUST_FILES) {
		cmd_usage_error(cmd, "at most %u of each of --ca-file, "
		    "--ca-path, --crl-file", CMD_MAX_TRUST_FILES);
		return 0;
	}
	list[(*n)++] = arg;
	return 1;
}

int
cmd_trust_load(const char *cmd, const cmd_trust_args *a, asmgate_trust **out)
{
	asmgate_error err;

	asmgate_error_clear(&err);
	if (asmgate_trust_new(out, a->ca_files, a->nca_files, a->ca_paths,
	    a->nca_paths, a->crl_files, a->ncrl_files, &err) != ASMGATE_OK) {
		fprintf(stderr, "asmgate %s: ", cmd);
		cmd_put_text(stderr, err.msg);
		fputc('\n', stderr);
		return 0;
	}
	return 1;
}

void
cmd_format_time(char *buf, size_t len, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "%lld", (long long)t);
}
