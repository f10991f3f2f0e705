/*
 * decide.c - the decision for one assembly in one host.
 *
 * Precedence (AppLocker's, see docs in asmgate-policy.xsd): denied if a
 * deny rule matches; else allowed if an allow rule matches; else denied
 * by default. A rule matches when every attribute it has matches:
 *  - keys: the assembly's identity public key blob equals a listed key's
 *    blob byte for byte, or, for a token-only key, its token; when the
 *    signature verified with a --key-map substitute, an allow rule also
 *    needs the substitute listed (by fingerprint, or token), and a deny
 *    rule matches if either key is listed;
 *  - states: the signing state is listed (allow default: signed; deny
 *    default: every state). test-signed counts only when the test key
 *    that verified the signature is one of the rule's testKeys;
 *  - name: the simple name matches the glob (case-insensitive);
 *  - culture: one of the listed cultures ("neutral" for none);
 *  - minVersion / maxVersion: inclusive bounds;
 *  - minKeyBits: bits of the key the signature is for;
 *  - hashAlgorithms: digest of the strong-name signature;
 *  - checksum="required" (allow only): the stored PE checksum equals the
 *    one computed over the file (strongname.md 9);
 *  - publishers: an allow rule needs the file's Authenticode state valid
 *    and a valid signature whose chain one listed publisher pins
 *    (publisher.c); a deny rule matches any signature whose chain one
 *    pins, whatever its state (fail closed);
 *  - authenticode (allow only): required, a valid Authenticode
 *    signature; optional, valid or none (with publishers: none, or a
 *    listed publisher's). Without it (and without publishers) any state
 *    but invalid and revoked, which no allow rule ever accepts.
 * Authenticode conditions fail when the file's Authenticode was not
 * verified (asmgate_policy_decide, or no outcome).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "policy.h"
#include "rd/err.h"
#include "rd/limits.h"

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* Length of one character at s for '?': a UTF-8 sequence, or one byte
 * when the bytes are not UTF-8. */
static size_t
char_len(const char *s)
{
	uint32_t cp;
	size_t n = strnlen(s, 4);
	int l = rd_utf8_next((const uint8_t *)s, n, &cp);

	return l > 0 ? (size_t)l : 1;
}

int
policy_glob_match(const char *pat, const char *s)
{
	const char *star = NULL, *resume = NULL;

	/* Greedy match with one backtrack point (the last '*'): O(|pat| x
	 * |s|) at worst, both capped (RD_MAX_POLICY_GLOB,
	 * RD_MAX_NAME_BYTES). */
	while (*s) {
		if (*pat == '*') {
			while (*pat == '*')
				pat++;
			if (!*pat)
				return 1;
			star = pat;
			resume = s;
			continue;
		}
		if (*pat == '?') {
			pat++;
			s += char_len(s);
			continue;
		}
		if (*pat && lower((unsigned char)*pat) ==
		    lower((unsigned char)*s)) {
			pat++;
			s++;
			continue;
		}
		if (!star)
			return 0;
		resume += char_len(resume);
		s = resume;
		pat = star;
	}
	while (*pat == '*')
		pat++;
	return *pat == '\0';
}

void
policy_version_str(char *buf, size_t n, const asmgate_version *v)
{
	snprintf(buf, n, "%u.%u.%u.%u", v->major, v->minor, v->build,
	    v->revision);
}

int
policy_version_cmp(const asmgate_version *a, const asmgate_version *b)
{
	if (a->major != b->major)
		return a->major < b->major ? -1 : 1;
	if (a->minor != b->minor)
		return a->minor < b->minor ? -1 : 1;
	if (a->build != b->build)
		return a->build < b->build ? -1 : 1;
	if (a->revision != b->revision)
		return a->revision < b->revision ? -1 : 1;
	return 0;
}

int
policy_ascii_casecmp(const char *a, const char *b)
{
	while (*a && lower((unsigned char)*a) == lower((unsigned char)*b)) {
		a++;
		b++;
	}
	return lower((unsigned char)*a) - lower((unsigned char)*b);
}

/* Append s to buf[0..*used), as much as fits before the NUL (what
 * snprintf at buf + *used would write). */
static void
put(char *buf, size_t n, size_t *used, const char *s)
{
	size_t l = strlen(s);

	if (l > n - 1 - *used)
		l = n - 1 - *used;
	memcpy(buf + *used, s, l);
	*used += l;
	buf[*used] = '\0';
}

