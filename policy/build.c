/*
 * build.c - from the parsed tree to keys, hosts and rules (pass 3 of
 * policy.h), and key resolution (pass 4).
 *
 * Implements the element and attribute set of policy/asmgate-policy.xsd
 * with messages a person can act on ("unknown attribute 'foo' on
 * <allow>"), plus what a schema cannot say: exactly one key source, ids
 * unique, references to keys defined, versions and key sizes in range.
 * Every count is held against its cap in rd/limits.h before an
 * allocation.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "policy.h"
#include "rd/err.h"
#include "rd/hex.h"
#include "rd/limits.h"

/*
 * Ids are looked up through two open-addressing tables (linear probing,
 * at most half full): key ids, and rule ids per host, so the duplicate
 * checks and the keys="..." references cost one probe each rather than
 * a walk over every key or rule before (a policy at the caps has 4096
 * rules naming up to 256 keys each). A slot holds an index + 1; 0 is
 * empty.
 */
typedef struct id_table {
	size_t *slot;
	size_t *hash;               /* the id's hash, per slot (keys only;
	                               NULL in the other tables) */
	size_t mask;                /* slots - 1, a power of two minus one */
} id_table;

typedef struct build {
	asmgate_policy *pol;
	const policy_doc *pd;
	asmgate_error *err;
	id_table key_ids;           /* pol->keys by id */
	id_table rule_ids;          /* pol->rules by (host, id) */
	id_table pub_ids;           /* pol->publishers by id */
} build;

/* Attributes per element (asmgate-policy.xsd). */
static const char *const policy_attrs[] = { "mode", NULL };
static const char *const key_attrs[] = { "id", "publicKey", "file", "token",
	NULL };
static const char *const host_attrs[] = { "name", "mode", "account",
	"tracking", NULL };
static const char *const allow_attrs[] = { "id", "keys", "states", "name",
	"culture", "minVersion", "maxVersion", "minKeyBits", "hashAlgorithms",
	"testKeys", "checksum", "publishers", "authenticode", NULL };
static const char *const deny_attrs[] = { "id", "keys", "states", "name",
	"culture", "minVersion", "maxVersion", "minKeyBits", "hashAlgorithms",
	"publishers", NULL };
static const char *const publisher_attrs[] = { "id", "subject",
	"certSha256", "issuer", NULL };

static inline int
xml_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static char *
dup_str(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);

	if (p)
		memcpy(p, s, n);
	return p;
}

static asmgate_status
oom(build *b)
{
	return rd_fail_line(b->err, ASMGATE_E_NOMEM, 0, "out of memory");
}

/* Room for n ids at most half full. */
static int
id_table_init(id_table *t, size_t n, int with_hash)
{
	size_t slots = 16;

	while (slots < 2 * n)
		slots *= 2;
	t->slot = calloc(slots, sizeof(*t->slot));
	t->hash = with_hash ? calloc(slots, sizeof(*t->hash)) : NULL;
	t->mask = slots - 1;
	return t->slot != NULL && (!with_hash || t->hash != NULL);
}

/* FNV-1a over the id's n bytes, mixed with seed (the host of a rule
 * id). */
static size_t
id_hash_n(const char *s, size_t n, size_t seed)
{
	uint64_t h = 0xcbf29ce484222325u ^ (uint64_t)seed;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3u;
	}
	return (size_t)(h ^ (h >> 29));
}

static size_t
id_hash(const char *s, size_t seed)
{
	return id_hash_n(s, strlen(s), seed);
}

/* The element is {POLICY_NS}name. */
static int
is_el(const policy_node *n, const char *name)
{
	return n && n->ns && strcmp(n->ns, POLICY_NS) == 0 &&
	    strcmp(n->name, name) == 0;
}

/* "<prefix:name>" or "<name>" as written. */
static void
qname(char *buf, size_t n, const policy_node *node)
{
	if (node->prefix)
		snprintf(buf, n, "%s:%s", node->prefix, node->name);
	else
		snprintf(buf, n, "%s", node->name);
}

/* Text in an element that holds only elements: whitespace, comments and
 * processing instructions are fine; anything else is an error. */
static asmgate_status
check_text(build *b, const policy_node *n, const char *where)
{
	if (n->text & (POLICY_TEXT_OTHER | POLICY_TEXT_CDATA))
		return rd_fail_line(b->err, ASMGATE_E_POLICY,
		    policy_node_line(n), "unexpected text in <%s>", where);
	return ASMGATE_OK;
}

/* key, allow and deny hold nothing. */
static asmgate_status
check_empty(build *b, const policy_node *n, const char *where)
{
	char q[128];

	if (n->children) {
		qname(q, sizeof(q), n->children);
		return rd_fail_line(b->err, ASMGATE_E_POLICY,
		    policy_node_line(n->children),
		    "unexpected element <%s> in <%s>: <%s> must be "
		    "empty", q, where, where);
	}
	/* XSD empty content: not even whitespace */
	if (n->text)
		return rd_fail_line(b->err, ASMGATE_E_POLICY,
		    policy_node_line(n), "<%s> must be empty: write "
		    "<%s .../>", where, where);
	return ASMGATE_OK;
}

static asmgate_status
check_attrs(build *b, const policy_node *n, const char *const *allowed,
    const char *where)
{
	const policy_xattr *a;
	size_t i;

	for (a = n->attrs; a; a = a->next) {
		const char *name = a->name;
		int ok = 0;

		if (!a->ns) {
			for (i = 0; allowed[i]; i++)
				if (strcmp(allowed[i], name) == 0)
					ok = 1;
		}
		/* lintAllow: reviewed lint warnings, on every element. */
		if (!ok && !a->ns && strcmp(name, "lintAllow") == 0) {
			asmgate_status st;

			st = policy_lint_allow_add(b->pol, a->value,
			    policy_node_line(n), policy_attr_line(b->pd, n,
			    name), b->err);
			if (st != ASMGATE_OK)
				return st;
			continue;
		}
		if (ok)
			continue;
		if (!a->ns && strcmp(where, "deny") == 0 &&
		    (strcmp(name, "testKeys") == 0 ||
		     strcmp(name, "checksum") == 0 ||
		     strcmp(name, "authenticode") == 0))
			return rd_fail_line(b->err, ASMGATE_E_POLICY,
			    policy_attr_line(b->pd, n, name),
			    "attribute '%s' is only allowed on <allow>", name);
		if (a->ns && a->prefix) {
			char full[160];
			snprintf(full, sizeof(full), "%s:%s", a->prefix, name);
			return rd_fail_line(b->err, ASMGATE_E_POLICY,
			    policy_attr_line(b->pd, n, full),
			    "unknown attribute '%s' on <%s>", full, where);
		}
		return rd_fail_line(b->err, ASMGATE_E_POLICY,
		    policy_attr_line(b->pd, n, name),
		    "unknown attribute '%s' on <%s>", name, where);
	}
	return ASMGATE_OK;
}

/* An attribute's value as a malloc'd string; NULL when absent. *st is
 * set on allocation failure. */
