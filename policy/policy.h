/*
 * policy.h - internals of the policy module (policy/).
 *
 * A policy file is read in four passes (load.c):
 *  1. raw checks on the bytes: size, UTF-8, line count, no DOCTYPE,
 *     attributes per start tag;
 *  2. libxml2's SAX2 parser, guarded by hooks (depth, no DTD), builds
 *     a light tree (policy_node) and validates the events against the
 *     embedded schema (schema.c) on the way;
 *  3. build.c walks the tree: elements, attributes, values, ids and
 *     references, all without touching the file system; the schema's
 *     first error is reported only when the builder found none (its
 *     own messages are more precise);
 *  4. build.c resolves keys (publicKey blobs, key files) and lint.c
 *     computes warnings.
 * libxml2 types appear only here and in the policy/ sources, never in
 * include/asmgate.h.
 */
#ifndef POLICY_POLICY_H
#define POLICY_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "asmgate.h"
#include "rd/buf.h"
#include "rd/json.h"
#include "rd/limits.h"
#include "rd/utf8.h"

/* The namespace of policy documents (policy/asmgate-policy.xsd). */
#define POLICY_NS "urn:asmgate:policy:1"

/* Signing-state bits of a rule: 1 << asmgate_sn_state. */
#define POLICY_STATE_BIT(st) (1u << (unsigned)(st))
#define POLICY_STATES_ALL 0x3Fu

/* Hash algorithm bits of hashAlgorithms. */
#define POLICY_HASH_SHA1 0x1u
#define POLICY_HASH_SHA256 0x2u
#define POLICY_HASH_SHA384 0x4u
#define POLICY_HASH_SHA512 0x8u

enum policy_key_source {
	POLICY_KEY_BLOB,   /* publicKey="hex" */
	POLICY_KEY_FILE,   /* file="path" */
	POLICY_KEY_TOKEN   /* token="16 hex digits" */
};

typedef struct policy_key {
	char *id;
	unsigned long line;
	unsigned long src_line;     /* line of the publicKey/file/token value */
	enum policy_key_source source;
	char *file;                 /* FILE: as written */
	char *resolved;             /* FILE: the path opened */
	uint8_t *pending;           /* BLOB: decoded bytes until resolved */
	size_t pending_len;
	asmgate_key *key;           /* NULL for TOKEN */
	const uint8_t *blob;        /* borrowed from key */
	size_t blob_len;
	uint8_t token[8];
	unsigned bits;              /* 0: unknown (TOKEN) or ECMA */
	int is_private;
	int is_ecma;
	const char *hash_name;      /* of the blob; NULL for TOKEN */
	uint8_t fingerprint[32];    /* SHA-256 of the blob; zero for TOKEN */
	unsigned uses;              /* rules naming it in keys */
	unsigned test_uses;         /* rules naming it in testKeys */
} policy_key;

/* An Authenticode publisher (<publisher>): exactly one of subject (the
 * signer's subject) and certSha256 (any certificate of the chain);
 * issuer, when given, pins that certificate's issuer too. Names are kept
 * as canonical DER (asmgate_dn_canonical) and compared byte for byte. */
typedef struct policy_publisher {
	char *id;
	unsigned long line;
	char *subject;              /* as written; NULL: certSha256 */
	uint8_t *subject_canon;
	size_t subject_canon_len;
	char *issuer;               /* as written; NULL: any issuer */
	uint8_t *issuer_canon;
	size_t issuer_canon_len;
	int has_sha256;
	uint8_t sha256[32];
	unsigned uses;              /* rules naming it */
} policy_publisher;

/* authenticode= of an allow rule. */
#define POLICY_AC_ANY 0         /* absent: any state but invalid, revoked */
#define POLICY_AC_OPTIONAL 1    /* unsigned or valid */
#define POLICY_AC_REQUIRED 2    /* valid */

