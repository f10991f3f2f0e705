/*
 * load.c - reading a policy document safely (passes 1 and 2 of
 * policy.h).
 *
 * A policy is configuration, but it may come from a repository anyone
 * can send a pull request to, so parsing must not leak files, reach the
 * network or exhaust memory:
 *  - the bytes are capped (RD_MAX_POLICY_BYTES) and must be UTF-8 with at
 *    most RD_MAX_POLICY_LINES lines; libxml2 is told to ignore any
 *    encoding declaration (XML_PARSE_IGNORE_ENC), so what we scanned is
 *    what it parses;
 *  - any "<!DOCTYPE" is refused before libxml2 sees the bytes: no DTD, so
 *    no entity can be declared, internal (billion laughs) or external
 *    (XXE). libxml2 2.9.14 has no XML_PARSE_NO_XXE, so this is the gate;
 *  - no start tag may have more than RD_MAX_XML_ATTRIBUTES attributes,
 *    counted on the bytes before libxml2 sees them: libxml2 2.9's work
 *    is quadratic in the attributes of one tag;
 *  - behind it, per-context SAX hooks stop the parser at a DOCTYPE (any
 *    DTD event), an entity declaration or reference, or nesting deeper
 *    than RD_MAX_POLICY_DEPTH; options are XML_PARSE_NONET without
 *    NOENT, DTDLOAD or DTDATTR (attribute values keep "&#38;" for '&',
 *    decoded as they are copied); a namespace error fails the parse;
 *  - no libxml2 tree: the events build a light tree (policy_node) in
 *    one arena, and a policy is validated against the embedded schema
 *    in the same pass: the validator's handlers (xmlSchemaSAXPlug into
 *    our own pointers) are called after ours, so our guards and error
 *    handler stay in front, and never after a guard stopped the parse;
 *  - errors go to a per-context structured handler (ctxt->sax->serror),
 *    never to libxml2's global handlers; xmlCleanupParser is never
 *    called.
 */
#define _GNU_SOURCE /* memrchr */
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>

#include "policy.h"
#include "rd/err.h"
#include "rd/limits.h"

static int
is_space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Line (1-based) of byte offset off in data. */
static unsigned long
line_at(const uint8_t *data, size_t off)
{
	unsigned long line = 1;
	size_t i;

	for (i = 0; i < off; i++)
		if (data[i] == '\n')
			line++;
	return line;
}

/* First occurrence of the NUL-terminated needle in data[0..len), or
 * len. */
static size_t
find(const uint8_t *data, size_t len, const char *needle)
{
	size_t nl = strlen(needle), i;

	for (i = 0; nl <= len && i <= len - nl; i++)
		if (data[i] == (uint8_t)needle[0] &&
		    memcmp(data + i, needle, nl) == 0)
			return i;
	return len;
}

/* The policy's own limits (policy_xml_parse). */
const policy_xml_limits policy_xml_policy_limits = {
	"policy", ASMGATE_E_POLICY, RD_MAX_POLICY_BYTES, RD_MAX_POLICY_LINES,
	RD_MAX_POLICY_DEPTH, RD_MAX_XML_ATTRIBUTES, 0, RD_MAX_POLICY_ELEMENTS,
	RD_MAX_POLICY_ATTRIBUTES_TOTAL
};