static char *
get_attr(build *b, const policy_node *n, const char *name, asmgate_status *st)
{
	const char *v = policy_node_attr(n, name);
	char *s;

	if (!v)
		return NULL;
	s = dup_str(v);
	if (!s)
		*st = oom(b);
	return s;
}

/* ids: [A-Za-z0-9_][A-Za-z0-9_.-]*, at most RD_MAX_POLICY_ID bytes
 * (asmgate-policy.xsd, type "id"). */
static int
valid_id(const char *s)
{
	size_t i;

	if (!s[0] || strlen(s) > RD_MAX_POLICY_ID)
		return 0;
	for (i = 0; s[i]; i++) {
		int c = (unsigned char)s[i];
		int alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '_';
		if (!alnum && (i == 0 || (c != '.' && c != '-')))
			return 0;
	}
	return 1;
}

/* BizTalk host names: letters, digits, '_', '.', '-'; at most 80. */
static int
valid_host_name(const char *s)
{
	size_t i;

	if (!s[0] || strlen(s) > RD_MAX_POLICY_HOST_NAME)
		return 0;
	for (i = 0; s[i]; i++) {
		int c = (unsigned char)s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '.' ||
		    c == '-'))
			return 0;
	}
	return 1;
}

static asmgate_status
required(build *b, const policy_node *n, const char *attr, const char *where,
    char **out)
{
	asmgate_status st = ASMGATE_OK;

	*out = get_attr(b, n, attr, &st);
	if (st != ASMGATE_OK)
		return st;
	if (!*out)
		return rd_fail_line(b->err, ASMGATE_E_POLICY,
		    policy_node_line(n),
		    "<%s> is missing the required attribute '%s'", where, attr);
	return ASMGATE_OK;
}

static asmgate_status
parse_mode(build *b, const policy_node *n, int *audit, int *given)
{
	asmgate_status st = ASMGATE_OK;
	char *m = get_attr(b, n, "mode", &st);

	if (st != ASMGATE_OK)
		return st;
	*given = m != NULL;
	if (!m)
		return ASMGATE_OK;
	if (strcmp(m, "audit") == 0) {
		*audit = 1;
	} else if (strcmp(m, "enforce") == 0) {
		*audit = 0;
	} else {
		st = rd_fail_line(b->err, ASMGATE_E_POLICY,
		    policy_attr_line(b->pd, n, "mode"),
		    "unknown mode '%.40s': expected enforce or audit", m);
	}
	free(m);
	return st;
}

/* The items of a whitespace-separated list (xs:list), read in place:
 * items[i] starts one, lens[i] bytes long. At most RD_MAX_POLICY_LIST
 * items; fails on an empty list. */
static asmgate_status
list_items(build *b, const policy_node *n, const char *attr, const char *ctx,
    const char *s, const char **items, size_t *lens, size_t *count)
{
	size_t k = 0;
	const char *p = s;

	for (;;) {
		while (*p && xml_space((unsigned char)*p))
			p++;
		if (!*p)
			break;
		if (k >= RD_MAX_POLICY_LIST)
			return rd_fail_line(b->err, ASMGATE_E_LIMIT,
			    policy_attr_line(b->pd, n, attr),
			    "more than %u items in %s of %s",
			    RD_MAX_POLICY_LIST, attr, ctx);
		items[k] = p;
		while (*p && !xml_space((unsigned char)*p))
			p++;
		lens[k] = (size_t)(p - items[k]);
		k++;
	}
	if (k == 0)
		return rd_fail_line(b->err, ASMGATE_E_POLICY,
		    policy_attr_line(b->pd, n, attr), "%s of %s is empty", attr,
		    ctx);
	*count = k;
	return ASMGATE_OK;
}

/* list_items, each item NUL-terminated in s. */
static asmgate_status
split_list(build *b, const policy_node *n, const char *attr, const char *ctx,
    char *s, char **items, size_t *count)
{
	const char *at[RD_MAX_POLICY_LIST];
	size_t lens[RD_MAX_POLICY_LIST], i;
	asmgate_status st = list_items(b, n, attr, ctx, s, at, lens, count);

	for (i = 0; st == ASMGATE_OK && i < *count; i++) {
		items[i] = s + (at[i] - s);
		items[i][lens[i]] = '\0';
	}
	return st;
}

static asmgate_status
dup_item(build *b, const policy_node *n, const char *attr, char **items,
    size_t k)
{
	size_t i;

	for (i = 0; i < k; i++)
		if (strcmp(items[i], items[k]) == 0)
			return rd_fail_line(b->err, ASMGATE_E_POLICY,
			    policy_attr_line(b->pd, n, attr),
			    "'%.64s' is listed twice in %s", items[k], attr);
	return ASMGATE_OK;
}

/* The index of the key whose id is the n bytes at id, of hash h
 * (id_hash_n), among those added, or -1. */
static long
find_key_h(const build *b, const char *id, size_t n, size_t h)
{
	const id_table *t = &b->key_ids;
	size_t i = h & t->mask;

	for (; t->slot[i]; i = (i + 1) & t->mask) {
		const char *k;
		if (t->hash[i] != h)
			continue;
		k = b->pol->keys[t->slot[i] - 1].id;
		if (strncmp(k, id, n) == 0 && k[n] == '\0')
			return (long)(t->slot[i] - 1);
	}
	return -1;
}

static long
find_key(const build *b, const char *id)
{
	size_t n = strlen(id);

	return find_key_h(b, id, n, id_hash_n(id, n, 0));
}

/* Add key idx (its id not yet in the table). */
static void
add_key(build *b, size_t idx)
{
	id_table *t = &b->key_ids;
	size_t h = id_hash(b->pol->keys[idx].id, 0), i = h & t->mask;

	while (t->slot[i])
		i = (i + 1) & t->mask;
	t->slot[i] = idx + 1;
	t->hash[i] = h;
}

/* The rule of host with this id among those added, or NULL. */
static const policy_rule *
find_rule(const build *b, size_t host, const char *id)
{
	const id_table *t = &b->rule_ids;
	size_t i = id_hash(id, host) & t->mask;

	for (; t->slot[i]; i = (i + 1) & t->mask) {
		const policy_rule *o = &b->pol->rules[t->slot[i] - 1];
		if (o->host == host && strcmp(o->id, id) == 0)
			return o;
	}
	return NULL;
}

static void
add_rule(build *b, size_t idx)
{
	id_table *t = &b->rule_ids;
	const policy_rule *r = &b->pol->rules[idx];
	size_t i = id_hash(r->id, r->host) & t->mask;

	while (t->slot[i])
		i = (i + 1) & t->mask;
	t->slot[i] = idx + 1;
}

/* The index of the publisher with this id among those added, or -1. */
static long
find_publisher(const build *b, const char *id)
{
	const id_table *t = &b->pub_ids;
	size_t i = id_hash(id, 0) & t->mask;

	for (; t->slot[i]; i = (i + 1) & t->mask)
		if (strcmp(b->pol->publishers[t->slot[i] - 1].id, id) == 0)
			return (long)(t->slot[i] - 1);
	return -1;
}