/* "[a, b]" of key ids into buf, truncated with "..." if need be. */
static void
key_list(char *buf, size_t n, const asmgate_policy *pol, const size_t *keys,
    size_t nkeys)
{
	size_t i, used = 0;

	buf[0] = '\0';
	put(buf, n, &used, "[");
	for (i = 0; i < nkeys; i++) {
		if (used + 8 >= n) {
			put(buf, n, &used, "...");
			break;
		}
		if (i)
			put(buf, n, &used, ", ");
		put(buf, n, &used, pol->keys[keys[i]].id);
	}
	put(buf, n, &used, "]");
}

static const asmgate_sn_state state_order[] = { ASMGATE_SN_UNSIGNED,
	ASMGATE_SN_DELAY_SIGNED, ASMGATE_SN_PUBLIC_SIGNED,
	ASMGATE_SN_TEST_SIGNED, ASMGATE_SN_SIGNED, ASMGATE_SN_INVALID };

static void
state_list(char *buf, size_t n, unsigned states)
{
	size_t i, used;
	int first = 1;

	snprintf(buf, n, "[");
	for (i = 0; i < sizeof(state_order) / sizeof(state_order[0]); i++) {
		if (!(states & POLICY_STATE_BIT(state_order[i])))
			continue;
		used = strlen(buf);
		snprintf(buf + used, n - used, "%s%s", first ? "" : ", ",
		    asmgate_sn_state_name(state_order[i]));
		first = 0;
	}
	used = strlen(buf);
	snprintf(buf + used, n - used, "]");
}

static const char *const hash_names[] = { "sha1", "sha256", "sha384",
	"sha512" };

static unsigned
hash_bit(const char *name)
{
	size_t i;

	for (i = 0; name && i < 4; i++)
		if (strcmp(name, hash_names[i]) == 0)
			return 1u << i;
	return 0;
}

static void
hash_list(char *buf, size_t n, unsigned hashes)
{
	size_t i, used;
	int first = 1;

	snprintf(buf, n, "[");
	for (i = 0; i < 4; i++) {
		if (!(hashes & 1u << i))
			continue;
		used = strlen(buf);
		snprintf(buf + used, n - used, "%s%s", first ? "" : ", ",
		    hash_names[i]);
		first = 0;
	}
	used = strlen(buf);
	snprintf(buf + used, n - used, "]");
}

static void
culture_list(char *buf, size_t n, const policy_rule *r)
{
	size_t i, used = 0;

	buf[0] = '\0';
	put(buf, n, &used, "[");
	for (i = 0; i < r->ncultures; i++) {
		if (used + 12 >= n) {
			put(buf, n, &used, "...");
			break;
		}
		if (i)
			put(buf, n, &used, ", ");
		put(buf, n, &used, r->cultures[i][0] ? r->cultures[i] :
		    "neutral");
	}
	put(buf, n, &used, "]");
}

/* "[a, b]" of the rule's publisher ids. */
static void
pub_list(char *buf, size_t n, const asmgate_policy *pol, const policy_rule *r)
{
	size_t i, used = 0;

	buf[0] = '\0';
	put(buf, n, &used, "[");
	for (i = 0; i < r->npublishers; i++) {
		if (used + 8 >= n) {
			put(buf, n, &used, "...");
			break;
		}
		if (i)
			put(buf, n, &used, ", ");
		put(buf, n, &used, pol->publishers[r->publishers[i]].id);
	}
	put(buf, n, &used, "]");
}

void
policy_rule_describe(rd_buf *b, const asmgate_policy *pol,
    const policy_rule *r)
{
	char list[512], v1[32], v2[32];
	int empty = 1; /* nothing written yet */

#define SEP() do { if (!empty) rd_buf_puts(b, "; "); empty = 0; } while (0)
	if (r->keys) {
		key_list(list, sizeof(list), pol, r->keys, r->nkeys);
		SEP();
		rd_buf_printf(b, "keys %s", list);
	}
	if (r->states_given || !r->deny) {
		state_list(list, sizeof(list), r->states);
		SEP();
		rd_buf_printf(b, "states %s%s", list,
		    r->states_given ? "" : " (default)");
	}
	if (r->name) {
		SEP();
		rd_buf_printf(b, "name '%s'", r->name);
	}
	if (r->cultures) {
		culture_list(list, sizeof(list), r);
		SEP();
		rd_buf_printf(b, "culture %s", list);
	}
	if (r->has_min || r->has_max) {
		asmgate_version lo = { 0, 0, 0, 0 };
		asmgate_version hi = { 65535, 65535, 65535, 65535 };
		policy_version_str(v1, sizeof(v1), r->has_min ? &r->min : &lo);
		policy_version_str(v2, sizeof(v2), r->has_max ? &r->max : &hi);
		SEP();
		rd_buf_printf(b, "version %s to %s", v1, v2);
	}
	if (r->min_key_bits) {
		SEP();
		rd_buf_printf(b, "minKeyBits %u", r->min_key_bits);
	}
	if (r->hashes) {
		hash_list(list, sizeof(list), r->hashes);
		SEP();
		rd_buf_printf(b, "hashAlgorithms %s", list);
	}
	if (r->test_keys) {
		key_list(list, sizeof(list), pol, r->test_keys, r->ntest_keys);
		SEP();
		rd_buf_printf(b, "testKeys %s", list);
	}
	if (r->checksum_required) {
		SEP();
		rd_buf_puts(b, "PE checksum required");
	}
	if (r->publishers) {
		pub_list(list, sizeof(list), pol, r);
		SEP();
		rd_buf_printf(b, "publishers %s", list);
	}
	if (r->authenticode) {
		SEP();
		rd_buf_printf(b, "authenticode %s", r->authenticode ==
		    POLICY_AC_REQUIRED ? "required" : "optional");
	}
	if (empty)
		rd_buf_puts(b, "any assembly");
#undef SEP
}

