/*
 * test_policy.c - unit tests of policy/: loading and validating policy
 * files, refusing hostile XML, every rule attribute, precedence, audit
 * mode, lint warnings, show, and the JUnit and SARIF reports.
 *
 * Oracles: the issue's decision rules (deny, then allow, then default
 * deny); the samples' facts from samples/README.md (names, versions,
 * cultures, tokens); tokens from samples/keys/README.md; JUnit structure
 * as Jenkins/GitLab/Azure DevOps read it (a schema written here from
 * that description) and the members SARIF 2.1.0 requires plus those
 * GitHub code scanning reads (checked with a strict JSON parser written
 * here).
 */
#define _DEFAULT_SOURCE
#include "helpers.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>
#include <libxml/xpath.h>

#include "asmgate.h"
#include "policy/policy.h"
#include "rd/buf.h"
#include "rd/hex.h"
#include "rd/limits.h"

#define KEYS_DIR SAMPLES_DIR "/keys"
#define NS "urn:asmgate:policy:1"

/* Keys used by the in-memory policies (files relative to KEYS_DIR). */
#define KEYS \
	"<key id='contoso' file='contoso.pub'/>" \
	"<key id='fabrikam' file='fabrikam.pub'/>" \
	"<key id='ci' file='test2048.pub'/>" \
	"<key id='tok' token='e0ba8f48cb722cea'/>"

/* ------------------------------------------------------------ helpers */


static asmgate_policy *
pol_from(const char *xml)
{
	asmgate_policy *pol = NULL;
	asmgate_error err;

	asmgate_error_clear(&err);
	if (asmgate_policy_load_memory(&pol, xml, strlen(xml), KEYS_DIR,
	    &err) != ASMGATE_OK)
		fail_msg("policy rejected at line %lu: %s\n%s", err.line,
		    err.msg, xml);
	return pol;
}

/* A policy of KEYS plus body; in a static buffer. */
static asmgate_policy *
pol_body(const char *root_attrs, const char *body)
{
	static char xml[16384];

	snprintf(xml, sizeof(xml), "<policy xmlns='" NS "'%s>" KEYS "%s"
	    "</policy>", root_attrs, body);
	return pol_from(xml);
}

/* Expect the policy to be refused; returns the error. */
static asmgate_error
pol_bad(const char *xml)
{
	asmgate_policy *pol = NULL;
	asmgate_error err;

	asmgate_error_clear(&err);
	if (asmgate_policy_load_memory(&pol, xml, strlen(xml), KEYS_DIR,
	    &err) == ASMGATE_OK)
		fail_msg("policy accepted:\n%s", xml);
	assert_null(pol);
	assert_true(err.msg[0] != '\0');
	return err;
}

static asmgate_image *
open_img(const char *rel)
{
	asmgate_image *img = NULL;
	asmgate_error err;

	asmgate_error_clear(&err);
	if (asmgate_image_open(&img, th_path(rel), &err) != ASMGATE_OK)
		fail_msg("%s: %s", rel, err.msg);
	return img;
}

static asmgate_signature
sig_of(asmgate_sn_state st, unsigned bits, const char *hash)
{
	asmgate_signature s;

	memset(&s, 0, sizeof(s));
	s.state = st;
	s.key_bits = bits;
	s.hash_name = hash;
	return s;
}

static asmgate_decision
decide(const asmgate_policy *pol, const char *host, const char *rel,
    const asmgate_signature *sig)
{
	asmgate_image *img = open_img(rel);
	asmgate_decision d;
	asmgate_error err;
	long h = asmgate_policy_find_host(pol, host);

	if (h < 0)
		fail_msg("no host %s", host);
	asmgate_error_clear(&err);
	assert_int_equal(asmgate_policy_decide(pol, (size_t)h, img, sig, &d,
	    &err), ASMGATE_OK);
	asmgate_image_free(img);
	return d;
}

static int
has_reason(const asmgate_decision *d, const char *needle)
{
	unsigned i;

	for (i = 0; i < d->nreasons; i++)
		if (strstr(d->reasons[i], needle))
			return 1;
	return 0;
}

static void
expect_allowed(const asmgate_decision *d, const char *rule)
{
	if (!d->allowed || !d->rule || strcmp(d->rule, rule) != 0)
		fail_msg("expected allowed by '%s', got %s by %s (%s)", rule,
		    asmgate_decision_verdict(d), d->rule ? d->rule : "default",
		    d->nreasons ? d->reasons[d->nreasons - 1] : "");
}

static void
expect_denied(const asmgate_decision *d, const char *rule)
{
	if (d->allowed || (rule && (!d->rule || strcmp(d->rule, rule) != 0)) ||
	    (!rule && d->rule))
		fail_msg("expected denied by '%s', got %s by %s (%s)",
		    rule ? rule : "default", asmgate_decision_verdict(d),
		    d->rule ? d->rule : "default",
		    d->nreasons ? d->reasons[0] : "");
}

static const asmgate_key_info *
key_info_of(asmgate_key **k, const char *rel)
{
	asmgate_error err;

	asmgate_error_clear(&err);
	if (asmgate_key_load_file(k, th_path(rel), &err) != ASMGATE_OK)
		fail_msg("%s: %s", rel, err.msg);
	return asmgate_key_get_info(*k);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ------------------------------------------- a strict JSON parser (RFC 8259) */

typedef struct jv {
	char type;               /* o a s n t f z */
	char *s;                 /* string value (decoded UTF-8) */
	size_t count;
	struct jv **items;       /* array items or object values */
	char **keys;             /* object keys */
} jv;

static void
jv_free(jv *v)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < v->count; i++) {
		jv_free(v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->s);
	free(v);
}

static void
j_ws(const char **p)
{
	while (**p == ' ' || **p == '\t' || **p == '\n' || **p == '\r')
		(*p)++;
}

static int
j_hex4(const char *p, unsigned *out)
{
	int i;

	*out = 0;
	for (i = 0; i < 4; i++) {
		int d = rd_hex_digit((unsigned char)p[i]);
		if (d < 0)
			return 0;
		*out = *out << 4 | (unsigned)d;
	}
	return 1;
}

/* Decodes a string; rejects raw control characters, bad escapes, lone
 * surrogates and invalid UTF-8. */
static char *
j_string(const char **p)
{
	rd_buf b;
	const char *q = *p;

	if (*q != '"')
		return NULL;
	q++;
	rd_buf_init(&b, 1 << 24);
	for (;;) {
		unsigned char c = (unsigned char)*q;
		if (c == '"') {
			q++;
			break;
		}
		if (c < 0x20)
			goto bad;
		if (c == '\\') {
			unsigned cp, lo;
			q++;
			switch (*q) {
			case '"': case '\\': case '/':
				rd_buf_putc(&b, (uint8_t)*q++); continue;
			case 'b': rd_buf_putc(&b, '\b'); q++; continue;
			case 'f': rd_buf_putc(&b, '\f'); q++; continue;
			case 'n': rd_buf_putc(&b, '\n'); q++; continue;
			case 'r': rd_buf_putc(&b, '\r'); q++; continue;
			case 't': rd_buf_putc(&b, '\t'); q++; continue;
			case 'u': break;
			default: goto bad;
			}
			if (!j_hex4(q + 1, &cp))
				goto bad;
			q += 5;
			if (cp >= 0xD800 && cp <= 0xDBFF) {
				if (q[0] != '\\' || q[1] != 'u' ||
				    !j_hex4(q + 2, &lo) || lo < 0xDC00 ||
				    lo > 0xDFFF)
					goto bad;
				q += 6;
				cp = 0x10000 + ((cp - 0xD800) << 10) +
				    (lo - 0xDC00);
			} else if (cp >= 0xDC00 && cp <= 0xDFFF) {
				goto bad;
			}
			if (cp < 0x80) {
				rd_buf_putc(&b, (uint8_t)cp);
			} else if (cp < 0x800) {
				rd_buf_putc(&b, (uint8_t)(0xC0 | cp >> 6));
				rd_buf_putc(&b, (uint8_t)(0x80 | (cp & 63)));
			} else if (cp < 0x10000) {
				rd_buf_putc(&b, (uint8_t)(0xE0 | cp >> 12));
				rd_buf_putc(&b, (uint8_t)(0x80 | (cp >> 6 & 63)));
				rd_buf_putc(&b, (uint8_t)(0x80 | (cp & 63)));
			} else {
				rd_buf_putc(&b, (uint8_t)(0xF0 | cp >> 18));
				rd_buf_putc(&b, (uint8_t)(0x80 | (cp >> 12 & 63)));
				rd_buf_putc(&b, (uint8_t)(0x80 | (cp >> 6 & 63)));
				rd_buf_putc(&b, (uint8_t)(0x80 | (cp & 63)));
			}
			continue;
		}
		if (c >= 0x80) {
			uint32_t cp;
			size_t l = rd_utf8_next((const uint8_t *)q,
			    strnlen(q, 4), &cp);
			if (l == 0)
				goto bad;
			rd_buf_put(&b, q, l);
			q += l;
			continue;
		}
		rd_buf_putc(&b, c);
		q++;
	}
	if (!rd_buf_cstr(&b))
		goto bad;
	*p = q;
	return (char *)b.p;
bad:
	rd_buf_free(&b);
	return NULL;
}

static jv *j_value(const char **p, int depth);

static jv *
jv_new(char type)
{
	jv *v = calloc(1, sizeof(*v));
	assert_non_null(v);
	v->type = type;
	return v;
}

static int
jv_push(jv *v, char *key, jv *item)
{
	jv **ni = realloc(v->items, (v->count + 1) * sizeof(*ni));
	if (!ni)
		return 0;
	v->items = ni;
	if (v->type == 'o') {
		char **nk = realloc(v->keys, (v->count + 1) * sizeof(*nk));
		if (!nk)
			return 0;
		v->keys = nk;
		v->keys[v->count] = key;
	}
	v->items[v->count++] = item;
	return 1;
}

static jv *
j_value(const char **p, int depth)
{
	jv *v = NULL;
	const char *q;

	if (depth > 64)
		return NULL;
	j_ws(p);
	q = *p;
	if (*q == '{' || *q == '[') {
		char close = *q == '{' ? '}' : ']';
		v = jv_new(*q == '{' ? 'o' : 'a');
		q++;
		j_ws(&q);
		if (*q == close) {
			*p = q + 1;
			return v;
		}
		for (;;) {
			char *key = NULL;
			jv *item;
			j_ws(&q);
			if (v->type == 'o') {
				key = j_string(&q);
				if (!key)
					goto bad;
				j_ws(&q);
				if (*q++ != ':') {
					free(key);
					goto bad;
				}
			}
			item = j_value(&q, depth + 1);
			if (!item || !jv_push(v, key, item)) {
				free(key);
				jv_free(item);
				goto bad;
			}
			j_ws(&q);
			if (*q == ',') {
				q++;
				continue;
			}
			if (*q++ != close)
				goto bad;
			break;
		}
		*p = q;
		return v;
	}
	if (*q == '"') {
		v = jv_new('s');
		v->s = j_string(&q);
		if (!v->s)
			goto bad;
		*p = q;
		return v;
	}
	if (strncmp(q, "true", 4) == 0 || strncmp(q, "false", 5) == 0 ||
	    strncmp(q, "null", 4) == 0) {
		v = jv_new(*q == 't' ? 't' : *q == 'f' ? 'f' : 'z');
		*p = q + (*q == 'f' ? 5 : 4);
		return v;
	}
	/* number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
	if (*q == '-')
		q++;
	if (*q == '0') {
		q++;
	} else if (*q >= '1' && *q <= '9') {
		while (*q >= '0' && *q <= '9')
			q++;
	} else {
		return NULL;
	}
	if (*q == '.') {
		if (!(*++q >= '0' && *q <= '9'))
			return NULL;
		while (*q >= '0' && *q <= '9')
			q++;
	}
	if (*q == 'e' || *q == 'E') {
		q++;
		if (*q == '+' || *q == '-')
			q++;
		if (!(*q >= '0' && *q <= '9'))
			return NULL;
		while (*q >= '0' && *q <= '9')
			q++;
	}
	v = jv_new('n');
	*p = q;
	return v;
bad:
	jv_free(v);
	return NULL;
}

/* The whole document must be one value. */
static jv *
json_parse(const char *text)
{
	const char *p = text;
	jv *v = j_value(&p, 0);

	if (!v)
		return NULL;
	j_ws(&p);
	if (*p) {
		jv_free(v);
		return NULL;
	}
	return v;
}

static const jv *
jget(const jv *o, const char *key)
{
	size_t i;

	if (!o || o->type != 'o')
		return NULL;
	for (i = 0; i < o->count; i++)
		if (strcmp(o->keys[i], key) == 0)
			return o->items[i];
	return NULL;
}

static const jv *
jat(const jv *a, size_t i)
{
	if (!a || a->type != 'a' || i >= a->count)
		return NULL;
	return a->items[i];
}

static const char *
jstr(const jv *v)
{
	return v && v->type == 's' ? v->s : NULL;
}

/* ------------------------------------------------------------ tests */

static void
test_policy__schema_embedded_matches_file(void **state)
{
	size_t len;
	uint8_t *xsd = th_load("../policy/asmgate-policy.xsd", &len);

	(void)state;
	assert_int_equal(len, policy_schema_xsd_len);
	assert_int_equal(strlen(policy_schema_xsd), policy_schema_xsd_len);
	assert_memory_equal(xsd, policy_schema_xsd, len);
	free(xsd);
}

static void
test_policy__samples_load(void **state)
{
	static const char *const hosts[] = { "ReceiveHost",
		"OrchestrationHost", "SendHost", "TrackingHost" };
	asmgate_policy *pol = NULL;
	asmgate_error err;
	size_t i;

	(void)state;
	asmgate_error_clear(&err);
	assert_int_equal(asmgate_policy_load(&pol,
	    th_path("policy/biztalk.xml"), &err), ASMGATE_OK);
	assert_int_equal(asmgate_policy_host_count(pol), 4);
	for (i = 0; i < 4; i++) {
		assert_string_equal(asmgate_policy_host_name(pol, i), hosts[i]);
		assert_int_equal(asmgate_policy_host_audit(pol, i), 0);
		assert_int_equal(asmgate_policy_find_host(pol, hosts[i]),
		    (long)i);
	}
	/* BizTalk host names are case-insensitive */
	assert_int_equal(asmgate_policy_find_host(pol, "orchestrationhost"),
	    1);
	assert_int_equal(asmgate_policy_find_host(pol, "NoSuchHost"), -1);
	assert_int_equal(asmgate_policy_find_host(pol, "Orchestration"), -1);
	assert_null(asmgate_policy_host_name(pol, 4));
	assert_int_equal(asmgate_policy_test_key_count(pol), 0);
	assert_null(asmgate_policy_test_key(pol, 0));
	/* the two 1024-bit keys, nothing else */
	assert_int_equal(asmgate_policy_warning_count(pol), 2);
	assert_string_equal(asmgate_policy_get_warning(pol, 0)->code,
	    "short-key");
	assert_null(asmgate_policy_get_warning(pol, 2));
	asmgate_policy_free(pol);

	assert_int_equal(asmgate_policy_load(&pol,
	    th_path("policy/biztalk-test.xml"), &err), ASMGATE_OK);
	assert_int_equal(asmgate_policy_host_count(pol), 4);
	/* policy in audit mode; OrchestrationHost overrides with enforce */
	assert_int_equal(asmgate_policy_host_audit(pol, 0), 1);
	assert_int_equal(asmgate_policy_host_audit(pol, 1), 0);
	assert_int_equal(asmgate_policy_host_audit(pol, 2), 1);
	/* one distinct test key, named twice */
	assert_int_equal(asmgate_policy_test_key_count(pol), 1);
	assert_non_null(asmgate_policy_test_key(pol, 0));
	assert_int_equal(asmgate_key_get_info(asmgate_policy_test_key(pol,
	    0))->bits, 2048);
	asmgate_policy_free(pol);

	assert_int_equal(asmgate_policy_load(&pol,
	    th_path("policy/issue-example.xml"), &err), ASMGATE_OK);
	assert_int_equal(asmgate_policy_host_count(pol), 1);
	asmgate_policy_free(pol);
	asmgate_policy_free(NULL);
}

/* Every invalid sample: refused with a line and a message naming the
 * defect. */
static void
test_policy__bad_samples(void **state)
{
	static const struct {
		const char *file;
		unsigned long line;
		asmgate_status code;
		const char *msg;
	} cases[] = {
		{ "xxe-file.xml", 3, ASMGATE_E_POLICY, "DOCTYPE is not allowed" },
		{ "xxe-network.xml", 3, ASMGATE_E_POLICY, "DOCTYPE is not allowed" },
		{ "billion-laughs.xml", 3, ASMGATE_E_POLICY, "DOCTYPE is not allowed" },
		{ "doctype.xml", 3, ASMGATE_E_POLICY, "DOCTYPE is not allowed" },
		{ "entity-reference.xml", 4, ASMGATE_E_POLICY, "entity references are not allowed" },
		{ "not-xml.xml", 1, ASMGATE_E_POLICY, "not well-formed XML" },
		{ "truncated.xml", 7, ASMGATE_E_POLICY, "not well-formed XML" },
		{ "empty.xml", 0, ASMGATE_E_POLICY, "empty file" },
		{ "not-utf8.xml", 4, ASMGATE_E_POLICY, "not UTF-8" },
		{ "utf16.xml", 1, ASMGATE_E_POLICY, "UTF-8" },
		{ "wrong-namespace.xml", 3, ASMGATE_E_POLICY, "in another namespace" },
		{ "no-namespace.xml", 3, ASMGATE_E_POLICY, "in no namespace" },
		{ "unknown-element.xml", 7, ASMGATE_E_POLICY, "unknown element <permit> in <host>" },
		{ "unknown-attribute.xml", 7, ASMGATE_E_POLICY, "unknown attribute 'vendor' on <allow>" },
		{ "foreign-attribute.xml", 4, ASMGATE_E_POLICY, "unknown attribute 'x:vendor' on <key>" },
		{ "xinclude.xml", 4, ASMGATE_E_POLICY, "unknown element <xi:include>" },
		{ "missing-id.xml", 6, ASMGATE_E_POLICY, "<allow> is missing the required attribute 'id'" },
		{ "missing-host-name.xml", 5, ASMGATE_E_POLICY, "<host> is missing the required attribute 'name'" },
		{ "duplicate-id.xml", 5, ASMGATE_E_POLICY, "duplicate key id 'contoso' (first at line 4)" },
		{ "duplicate-rule-id.xml", 7, ASMGATE_E_POLICY, "duplicate rule id 'contoso'" },
		{ "duplicate-host.xml", 8, ASMGATE_E_POLICY, "duplicate host 'orchestrationhost'" },
		{ "bad-hex.xml", 4, ASMGATE_E_POLICY, "bad hex in publicKey of key 'contoso': 'z'" },
		{ "odd-hex.xml", 4, ASMGATE_E_POLICY, "odd number of digits" },
		{ "bad-key-blob.xml", 4, ASMGATE_E_POLICY, "key 'contoso': bad publicKey" },
		{ "bad-token.xml", 4, ASMGATE_E_POLICY, "bad token" },
		{ "unknown-state.xml", 6, ASMGATE_E_POLICY, "unknown state 'strong'" },
		{ "unknown-key.xml", 6, ASMGATE_E_POLICY, "unknown key 'fabrikam' in keys of rule 'contoso'" },
		{ "missing-key-file.xml", 4, ASMGATE_E_POLICY, "cannot read key file '../../keys/no-such-key.pub'" },
		{ "unreadable-key-file.xml", 4, ASMGATE_E_POLICY, "file 'unreadable-key-file.xml' is not a usable strong-name key (bad-key;" },
		{ "key-two-sources.xml", 5, ASMGATE_E_POLICY, "has both file and token" },
		{ "key-no-source.xml", 4, ASMGATE_E_POLICY, "needs one of publicKey, file or token" },
		{ "bad-version.xml", 6, ASMGATE_E_POLICY, "bad minVersion '1.0.0'" },
		{ "version-overflow.xml", 6, ASMGATE_E_POLICY, "bad maxVersion '1.65536.0.0'" },
		{ "bad-min-key-bits.xml", 6, ASMGATE_E_POLICY, "bad minKeyBits '256'" },
		{ "bad-hash.xml", 6, ASMGATE_E_POLICY, "unknown hash algorithm 'md5'" },
		{ "bad-mode.xml", 3, ASMGATE_E_POLICY, "unknown mode 'warn'" },
		{ "bad-culture.xml", 6, ASMGATE_E_POLICY, "bad culture 'fr_FR'" },
		{ "bad-host-name.xml", 5, ASMGATE_E_POLICY, "bad host name 'Orchestration Host'" },
		{ "bad-id.xml", 6, ASMGATE_E_POLICY, "bad id 'contoso 1x'" },
		{ "empty-list.xml", 6, ASMGATE_E_POLICY, "keys of rule 'contoso' is empty" },
		{ "test-key-token-only.xml", 7, ASMGATE_E_POLICY, "test key 'ci' is token-only" },
		{ "testkeys-on-deny.xml", 7, ASMGATE_E_POLICY, "'testKeys' is only allowed on <allow>" },
		{ "checksum-on-deny.xml", 7, ASMGATE_E_POLICY, "'checksum' is only allowed on <allow>" },
		{ "bad-checksum.xml", 6, ASMGATE_E_POLICY, "bad checksum 'yes': the only value is 'required'" },
		{ "text-content.xml", 5, ASMGATE_E_POLICY, "unexpected text in <host>" },
		{ "nested-rule.xml", 7, ASMGATE_E_POLICY, "unexpected element <deny> in <allow>" },
		{ "too-deep.xml", 19, ASMGATE_E_LIMIT, "nested deeper than 16" },
		{ "too-many-attributes.xml", 6, ASMGATE_E_LIMIT, "element <allow> has more than 64 attributes" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char rel[128];
		asmgate_policy *pol = NULL;
		asmgate_error err;
		asmgate_status st;

		snprintf(rel, sizeof(rel), "policy/bad/%s", cases[i].file);
		asmgate_error_clear(&err);
		st = asmgate_policy_load(&pol, th_path(rel), &err);
		if (st == ASMGATE_OK)
			fail_msg("%s accepted", cases[i].file);
		assert_null(pol);
		if (st != cases[i].code || err.line != cases[i].line ||
		    !strstr(err.msg, cases[i].msg))
			fail_msg("%s: got %s at line %lu '%s'; want %s at line "
			    "%lu '%s'", cases[i].file, asmgate_status_name(st),
			    err.line, err.msg,
			    asmgate_status_name(cases[i].code), cases[i].line,
			    cases[i].msg);
	}
}

/* The schema is not decoration: on its own it refuses the structural
 * defects our checks find, and accepts the good samples. */
static void
test_policy__schema_alone(void **state)
{
	static const char *const bad[] = { "wrong-namespace.xml",
		"no-namespace.xml", "unknown-element.xml",
		"unknown-attribute.xml", "foreign-attribute.xml",
		"xinclude.xml", "missing-id.xml", "missing-host-name.xml",
		"bad-hex.xml", "odd-hex.xml", "bad-token.xml",
		"unknown-state.xml", "bad-version.xml", "bad-min-key-bits.xml",
		"bad-hash.xml", "bad-mode.xml", "bad-culture.xml",
		"bad-host-name.xml", "bad-id.xml", "empty-list.xml",
		"testkeys-on-deny.xml", "text-content.xml", "nested-rule.xml",
		"checksum-on-deny.xml", "bad-checksum.xml" };
	static const char *const good[] = { "biztalk.xml", "biztalk-test.xml",
		"issue-example.xml" };
	size_t i, len;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]) + 3; i++) {
		int is_good = i >= sizeof(bad) / sizeof(bad[0]);
		char rel[128];
		uint8_t *data;
		policy_doc pd;
		asmgate_error err;

		if (is_good)
			snprintf(rel, sizeof(rel), "policy/%s",
			    good[i - sizeof(bad) / sizeof(bad[0])]);
		else
			snprintf(rel, sizeof(rel), "policy/bad/%s", bad[i]);
		data = th_load(rel, &len);
		asmgate_error_clear(&err);
		assert_int_equal(policy_xml_parse(&pd, data, len,
		    POLICY_PARSE_SCHEMA, &err), ASMGATE_OK);
		if (is_good && policy_doc_schema(&pd, &err) != ASMGATE_OK)
			fail_msg("%s: schema refuses it: %s", rel, err.msg);
		if (!is_good) {
			if (policy_doc_schema(&pd, &err) == ASMGATE_OK)
				fail_msg("%s: schema accepts it", rel);
			assert_non_null(strstr(err.msg, "schema: "));
			assert_true(err.line > 0);
			/* namespaces are dropped from the message */
			assert_null(strstr(err.msg, "{" NS "}"));
		}
		policy_doc_free(&pd);
		free(data);
	}
}