static void
add_publisher(build *b, size_t idx)
{
	id_table *t = &b->pub_ids;
	size_t i = id_hash(b->pol->publishers[idx].id, 0) & t->mask;

	while (t->slot[i])
		i = (i + 1) & t->mask;
	t->slot[i] = idx + 1;
}

/* publishers="a b": indexes of defined publishers, each listed once. */
static asmgate_status
parse_publisher_list(build *b, const policy_node *n, const char *ctx,
    policy_rule *r)
{
	asmgate_status st = ASMGATE_OK;
	char *v = get_attr(b, n, "publishers", &st);
	char *items[RD_MAX_POLICY_LIST];
	size_t k = 0, i, j;
	long idx;

	if (!v)
		return st;
	st = split_list(b, n, "publishers", ctx, v, items, &k);
	if (st == ASMGATE_OK) {
		r->publishers = calloc(k, sizeof(*r->publishers));
		if (!r->publishers)
			st = oom(b);
	}
	for (i = 0; st == ASMGATE_OK && i < k; i++) {
		idx = find_publisher(b, items[i]);
		if (idx < 0) {
			st = rd_fail_line(b->err, ASMGATE_E_POLICY,
			    policy_attr_line(b->pd, n, "publishers"),
			    "unknown publisher '%.64s' in publishers of %s",
			    items[i], ctx);
			break;
		}
		/* at most RD_MAX_POLICY_LIST items: a quadratic check */
		for (j = 0; j < i; j++)
			if (r->publishers[j] == (size_t)idx)
				break;
		if (j < i) {
			st = rd_fail_line(b->err, ASMGATE_E_POLICY,
			    policy_attr_line(b->pd, n, "publishers"),
			    "'%.64s' is listed twice in publishers", items[i]);
			break;
		}
		r->publishers[i] = (size_t)idx;
		b->pol->publishers[idx].uses++;
	}
	free(v);
	if (st != ASMGATE_OK) {
		free(r->publishers);
		r->publishers = NULL;
		return st;
	}
	r->npublishers = k;
	return ASMGATE_OK;
}

/* authenticode="required|optional" (allow rules). */
static asmgate_status
parse_authenticode(build *b, const policy_node *n, policy_rule *r)
{
	asmgate_status st = ASMGATE_OK;
	char *s = get_attr(b, n, "authenticode", &st);

	if (!s)
		return st;
	if (strcmp(s, "required") == 0)
		r->authenticode = POLICY_AC_REQUIRED;
	else if (strcmp(s, "optional") == 0)
		r->authenticode = POLICY_AC_OPTIONAL;
	else
		st = rd_fail_line(b->err, ASMGATE_E_POLICY,
		    policy_attr_line(b->pd, n, "authenticode"),
		    "bad authenticode '%.40s': use 'required' or 'optional'",
		    s);
	free(s);
	return st;
}

/* A distinguished name attribute into its canonical form. */
static asmgate_status
parse_dn(build *b, const policy_node *n, const char *attr, const char *id,
    const char *text, uint8_t **canon, size_t *len)
{
	asmgate_error e;
	asmgate_status st;

	*canon = malloc(ASMGATE_AC_CANON_MAX);
	if (!*canon)
		return oom(b);
	memset(&e, 0, sizeof(e));
	st = asmgate_dn_canonical(text, *canon, ASMGATE_AC_CANON_MAX, len, &e);
	if (st == ASMGATE_OK && *len > 0)
		return ASMGATE_OK;
	return rd_fail_line(b->err, ASMGATE_E_POLICY,
	    policy_attr_line(b->pd, n, attr),
	    "bad %s '%.80s' on publisher '%s': %s", attr, text, id,
	    st == ASMGATE_OK ? "empty name" : e.msg);
}

static asmgate_status
parse_publisher(build *b, const policy_node *n, policy_publisher *p)
{
	asmgate_status st = ASMGATE_OK;
	char *sha = NULL;
	long o;

	p->line = policy_node_line(n);
	if ((st = check_attrs(b, n, publisher_attrs, "publisher")) !=
	    ASMGATE_OK)
		return st;
	if ((st = check_empty(b, n, "publisher")) != ASMGATE_OK)
		return st;
	if ((st = required(b, n, "id", "publisher", &p->id)) != ASMGATE_OK)
		return st;
	if (!valid_id(p->id))
		return rd_fail_line(b->err, ASMGATE_E_POLICY,
		    policy_attr_line(b->pd, n, "id"),
		    "bad id '%.80s': use letters, digits, '_', '.' and '-' "
		    "(at most %u, not starting with '.' or '-')", p->id,
		    RD_MAX_POLICY_ID);
	if ((o = find_publisher(b, p->id)) >= 0)
		return rd_fail_line(b->err, ASMGATE_E_POLICY,
		    policy_attr_line(b->pd, n, "id"),
		    "duplicate publisher id '%s' (first at line %lu)", p->id,
		    b->pol->publishers[o].line);
	add_publisher(b, (size_t)(p - b->pol->publishers));
	p->subject = get_attr(b, n, "subject", &st);
	if (st == ASMGATE_OK)
		sha = get_attr(b, n, "certSha256", &st);
	if (st == ASMGATE_OK)
		p->issuer = get_attr(b, n, "issuer", &st);
	if (st != ASMGATE_OK)
		goto out;
	if (!p->subject == !sha) {
		st = rd_fail_line(b->err, ASMGATE_E_POLICY, p->line,
		    p->subject ? "publisher '%s' has both subject and "
		    "certSha256: give exactly one" : "publisher '%s' needs "
		    "one of subject or certSha256", p->id);
		goto out;
	}
	if (sha) {
		p->has_sha256 = 1;
		if (!policy_parse_sha256(sha, p->sha256)) {
			st = rd_fail_line(b->err, ASMGATE_E_POLICY,
			    policy_attr_line(b->pd, n, "certSha256"),
			    "bad certSha256 '%.100s' on publisher '%s': "
			    "expected 64 hex digits (pairs may be joined by "
			    "':')", sha, p->id);
			goto out;
		}
	} else if ((st = parse_dn(b, n, "subject", p->id, p->subject,
	    &p->subject_canon, &p->subject_canon_len)) != ASMGATE_OK) {
		goto out;
	}
	if (p->issuer)
		st = parse_dn(b, n, "issuer", p->id, p->issuer,
		    &p->issuer_canon, &p->issuer_canon_len);
out:
	free(sha);
	return st;
}

/* keys="a b" / testKeys="a b": indexes of defined keys, and the same
 * keys as a set (bit i for pol->keys[i], pol->key_words words) for
 * decide.c. Errors in the order of a check per item: an item listed
 * twice (the first such item), then an unknown key, then a token-only
 * test key. */
