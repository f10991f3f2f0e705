/*
 * lint.c - warnings on a valid policy (asmgate policy lint).
 *
 * The list: token-only pins, allow rules with no keys, hosts
 * that allow unsigned, public-signed or delay-signed assemblies, keys
 * under 2048 bits, unused keys, rules that can never match. Also: no
 * hosts, hosts without an allow rule, attributes with no effect, private
 * key files, the same key twice, audit mode. At most
 * RD_MAX_POLICY_WARNINGS are kept; the rest (and any that find no
 * memory) are counted in warnings_dropped.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "rd/err.h"
#include "rd/limits.h"

/* Key sizes below this draw a warning (NIST SP 800-131A: RSA keys
 * shorter than 2048 bits are disallowed for signatures). */
#define POLICY_LINT_MIN_BITS 2048u

static void warn(asmgate_policy *pol, unsigned long line, const char *code,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
warn(asmgate_policy *pol, unsigned long line, const char *code,
    const char *fmt, ...)
{
	asmgate_policy_warning *w;
	va_list ap;

	if (pol->nwarnings >= RD_MAX_POLICY_WARNINGS) {
		pol->warnings_dropped++;
		return;
	}
	if (pol->nwarnings == pol->warnings_cap) {
		size_t cap = pol->warnings_cap ? pol->warnings_cap * 2 : 16;
		asmgate_policy_warning *nw;
		if (cap > RD_MAX_POLICY_WARNINGS)
			cap = RD_MAX_POLICY_WARNINGS;
		nw = realloc(pol->warnings, cap * sizeof(*nw));
		if (!nw) {
			pol->warnings_dropped++;
			return;
		}
		pol->warnings = nw;
		pol->warnings_cap = cap;
	}
	w = &pol->warnings[pol->nwarnings++];
	w->line = line;
	w->code = code;
	va_start(ap, fmt);
	vsnprintf(w->msg, sizeof(w->msg), fmt, ap);
	va_end(ap);
}

/* The rule has no condition at all: it matches every assembly. */
static int
unconditional(const policy_rule *r)
{
	return !r->keys && !r->states_given && !r->name && !r->cultures &&
	    !r->has_min && !r->has_max && !r->min_key_bits && !r->hashes &&
	    !r->publishers && !r->authenticode;
}

/* Conditions an unsigned assembly (no key, no signature) always fails. */
static int
needs_key(const policy_rule *r)
{
	return r->keys || r->min_key_bits || r->hashes;
}

static void
lint_keys(asmgate_policy *pol)
{
	size_t i, j;

	for (i = 0; i < pol->nkeys; i++) {
		const policy_key *k = &pol->keys[i];

		if (k->source == POLICY_KEY_TOKEN)
			warn(pol, k->line, "token-only-key",
			    "key '%s' is pinned by its token only: a token is "
			    "8 bytes of a SHA-1 hash; pin the full public key "
			    "(publicKey or file)", k->id);
		if (k->bits && k->bits < POLICY_LINT_MIN_BITS)
			warn(pol, k->line, "short-key",
			    "key '%s' has %u bits, fewer than %u", k->id,
			    k->bits, POLICY_LINT_MIN_BITS);
		if (k->is_private)
			warn(pol, k->line, "private-key-file",
			    "key '%s' is read from a file that holds the "
			    "private key; a policy needs only the public key "
			    "(sn -p), keep key pairs out of the policy tree",
			    k->id);
		if (!k->uses && !k->test_uses)
			warn(pol, k->line, "unused-key",
			    "key '%s' is not used by any rule", k->id);
		for (j = 0; j < i; j++) {
			const policy_key *o = &pol->keys[j];
			int same;
			if (k->source == POLICY_KEY_TOKEN ||
			    o->source == POLICY_KEY_TOKEN)
				same = memcmp(k->token, o->token, 8) == 0;
			else
				same = memcmp(k->fingerprint, o->fingerprint,
				    32) == 0;
			if (same) {
				warn(pol, k->line, "duplicate-key",
				    "key '%s' is the same key as '%s' (line "
				    "%lu)", k->id, o->id, o->line);
				break;
			}
		}
	}
}

/* The policy speaks of Authenticode: a <publisher>, or a rule with
 * publishers or authenticode. */
static int
uses_authenticode(const asmgate_policy *pol)
{
	size_t i;

	if (pol->npublishers)
		return 1;
	for (i = 0; i < pol->nrules; i++)
		if (pol->rules[i].publishers || pol->rules[i].authenticode)
			return 1;
	return 0;
}

static void
lint_publishers(asmgate_policy *pol)
{
	size_t i;

	for (i = 0; i < pol->npublishers; i++) {
		const policy_publisher *p = &pol->publishers[i];

		/* Any CA the trust store holds can issue a certificate with
		 * this subject: the issuer ties it to one CA (WDAC's
		 * publisher rules pin the issuing CA too). */
		if (p->subject && !p->issuer)
			warn(pol, p->line, "publisher-subject-only",
			    "publisher '%s' is pinned by subject only: any CA "
			    "you trust can issue a certificate with that "
			    "subject; add issuer=\"...\" or pin certSha256",
			    p->id);
		if (!p->uses)
			warn(pol, p->line, "unused-publisher",
			    "publisher '%s' is not used by any rule", p->id);
	}
}

static void
lint_rule(asmgate_policy *pol, const policy_host *h, const policy_rule *r)
{
	const char *kind = r->deny ? "deny" : "allow";
	unsigned live = r->states;

	if (!r->deny && !r->keys && !r->publishers)
		warn(pol, r->line, "allow-any-key",
		    "allow rule '%s' in host '%s' has no keys: it matches "
		    "assemblies signed with any key", r->id, h->name);
	if (!r->deny) {
		static const asmgate_sn_state weak[] = { ASMGATE_SN_UNSIGNED,
			ASMGATE_SN_PUBLIC_SIGNED, ASMGATE_SN_DELAY_SIGNED };
		size_t i;
		for (i = 0; i < 3; i++)
			if (r->states & POLICY_STATE_BIT(weak[i]))
				warn(pol, r->line, "weak-state",
				    "host '%s' allows %s assemblies (allow "
				    "rule '%s')", h->name,
				    asmgate_sn_state_name(weak[i]), r->id);
	}
	/* Names fold case for ASCII only (decide.c): "cont.É*" does not
	 * match "Cont.é", so a deny rule would be weaker than it reads. */
	if (r->name) {
		const unsigned char *c = (const unsigned char *)r->name;
		while (*c && *c < 0x80)
			c++;
		if (*c)
			warn(pol, r->line, "non-ascii-name",
			    "%s rule '%s': name '%.80s' has non-ASCII "
			    "characters, which match only in the same case "
			    "(case is folded for ASCII letters only)%s", kind,
			    r->id, r->name, r->deny ? ": the deny rule misses "
			    "other spellings" : "");
	}
	if (r->has_min && r->has_max &&
	    policy_version_cmp(&r->min, &r->max) > 0)
		warn(pol, r->line, "never-matches",
		    "%s rule '%s' can never match: minVersion is above "
		    "maxVersion", kind, r->id);
	/* States that cannot match given the other conditions. */
	if ((live & POLICY_STATE_BIT(ASMGATE_SN_UNSIGNED)) && needs_key(r)) {
		live &= ~POLICY_STATE_BIT(ASMGATE_SN_UNSIGNED);
		if (r->states_given)
			warn(pol, r->line, "no-effect",
			    "%s rule '%s' lists unsigned but also needs a key "
			    "or signature (keys, minKeyBits or "
			    "hashAlgorithms): unsigned assemblies never match "
			    "it", kind, r->id);
	}
	if (!r->deny && (live & POLICY_STATE_BIT(ASMGATE_SN_TEST_SIGNED)) &&
	    !r->test_keys) {
		live &= ~POLICY_STATE_BIT(ASMGATE_SN_TEST_SIGNED);
		warn(pol, r->line, "no-effect",
		    "allow rule '%s' lists test-signed but names no testKeys: "
		    "test-signed assemblies never match it", r->id);
	}
	if (r->test_keys &&
	    !(r->states & POLICY_STATE_BIT(ASMGATE_SN_TEST_SIGNED)))
		warn(pol, r->line, "no-effect",
		    "allow rule '%s' names testKeys but its states do not "
		    "include test-signed", r->id);
	if (live == 0)
		warn(pol, r->line, "never-matches",
		    "%s rule '%s' can never match: no listed state is "
		    "possible with its other conditions", kind, r->id);
}

static void
lint_hosts(asmgate_policy *pol)
{
	size_t i, j;
	int ac_policy = uses_authenticode(pol);

	if (pol->nhosts == 0)
		warn(pol, pol->line, "no-hosts",
		    "the policy defines no host: nothing can be deployed");
	if (pol->audit)
		warn(pol, pol->line, "audit-mode",
		    "the policy is in audit mode: denials are reported but do "
		    "not fail a run, unless a host sets mode=\"enforce\"");
	for (i = 0; i < pol->nhosts; i++) {
		const policy_host *h = &pol->hosts[i];
		const policy_rule *catchall = NULL, *any_ac = NULL;
		size_t nallow = 0;

		if (h->audit && h->mode_given)
			warn(pol, h->line, "audit-mode",
			    "host '%s' is in audit mode: its denials do not "
			    "fail a run", h->name);
		for (j = h->first_rule; j < h->first_rule + h->nrules; j++) {
			const policy_rule *r = &pol->rules[j];
			lint_rule(pol, h, r);
			if (r->deny && !catchall && unconditional(r))
				catchall = r;
			if (!r->deny)
				nallow++;
			if (!r->deny && !any_ac && !r->publishers &&
			    !r->authenticode)
				any_ac = r;
		}
		/* An allow rule without publishers or authenticode takes any
		 * Authenticode state but invalid and revoked (decide.c):
		 * untrusted and expired signatures too. Said only when the
		 * policy uses Authenticode at all, so strong-name-only
		 * policies stay as quiet as before. */
		if (any_ac && ac_policy)
			warn(pol, any_ac->line, "authenticode-untrusted",
			    "host '%s' allows assemblies whose Authenticode "
			    "is untrusted or expired: allow rule '%s' has "
			    "neither publishers nor authenticode", h->name,
			    any_ac->id);
		if (nallow == 0)
			warn(pol, h->line, "no-allow-rule",
			    "host '%s' has no allow rule: every assembly is "
			    "denied", h->name);
		else if (catchall)
			warn(pol, catchall->line, "never-matches",
			    "deny rule '%s' has no conditions: it denies every "
			    "assembly in host '%s', so its allow rules can "
			    "never match", catchall->id, h->name);
	}
}

/* shared-account: trusted and non-trusted hosts must not share a
 * service account, and a host's rights reach every object running under
 * its account (biztalk/core/access-control-for-groups-and-service-
 * accounts.md): one account per host. Accounts compare ASCII
 * case-insensitively (Windows account names do). */
static void
lint_accounts(asmgate_policy *pol)
{
	size_t i, j;

	for (i = 0; i < pol->nhosts; i++) {
		const policy_host *h = &pol->hosts[i];
		if (!h->account)
			continue;
		for (j = 0; j < i; j++) {
			const policy_host *o = &pol->hosts[j];
			if (o->account &&
			    policy_ascii_casecmp(o->account, h->account) == 0)
				break;
		}
		if (j < i)
			warn(pol, h->account_line, "shared-account",
			    "host '%s' runs under account '%.100s' like host "
			    "'%s' (line %lu): one service account per host",
			    h->name, h->account, pol->hosts[j].name,
			    pol->hosts[j].account_line);
	}
}

asmgate_status
policy_lint(asmgate_policy *pol, asmgate_error *err)
{
	size_t i, j;

	(void)err; /* a warning that does not fit in memory is counted */
	lint_keys(pol);
	lint_publishers(pol);
	lint_hosts(pol);
	lint_accounts(pol);
	policy_lint_suppress(pol); /* lintAllow (lintallow.c) */
	/* Stable insertion sort by line. */
	for (i = 1; i < pol->nwarnings; i++) {
		asmgate_policy_warning w = pol->warnings[i];
		for (j = i; j > 0 && pol->warnings[j - 1].line > w.line; j--)
			pol->warnings[j] = pol->warnings[j - 1];
		pol->warnings[j] = w;
	}
	return ASMGATE_OK;
}

size_t
asmgate_policy_warning_count(const asmgate_policy *pol)
{
	return pol ? pol->nwarnings : 0;
}

const asmgate_policy_warning *
asmgate_policy_get_warning(const asmgate_policy *pol, size_t i)
{
	if (!pol || i >= pol->nwarnings)
		return NULL;
	return &pol->warnings[i];
}