/* An external entity naming a file: refused, and the file is never
 * opened (inotify would see the open). Also with the raw "<!DOCTYPE"
 * scan switched off, to show the SAX guards hold on their own. */
static void
test_policy__xxe_never_reads_the_file(void **state)
{
	static const char *const forms[] = {
		"<!DOCTYPE policy [<!ENTITY xxe SYSTEM \"file://@@\">]>\n"
		"<policy xmlns='" NS "'><key id='&xxe;' token='31bf3856ad364e35'/>"
		"</policy>",
		"<!DOCTYPE policy [<!ENTITY % xxe SYSTEM \"file://@@\"> %xxe;]>\n"
		"<policy xmlns='" NS "'/>",
		"<!DOCTYPE policy SYSTEM \"file://@@\">\n<policy xmlns='" NS "'/>",
		"<?xml version='1.0'?>\n<!-- x -->\n<!DOCTYPE policy [<!ENTITY xxe "
		"SYSTEM \"@@\">]>\n<policy xmlns='" NS "'>&xxe;</policy>",
	};
	char secret[128], xml[1024];
	uint8_t events[4096];
	size_t i;
	int ino, wd, pass;
	FILE *f;

	(void)state;
	snprintf(secret, sizeof(secret), "%s/secret.txt", th_tmpdir);
	f = fopen(secret, "w");
	assert_non_null(f);
	fputs("root:x:0:0:secret\n", f);
	fclose(f);
	ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	assert_true(ino >= 0);
	wd = inotify_add_watch(ino, secret, IN_OPEN | IN_ACCESS);
	assert_true(wd >= 0);
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
			asmgate_error err;
			policy_doc pd;
			const char *at = strstr(forms[i], "@@");
			assert_non_null(at);
			snprintf(xml, sizeof(xml), "%.*s%s%s",
			    (int)(at - forms[i]), forms[i], secret, at + 2);
			asmgate_error_clear(&err);
			if (pass == 0) {
				err = pol_bad(xml);
			} else if (policy_xml_parse(&pd, (const uint8_t *)xml,
			    strlen(xml), POLICY_PARSE_NO_PRESCAN, &err) ==
			    ASMGATE_OK) {
				policy_doc_free(&pd);
				fail_msg("guards accepted form %zu", i);
			}
			if (!strstr(err.msg, "DOCTYPE is not allowed"))
				fail_msg("form %zu pass %d: %s", i, pass,
				    err.msg);
			assert_null(strstr(err.msg, "secret"));
		}
	}
	/* no open, no read of the file */
	errno = 0;
	assert_true(read(ino, events, sizeof(events)) < 0);
	assert_int_equal(errno, EAGAIN);
	close(ino);
}

/* The loader's tree (policy_node): references decoded as a tree
 * builder would, exact start-tag lines, namespaces, character data as
 * flags; the schema's first error kept for later. */
static void
test_policy__light_tree(void **state)
{
	static const char xml[] =
	    "<policy xmlns='" NS "' xmlns:o='urn:o'>\n"
	    "<host name='A&amp;B&#38;C&#x41;&lt;' o:x='1'\n"
	    "      mode='audit'> <![CDATA[c]]></host>\n"
	    "<key id='k'>text</key><!-- c --><?pi x?><o:e/>\n"
	    "</policy>";
	const policy_node *root, *host, *key, *e;
	const policy_xattr *a;
	policy_doc pd;
	asmgate_error err;

	(void)state;
	asmgate_error_clear(&err);
	assert_int_equal(policy_xml_parse(&pd, (const uint8_t *)xml,
	    strlen(xml), POLICY_PARSE_SCHEMA, &err), ASMGATE_OK);
	root = pd.root;
	assert_non_null(root);
	assert_string_equal(root->name, "policy");
	assert_string_equal(root->ns, NS);
	assert_null(root->prefix);
	assert_int_equal(root->line, 1);
	assert_int_equal(root->off, 0);
	host = root->children;
	assert_non_null(host);
	assert_ptr_equal(host->parent, root);
	assert_string_equal(policy_node_attr(host, "name"), "A&B&CA<");
	assert_string_equal(policy_node_attr(host, "mode"), "audit");
	/* a namespaced attribute is not the no-namespace one */
	assert_null(policy_node_attr(host, "x"));
	for (a = host->attrs; a && strcmp(a->name, "x") != 0; a = a->next)
		;
	assert_non_null(a);
	assert_string_equal(a->prefix, "o");
	assert_string_equal(a->ns, "urn:o");
	assert_int_equal(host->line, 2);
	assert_int_equal(policy_attr_line(&pd, host, "mode"), 3);
	assert_int_equal(host->text, POLICY_TEXT_SPACE | POLICY_TEXT_CDATA);
	key = host->next;
	assert_non_null(key);
	assert_int_equal(key->line, 4);
	assert_int_equal(key->text, POLICY_TEXT_OTHER);
	assert_null(key->children);
	e = key->next; /* comments and PIs make no node */
	assert_non_null(e);
	assert_string_equal(e->name, "e");
	assert_string_equal(e->prefix, "o");
	assert_string_equal(e->ns, "urn:o");
	assert_null(e->next);
	assert_ptr_equal(root->last, e);
	/* the schema refuses o:e, host's text, ...: its first error is
	 * kept with a line, not returned by the parse */
	assert_int_equal(policy_doc_schema(&pd, &err), ASMGATE_E_POLICY);
	assert_non_null(strstr(err.msg, "schema: "));
	assert_true(err.line >= 2 && err.line <= 4);
	policy_doc_free(&pd);
	/* a '&' written "&amp;#38;" stays "&#38;": decoded once */
	{
		static const char amp[] = "<r a='x&amp;#38;y&#38;#38;'/>";
		policy_doc pd2;
		assert_int_equal(policy_xml_parse(&pd2, (const uint8_t *)amp,
		    strlen(amp), 0, &err), ASMGATE_OK);
		assert_string_equal(policy_node_attr(pd2.root, "a"),
		    "x&#38;y&#38;");
		policy_doc_free(&pd2);
	}
	/* without POLICY_PARSE_SCHEMA there is no verdict */
	assert_int_equal(policy_xml_parse(&pd, (const uint8_t *)xml,
	    strlen(xml), 0, &err), ASMGATE_OK);
	assert_int_equal(policy_doc_schema(&pd, &err), ASMGATE_OK);
	policy_doc_free(&pd);
}

/* Parser errors reach the loader's handler with the schema plugged in
 * too: a namespace error (not fatal to libxml2) refuses the policy, and
 * a well-formedness error keeps libxml2's text and its line. */
static void
test_policy__parser_errors_with_schema(void **state)
{
	asmgate_error err;

	(void)state;
	/* q:states is not states: an undefined prefix is an error */
	err = pol_bad("<policy xmlns='" NS "'>" KEYS "<host name='H'>"
	    "<allow id='a' keys='contoso' q:states='delay-signed'/>"
	    "</host></policy>");
	assert_int_equal(err.code, ASMGATE_E_POLICY);
	assert_non_null(strstr(err.msg, "not well-formed XML: Namespace "
	    "prefix q for states on allow is not defined"));
	err = pol_bad("<policy xmlns='" NS "' xmlns:q=''>" KEYS
	    "<host name='H'/></policy>");
	assert_non_null(strstr(err.msg, "not well-formed XML"));
	err = pol_bad("<policy xmlns='" NS "'>\n<host name='H'>\n"
	    "<allow id='a'></deny>\n</host>\n</policy>");
	assert_int_equal(err.line, 3);
	assert_non_null(strstr(err.msg, "Opening and ending tag mismatch"));
}

/* Elements and attributes in all are capped as the parser meets them
 * (the tree is bounded by more than the bytes). */
static void
test_policy__tree_caps(void **state)
{
	size_t cap = RD_MAX_POLICY_BYTES, o, i, k;
	char *big = malloc(cap), want[64];
	asmgate_error err;

	(void)state;
	assert_non_null(big);
	o = (size_t)snprintf(big, cap, "<policy xmlns='" NS "'>\n");
	for (i = 0; i < RD_MAX_POLICY_ELEMENTS; i++, o += 4)
		memcpy(big + o, "<a/>", 4);
	snprintf(big + o, cap - o, "</policy>");
	err = pol_bad(big);
	assert_int_equal(err.code, ASMGATE_E_LIMIT);
	assert_int_equal(err.line, 2);
	snprintf(want, sizeof(want), "more than %u elements",
	    RD_MAX_POLICY_ELEMENTS);
	assert_string_equal(err.msg, want);
	/* attributes: 60 to a tag, short names */
	o = (size_t)snprintf(big, cap, "<policy xmlns='" NS "'>\n");
	for (i = 0; i <= RD_MAX_POLICY_ATTRIBUTES_TOTAL / 60; i++) {
		memcpy(big + o, "<a", 2);
		o += 2;
		for (k = 0; k < 60; k++)
			o += (size_t)snprintf(big + o, cap - o, " %c%c=''",
			    (int)('a' + k / 26), (int)('a' + k % 26));
		memcpy(big + o, "/>", 2);
		o += 2;
		assert_true(o < cap - 64);
	}
	snprintf(big + o, cap - o, "</policy>");
	err = pol_bad(big);
	assert_int_equal(err.code, ASMGATE_E_LIMIT);
	snprintf(want, sizeof(want), "more than %u attributes in all",
	    RD_MAX_POLICY_ATTRIBUTES_TOTAL);
	assert_string_equal(err.msg, want);
	free(big);
}

/* The same caps with another document kind's limits (bind/ passes its
 * own): counted whatever the nesting, one more than the cap refused. */
static void
test_policy__tree_caps_limits(void **state)
{
	policy_xml_limits lim = policy_xml_policy_limits;
	policy_doc pd;
	asmgate_error err;
	static const char xml[] = "<r><a x='1' y='2'><b z='3'/></a>\n<c/></r>";

	(void)state;
	lim.max_elements = 4;
	lim.max_total_attributes = 3;
	asmgate_error_clear(&err);
	assert_int_equal(policy_xml_parse_limits(&pd, (const uint8_t *)xml,
	    strlen(xml), &lim, 0, &err), ASMGATE_OK);
	policy_doc_free(&pd);
	lim.max_elements = 3;
	assert_int_equal(policy_xml_parse_limits(&pd, (const uint8_t *)xml,
	    strlen(xml), &lim, 0, &err), ASMGATE_E_LIMIT);
	assert_string_equal(err.msg, "more than 3 elements");
	assert_int_equal(err.line, 2);
	lim.max_elements = 4;
	lim.max_total_attributes = 2;
	assert_int_equal(policy_xml_parse_limits(&pd, (const uint8_t *)xml,
	    strlen(xml), &lim, 0, &err), ASMGATE_E_LIMIT);
	assert_string_equal(err.msg, "more than 2 attributes in all");
	assert_int_equal(err.line, 1);
}

/* Billion laughs: refused at once, by the scan and by the guards. */
static void
test_policy__billion_laughs(void **state)
{
	size_t len;
	uint8_t *data = th_load("policy/bad/billion-laughs.xml", &len);
	asmgate_policy *pol = NULL;
	asmgate_error err;
	policy_doc pd;
	double t0 = now_s();

	(void)state;
	asmgate_error_clear(&err);
	assert_int_equal(asmgate_policy_load_memory(&pol, data, len, th_tmpdir,
	    &err), ASMGATE_E_POLICY);
	assert_non_null(strstr(err.msg, "DOCTYPE"));
	assert_int_equal(policy_xml_parse(&pd, data, len,
	    POLICY_PARSE_NO_PRESCAN, &err), ASMGATE_E_POLICY);
	assert_non_null(strstr(err.msg, "DOCTYPE"));
	assert_int_equal(err.line, 3);
	/* no expansion happened: microseconds, not minutes */
	assert_true(now_s() - t0 < 2.0);
	free(data);

	/* an entity reference with no DTD at all is refused too */
	err = pol_bad("<policy xmlns='" NS "'><host name='&lol9;'/></policy>");
	assert_non_null(strstr(err.msg, "entity references are not allowed"));
}

static void
test_policy__caps(void **state)
{
	asmgate_policy *pol = NULL;
	asmgate_error err;
	char *big;
	size_t i, n;

	(void)state;
	/* size: one byte over RD_MAX_POLICY_BYTES */
	n = RD_MAX_POLICY_BYTES + 1;
	big = malloc(n + 1);
	assert_non_null(big);
	memset(big, ' ', n);
	memcpy(big, "<policy xmlns='" NS "'/>", strlen("<policy xmlns='" NS
	    "'/>"));
	big[n] = '\0';
	asmgate_error_clear(&err);
	assert_int_equal(asmgate_policy_load_memory(&pol, big, n, NULL, &err),
	    ASMGATE_E_LIMIT);
	assert_non_null(strstr(err.msg, "limit"));
	/* the same document under the cap loads */
	assert_int_equal(asmgate_policy_load_memory(&pol, big, n - 1, NULL,
	    &err), ASMGATE_OK);
	asmgate_policy_free(pol);
	pol = NULL;

	/* lines: RD_MAX_POLICY_LINES + 1 */
	memset(big, '\n', n);
	memcpy(big, "<policy xmlns='" NS "'/>", strlen("<policy xmlns='" NS
	    "'/>"));
	assert_int_equal(asmgate_policy_load_memory(&pol, big,
	    RD_MAX_POLICY_LINES + 40, NULL, &err), ASMGATE_E_LIMIT);
	assert_non_null(strstr(err.msg, "lines"));

	/* depth: 300 levels, beyond libxml2's own 256: our cap first */
	big[0] = '\0';
	for (i = 0; i < 300; i++)
		strcat(big, "<policy xmlns='" NS "'>\n");
	assert_int_equal(asmgate_policy_load_memory(&pol, big, strlen(big),
	    NULL, &err), ASMGATE_E_LIMIT);
	assert_int_equal(err.line, RD_MAX_POLICY_DEPTH + 1);
	assert_non_null(strstr(err.msg, "nested deeper than 16"));

	/* keys: RD_MAX_POLICY_KEYS + 1 token keys */
	strcpy(big, "<policy xmlns='" NS "'>");
	for (i = 0; i <= RD_MAX_POLICY_KEYS; i++)
		snprintf(big + strlen(big), 128,
		    "<key id='k%zu' token='0011223344556677'/>\n", i);
	strcat(big, "</policy>");
	assert_int_equal(asmgate_policy_load_memory(&pol, big, strlen(big),
	    NULL, &err), ASMGATE_E_LIMIT);
	assert_non_null(strstr(err.msg, "more than 1024 keys"));
	assert_int_equal(err.line, RD_MAX_POLICY_KEYS + 1);

	/* hosts */
	strcpy(big, "<policy xmlns='" NS "'>");
	for (i = 0; i <= RD_MAX_POLICY_HOSTS; i++)
		snprintf(big + strlen(big), 128, "<host name='H%zu'/>", i);
	strcat(big, "</policy>");
	assert_int_equal(asmgate_policy_load_memory(&pol, big, strlen(big),
	    NULL, &err), ASMGATE_E_LIMIT);
	assert_non_null(strstr(err.msg, "more than 256 hosts"));

	/* rules */
	strcpy(big, "<policy xmlns='" NS "'><host name='H'>");
	for (i = 0; i <= RD_MAX_POLICY_RULES; i++)
		snprintf(big + strlen(big), 128, "<deny id='r%zu'/>", i);
	strcat(big, "</host></policy>");
	assert_int_equal(asmgate_policy_load_memory(&pol, big, strlen(big),
	    NULL, &err), ASMGATE_E_LIMIT);
	assert_non_null(strstr(err.msg, "more than 4096 rules"));
	assert_null(pol);
	free(big);
}

/* A start tag with more attributes than any element needs is refused
 * before libxml2 parses it (issue 14: libxml2 2.9's duplicate check is
 * quadratic, 50 000 attributes took 15-20 s), with the tag's first line.
 * No timing is asserted: the error shows the cap ran, not the schema. */
static void
test_policy__attribute_cap(void **state)
{
	static const char head[] = "<policy xmlns='" NS "'>\n<host name='H'>"
	    "\n<allow id='a'";
	static const char tail[] = "/>\n</host></policy>\n";
	char want[128];
	asmgate_error err;
	char *big, *p;
	size_t i, cap = 64 * 1024 * 16;

	(void)state;
	snprintf(want, sizeof(want), "element <allow> has more than %u "
	    "attributes", RD_MAX_XML_ATTRIBUTES);
	big = malloc(cap);
	assert_non_null(big);

	/* 50 000 attributes on one <allow> at line 3 */
	p = big + snprintf(big, cap, "%s", head);
	for (i = 0; i < 50000; i++)
		p += snprintf(p, 32, " a%zu=\"\"", i);
	snprintf(p, 64, "%s", tail);
	assert_true(strlen(big) < RD_MAX_POLICY_BYTES);
	err = pol_bad(big);
	assert_int_equal(err.code, ASMGATE_E_LIMIT);
	assert_int_equal(err.line, 3);
	assert_string_equal(err.msg, want);

	/* the cap exactly: 64 quoted values pass the scan (and the schema
	 * then names the first unknown attribute); one more is refused */
	p = big + snprintf(big, cap, "%s", head);
	for (i = 1; i < RD_MAX_XML_ATTRIBUTES; i++)
		p += snprintf(p, 32, "\n b%zu='>\"'", i);
	snprintf(p, 64, "%s", tail);
	assert_int_equal(policy_xml_check_attributes((const uint8_t *)big,
	    strlen(big), RD_MAX_XML_ATTRIBUTES, &err), ASMGATE_OK);
	err = pol_bad(big);
	assert_non_null(strstr(err.msg, "unknown attribute 'b1' on <allow>"));
	p += snprintf(p, 32, " c='x'");
	snprintf(p, 64, "%s", tail);
	err = pol_bad(big);
	assert_int_equal(err.line, 3);
	assert_string_equal(err.msg, want);
	/* the cap is the caller's */
	assert_int_equal(policy_xml_check_attributes((const uint8_t *)big,
	    strlen(big), 200, &err), ASMGATE_OK);
	assert_int_equal(policy_xml_check_attributes((const uint8_t *)
	    "<a x='1' y=\"2\"/>", 16, 1, &err), ASMGATE_E_LIMIT);
	assert_string_equal(err.msg, "element <a> has more than 1 "
	    "attributes");

	/* namespace declarations count */
	p = big + snprintf(big, cap, "\n<policy xmlns='" NS "'");
	for (i = 0; i < RD_MAX_XML_ATTRIBUTES; i++)
		p += snprintf(p, 48, " xmlns:n%zu='urn:x:%zu'", i, i);
	snprintf(p, 64, "/>");
	err = pol_bad(big);
	assert_int_equal(err.line, 2);
	assert_non_null(strstr(err.msg, "element <policy> has more than"));

	/* counted from every '<', whatever libxml2 would make of what
	 * comes before: after a PI without a target (libxml2 reports it
	 * and reads on), inside a comment, after an unterminated value */
	for (i = 0; i < 3; i++) {
		static const char *const pre[] = { "<? ", "<!-- ",
			"<host name='H " };
		size_t k;
		p = big + snprintf(big, cap, "<policy xmlns='" NS "'>\n%s",
		    pre[i]);
		p += snprintf(p, 32, "<allow");
		for (k = 0; k <= RD_MAX_XML_ATTRIBUTES; k++)
			p += snprintf(p, 32, " a%zu=''", k);
		snprintf(p, 64, "/> --></policy>");
		err = pol_bad(big);
		assert_int_equal(err.code, ASMGATE_E_LIMIT);
		assert_int_equal(err.line, 2);
		assert_string_equal(err.msg, want);
	}
	/* other markup with as many quoted strings is refused too */
	p = big + snprintf(big, cap, "<policy xmlns='" NS "'>\n<!--");
	for (i = 0; i <= RD_MAX_XML_ATTRIBUTES; i++)
		p += snprintf(p, 32, " 'q%zu'", i);
	snprintf(p, 64, " --></policy>");
	err = pol_bad(big);
	assert_int_equal(err.line, 2);
	assert_non_null(strstr(err.msg, "markup with more than"));
	free(big);
}