static asmgate_status
parse_key_list(build *b, const policy_node *n, const char *attr, const char *ctx,
    int test, size_t **out, size_t *nout, uint64_t **set)
{
	const char *v = policy_node_attr(n, attr);
	const char *items[RD_MAX_POLICY_LIST];
	size_t lens[RD_MAX_POLICY_LIST], hashes[RD_MAX_POLICY_LIST];
	long idx[RD_MAX_POLICY_LIST];
	uint64_t seen[(RD_MAX_POLICY_KEYS + 63) / 64];
	asmgate_status st = ASMGATE_OK;
	size_t k = 0, i, j;

	*out = NULL;
	*nout = 0;
	*set = NULL;
	if (!v)
		return ASMGATE_OK;
	st = list_items(b, n, attr, ctx, v, items, lens, &k);
	if (st != ASMGATE_OK)
		return st;
	for (i = 0; i < k; i++)
		hashes[i] = id_hash_n(items[i], lens[i], 0);
	/* Equal items have the same index, or are both unknown: the
	 * duplicate check is a bit per defined key, and a comparison only
	 * among the unknown items (which fail the load anyway). */
	memset(seen, 0, sizeof(seen));
	for (i = 0; st == ASMGATE_OK && i < k; i++) {
		idx[i] = find_key_h(b, items[i], lens[i], hashes[i]);
		if (idx[i] >= 0) {
			uint64_t bit = (uint64_t)1 << ((size_t)idx[i] % 64);
			if (!(seen[(size_t)idx[i] / 64] & bit)) {
				seen[(size_t)idx[i] / 64] |= bit;
				continue;
			}
		} else {
			for (j = 0; j < i; j++)
				if (idx[j] < 0 && lens[j] == lens[i] &&
				    memcmp(items[j], items[i], lens[i]) == 0)
					break;
			if (j == i)
				continue;
		}
		st = rd_fail_line(b->err, ASMGATE_E_POLICY,
		    policy_attr_line(b->pd, n, attr),
		    "'%.*s' is listed twice in %s", (int)(lens[i] < 64 ?
		    lens[i] : 64), items[i], attr);
	}
	if (st == ASMGATE_OK) {
		*out = calloc(k, sizeof(**out));
		*set = calloc(b->pol->key_words, sizeof(**set));
		if (!*out || !*set)
			st = oom(b);
	}
	for (i = 0; st == ASMGATE_OK && i < k; i++) {
		if (idx[i] < 0) {
			st = rd_fail_line(b->err, ASMGATE_E_POLICY,
			    policy_attr_line(b->pd, n, attr),
			    "unknown key '%.*s' in %s of %s", (int)(lens[i] < 64 ?
			    lens[i] : 64), items[i], attr, ctx);
			break;
		}
		if (test && b->pol->keys[idx[i]].source == POLICY_KEY_TOKEN) {
			st = rd_fail_line(b->err, ASMGATE_E_POLICY,
			    policy_attr_line(b->pd, n, attr),
			    "test key '%s' is token-only: testKeys need a full "
			    "public key (publicKey or file) to check a "
			    "signature", b->pol->keys[idx[i]].id);
			break;
		}
		(*out)[i] = (size_t)idx[i];
		(*set)[(size_t)idx[i] / 64] |= (uint64_t)1 <<
		    ((size_t)idx[i] % 64);
		if (test)
			b->pol->keys[idx[i]].test_uses++;
		else
			b->pol->keys[idx[i]].uses++;
	}
	if (st != ASMGATE_OK) {
		free(*out);
		*out = NULL;
		free(*set);
		*set = NULL;
		return st;
	}
	*nout = k;
	return ASMGATE_OK;
}

static const char *const state_list_names[] = { "unsigned", "delay-signed",
	"public-signed", "test-signed", "signed", NULL };

static asmgate_status
parse_states(build *b, const policy_node *n, const char *ctx, policy_rule *r)
{
	asmgate_status st = ASMGATE_OK;
	char *v = get_attr(b, n, "states", &st);
	char *items[RD_MAX_POLICY_LIST];
	size_t k = 0, i, j;

	if (!v)
		return st;
	r->states_given = 1;
	r->states = 0;
	st = split_list(b, n, "states", ctx, v, items, &k);
	for (i = 0; st == ASMGATE_OK && i < k; i++) {
		asmgate_sn_state s;
		int known = 0;
		for (j = 0; state_list_names[j]; j++)
			if (strcmp(items[i], state_list_names[j]) == 0)
				known = 1;
		if (!known || !asmgate_sn_state_parse(items[i], &s)) {
			st = rd_fail_line(b->err, ASMGATE_E_POLICY,
			    policy_attr_line(b->pd, n, "states"),
			    "unknown state '%.40s' in states: expected "
			    "unsigned, delay-signed, public-signed, test-signed "
			    "or signed", items[i]);
			break;
		}
		st = dup_item(b, n, "states", items, i);
		r->states |= POLICY_STATE_BIT(s);
	}
	free(v);
	return st;
}

static asmgate_status
parse_hashes(build *b, const policy_node *n, const char *ctx, policy_rule *r)
{
	static const struct {
		const char *name;
		unsigned bit;
	} algs[] = {
		{ "sha1", POLICY_HASH_SHA1 }, { "sha256", POLICY_HASH_SHA256 },
		{ "sha384", POLICY_HASH_SHA384 }, { "sha512", POLICY_HASH_SHA512 },
	};
	asmgate_status st = ASMGATE_OK;
	char *v = get_attr(b, n, "hashAlgorithms", &st);
	char *items[RD_MAX_POLICY_LIST];
	size_t k = 0, i, j;

	if (!v)
		return st;
	st = split_list(b, n, "hashAlgorithms", ctx, v, items, &k);
	for (i = 0; st == ASMGATE_OK && i < k; i++) {
		unsigned bit = 0;
		for (j = 0; j < sizeof(algs) / sizeof(algs[0]); j++)
			if (strcmp(items[i], algs[j].name) == 0)
				bit = algs[j].bit;
		if (!bit) {
			st = rd_fail_line(b->err, ASMGATE_E_POLICY,
			    policy_attr_line(b->pd, n, "hashAlgorithms"),
			    "unknown hash algorithm '%.40s' in hashAlgorithms: "
			    "expected sha1, sha256, sha384 or sha512",
			    items[i]);
			break;
		}
		st = dup_item(b, n, "hashAlgorithms", items, i);
		r->hashes |= bit;
	}
	free(v);
	return st;
}

/* A culture name: "neutral", or BCP 47 shaped ll[-XX...] as .NET
 * cultures are (asmgate-policy.xsd, type "culture"). */
static int
valid_culture(const char *s)
{
	size_t run = 0, i;
	int first = 1;

	if (policy_ascii_casecmp(s, "neutral") == 0)
		return 1;
	for (i = 0;; i++) {
		int c = (unsigned char)s[i];
		if (c == '-' || c == 0) {
			if (run == 0 || run > 8)
				return 0;
			if (c == 0)
				return 1;
			run = 0;
			first = 0;
			continue;
		}
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (!first && c >= '0' && c <= '9')))
			return 0;
		run++;
	}
}