typedef struct policy_rule {
	/* Read for every rule of a host on each decision (decide.c):
	 * first, in one cache line. */
	int deny;
	int rare;                   /* any of cultures, versions, minKeyBits,
	                               hashAlgorithms, checksum, publishers,
	                               authenticode (build.c): decide.c skips
	                               them all on one test when 0 */
	unsigned states;            /* POLICY_STATE_BIT set */
	int name_lead;              /* the glob's first byte, A-Z folded to
	                               a-z, when that is not '*' or '?'; else
	                               -1 */
	size_t *keys;               /* key indexes; NULL: any key */
	char *name;                 /* glob; NULL: any name */
	char *id;
	unsigned long line;
	size_t host;
	size_t nkeys;
	uint64_t *key_set;          /* the same keys, bit i for keys[i] of
	                               the policy (key_words words) */
	int states_given;
	char **cultures;            /* "" for neutral; NULL: any */
	size_t ncultures;
	int has_min, has_max;
	asmgate_version min, max;
	unsigned min_key_bits;      /* 0: any */
	unsigned hashes;            /* POLICY_HASH_* set; 0: any */
	size_t *test_keys;          /* key indexes (allow rules only) */
	size_t ntest_keys;
	uint64_t *test_key_set;     /* as key_set */
	int checksum_required;      /* checksum="required" (allow only) */
	size_t *publishers;         /* publisher indexes; NULL: any */
	size_t npublishers;
	int authenticode;           /* POLICY_AC_* (allow only) */
} policy_rule;

typedef struct policy_host {
	char *name;
	unsigned long line;
	int audit;                  /* effective: own mode, else the policy's */
	int mode_given;
	size_t first_rule;          /* rules[first_rule .. +nrules) */
	size_t nrules;
	size_t ndeny;               /* deny rules among them */
	char *account;              /* account="DOMAIN\\name", or NULL */
	unsigned long account_line;
	int tracking;               /* tracking="true" */
} policy_host;

struct asmgate_policy {
	char *path;                 /* as given to asmgate_policy_load */
	unsigned long line;         /* of <policy> */
	int audit;
	int mode_given;
	policy_key *keys;
	size_t nkeys;
	size_t key_words;           /* (nkeys + 63) / 64: words of a key set */
	policy_publisher *publishers;
	size_t npublishers;
	policy_host *hosts;
	size_t nhosts;
	policy_rule *rules;
	size_t nrules;
	const asmgate_key **test_keys; /* distinct keys named in testKeys */
	size_t ntest_keys;
	asmgate_policy_warning *warnings;
	size_t nwarnings;
	size_t warnings_cap;
	size_t warnings_dropped;    /* past RD_MAX_POLICY_WARNINGS */
	struct policy_lint_allow *lint_allows; /* lintAllow attributes */
	size_t nlint_allows;
};

/* load.c ------------------------------------------------------------ */

/* A parsed document: a light tree of its elements, built from libxml2's
 * SAX2 events in one arena (no libxml2 tree). Strings are NUL-terminated
 * UTF-8; names and namespace names are libxml2's dictionary strings. */
typedef struct policy_xattr {
	const char *name;           /* local name */
	const char *prefix;         /* NULL: none */
	const char *ns;             /* namespace name; NULL: none */
	const char *value;          /* normalized (XML 1.0 3.3.3), character
	                               and predefined references replaced */
	struct policy_xattr *next;
} policy_xattr;

/* Character data directly inside an element (policy_node.text). */
#define POLICY_TEXT_SPACE 0x1u      /* white space only */
#define POLICY_TEXT_OTHER 0x2u      /* anything else */
#define POLICY_TEXT_CDATA 0x4u      /* a CDATA section */

typedef struct policy_node {
	const char *name;           /* local name */
	const char *prefix;         /* NULL: none */
	const char *ns;             /* namespace name; NULL: none */
	policy_xattr *attrs;        /* in document order */
	struct policy_node *parent, *children, *next, *last;
	unsigned long line;         /* of the start tag's '<' */
	size_t off;                 /* offset of that '<' in the bytes parsed
	                               (SIZE_MAX: not found) */
	unsigned text;              /* POLICY_TEXT_* */
} policy_node;

struct policy_arena;