/* Errors name the line of the attribute, even in a tag that spans
 * lines, and stay right deep into a large file. */
static void
test_policy__line_numbers(void **state)
{
	asmgate_error err;
	char *big;
	size_t i;

	(void)state;
	err = pol_bad("<policy xmlns='" NS "'>\n"
	    "<key id='a'\n"
	    "     token='0011223344556677'/>\n"
	    "<host name='H'>\n"
	    "  <allow id='x'\n"
	    "         keys='a'\n"
	    "         states='signed'\n"
	    "         minVersion='1.2'/>\n"
	    "</host></policy>");
	assert_int_equal(err.line, 8);
	err = pol_bad("<policy xmlns='" NS "'>\n<host\n name='H'\n bogus='1'/>"
	    "</policy>");
	assert_int_equal(err.line, 4);
	err = pol_bad("<policy xmlns='" NS "'>\n<host\n name='H'\n mode='x'/>"
	    "</policy>");
	assert_int_equal(err.line, 4);
	/* element errors: the line where the start tag begins */
	err = pol_bad("<policy xmlns='" NS "'>\n<host\n name='H'>\n<foo\n/>"
	    "</host></policy>");
	assert_int_equal(err.line, 4);

	/* 60000 lines of comment, then an error */
	big = malloc(9 * 60000 + 512);
	assert_non_null(big);
	strcpy(big, "<policy xmlns='" NS "'>\n");
	{
		size_t off = strlen(big);
		for (i = 0; i < 60000; i++) {
			memcpy(big + off, "<!--x-->\n", 9);
			off += 9;
		}
		big[off] = '\0';
	}
	strcat(big, "<host name='H'>\n  <allow id='a'\n     keys='nope'/>\n"
	    "</host></policy>");
	err = pol_bad(big);
	assert_int_equal(err.line, 60004);
	assert_non_null(strstr(err.msg, "unknown key 'nope'"));
	free(big);
}

/* Precedence: deny beats allow beats default deny; document order
 * within each. */
static void
test_policy__precedence(void **state)
{
	asmgate_policy *pol;
	asmgate_signature s = sig_of(ASMGATE_SN_SIGNED, 2048, "sha1");
	asmgate_decision d;

	(void)state;
	pol = pol_body("",
	    "<host name='H'>"
	    "<allow id='contoso' keys='contoso'/>"
	    "<deny id='no-orch' name='*.Orchestrations'/>"
	    "<allow id='fab' keys='fabrikam'/>"
	    "<allow id='fab-too' keys='fabrikam'/>"
	    "</host>"
	    "<host name='Empty'/>");
	/* an allow rule comes first in the file, the deny still wins */
	d = decide(pol, "H", "valid/contoso-orchestrations.dll", &s);
	expect_denied(&d, "no-orch");
	assert_int_equal(d.rule_is_deny, 1);
	assert_string_equal(asmgate_decision_verdict(&d), "denied");
	assert_true(has_reason(&d, "matched deny rule 'no-orch'"));
	/* the first matching allow rule decides */
	s.key_bits = 1024;
	d = decide(pol, "H", "valid/fabrikam-adapters.dll", &s);
	expect_allowed(&d, "fab");
	assert_int_equal(d.rule_is_deny, 0);
	assert_string_equal(asmgate_decision_verdict(&d), "allowed");
	assert_true(has_reason(&d, "matched allow rule 'fab'"));
	/* nothing matches: default deny, with the reasons */
	d = decide(pol, "H", "valid/hello.exe", &s);
	expect_denied(&d, NULL);
	assert_string_equal(asmgate_decision_verdict(&d), "denied-by-default");
	assert_string_equal(d.reasons[0], "no rule matched: denied by default");
	assert_true(has_reason(&d, "allow rule 'contoso': identity key is not "
	    "one of [contoso]"));
	assert_true(has_reason(&d, "allow rule 'fab': identity key is not one "
	    "of [fabrikam]"));
	/* a host without rules denies everything */
	d = decide(pol, "Empty", "valid/contoso-orchestrations.dll", &s);
	expect_denied(&d, NULL);
	assert_true(has_reason(&d, "host 'Empty' has no allow rule"));
	assert_int_equal(asmgate_decision_verdict(NULL)[0], 'd');
	asmgate_policy_free(pol);
}

static void
test_policy__attr_keys(void **state)
{
	asmgate_policy *pol;
	asmgate_signature s = sig_of(ASMGATE_SN_SIGNED, 2048, "sha1");
	asmgate_decision d;

	(void)state;
	pol = pol_body("",
	    "<key id='contoso-hex' publicKey='"
	    "0024000004800000140100000602000000240000525341310008000001000100"
	    " f35c4aff2bcff1c3721ddfc02ab8b7cfc344d274b79393ccfed9839dd61d06a5"
	    " 57cbebd381ca223f61ea3356c1cc96b2ea8ebfbc963e9db585db4cb785c4c0dc"
	    " 7688f0ae3f33dadd4990af153fb543b2067dc4df60b10482bb392f04220fe089"
	    " 9e84007a9a87ed28f6cc4662751797065f5beed9cf01bab69c37cd899cb10411"
	    " d34ea3df7e3dd408173b693831f41cb60294c0e8b86accb8cc873cba0f9719c9"
	    " 90c6106ada570efd16871f1cbd3b073ed2e75c3d95e17c02ac68e9694a8c7042"
	    " 97daf694310ef5cf7e614666a4f12bdaa0ca606c0b79a9998ac45a582cc5f308"
	    " 642c7d96ef573f76d339a4d5c53424641cb228e6ce097d9f4edf07c122547fbc'/>"
	    "<key id='contoso-snk' file='contoso.snk'/>"
	    "<host name='File'><allow id='r' keys='contoso'/></host>"
	    "<host name='Hex'><allow id='r' keys='contoso-hex'/></host>"
	    "<host name='Snk'><allow id='r' keys='contoso-snk'/></host>"
	    "<host name='Token'><allow id='r' keys='tok'/></host>"
	    "<host name='Two'><allow id='r' keys='fabrikam contoso'/></host>"
	    "<host name='Any'><allow id='r' states='signed unsigned'/></host>");
	/* full key from a .pub, from hex, from a private .snk, by token */
	d = decide(pol, "File",
	    "valid/contoso-orchestrations.dll", &s);
	expect_allowed(&d, "r");
	d = decide(pol, "Hex",
	    "valid/contoso-orchestrations.dll", &s);
	expect_allowed(&d, "r");
	d = decide(pol, "Snk",
	    "valid/contoso-orchestrations.dll", &s);
	expect_allowed(&d, "r");
	d = decide(pol, "Token",
	    "valid/satellite-fr.dll", &s);
	expect_allowed(&d, "r");
	d = decide(pol, "Two",
	    "valid/contoso-x64.dll", &s);
	expect_allowed(&d, "r");
	/* another key */
	d = decide(pol, "File", "valid/signed-2048.dll", &s);
	expect_denied(&d, NULL);
	assert_true(has_reason(&d, "identity key is not one of [contoso]"));
	d = decide(pol, "Token", "valid/fabrikam-adapters.dll", &s);
	expect_denied(&d, NULL);
	/* no public key at all */
	s = sig_of(ASMGATE_SN_UNSIGNED, 0, NULL);
	d = decide(pol, "File", "states/unsigned.dll", &s);
	expect_denied(&d, NULL);
	assert_true(has_reason(&d, "assembly has no public key"));
	/* no keys attribute: any key (and here, none) */
	d = decide(pol, "Any", "states/unsigned.dll", &s);
	expect_allowed(&d, "r");
	asmgate_policy_free(pol);
}

static void
test_policy__attr_states(void **state)
{
	static const asmgate_sn_state all[] = { ASMGATE_SN_INVALID,
		ASMGATE_SN_UNSIGNED, ASMGATE_SN_DELAY_SIGNED,
		ASMGATE_SN_PUBLIC_SIGNED, ASMGATE_SN_TEST_SIGNED,
		ASMGATE_SN_SIGNED };
	asmgate_policy *pol;
	asmgate_signature s;
	asmgate_decision d;
	size_t i;

	(void)state;
	pol = pol_body("",
	    "<host name='Default'><allow id='a' keys='contoso'/></host>"
	    "<host name='Delay'><allow id='a' keys='contoso' "
	    "states='delay-signed public-signed'/></host>"
	    "<host name='DenyAll'><deny id='d' keys='contoso'/>"
	    "<allow id='a' keys='contoso' states='signed delay-signed "
	    "public-signed unsigned'/></host>"
	    "<host name='DenyDelay'><deny id='d' states='delay-signed'/>"
	    "<allow id='a' keys='contoso' states='signed delay-signed'/></host>");
	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		s = sig_of(all[i], 2048, "sha1");
		/* allow rules default to signed only */
		d = decide(pol, "Default", "valid/contoso-orchestrations.dll",
		    &s);
		assert_int_equal(d.allowed, all[i] == ASMGATE_SN_SIGNED);
		if (!d.allowed && all[i] != ASMGATE_SN_TEST_SIGNED)
			assert_true(has_reason(&d, "not in [signed]"));
		d = decide(pol, "Delay", "valid/contoso-orchestrations.dll",
		    &s);
		assert_int_equal(d.allowed, all[i] == ASMGATE_SN_DELAY_SIGNED ||
		    all[i] == ASMGATE_SN_PUBLIC_SIGNED);
		/* deny rules default to every state, invalid included */
		d = decide(pol, "DenyAll", "valid/contoso-orchestrations.dll",
		    &s);
		expect_denied(&d, "d");
		d = decide(pol, "DenyDelay", "valid/contoso-orchestrations.dll",
		    &s);
		if (all[i] == ASMGATE_SN_DELAY_SIGNED)
			expect_denied(&d, "d");
		else if (all[i] == ASMGATE_SN_SIGNED)
			expect_allowed(&d, "a");
		else
			expect_denied(&d, NULL);
	}
	/* invalid can never be allowed */
	s = sig_of(ASMGATE_SN_INVALID, 2048, "sha1");
	d = decide(pol, "Default", "valid/contoso-orchestrations.dll", &s);
	assert_true(has_reason(&d, "state invalid not in [signed]"));
	/* nor a state value this code does not know: taken as invalid */
	s = sig_of((asmgate_sn_state)42, 2048, "sha1");
	d = decide(pol, "Delay", "valid/contoso-orchestrations.dll", &s);
	expect_denied(&d, NULL);
	assert_true(has_reason(&d, "state invalid not in"));
	d = decide(pol, "DenyAll", "valid/contoso-orchestrations.dll", &s);
	expect_denied(&d, "d");
	asmgate_policy_free(pol);
}

/* test-signed counts only with one of the rule's testKeys. */
static void
test_policy__attr_test_keys(void **state)
{
	asmgate_policy *pol;
	asmgate_signature s = sig_of(ASMGATE_SN_TEST_SIGNED, 2048, "sha1");
	asmgate_decision d;
	asmgate_key *ci = NULL, *other = NULL;
	const asmgate_key_info *ci_info = key_info_of(&ci, "keys/test2048.pub");
	const asmgate_key_info *other_info = key_info_of(&other,
	    "keys/test4096.pub");

	(void)state;
	pol = pol_body("",
	    "<key id='ci2' file='test4096.pub'/>"
	    "<host name='H'>"
	    "<allow id='ci' keys='contoso' states='signed test-signed' "
	    "testKeys='ci'/></host>"
	    "<host name='NoTestKeys'>"
	    "<allow id='x' keys='contoso' states='test-signed'/></host>"
	    "<host name='NotListed'>"
	    "<allow id='x' keys='contoso' states='signed' testKeys='ci'/></host>"
	    "<host name='DenyTest'><deny id='no-test' states='test-signed'/>"
	    "<allow id='ci' keys='contoso' states='test-signed' "
	    "testKeys='ci'/></host>");
	/* policy test keys: ci, then ci2 is unused as a test key */
	assert_int_equal(asmgate_policy_test_key_count(pol), 1);
	assert_memory_equal(asmgate_key_get_info(asmgate_policy_test_key(pol,
	    0))->fingerprint, ci_info->fingerprint, 32);

	s.has_test_key = 1;
	memcpy(s.test_key_fingerprint, ci_info->fingerprint, 32);
	d = decide(pol, "H",
	    "valid/contoso-orchestrations.dll", &s);
	expect_allowed(&d, "ci");
	/* verified with another test key */
	memcpy(s.test_key_fingerprint, other_info->fingerprint, 32);
	d = decide(pol, "H", "valid/contoso-orchestrations.dll", &s);
	expect_denied(&d, NULL);
	assert_true(has_reason(&d, "test key that is not one of [ci]"));
	/* test-signed without a recognised test key */
	s.has_test_key = 0;
	memcpy(s.test_key_fingerprint, ci_info->fingerprint, 32);
	d = decide(pol, "H",
	    "valid/contoso-orchestrations.dll", &s);
	expect_denied(&d, NULL);
	s.has_test_key = 1;
	/* a rule listing test-signed but no testKeys never takes it */
	d = decide(pol, "NoTestKeys", "valid/contoso-orchestrations.dll", &s);
	expect_denied(&d, NULL);
	assert_true(has_reason(&d, "names no testKeys"));
	/* testKeys without test-signed in states: not enough */
	d = decide(pol, "NotListed", "valid/contoso-orchestrations.dll", &s);
	expect_denied(&d, NULL);
	assert_true(has_reason(&d, "state test-signed not in [signed]"));
	/* deny rules take test-signed on the state alone */
	d = decide(pol, "DenyTest",
	    "valid/contoso-orchestrations.dll", &s);
	expect_denied(&d, "no-test");
	asmgate_key_free(ci);
	asmgate_key_free(other);
	asmgate_policy_free(pol);
}