static asmgate_status
parse_cultures(build *b, const policy_node *n, const char *ctx, policy_rule *r)
{
	asmgate_status st = ASMGATE_OK;
	char *v = get_attr(b, n, "culture", &st);
	char *items[RD_MAX_POLICY_LIST];
	size_t k = 0, i;

	if (!v)
		return st;
	st = split_list(b, n, "culture", ctx, v, items, &k);
	for (i = 0; st == ASMGATE_OK && i < k; i++) {
		if (!valid_culture(items[i]))
			st = rd_fail_line(b->err, ASMGATE_E_POLICY,
			    policy_attr_line(b->pd, n, "culture"),
			    "bad culture '%.40s': expected neutral or a culture "
			    "name such as fr-FR", items[i]);
		else
			st = dup_item(b, n, "culture", items, i);
	}
	if (st == ASMGATE_OK) {
		r->cultures = calloc(k, sizeof(*r->cultures));
		if (!r->cultures)
			st = oom(b);
	}
	for (i = 0; st == ASMGATE_OK && i < k; i++) {
		r->cultures[i] = dup_str(policy_ascii_casecmp(items[i],
		    "neutral") == 0 ? "" : items[i]);
		if (!r->cultures[i])
			st = oom(b);
		r->ncultures = i + 1;
	}
	free(v);
	return st;
}

/* "a.b.c.d", each 0..65535 (ECMA-335 II.22.2: four 2-byte numbers). */
static int
parse_version(const char *s, asmgate_version *v)
{
	unsigned parts[4];
	int i;

	for (i = 0; i < 4; i++) {
		unsigned long x = 0;
		int digits = 0;
		while (*s >= '0' && *s <= '9') {
			x = x * 10 + (unsigned long)(*s - '0');
			if (++digits > 5 || x > 65535)
				return 0;
			s++;
		}
		if (digits == 0)
			return 0;
		parts[i] = (unsigned)x;
		if (i < 3 && *s++ != '.')
			return 0;
	}
	if (*s)
		return 0;
	v->major = (uint16_t)parts[0];
	v->minor = (uint16_t)parts[1];
	v->build = (uint16_t)parts[2];
	v->revision = (uint16_t)parts[3];
	return 1;
}

static asmgate_status
parse_version_attr(build *b, const policy_node *n, const char *attr,
    asmgate_version *v, int *has)
{
	asmgate_status st = ASMGATE_OK;
	char *s = get_attr(b, n, attr, &st);

	if (!s)
		return st;
	if (!parse_version(s, v))
		st = rd_fail_line(b->err, ASMGATE_E_POLICY,
		    policy_attr_line(b->pd, n, attr),
		    "bad %s '%.40s': expected four numbers a.b.c.d, each "
		    "0-65535", attr, s);
	else
		*has = 1;
	free(s);
	return st;
}

static asmgate_status
parse_min_bits(build *b, const policy_node *n, policy_rule *r)
{
	asmgate_status st = ASMGATE_OK;
	char *s = get_attr(b, n, "minKeyBits", &st);
	unsigned long x = 0;
	size_t i;
	int ok = 1;

	if (!s)
		return st;
	for (i = 0; s[i]; i++) {
		if (s[i] < '0' || s[i] > '9' || i >= 6) {
			ok = 0;
			break;
		}
		x = x * 10 + (unsigned long)(s[i] - '0');
	}
	if (!ok || i == 0 || x < RD_MIN_KEY_BITS || x > RD_MAX_KEY_BITS)
		st = rd_fail_line(b->err, ASMGATE_E_POLICY,
		    policy_attr_line(b->pd, n, "minKeyBits"),
		    "bad minKeyBits '%.40s': expected a number from %u to %u",
		    s, RD_MIN_KEY_BITS, RD_MAX_KEY_BITS);
	else
		r->min_key_bits = (unsigned)x;
	free(s);
	return st;
}

static asmgate_status
parse_glob(build *b, const policy_node *n, policy_rule *r)
{
	asmgate_status st = ASMGATE_OK;
	char *s = get_attr(b, n, "name", &st);
	size_t i;

	if (!s)
		return st;
	if (!s[0] || strlen(s) > RD_MAX_POLICY_GLOB) {
		st = rd_fail_line(b->err, ASMGATE_E_POLICY,
		    policy_attr_line(b->pd, n, "name"),
		    "name must be 1 to %u bytes", RD_MAX_POLICY_GLOB);
		free(s);
		return st;
	}
	for (i = 0; s[i]; i++) {
		if ((unsigned char)s[i] < 0x20) {
			st = rd_fail_line(b->err, ASMGATE_E_POLICY,
			    policy_attr_line(b->pd, n, "name"),
			    "control character in name");
			free(s);
			return st;
		}
	}
	r->name = s;
	/* A name must start with this byte (decide.c tests it before
	 * matching the glob). */
	r->name_lead = s[0] == '*' || s[0] == '?' ? -1 :
	    s[0] >= 'A' && s[0] <= 'Z' ? s[0] + 32 : (unsigned char)s[0];
	return ASMGATE_OK;
}

/* checksum="required" (allow rules; asmgate-policy.xsd type
 * "checksum"): the rule matches only files whose PE checksum is right. */
static asmgate_status
parse_checksum(build *b, const policy_node *n, policy_rule *r)
{
	asmgate_status st = ASMGATE_OK;
	char *s = get_attr(b, n, "checksum", &st);

	if (!s)
		return st;
	if (strcmp(s, "required") != 0)
		st = rd_fail_line(b->err, ASMGATE_E_POLICY,
		    policy_attr_line(b->pd, n, "checksum"),
		    "bad checksum '%.40s': the only value is 'required'", s);
	else
		r->checksum_required = 1;
	free(s);
	return st;
}