typedef struct policy_doc {
	policy_node *root;
	const uint8_t *data;        /* the bytes parsed (for line numbers) */
	size_t len;
	uint8_t *owned;             /* the UTF-8 copy of a UTF-16 file */
	struct policy_arena *arena; /* the nodes, attributes and values */
	void *dict;                 /* libxml2's dictionary (xmlDictPtr) */
	/* POLICY_PARSE_SCHEMA: the first schema error, kept so that the
	 * builder's own (more precise) message can come first. */
	int schema_failed;
	asmgate_error schema_err;
} policy_doc;

/* What one kind of XML document may be: the policy's limits, or a
 * binding file's (bind/). Shared loader: one set of guards. */
typedef struct policy_xml_limits {
	const char *what;           /* "policy", "binding" (messages) */
	asmgate_status code;        /* status of an invalid document */
	size_t max_bytes;
	unsigned long max_lines;
	unsigned max_depth;
	unsigned max_attributes;
	int utf16;                  /* 1: UTF-16 with a BOM is converted */
	unsigned long max_elements; /* in the document (its tree) */
	unsigned long max_total_attributes;
} policy_xml_limits;

extern const policy_xml_limits policy_xml_policy_limits;

/* Flags of policy_xml_parse. NO_PRESCAN skips the raw "<!DOCTYPE" scan
 * so tests can show the SAX guards refuse a DTD on their own. SCHEMA
 * validates the document against the embedded policy schema (schema.c)
 * in the same pass; its first error is kept in the doc
 * (policy_doc_schema). */
#define POLICY_PARSE_NO_PRESCAN 0x1u
#define POLICY_PARSE_SCHEMA 0x2u

/** Passes 1 and 2: raw checks, then libxml2's SAX2 parser with the
 *  guards, building the light tree. */
asmgate_status policy_xml_parse(policy_doc *pd, const uint8_t *data,
    size_t len, unsigned flags, asmgate_error *err);
void policy_doc_free(policy_doc *pd);

/** Passes 1 and 2 with another document kind's limits (bind/). */
asmgate_status policy_xml_parse_limits(policy_doc *pd, const uint8_t *data,
    size_t len, const policy_xml_limits *lim, unsigned flags,
    asmgate_error *err);

/** The schema's verdict on a document parsed with POLICY_PARSE_SCHEMA:
 *  ASMGATE_OK, or its first error (with the line) in err. */
asmgate_status policy_doc_schema(const policy_doc *pd, asmgate_error *err);

/** Pass 1: refuse a start tag with more than max attributes (counted
 *  on the UTF-8 bytes, before libxml2 parses them), with its line. */
asmgate_status policy_xml_check_attributes(const uint8_t *d, size_t len,
    unsigned max, asmgate_error *err);

/** The value of n's attribute name in no namespace, or NULL. */
const char *policy_node_attr(const policy_node *n, const char *name);

/** n is an element of local name name (any namespace; NULL: no). */
int policy_node_is(const policy_node *n, const char *name);

/** An error about element n of pd into err: at the line of its
 *  attribute attr, or of its start tag (attr NULL). Returns code. */