static void
test_policy__attr_name(void **state)
{
	asmgate_policy *pol;
	asmgate_signature s = sig_of(ASMGATE_SN_SIGNED, 2048, "sha1");
	asmgate_decision d;

	(void)state;
	pol = pol_body("",
	    "<host name='Star'><allow id='a' name='contoso.*'/></host>"
	    "<host name='Exact'><allow id='a' name='CONTOSO.ORCHESTRATIONS'/>"
	    "</host>"
	    "<host name='Q'><allow id='a' name='Contoso.Orchestration?'/></host>"
	    "<host name='Mid'><allow id='a' name='*.Orch*ions'/></host>"
	    "<host name='No'><allow id='a' name='Contoso.Orchestrations.*'/>"
	    "</host>");
	d = decide(pol, "Star",
	    "valid/contoso-orchestrations.dll", &s);
	expect_allowed(&d, "a");
	d = decide(pol, "Exact",
	    "valid/contoso-orchestrations.dll", &s);
	expect_allowed(&d, "a");
	d = decide(pol, "Q",
	    "valid/contoso-orchestrations.dll", &s);
	expect_allowed(&d, "a");
	d = decide(pol, "Mid",
	    "valid/contoso-orchestrations.dll", &s);
	expect_allowed(&d, "a");
	d = decide(pol, "No", "valid/contoso-orchestrations.dll", &s);
	expect_denied(&d, NULL);
	assert_true(has_reason(&d, "name 'Contoso.Orchestrations' does not "
	    "match 'Contoso.Orchestrations.*'"));
	/* the satellite's name matches the last one */
	d = decide(pol, "No", "valid/satellite-fr.dll", &s);
	expect_allowed(&d, "a");
	d = decide(pol, "Star", "valid/fabrikam-adapters.dll", &s);
	expect_denied(&d, NULL);
	asmgate_policy_free(pol);

	/* the glob itself */
	assert_true(policy_glob_match("*", ""));
	assert_true(policy_glob_match("*", "abc"));
	assert_false(policy_glob_match("?", ""));
	assert_true(policy_glob_match("a*b*c", "aXbYbZc"));
	assert_false(policy_glob_match("a*b*c", "aXbYbZ"));
	assert_true(policy_glob_match("**a**", "bab"));
	assert_true(policy_glob_match("?", "\xc3\xa9"));   /* one UTF-8 char */
	assert_false(policy_glob_match("??", "\xc3\xa9"));
	assert_true(policy_glob_match("?", "\xff"));       /* one bad byte */
	assert_true(policy_glob_match("ABC", "abc"));
	assert_false(policy_glob_match("abc", "abcd"));
	assert_false(policy_glob_match("abcd", "abc"));
	assert_true(policy_glob_match("*x", "xxxxxxxxxxxxxxxxxxxxxxxx"));
	assert_false(policy_glob_match("*a*a*a*a*a*a*b",
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
}

static void
test_policy__attr_culture_version(void **state)
{
	asmgate_policy *pol;
	asmgate_signature s = sig_of(ASMGATE_SN_SIGNED, 2048, "sha1");
	asmgate_decision d;

	(void)state;
	pol = pol_body("",
	    "<host name='Neutral'><allow id='a' culture='neutral'/></host>"
	    "<host name='Fr'><allow id='a' culture='fr-fr de-DE'/></host>"
	    "<host name='Both'><allow id='a' culture='Neutral fr-FR'/></host>"
	    "<host name='Exact'><allow id='a' minVersion='1.2.3.4' "
	    "maxVersion='1.2.3.4'/></host>"
	    "<host name='Above'><allow id='a' minVersion='1.2.3.5'/></host>"
	    "<host name='Below'><allow id='a' maxVersion='1.2.3.3'/></host>"
	    "<host name='Range'><allow id='a' minVersion='1.0.0.0' "
	    "maxVersion='1.65535.65535.65535'/></host>");
	d = decide(pol, "Neutral",
	    "valid/contoso-orchestrations.dll", &s);
	expect_allowed(&d, "a");
	d = decide(pol, "Neutral", "valid/satellite-fr.dll", &s);
	expect_denied(&d, NULL);
	assert_true(has_reason(&d, "culture fr-FR not in [neutral]"));
	/* cultures compare case-insensitively */
	d = decide(pol, "Fr", "valid/satellite-fr.dll", &s);
	expect_allowed(&d, "a");
	d = decide(pol, "Fr", "valid/contoso-orchestrations.dll", &s);
	assert_true(has_reason(&d, "culture neutral not in [fr-fr, de-DE]"));
	d = decide(pol, "Both", "valid/satellite-fr.dll",
	    &s);
	expect_allowed(&d, "a");
	d = decide(pol, "Both",
	    "valid/contoso-orchestrations.dll", &s);
	expect_allowed(&d, "a");
	/* inclusive bounds, compared part by part */
	d = decide(pol, "Exact",
	    "valid/contoso-orchestrations.dll", &s);
	expect_allowed(&d, "a");
	d = decide(pol, "Above", "valid/contoso-orchestrations.dll", &s);
	assert_true(has_reason(&d, "version 1.2.3.4 is below minVersion "
	    "1.2.3.5"));
	d = decide(pol, "Below", "valid/contoso-orchestrations.dll", &s);
	assert_true(has_reason(&d, "version 1.2.3.4 is above maxVersion "
	    "1.2.3.3"));
	d = decide(pol, "Range",
	    "valid/contoso-orchestrations.dll", &s);
	expect_allowed(&d, "a");
	d = decide(pol, "Range", "valid/fabrikam-adapters.dll", &s);
	assert_true(has_reason(&d, "version 2.0.0.0 is above maxVersion"));
	asmgate_policy_free(pol);
}

static void
test_policy__attr_bits_hash(void **state)
{
	asmgate_policy *pol;
	asmgate_signature s = sig_of(ASMGATE_SN_SIGNED, 2048, "sha1");
	asmgate_decision d;

	(void)state;
	pol = pol_body("",
	    "<host name='Bits'><allow id='a' minKeyBits='2048'/></host>"
	    "<host name='Hash'><allow id='a' hashAlgorithms='sha256 sha512'/>"
	    "</host>");
	d = decide(pol, "Bits",
	    "valid/contoso-orchestrations.dll", &s);
	expect_allowed(&d, "a");
	s.key_bits = 2047;
	d = decide(pol, "Bits", "valid/contoso-orchestrations.dll", &s);
	assert_true(has_reason(&d, "key has 2047 bits, fewer than minKeyBits "
	    "2048"));
	s.key_bits = 0;
	d = decide(pol, "Bits", "valid/contoso-orchestrations.dll", &s);
	assert_true(has_reason(&d, "no signing key"));
	s.key_bits = 4096;
	d = decide(pol, "Bits",
	    "valid/contoso-orchestrations.dll", &s);
	expect_allowed(&d, "a");
	/* the signature's digest, not the File-table hash */
	d = decide(pol, "Hash", "valid/contoso-orchestrations.dll", &s);
	assert_true(has_reason(&d, "signature hash sha1 not in [sha256, "
	    "sha512]"));
	s.hash_name = "sha256";
	d = decide(pol, "Hash",
	    "valid/contoso-orchestrations.dll", &s);
	expect_allowed(&d, "a");
	s.hash_name = "sha512";
	d = decide(pol, "Hash",
	    "valid/contoso-orchestrations.dll", &s);
	expect_allowed(&d, "a");
	s.hash_name = NULL;
	d = decide(pol, "Hash", "valid/contoso-orchestrations.dll", &s);
	assert_true(has_reason(&d, "signature hash unknown"));
	asmgate_policy_free(pol);
}

/* checksum="required" (issue 15): an allow rule with it matches only
 * when the stored PE checksum is the file's; without it the checksum
 * does not matter (the .NET rule). */
static void
test_policy__attr_checksum(void **state)
{
	asmgate_policy *pol;
	asmgate_signature s = sig_of(ASMGATE_SN_SIGNED, 2048, "sha1");
	asmgate_decision d;
	rd_buf b;

	(void)state;
	pol = pol_body("",
	    "<host name='Strict'><allow id='a' keys='contoso' "
	    "checksum='required'/></host>"
	    "<host name='Loose'><allow id='a' keys='contoso'/></host>");
	s.checksum_ok = 1;
	s.checksum_stored = s.checksum_computed = 0xb15f;
	d = decide(pol, "Strict", "valid/contoso-orchestrations.dll", &s);
	expect_allowed(&d, "a");
	s.checksum_ok = 0;
	s.checksum_stored = 0xb15e;
	d = decide(pol, "Strict", "valid/contoso-orchestrations.dll", &s);
	assert_false(d.allowed);
	assert_true(has_reason(&d, "PE checksum 0x0000b15e is not the "
	    "file's 0x0000b15f; the rule has checksum=\"required\""));
	d = decide(pol, "Loose", "valid/contoso-orchestrations.dll", &s);
	expect_allowed(&d, "a");
	/* the summary names it */
	rd_buf_init(&b, 4096);
	policy_rule_describe(&b, pol, &pol->rules[0]);
	assert_non_null(strstr(rd_buf_cstr(&b), "PE checksum required"));
	rd_buf_free(&b);
	asmgate_policy_free(pol);
}

/* The count of failed conditions taken without rule_fails (no policy
 * key found, state not test-signed, no rare condition) orders the
 * nearest rules as the full check does, and a rule it finds matching
 * allows. */
static void
test_policy__nearest_fast_path(void **state)
{
	asmgate_policy *pol;
	asmgate_signature s = sig_of(ASMGATE_SN_SIGNED, 2048, "sha1");
	asmgate_decision d;

	(void)state;
	/* the assembly's key (contoso) is not in this policy */
	pol = pol_from("<policy xmlns='" NS "'>"
	    "<key id='fabrikam' file='fabrikam.pub'/>"
	    "<host name='H'>"
	    "<allow id='a' keys='fabrikam' name='Contoso.*'/>"
	    "<allow id='b' name='Contoso.X*' states='unsigned'/>"
	    "<allow id='c' name='Z*'/>"
	    "<allow id='d' name='*orch*' keys='fabrikam' "
	    "states='delay-signed'/>"
	    "<allow id='e' states='delay-signed'/>"
	    "<allow id='f' name='?ontoso.Orchestrations' keys='fabrikam'/>"
	    "</host><host name='G'>"
	    "<allow id='g' name='Z*'/>"
	    "<allow id='h' name='contoso.orchestrations'/>"
	    "</host></policy>");
	d = decide(pol, "H", "valid/contoso-orchestrations.dll", &s);
	expect_denied(&d, NULL);
	assert_int_equal(d.nreasons, 7);
	assert_non_null(strstr(d.reasons[1], "allow rule 'a': "));
	assert_non_null(strstr(d.reasons[2], "allow rule 'c': "));
	assert_non_null(strstr(d.reasons[3], "allow rule 'e': "));
	assert_non_null(strstr(d.reasons[4], "allow rule 'f': "));
	assert_null(strstr(d.reasons[4], "conditions fail"));
	assert_non_null(strstr(d.reasons[5], "allow rule 'b': "));
	assert_non_null(strstr(d.reasons[5], "(2 conditions fail)"));
	assert_non_null(strstr(d.reasons[6], "allow rule 'd': "));
	assert_non_null(strstr(d.reasons[6], "(2 conditions fail)"));
	d = decide(pol, "G", "valid/contoso-orchestrations.dll", &s);
	expect_allowed(&d, "h");
	asmgate_policy_free(pol);
}

/* All conditions must match; the nearest allow rules explain a default
 * deny, fewest failed conditions first, at most ASMGATE_MAX_REASONS. */
static void
test_policy__nearest_reasons(void **state)
{
	asmgate_policy *pol;
	asmgate_signature s = sig_of(ASMGATE_SN_SIGNED, 2048, "sha1");
	asmgate_decision d;
	char body[4096];
	size_t i;

	(void)state;
	strcpy(body, "<host name='H'>"
	    "<allow id='far' keys='fabrikam' name='X*' culture='fr-FR'/>"
	    "<allow id='near' keys='contoso' minVersion='9.0.0.0'/>");
	for (i = 0; i < 10; i++)
		snprintf(body + strlen(body), 128,
		    "<allow id='n%zu' keys='fabrikam' name='Y*'/>", i);
	strcat(body, "</host>");
	pol = pol_body("", body);
	d = decide(pol, "H", "valid/contoso-orchestrations.dll", &s);
	expect_denied(&d, NULL);
	assert_int_equal(d.nreasons, ASMGATE_MAX_REASONS);
	assert_string_equal(d.reasons[0], "no rule matched: denied by default");
	assert_string_equal(d.reasons[1], "allow rule 'near': version 1.2.3.4 "
	    "is below minVersion 9.0.0.0");
	assert_non_null(strstr(d.reasons[2], "allow rule 'n0': identity key"));
	assert_non_null(strstr(d.reasons[2], "(2 conditions fail)"));
	assert_false(has_reason(&d, "'far'"));
	asmgate_policy_free(pol);
}

/* A policy at the caps (issue 14): RD_MAX_POLICY_KEYS keys, the vendor
 * keys last (past the first 64: key sets are many words), and
 * RD_MAX_POLICY_RULES rules in one host, one of them listing
 * RD_MAX_POLICY_LIST keys. Key lines start at line 2 (key i on line
 * i + 2, rule i on line 1027 + i); nrules are made and extra_rules
 * appended to them. */
static void
caps_policy(rd_buf *b, const char *extra_rules, size_t nrules)
{
	size_t i, j;

	rd_buf_init(b, RD_MAX_POLICY_BYTES);
	rd_buf_printf(b, "<policy xmlns='" NS "'>\n");
	for (i = 0; i + 4 < RD_MAX_POLICY_KEYS; i++)
		rd_buf_printf(b, "<key id='t%zu' token='%016zx'/>\n", i,
		    i + 0x1000);
	rd_buf_puts(b, "<key id='contoso' file='contoso.pub'/>\n"
	    "<key id='fabrikam' file='fabrikam.pub'/>\n"
	    "<key id='ci' file='test2048.pub'/>\n"
	    "<key id='tok' token='e0ba8f48cb722cea'/>\n");
	rd_buf_puts(b, "<host name='H'>\n"
	    "<allow id='r0' keys='t0 t1' name='Vendor*'/>\n"
	    "<allow id='r1' keys='tok contoso' culture='fr-FR'/>\n"
	    "<allow id='r2' name='Vendor*' keys='");
	for (j = 0; j + 1 < RD_MAX_POLICY_LIST; j++)
		rd_buf_printf(b, "t%zu ", j);
	rd_buf_puts(b, "fabrikam'/>\n");
	for (i = 3; i < nrules; i++) {
		if (i == 100)
			rd_buf_puts(b, "<allow id='r100' keys='t5 contoso' "
			    "minVersion='9.0.0.0'/>\n");
		else if (i == RD_MAX_POLICY_RULES - 3)
			rd_buf_puts(b, "<deny id='no-satellite' keys='tok' "
			    "culture='fr-FR'/>\n");
		else if (i == RD_MAX_POLICY_RULES - 2)
			rd_buf_puts(b, "<allow id='near-end' keys='t1 tok' "
			    "name='Contoso.*' maxVersion='1.0.0.0'/>\n");
		else if (i == RD_MAX_POLICY_RULES - 1)
			rd_buf_puts(b, "<allow id='fab' keys='t9 fabrikam' "
			    "name='Fabrikam.*'/>\n");
		else
			rd_buf_printf(b, "<allow id='r%zu' keys='t%zu t%zu' "
			    "name='Vendor%zu.*'/>\n", i, i % 1000,
			    (i * 7 + 1) % 1000, i);
	}
	rd_buf_puts(b, extra_rules);
	rd_buf_puts(b, "</host></policy>\n");
	assert_false(b->failed);
}

/* Decisions and their reasons at the caps: the first matching deny
 * rule wins although an allow rule before it matches; the last rule
 * allows through a key past the first word of the key sets; a default
 * denial names the allow rules with the fewest failed conditions first
 * (one of them the second to last rule), then document order. */
static void
test_policy__decide_at_caps(void **state)
{
	asmgate_signature s = sig_of(ASMGATE_SN_SIGNED, 2048, "sha1");
	asmgate_policy *pol;
	asmgate_decision d;
	rd_buf b;

	(void)state;
	caps_policy(&b, "", RD_MAX_POLICY_RULES);
	pol = pol_from(rd_buf_cstr(&b));
	rd_buf_free(&b);
	assert_int_equal(pol->nkeys, RD_MAX_POLICY_KEYS);
	assert_int_equal(pol->nrules, RD_MAX_POLICY_RULES);

	d = decide(pol, "H", "valid/contoso-orchestrations.dll", &s);
	expect_denied(&d, NULL);
	assert_int_equal(d.nreasons, ASMGATE_MAX_REASONS);
	assert_string_equal(d.reasons[0], "no rule matched: denied by default");
	assert_string_equal(d.reasons[1], "allow rule 'r1': culture neutral "
	    "not in [fr-FR]");
	assert_string_equal(d.reasons[2], "allow rule 'r100': version 1.2.3.4 "
	    "is below minVersion 9.0.0.0");
	assert_string_equal(d.reasons[3], "allow rule 'near-end': version "
	    "1.2.3.4 is above maxVersion 1.0.0.0");
	assert_string_equal(d.reasons[4], "allow rule 'r0': identity key is "
	    "not one of [t0, t1] (2 conditions fail)");
	/* 256 keys: the list is cut, and so is the reason */
	assert_non_null(strstr(d.reasons[5], "allow rule 'r2': identity key "
	    "is not one of [t0, t1, t2, t3, "));
	assert_string_equal(d.reasons[6], "allow rule 'r3': identity key is "
	    "not one of [t3, t22] (2 conditions fail)");
	assert_string_equal(d.reasons[7], "allow rule 'r4': identity key is "
	    "not one of [t4, t29] (2 conditions fail)");

	/* the last rule, by a key in the last word of the sets */
	s.key_bits = 1024;
	d = decide(pol, "H", "valid/fabrikam-adapters.dll", &s);
	expect_allowed(&d, "fab");
	assert_int_equal(d.nreasons, 1);
	assert_string_equal(d.reasons[0], "matched allow rule 'fab'");

	/* r1 allows it, the deny rule near the end still wins */
	s.key_bits = 2048;
	d = decide(pol, "H", "valid/satellite-fr.dll", &s);
	expect_denied(&d, "no-satellite");
	assert_string_equal(d.reasons[0], "matched deny rule 'no-satellite'");
	asmgate_policy_free(pol);
}

/* Load errors at the caps: a key id or rule id defined twice is named
 * with the line of its first definition; the id tables do not confuse
 * rules of two hosts. */
static void
test_policy__duplicates_at_caps(void **state)
{
	asmgate_error err;
	char *at;
	rd_buf b;

	(void)state;
	/* the last key (line 1025) becomes a second t5 (line 7); keys are
	 * read before the rules that name tok */
	caps_policy(&b, "", RD_MAX_POLICY_RULES);
	rd_buf_cstr(&b);
	at = strstr((char *)b.p, "<key id='tok' ");
	assert_non_null(at);
	memcpy(at, "<key id='t5'  ", 14);
	err = pol_bad((const char *)b.p);
	assert_int_equal(err.line, RD_MAX_POLICY_KEYS + 1);
	assert_string_equal(err.msg, "duplicate key id 't5' (first at line 7)");
	rd_buf_free(&b);
	/* the last rule repeats r17 (line 1024 + 2 + 17 + 1) */
	caps_policy(&b, "<allow id='r17'/>\n", RD_MAX_POLICY_RULES - 1);
	err = pol_bad(rd_buf_cstr(&b));
	assert_int_equal(err.line, RD_MAX_POLICY_KEYS + RD_MAX_POLICY_RULES +
	    2);
	assert_string_equal(err.msg, "duplicate rule id 'r17' in host 'H' "
	    "(first at line 1044)");
	rd_buf_free(&b);
}

/* A keys list is checked item by item in order: an item listed twice
 * (even an unknown one) before an unknown key, before a token-only test
 * key. */
static void
test_policy__key_list_errors(void **state)
{
	static const struct {
		const char *rule;
		const char *msg;
	} cases[] = {
		{ "<allow id='a' keys='contoso zz contoso'/>",
		    "'contoso' is listed twice in keys" },
		{ "<allow id='a' keys='zz contoso zz'/>",
		    "'zz' is listed twice in keys" },
		{ "<allow id='a' keys='zz contoso yy zz'/>",
		    "'zz' is listed twice in keys" },
		{ "<allow id='a' keys='contoso zz yy'/>",
		    "unknown key 'zz' in keys of rule 'a'" },
		{ "<allow id='a' keys='fabrikam contoso tok fabrikam'/>",
		    "'fabrikam' is listed twice in keys" },
		{ "<allow id='a' states='test-signed' testKeys='ci tok ci'/>",
		    "'ci' is listed twice in testKeys" },
		{ "<allow id='a' states='test-signed' testKeys='ci tok'/>",
		    "test key 'tok' is token-only" },
		{ "<deny id='a' keys='tok'/><allow id='a' keys='tok'/>",
		    "duplicate rule id 'a' in host 'H'" },
	};
	char xml[1024];
	asmgate_error err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(xml, sizeof(xml), "<policy xmlns='" NS "'>" KEYS
		    "<host name='H'>%s</host></policy>", cases[i].rule);
		err = pol_bad(xml);
		if (!strstr(err.msg, cases[i].msg))
			fail_msg("%s: got '%s', want '%s'", cases[i].rule,
			    err.msg, cases[i].msg);
	}
	/* the same rule id in two hosts is fine */
	asmgate_policy_free(pol_from("<policy xmlns='" NS "'>" KEYS
	    "<host name='A'><allow id='x' keys='tok'/></host>"
	    "<host name='B'><allow id='x' keys='tok'/></host></policy>"));
}

static void
test_policy__audit_mode(void **state)
{
	asmgate_policy *pol;
	asmgate_signature s = sig_of(ASMGATE_SN_SIGNED, 2048, "sha1");
	asmgate_decision d;

	(void)state;
	pol = pol_body(" mode='audit'",
	    "<host name='Inherit'><allow id='a' keys='fabrikam'/></host>"
	    "<host name='Enforce' mode='enforce'><allow id='a' "
	    "keys='fabrikam'/></host>");
	assert_int_equal(asmgate_policy_host_audit(pol, 0), 1);
	assert_int_equal(asmgate_policy_host_audit(pol, 1), 0);
	d = decide(pol, "Inherit", "valid/contoso-orchestrations.dll", &s);
	expect_denied(&d, NULL);
	assert_int_equal(d.audit, 1);
	d = decide(pol, "Enforce", "valid/contoso-orchestrations.dll", &s);
	expect_denied(&d, NULL);
	assert_int_equal(d.audit, 0);
	asmgate_policy_free(pol);

	pol = pol_body("", "<host name='A' mode='audit'><deny id='d'/></host>"
	    "<host name='E'><deny id='d'/></host>");
	d = decide(pol, "A", "valid/contoso-orchestrations.dll", &s);
	expect_denied(&d, "d");
	assert_int_equal(d.audit, 1);
	d = decide(pol, "E", "valid/contoso-orchestrations.dll", &s);
	assert_int_equal(d.audit, 0);
	asmgate_policy_free(pol);
}

/* Names fold case for ASCII letters only (docs/POLICY.md): a non-ASCII
 * letter matches in its own case only, and lint says so. */
static void
test_policy__glob_case_ascii_only(void **state)
{
	(void)state;
	assert_true(policy_glob_match("CONT.*", "cont.x"));
	assert_true(policy_glob_match("cont.\xc3\x89*", "Cont.\xc3\x89x"));
	assert_false(policy_glob_match("cont.\xc3\x89*", "Cont.\xc3\xa9x"));
	assert_true(policy_glob_match("cont.?x", "Cont.\xc3\xa9x"));
}

/* Every lint code, and a policy that draws none. */
static void
test_policy__lint(void **state)
{
	static const char *const codes[] = { "token-only-key", "short-key",
		"unused-key", "private-key-file", "duplicate-key",
		"allow-any-key", "weak-state", "never-matches", "no-effect",
		"no-allow-rule", "audit-mode", "non-ascii-name" };
	asmgate_policy *pol;
	size_t i, j;
	unsigned long last = 0;

	(void)state;
	pol = pol_from("<policy xmlns='" NS "' mode='audit'>"
	    "<key id='tok' token='e0ba8f48cb722cea'/>\n"
	    "<key id='fab' file='fabrikam.pub'/>\n"
	    "<key id='snk' file='contoso.snk'/>\n"
	    "<key id='dup' file='contoso.pub'/>\n"
	    "<host name='A'>\n"
	    "<allow id='any' states='signed unsigned public-signed'/>\n"
	    "<allow id='range' keys='fab' minVersion='2.0.0.0' "
	    "maxVersion='1.0.0.0'/>\n"
	    "<allow id='tk' keys='fab' states='test-signed'/>\n"
	    "<allow id='tk2' keys='snk' testKeys='dup'/>\n"
	    "<deny id='uns' keys='fab' states='unsigned'/>\n"
	    "<deny id='eacute' name='cont.\xc3\x89*'/>\n"
	    "</host>\n<host name='B'/>\n"
	    "<host name='C'><deny id='all'/><allow id='x' keys='fab'/></host>"
	    "</policy>");
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		int found = 0;
		for (j = 0; j < asmgate_policy_warning_count(pol); j++)
			if (strcmp(asmgate_policy_get_warning(pol, j)->code,
			    codes[i]) == 0)
				found = 1;
		if (!found)
			fail_msg("no %s warning", codes[i]);
	}
	for (j = 0; j < asmgate_policy_warning_count(pol); j++) {
		const asmgate_policy_warning *w = asmgate_policy_get_warning(pol,
		    j);
		assert_true(w->line >= last); /* sorted by line */
		last = w->line;
		assert_true(w->msg[0] != '\0');
	}
	asmgate_policy_free(pol);

	pol = pol_from("<policy xmlns='" NS "'/>");
	assert_int_equal(asmgate_policy_warning_count(pol), 1);
	assert_string_equal(asmgate_policy_get_warning(pol, 0)->code,
	    "no-hosts");
	asmgate_policy_free(pol);

	pol = pol_from("<policy xmlns='" NS "'><key id='c' file='contoso.pub'/>"
	    "<host name='H'><allow id='a' keys='c'/></host></policy>");
	assert_int_equal(asmgate_policy_warning_count(pol), 0);
	asmgate_policy_free(pol);
}

static void
test_policy__show(void **state)
{
	asmgate_policy *pol = NULL;
	asmgate_error err;
	uint8_t *out = NULL;
	size_t len = 0;
	jv *doc;
	const jv *keys, *hosts, *rules;

	(void)state;
	asmgate_error_clear(&err);
	assert_int_equal(asmgate_policy_load(&pol,
	    th_path("policy/issue-example.xml"), &err), ASMGATE_OK);
	assert_int_equal(asmgate_policy_show(pol, ASMGATE_REPORT_TEXT, &out,
	    &len, &err), ASMGATE_OK);
	assert_int_equal(strlen((const char *)out), len);
	/* tokens from samples/keys/README.md */
	assert_non_null(strstr((const char *)out, "e0ba8f48cb722cea"));
	assert_non_null(strstr((const char *)out, "92cdd74130f40b2c"));
	assert_non_null(strstr((const char *)out, "31bf3856ad364e35"));
	assert_non_null(strstr((const char *)out, "bits         1024"));
	assert_non_null(strstr((const char *)out, "fingerprint  sha256:"));
	/* deny rules are listed before the allow rules they beat */
	assert_true(strstr((const char *)out, "deny no-legacy") <
	    strstr((const char *)out, "allow contoso-1x"));
	assert_non_null(strstr((const char *)out, "otherwise deny (default)"));
	asmgate_free(out);

	assert_int_equal(asmgate_policy_show(pol, ASMGATE_REPORT_JSON, &out,
	    &len, &err), ASMGATE_OK);
	doc = json_parse((const char *)out);
	if (!doc)
		fail_msg("show json is not JSON:\n%s", out);
	keys = jget(doc, "keys");
	assert_int_equal(keys->count, 4);
	assert_string_equal(jstr(jget(jat(keys, 0), "token")),
	    "e0ba8f48cb722cea");
	assert_string_equal(jstr(jget(jat(keys, 0), "source")), "publicKey");
	assert_int_equal(jget(jat(keys, 2), "bits")->type, 'z');
	hosts = jget(doc, "hosts");
	assert_int_equal(hosts->count, 1);
	rules = jget(jat(hosts, 0), "rules");
	assert_int_equal(rules->count, 3);
	assert_string_equal(jstr(jget(jat(rules, 0), "action")), "deny");
	assert_string_equal(jstr(jget(jat(rules, 1), "minVersion")),
	    "1.0.0.0");
	assert_non_null(jget(doc, "warnings"));
	jv_free(doc);
	asmgate_free(out);

	assert_int_equal(asmgate_policy_show(pol, ASMGATE_REPORT_SARIF, &out,
	    &len, &err), ASMGATE_E_USAGE);
	asmgate_policy_free(pol);
}

/* A JUnit schema written from the de facto structure Jenkins, GitLab
 * and Azure DevOps read (docs: cocotb's JUnit reference, GitLab unit
 * test reports): testsuites > testsuite > testcase, counts as integers,
 * failure/error/skipped with message and type, system-out/err. */