static asmgate_status
parse_rule(build *b, const policy_node *n, size_t host, policy_rule *r)
{
	const policy_host *h = &b->pol->hosts[host];
	const char *where = is_el(n, "deny") ? "deny" : "allow";
	char ctx[RD_MAX_POLICY_ID + 16];
	const policy_rule *o;
	asmgate_status st;

	r->deny = is_el(n, "deny");
	r->host = host;
	r->line = policy_node_line(n);
	r->states = r->deny ? POLICY_STATES_ALL :
	    POLICY_STATE_BIT(ASMGATE_SN_SIGNED);
	if ((st = check_attrs(b, n, r->deny ? deny_attrs : allow_attrs,
	    where)) != ASMGATE_OK)
		return st;
	if ((st = check_empty(b, n, where)) != ASMGATE_OK)
		return st;
	if ((st = required(b, n, "id", where, &r->id)) != ASMGATE_OK)
		return st;
	if (!valid_id(r->id))
		return rd_fail_line(b->err, ASMGATE_E_POLICY,
		    policy_attr_line(b->pd, n, "id"),
		    "bad id '%.80s': use letters, digits, '_', '.' and '-' "
		    "(at most %u, not starting with '.' or '-')", r->id,
		    RD_MAX_POLICY_ID);
	if ((o = find_rule(b, host, r->id)) != NULL)
		return rd_fail_line(b->err, ASMGATE_E_POLICY,
		    policy_attr_line(b->pd, n, "id"),
		    "duplicate rule id '%s' in host '%s' (first at line "
		    "%lu)", r->id, h->name, o->line);
	add_rule(b, (size_t)(r - b->pol->rules));
	snprintf(ctx, sizeof(ctx), "rule '%s'", r->id);
	if ((st = parse_key_list(b, n, "keys", ctx, 0, &r->keys,
	    &r->nkeys, &r->key_set)) != ASMGATE_OK)
		return st;
	if (!r->deny && (st = parse_key_list(b, n, "testKeys", ctx, 1,
	    &r->test_keys, &r->ntest_keys, &r->test_key_set)) != ASMGATE_OK)
		return st;
	if ((st = parse_states(b, n, ctx, r)) != ASMGATE_OK)
		return st;
	if ((st = parse_glob(b, n, r)) != ASMGATE_OK)
		return st;
	if ((st = parse_cultures(b, n, ctx, r)) != ASMGATE_OK)
		return st;
	if ((st = parse_version_attr(b, n, "minVersion", &r->min,
	    &r->has_min)) != ASMGATE_OK)
		return st;
	if ((st = parse_version_attr(b, n, "maxVersion", &r->max,
	    &r->has_max)) != ASMGATE_OK)
		return st;
	if ((st = parse_min_bits(b, n, r)) != ASMGATE_OK)
		return st;
	if (!r->deny && (st = parse_checksum(b, n, r)) != ASMGATE_OK)
		return st;
	if ((st = parse_publisher_list(b, n, ctx, r)) != ASMGATE_OK)
		return st;
	if (!r->deny && (st = parse_authenticode(b, n, r)) != ASMGATE_OK)
		return st;
	if ((st = parse_hashes(b, n, ctx, r)) != ASMGATE_OK)
		return st;
	r->rare = r->cultures || r->has_min || r->has_max ||
	    r->min_key_bits || r->hashes || r->checksum_required ||
	    r->publishers || r->authenticode != POLICY_AC_ANY;
	return ASMGATE_OK;
}

/* publicKey: hex digits, XML whitespace between them ignored (long blobs
 * are often wrapped). */
static asmgate_status
parse_public_key(build *b, policy_key *k, const char *v)
{
	uint8_t *blob;
	size_t n = 0, where = 0, len = strlen(v);
	rd_hex_ws st;

	blob = malloc(RD_MAX_PUBLIC_KEY_BLOB);
	if (!blob)
		return oom(b);
	st = rd_hex_decode_ws(blob, RD_MAX_PUBLIC_KEY_BLOB, &n, v, len,
	    &where);
	if (st == RD_HEX_OK && n > 0) {
		k->pending = blob;
		k->pending_len = n;
		return ASMGATE_OK;
	}
	free(blob);
	switch (st) {
	case RD_HEX_BAD_DIGIT:
		return rd_fail_line(b->err, ASMGATE_E_POLICY, k->src_line,
		    "bad hex in publicKey of key '%s': '%c' at character %zu",
		    k->id, (unsigned char)v[where] >= 0x20 &&
		    (unsigned char)v[where] < 0x7F ? v[where] : '?',
		    where + 1);
	case RD_HEX_ODD:
		return rd_fail_line(b->err, ASMGATE_E_POLICY, k->src_line,
		    "bad hex in publicKey of key '%s': odd number of digits "
		    "(%zu)", k->id, where);
	case RD_HEX_TOO_LONG:
		return rd_fail_line(b->err, ASMGATE_E_POLICY, k->src_line,
		    "publicKey of key '%s' is %zu bytes, more than %u",
		    k->id, where / 2, RD_MAX_PUBLIC_KEY_BLOB);
	case RD_HEX_OK:
	default:
		return rd_fail_line(b->err, ASMGATE_E_POLICY, k->src_line,
		    "publicKey of key '%s' is empty", k->id);
	}
}

static asmgate_status
parse_key(build *b, const policy_node *n, policy_key *k)
{
	asmgate_status st = ASMGATE_OK;
	char *pk = NULL, *file = NULL, *tok = NULL;
	const char *given[3];
	size_t ngiven = 0;
	long o;

	k->line = policy_node_line(n);
	if ((st = check_attrs(b, n, key_attrs, "key")) != ASMGATE_OK)
		return st;
	if ((st = check_empty(b, n, "key")) != ASMGATE_OK)
		return st;
	if ((st = required(b, n, "id", "key", &k->id)) != ASMGATE_OK)
		return st;
	if (!valid_id(k->id))
		return rd_fail_line(b->err, ASMGATE_E_POLICY,
		    policy_attr_line(b->pd, n, "id"),
		    "bad id '%.80s': use letters, digits, '_', '.' and '-' "
		    "(at most %u, not starting with '.' or '-')", k->id,
		    RD_MAX_POLICY_ID);
	if ((o = find_key(b, k->id)) >= 0)
		return rd_fail_line(b->err, ASMGATE_E_POLICY,
		    policy_attr_line(b->pd, n, "id"),
		    "duplicate key id '%s' (first at line %lu)", k->id,
		    b->pol->keys[o].line);
	add_key(b, (size_t)(k - b->pol->keys));
	pk = get_attr(b, n, "publicKey", &st);
	if (st == ASMGATE_OK)
		file = get_attr(b, n, "file", &st);
	if (st == ASMGATE_OK)
		tok = get_attr(b, n, "token", &st);
	if (st != ASMGATE_OK)
		goto out;
	if (pk)
		given[ngiven++] = "publicKey";
	if (file)
		given[ngiven++] = "file";
	if (tok)
		given[ngiven++] = "token";
	if (ngiven != 1) {
		if (ngiven == 0)
			st = rd_fail_line(b->err, ASMGATE_E_POLICY, k->line,
			    "key '%s' needs one of publicKey, file or token",
			    k->id);
		else
			st = rd_fail_line(b->err, ASMGATE_E_POLICY,
			    policy_attr_line(b->pd, n, given[1]),
			    "key '%s' has both %s and %s: give exactly one of "
			    "publicKey, file or token", k->id, given[0],
			    given[1]);
		goto out;
	}
	k->src_line = policy_attr_line(b->pd, n, given[0]);
	if (pk) {
		k->source = POLICY_KEY_BLOB;
		st = parse_public_key(b, k, pk);
	} else if (file) {
		k->source = POLICY_KEY_FILE;
		if (!file[0] || strlen(file) > RD_MAX_POLICY_PATH) {
			st = rd_fail_line(b->err, ASMGATE_E_POLICY,
			    k->src_line, "file of key '%s' must be 1 to %u "
			    "bytes", k->id, RD_MAX_POLICY_PATH);
			goto out;
		}
		k->file = file;
		file = NULL;
	} else {
		size_t len = 0, bad = 0;
		k->source = POLICY_KEY_TOKEN;
		if (strlen(tok) != 16 ||
		    !rd_hex_decode(k->token, 8, &len, tok, 16, &bad))
			st = rd_fail_line(b->err, ASMGATE_E_POLICY,
			    k->src_line, "bad token '%.40s' on key '%s': "
			    "expected 16 hex digits", tok, k->id);
	}
out:
	free(pk);
	free(file);
	free(tok);
	return st;
}

