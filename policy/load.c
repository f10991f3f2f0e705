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
 *  - behind it, per-context SAX hooks stop the parser at a DOCTYPE, an
 *    entity declaration or reference, or nesting deeper than
 *    RD_MAX_POLICY_DEPTH; options are XML_PARSE_NONET without NOENT,
 *    DTDLOAD or DTDATTR; the tree is checked again for a DTD and entity
 *    reference nodes;
 *  - errors go to a per-context structured handler (ctxt->sax->serror),
 *    never to libxml2's global handlers; xmlCleanupParser is never
 *    called.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "policy.h"
#include "rd/err.h"
#include "rd/limits.h"

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
	RD_MAX_POLICY_DEPTH, RD_MAX_XML_ATTRIBUTES, 0
};

/* Pass 1: checks on the raw bytes (UTF-8 by now). */
static asmgate_status
raw_checks(const uint8_t *d, size_t len, unsigned flags,
    const policy_xml_limits *lim, asmgate_error *err)
{
	size_t bad, i;
	unsigned long lines = 1;

	if (len == 0)
		return rd_fail_line(err, lim->code, 0,
		    "empty file: not XML");
	if (!lim->utf16 && len >= 2 && ((d[0] == 0xFE && d[1] == 0xFF) ||
	    (d[0] == 0xFF && d[1] == 0xFE)))
		return rd_fail_line(err, lim->code, 1,
		    "UTF-16 or UTF-32 byte order mark: %s files are UTF-8",
		    lim->what);
	for (i = 0; i < len; i++) {
		if (d[i] == 0)
			return rd_fail_line(err, lim->code,
			    line_at(d, i), "NUL byte: not an XML text file");
		if (d[i] == '\n' && ++lines > lim->max_lines)
			return rd_fail_line(err, ASMGATE_E_LIMIT, lines,
			    "more than %lu lines", lim->max_lines);
	}
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
	unsigned long line = 1, tag_line = 1;
	size_t i, at = 0;
	unsigned n = 0;
	int in_tag = 0;
	uint8_t q = 0;

	for (i = 0; i < len; i++) {
		uint8_t c = d[i];

		if (c == '\n')
			line++;
		if (c == '<') {
			in_tag = 1;
			q = 0;
			n = 0;
			at = i;
			tag_line = line;
		} else if (!in_tag) {
			continue;
		} else if (q) {
			if (c == q)
				q = 0;
		} else if (c == '>') {
			in_tag = 0;
		} else if (c == '"' || c == '\'') {
			q = c;
			if (++n > max)
				return too_many_attributes(d, len, at, tag_line,
				    max, err);
		}
	}
	return ASMGATE_OK;
}

/* Pass 2: libxml2 with guards ----------------------------------------- */

typedef struct parse_state {
	const uint8_t *data;
	size_t len;
	asmgate_error *err;
	const policy_xml_limits *lim;
	int failed;
	startElementNsSAX2Func start;   /* libxml2's own SAX2 handler */
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

/* Start of an element: cap the depth; remember where the start tag
 * begins so errors can name its first line (libxml2 records the line
 * where the tag ends). */
static void
on_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
    const xmlChar *uri, int nb_namespaces, const xmlChar **namespaces,
    int nb_attributes, int nb_defaulted, const xmlChar **attributes)
{
	xmlParserCtxtPtr c = ctx;
	parse_state *ps = state_of(ctx);
	long consumed = xmlByteConsumed(c);
	unsigned long line = ctxt_line(c);
	size_t at = 0;
	int have_at = 0;

	if (consumed > 0 && (unsigned long)consumed <= ps->len) {
		/* '<' cannot occur raw inside the tag (XML 1.0 [10]), so
		 * the last one before the cursor starts it. */
		size_t i = (size_t)consumed;
		while (i > 0 && ps->data[i - 1] != '<')
			i--;
		if (i > 0) {
			size_t k;
			at = i - 1;
			have_at = 1;
			for (k = at; k < (size_t)consumed; k++)
				if (ps->data[k] == '\n' && line > 1)
					line--;
		}
	}
	if ((unsigned)c->nameNr + 1u > ps->lim->max_depth) {
		char msg[96];
		snprintf(msg, sizeof(msg), "elements nested deeper than %u",
		    ps->lim->max_depth);
		guard_fail(c, ASMGATE_E_LIMIT, line, msg);
		return;
	}
	ps->start(ctx, localname, prefix, uri, nb_namespaces, namespaces,
	    nb_attributes, nb_defaulted, attributes);
	if (c->node && c->node->type == XML_ELEMENT_NODE &&
	    xmlStrEqual(c->node->name, localname)) {
		/* Policies: <= RD_MAX_POLICY_LINES, libxml2's 16 bits;
		 * longer documents find the line from the tag's offset
		 * (policy_doc_line). */
		c->node->line = (unsigned short)(line < 65535 ? line : 65535);
		if (have_at)
			c->node->_private = (void *)(uintptr_t)(at + 1);
	}
}

/* Depth-first walk without recursion: no DTD, entity or XInclude nodes
 * may be left in the tree. */