static const char junit_xsd[] =
	"<xs:schema xmlns:xs='http://www.w3.org/2001/XMLSchema'>"
	"<xs:complexType name='problem' mixed='true'>"
	" <xs:attribute name='message' type='xs:string'/>"
	" <xs:attribute name='type' type='xs:string'/>"
	"</xs:complexType>"
	"<xs:element name='testsuites'><xs:complexType><xs:sequence>"
	" <xs:element ref='testsuite' minOccurs='0' maxOccurs='unbounded'/>"
	"</xs:sequence>"
	" <xs:attribute name='name' type='xs:string'/>"
	" <xs:attribute name='tests' type='xs:nonNegativeInteger'/>"
	" <xs:attribute name='failures' type='xs:nonNegativeInteger'/>"
	" <xs:attribute name='errors' type='xs:nonNegativeInteger'/>"
	" <xs:attribute name='time' type='xs:decimal'/>"
	"</xs:complexType></xs:element>"
	"<xs:element name='testsuite'><xs:complexType><xs:sequence>"
	" <xs:element name='properties' minOccurs='0'><xs:complexType>"
	"  <xs:sequence><xs:element name='property' maxOccurs='unbounded'>"
	"   <xs:complexType>"
	"    <xs:attribute name='name' type='xs:string' use='required'/>"
	"    <xs:attribute name='value' type='xs:string' use='required'/>"
	"   </xs:complexType></xs:element></xs:sequence>"
	" </xs:complexType></xs:element>"
	" <xs:element name='testcase' minOccurs='0' maxOccurs='unbounded'>"
	"  <xs:complexType><xs:sequence>"
	"   <xs:choice minOccurs='0'>"
	"    <xs:element name='skipped' type='problem'/>"
	"    <xs:element name='error' type='problem'/>"
	"    <xs:element name='failure' type='problem'/>"
	"   </xs:choice>"
	"   <xs:element name='system-out' type='xs:string' minOccurs='0'/>"
	"   <xs:element name='system-err' type='xs:string' minOccurs='0'/>"
	"  </xs:sequence>"
	"  <xs:attribute name='name' type='xs:string' use='required'/>"
	"  <xs:attribute name='classname' type='xs:string' use='required'/>"
	"  <xs:attribute name='time' type='xs:decimal'/>"
	" </xs:complexType></xs:element>"
	"</xs:sequence>"
	" <xs:attribute name='name' type='xs:string' use='required'/>"
	" <xs:attribute name='tests' type='xs:nonNegativeInteger' use='required'/>"
	" <xs:attribute name='failures' type='xs:nonNegativeInteger' use='required'/>"
	" <xs:attribute name='errors' type='xs:nonNegativeInteger' use='required'/>"
	" <xs:attribute name='skipped' type='xs:nonNegativeInteger'/>"
	" <xs:attribute name='time' type='xs:decimal'/>"
	"</xs:complexType></xs:element>"
	"</xs:schema>";

static void
quiet(void *ctx, xmlErrorPtr e)
{
	(void)ctx;
	(void)e;
}

static double
xp_num(xmlXPathContextPtr xc, const char *expr)
{
	xmlXPathObjectPtr o = xmlXPathEvalExpression((const xmlChar *)expr, xc);
	double v;

	assert_non_null(o);
	v = xmlXPathCastToNumber(o);
	xmlXPathFreeObject(o);
	return v;
}

static char *
xp_str(xmlXPathContextPtr xc, const char *expr)
{
	xmlXPathObjectPtr o = xmlXPathEvalExpression((const xmlChar *)expr, xc);
	xmlChar *s;

	assert_non_null(o);
	s = xmlXPathCastToString(o);
	xmlXPathFreeObject(o);
	return (char *)s;
}

/* 1 when no two testcases share both classname and name. */
static int
xp_unique_cases(xmlXPathContextPtr xc)
{
	xmlXPathObjectPtr o = xmlXPathEvalExpression(
	    (const xmlChar *)"//testcase", xc);
	int i, k, n, ok = 1;

	assert_non_null(o);
	n = o->nodesetval ? o->nodesetval->nodeNr : 0;
	for (i = 0; i < n && ok; i++) {
		xmlNodePtr a = o->nodesetval->nodeTab[i];
		xmlChar *an = xmlGetProp(a, (const xmlChar *)"name");
		xmlChar *ac = xmlGetProp(a, (const xmlChar *)"classname");
		for (k = i + 1; k < n && ok; k++) {
			xmlNodePtr b = o->nodesetval->nodeTab[k];
			xmlChar *bn = xmlGetProp(b, (const xmlChar *)"name");
			xmlChar *bc = xmlGetProp(b, (const xmlChar *)"classname");
			if (xmlStrEqual(an, bn) && xmlStrEqual(ac, bc))
				ok = 0;
			xmlFree(bn);
			xmlFree(bc);
		}
		xmlFree(an);
		xmlFree(ac);
	}
	xmlXPathFreeObject(o);
	return ok;
}

/* The outcomes both report tests feed: one per kind. */
typedef struct report_inputs {
	asmgate_policy *pol;
	asmgate_image *contoso, *fabrikam, *weird, *unsigned_img;
	uint8_t *weird_bytes;
	asmgate_signature signed_sig, unsigned_sig;
	asmgate_decision allowed, denied_rule, denied_default, audit_denied;
	asmgate_error unreadable;
} report_inputs;

static void
inputs_init(report_inputs *in)
{
	static const char from[] = "Contoso.Orchestrations";
	asmgate_error err;
	size_t len, i;
	long h;

	memset(in, 0, sizeof(*in));
	in->pol = pol_body("",
	    "<host name='OrchestrationHost'><allow id='contoso-1x' "
	    "keys='contoso'/><deny id='no-legacy' name='*Legacy*'/></host>"
	    "<host name='TrackingHost' mode='audit'/>");
	in->contoso = open_img("valid/contoso-orchestrations.dll");
	in->fabrikam = open_img("valid/fabrikam-adapters.dll");
	in->unsigned_img = open_img("states/unsigned.dll");
	/* an assembly whose name holds invalid UTF-8, a control character,
	 * markup and a quote: the reports must stay well-formed */
	in->weird_bytes = th_load("valid/contoso-orchestrations.dll", &len);
	for (i = 0; i + sizeof(from) <= len; i++) {
		if (memcmp(in->weird_bytes + i, from, sizeof(from)) == 0)
			memcpy(in->weird_bytes + i, "\xff<Legacy\x01\"&'\x1b]]>"
			    "\xc3" "XXXXX", sizeof(from) - 1);
	}
	asmgate_error_clear(&err);
	if (asmgate_image_from_memory(&in->weird, in->weird_bytes, len, &err)
	    != ASMGATE_OK)
		fail_msg("patched sample: %s", err.msg);
	in->signed_sig = sig_of(ASMGATE_SN_SIGNED, 2048, "sha1");
	in->unsigned_sig = sig_of(ASMGATE_SN_UNSIGNED, 0, NULL);
	snprintf(in->unsigned_sig.reasons[0], ASMGATE_REASON_MAX,
	    "no public key");
	in->unsigned_sig.nreasons = 1;
	h = asmgate_policy_find_host(in->pol, "OrchestrationHost");
	assert_int_equal(asmgate_policy_decide(in->pol, (size_t)h, in->contoso,
	    &in->signed_sig, &in->allowed, &err), ASMGATE_OK);
	assert_int_equal(asmgate_policy_decide(in->pol, (size_t)h, in->weird,
	    &in->signed_sig, &in->denied_rule, &err), ASMGATE_OK);
	assert_int_equal(asmgate_policy_decide(in->pol, (size_t)h,
	    in->fabrikam, &in->signed_sig, &in->denied_default, &err),
	    ASMGATE_OK);
	h = asmgate_policy_find_host(in->pol, "TrackingHost");
	assert_int_equal(asmgate_policy_decide(in->pol, (size_t)h,
	    in->contoso, &in->signed_sig, &in->audit_denied, &err),
	    ASMGATE_OK);
	assert_int_equal(in->allowed.allowed, 1);
	assert_int_equal(in->denied_rule.allowed, 0);
	assert_non_null(in->denied_rule.rule);
	assert_null(in->denied_default.rule);
	assert_int_equal(in->audit_denied.audit, 1);
	asmgate_error_clear(&in->unreadable);
	in->unreadable.code = ASMGATE_E_NOT_PE;
	snprintf(in->unreadable.msg, sizeof(in->unreadable.msg),
	    "no MZ signature <\x01>");
}

static void
inputs_free(report_inputs *in)
{
	asmgate_image_free(in->contoso);
	asmgate_image_free(in->fabrikam);
	asmgate_image_free(in->weird);
	asmgate_image_free(in->unsigned_img);
	free(in->weird_bytes);
	asmgate_policy_free(in->pol);
}

/* Feed the same outcomes to a report: 4 policy decisions, 1 unreadable,
 * 2 without a policy. */
static void
feed(asmgate_report *r, report_inputs *in)
{
	asmgate_error err;

	asmgate_error_clear(&err);
	assert_int_equal(asmgate_report_add(r, "bin/Contoso.Orchestrations.dll",
	    in->contoso, NULL, &in->signed_sig, "OrchestrationHost",
	    &in->allowed, &err), ASMGATE_OK);
	assert_int_equal(asmgate_report_add(r, "bin/we\xffird \x01<&>.dll",
	    in->weird, NULL, &in->signed_sig, "OrchestrationHost",
	    &in->denied_rule, &err), ASMGATE_OK);
	assert_int_equal(asmgate_report_add(r, "bin/Fabrikam.Adapters.dll",
	    in->fabrikam, NULL, &in->signed_sig, "OrchestrationHost",
	    &in->denied_default, &err), ASMGATE_OK);
	assert_int_equal(asmgate_report_add(r, "bin/Contoso.Orchestrations.dll",
	    in->contoso, NULL, &in->signed_sig, "TrackingHost",
	    &in->audit_denied, &err), ASMGATE_OK);
	assert_int_equal(asmgate_report_add(r, "/abs/path/readme.txt", NULL,
	    &in->unreadable, NULL, "OrchestrationHost", NULL, &err),
	    ASMGATE_OK);
	assert_int_equal(asmgate_report_add(r, "bin/unsigned.dll",
	    in->unsigned_img, NULL, &in->unsigned_sig, NULL, NULL, &err),
	    ASMGATE_OK);
	assert_int_equal(asmgate_report_add(r, "bin/signed.dll", in->contoso,
	    NULL, &in->signed_sig, NULL, NULL, &err), ASMGATE_OK);
}

/* A streamed report (asmgate_report_stream) writes the same document
 * as a whole one, as it goes: the head before the first result, each
 * file's results before finish, nothing kept; a failing writer fails
 * the report. */
typedef struct sink_buf {
	uint8_t *p;
	size_t n, cap;
	size_t calls;
	int fail;
} sink_buf;

static int
sink_put(void *ctx, const uint8_t *p, size_t n)
{
	sink_buf *b = ctx;

	b->calls++;
	if (b->fail)
		return 0;
	if (b->n + n + 1 > b->cap) {
		b->cap = (b->n + n + 1) * 2;
		b->p = realloc(b->p, b->cap);
		assert_non_null(b->p);
	}
	memcpy(b->p + b->n, p, n);
	b->n += n;
	b->p[b->n] = 0;
	return 1;
}

static void
test_policy__report_stream(void **state)
{
	static const asmgate_report_format fmts[] = { ASMGATE_REPORT_JUNIT,
		ASMGATE_REPORT_SARIF };
	size_t f;

	(void)state;
	for (f = 0; f < 2; f++) {
		report_inputs in;
		asmgate_report *whole = NULL, *streamed = NULL;
		asmgate_error err;
		sink_buf b = { NULL, 0, 0, 0, 0 };
		uint8_t *out = NULL, *rest = NULL;
		size_t len = 0, rlen = 0, before;

		inputs_init(&in);
		asmgate_error_clear(&err);
		assert_int_equal(asmgate_report_new(&whole, fmts[f], in.pol,
		    &err), ASMGATE_OK);
		feed(whole, &in);
		assert_int_equal(asmgate_report_finish(whole, &out, &len, &err),
		    ASMGATE_OK);
		assert_int_equal(asmgate_report_new(&streamed, fmts[f], in.pol,
		    &err), ASMGATE_OK);
		assert_int_equal(asmgate_report_stream(streamed, sink_put, &b,
		    &err), ASMGATE_OK);
		feed(streamed, &in);
		/* written as it went: more than a head before finish */
		before = b.n;
		assert_true(before > 0);
		assert_true(b.calls > 1);
		assert_int_equal(asmgate_report_finish(streamed, &rest, &rlen,
		    &err), ASMGATE_OK);
		assert_true(b.n > before);
		assert_int_equal(rlen, 0);
		/* the same document */
		assert_int_equal(b.n, len);
		assert_memory_equal(b.p, out, len);
		asmgate_free(out);
		asmgate_free(rest);
		asmgate_report_free(whole);
		asmgate_report_free(streamed);
		free(b.p);

		/* a writer that fails: the report fails, with ASMGATE_E_IO */
		memset(&b, 0, sizeof(b));
		b.fail = 1;
		assert_int_equal(asmgate_report_new(&streamed, fmts[f], in.pol,
		    &err), ASMGATE_OK);
		if (asmgate_report_stream(streamed, sink_put, &b, &err) ==
		    ASMGATE_OK) {
			rest = NULL;
			assert_int_equal(asmgate_report_finish(streamed, &rest,
			    &rlen, &err), ASMGATE_E_IO);
			asmgate_free(rest);
		} else {
			assert_int_equal(err.code, ASMGATE_E_IO);
		}
		assert_true(b.calls > 0);
		asmgate_report_free(streamed);
		inputs_free(&in);
	}
}

static void
test_policy__junit_report(void **state)
{
	report_inputs in;
	asmgate_report *r = NULL;
	asmgate_error err;
	uint8_t *out = NULL;
	size_t len = 0;
	xmlDocPtr doc;
	xmlSchemaParserCtxtPtr pc;
	xmlSchemaPtr schema;
	xmlSchemaValidCtxtPtr vc;
	xmlXPathContextPtr xc;
	char *s;

	(void)state;
	inputs_init(&in);
	asmgate_error_clear(&err);
	assert_int_equal(asmgate_report_new(&r, ASMGATE_REPORT_JUNIT, in.pol,
	    &err), ASMGATE_OK);
	feed(r, &in);
	assert_int_equal(asmgate_report_finish(r, &out, &len, &err),
	    ASMGATE_OK);
	assert_int_equal(strlen((const char *)out), len);
	/* well-formed XML 1.0 (libxml2 refuses invalid UTF-8 and control
	 * characters) */
	doc = xmlReadMemory((const char *)out, (int)len, NULL, NULL,
	    XML_PARSE_NONET);
	if (!doc)
		fail_msg("JUnit output is not XML:\n%s", out);
	/* and valid against the JUnit structure */
	pc = xmlSchemaNewMemParserCtxt(junit_xsd, (int)strlen(junit_xsd));
	xmlSchemaSetParserStructuredErrors(pc, quiet, NULL);
	schema = xmlSchemaParse(pc);
	assert_non_null(schema);
	vc = xmlSchemaNewValidCtxt(schema);
	xmlSchemaSetValidStructuredErrors(vc, quiet, NULL);
	if (xmlSchemaValidateDoc(vc, doc) != 0)
		fail_msg("JUnit output does not match the structure:\n%s", out);
	xmlSchemaFreeValidCtxt(vc);
	xmlSchemaFree(schema);
	xmlSchemaFreeParserCtxt(pc);

	xc = xmlXPathNewContext(doc);
	/* 7 testcases: 2 failures (deny rule, default), 1 error, the
	 * unsigned one without a policy fails too */
	assert_true(xp_num(xc, "count(//testcase)") == 7);
	assert_true(xp_num(xc, "count(//failure)") == 3);
	assert_true(xp_num(xc, "count(//error)") == 1);
	/* the document is written as it goes: a suite per file (the
	 * consecutive adds for one path), totals in the closing suite */
	assert_true(xp_num(xc, "count(/testsuites/@tests)") == 0);
	assert_true(xp_num(xc, "count(//testsuite)") == 8);
	assert_true(xp_num(xc, "count(//testsuite[@name='bin/"
	    "Contoso.Orchestrations.dll'])") == 2);
	assert_true(xp_num(xc, "//testsuite[@name='asmgate: summary']"
	    "/properties/property[@name='tests']/@value") == 7);
	assert_true(xp_num(xc, "//testsuite[@name='asmgate: summary']"
	    "/properties/property[@name='failures']/@value") == 3);
	assert_true(xp_num(xc, "//testsuite[@name='asmgate: summary']"
	    "/properties/property[@name='errors']/@value") == 1);
	assert_true(xp_num(xc, "count(//testsuite[@name='asmgate: summary']"
	    "/testcase)") == 0);
	/* counts per suite agree with their testcases */
	assert_true(xp_num(xc, "count(//testsuite[@tests != "
	    "count(testcase)])") == 0);
	assert_true(xp_num(xc, "count(//testsuite[@failures != "
	    "count(testcase/failure)])") == 0);
	assert_true(xp_num(xc, "count(//testsuite[@errors != "
	    "count(testcase/error)])") == 0);
	/* the hosts' modes, for the hosts reported */
	assert_true(xp_num(xc, "count(//property[@name='mode:TrackingHost'"
	    " and @value='audit'])") == 1);
	assert_true(xp_num(xc, "count(//property[@name='mode:"
	    "OrchestrationHost' and @value='enforce'])") == 1);
	/* the audit denial passes, with a note */
	assert_true(xp_num(xc, "count(//testcase[@classname='TrackingHost']"
	    "/failure)") == 0);
	s = xp_str(xc, "//testcase[@classname='TrackingHost']/system-out");
	assert_true(strncmp(s, "AUDIT: ", 7) == 0);
	assert_non_null(strstr(s, "denied in host TrackingHost by default"));
	xmlFree(s);
	/* the failure names the rule */
	s = xp_str(xc, "//failure[@type='denied']/@message");
	assert_non_null(strstr(s, "by deny rule 'no-legacy'"));
	/* invalid UTF-8 became U+FFFD; the control characters are gone */
	assert_non_null(strstr(s, "\xef\xbf\xbd<Legacy\"&']]>\xef\xbf\xbdXXXXX"));
	assert_null(strchr(s, '\x01'));
	assert_null(strchr(s, '\x1b'));
	xmlFree(s);
	s = xp_str(xc, "//failure[@type='denied-by-default']/@message");
	assert_non_null(strstr(s, "Fabrikam.Adapters, Version=2.0.0.0, "
	    "Culture=neutral, PublicKeyToken=92cdd74130f40b2c"));
	xmlFree(s);
	s = xp_str(xc, "//error/@type");
	assert_string_equal(s, "not-pe");
	xmlFree(s);
	s = xp_str(xc, "//testcase[failure/@type='strong-name/unsigned']"
	    "/@classname");
	assert_string_equal(s, "strong-name");
	xmlFree(s);
	/* classname and name together are unique (GitLab keeps only the
	 * first of equal names) */
	assert_int_equal(xp_unique_cases(xc), 1);
	xmlXPathFreeContext(xc);
	xmlFreeDoc(doc);
	asmgate_free(out);
	asmgate_report_free(r);

	/* an empty report is still a valid document */
	assert_int_equal(asmgate_report_new(&r, ASMGATE_REPORT_JUNIT, NULL,
	    &err), ASMGATE_OK);
	assert_int_equal(asmgate_report_finish(r, &out, &len, &err),
	    ASMGATE_OK);
	doc = xmlReadMemory((const char *)out, (int)len, NULL, NULL,
	    XML_PARSE_NONET);
	assert_non_null(doc);
	xmlFreeDoc(doc);
	asmgate_free(out);
	asmgate_report_free(r);
	inputs_free(&in);
}

static void
test_policy__sarif_report(void **state)
{
	static const char *const levels[] = { "none", "note", "warning",
		"error" };
	report_inputs in;
	asmgate_report *r = NULL;
	asmgate_error err;
	uint8_t *out = NULL;
	size_t len = 0, i, j;
	jv *doc;
	const jv *run, *driver, *rules, *results;
	unsigned errors = 0, warnings = 0;

	(void)state;
	inputs_init(&in);
	asmgate_error_clear(&err);
	assert_int_equal(asmgate_report_new(&r, ASMGATE_REPORT_SARIF, in.pol,
	    &err), ASMGATE_OK);
	feed(r, &in);
	assert_int_equal(asmgate_report_finish(r, &out, &len, &err),
	    ASMGATE_OK);
	doc = json_parse((const char *)out);
	if (!doc)
		fail_msg("SARIF output is not JSON:\n%s", out);
	/* SARIF 2.1.0 3.13: version and runs; GitHub: $schema */
	assert_string_equal(jstr(jget(doc, "$schema")),
	    "https://json.schemastore.org/sarif-2.1.0.json");
	assert_string_equal(jstr(jget(doc, "version")), "2.1.0");
	assert_int_equal(jget(doc, "runs")->count, 1);
	run = jat(jget(doc, "runs"), 0);
	driver = jget(jget(run, "tool"), "driver");
	assert_string_equal(jstr(jget(driver, "name")), "asmgate");
	rules = jget(driver, "rules");
	assert_non_null(rules);
	assert_int_equal(rules->type, 'a');
	/* a rule per policy rule, plus the fixed ones; ids unique; the
	 * texts GitHub shows */
	for (i = 0; i < rules->count; i++) {
		const jv *rule = jat(rules, i);
		assert_non_null(jstr(jget(rule, "id")));
		assert_non_null(jstr(jget(jget(rule, "shortDescription"),
		    "text")));
		assert_non_null(jstr(jget(jget(rule, "fullDescription"),
		    "text")));
		assert_non_null(jstr(jget(jget(rule, "help"), "text")));
		for (j = 0; j < i; j++)
			assert_string_not_equal(jstr(jget(rule, "id")),
			    jstr(jget(jat(rules, j), "id")));
	}
	{
		int found_allow = 0, found_deny = 0, found_default = 0;
		for (i = 0; i < rules->count; i++) {
			const char *id = jstr(jget(jat(rules, i), "id"));
			found_allow |= !strcmp(id,
			    "policy/OrchestrationHost/contoso-1x");
			found_deny |= !strcmp(id,
			    "policy/OrchestrationHost/no-legacy");
			found_default |= !strcmp(id, "policy/default-deny");
		}
		assert_true(found_allow && found_deny && found_default);
	}
	/* results: the 2 denials, the audit denial, the unreadable file
	 * and the unsigned assembly; nothing for what passed */
	results = jget(run, "results");
	assert_int_equal(results->count, 5);
	for (i = 0; i < results->count; i++) {
		const jv *res = jat(results, i);
		const char *rid = jstr(jget(res, "ruleId"));
		const char *lvl = jstr(jget(res, "level"));
		const jv *ri = jget(res, "ruleIndex");
		const jv *loc = jat(jget(res, "locations"), 0);
		const char *uri = jstr(jget(jget(jget(loc, "physicalLocation"),
		    "artifactLocation"), "uri"));
		int ok = 0;

		assert_non_null(rid);
		assert_non_null(lvl);
		for (j = 0; j < 4; j++)
			ok |= !strcmp(lvl, levels[j]);
		assert_true(ok);
		errors += !strcmp(lvl, "error");
		warnings += !strcmp(lvl, "warning");
		assert_non_null(jstr(jget(jget(res, "message"), "text")));
		assert_non_null(uri);
		/* a URI reference: nothing to escape left in it */
		for (j = 0; uri[j]; j++)
			assert_true(uri[j] > 0x20 && uri[j] < 0x7f &&
			    !strchr("<>\"{}|\\^` ", uri[j]));
		assert_non_null(ri);
		assert_int_equal(ri->type, 'n');
		assert_non_null(jstr(jget(jget(res, "partialFingerprints"),
		    "asmgateResult/v1")));
	}
	assert_int_equal(errors, 4);
	assert_int_equal(warnings, 1);
	assert_string_equal(jstr(jget(jat(results, 0), "ruleId")),
	    "policy/OrchestrationHost/no-legacy");
	assert_string_equal(jstr(jget(jat(results, 1), "ruleId")),
	    "policy/default-deny");
	assert_string_equal(jstr(jget(jat(results, 3), "ruleId")),
	    "asmgate/unreadable");
	assert_string_equal(jstr(jget(jget(jget(jat(jget(jat(results, 3),
	    "locations"), 0), "physicalLocation"), "artifactLocation"),
	    "uri")), "file:///abs/path/readme.txt");
	assert_string_equal(jstr(jget(jat(results, 4), "ruleId")),
	    "strong-name/unsigned");
	assert_string_equal(jstr(jget(jget(jget(jat(jget(jat(results, 0),
	    "locations"), 0), "physicalLocation"), "artifactLocation"),
	    "uri")), "bin/we%FFird%20%01%3C%26%3E.dll");
	/* invalid UTF-8 from the assembly name arrives as U+FFFD */
	assert_non_null(strstr(jstr(jget(jget(jat(results, 0), "message"),
	    "text")), "\xef\xbf\xbd<Legacy\x01\"&'\x1b]]>\xef\xbf\xbdXXXXX"));
	/* every ruleId names a rule of the driver */
	for (i = 0; i < results->count; i++) {
		size_t idx;
		for (idx = 0; idx < rules->count; idx++)
			if (!strcmp(jstr(jget(jat(rules, idx), "id")),
			    jstr(jget(jat(results, i), "ruleId"))))
				break;
		assert_true(idx < rules->count);
	}
	jv_free(doc);
	asmgate_free(out);
	asmgate_report_free(r);
	inputs_free(&in);
}