/* account="DOMAIN\\name" and tracking="true" (the host layout lint). */
static asmgate_status
parse_host_layout(build *b, const policy_node *n, policy_host *h)
{
	asmgate_status st = ASMGATE_OK;
	char *t;

	h->account = get_attr(b, n, "account", &st);
	if (st != ASMGATE_OK)
		return st;
	h->account_line = policy_attr_line(b->pd, n, "account");
	if (h->account && (h->account[0] == '\0' ||
	    strlen(h->account) > 256))
		return rd_fail_line(b->err, ASMGATE_E_POLICY, h->account_line,
		    "account of host '%s' must have 1 to 256 bytes", h->name);
	t = get_attr(b, n, "tracking", &st);
	if (st != ASMGATE_OK)
		return st;
	if (t && (strcmp(t, "true") == 0 || strcmp(t, "1") == 0))
		h->tracking = 1;
	else if (t && strcmp(t, "false") != 0 && strcmp(t, "0") != 0)
		st = rd_fail_line(b->err, ASMGATE_E_POLICY,
		    policy_attr_line(b->pd, n, "tracking"),
		    "tracking of host '%s' is true or false", h->name);
	free(t);
	return st;
}

static asmgate_status
parse_host(build *b, const policy_node *n, policy_host *h, size_t idx)
{
	asmgate_status st;
	const policy_node *c;
	size_t i;

	h->line = policy_node_line(n);
	if ((st = check_attrs(b, n, host_attrs, "host")) != ASMGATE_OK)
		return st;
	if ((st = check_text(b, n, "host")) != ASMGATE_OK)
		return st;
	if ((st = required(b, n, "name", "host", &h->name)) != ASMGATE_OK)
		return st;
	if (!valid_host_name(h->name))
		return rd_fail_line(b->err, ASMGATE_E_POLICY,
		    policy_attr_line(b->pd, n, "name"),
		    "bad host name '%.100s': use letters, digits, '_', '.' and "
		    "'-' (at most %u)", h->name, RD_MAX_POLICY_HOST_NAME);
	for (i = 0; i < idx; i++)
		if (policy_ascii_casecmp(b->pol->hosts[i].name, h->name) == 0)
			return rd_fail_line(b->err, ASMGATE_E_POLICY,
			    policy_attr_line(b->pd, n, "name"),
			    "duplicate host '%s' (first at line %lu; host "
			    "names are case-insensitive)", h->name,
			    b->pol->hosts[i].line);
	h->audit = b->pol->audit;
	if ((st = parse_mode(b, n, &h->audit, &h->mode_given)) != ASMGATE_OK)
		return st;
	if ((st = parse_host_layout(b, n, h)) != ASMGATE_OK)
		return st;
	h->first_rule = b->pol->nrules;
	for (c = n->children; c; c = c->next) {
		policy_rule *r;
		/* counted and capped in count_elements */
		r = &b->pol->rules[b->pol->nrules++];
		h->nrules++;
		if ((st = parse_rule(b, c, idx, r)) != ASMGATE_OK)
			return st;
		if (r->deny)
			h->ndeny++;
	}
	return ASMGATE_OK;
}

/* Count keys, hosts and rules against their caps, rejecting unknown
 * elements on the way. */
static asmgate_status
count_elements(build *b, const policy_node *root, size_t *nkeys, size_t *nhosts,
    size_t *nrules, size_t *npubs)
{
	const policy_node *c, *r;
	char q[128];

	*nkeys = *nhosts = *nrules = *npubs = 0;
	for (c = root->children; c; c = c->next) {
		if (is_el(c, "key")) {
			if (++*nkeys > RD_MAX_POLICY_KEYS)
				return rd_fail_line(b->err, ASMGATE_E_LIMIT,
				    policy_node_line(c), "more than %u keys",
				    RD_MAX_POLICY_KEYS);
			continue;
		}
		if (is_el(c, "publisher")) {
			if (++*npubs > RD_MAX_POLICY_PUBLISHERS)
				return rd_fail_line(b->err, ASMGATE_E_LIMIT,
				    policy_node_line(c), "more than %u "
				    "publishers", RD_MAX_POLICY_PUBLISHERS);
			continue;
		}
		if (!is_el(c, "host")) {
			qname(q, sizeof(q), c);
			return rd_fail_line(b->err, ASMGATE_E_POLICY,
			    policy_node_line(c),
			    "unknown element <%s> in <policy>%s", q,
			    c->ns ? "" : " (elements must be in namespace "
			    POLICY_NS ")");
		}
		if (++*nhosts > RD_MAX_POLICY_HOSTS)
			return rd_fail_line(b->err, ASMGATE_E_LIMIT,
			    policy_node_line(c), "more than %u hosts",
			    RD_MAX_POLICY_HOSTS);
		for (r = c->children; r; r = r->next) {
			if (!is_el(r, "allow") && !is_el(r, "deny")) {
				qname(q, sizeof(q), r);
				return rd_fail_line(b->err, ASMGATE_E_POLICY,
				    policy_node_line(r),
				    "unknown element <%s> in <host>%s", q,
				    r->ns ? "" : " (elements must be in "
				    "namespace " POLICY_NS ")");
			}
			if (++*nrules > RD_MAX_POLICY_RULES)
				return rd_fail_line(b->err, ASMGATE_E_LIMIT,
				    policy_node_line(r), "more than %u rules",
				    RD_MAX_POLICY_RULES);
		}
	}
	return ASMGATE_OK;
}

static asmgate_status
build_tree(build *b)
{
	asmgate_policy *pol = b->pol;
	asmgate_error *err = b->err;
	const policy_node *root = b->pd->root;
	const policy_node *c;
	size_t nkeys, nhosts, nrules, npubs, hi = 0;
	asmgate_status st;
	char q[128];

	if (!is_el(root, "policy")) {
		qname(q, sizeof(q), root);
		return rd_fail_line(err, ASMGATE_E_POLICY,
		    policy_node_line(root), "root element must be <policy "
		    "xmlns=\"%s\">, found <%s>%s", POLICY_NS, q,
		    root->ns ? " in another namespace" :
		    " in no namespace");
	}
	pol->line = policy_node_line(root);
	if ((st = check_attrs(b, root, policy_attrs, "policy")) != ASMGATE_OK)
		return st;
	if ((st = check_text(b, root, "policy")) != ASMGATE_OK)
		return st;
	if ((st = parse_mode(b, root, &pol->audit, &pol->mode_given)) !=
	    ASMGATE_OK)
		return st;
	if ((st = count_elements(b, root, &nkeys, &nhosts, &nrules,
	    &npubs)) != ASMGATE_OK)
		return st;
	pol->keys = calloc(nkeys ? nkeys : 1, sizeof(*pol->keys));
	pol->hosts = calloc(nhosts ? nhosts : 1, sizeof(*pol->hosts));
	pol->rules = calloc(nrules ? nrules : 1, sizeof(*pol->rules));
	pol->publishers = calloc(npubs ? npubs : 1, sizeof(*pol->publishers));
	pol->key_words = (nkeys + 63) / 64;
	if (!pol->keys || !pol->hosts || !pol->rules || !pol->publishers ||
	    !id_table_init(&b->key_ids, nkeys, 1) ||
	    !id_table_init(&b->rule_ids, nrules, 0) ||
	    !id_table_init(&b->pub_ids, npubs, 0))
		return oom(b);
	/* Keys first: rules may name keys defined after them. */
	for (c = root->children; c; c = c->next) {
		if (!is_el(c, "key"))
			continue;
		st = parse_key(b, c, &pol->keys[pol->nkeys++]);
		if (st != ASMGATE_OK)
			return st;
	}
	for (c = root->children; c; c = c->next) {
		if (!is_el(c, "publisher"))
			continue;
		st = parse_publisher(b, c,
		    &pol->publishers[pol->npublishers++]);
		if (st != ASMGATE_OK)
			return st;
	}
	for (c = root->children; c; c = c->next) {
		if (!is_el(c, "host"))
			continue;
		pol->nhosts = hi + 1;
		st = parse_host(b, c, &pol->hosts[hi], hi);
		if (st != ASMGATE_OK)
			return st;
		hi++;
	}
	return ASMGATE_OK;
}