/* What is known about the assembly being decided. */
typedef struct facts {
	const char *name;
	int name_lead;              /* name[0], A-Z folded to a-z */
	const char *culture;
	asmgate_version version;
	const uint8_t *pk;
	size_t pk_len;
	int has_token;
	uint8_t token[8];
	asmgate_sn_state state;     /* sig->state, unknown values as invalid */
	const asmgate_signature *sig;
	/* The policy's keys (indexes) that are the identity key, the key
	 * the signature verified with (--key-map only) and the test key
	 * that verified it, found once per decision: a rule's key
	 * condition is then a bit test per key found (key_set). */
	size_t *id_keys, nid_keys;
	size_t *signer_keys, nsigner_keys;
	size_t *test_keys, ntest_keys;
	/* Authenticode: the outcome (NULL: not verified), its state
	 * (unknown values as invalid), and per policy publisher whether a
	 * valid signature (pub_valid) or any signature (pub_any) has a
	 * chain it pins, with the certificate pinned (pub_cert). */
	const asmgate_authenticode *ac;
	asmgate_ac_state ac_state;
	int ac_bad;                 /* ac verified, invalid or revoked */
	int any_key;                /* a key found, or a --key-map signer */
	const unsigned char *pub_valid;
	const unsigned char *pub_any;
	const asmgate_ac_cert *const *pub_cert;
} facts;

/* One of the keys found is in the rule's set. */
static int
set_has_any(const uint64_t *set, const size_t *found, size_t n)
{
	size_t i;

	for (i = 0; set && i < n; i++)
		if (set[found[i] / 64] & (uint64_t)1 << (found[i] % 64))
			return 1;
	return 0;
}

static int
key_matches(const policy_key *k, const facts *f)
{
	if (!f->pk || f->pk_len == 0)
		return 0;
	if (k->source == POLICY_KEY_TOKEN)
		return f->has_token && memcmp(k->token, f->token, 8) == 0;
	return k->blob && k->blob_len == f->pk_len &&
	    memcmp(k->blob, f->pk, f->pk_len) == 0;
}

/* The key the signature verified with is k: by fingerprint (SHA-256 of
 * the blob) for a full key, by token for a token-only key. */
static int
signer_matches(const policy_key *k, const asmgate_signature *sig)
{
	if (!sig->has_signer)
		return 0;
	if (k->source == POLICY_KEY_TOKEN)
		return memcmp(k->token, sig->signer_token, 8) == 0;
	return k->blob && memcmp(k->fingerprint, sig->signer_fingerprint,
	    32) == 0;
}