/* ruleIndex values as written, checked against rule positions. */
static void
test_policy__sarif_rule_index(void **state)
{
	report_inputs in;
	asmgate_report *r = NULL;
	asmgate_error err;
	uint8_t *out = NULL;
	size_t len = 0, i;
	const char *p;

	(void)state;
	inputs_init(&in);
	asmgate_error_clear(&err);
	assert_int_equal(asmgate_report_new(&r, ASMGATE_REPORT_SARIF, in.pol,
	    &err), ASMGATE_OK);
	feed(r, &in);
	assert_int_equal(asmgate_report_finish(r, &out, &len, &err),
	    ASMGATE_OK);
	/* fixed rules: 0 unreadable, 1-5 strong-name, 6 not-checked, 7-11
	 * authenticode, 12 default-deny, then the policy's rules in
	 * document order (contoso-1x 13, no-legacy 14) */
	p = (const char *)out;
	for (i = 0; (p = strstr(p, "\"ruleId\": ")) != NULL; i++) {
		const char *idx = strstr(p, "\"ruleIndex\": ");
		assert_non_null(idx);
		if (strncmp(p + 10, "\"policy/OrchestrationHost/no-legacy\"",
		    36) == 0)
			assert_int_equal(atoi(idx + 13), 14);
		else if (strncmp(p + 10, "\"policy/default-deny\"", 21) == 0)
			assert_int_equal(atoi(idx + 13), 12);
		else if (strncmp(p + 10, "\"asmgate/unreadable\"", 20) == 0)
			assert_int_equal(atoi(idx + 13), 0);
		else if (strncmp(p + 10, "\"strong-name/unsigned\"", 22) == 0)
			assert_int_equal(atoi(idx + 13), 1);
		p++;
	}
	assert_int_equal(i, 5);
	asmgate_free(out);
	asmgate_report_free(r);

	/* without a policy: the fixed rules only */
	assert_int_equal(asmgate_report_new(&r, ASMGATE_REPORT_SARIF, NULL,
	    &err), ASMGATE_OK);
	assert_int_equal(asmgate_report_add(r, "u.dll", in.unsigned_img, NULL,
	    &in.unsigned_sig, NULL, NULL, &err), ASMGATE_OK);
	assert_int_equal(asmgate_report_finish(r, &out, &len, &err),
	    ASMGATE_OK);
	assert_null(strstr((const char *)out, "policy/"));
	assert_non_null(strstr((const char *)out, "\"strong-name/unsigned\""));
	asmgate_free(out);
	asmgate_report_free(r);
	inputs_free(&in);
}

/* The real pipeline: verification, then the sample policies. */
static void
test_policy__with_verification(void **state)
{
	static const struct {
		const char *policy, *host, *file;
		int allowed;
		const char *rule;
	} cases[] = {
		{ "biztalk.xml", "OrchestrationHost",
		  "valid/contoso-orchestrations.dll", 1, "contoso-1x" },
		{ "biztalk.xml", "OrchestrationHost", "valid/satellite-fr.dll", 1,
		  "contoso-1x" },
		{ "biztalk.xml", "OrchestrationHost", "valid/fabrikam-adapters.dll",
		  0, NULL },
		{ "biztalk.xml", "OrchestrationHost", "states/delay-signed.dll", 0,
		  NULL },
		{ "biztalk.xml", "OrchestrationHost", "states/tampered-il.dll", 0,
		  NULL },
		{ "biztalk.xml", "OrchestrationHost", "states/signed--sha256.dll",
		  1, "contoso-1x" },
		{ "biztalk.xml", "OrchestrationHost", "states/signed--sha512.dll",
		  0, NULL },
		{ "biztalk.xml", "ReceiveHost", "valid/contoso-orchestrations.dll",
		  0, "no-orchestrations" },
		{ "biztalk.xml", "ReceiveHost", "valid/fabrikam-adapters.dll", 1,
		  "fabrikam-adapters" },
		{ "biztalk.xml", "TrackingHost", "valid/fabrikam-adapters.dll", 0,
		  NULL },
		{ "biztalk-test.xml", "OrchestrationHost",
		  "states/test-signed--test2048.dll", 1, "ci-builds" },
		{ "biztalk-test.xml", "OrchestrationHost",
		  "states/delay-signed.dll", 1, "ci-builds" },
		{ "biztalk-test.xml", "OrchestrationHost",
		  "states/public-signed.dll", 0, "no-public-signed" },
		{ "biztalk-test.xml", "TrackingHost",
		  "valid/contoso-orchestrations.dll", 0, "nothing-custom" },
	};
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char rel[128];
		asmgate_policy *pol = NULL;
		asmgate_image *img;
		asmgate_verify_options opts;
		const asmgate_key *tk[8];
		asmgate_signature sig;
		asmgate_decision d;
		asmgate_error err;
		long h;

		snprintf(rel, sizeof(rel), "policy/%s", cases[i].policy);
		asmgate_error_clear(&err);
		assert_int_equal(asmgate_policy_load(&pol, th_path(rel), &err),
		    ASMGATE_OK);
		(void)asmgate_verify_options_init(&opts, ASMGATE_VERIFY_OPTIONS_VERSION);
		for (k = 0; k < asmgate_policy_test_key_count(pol) && k < 8; k++)
			tk[k] = asmgate_policy_test_key(pol, k);
		opts.test_keys = tk;
		opts.ntest_keys = k;
		img = open_img(cases[i].file);
		assert_int_equal(asmgate_verify_image(img, &opts, &sig, &err),
		    ASMGATE_OK);
		h = asmgate_policy_find_host(pol, cases[i].host);
		assert_true(h >= 0);
		assert_int_equal(asmgate_policy_decide(pol, (size_t)h, img, &sig,
		    &d, &err), ASMGATE_OK);
		if (d.allowed != cases[i].allowed || (cases[i].rule ?
		    !d.rule || strcmp(d.rule, cases[i].rule) : d.rule != NULL))
			fail_msg("%s %s %s (%s): got %s by %s: %s",
			    cases[i].policy, cases[i].host, cases[i].file,
			    asmgate_sn_state_name(sig.state),
			    asmgate_decision_verdict(&d),
			    d.rule ? d.rule : "default",
			    d.nreasons > 1 ? d.reasons[1] : d.reasons[0]);
		asmgate_image_free(img);
		asmgate_policy_free(pol);
	}
}

/* Decide img (parsed) for the named host. */
static asmgate_decision
decide_img(const asmgate_policy *pol, const char *host,
    const asmgate_image *img, const asmgate_signature *sig)
{
	asmgate_decision d;
	asmgate_error err;
	long h = asmgate_policy_find_host(pol, host);

	if (h < 0)
		fail_msg("no host %s", host);
	asmgate_error_clear(&err);
	assert_int_equal(asmgate_policy_decide(pol, (size_t)h, img, sig, &d,
	    &err), ASMGATE_OK);
	return d;
}

/* A signature that verified through --key-map: contoso's identity
 * (e0ba8f48cb722cea), the slot signed with test2048 (77906b6731e6e44e,
 * samples/keys/README.md) by asmgate sign --test-sign, verified with a
 * map contoso -> test2048. Pinning contoso's identity is not enough for
 * an allow rule: the substitute must be listed too; a deny rule matches
 * on either key. */
static void
test_policy__key_map_signer(void **state)
{
	asmgate_policy *pol;
	asmgate_image *img = NULL, *own = NULL;
	asmgate_key *ci = NULL, *ci_pair = NULL;
	asmgate_key_mapping map;
	asmgate_verify_options vo;
	asmgate_sign_options so;
	asmgate_signature sig, idsig, bare;
	asmgate_decision d;
	asmgate_error err;
	char in[128], out[128];
	size_t len;
	uint8_t *b;
	FILE *f;

	(void)state;
	(void)key_info_of(&ci, "keys/test2048.pub");
	(void)key_info_of(&ci_pair, "keys/test2048.snk");
	snprintf(in, sizeof(in), "%s/km-in.dll", th_tmpdir);
	snprintf(out, sizeof(out), "%s/km-out.dll", th_tmpdir);
	b = th_load("valid/contoso-orchestrations.dll", &len);
	f = fopen(in, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(b, 1, len, f), len);
	fclose(f);
	free(b);
	(void)asmgate_sign_options_init(&so, ASMGATE_SIGN_OPTIONS_VERSION);
	so.test_sign = 1;
	asmgate_error_clear(&err);
	assert_int_equal(asmgate_sign_file(in, out, ci_pair, &so, &err),
	    ASMGATE_OK);
	assert_int_equal(asmgate_image_open(&img, out, &err), ASMGATE_OK);
	(void)asmgate_verify_options_init(&vo, ASMGATE_VERIFY_OPTIONS_VERSION);
	memcpy(map.token, "\xe0\xba\x8f\x48\xcb\x72\x2c\xea", 8);
	map.key = ci;
	vo.key_map = &map;
	vo.nkey_map = 1;
	assert_int_equal(asmgate_verify_image(img, &vo, &sig, &err),
	    ASMGATE_OK);
	assert_int_equal(sig.state, ASMGATE_SN_SIGNED);
	assert_int_equal(sig.verified_with, ASMGATE_VW_KEY_MAP);
	assert_true(sig.has_signer);
	assert_memory_equal(sig.signer_token,
	    "\x77\x90\x6b\x67\x31\xe6\xe4\x4e", 8);

	pol = pol_body("",
	    "<key id='citok' token='77906b6731e6e44e'/>"
	    "<host name='IdOnly'><allow id='a' keys='contoso'/></host>"
	    "<host name='TokOnly'><allow id='a' keys='tok'/></host>"
	    "<host name='Both'><allow id='a' keys='contoso ci'/></host>"
	    "<host name='BothTok'><allow id='a' keys='tok citok'/></host>"
	    "<host name='SignerOnly'><allow id='a' keys='ci'/></host>"
	    "<host name='DenyId'><deny id='d' keys='contoso'/>"
	    "<allow id='a' states='signed'/></host>"
	    "<host name='DenySigner'><deny id='d' keys='ci'/>"
	    "<allow id='a' keys='contoso ci'/></host>"
	    "<host name='DenySignerTok'><deny id='d' keys='citok'/>"
	    "<allow id='a' keys='contoso ci'/></host>"
	    "<host name='DenyOther'><deny id='d' keys='fabrikam'/>"
	    "<allow id='a' keys='contoso ci'/></host>");
	d = decide_img(pol, "IdOnly", img, &sig);
	expect_denied(&d, NULL);
	assert_true(has_reason(&d, "signed with a --key-map substitute that "
	    "is not one of [contoso]"));
	d = decide_img(pol, "TokOnly", img, &sig);
	expect_denied(&d, NULL);
	d = decide_img(pol, "Both", img, &sig);
	expect_allowed(&d, "a");
	d = decide_img(pol, "BothTok", img, &sig);
	expect_allowed(&d, "a");
	d = decide_img(pol, "SignerOnly", img, &sig);
	expect_denied(&d, NULL);
	assert_true(has_reason(&d, "identity key is not one of [ci]"));
	d = decide_img(pol, "DenyId", img, &sig);
	expect_denied(&d, "d");
	d = decide_img(pol, "DenySigner", img, &sig);
	expect_denied(&d, "d");
	d = decide_img(pol, "DenySignerTok", img, &sig);
	expect_denied(&d, "d");
	d = decide_img(pol, "DenyOther", img, &sig);
	expect_allowed(&d, "a");

	/* A key-map outcome without the signer's facts: fail closed. */
	bare = sig;
	bare.has_signer = 0;
	d = decide_img(pol, "Both", img, &bare);
	expect_denied(&d, NULL);

	/* Signed by its own identity key: the identity pin suffices, and a
	 * deny on another key does not apply. */
	assert_int_equal(asmgate_image_open(&own,
	    th_path("valid/contoso-orchestrations.dll"), &err), ASMGATE_OK);
	assert_int_equal(asmgate_verify_image(own, NULL, &idsig, &err),
	    ASMGATE_OK);
	assert_int_equal(idsig.verified_with, ASMGATE_VW_IDENTITY);
	d = decide_img(pol, "IdOnly", own, &idsig);
	expect_allowed(&d, "a");
	d = decide_img(pol, "DenySigner", own, &idsig);
	expect_allowed(&d, "a");
	asmgate_image_free(own);
	asmgate_image_free(img);
	asmgate_policy_free(pol);
	asmgate_key_free(ci);
	asmgate_key_free(ci_pair);
}

/* A policy may name any file as a key file. When it is not a key, the
 * message names the key, the file and the status, never what the key
 * parsers found in it (a character, header fields), so a policy run in
 * CI cannot copy bytes of a local file into a log. */
static void
test_policy__key_file_errors_quote_nothing(void **state)
{
	static const struct {
		const char *name, *content;
		size_t len;
		const char *code;
	} files[] = {
		/* hex text with a secret: the parser names 'S' */
		{ "secret.txt", "00240000 SECRET=hunter2\n", 24, "bad-key" },
		/* a CAPI PRIVATEKEYBLOB header with other fields: the parser
		 * prints them as numbers */
		{ "secret.snk", "\x07\x02\x00\x00\x00\x24\x00\x00RSA2\x99",
		  13, "bad-key" },
		/* a PublicKeyBlob header whose HashAlgID is not one */
		{ "secret.pub", "\x00\x24\x00\x00\x41\x42\x00\x00\x08\x00\x00"
		  "\x00", 12, "bad-key" },
	};
	char xml[512], path[256], want[640];
	asmgate_policy *pol = NULL;
	asmgate_error err;
	size_t i;
	FILE *f;

	(void)state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", th_tmpdir, files[i].name);
		f = fopen(path, "wb");
		assert_non_null(f);
		assert_int_equal(fwrite(files[i].content, 1, files[i].len, f),
		    files[i].len);
		fclose(f);
		snprintf(xml, sizeof(xml), "<policy xmlns='" NS "'>\n\n"
		    "<key id='k' file='%s'/></policy>", files[i].name);
		asmgate_error_clear(&err);
		assert_int_equal(asmgate_policy_load_memory(&pol, xml,
		    strlen(xml), th_tmpdir, &err), ASMGATE_E_POLICY);
		assert_null(pol);
		assert_int_equal(err.line, 3);
		snprintf(want, sizeof(want), "key 'k': file '%s' is not a "
		    "usable strong-name key (%s; run: asmgate keys show %s)",
		    files[i].name, files[i].code, path);
		assert_string_equal(err.msg, want);
	}
	/* the command's own parser still says what is wrong */
	snprintf(path, sizeof(path), "%s/secret.txt", th_tmpdir);
	{
		asmgate_key *k = NULL;
		assert_int_equal(asmgate_key_load_file(&k, path, &err),
		    ASMGATE_E_KEY);
		assert_non_null(strstr(err.msg, "'S' is not a hex digit"));
	}
}

/* One version comparison and one case-insensitive comparison serve the
 * whole module (decide, lint, build, host lookup). */
static void
test_policy__compare_helpers(void **state)
{
	static const asmgate_version v[] = { { 1, 0, 0, 0 }, { 1, 0, 0, 1 },
		{ 1, 0, 1, 0 }, { 1, 1, 0, 0 }, { 2, 0, 0, 0 },
		{ 65535, 65535, 65535, 65535 } };
	size_t i, j, n = sizeof(v) / sizeof(v[0]);
	asmgate_policy *pol;

	(void)state;
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
			assert_int_equal(policy_version_cmp(&v[i], &v[j]),
			    i < j ? -1 : i > j ? 1 : 0);
	assert_int_equal(policy_ascii_casecmp("Neutral", "nEUTRAL"), 0);
	assert_true(policy_ascii_casecmp("abc", "abd") < 0);
	assert_true(policy_ascii_casecmp("abc", "ab") > 0);
	assert_true(policy_ascii_casecmp("ab", "abc") < 0);
	assert_true(policy_ascii_casecmp("\xc3\xa9", "\xc3\x89") != 0);
	pol = pol_body("", "<host name='BizTalkServerApplication'/>");
	assert_int_equal(asmgate_policy_find_host(pol,
	    "biztalkserverapplication"), 0);
	assert_int_equal(asmgate_policy_find_host(pol,
	    "BizTalkServerApplicatio"), -1);
	assert_int_equal(asmgate_policy_find_host(pol,
	    "BizTalkServerApplicationX"), -1);
	asmgate_policy_free(pol);
}

/* Names from the assembly in decision reasons are made printable: a
 * newline would split the one-line reason. contoso's name with its '.'
 * made a newline. */
static void
test_policy__reason_names_printable(void **state)
{
	static const char name[] = "Contoso.Orchestrations";
	asmgate_policy *pol = pol_body("",
	    "<host name='H'><allow id='a' name='X*'/></host>");
	asmgate_signature s = sig_of(ASMGATE_SN_SIGNED, 2048, "sha1");
	asmgate_image *img = NULL;
	asmgate_decision d;
	asmgate_error err;
	size_t len, i, n = 0;
	uint8_t *b = th_load("valid/contoso-orchestrations.dll", &len);

	(void)state;
	for (i = 0; i + sizeof(name) <= len; i++)
		if (memcmp(b + i, name, sizeof(name)) == 0) {
			b[i + 7] = '\n';
			n++;
		}
	assert_true(n >= 1);
	assert_int_equal(asmgate_image_from_memory(&img, b, len, &err),
	    ASMGATE_OK);
	assert_string_equal(asmgate_image_get_info(img)->assembly.name,
	    "Contoso\nOrchestrations");
	d = decide_img(pol, "H", img, &s);
	expect_denied(&d, NULL);
	assert_true(has_reason(&d, "name 'Contoso?Orchestrations' does not "
	    "match 'X*'"));
	for (i = 0; i < d.nreasons; i++)
		assert_null(strchr(d.reasons[i], '\n'));
	asmgate_image_free(img);
	asmgate_policy_free(pol);
	free(b);
}

static void
test_policy__api_misuse(void **state)
{
	asmgate_policy *pol = pol_body("", "<host name='H'/>");
	asmgate_image *img = open_img("valid/hello.exe");
	asmgate_signature s = sig_of(ASMGATE_SN_SIGNED, 1024, "sha1");
	asmgate_decision d;
	asmgate_error err;
	asmgate_report *r = NULL;
	uint8_t *out = NULL;
	size_t len = 0;

	(void)state;
	asmgate_error_clear(&err);
	assert_int_equal(asmgate_policy_decide(pol, 1, img, &s, &d, &err),
	    ASMGATE_E_USAGE);
	assert_int_equal(asmgate_policy_decide(pol, 0, img, NULL, &d, &err),
	    ASMGATE_E_USAGE);
	assert_int_equal(asmgate_policy_decide(NULL, 0, img, &s, &d, &err),
	    ASMGATE_E_USAGE);
	assert_int_equal(asmgate_policy_load(&pol, NULL, &err),
	    ASMGATE_E_USAGE);
	assert_int_equal(asmgate_policy_load_memory(&pol, NULL, 5, NULL, &err),
	    ASMGATE_E_USAGE);
	assert_int_equal(asmgate_report_new(&r, ASMGATE_REPORT_TEXT, NULL,
	    &err), ASMGATE_E_USAGE);
	assert_null(r);
	assert_int_equal(asmgate_report_add(NULL, "x", NULL, NULL, NULL, NULL,
	    NULL, &err), ASMGATE_E_USAGE);
	assert_int_equal(asmgate_report_new(&r, ASMGATE_REPORT_JUNIT, NULL,
	    &err), ASMGATE_OK);
	/* nothing known about a file: an error testcase, not a crash */
	assert_int_equal(asmgate_report_add(r, "x.dll", img, NULL, NULL, NULL,
	    NULL, &err), ASMGATE_OK);
	assert_int_equal(asmgate_report_finish(r, &out, &len, &err),
	    ASMGATE_OK);
	assert_non_null(strstr((const char *)out, "errors=\"1\""));
	asmgate_free(out);
	asmgate_report_free(r);
	asmgate_report_free(NULL);
	assert_int_equal(asmgate_policy_warning_count(NULL), 0);
	assert_null(asmgate_policy_get_warning(NULL, 0));
	assert_int_equal(asmgate_policy_host_count(NULL), 0);
	assert_int_equal(asmgate_policy_find_host(NULL, "H"), -1);
	asmgate_image_free(img);
	asmgate_policy_free(pol);
}

/* Key files resolve against base_dir; a missing one is an error with
 * the key's line. */