asmgate_status
policy_build(asmgate_policy *pol, const policy_doc *pd, asmgate_error *err)
{
	build b;
	asmgate_status st;

	memset(&b, 0, sizeof(b));
	b.pol = pol;
	b.pd = pd;
	b.err = err;
	st = build_tree(&b);
	free(b.key_ids.slot);
	free(b.key_ids.hash);
	free(b.rule_ids.slot);
	free(b.rule_ids.hash);
	free(b.pub_ids.slot);
	free(b.pub_ids.hash);
	return st;
}

/* Pass 4 --------------------------------------------------------------- */

static asmgate_status
resolve_path(policy_key *k, const char *base_dir, asmgate_error *err)
{
	size_t bl = base_dir ? strlen(base_dir) : 0;
	size_t fl = strlen(k->file);
	char *p;

	if (k->file[0] == '/' || bl == 0) {
		k->resolved = dup_str(k->file);
	} else {
		if (bl + 1 + fl > RD_MAX_POLICY_PATH)
			return rd_fail_line(err, ASMGATE_E_POLICY, k->src_line,
			    "key '%s': path longer than %u bytes", k->id,
			    RD_MAX_POLICY_PATH);
		p = malloc(bl + 1 + fl + 1);
		if (p) {
			memcpy(p, base_dir, bl);
			p[bl] = '/';
			memcpy(p + bl + 1, k->file, fl + 1);
		}
		k->resolved = p;
	}
	if (!k->resolved)
		return rd_fail_line(err, ASMGATE_E_NOMEM, 0, "out of memory");
	return ASMGATE_OK;
}

static asmgate_status
resolve_key(policy_key *k, const char *base_dir, asmgate_error *err)
{
	asmgate_error kerr;
	asmgate_status st;
	const asmgate_key_info *info;

	asmgate_error_clear(&kerr);
	if (k->source == POLICY_KEY_TOKEN)
		return ASMGATE_OK;
	if (k->source == POLICY_KEY_BLOB) {
		st = asmgate_key_from_blob(&k->key, k->pending, k->pending_len,
		    &kerr);
		if (st != ASMGATE_OK)
			return rd_fail_line(err, st == ASMGATE_E_NOMEM ?
			    st : ASMGATE_E_POLICY, k->src_line,
			    "key '%s': bad publicKey: %s", k->id, kerr.msg);
	} else {
		struct stat sb;
		if ((st = resolve_path(k, base_dir, err)) != ASMGATE_OK)
			return st;
		/* A FIFO or device would block or never end: only regular
		 * files are read. */
		if (stat(k->resolved, &sb) != 0)
			return rd_fail_line(err, ASMGATE_E_POLICY, k->src_line,
			    "key '%s': cannot read key file '%s': %s", k->id,
			    k->file, strerror(errno));
		if (!S_ISREG(sb.st_mode))
			return rd_fail_line(err, ASMGATE_E_POLICY, k->src_line,
			    "key '%s': key file '%s' is not a regular file",
			    k->id, k->file);
		/* A policy may name any file, and CI logs are read by
		 * others: the parsers' messages quote bytes of the file
		 * (a character, header fields), so they are not passed on.
		 * "asmgate keys show" gives them to whoever may read the
		 * file. Read errors (ASMGATE_E_IO) say only what the system
		 * said. */
		st = asmgate_key_load_file(&k->key, k->resolved, &kerr);
		if (st == ASMGATE_E_NOMEM)
			return rd_fail_line(err, st, k->src_line,
			    "key '%s': out of memory loading key file '%s'",
			    k->id, k->file);
		if (st == ASMGATE_E_IO)
			return rd_fail_line(err, ASMGATE_E_POLICY, k->src_line,
			    "key '%s': cannot read key file '%s': %s", k->id,
			    k->file, kerr.msg);
		if (st != ASMGATE_OK)
			return rd_fail_line(err, ASMGATE_E_POLICY, k->src_line,
			    "key '%s': file '%s' is not a usable strong-name "
			    "key (%s; run: asmgate keys show %s)", k->id,
			    k->file, asmgate_status_name(st), k->resolved);
	}
	free(k->pending);
	k->pending = NULL;
	k->pending_len = 0;
	info = asmgate_key_get_info(k->key);
	if (!info || !info->blob || info->blob_len == 0)
		return rd_fail_line(err, ASMGATE_E_POLICY, k->src_line,
		    "key '%s': no public key", k->id);
	k->blob = info->blob;
	k->blob_len = info->blob_len;
	memcpy(k->token, info->token, 8);
	memcpy(k->fingerprint, info->fingerprint, 32);
	k->bits = info->bits;
	k->is_private = info->is_private;
	k->is_ecma = info->is_ecma;
	k->hash_name = info->hash_name;
	return ASMGATE_OK;
}

asmgate_status
policy_resolve_keys(asmgate_policy *pol, const char *base_dir,
    asmgate_error *err)
{
	size_t i, j, n = 0;
	asmgate_status st;

	for (i = 0; i < pol->nkeys; i++)
		if ((st = resolve_key(&pol->keys[i], base_dir, err)) !=
		    ASMGATE_OK)
			return st;
	/* Distinct test keys, in order of first mention. */
	for (i = 0; i < pol->nkeys; i++)
		if (pol->keys[i].test_uses)
			n++;
	pol->test_keys = calloc(n ? n : 1, sizeof(*pol->test_keys));
	if (!pol->test_keys)
		return rd_fail_line(err, ASMGATE_E_NOMEM, 0, "out of memory");
	for (i = 0; i < pol->nrules; i++) {
		const policy_rule *r = &pol->rules[i];
		for (j = 0; j < r->ntest_keys; j++) {
			const asmgate_key *k = pol->keys[r->test_keys[j]].key;
			size_t m;
			int seen = 0;
			for (m = 0; m < pol->ntest_keys; m++)
				if (pol->test_keys[m] == k)
					seen = 1;
			if (!seen && pol->ntest_keys < n)
				pol->test_keys[pol->ntest_keys++] = k;
		}
	}
	return ASMGATE_OK;
}