/* Pass 1: checks on the raw bytes (UTF-8 by now). */
static asmgate_status
raw_checks(const uint8_t *d, size_t len, unsigned flags,
    const policy_xml_limits *lim, asmgate_error *err)
{
	const uint8_t *p, *nul, *end;
	size_t bad;
	unsigned long lines = 1;

	if (len == 0)
		return rd_fail_line(err, lim->code, 0,
		    "empty file: not XML");
	if (!lim->utf16 && len >= 2 && ((d[0] == 0xFE && d[1] == 0xFF) ||
	    (d[0] == 0xFF && d[1] == 0xFE)))
		return rd_fail_line(err, lim->code, 1,
		    "UTF-16 or UTF-32 byte order mark: %s files are UTF-8",
		    lim->what);
	/* Whichever comes first: a NUL, or the newline past the line
	 * cap. */
	nul = memchr(d, 0, len);
	end = nul ? nul : d + len;
	for (p = d; (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
		if (++lines > lim->max_lines)
			return rd_fail_line(err, ASMGATE_E_LIMIT, lines,
			    "more than %lu lines", lim->max_lines);
	if (nul)
		return rd_fail_line(err, lim->code, lines,
		    "NUL byte: not an XML text file");
	bad = rd_utf8_valid_len(d, len);
	if (bad < len)
		return rd_fail_line(err, lim->code, line_at(d, bad),
		    "not UTF-8: byte 0x%02x at offset %zu; %s files are "
		    "%s", d[bad], bad, lim->what, lim->utf16 ?
		    "UTF-8, or UTF-16 with a byte order mark" : "UTF-8");
	if (!(flags & POLICY_PARSE_NO_PRESCAN)) {
		/* XML 1.0 2.8: a DTD can only start with "<!DOCTYPE", and
		 * entities can only be declared inside one. Refused
		 * anywhere, comments included: simpler to audit. */
		size_t at = find(d, len, "<!DOCTYPE");
		if (at < len)
			return rd_fail_line(err, lim->code,
			    line_at(d, at), "DOCTYPE is not allowed: %s "
			    "files take no DTD and no entity declarations",
			    lim->what);
	}
	return ASMGATE_OK;
}

/*
 * UTF-16 with a byte order mark (XML 1.0 4.3.3, F.1) to UTF-8, so the
 * checks above and libxml2 (told to ignore the encoding declaration)
 * see the same bytes. Unpaired surrogates are an error with the line
 * (counted on the code units read so far).
 */
static asmgate_status
utf16_to_utf8(const uint8_t *d, size_t len, const policy_xml_limits *lim,
    uint8_t **out, size_t *olen, asmgate_error *err)
{
	int be = d[0] == 0xFE;
	size_t i, o = 0, cap;
	unsigned long line = 1;
	uint8_t *p;

	if (len % 2)
		return rd_fail_line(err, lim->code, 0, "UTF-16 text of an odd "
		    "number of bytes (%zu)", len);
	/* At most 3 UTF-8 bytes per UTF-16 code unit (a pair of 4 bytes
	 * gives 4): 3 * len / 2 bounds the output. */
	cap = len / 2 * 3 + 1;
	p = malloc(cap);
	if (!p)
		return rd_fail_line(err, ASMGATE_E_NOMEM, 0, "out of memory "
		    "for the UTF-8 copy of a UTF-16 %s", lim->what);
	for (i = 2; i + 1 < len; i += 2) {
		uint32_t cp = be ? (uint32_t)d[i] << 8 | d[i + 1] :
		    (uint32_t)d[i + 1] << 8 | d[i];

		if (cp >= 0xD800 && cp <= 0xDBFF) {
			uint32_t lo = 0;
			if (i + 3 < len)
				lo = be ? (uint32_t)d[i + 2] << 8 | d[i + 3] :
				    (uint32_t)d[i + 3] << 8 | d[i + 2];
			if (lo < 0xDC00 || lo > 0xDFFF)
				goto bad;
			cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
			i += 2;
		} else if (cp >= 0xDC00 && cp <= 0xDFFF) {
			goto bad;
		}
		if (cp == '\n')
			line++;
		if (cp < 0x80) {
			p[o++] = (uint8_t)cp;
		} else if (cp < 0x800) {
			p[o++] = (uint8_t)(0xC0 | cp >> 6);
			p[o++] = (uint8_t)(0x80 | (cp & 0x3F));
		} else if (cp < 0x10000) {
			p[o++] = (uint8_t)(0xE0 | cp >> 12);
			p[o++] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
			p[o++] = (uint8_t)(0x80 | (cp & 0x3F));
		} else {
			p[o++] = (uint8_t)(0xF0 | cp >> 18);
			p[o++] = (uint8_t)(0x80 | (cp >> 12 & 0x3F));
			p[o++] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
			p[o++] = (uint8_t)(0x80 | (cp & 0x3F));
		}
	}
	*out = p;
	*olen = o;
	return ASMGATE_OK;
bad:
	free(p);
	return rd_fail_line(err, lim->code, line, "not UTF-16: unpaired "
	    "surrogate at offset %zu", i);
}

/* Pass 1, attributes ------------------------------------------------- */

/* The name of the element whose start tag begins at d[at] ('<'), for a
 * message: at most 64 bytes, cut at a UTF-8 boundary; *n = 0 when no
 * name follows the '<' (a comment, a PI, an end tag). */
static const uint8_t *
tag_name(const uint8_t *d, size_t len, size_t at, int *n)
{
	size_t i = at + 1, e = i;

	while (e < len && e - i < 64 && d[e] != ' ' && d[e] != '\t' &&
	    d[e] != '\n' && d[e] != '\r' && d[e] != '>' && d[e] != '/' &&
	    d[e] != '<' && d[e] != '"' && d[e] != '\'' && d[e] != '=' &&
	    !(e == i && (d[e] == '!' || d[e] == '?')))
		e++;
	while (e > i && e < len && (d[e] & 0xC0) == 0x80)
		e--;
	*n = (int)(e - i);
	return d + i;
}

static asmgate_status
too_many_attributes(const uint8_t *d, size_t len, size_t at,
    unsigned long line, unsigned max, asmgate_error *err)
{
	int n;
	const uint8_t *name = tag_name(d, len, at, &n);

	if (n == 0)
		return rd_fail_line(err, ASMGATE_E_LIMIT, line, "markup with "
		    "more than %u quoted strings", max);
	return rd_fail_line(err, ASMGATE_E_LIMIT, line, "element <%.*s> has "
	    "more than %u attributes", n, (const char *)name, max);
}

/*
 * libxml2 2.9 checks each attribute of a start tag against every one
 * before it (xmlParseStartTag2) and SAX2 appends it to the element's
 * list, so a tag of n attributes costs O(n^2) before any SAX hook sees
 * the element: 50 000 attributes in a 446 KB policy took 15-20 s. So
 * the start tags are counted here, in one pass over the bytes libxml2
 * will parse, and a tag with more than max attributes is refused before
 * libxml2 runs.
 *
 * The count keeps no XML state (comment, PI, CDATA), so libxml2 cannot
 * read a tag this scan did not count, even where it recovers from an
 * error differently: every start tag begins at a '<'; each attribute,
 * namespace declarations included, is Name Eq AttValue (XML 1.0 [41])
 * and an AttValue is quoted and holds no '<' ([10]); names hold no
 * quote; libxml2 takes no further attribute after a '>' outside a value
 * or at a '<'. So the quoted strings from a '<' up to the next '<', or
 * to the first '>' outside quotes, are at least the attributes libxml2
 * can collect for a tag starting there. Other markup (a comment, a PI)
 * with more than max quoted strings before its '>' is refused too, with
 * its own message.
 *
 * The bytes must be UTF-8 (checked before): '<', '>', '"' and '\'' never
 * occur inside a multibyte sequence. A document in another encoding
 * (UTF-16) is to be converted first, and libxml2 given the converted
 * bytes, so that what is counted is what is parsed.
 */
asmgate_status
policy_xml_check_attributes(const uint8_t *d, size_t len, unsigned max,
    asmgate_error *err)
{
	const uint8_t *lt;
	size_t i = 0;

	/* Lines are counted only for the message (line_at). */
	while ((lt = memchr(d + i, '<', len - i)) != NULL) {
		size_t at = (size_t)(lt - d);
		unsigned n = 0;

		for (i = at + 1; i < len; i++) {
			uint8_t c = d[i];
			if (c == '<' || c == '>')
				break;
			if (c == '"' || c == '\'') {
				if (++n > max)
					return too_many_attributes(d, len, at,
					    line_at(d, at), max, err);
				/* to the closing quote; a '<' (never in
				 * an AttValue) starts the next tag */
				while (i + 1 < len && d[i + 1] != c &&
				    d[i + 1] != '<')
					i++;
				if (i + 1 < len && d[i + 1] == c)
					i++;
			}
		}
		if (i >= len)
			break;
		if (d[i] == '>')
			i++;
	}
	return ASMGATE_OK;
}

/* Pass 2: libxml2's SAX2 parser with guards, building the tree ------- */

/* The nodes, attributes and values of one document: bump allocation in
 * blocks, freed together (policy_doc_free). */
struct policy_arena {
	struct policy_arena *next;
	size_t used, cap;
	unsigned char *mem;
};

#define ARENA_BLOCK ((size_t)64 << 10)

static void *
arena_alloc(policy_doc *pd, size_t n)
{
	struct policy_arena *a = pd->arena;
	size_t need = (n + 7) & ~(size_t)7; /* pointers: 8-aligned */

	if (need < n)
		return NULL;
	if (!a || a->cap - a->used < need) {
		size_t cap = need > ARENA_BLOCK ? need : ARENA_BLOCK;
		a = malloc(sizeof(*a));
		if (!a)
			return NULL;
		a->mem = malloc(cap);
		if (!a->mem) {
			free(a);
			return NULL;
		}
		a->used = 0;
		a->cap = cap;
		a->next = pd->arena;
		pd->arena = a;
	}
	a->used += need;
	return a->mem + a->used - need;
}

typedef struct parse_state {
	const uint8_t *data;
	size_t len;
	asmgate_error *err;
	const policy_xml_limits *lim;
	policy_doc *pd;
	int failed;
	policy_node *cur;           /* the element open at the cursor */
	policy_node *event;         /* the element of the event being
	                               validated (schema error lines) */
	unsigned long nelements;    /* elements and attributes so far */
	unsigned long nattributes;
	/* POLICY_PARSE_SCHEMA: the validator's own handlers (plugged
	 * into these, not in front of ours), called after ours for each
	 * event, never once a guard has stopped the parser (the input's
	 * buffer, which attribute values point into, is freed then), nor
	 * after its first error (the one reported: the rest would only
	 * cost time, 60 unknown attributes a tag made it 0.3 s a MiB). */
	xmlSAXHandlerPtr vsax;
	void *vdata;
} parse_state;

static parse_state *
state_of(void *ctx)
{
	xmlParserCtxtPtr c = ctx;
	return c->_private;
}

/* Record the first error and stop the parser. */
static void
guard_fail(xmlParserCtxtPtr c, asmgate_status code, unsigned long line,
    const char *msg)
{
	parse_state *ps = c->_private;

	if (!ps->failed) {
		ps->failed = 1;
		rd_fail_line(ps->err, code, line, "%s", msg);
	}
	xmlStopParser(c);
}

static unsigned long
ctxt_line(xmlParserCtxtPtr c)
{
	return c->input && c->input->line > 0 ? (unsigned long)c->input->line :
	    0;
}

/* Structured error handler of this parser context only. */
static void
on_error(void *user, xmlErrorPtr e)
{
	xmlParserCtxtPtr c = user;
	parse_state *ps = c->_private;
	char msg[ASMGATE_ERRMSG_MAX];
	size_t n;

	if (!ps || ps->failed || !e || e->level < XML_ERR_ERROR)
		return;
	snprintf(msg, sizeof(msg), "not well-formed XML: %s",
	    e->message ? e->message : "parse error");
	/* One line: libxml2 may append the offending text after a
	 * newline. */
	n = strcspn(msg, "\r\n");
	msg[n] = '\0';
	while (n > 0 && (msg[n - 1] == ' ' || msg[n - 1] == ':'))
		msg[--n] = '\0';
	ps->failed = 1;
	rd_fail_line(ps->err, ps->lim->code,
	    e->line > 0 ? (unsigned long)e->line : ctxt_line(c), "%s", msg);
}

/* The schema validator's errors (POLICY_PARSE_SCHEMA): the first is
 * kept, with the line of the element whose event it is about. */
static void
on_schema_error(void *user, xmlErrorPtr e)
{
	parse_state *ps = user;
	policy_doc *pd = ps->pd;
	char msg[ASMGATE_ERRMSG_MAX];
	unsigned long line;

	if (pd->schema_failed || !e || e->level < XML_ERR_ERROR)
		return;
	policy_schema_message(msg, sizeof(msg), e->message);
	line = ps->event ? ps->event->line : e->line > 0 ?
	    (unsigned long)e->line : 0;
	pd->schema_failed = 1;
	rd_fail_line(&pd->schema_err, ASMGATE_E_POLICY, line, "%s", msg);
}

static void
on_internal_subset(void *ctx, const xmlChar *name, const xmlChar *ext_id,
    const xmlChar *sys_id)
{
	(void)name;
	(void)ext_id;
	(void)sys_id;
	guard_fail(ctx, state_of(ctx)->lim->code, ctxt_line(ctx),
	    "DOCTYPE is not allowed: no DTD and no entity declarations");
}

static void
on_entity_decl(void *ctx, const xmlChar *name, int type,
    const xmlChar *public_id, const xmlChar *system_id, xmlChar *content)
{
	(void)name;
	(void)type;
	(void)public_id;
	(void)system_id;
	(void)content;
	guard_fail(ctx, state_of(ctx)->lim->code, ctxt_line(ctx),
	    "entity declarations are not allowed");
}

static xmlEntityPtr
on_get_entity(void *ctx, const xmlChar *name)
{
	/* Only the five predefined entities exist (XML 1.0 4.6); libxml2
	 * answers those before asking. */
	(void)name;
	guard_fail(ctx, state_of(ctx)->lim->code, ctxt_line(ctx),
	    "entity references are not allowed (only &lt; &gt; &amp; "
	    "&quot; &apos; and character references)");
	return NULL;
}

static xmlParserInputPtr
on_resolve_entity(void *ctx, const xmlChar *public_id,
    const xmlChar *system_id)
{
	(void)public_id;
	(void)system_id;
	guard_fail(ctx, state_of(ctx)->lim->code, ctxt_line(ctx),
	    "external entities are not allowed");
	return NULL;
}

static void
on_reference(void *ctx, const xmlChar *name)
{
	(void)name;
	guard_fail(ctx, state_of(ctx)->lim->code, ctxt_line(ctx),
	    "entity references are not allowed");
}

/* A DTD's declarations cannot arrive (the DOCTYPE is refused first);
 * if one did, it stops the parse. */
static void
on_decl(void *ctx)
{
	guard_fail(ctx, state_of(ctx)->lim->code, ctxt_line(ctx),
	    "DOCTYPE is not allowed");
}

static void
on_notation_decl(void *ctx, const xmlChar *name, const xmlChar *public_id,
    const xmlChar *system_id)
{
	(void)name;
	(void)public_id;
	(void)system_id;
	on_decl(ctx);
}

static void
on_attribute_decl(void *ctx, const xmlChar *elem, const xmlChar *fullname,
    int type, int def, const xmlChar *default_value, xmlEnumerationPtr tree)
{
	(void)elem;
	(void)fullname;
	(void)type;
	(void)def;
	(void)default_value;
	xmlFreeEnumeration(tree); /* the handler owns it (SAX2.h) */
	on_decl(ctx);
}

static void
on_element_decl(void *ctx, const xmlChar *name, int type,
    xmlElementContentPtr content)
{
	(void)name;
	(void)type;
	(void)content;
	on_decl(ctx);
}

static void
on_unparsed_entity_decl(void *ctx, const xmlChar *name,
    const xmlChar *public_id, const xmlChar *system_id,
    const xmlChar *notation)
{
	(void)name;
	(void)public_id;
	(void)system_id;
	(void)notation;
	on_decl(ctx);
}

/* An attribute value as SAX2 hands it over, NUL-terminated into dst:
 * without XML_PARSE_NOENT libxml2 has replaced every reference but
 * writes a '&' (from "&amp;" or "&#38;") as "&#38;", for a tree builder
 * to decode; a raw '&' cannot occur otherwise, so each '&' starts one.
 * (The validator decodes the same way, so both judge one value.) */
static void
decode_value(char *dst, const xmlChar *v, size_t n)
{
	size_t i = 0, o = 0;

	while (i < n) {
		const xmlChar *amp = memchr(v + i, '&', n - i);
		size_t run = amp ? (size_t)(amp - (v + i)) : n - i;

		memcpy(dst + o, v + i, run);
		o += run;
		i += run;
		if (i >= n)
			break;
		dst[o++] = '&';
		i += n - i >= 5 && memcmp(v + i, "&#38;", 5) == 0 ? 5 : 1;
	}
	dst[o] = '\0';
}

/* Start of an element: cap the depth; add it to the tree with the line
 * and offset of its start tag's '<' (libxml2's cursor is at the '>'). */
static void
on_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
    const xmlChar *uri, int nb_namespaces, const xmlChar **namespaces,
    int nb_attributes, int nb_defaulted, const xmlChar **attributes)
{
	xmlParserCtxtPtr c = ctx;
	parse_state *ps = state_of(ctx);
	policy_doc *pd = ps->pd;
	long consumed = xmlByteConsumed(c);
	unsigned long line = ctxt_line(c);
	size_t at = SIZE_MAX;
	policy_node *n;
	policy_xattr **tail;
	int i;

	(void)nb_namespaces;
	(void)namespaces;
	(void)nb_defaulted;
	ps->event = NULL;
	if (ps->failed)
		return;
	if (consumed > 0 && (unsigned long)consumed <= ps->len) {
		/* '<' cannot occur raw inside the tag (XML 1.0 [10]), so
		 * the last one before the cursor starts it. */
		const uint8_t *lt = memrchr(ps->data, '<', (size_t)consumed);
		if (lt) {
			const uint8_t *p = lt, *end = ps->data + consumed;
			at = (size_t)(lt - ps->data);
			while ((p = memchr(p, '\n', (size_t)(end - p))) &&
			    line > 1) {
				line--;
				p++;
			}
		}
	}
	if ((unsigned)c->nameNr + 1u > ps->lim->max_depth) {
		char msg[96];
		snprintf(msg, sizeof(msg), "elements nested deeper than %u",
		    ps->lim->max_depth);
		guard_fail(c, ASMGATE_E_LIMIT, line, msg);
		return;
	}
	/* The tree's size is bounded by the document kind's caps, not by
	 * the bytes alone (60 MB of "<a/>" is 15 million elements). */
	if (++ps->nelements > ps->lim->max_elements) {
		char msg[96];
		snprintf(msg, sizeof(msg), "more than %lu elements",
		    ps->lim->max_elements);
		guard_fail(c, ASMGATE_E_LIMIT, line, msg);
		return;
	}
	ps->nattributes += (unsigned long)nb_attributes;
	if (ps->nattributes > ps->lim->max_total_attributes) {
		char msg[96];
		snprintf(msg, sizeof(msg), "more than %lu attributes in all",
		    ps->lim->max_total_attributes);
		guard_fail(c, ASMGATE_E_LIMIT, line, msg);
		return;
	}
	n = arena_alloc(pd, sizeof(*n));
	if (!n) {
		guard_fail(c, ASMGATE_E_NOMEM, line, "out of memory");
		return;
	}
	memset(n, 0, sizeof(*n));
	if (prefix && !uri) {
		guard_fail(c, ps->lim->code, line, "not well-formed XML: an "
		    "element's namespace prefix is not defined");
		return;
	}
	n->name = (const char *)localname;
	n->prefix = (const char *)prefix;
	n->ns = (const char *)uri;
	n->line = line;
	n->off = at;
	tail = &n->attrs;
	for (i = 0; i < nb_attributes; i++) {
		const xmlChar **a = attributes + 5 * i;
		size_t vlen = (size_t)(a[4] - a[3]);
		policy_xattr *x = arena_alloc(pd, sizeof(*x));
		char *v = arena_alloc(pd, vlen + 1);
		if (!x || !v) {
			guard_fail(c, ASMGATE_E_NOMEM, line, "out of memory");
			return;
		}
		if (a[1] && !a[2]) {
			/* libxml2 reports it first (namespace error) */
			guard_fail(c, ps->lim->code, line, "not well-formed "
			    "XML: an attribute's namespace prefix is not "
			    "defined");
			return;
		}
		decode_value(v, a[3], vlen);
		x->name = (const char *)a[0];
		x->prefix = (const char *)a[1];
		x->ns = (const char *)a[2];
		x->value = v;
		x->next = NULL;
		*tail = x;
		tail = &x->next;
	}
	n->parent = ps->cur;
	if (ps->cur) {
		if (ps->cur->last)
			ps->cur->last->next = n;
		else
			ps->cur->children = n;
		ps->cur->last = n;
	} else if (!pd->root) {
		pd->root = n;
	}
	ps->cur = n;
	ps->event = n;
	if (ps->vsax && !pd->schema_failed)
		ps->vsax->startElementNs(ps->vdata, localname, prefix, uri,
		    nb_namespaces, namespaces, nb_attributes, nb_defaulted,
		    attributes);
}

static void
on_end(void *ctx, const xmlChar *localname, const xmlChar *prefix,
    const xmlChar *uri)
{
	parse_state *ps = state_of(ctx);

	ps->event = ps->cur;
	if (ps->vsax && !ps->failed && !ps->pd->schema_failed)
		ps->vsax->endElementNs(ps->vdata, localname, prefix, uri);
	if (ps->cur)
		ps->cur = ps->cur->parent;
}

static void
on_chars(void *ctx, const xmlChar *ch, int len)
{
	parse_state *ps = state_of(ctx);
	int i;

	ps->event = ps->cur;
	if (ps->vsax && !ps->failed && !ps->pd->schema_failed)
		ps->vsax->characters(ps->vdata, ch, len);
	if (!ps->cur)
		return;
	for (i = 0; i < len; i++)
		if (!is_space(ch[i]))
			break;
	ps->cur->text |= i < len ? POLICY_TEXT_OTHER : POLICY_TEXT_SPACE;
}

static void
on_cdata(void *ctx, const xmlChar *value, int len)
{
	parse_state *ps = state_of(ctx);

	ps->event = ps->cur;
	if (ps->vsax && !ps->failed && !ps->pd->schema_failed)
		ps->vsax->cdataBlock(ps->vdata, value, len);
	if (ps->cur)
		ps->cur->text |= POLICY_TEXT_CDATA;
}

static void
set_handlers(xmlSAXHandler *h)
{
	/* No tree handlers: the events build policy_node (on_start ..);
	 * every DTD event stops the parse. */
	memset(h, 0, sizeof(*h));
	h->initialized = XML_SAX2_MAGIC;
	h->serror = on_error;
	h->internalSubset = on_internal_subset;
	h->externalSubset = on_internal_subset;
	h->entityDecl = on_entity_decl;
	h->notationDecl = on_notation_decl;
	h->attributeDecl = on_attribute_decl;
	h->elementDecl = on_element_decl;
	h->unparsedEntityDecl = on_unparsed_entity_decl;
	h->getEntity = on_get_entity;
	h->getParameterEntity = on_get_entity;
	h->resolveEntity = on_resolve_entity;
	h->reference = on_reference;
	h->startElementNs = on_start;
	h->endElementNs = on_end;
	h->characters = on_chars;
	h->ignorableWhitespace = on_chars;
	h->cdataBlock = on_cdata;
}

asmgate_status
policy_xml_parse_limits(policy_doc *pd, const uint8_t *data, size_t len,
    const policy_xml_limits *lim, unsigned flags, asmgate_error *err)
{
	xmlParserCtxtPtr c;
	xmlSchemaPtr schema = NULL;
	xmlSchemaValidCtxtPtr vc = NULL;
	xmlSchemaSAXPlugPtr plug = NULL;
	parse_state ps;
	asmgate_status st;
	uint8_t *conv = NULL;
	int rc;

	memset(pd, 0, sizeof(*pd));
	if (len > lim->max_bytes)
		return rd_fail_line(err, ASMGATE_E_LIMIT, 0,
		    "%s of %zu bytes exceeds the %zu-byte limit", lim->what,
		    len, lim->max_bytes);
	if (lim->utf16 && len >= 2 && ((data[0] == 0xFE && data[1] == 0xFF) ||
	    (data[0] == 0xFF && data[1] == 0xFE))) {
		if (len >= 4 && data[0] == 0xFF && data[2] == 0 && data[3] == 0)
			return rd_fail_line(err, lim->code, 1, "UTF-32 byte "
			    "order mark: %s files are UTF-8 or UTF-16",
			    lim->what);
		st = utf16_to_utf8(data, len, lim, &conv, &len, err);
		if (st != ASMGATE_OK)
			return st;
		data = conv;
	} else if (lim->utf16 && len >= 3 && data[0] == 0xEF &&
	    data[1] == 0xBB && data[2] == 0xBF) {
		/* The UTF-8 byte order mark (XML 1.0 F.1); libxml2 skips it
		 * too, so offsets stay those of data. */
	}
	st = raw_checks(data, len, flags, lim, err);
	if (st == ASMGATE_OK)
		st = policy_xml_check_attributes(data, len, lim->max_attributes,
		    err);
	if (st == ASMGATE_OK && len > INT_MAX)
		st = rd_fail_line(err, ASMGATE_E_LIMIT, 0, "%s too large",
		    lim->what);
	if (st != ASMGATE_OK) {
		free(conv);
		return st;
	}
	pd->data = data;
	pd->len = len;
	pd->owned = conv;

	c = xmlCreateMemoryParserCtxt((const char *)data, (int)len);
	if (!c || !c->sax || !c->dict) {
		if (c)
			xmlFreeParserCtxt(c);
		policy_doc_free(pd);
		return rd_fail_line(err, ASMGATE_E_NOMEM, 0,
		    "out of memory for the XML parser");
	}
	/* Without NOENT: entities are never substituted (values keep
	 * "&#38;" for '&', decode_value). */
	(void)xmlCtxtUseOptions(c, XML_PARSE_NONET | XML_PARSE_IGNORE_ENC |
	    XML_PARSE_BIG_LINES);
	memset(&ps, 0, sizeof(ps));
	ps.data = data;
	ps.len = len;
	ps.err = err;
	ps.lim = lim;
	ps.pd = pd;
	c->_private = &ps;
	/* This context's own handler table (xmlInitParserCtxt allocates
	 * it): nothing global changes. */
	set_handlers(c->sax);
	c->userData = c;
	/* The names the tree points to live in the parser's dictionary:
	 * the doc keeps a reference. */
	pd->dict = c->dict;
	xmlDictReference(c->dict);
	if (flags & POLICY_PARSE_SCHEMA) {
		schema = policy_schema_new(err);
		if (!schema) {
			c->_private = NULL;
			xmlFreeParserCtxt(c);
			st = err ? err->code : ASMGATE_E_POLICY;
			policy_doc_free(pd);
			return st;
		}
		vc = xmlSchemaNewValidCtxt(schema);
		if (vc) {
			xmlSchemaSetValidStructuredErrors(vc, on_schema_error,
			    &ps);
			/* into ps's own pointers: our handlers stay the
			 * parser's and call the validator's after theirs */
			plug = xmlSchemaSAXPlug(vc, &ps.vsax, &ps.vdata);
		}
		if (!plug) {
			xmlSchemaFreeValidCtxt(vc);
			policy_schema_free(schema);
			c->_private = NULL;
			xmlFreeParserCtxt(c);
			policy_doc_free(pd);
			return rd_fail_line(err, ASMGATE_E_NOMEM, 0,
			    "out of memory for the schema");
		}
	}
	rc = xmlParseDocument(c);
	if (plug)
		(void)xmlSchemaSAXUnplug(plug);
	/* A validation failure that reached no error handler (the
	 * validator's out-of-memory path) still fails it. */
	if (vc && !ps.failed && !pd->schema_failed &&
	    xmlSchemaIsValid(vc) != 1) {
		pd->schema_failed = 1;
		rd_fail_line(&pd->schema_err, ASMGATE_E_POLICY, 0, "schema: "
		    "the policy does not match asmgate-policy.xsd");
	}
	xmlSchemaFreeValidCtxt(vc);
	policy_schema_free(schema);
	if (ps.failed || rc != 0 || !c->wellFormed || !c->nsWellFormed) {
		if (!ps.failed)
			rd_fail_line(err, lim->code, ctxt_line(c),
			    "not well-formed XML");
		c->_private = NULL;
		xmlFreeParserCtxt(c);
		policy_doc_free(pd);
		return err ? err->code : lim->code;
	}
	c->_private = NULL;
	xmlFreeParserCtxt(c);
	if (!pd->root) {
		policy_doc_free(pd);
		return rd_fail_line(err, lim->code, 1, "no root element");
	}
	return ASMGATE_OK;
}

asmgate_status
policy_xml_parse(policy_doc *pd, const uint8_t *data, size_t len,
    unsigned flags, asmgate_error *err)
{
	return policy_xml_parse_limits(pd, data, len,
	    &policy_xml_policy_limits, flags, err);
}

asmgate_status
policy_doc_schema(const policy_doc *pd, asmgate_error *err)
{
	if (!pd->schema_failed)
		return ASMGATE_OK;
	if (err)
		*err = pd->schema_err;
	return pd->schema_err.code;
}

void
policy_doc_free(policy_doc *pd)
{
	struct policy_arena *a, *next;

	if (!pd)
		return;
	for (a = pd->arena; a; a = next) {
		next = a->next;
		free(a->mem);
		free(a);
	}
	if (pd->dict)
		xmlDictFree(pd->dict);
	free(pd->owned);
	memset(pd, 0, sizeof(*pd));
}

const char *
policy_node_attr(const policy_node *n, const char *name)
{
	const policy_xattr *a;

	for (a = n ? n->attrs : NULL; a; a = a->next)
		if (!a->ns && strcmp(a->name, name) == 0)
			return a->value;
	return NULL;
}

int
policy_node_is(const policy_node *n, const char *name)
{
	return n && strcmp(n->name, name) == 0;
}

asmgate_status
policy_node_fail(const policy_doc *pd, asmgate_error *err,
    const policy_node *n, const char *attr, asmgate_status code,
    const char *fmt, ...)
{
	char msg[ASMGATE_ERRMSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return rd_fail_line(err, code, attr ? policy_attr_line(pd, n, attr) :
	    policy_node_line(n), "%s", msg);
}

unsigned long
policy_node_line(const policy_node *n)
{
	return n ? n->line : 0;
}

unsigned long
policy_attr_line(const policy_doc *pd, const policy_node *n, const char *attr)
{
	unsigned long line = policy_node_line(n);
	size_t i, alen = strlen(attr);
	const uint8_t *d = pd->data;

	if (!d || n->off >= pd->len)
		return line;
	i = n->off + 1; /* past '<' */
	while (i < pd->len && !is_space(d[i]) && d[i] != '>' && d[i] != '/')
		i++; /* the element name */
	for (;;) {
		size_t name;
		uint8_t q;

		while (i < pd->len && is_space(d[i])) {
			if (d[i] == '\n')
				line++;
			i++;
		}
		if (i >= pd->len || d[i] == '>' || d[i] == '/')
			break;
		name = i;
		while (i < pd->len && !is_space(d[i]) && d[i] != '=')
			i++;
		if (i - name == alen && memcmp(d + name, attr, alen) == 0)
			return line;
		while (i < pd->len && d[i] != '"' && d[i] != '\'') {
			if (d[i] == '\n')
				line++;
			i++;
		}
		if (i >= pd->len)
			break;
		q = d[i++];
		while (i < pd->len && d[i] != q) {
			if (d[i] == '\n')
				line++;
			i++;
		}
		i++;
	}
	return policy_node_line(n);
}

/* libxml2 2.9 sets up its global state (dictionaries' mutex, the
 * default handlers) on first use, without a lock: a program that may
 * parse on several threads calls xmlInitParser once first, on one
 * thread. */
void
policy_xml_init(void)
{
	xmlInitParser();
}