static void
test_policy__base_dir(void **state)
{
	static const char xml[] = "<policy xmlns='" NS "'>\n"
	    "<key id='c' file='contoso.pub'/></policy>";
	asmgate_policy *pol = NULL;
	asmgate_error err;
	char path[256];
	FILE *f;

	(void)state;
	asmgate_error_clear(&err);
	assert_int_equal(asmgate_policy_load_memory(&pol, xml, strlen(xml),
	    th_tmpdir, &err), ASMGATE_E_POLICY);
	assert_int_equal(err.line, 2);
	assert_non_null(strstr(err.msg, "key 'c': cannot read key file"));
	assert_int_equal(asmgate_policy_load_memory(&pol, xml, strlen(xml),
	    KEYS_DIR, &err), ASMGATE_OK);
	asmgate_policy_free(pol);
	pol = NULL;
	/* asmgate_policy_load: relative to the policy file's directory */
	snprintf(path, sizeof(path), "%s/p.xml", th_tmpdir);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "<policy xmlns='" NS "'><key id='c' file='%s/contoso.pub'/>"
	    "<key id='d' file='sub/missing.pub'/></policy>", KEYS_DIR);
	fclose(f);
	assert_int_equal(asmgate_policy_load(&pol, path, &err),
	    ASMGATE_E_POLICY);
	assert_non_null(strstr(err.msg, "'sub/missing.pub'"));
	/* a directory is not a key file */
	snprintf(path, sizeof(path), "%s/sub", th_tmpdir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/sub/missing.pub", th_tmpdir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/p.xml", th_tmpdir);
	assert_int_equal(asmgate_policy_load(&pol, path, &err),
	    ASMGATE_E_POLICY);
	assert_non_null(strstr(err.msg, "not a regular file"));
	/* the policy file itself */
	assert_int_equal(asmgate_policy_load(&pol, th_tmpdir, &err),
	    ASMGATE_E_IO);
	snprintf(path, sizeof(path), "%s/none.xml", th_tmpdir);
	assert_int_equal(asmgate_policy_load(&pol, path, &err),
	    ASMGATE_E_IO);
	assert_null(pol);
}

static void
test_policy__escaping(void **state)
{
	rd_buf b;

	(void)state;
	rd_buf_init(&b, 4096);
	policy_xml_put(&b, "a<b>&\"'\x01\t\n\r\xff\xef\xbf\xbe\xed\xa0\x80z",
	    19, 1);
	assert_non_null(rd_buf_cstr(&b));
	assert_string_equal((const char *)b.p, "a&lt;b&gt;&amp;&quot;'&#9;"
	    "&#10;&#13;\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
	    "\xef\xbf\xbdz");
	b.len = 0;
	policy_xml_put(&b, "x\ty\nz\"", 6, 0);
	assert_non_null(rd_buf_cstr(&b));
	assert_string_equal((const char *)b.p, "x\ty\nz\"");
	b.len = 0;
	rd_json_escape(&b, "\"\\\x01\x7f\xc3\xa9\xc3", 7);
	assert_non_null(rd_buf_cstr(&b));
	assert_string_equal((const char *)b.p, "\\\"\\\\\\u0001\\u007f\xc3\xa9"
	    "\\ufffd");
	b.len = 0;
	policy_uri_put(&b, "/a b/c%d.dll");
	assert_non_null(rd_buf_cstr(&b));
	assert_string_equal((const char *)b.p, "file:///a%20b/c%25d.dll");
	rd_buf_free(&b);
	/* UTF-8: overlong, surrogate, above U+10FFFF, truncated */
	assert_int_equal(rd_utf8_valid_len((const uint8_t *)"ok\xc0\xaf", 4), 2);
	assert_int_equal(rd_utf8_valid_len((const uint8_t *)"\xed\xa0\x80", 3),
	    0);
	assert_int_equal(rd_utf8_valid_len((const uint8_t *)"\xf4\x90\x80\x80",
	    4), 0);
	assert_int_equal(rd_utf8_valid_len((const uint8_t *)"\xe2\x82", 2), 0);
	assert_int_equal(rd_utf8_valid_len((const uint8_t *)"\xe2\x82\xac", 3),
	    3);
}

/* The one pass/fail rule: every state, with and without test keys, a
 * decision allowed, denied, denied in audit mode, and --fail-on. */
static void
test_policy__verdict_rule(void **state)
{
	asmgate_verdict_rules none = { 0, 0 }, tk = { 1, 0 },
	    inv = { 0, (uint32_t)1 << ASMGATE_SN_INVALID };
	asmgate_decision allow, deny, audit;
	asmgate_signature sig;
	int s;

	(void)state;
	memset(&allow, 0, sizeof(allow));
	allow.allowed = 1;
	memset(&deny, 0, sizeof(deny));
	audit = deny;
	audit.audit = 1;
	memset(&sig, 0, sizeof(sig));
	for (s = ASMGATE_SN_INVALID; s <= ASMGATE_SN_SIGNED; s++) {
		sig.state = (asmgate_sn_state)s;
		assert_int_equal(asmgate_verdict_fails(&none, &sig, NULL),
		    s != ASMGATE_SN_SIGNED);
		assert_int_equal(asmgate_verdict_fails(NULL, &sig, NULL),
		    s != ASMGATE_SN_SIGNED);
		assert_int_equal(asmgate_verdict_fails(&tk, &sig, NULL),
		    s != ASMGATE_SN_SIGNED && s != ASMGATE_SN_TEST_SIGNED);
		/* With a decision the policy decides, test keys or not. */
		assert_int_equal(asmgate_verdict_fails(&tk, &sig, &allow), 0);
		assert_int_equal(asmgate_verdict_fails(&none, &sig, &deny), 1);
		assert_int_equal(asmgate_verdict_fails(&none, &sig, &audit), 0);
		/* --fail-on overrides allow and audit. */
		assert_int_equal(asmgate_verdict_fails(&inv, &sig, &allow),
		    s == ASMGATE_SN_INVALID);
		assert_int_equal(asmgate_verdict_fails(&inv, &sig, &audit),
		    s == ASMGATE_SN_INVALID);
	}
	/* Nothing verified, or a state out of range: fail closed. */
	assert_int_equal(asmgate_verdict_fails(&tk, NULL, &allow), 1);
	sig.state = (asmgate_sn_state)(ASMGATE_SN_SIGNED + 1);
	assert_int_equal(asmgate_verdict_fails(&tk, &sig, &allow), 1);
}

/* ------------------------------------------- Authenticode (issue 11) */

/* SHA-256 fingerprints of the test PKI (openssl x509 -fingerprint
 * -sha256 on samples/authenticode/pki/, README.md there). */
#define FP_CONTOSO "8F4681C88E13911274BDAF0E44559BB50F260732EE9B0FA09EDFBD67D3740252"
#define FP_INTER "595D28004FC435E12A192471372F65A549136E324FAF3ACABFB0E42CD4909BD3"
#define FP_ROOT "864397AF305CBA9F21CE337B9362D532BC83D8AC04D9C958567A5E482B9943FF"
#define FP_FABRIKAM "9CAA75FBC89D661D0EA293B8E8677D7F0C3CC8FCE333F56D92FB3A4C3FA860A3"

#define PUBLISHERS \
	"<publisher id='leaf' certSha256='" FP_CONTOSO "'/>" \
	"<publisher id='inter' certSha256='" FP_INTER "'/>" \
	"<publisher id='root' certSha256='" FP_ROOT "'/>" \
	"<publisher id='fabrikam' certSha256='" FP_FABRIKAM "'/>"

static void
set_fp(uint8_t out[32], const char *hex)
{
	size_t len = 0, bad = 0;

	assert_true(rd_hex_decode(out, 32, &len, hex, 64, &bad));
}

/* An Authenticode outcome with one signature in state st, signed by
 * leaf_fp (CN text leaf_cn), chain leaf, intermediate, root. */
static asmgate_authenticode *
ac_of(asmgate_ac_state st, const char *leaf_fp, const char *leaf_cn)
{
	asmgate_authenticode *ac = calloc(1, sizeof(*ac));
	asmgate_ac_signature *sg;

	assert_non_null(ac);
	ac->state = st;
	if (st == ASMGATE_AC_UNSIGNED)
		return ac;
	sg = calloc(1, sizeof(*sg));
	assert_non_null(sg);
	ac->signatures = sg;
	ac->nsignatures = 1;
	sg->state = st;
	sg->has_signer = 1;
	snprintf(sg->signer.subject.text, sizeof(sg->signer.subject.text),
	    "%s", leaf_cn);
	set_fp(sg->signer.sha256, leaf_fp);
	sg->nchain = 3;
	sg->chain[0] = sg->signer;
	set_fp(sg->chain[1].sha256, FP_INTER);
	set_fp(sg->chain[2].sha256, FP_ROOT);
	if (st != ASMGATE_AC_VALID) {
		ac->nreasons = 1;
		snprintf(ac->reasons[0], sizeof(ac->reasons[0]),
		    "test reason");
	}
	return ac;
}

static asmgate_decision
decide_ac(const asmgate_policy *pol, const char *host,
    const asmgate_authenticode *ac)
{
	asmgate_image *img = open_img("valid/contoso-orchestrations.dll");
	asmgate_signature s = sig_of(ASMGATE_SN_SIGNED, 2048, "sha1");
	asmgate_decision d;
	asmgate_error err;
	long h = asmgate_policy_find_host(pol, host);

	if (h < 0)
		fail_msg("no host %s", host);
	asmgate_error_clear(&err);
	assert_int_equal(asmgate_policy_decide_ac(pol, (size_t)h, img, &s, ac,
	    &d, &err), ASMGATE_OK);
	asmgate_image_free(img);
	return d;
}

/* certSha256 pins a certificate anywhere in the chain: leaf,
 * intermediate or root; the decision names the publisher. */
static void
test_policy__publisher_cert_pins(void **state)
{
	asmgate_policy *pol;
	asmgate_authenticode *ac;
	asmgate_decision d;

	(void)state;
	pol = pol_body("", PUBLISHERS
	    "<host name='Leaf'><allow id='a' keys='contoso' "
	    "publishers='leaf'/></host>"
	    "<host name='Inter'><allow id='a' publishers='fabrikam inter'/>"
	    "</host>"
	    "<host name='Root'><allow id='a' publishers='root'/></host>"
	    "<host name='Fab'><allow id='a' publishers='fabrikam'/></host>");
	ac = ac_of(ASMGATE_AC_VALID, FP_CONTOSO, "CN=Contoso Ltd");
	d = decide_ac(pol, "Leaf", ac);
	expect_allowed(&d, "a");
	assert_true(has_reason(&d, "publisher 'leaf' matched: CN=Contoso Ltd "
	    "(sha256 8F4681C88E139112...)"));
	d = decide_ac(pol, "Inter", ac);
	expect_allowed(&d, "a");
	assert_true(has_reason(&d, "publisher 'inter' matched"));
	d = decide_ac(pol, "Root", ac);
	expect_allowed(&d, "a");
	assert_true(has_reason(&d, "publisher 'root' matched"));
	d = decide_ac(pol, "Fab", ac);
	expect_denied(&d, NULL);
	assert_true(has_reason(&d, "Authenticode signer 'CN=Contoso Ltd' is "
	    "not one of publishers [fabrikam]"));
	asmgate_authenticode_free(ac);
	/* the right chain, but not valid: no allow */
	ac = ac_of(ASMGATE_AC_UNTRUSTED, FP_CONTOSO, "CN=Contoso Ltd");
	d = decide_ac(pol, "Leaf", ac);
	expect_denied(&d, NULL);
	assert_true(has_reason(&d, "Authenticode is untrusted; the rule "
	    "needs a valid signature by one of [leaf]: test reason"));
	asmgate_authenticode_free(ac);
	/* not verified: publishers never match */
	d = decide_ac(pol, "Root", NULL);
	expect_denied(&d, NULL);
	assert_true(has_reason(&d, "Authenticode was not verified; the rule "
	    "needs a publisher"));
	d = decide(pol, "Root", "valid/contoso-orchestrations.dll",
	    &(asmgate_signature){ .state = ASMGATE_SN_SIGNED });
	expect_denied(&d, NULL);
	asmgate_policy_free(pol);
}

/* authenticode="required" | "optional" | absent, against each state. */
static void
test_policy__attr_authenticode(void **state)
{
	static const struct {
		asmgate_ac_state st;
		int verified;
		int any, optional, required, opt_pub;
	} cases[] = {
		{ ASMGATE_AC_VALID, 1, 1, 1, 1, 1 },
		{ ASMGATE_AC_UNSIGNED, 1, 1, 1, 0, 1 },
		{ ASMGATE_AC_UNTRUSTED, 1, 1, 0, 0, 0 },
		{ ASMGATE_AC_EXPIRED, 1, 1, 0, 0, 0 },
		{ ASMGATE_AC_REVOKED, 1, 0, 0, 0, 0 },
		{ ASMGATE_AC_INVALID, 1, 0, 0, 0, 0 },
		{ ASMGATE_AC_VALID, 0, 1, 0, 0, 0 },
	};
	asmgate_policy *pol;
	asmgate_decision d;
	size_t i;

	(void)state;
	pol = pol_body("", PUBLISHERS
	    "<host name='Any'><allow id='a' keys='contoso'/></host>"
	    "<host name='Opt'><allow id='a' keys='contoso' "
	    "authenticode='optional'/></host>"
	    "<host name='Req'><allow id='a' keys='contoso' "
	    "authenticode='required' states='signed'/></host>"
	    "<host name='OptPub'><allow id='a' keys='contoso' "
	    "authenticode='optional' publishers='leaf'/></host>");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		asmgate_authenticode *ac = cases[i].verified ?
		    ac_of(cases[i].st, FP_CONTOSO, "CN=Contoso Ltd") : NULL;
		const char *hosts[] = { "Any", "Opt", "Req", "OptPub" };
		int want[4];
		size_t h;

		want[0] = cases[i].any;
		want[1] = cases[i].optional;
		want[2] = cases[i].required;
		want[3] = cases[i].opt_pub;
		for (h = 0; h < 4; h++) {
			d = decide_ac(pol, hosts[h], ac);
			if (d.allowed != want[h])
				fail_msg("case %zu (%s%s) host %s: %s (%s)", i,
				    asmgate_ac_state_name(cases[i].st),
				    ac ? "" : ", not verified", hosts[h],
				    asmgate_decision_verdict(&d),
				    d.nreasons > 1 ? d.reasons[1] :
				    d.reasons[0]);
		}
		asmgate_authenticode_free(ac);
	}
	/* reasons */
	{
		asmgate_authenticode *ac = ac_of(ASMGATE_AC_INVALID,
		    FP_CONTOSO, "CN=Contoso Ltd");
		d = decide_ac(pol, "Any", ac);
		assert_true(has_reason(&d, "Authenticode is invalid, which "
		    "no allow rule accepts: test reason"));
		asmgate_authenticode_free(ac);
		ac = ac_of(ASMGATE_AC_UNSIGNED, FP_CONTOSO, "");
		d = decide_ac(pol, "Req", ac);
		assert_true(has_reason(&d, "Authenticode is unsigned; the "
		    "rule has authenticode=\"required\""));
		d = decide_ac(pol, "OptPub", ac);
		expect_allowed(&d, "a");
		assert_true(has_reason(&d, "no Authenticode signature: "
		    "publishers are optional"));
		asmgate_authenticode_free(ac);
	}
	asmgate_policy_free(pol);
}

/* A deny rule's publishers match any signature whose chain they pin,
 * whatever its state (fail closed); an allow rule needs valid. */
static void
test_policy__deny_publisher(void **state)
{
	asmgate_policy *pol;
	asmgate_authenticode *ac;
	asmgate_decision d;

	(void)state;
	pol = pol_body("", PUBLISHERS
	    "<host name='H'><deny id='no-fab' publishers='fabrikam'/>"
	    "<allow id='a' keys='contoso'/></host>");
	ac = ac_of(ASMGATE_AC_UNTRUSTED, FP_FABRIKAM, "CN=Fabrikam Inc");
	d = decide_ac(pol, "H", ac);
	expect_denied(&d, "no-fab");
	assert_true(has_reason(&d, "matched deny rule 'no-fab'"));
	asmgate_authenticode_free(ac);
	ac = ac_of(ASMGATE_AC_VALID, FP_CONTOSO, "CN=Contoso Ltd");
	d = decide_ac(pol, "H", ac);
	expect_allowed(&d, "a");
	asmgate_authenticode_free(ac);
	/* Authenticode not verified (asmgate_policy_decide): the deny
	 * rule's publishers cannot be ruled out, so it denies (fail
	 * closed) rather than let the allow rule through. */
	d = decide_ac(pol, "H", NULL);
	expect_denied(&d, "no-fab");
	asmgate_policy_free(pol);
}

/* An Authenticode state the report does not know fails in JUnit, as
 * asmgate_verdict_fails_ac does for the exit status. */
static void
test_policy__report_unknown_ac_state(void **state)
{
	asmgate_report *r;
	asmgate_authenticode *ac;
	asmgate_signature s = sig_of(ASMGATE_SN_SIGNED, 2048, "sha1");
	asmgate_error err;
	uint8_t *out = NULL;
	size_t len = 0;

	(void)state;
	ac = ac_of(ASMGATE_AC_VALID, FP_CONTOSO, "CN=Contoso Ltd");
	ac->state = (asmgate_ac_state)77;
	assert_true(asmgate_verdict_fails_ac(NULL, &s, ac, NULL));
	asmgate_error_clear(&err);
	assert_int_equal(asmgate_report_new(&r, ASMGATE_REPORT_JUNIT, NULL,
	    &err), ASMGATE_OK);
	assert_int_equal(asmgate_report_add_ac(r, "a.dll", NULL, NULL, NULL,
	    &s, ac, NULL, NULL, &err), ASMGATE_OK);
	assert_int_equal(asmgate_report_finish(r, &out, &len, &err),
	    ASMGATE_OK);
	assert_non_null(strstr((char *)out, "<failure"));
	assert_non_null(strstr((char *)out, "unknown (fail closed)"));
	free(out);
	asmgate_report_free(r);
	asmgate_authenticode_free(ac);
}

/* What the schema cannot say, with a message and the line. */
static void
test_policy__publisher_errors(void **state)
{
	static const struct {
		const char *body;
		const char *msg;
	} cases[] = {
		{ "<publisher id='p' certSha256='" FP_ROOT "' subject='CN=A'/>",
		  "publisher 'p' has both subject and certSha256" },
		{ "<publisher id='p'/>",
		  "publisher 'p' needs one of subject or certSha256" },
		{ "<publisher id='p' certSha256='AB'/>",
		  "bad certSha256 'AB' on publisher 'p'" },
		{ "<publisher id='p' certSha256='" FP_ROOT "'/>"
		  "<publisher id='p' certSha256='" FP_INTER "'/>",
		  "duplicate publisher id 'p'" },
		{ "<publisher id='p' certSha256='" FP_ROOT "' bogus='1'/>",
		  "unknown attribute 'bogus' on <publisher>" },
		{ "<host name='H'><allow id='a' publishers='nope'/></host>",
		  "unknown publisher 'nope' in publishers of rule 'a'" },
		{ "<publisher id='p' certSha256='" FP_ROOT "'/>"
		  "<host name='H'><allow id='a' publishers='p p'/></host>",
		  "'p' is listed twice in publishers" },
		{ "<host name='H'><deny id='a' authenticode='required'/>"
		  "</host>",
		  "attribute 'authenticode' is only allowed on <allow>" },
		{ "<host name='H'><allow id='a' authenticode='yes'/></host>",
		  "bad authenticode 'yes': use 'required' or 'optional'" },
	};
	char xml[4096];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		asmgate_error err;
		snprintf(xml, sizeof(xml), "<policy xmlns='" NS "'>%s"
		    "</policy>", cases[i].body);
		err = pol_bad(xml);
		if (!strstr(err.msg, cases[i].msg))
			fail_msg("case %zu: '%s', expected '%s'", i, err.msg,
			    cases[i].msg);
		assert_int_equal(err.line, 1);
	}
}

/* openssl's colon form and bare hex name the same certificate. */
static void
test_policy__publisher_sha256_forms(void **state)
{
	uint8_t a[32], b[32];

	(void)state;
	assert_true(policy_parse_sha256(FP_ROOT, a));
	assert_true(policy_parse_sha256("86:43:97:AF:30:5C:BA:9F:21:CE:33:"
	    "7B:93:62:D5:32:BC:83:D8:AC:04:D9:C9:58:56:7A:5E:48:2B:99:43:FF",
	    b));
	assert_memory_equal(a, b, 32);
	assert_false(policy_parse_sha256("86:4397AF305CBA9F21CE337B9362D532"
	    "BC83D8AC04D9C958567A5E482B9943FF", a));
	assert_false(policy_parse_sha256("zz4397AF305CBA9F21CE337B9362D532"
	    "BC83D8AC04D9C958567A5E482B9943FF", a));
}

/* Subject pins compare canonical names (asmgate_dn_canonical), not
 * strings: case and spaces around ',' do not matter, RDN order does. */
