/*
 * lintallow.c - lint warnings a policy accepts for itself: the optional
 * lintAllow="CODE ..." attribute of any element (docs/POLICY.md,
 * "Accepted warnings"). A warning about that element (reported on its
 * start tag's line) whose code is listed is kept, marked suppressed:
 * asmgate policy lint counts it apart and --strict does not fail on it.
 * A listed code that accepted nothing is itself a warning
 * (lint-allow-unused), so stale exceptions do not pile up.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "rd/err.h"
#include "rd/limits.h"

/* The codes lint.c reports (asmgate.h, asmgate_policy_warning). */
static const char *const known_codes[] = {
	"token-only-key", "short-key", "unused-key", "private-key-file",
	"duplicate-key", "allow-any-key", "weak-state", "never-matches",
	"no-effect", "no-allow-rule", "no-hosts", "audit-mode",
	"non-ascii-name", "shared-account", "publisher-subject-only",
	"unused-publisher", "authenticode-untrusted", NULL
};

static int
known(const char *code)
{
	size_t i;

	for (i = 0; known_codes[i]; i++)
		if (strcmp(known_codes[i], code) == 0)
			return 1;
	return 0;
}

static int
blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

asmgate_status
policy_lint_allow_add(asmgate_policy *pol, const char *value,
    unsigned long line, unsigned long attr_line, asmgate_error *err)
{
	policy_lint_allow *la, *nv;
	size_t len = strlen(value), i, k;
	char *p;

	if (pol->nlint_allows >= RD_MAX_POLICY_RULES + RD_MAX_POLICY_KEYS +
	    RD_MAX_POLICY_HOSTS + 1)
		return rd_fail_line(err, ASMGATE_E_LIMIT, attr_line,
		    "too many lintAllow attributes");
	nv = realloc(pol->lint_allows, (pol->nlint_allows + 1) *
	    sizeof(*nv));
	if (!nv)
		return rd_fail_line(err, ASMGATE_E_NOMEM, 0, "out of memory");
	pol->lint_allows = nv;
	la = &nv[pol->nlint_allows];
	memset(la, 0, sizeof(*la));
	la->line = line;
	la->attr_line = attr_line;
	la->codes = malloc(len + 1);
	if (!la->codes)
		return rd_fail_line(err, ASMGATE_E_NOMEM, 0, "out of memory");
	pol->nlint_allows++; /* freed with the policy from here on */
	/* Split on XML blanks into NUL-separated codes, in place. */
	p = la->codes;
	memcpy(p, value, len + 1);
	k = 0;
	for (i = 0; i < len;) {
		size_t start;

		while (i < len && blank(value[i]))
			i++;
		if (i == len)
			break;
		start = i;
		while (i < len && !blank(value[i]))
			i++;
		if (la->ncodes >= RD_MAX_POLICY_LIST)
			return rd_fail_line(err, ASMGATE_E_LIMIT, attr_line,
			    "more than %u codes in lintAllow",
			    RD_MAX_POLICY_LIST);
		memmove(p + k, value + start, i - start);
		p[k + (i - start)] = '\0';
		if (!known(p + k))
			return rd_fail_line(err, ASMGATE_E_POLICY, attr_line,
			    "unknown lint code '%.64s' in lintAllow", p + k);
		k += i - start + 1;
		la->ncodes++;
	}
	if (la->ncodes == 0)
		return rd_fail_line(err, ASMGATE_E_POLICY, attr_line,
		    "lintAllow is empty");
	return ASMGATE_OK;
}

/* The index of code among la's codes, or -1. */
static long
find_code(const policy_lint_allow *la, const char *code)
{
	const char *p = la->codes;
	size_t i;

	for (i = 0; i < la->ncodes; i++, p += strlen(p) + 1)
		if (strcmp(p, code) == 0)
			return (long)i;
	return -1;
}

void
policy_lint_suppress(asmgate_policy *pol)
{
	size_t i, j;

	for (i = 0; i < pol->nwarnings; i++) {
		asmgate_policy_warning *w = &pol->warnings[i];

		w->suppressed = 0; /* lint.c's warn() leaves it unset */
		for (j = 0; j < pol->nlint_allows; j++) {
			policy_lint_allow *la = &pol->lint_allows[j];
			long c;

			if (la->line != w->line)
				continue;
			c = find_code(la, w->code);
			if (c >= 0) {
				w->suppressed = 1;
				la->used[c] = 1;
			}
		}
	}
	for (j = 0; j < pol->nlint_allows; j++) {
		policy_lint_allow *la = &pol->lint_allows[j];
		const char *p = la->codes;
		asmgate_policy_warning *w, *nw;

		for (i = 0; i < la->ncodes; i++, p += strlen(p) + 1) {
			if (la->used[i])
				continue;
			if (pol->nwarnings >= RD_MAX_POLICY_WARNINGS) {
				pol->warnings_dropped++;
				continue;
			}
			if (pol->nwarnings == pol->warnings_cap) {
				size_t cap = pol->warnings_cap ?
				    pol->warnings_cap * 2 : 16;
				if (cap > RD_MAX_POLICY_WARNINGS)
					cap = RD_MAX_POLICY_WARNINGS;
				nw = realloc(pol->warnings, cap * sizeof(*nw));
				if (!nw) {
					pol->warnings_dropped++;
					continue;
				}
				pol->warnings = nw;
				pol->warnings_cap = cap;
			}
			w = &pol->warnings[pol->nwarnings++];
			memset(w, 0, sizeof(*w));
			w->line = la->attr_line;
			w->code = "lint-allow-unused";
			snprintf(w->msg, sizeof(w->msg), "lintAllow accepts "
			    "'%s' but no such warning is reported here",
			    p);
		}
	}
}

void
policy_lint_allow_free(asmgate_policy *pol)
{
	size_t i;

	for (i = 0; pol->lint_allows && i < pol->nlint_allows; i++)
		free(pol->lint_allows[i].codes);
	free(pol->lint_allows);
	pol->lint_allows = NULL;
	pol->nlint_allows = 0;
}