static asmgate_status
check_tree(const policy_doc *pd, asmgate_error *err)
{
	xmlDocPtr doc = pd->doc;
	xmlNodePtr n = doc->children;

	if (doc->intSubset || doc->extSubset)
		return rd_fail_line(err, pd->lim_code, 1,
		    "DOCTYPE is not allowed: policy files take no DTD and no "
		    "entity declarations");
	while (n) {
		switch (n->type) {
		case XML_ENTITY_REF_NODE:
		case XML_ENTITY_NODE:
		case XML_ENTITY_DECL:
			return rd_fail_line(err, pd->lim_code,
			    policy_node_line(n),
			    "entity references are not allowed");
		case XML_DTD_NODE:
		case XML_DOCUMENT_TYPE_NODE:
		case XML_ELEMENT_DECL:
		case XML_ATTRIBUTE_DECL:
		case XML_NOTATION_NODE:
			return rd_fail_line(err, pd->lim_code,
			    policy_node_line(n), "DOCTYPE is not allowed");
		case XML_XINCLUDE_START:
		case XML_XINCLUDE_END:
			return rd_fail_line(err, pd->lim_code,
			    policy_node_line(n), "XInclude is not allowed");
		default:
			break;
		}
		if (n->type == XML_ELEMENT_NODE && n->children) {
			n = n->children;
			continue;
		}
		while (n && !n->next) {
			n = n->parent;
			if (n && n->type == XML_DOCUMENT_NODE)
				n = NULL;
		}
		if (n)
			n = n->next;
	}
	if (!xmlDocGetRootElement(doc))
		return rd_fail_line(err, pd->lim_code, 1,
		    "no root element");
	return ASMGATE_OK;
}

/* Sorted offsets of the line starts after the first, for the line of
 * a tag in a document longer than libxml2's 16-bit line numbers. */
static asmgate_status
index_lines(policy_doc *pd, asmgate_error *err)
{
	size_t i, n = 0;

	for (i = 0; i < pd->len; i++)
		n += pd->data[i] == '\n';
	if (n == 0)
		return ASMGATE_OK;
	pd->nl = malloc(n * sizeof(*pd->nl));
	if (!pd->nl)
		return rd_fail_line(err, ASMGATE_E_NOMEM, 0, "out of memory");
	for (i = 0; i < pd->len; i++)
		if (pd->data[i] == '\n')
			pd->nl[pd->nnl++] = i;
	return ASMGATE_OK;
}

asmgate_status
policy_xml_parse_limits(policy_doc *pd, const uint8_t *data, size_t len,
    const policy_xml_limits *lim, unsigned flags, asmgate_error *err)
{
	xmlParserCtxtPtr c;
	xmlDocPtr doc;
	parse_state ps;
	asmgate_status st;
	uint8_t *conv = NULL;

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

	c = xmlNewParserCtxt();
	if (!c || !c->sax) {
		xmlFreeParserCtxt(c);
		free(conv);
		return rd_fail_line(err, ASMGATE_E_NOMEM, 0,
		    "out of memory for the XML parser");
	}
	memset(&ps, 0, sizeof(ps));
	ps.data = data;
	ps.len = len;
	ps.err = err;
	ps.lim = lim;
	ps.start = c->sax->startElementNs;
	c->_private = &ps;
	/* This context's own handler table (xmlNewParserCtxt allocates
	 * it): nothing global changes. */
	c->sax->serror = on_error;
	c->sax->internalSubset = on_internal_subset;
	c->sax->externalSubset = on_internal_subset;
	c->sax->entityDecl = on_entity_decl;
	c->sax->getEntity = on_get_entity;
	c->sax->getParameterEntity = on_get_entity;
	c->sax->resolveEntity = on_resolve_entity;
	c->sax->reference = on_reference;
	c->sax->startElementNs = on_start;
	if (!ps.start) {
		xmlFreeParserCtxt(c);
		free(conv);
		return rd_fail_line(err, lim->code, 0,
		    "XML parser without SAX2 support");
	}

	doc = xmlCtxtReadMemory(c, (const char *)data, (int)len, NULL, NULL,
	    XML_PARSE_NONET | XML_PARSE_IGNORE_ENC | XML_PARSE_BIG_LINES);
	if (ps.failed || !doc || !c->wellFormed) {
		if (!ps.failed)
			rd_fail_line(err, lim->code, ctxt_line(c),
			    "not well-formed XML");
		xmlFreeDoc(doc);
		c->_private = NULL;
		xmlFreeParserCtxt(c);
		free(conv);
		return err ? err->code : lim->code;
	}
	c->_private = NULL;
	xmlFreeParserCtxt(c);

	pd->doc = doc;
	pd->data = data;
	pd->len = len;
	pd->owned = conv;
	pd->lim_code = lim->code;
	st = check_tree(pd, err);
	if (st == ASMGATE_OK && lim->max_lines > 65535)
		st = index_lines(pd, err);
	if (st != ASMGATE_OK) {
		policy_doc_free(pd);
		return st;
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

void
policy_doc_free(policy_doc *pd)
{
	if (!pd)
		return;
	xmlFreeDoc(pd->doc);
	free(pd->owned);
	free(pd->nl);
	memset(pd, 0, sizeof(*pd));
}

unsigned long
policy_node_line(const xmlNode *n)
{
	long l = n ? xmlGetLineNo(n) : 0;
	return l > 0 ? (unsigned long)l : 0;
}

unsigned long
policy_doc_line(const policy_doc *pd, const xmlNode *n)
{
	uintptr_t tag = n ? (uintptr_t)n->_private : 0;
	size_t lo = 0, hi, off;

	if (!pd || !pd->nl || tag == 0 || tag - 1 >= pd->len)
		return policy_node_line(n);
	off = (size_t)(tag - 1);
	hi = pd->nnl;
	/* Lines before the tag: newlines at offsets below off. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (pd->nl[mid] < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (unsigned long)lo + 1;
}

static int
is_space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

unsigned long
policy_attr_line(const policy_doc *pd, const xmlNode *n, const char *attr)
{
	uintptr_t tag = (uintptr_t)n->_private;
	unsigned long line = policy_doc_line(pd, n);
	size_t i, alen = strlen(attr);
	const uint8_t *d = pd->data;

	if (!d || tag == 0 || tag - 1 >= pd->len)
		return line;
	i = (size_t)(tag - 1) + 1; /* past '<' */
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
	return policy_doc_line(pd, n);
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