asmgate_status policy_node_fail(const policy_doc *pd, asmgate_error *err,
    const policy_node *n, const char *attr, asmgate_status code,
    const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/** 1-based line of an element's start tag, and of one of its
 *  attributes (the element's line when it cannot be found). */
unsigned long policy_node_line(const policy_node *n);
unsigned long policy_attr_line(const policy_doc *pd, const policy_node *n,
    const char *attr);

/* build.c ----------------------------------------------------------- */

/** Pass 3: the tree to keys, hosts and rules; no file is read. */
asmgate_status policy_build(asmgate_policy *pol, const policy_doc *pd,
    asmgate_error *err);

/** Pass 4: load key files (relative to base_dir) and key blobs. */
asmgate_status policy_resolve_keys(asmgate_policy *pol, const char *base_dir,
    asmgate_error *err);

/* publisher.c ------------------------------------------------------- */

/** The certificate of signature sg that publisher p pins, or NULL:
 *  subject pins compare the signer's subject (and issuer), certSha256
 *  pins every certificate of the chain (and that one's issuer). */
const asmgate_ac_cert *policy_publisher_match(const policy_publisher *p,
    const asmgate_ac_signature *sg);

/** Parse "AB:CD:..." or 64 hex digits into out; 1 on success. */
int policy_parse_sha256(const char *s, uint8_t out[32]);

/* schema.c ---------------------------------------------------------- */

/* policy/asmgate-policy.xsd, byte for byte (a unit test compares them). */
extern const char policy_schema_xsd[];
extern const size_t policy_schema_xsd_len;

/** The embedded schema, compiled (an xmlSchemaPtr; free it with
 *  policy_schema_free), or NULL with the reason in err. */
void *policy_schema_new(asmgate_error *err);
void policy_schema_free(void *schema);

/** The first schema error of a validation as asmgate reports it:
 *  "schema: MESSAGE", the policy namespace dropped from names, one
 *  line. */
void policy_schema_message(char *buf, size_t n, const char *message);

/* lint.c ------------------------------------------------------------ */

/** Compute the lint warnings of a resolved policy. */
asmgate_status policy_lint(asmgate_policy *pol, asmgate_error *err);

/* lintallow.c ------------------------------------------------------- */

/* One lintAllow="CODE..." attribute: the codes (NUL-separated in codes)
 * accepted for the warnings reported on the element's line. */
typedef struct policy_lint_allow {
	unsigned long line;         /* the element's start tag */
	unsigned long attr_line;    /* the attribute */
	char *codes;
	size_t ncodes;
	unsigned char used[RD_MAX_POLICY_LIST];
} policy_lint_allow;

/** Record a lintAllow value of the element at line; an unknown code is
 *  an error at attr_line. */
asmgate_status policy_lint_allow_add(asmgate_policy *pol, const char *value,
    unsigned long line, unsigned long attr_line, asmgate_error *err);

/** Mark the warnings a lintAllow accepts as suppressed, then warn
 *  (lint-allow-unused) about codes that accepted nothing. */
void policy_lint_suppress(asmgate_policy *pol);

/** Free pol's lintAllow records. */
void policy_lint_allow_free(asmgate_policy *pol);

/* decide.c ---------------------------------------------------------- */

/** '*' matches any run, '?' one character (UTF-8 sequence); ASCII
 *  letters match case-insensitively, as .NET assembly names do. */
int policy_glob_match(const char *pat, const char *s);

/** "keys [contoso]; states [signed]; ..." or "any assembly". */
void policy_rule_describe(rd_buf *b, const asmgate_policy *pol,
    const policy_rule *r);

/** "a.b.c.d" into buf (at least 24 bytes). */
void policy_version_str(char *buf, size_t n, const asmgate_version *v);

/** Compare versions part by part (major, minor, build, revision; II.22.2):
 *  -1, 0 or 1 as a is below, equal to or above b. */
int policy_version_cmp(const asmgate_version *a, const asmgate_version *b);

/** Compare strings with ASCII letters folded to lower case (host names,
 *  cultures); other bytes compare as they are. strcmp's sign. */
int policy_ascii_casecmp(const char *a, const char *b);

/* text.c ------------------------------------------------------------ */

/** Append s as XML character data (attr: inside a double-quoted
 *  attribute). Invalid UTF-8 and U+FFFE/U+FFFF become U+FFFD; control
 *  characters XML 1.0 forbids are dropped. */
void policy_xml_put(rd_buf *b, const char *s, size_t n, int attr);
void policy_xml_puts(rd_buf *b, const char *s, int attr);

/** Append a path as a URI reference (RFC 3986): unreserved bytes and
 *  '/' as they are, others percent-encoded; an absolute path becomes a
 *  file:// URI. */
void policy_uri_put(rd_buf *b, const char *path);

/** Hand the buffer's bytes (NUL-terminated) to the caller, or fail with
 *  ASMGATE_E_NOMEM / ASMGATE_E_LIMIT when the buffer failed. */
asmgate_status policy_buf_take(rd_buf *b, uint8_t **out, size_t *len,
    const char *what, asmgate_error *err);

/** "Name, Version=a.b.c.d, Culture=c, PublicKeyToken=t|null". */
void policy_full_name(rd_buf *b, const asmgate_image *img);

/** Set up libxml2's global state before several threads may parse
 *  (the scan calls it before starting its workers). */
void policy_xml_init(void);

#endif /* POLICY_POLICY_H */