static void
test_policy__publisher_subject(void **state)
{
	asmgate_policy *pol;
	asmgate_authenticode *ac;
	asmgate_ac_signature *sg;
	asmgate_decision d;
	asmgate_error err;

	(void)state;
	pol = pol_body("",
	    "<publisher id='contoso' subject='CN=Contoso Ltd, O=Contoso "
	    "Ltd, C=US' issuer='CN=asmgate Test Code Signing CA, "
	    "O=asmgate tests, C=US'/>"
	    "<publisher id='loose' subject='cn=contoso ltd,o=contoso ltd,"
	    "c=us'/>"
	    "<publisher id='reordered' subject='C=US, O=Contoso Ltd, "
	    "CN=Contoso Ltd'/>"
	    "<publisher id='wrong-ca' subject='CN=Contoso Ltd, O=Contoso "
	    "Ltd, C=US' issuer='CN=Other CA'/>"
	    "<host name='A'><allow id='a' publishers='contoso'/></host>"
	    "<host name='L'><allow id='a' publishers='loose'/></host>"
	    "<host name='R'><allow id='a' publishers='reordered'/></host>"
	    "<host name='W'><allow id='a' publishers='wrong-ca'/></host>");
	ac = ac_of(ASMGATE_AC_VALID, FP_CONTOSO,
	    "CN=Contoso Ltd,O=Contoso Ltd,C=US");
	sg = &ac->signatures[0];
	asmgate_error_clear(&err);
	assert_int_equal(asmgate_dn_canonical("CN=Contoso Ltd,O=Contoso Ltd,"
	    "C=US", sg->signer.subject.canon, ASMGATE_AC_CANON_MAX,
	    &sg->signer.subject.canon_len, &err), ASMGATE_OK);
	assert_int_equal(asmgate_dn_canonical("CN=asmgate Test Code Signing "
	    "CA,O=asmgate tests,C=US", sg->signer.issuer.canon,
	    ASMGATE_AC_CANON_MAX, &sg->signer.issuer.canon_len, &err),
	    ASMGATE_OK);
	d = decide_ac(pol, "A", ac);
	expect_allowed(&d, "a");
	assert_true(has_reason(&d, "publisher 'contoso' matched: CN=Contoso "
	    "Ltd,O=Contoso Ltd,C=US"));
	d = decide_ac(pol, "L", ac);
	expect_allowed(&d, "a");
	d = decide_ac(pol, "R", ac);
	expect_denied(&d, NULL);
	d = decide_ac(pol, "W", ac);
	expect_denied(&d, NULL);
	/* a name verify/ could not canonicalise never matches */
	sg->signer.subject.canon_len = 0;
	d = decide_ac(pol, "L", ac);
	expect_denied(&d, NULL);
	asmgate_authenticode_free(ac);
	asmgate_policy_free(pol);
	/* not a name */
	err = pol_bad("<policy xmlns='" NS "'><publisher id='p' "
	    "subject='no equals sign'/></policy>");
	assert_non_null(strstr(err.msg, "bad subject 'no equals sign' on "
	    "publisher 'p'"));
}

static int
has_warning(const asmgate_policy *pol, const char *code, const char *needle)
{
	size_t i;

	for (i = 0; i < asmgate_policy_warning_count(pol); i++) {
		const asmgate_policy_warning *w =
		    asmgate_policy_get_warning(pol, i);
		if (strcmp(w->code, code) == 0 && strstr(w->msg, needle))
			return 1;
	}
	return 0;
}

/* Lint: subject-only pins, unused publishers, and hosts that let an
 * untrusted Authenticode through (only in policies using Authenticode). */
static void
test_policy__lint_authenticode(void **state)
{
	asmgate_policy *pol;

	(void)state;
	pol = pol_body("", PUBLISHERS
	    "<host name='H'><allow id='pinned' keys='contoso' "
	    "publishers='leaf inter root fabrikam'/>"
	    "<allow id='loose' keys='contoso'/>"
	    "<allow id='loose2' keys='fabrikam'/></host>"
	    "<host name='Opt'><allow id='o' keys='contoso' "
	    "authenticode='optional'/></host>");
	assert_true(has_warning(pol, "authenticode-untrusted", "host 'H' "
	    "allows assemblies whose Authenticode is untrusted or expired: "
	    "allow rule 'loose' has neither publishers nor authenticode"));
	assert_false(has_warning(pol, "authenticode-untrusted", "'Opt'"));
	assert_false(has_warning(pol, "authenticode-untrusted", "loose2"));
	assert_false(has_warning(pol, "unused-publisher", ""));
	asmgate_policy_free(pol);
	pol = pol_body("", "<publisher id='p' certSha256='" FP_ROOT "'/>"
	    "<host name='H'><allow id='a' keys='contoso' "
	    "authenticode='required'/></host>");
	assert_true(has_warning(pol, "unused-publisher", "publisher 'p' is "
	    "not used by any rule"));
	assert_false(has_warning(pol, "authenticode-untrusted", ""));
	asmgate_policy_free(pol);
	/* a strong-name-only policy stays quiet */
	pol = pol_body("", "<host name='H'><allow id='a' keys='contoso'/>"
	    "</host>");
	assert_false(has_warning(pol, "authenticode-untrusted", ""));
	asmgate_policy_free(pol);
	pol = pol_body("", "<publisher id='s' subject='CN=Contoso Ltd'/>"
	    "<publisher id='si' subject='CN=Contoso Ltd' issuer='CN=CA'/>"
	    "<host name='H'><allow id='a' keys='contoso' "
	    "publishers='s si'/></host>");
	assert_true(has_warning(pol, "publisher-subject-only", "publisher "
	    "'s' is pinned by subject only"));
	assert_false(has_warning(pol, "publisher-subject-only", "'si'"));
	asmgate_policy_free(pol);
}

/* Reports: Authenticode failures have rule ids of their own. */
static void
test_policy__authenticode_report_rules(void **state)
{
	asmgate_report *r = NULL;
	asmgate_authenticode *ac;
	asmgate_signature s = sig_of(ASMGATE_SN_SIGNED, 2048, "sha1");
	asmgate_verdict_rules rules;
	asmgate_image *img = open_img("valid/contoso-orchestrations.dll");
	asmgate_error err;
	uint8_t *out = NULL;
	size_t len = 0;

	(void)state;
	asmgate_error_clear(&err);
	ac = ac_of(ASMGATE_AC_INVALID, FP_CONTOSO, "CN=Contoso Ltd");
	assert_int_equal(asmgate_report_new(&r, ASMGATE_REPORT_SARIF, NULL,
	    &err), ASMGATE_OK);
	assert_int_equal(asmgate_report_add_ac(r, "a.dll", NULL, img, NULL,
	    &s, ac, NULL, NULL, &err), ASMGATE_OK);
	asmgate_authenticode_free(ac);
	assert_int_equal(asmgate_report_finish(r, &out, &len, &err),
	    ASMGATE_OK);
	assert_non_null(strstr((char *)out, "\"ruleId\": \"authenticode/"
	    "invalid\""));
	assert_non_null(strstr((char *)out, "Authenticode invalid: test "
	    "reason"));
	free(out);
	asmgate_report_free(r);
	/* JUnit: --require-authenticode (the unsigned bit) */
	memset(&rules, 0, sizeof(rules));
	rules.fail_on = ASMGATE_FAIL_ON_AC(ASMGATE_AC_UNSIGNED);
	ac = ac_of(ASMGATE_AC_UNSIGNED, FP_CONTOSO, "");
	assert_int_equal(asmgate_report_new(&r, ASMGATE_REPORT_JUNIT, NULL,
	    &err), ASMGATE_OK);
	asmgate_report_set_rules(r, &rules);
	assert_int_equal(asmgate_report_add_ac(r, "a.dll", NULL, img, NULL,
	    &s, ac, NULL, NULL, &err), ASMGATE_OK);
	asmgate_authenticode_free(ac);
	assert_int_equal(asmgate_report_finish(r, &out, &len, &err),
	    ASMGATE_OK);
	assert_non_null(strstr((char *)out, "<failure message="));
	assert_non_null(strstr((char *)out, "type=\"fail-on\""));
	assert_non_null(strstr((char *)out, "Authenticode unsigned"));
	free(out);
	asmgate_report_free(r);
	/* valid: passes */
	ac = ac_of(ASMGATE_AC_VALID, FP_CONTOSO, "CN=Contoso Ltd");
	assert_int_equal(asmgate_report_new(&r, ASMGATE_REPORT_JUNIT, NULL,
	    &err), ASMGATE_OK);
	assert_int_equal(asmgate_report_add_ac(r, "a.dll", NULL, img, NULL,
	    &s, ac, NULL, NULL, &err), ASMGATE_OK);
	asmgate_authenticode_free(ac);
	assert_int_equal(asmgate_report_finish(r, &out, &len, &err),
	    ASMGATE_OK);
	assert_null(strstr((char *)out, "<failure"));
	assert_non_null(strstr((char *)out, "authenticode: valid, signer "
	    "CN=Contoso Ltd"));
	free(out);
	asmgate_report_free(r);
	asmgate_image_free(img);
}

/* Write text to th_tmpdir/name; the path into path. */
static void
write_tmp(char *path, size_t max, const char *name, const char *text)
{
	FILE *f;

	snprintf(path, max, "%s/%s", th_tmpdir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	assert_int_equal(fclose(f), 0);
}

/* Waiver files (policy/waiver.c): fields, expiry against the given
 * date, line numbers of malformed lines, matching, and the verdict. */
static void
test_policy__waivers(void **state)
{
	static const struct {
		const char *text;
		unsigned long line;
	} bad[] = {
		{ "a.dll\n", 1 },
		{ "\n# c\ntoken:00 r\n", 3 },
		{ "a r expires=2024-02-30\n", 1 },
		{ "a r expires=2100-02-29\n", 1 },
		{ "\"a r\n", 1 },
		{ "\"\" r\n", 1 },
		{ "ok r\nx\tr\x01\n", 2 },
	};
	char path[128];
	asmgate_waivers *w = NULL;
	const asmgate_waiver *v;
	asmgate_error err;
	asmgate_verdict_rules none = { 0, 0 };
	asmgate_decision audit;
	asmgate_signature sig;
	asmgate_image *img = NULL;
	uint8_t *data;
	size_t i, len;

	(void)state;
	write_tmp(path, sizeof(path), "w.txt",
	    "# header\r\n"
	    "  unsigned.dll \t legacy build  expires=2024-02-29 \r\n"
	    "\n"
	    "\"identity:Contoso.Orchestrations, Version=1.*\"  why not\n"
	    "token:E0BA8F48CB722CEA  by token expires=2023-12-31\n"
	    "lib/*.dll  in a package");
	asmgate_error_clear(&err);
	assert_int_equal(asmgate_waivers_load(&w, path, "2024-01-01", &err),
	    ASMGATE_OK);
	assert_int_equal(asmgate_waivers_count(w), 4);
	v = asmgate_waivers_get(w, 0);
	assert_string_equal(v->pattern, "unsigned.dll");
	assert_string_equal(v->reason, "legacy build");
	assert_string_equal(v->expires, "2024-02-29");
	assert_string_equal(v->file, path);
	assert_int_equal(v->line, 2);
	assert_false(v->expired);
	v = asmgate_waivers_get(w, 1);
	assert_string_equal(v->pattern,
	    "identity:Contoso.Orchestrations, Version=1.*");
	assert_string_equal(v->reason, "why not");
	assert_null(v->expires);
	assert_int_equal(v->line, 4);
	v = asmgate_waivers_get(w, 2);
	assert_true(v->expired); /* 2023-12-31 < 2024-01-01 */
	assert_null(asmgate_waivers_get(w, 4));
	/* Paths: the last component, or a glob with '/' on a name end. */
	assert_int_equal(asmgate_waivers_match(w, "x/unsigned.dll", NULL), 0);
	assert_int_equal(asmgate_waivers_match(w, "x/unsigned.dllx", NULL),
	    -1);
	assert_int_equal(asmgate_waivers_match(w, "p.nupkg!lib/net48/a.dll",
	    NULL), 3);
	assert_int_equal(asmgate_waivers_match(w, "p.nupkg!xlib/a.dll",
	    NULL), -1);
	/* The identity (samples/README.md: Contoso.Orchestrations
	 * 1.2.3.4, token e0ba8f48cb722cea); the expired token waiver never
	 * matches. */
	data = th_load("states/delay-signed.dll", &len);
	assert_int_equal(asmgate_image_from_memory(&img, data, len, &err),
	    ASMGATE_OK);
	assert_int_equal(asmgate_waivers_match(w, "d.dll", img), 1);
	asmgate_image_free(img);
	free(data);
	/* The verdict: a failure with a waiver is waived, an expired
	 * waiver or nothing verified is not. */
	memset(&sig, 0, sizeof(sig));
	memset(&audit, 0, sizeof(audit));
	audit.audit = 1;
	sig.state = ASMGATE_SN_UNSIGNED;
	v = asmgate_waivers_get(w, 0);
	assert_int_equal(asmgate_verdict_of(&none, &sig, NULL, NULL, NULL),
	    ASMGATE_VERDICT_FAIL);
	assert_int_equal(asmgate_verdict_of(&none, &sig, NULL, NULL, v),
	    ASMGATE_VERDICT_WAIVED);
	assert_int_equal(asmgate_verdict_of(&none, &sig, NULL, &audit, v),
	    ASMGATE_VERDICT_PASS);
	assert_int_equal(asmgate_verdict_of(&none, &sig, NULL, NULL,
	    asmgate_waivers_get(w, 2)), ASMGATE_VERDICT_FAIL);
	assert_int_equal(asmgate_verdict_of(&none, NULL, NULL, NULL, v),
	    ASMGATE_VERDICT_FAIL);
	sig.state = ASMGATE_SN_SIGNED;
	assert_int_equal(asmgate_verdict_of(&none, &sig, NULL, NULL, v),
	    ASMGATE_VERDICT_PASS);
	/* A present, invalid Authenticode signature fails without a
	 * policy, on an assembly or alone (a native file); a waiver lets
	 * either pass; a state this code does not know never. */
	{
		asmgate_authenticode ac;

		memset(&ac, 0, sizeof(ac));
		ac.state = ASMGATE_AC_INVALID;
		assert_int_equal(asmgate_verdict_of(&none, &sig, &ac, NULL,
		    NULL), ASMGATE_VERDICT_FAIL);
		assert_int_equal(asmgate_verdict_of(&none, &sig, &ac, NULL,
		    v), ASMGATE_VERDICT_WAIVED);
		assert_int_equal(asmgate_verdict_of(&none, NULL, &ac, NULL,
		    NULL), ASMGATE_VERDICT_FAIL);
		assert_int_equal(asmgate_verdict_of(&none, NULL, &ac, NULL,
		    v), ASMGATE_VERDICT_WAIVED);
		ac.state = ASMGATE_AC_VALID;
		assert_int_equal(asmgate_verdict_of(&none, NULL, &ac, NULL,
		    NULL), ASMGATE_VERDICT_PASS);
		ac.state = (asmgate_ac_state)77;
		assert_int_equal(asmgate_verdict_of(&none, &sig, &ac, NULL,
		    v), ASMGATE_VERDICT_FAIL);
	}
	asmgate_waivers_free(w);
	/* The date of today is checked. */
	w = NULL;
	assert_int_equal(asmgate_waivers_load(&w, path, "2024-1-1", &err),
	    ASMGATE_E_USAGE);
	assert_null(w);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_tmp(path, sizeof(path), "bad.txt", bad[i].text);
		asmgate_error_clear(&err);
		assert_int_equal(asmgate_waivers_load(&w, path, "2024-01-01",
		    &err), ASMGATE_E_MALFORMED);
		assert_null(w);
		assert_int_equal(err.line, bad[i].line);
	}
}

/* Mono's machine.config token mappings (policy/keymap.c): entries in
 * order with their lines, keys decoded; malformed entries with their
 * line. The key is the ECMA key's 16 bytes (strongname.md 6.4), whose
 * token is b77a5c561934e089. */
static void
test_policy__key_map(void **state)
{
	static const char ecma[] = "00000000000000000400000000000000";
	char path[128], doc[1024];
	asmgate_key_map *m = NULL;
	const asmgate_key_mapping *e;
	asmgate_error err;
	unsigned long line = 0;

	(void)state;
	snprintf(doc, sizeof(doc), "<?xml version=\"1.0\"?>\n"
	    "<configuration>\n<strongNames>\n<pubTokenMapping>\n"
	    "<map Token=\"0011223344556677\" PublicKey=\"%s\"/>\n"
	    "<!-- c -->\n<map Token=\"8899AABBCCDDEEFF\"\n"
	    "     PublicKey=\"%s\"/>\n"
	    "</pubTokenMapping>\n</strongNames>\n</configuration>\n", ecma,
	    ecma);
	write_tmp(path, sizeof(path), "m.config", doc);
	asmgate_error_clear(&err);
	assert_int_equal(asmgate_key_map_load(&m, path, &err), ASMGATE_OK);
	assert_int_equal(asmgate_key_map_count(m), 2);
	e = asmgate_key_map_get(m, 1, &line);
	assert_non_null(e);
	assert_int_equal(line, 7);
	assert_memory_equal(e->token,
	    "\x88\x99\xaa\xbb\xcc\xdd\xee\xff", 8);
	assert_non_null(e->key);
	assert_null(asmgate_key_map_get(m, 2, NULL));
	asmgate_key_map_free(m);
	/* A mapping whose key is not hex: its line. */
	write_tmp(path, sizeof(path), "m.config", "<configuration>\n"
	    "<strongNames><pubTokenMapping>\n"
	    "<map Token=\"0011223344556677\" PublicKey=\"zz\"/>\n"
	    "</pubTokenMapping></strongNames></configuration>\n");
	m = NULL;
	asmgate_error_clear(&err);
	assert_int_equal(asmgate_key_map_load(&m, path, &err),
	    ASMGATE_E_MALFORMED);
	assert_null(m);
	assert_int_equal(err.line, 3);
}

/* lintAllow (policy/lintallow.c): the warnings about the element that
 * carries it are marked suppressed, others are not; a code that
 * accepts nothing is a lint-allow-unused warning at the attribute's
 * line; an unknown code refuses the policy. fabrikam.pub is 1024-bit
 * (samples/README.md). */
static void
test_policy__lint_allow(void **state)
{
	asmgate_policy *pol;
	const asmgate_policy_warning *w;
	asmgate_error err;
	size_t i, n, short_keys = 0, unused = 0;

	(void)state;
	pol = pol_from("<policy xmlns='" NS "'>\n"
	    "<key id='a' file='fabrikam.pub' lintAllow='short-key'/>\n"
	    "<key id='b' file='test1024.pub'\n"
	    "     lintAllow='unused-key short-key private-key-file'/>\n"
	    "<key id='c' file='contoso.pub'/>\n"
	    "<host name='H'><allow id='r' keys='a b c'/></host>\n"
	    "</policy>");
	n = asmgate_policy_warning_count(pol);
	for (i = 0; i < n; i++) {
		w = asmgate_policy_get_warning(pol, i);
		if (strcmp(w->code, "short-key") == 0) {
			short_keys++;
			assert_true(w->suppressed);
		} else if (strcmp(w->code, "lint-allow-unused") == 0) {
			unused++;
			assert_false(w->suppressed);
			assert_int_equal(w->line, 4);
		} else {
			assert_false(w->suppressed);
		}
	}
	assert_int_equal(short_keys, 2);
	/* unused-key: b is used; private-key-file: a .pub */
	assert_int_equal(unused, 2);
	asmgate_policy_free(pol);
	/* Without the attribute, the same warning is not suppressed. */
	pol = pol_from("<policy xmlns='" NS "'>"
	    "<key id='a' file='fabrikam.pub'/>"
	    "<host name='H'><allow id='r' keys='a'/></host></policy>");
	w = asmgate_policy_get_warning(pol, 0);
	assert_non_null(w);
	assert_string_equal(w->code, "short-key");
	assert_false(w->suppressed);
	asmgate_policy_free(pol);
	err = pol_bad("<policy xmlns='" NS "'>\n"
	    "<host name='H' lintAllow='short-keys'/></policy>");
	assert_int_equal(err.line, 2);
	assert_non_null(strstr(err.msg, "unknown lint code 'short-keys'"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policy__schema_embedded_matches_file),
		cmocka_unit_test(test_policy__samples_load),
		cmocka_unit_test(test_policy__bad_samples),
		cmocka_unit_test(test_policy__schema_alone),
		cmocka_unit_test(test_policy__xxe_never_reads_the_file),
		cmocka_unit_test(test_policy__light_tree),
		cmocka_unit_test(test_policy__parser_errors_with_schema),
		cmocka_unit_test(test_policy__tree_caps),
		cmocka_unit_test(test_policy__tree_caps_limits),
		cmocka_unit_test(test_policy__billion_laughs),
		cmocka_unit_test(test_policy__caps),
		cmocka_unit_test(test_policy__attribute_cap),
		cmocka_unit_test(test_policy__line_numbers),
		cmocka_unit_test(test_policy__precedence),
		cmocka_unit_test(test_policy__attr_keys),
		cmocka_unit_test(test_policy__attr_states),
		cmocka_unit_test(test_policy__attr_test_keys),
		cmocka_unit_test(test_policy__attr_name),
		cmocka_unit_test(test_policy__attr_culture_version),
		cmocka_unit_test(test_policy__attr_bits_hash),
		cmocka_unit_test(test_policy__attr_checksum),
		cmocka_unit_test(test_policy__glob_case_ascii_only),
		cmocka_unit_test(test_policy__nearest_reasons),
		cmocka_unit_test(test_policy__nearest_fast_path),
		cmocka_unit_test(test_policy__decide_at_caps),
		cmocka_unit_test(test_policy__duplicates_at_caps),
		cmocka_unit_test(test_policy__key_list_errors),
		cmocka_unit_test(test_policy__audit_mode),
		cmocka_unit_test(test_policy__lint),
		cmocka_unit_test(test_policy__show),
		cmocka_unit_test(test_policy__junit_report),
		cmocka_unit_test(test_policy__report_stream),
		cmocka_unit_test(test_policy__verdict_rule),
		cmocka_unit_test(test_policy__sarif_report),
		cmocka_unit_test(test_policy__sarif_rule_index),
		cmocka_unit_test(test_policy__with_verification),
		cmocka_unit_test(test_policy__key_map_signer),
		cmocka_unit_test(test_policy__key_file_errors_quote_nothing),
		cmocka_unit_test(test_policy__compare_helpers),
		cmocka_unit_test(test_policy__reason_names_printable),
		cmocka_unit_test(test_policy__api_misuse),
		cmocka_unit_test(test_policy__base_dir),
		cmocka_unit_test(test_policy__escaping),
		cmocka_unit_test(test_policy__publisher_cert_pins),
		cmocka_unit_test(test_policy__attr_authenticode),
		cmocka_unit_test(test_policy__deny_publisher),
		cmocka_unit_test(test_policy__report_unknown_ac_state),
		cmocka_unit_test(test_policy__publisher_errors),
		cmocka_unit_test(test_policy__publisher_sha256_forms),
		cmocka_unit_test(test_policy__publisher_subject),
		cmocka_unit_test(test_policy__lint_authenticode),
		cmocka_unit_test(test_policy__authenticode_report_rules),
		cmocka_unit_test(test_policy__waivers),
		cmocka_unit_test(test_policy__key_map),
		cmocka_unit_test(test_policy__lint_allow),
	};
	return cmocka_run_group_tests_name("policy", tests, th_setup_tmp,
	    th_teardown_tmp);
}