/* snprintf that may truncate: reasons are bounded on purpose. */
static void text(char *dst, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
text(char *dst, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(dst, n, fmt, ap);
	va_end(ap);
}

/* The conditions of a rule, in the order its reason names the first
 * that fails. */
enum {
	COND_KEYS = 1u << 0,
	COND_STATE = 1u << 1,
	COND_NAME = 1u << 2,
	COND_CULTURE = 1u << 3,
	COND_MIN_VERSION = 1u << 4,
	COND_MAX_VERSION = 1u << 5,
	COND_KEY_BITS = 1u << 6,
	COND_HASH = 1u << 7,
	COND_CHECKSUM = 1u << 8,
	COND_PUBLISHER = 1u << 9,
	COND_AUTHENTICODE = 1u << 10
};
#define COND_COUNT 11

/* The first of the rule's publishers that the file's signatures match
 * (valid ones for an allow rule, any for a deny rule), or -1. */
static long
rule_publisher(const policy_rule *r, const facts *f)
{
	size_t i;

	/* Authenticode not verified: a deny rule's publishers cannot be
	 * ruled out, so it matches on its first (fail closed); an allow
	 * rule's cannot be shown. */
	if (!f->ac)
		return r->deny && r->npublishers ? (long)r->publishers[0] : -1;
	for (i = 0; i < r->npublishers; i++) {
		size_t p = r->publishers[i];
		int hit = r->deny ? f->pub_any[p] :
		    f->ac_state == ASMGATE_AC_VALID && f->pub_valid[p];
		if (hit)
			return (long)p;
	}
	return -1;
}

/* The Authenticode conditions of rule r (COND_PUBLISHER,
 * COND_AUTHENTICODE set). */
static unsigned
ac_fails(const policy_rule *r, const facts *f)
{
	unsigned fails = 0;
	int none = f->ac && f->ac_state == ASMGATE_AC_UNSIGNED;

	if (r->publishers && rule_publisher(r, f) < 0 &&
	    !(r->authenticode == POLICY_AC_OPTIONAL && none))
		fails |= COND_PUBLISHER;
	if (r->deny)
		return fails;
	switch (r->authenticode) {
	case POLICY_AC_REQUIRED:
		if (!f->ac || f->ac_state != ASMGATE_AC_VALID)
			fails |= COND_AUTHENTICODE;
		break;
	case POLICY_AC_OPTIONAL:
		if (!f->ac || (f->ac_state != ASMGATE_AC_VALID && !none))
			fails |= COND_AUTHENTICODE;
		break;
	default:
		if (f->ac && (f->ac_state == ASMGATE_AC_INVALID ||
		    f->ac_state == ASMGATE_AC_REVOKED))
			fails |= COND_AUTHENTICODE;
		break;
	}
	return fails;
}

/* The rule's key condition: the identity key is listed (a deny rule:
 * or the --key-map signer), and for an allow rule on a --key-map
 * signature the signer is listed too. KEYS_OK, or which part failed. */
enum { KEYS_OK, KEYS_NOT_IDENTITY, KEYS_NOT_SIGNER };

static int
keys_check(const policy_rule *r, const facts *f)
{
	int ok = set_has_any(r->key_set, f->id_keys, f->nid_keys);
	int signer = 0;

	/* Signed by a --key-map substitute: the identity pin alone
	 * would let any mapped key stand in for a vendor's key. An
	 * allow rule needs both keys listed; a deny rule matches on
	 * either (docs/ARCHITECTURE.md, "Fail closed"). Identity,
	 * ECMA and enhanced signatures are tied to the identity key
	 * by the runtime's own rules or the countersignature. */
	if (f->sig->verified_with == ASMGATE_VW_KEY_MAP) {
		signer = set_has_any(r->key_set, f->signer_keys,
		    f->nsigner_keys);
		if (r->deny)
			ok = ok || signer;
	}
	if (!ok)
		return KEYS_NOT_IDENTITY;
	if (!r->deny && f->sig->verified_with == ASMGATE_VW_KEY_MAP &&
	    !signer)
		return KEYS_NOT_SIGNER;
	return KEYS_OK;
}

/* The conditions only some rules have (policy_rule.rare). */
static unsigned
rare_fails(const policy_rule *r, const facts *f)
{
	const asmgate_signature *sig = f->sig;
	unsigned fails = 0;
	size_t i;

	if (r->cultures) {
		int ok = 0;
		for (i = 0; i < r->ncultures && !ok; i++)
			ok = policy_ascii_casecmp(r->cultures[i],
			    f->culture) == 0;
		if (!ok)
			fails |= COND_CULTURE;
	}
	if (r->has_min && policy_version_cmp(&f->version, &r->min) < 0)
		fails |= COND_MIN_VERSION;
	if (r->has_max && policy_version_cmp(&f->version, &r->max) > 0)
		fails |= COND_MAX_VERSION;
	if (r->min_key_bits && sig->key_bits < r->min_key_bits)
		fails |= COND_KEY_BITS;
	if (r->hashes && !(r->hashes & hash_bit(sig->hash_name)))
		fails |= COND_HASH;
	if (r->checksum_required && !sig->checksum_ok)
		fails |= COND_CHECKSUM;
	return fails | ac_fails(r, f);
}

/* The conditions of rule r the assembly fails (COND_* set; 0: the rule
 * matches). Nothing is formatted here: a policy at the caps has 4096
 * rules, and reasons are made (rule_explain) only for the rules a
 * decision shows. Inline: it runs for every rule of the host. */
static inline unsigned
rule_fails(const policy_rule *r, const facts *f)
{
	unsigned fails = 0;

	/* No key found in the policy and no --key-map signer: a rule
	 * with keys fails them without a look at its set. */
	if (r->keys && (f->any_key ? keys_check(r, f) != KEYS_OK : 1))
		fails |= COND_KEYS;
	if (f->state == ASMGATE_SN_TEST_SIGNED &&
	    (r->states & POLICY_STATE_BIT(ASMGATE_SN_TEST_SIGNED))) {
		/* deny rules without testKeys take test-signed on the
		 * state */
		if (!set_has_any(r->test_key_set, f->test_keys,
		    f->ntest_keys) && !(r->deny && !r->test_keys))
			fails |= COND_STATE;
	} else if (!(r->states & POLICY_STATE_BIT(f->state))) {
		fails |= COND_STATE;
	}
	/* A glob that starts with a literal byte fails on the first
	 * byte of most names: no call for those. */
	if (r->name && ((r->name_lead >= 0 && r->name_lead != f->name_lead) ||
	    !policy_glob_match(r->name, f->name)))
		fails |= COND_NAME;
	if (r->rare)
		return fails | rare_fails(r, f);
	/* authenticode absent: any state but invalid, revoked */
	if (!r->deny && f->ac_bad)
		fails |= COND_AUTHENTICODE;
	return fails;
}

/* Conditions in a COND_* set: a loop per bit (a rule fails few), where
 * __builtin_popcount is a libgcc call without -mpopcnt. */
static unsigned
count_bits(unsigned m)
{
	unsigned n = 0;

	for (; m; m &= m - 1)
		n++;
	return n;
}

/* The number of conditions rule r fails (count_bits(rule_fails)), for
 * a rule without rare conditions when no key of the policy was found
 * and the state is not test-signed (the common case of a default deny
 * against a large policy): a rule with keys fails them, its state is a
 * bit test, and only a glob whose first byte matches the name's is run.
 * A count of 0 (a match) is confirmed by rule_fails before anything is
 * allowed. */
static unsigned
common_count(const policy_rule *r, const facts *f)
{
	unsigned n = (r->keys != NULL) +
	    !(r->states & POLICY_STATE_BIT(f->state)) +
	    (!r->deny && f->ac_bad);

	if (r->name && ((r->name_lead >= 0 && r->name_lead != f->name_lead) ||
	    !policy_glob_match(r->name, f->name)))
		n++;
	return n ? n : count_bits(rule_fails(r, f));
}

/* The reason for a failed Authenticode condition. */
static void
ac_explain(const asmgate_policy *pol, const policy_rule *r, const facts *f,
    unsigned fails, char *why, size_t whylen)
{
	const char *st = f->ac ? asmgate_ac_state_name(f->ac_state) : NULL;
	const char *detail = f->ac && f->ac->nreasons ? f->ac->reasons[0] :
	    "";
	char list[256];

	if (!f->ac) {
		text(why, whylen, "Authenticode was not verified; the rule "
		    "needs %s", fails & COND_PUBLISHER ? "a publisher" :
		    r->authenticode == POLICY_AC_REQUIRED ?
		    "a valid signature" : "a valid signature or none");
	} else if (fails & COND_PUBLISHER) {
		pub_list(list, sizeof(list), pol, r);
		if (f->ac_state == ASMGATE_AC_VALID &&
		    f->ac->nsignatures > 0 && f->ac->signatures[0].has_signer)
			text(why, whylen, "Authenticode signer '%.120s' is "
			    "not one of publishers %s",
			    f->ac->signatures[0].signer.subject.text, list);
		else
			text(why, whylen, "Authenticode is %s; the rule "
			    "needs a valid signature by one of %s%s%.120s", st,
			    list, detail[0] ? ": " : "", detail);
	} else if (r->authenticode == POLICY_AC_REQUIRED) {
		text(why, whylen, "Authenticode is %s; the rule has "
		    "authenticode=\"required\"%s%.120s", st,
		    detail[0] ? ": " : "", detail);
	} else if (r->authenticode == POLICY_AC_OPTIONAL) {
		text(why, whylen, "Authenticode is %s; the rule has "
		    "authenticode=\"optional\" (valid or none)%s%.120s", st,
		    detail[0] ? ": " : "", detail);
	} else {
		text(why, whylen, "Authenticode is %s, which no allow rule "
		    "accepts%s%.120s", st, detail[0] ? ": " : "", detail);
	}
}

/* The reason for the first of the failed conditions (rule_fails) into
 * why. */
static void
rule_explain(const asmgate_policy *pol, const policy_rule *r,
    const facts *f, unsigned fails, char *why, size_t whylen)
{
	const asmgate_signature *sig = f->sig;
	char list[256], v[32], b[32], name[81];

	why[0] = '\0';
	if (fails & COND_KEYS) {
		key_list(list, sizeof(list), pol, r->keys, r->nkeys);
		if (keys_check(r, f) == KEYS_NOT_SIGNER)
			text(why, whylen, "signed with a --key-map substitute "
			    "that is not one of %s", list);
		else if (!f->pk || f->pk_len == 0)
			text(why, whylen, "assembly has no public key; the "
			    "rule needs one of %s", list);
		else
			text(why, whylen, "identity key is not one of %s",
			    list);
	} else if (fails & COND_STATE) {
		if (f->state == ASMGATE_SN_TEST_SIGNED &&
		    (r->states & POLICY_STATE_BIT(ASMGATE_SN_TEST_SIGNED))) {
			if (!r->test_keys) {
				text(why, whylen, "state test-signed, but the "
				    "rule names no testKeys");
			} else {
				key_list(list, sizeof(list), pol,
				    r->test_keys, r->ntest_keys);
				text(why, whylen, "state test-signed with a "
				    "test key that is not one of %s", list);
			}
		} else {
			state_list(list, sizeof(list), r->states);
			text(why, whylen, "state %s not in %s",
			    asmgate_sn_state_name(f->state), list);
		}
	} else if (fails & COND_NAME) {
		text(why, whylen, "name '%s' does not match '%.80s'",
		    rd_printable(name, sizeof(name), f->name, 80), r->name);
	} else if (fails & COND_CULTURE) {
		culture_list(list, sizeof(list), r);
		text(why, whylen, "culture %s not in %s", f->culture[0] ?
		    rd_printable(name, 41, f->culture, 40) : "neutral", list);
	} else if (fails & (COND_MIN_VERSION | COND_MAX_VERSION)) {
		int min = (fails & COND_MIN_VERSION) != 0;
		policy_version_str(v, sizeof(v), &f->version);
		policy_version_str(b, sizeof(b), min ? &r->min : &r->max);
		text(why, whylen, min ? "version %s is below minVersion %s" :
		    "version %s is above maxVersion %s", v, b);
	} else if (fails & COND_KEY_BITS) {
		if (sig->key_bits == 0)
			text(why, whylen, "no signing key; minKeyBits is %u",
			    r->min_key_bits);
		else
			text(why, whylen, "key has %u bits, fewer than "
			    "minKeyBits %u", sig->key_bits, r->min_key_bits);
	} else if (fails & COND_HASH) {
		hash_list(list, sizeof(list), r->hashes);
		text(why, whylen, "signature hash %s not in %s",
		    sig->hash_name ? sig->hash_name : "unknown", list);
	} else if (fails & COND_CHECKSUM) {
		text(why, whylen, "PE checksum 0x%08x is not the file's "
		    "0x%08x; the rule has checksum=\"required\"",
		    sig->checksum_stored, sig->checksum_computed);
	} else if (fails & (COND_PUBLISHER | COND_AUTHENTICODE)) {
		ac_explain(pol, r, f, fails, why, whylen);
	}
}

/* Append a reason unless all ASMGATE_MAX_REASONS are used. */
static void add_reason(asmgate_decision *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
add_reason(asmgate_decision *d, const char *fmt, ...)
{
	va_list ap;

	if (d->nreasons >= ASMGATE_MAX_REASONS)
		return;
	va_start(ap, fmt);
	vsnprintf(d->reasons[d->nreasons++], ASMGATE_REASON_MAX, fmt, ap);
	va_end(ap);
}

/* Which publishers the signatures of ac match (facts.pub_*). */
static void
match_publishers(const asmgate_policy *pol, const asmgate_authenticode *ac,
    unsigned char *valid, unsigned char *any, const asmgate_ac_cert **cert)
{
	size_t i, j, n;

	n = ac->nsignatures < ASMGATE_AC_MAX_SIGNATURES ? ac->nsignatures :
	    ASMGATE_AC_MAX_SIGNATURES;
	for (i = 0; i < pol->npublishers && i < RD_MAX_POLICY_PUBLISHERS;
	    i++) {
		valid[i] = any[i] = 0;
		cert[i] = NULL;
		for (j = 0; j < n; j++) {
			const asmgate_ac_signature *sg = &ac->signatures[j];
			const asmgate_ac_cert *c =
			    policy_publisher_match(&pol->publishers[i], sg);
			if (!c)
				continue;
			any[i] = 1;
			if (sg->state == ASMGATE_AC_VALID && !valid[i]) {
				valid[i] = 1;
				cert[i] = c;
			}
		}
	}
}

/* "publisher 'id' matched: SUBJECT (sha256 AB12...)". */
static void
add_publisher_reason(asmgate_decision *d, const asmgate_policy *pol,
    const policy_rule *r, const facts *f)
{
	long p = rule_publisher(r, f);
	const asmgate_ac_cert *c;

	if (!f->ac) {
		if (p >= 0)
			add_reason(d, "Authenticode not verified: publisher "
			    "'%s' is not ruled out", pol->publishers[p].id);
		return;
	}
	if (p < 0) {
		if (r->publishers)
			add_reason(d, "no Authenticode signature: publishers "
			    "are optional (authenticode=\"optional\")");
		return;
	}
	c = f->pub_cert[p];
	if (c)
		add_reason(d, "publisher '%s' matched: %.160s (sha256 "
		    "%02X%02X%02X%02X%02X%02X%02X%02X...)",
		    pol->publishers[p].id, c->subject.text, c->sha256[0],
		    c->sha256[1], c->sha256[2], c->sha256[3], c->sha256[4],
		    c->sha256[5], c->sha256[6], c->sha256[7]);
	else
		add_reason(d, "publisher '%s' matched",
		    pol->publishers[p].id);
}

asmgate_status
asmgate_policy_decide(const asmgate_policy *pol, size_t host,
    const asmgate_image *img, const asmgate_signature *sig,
    asmgate_decision *out, asmgate_error *err)
{
	return asmgate_policy_decide_ac(pol, host, img, sig, NULL, out, err);
}

asmgate_status
asmgate_policy_decide_ac(const asmgate_policy *pol, size_t host,
    const asmgate_image *img, const asmgate_signature *sig,
    const asmgate_authenticode *ac, asmgate_decision *out,
    asmgate_error *err)
{
	const asmgate_image_info *info;
	const policy_host *h;
	unsigned char fails[RD_MAX_POLICY_RULES];
	size_t nfails[COND_COUNT + 1]; /* allow rules by failed conditions */
	size_t found[3][RD_MAX_POLICY_KEYS];
	unsigned char pub_valid[RD_MAX_POLICY_PUBLISHERS];
	unsigned char pub_any[RD_MAX_POLICY_PUBLISHERS];
	const asmgate_ac_cert *pub_cert[RD_MAX_POLICY_PUBLISHERS];
	char why[ASMGATE_REASON_MAX];
	facts f;
	size_t i, seen, nallow = 0;
	unsigned want;
	int full;

	if (out)
		memset(out, 0, sizeof(*out));
	if (!pol || !img || !sig || !out)
		return rd_fail_nooff(err, ASMGATE_E_USAGE,
		    "asmgate_policy_decide: policy, image, signature and "
		    "decision are required");
	if (host >= pol->nhosts)
		return rd_fail_nooff(err, ASMGATE_E_USAGE,
		    "asmgate_policy_decide: no host %zu (the policy has %zu)",
		    host, pol->nhosts);
	h = &pol->hosts[host];
	info = asmgate_image_get_info(img);
	memset(&f, 0, sizeof(f));
	f.name = info->assembly.name ? info->assembly.name : "";
	f.name_lead = lower((unsigned char)f.name[0]);
	f.culture = info->assembly.culture ? info->assembly.culture : "";
	f.version = info->assembly.version;
	f.pk = info->assembly.public_key;
	f.pk_len = info->assembly.public_key_len;
	f.sig = sig;
	/* fail closed on a state this code does not know */
	f.state = (unsigned)sig->state <= (unsigned)ASMGATE_SN_SIGNED ?
	    sig->state : ASMGATE_SN_INVALID;
	if (f.pk && f.pk_len && asmgate_key_token(f.pk, f.pk_len, f.token,
	    NULL) == ASMGATE_OK)
		f.has_token = 1;
	f.id_keys = found[0];
	f.signer_keys = found[1];
	f.test_keys = found[2];
	for (i = 0; i < pol->nkeys && i < RD_MAX_POLICY_KEYS; i++) {
		const policy_key *k = &pol->keys[i];
		if (key_matches(k, &f))
			f.id_keys[f.nid_keys++] = i;
		if (sig->verified_with == ASMGATE_VW_KEY_MAP &&
		    signer_matches(k, sig))
			f.signer_keys[f.nsigner_keys++] = i;
		/* testKeys are full keys (build.c), never token-only */
		if (sig->has_test_key && k->source != POLICY_KEY_TOKEN &&
		    memcmp(k->fingerprint, sig->test_key_fingerprint, 32) == 0)
			f.test_keys[f.ntest_keys++] = i;
	}
	f.any_key = f.nid_keys > 0 || f.nsigner_keys > 0 ||
	    sig->verified_with == ASMGATE_VW_KEY_MAP;
	/* common_count serves rules without rare conditions unless a
	 * key was found or the state is test-signed */
	full = f.any_key || f.state == ASMGATE_SN_TEST_SIGNED;
	f.ac = ac;
	if (ac) {
		f.ac_state = (unsigned)ac->state < ASMGATE_AC_STATE_COUNT ?
		    ac->state : ASMGATE_AC_INVALID;
		f.ac_bad = f.ac_state == ASMGATE_AC_INVALID ||
		    f.ac_state == ASMGATE_AC_REVOKED;
		match_publishers(pol, ac, pub_valid, pub_any, pub_cert);
	} else {
		memset(pub_valid, 0, sizeof(pub_valid));
		memset(pub_any, 0, sizeof(pub_any));
		memset(pub_cert, 0, sizeof(pub_cert));
	}
	f.pub_valid = pub_valid;
	f.pub_any = pub_any;
	f.pub_cert = pub_cert;
	memset(nfails, 0, sizeof(nfails));
	out->audit = h->audit;

	/* 1. Deny rules, in document order: the first match denies (the
	 * walk ends after the host's last deny rule). */
	for (i = h->first_rule, seen = 0; seen < h->ndeny &&
	    i < h->first_rule + h->nrules; i++) {
		const policy_rule *r = &pol->rules[i];
		if (!r->deny)
			continue;
		seen++;
		if (rule_fails(r, &f) != 0)
			continue;
		out->allowed = 0;
		out->rule = r->id;
		out->rule_is_deny = 1;
		add_reason(out, "matched deny rule '%s'", r->id);
		add_publisher_reason(out, pol, r, &f);
		return ASMGATE_OK;
	}
	/* 2. Allow rules: the first match allows. */
	for (i = h->first_rule; i < h->first_rule + h->nrules; i++) {
		const policy_rule *r = &pol->rules[i];
		unsigned n;
		if (r->deny)
			continue;
		n = full || r->rare ? count_bits(rule_fails(r, &f)) :
		    common_count(r, &f);
		if (n == 0) {
			out->allowed = 1;
			out->rule = r->id;
			add_reason(out, "matched allow rule '%s'", r->id);
			add_publisher_reason(out, pol, r, &f);
			return ASMGATE_OK;
		}
		fails[i - h->first_rule] = (unsigned char)(n > 255 ? 255 : n);
		if (n < sizeof(nfails) / sizeof(nfails[0]))
			nfails[n]++;
		nallow++;
	}
	/* 3. Default deny, with why the nearest allow rules (fewest failed
	 * conditions first, then document order) did not match. */
	out->allowed = 0;
	add_reason(out, "no rule matched: denied by default");
	if (nallow == 0)
		add_reason(out, "host '%s' has no allow rule", h->name);
	for (want = 1; want <= COND_COUNT &&
	    out->nreasons < ASMGATE_MAX_REASONS;
	    want++) {
		/* Only the rules shown are explained (rule_explain);
		 * the walk stops at the last rule with this count. */
		size_t left = want < sizeof(nfails) / sizeof(nfails[0]) ?
		    nfails[want] : nallow;
		for (i = h->first_rule; left > 0 && i < h->first_rule +
		    h->nrules && out->nreasons < ASMGATE_MAX_REASONS; i++) {
			const policy_rule *r = &pol->rules[i];
			char more[48] = "";
			if (r->deny || fails[i - h->first_rule] != want)
				continue;
			left--;
			rule_explain(pol, r, &f, rule_fails(r, &f), why,
			    sizeof(why));
			if (want > 1)
				snprintf(more, sizeof(more),
				    " (%u conditions fail)", want);
			add_reason(out, "allow rule '%s': %s%s", r->id, why, more);
		}
	}
	return ASMGATE_OK;
}

const char *
asmgate_decision_verdict(const asmgate_decision *d)
{
	if (!d)
		return "denied-by-default";
	if (d->allowed)
		return "allowed";
	return d->rule ? "denied" : "denied-by-default";
}
