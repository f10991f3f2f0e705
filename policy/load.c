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

/* Pass 1: checks on the raw bytes. */
static asmgate_status
raw_checks(const uint8_t *d, size_t len, unsigned flags, asmgate_error *err)
{
	size_t bad, i;
	unsigned long lines = 1;

	if (len > RD_MAX_POLICY_BYTES)
		return rd_fail_line(err, ASMGATE_E_LIMIT, 0,
		    "policy of %zu bytes exceeds the %zu-byte limit", len,
		    RD_MAX_POLICY_BYTES);
	if (len == 0)
		return rd_fail_line(err, ASMGATE_E_POLICY, 0,
		    "empty file: not XML");
	if (len >= 2 && ((d[0] == 0xFE && d[1] == 0xFF) ||
	    (d[0] == 0xFF && d[1] == 0xFE)))
		return rd_fail_line(err, ASMGATE_E_POLICY, 1,
		    "UTF-16 or UTF-32 byte order mark: policy files are UTF-8");
	for (i = 0; i < len; i++) {
		if (d[i] == 0)
			return rd_fail_line(err, ASMGATE_E_POLICY,
			    line_at(d, i), "NUL byte: not an XML text file");
		if (d[i] == '\n' && ++lines > RD_MAX_POLICY_LINES)
			return rd_fail_line(err, ASMGATE_E_LIMIT, lines,
			    "more than %u lines", RD_MAX_POLICY_LINES);
	}
	bad = rd_utf8_valid_len(d, len);
	if (bad < len)
		return rd_fail_line(err, ASMGATE_E_POLICY, line_at(d, bad),
		    "not UTF-8: byte 0x%02x at offset %zu; policy files are "
		    "UTF-8", d[bad], bad);
	if (!(flags & POLICY_PARSE_NO_PRESCAN)) {
		/* XML 1.0 2.8: a DTD can only start with "<!DOCTYPE", and
		 * entities can only be declared inside one. Refused
		 * anywhere, comments included: simpler to audit. */
		size_t at = find(d, len, "<!DOCTYPE");
		if (at < len)
			return rd_fail_line(err, ASMGATE_E_POLICY,
			    line_at(d, at), "DOCTYPE is not allowed: policy "
			    "files take no DTD and no entity declarations");
	}
	return ASMGATE_OK;
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
	rd_fail_line(ps->err, ASMGATE_E_POLICY,
	    e->line > 0 ? (unsigned long)e->line : ctxt_line(c), "%s", msg);
}

static void
on_internal_subset(void *ctx, const xmlChar *name, const xmlChar *ext_id,
    const xmlChar *sys_id)
{
	(void)name;
	(void)ext_id;
	(void)sys_id;
	guard_fail(ctx, ASMGATE_E_POLICY, ctxt_line(ctx),
	    "DOCTYPE is not allowed: policy files take no DTD and no entity "
	    "declarations");
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
	guard_fail(ctx, ASMGATE_E_POLICY, ctxt_line(ctx),
	    "entity declarations are not allowed");
}

static xmlEntityPtr
on_get_entity(void *ctx, const xmlChar *name)
{
	/* Only the five predefined entities exist (XML 1.0 4.6); libxml2
	 * answers those before asking. */
	(void)name;
	guard_fail(ctx, ASMGATE_E_POLICY, ctxt_line(ctx),
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
	guard_fail(ctx, ASMGATE_E_POLICY, ctxt_line(ctx),
	    "external entities are not allowed");
	return NULL;
}

static void
on_reference(void *ctx, const xmlChar *name)
{
	(void)name;
	guard_fail(ctx, ASMGATE_E_POLICY, ctxt_line(ctx),
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
	if ((unsigned)c->nameNr + 1u > RD_MAX_POLICY_DEPTH) {
		char msg[96];
		snprintf(msg, sizeof(msg), "elements nested deeper than %u",
		    RD_MAX_POLICY_DEPTH);
		guard_fail(c, ASMGATE_E_LIMIT, line, msg);
		return;
	}
	ps->start(ctx, localname, prefix, uri, nb_namespaces, namespaces,
	    nb_attributes, nb_defaulted, attributes);
	if (c->node && c->node->type == XML_ELEMENT_NODE &&
	    xmlStrEqual(c->node->name, localname)) {
		c->node->line = (unsigned short)line; /* <= RD_MAX_POLICY_LINES */
		if (have_at)
			c->node->_private = (void *)(uintptr_t)(at + 1);
	}
}

/* Depth-first walk without recursion: no DTD, entity or XInclude nodes
 * may be left in the tree. */
static asmgate_status
check_tree(xmlDocPtr doc, asmgate_error *err)
{
	xmlNodePtr n = doc->children;

	if (doc->intSubset || doc->extSubset)
		return rd_fail_line(err, ASMGATE_E_POLICY, 1,
		    "DOCTYPE is not allowed: policy files take no DTD and no "
		    "entity declarations");
	while (n) {
		switch (n->type) {
		case XML_ENTITY_REF_NODE:
		case XML_ENTITY_NODE:
		case XML_ENTITY_DECL:
			return rd_fail_line(err, ASMGATE_E_POLICY,
			    policy_node_line(n),
			    "entity references are not allowed");
		case XML_DTD_NODE:
		case XML_DOCUMENT_TYPE_NODE:
		case XML_ELEMENT_DECL:
		case XML_ATTRIBUTE_DECL:
		case XML_NOTATION_NODE:
			return rd_fail_line(err, ASMGATE_E_POLICY,
			    policy_node_line(n), "DOCTYPE is not allowed");
		case XML_XINCLUDE_START:
		case XML_XINCLUDE_END:
			return rd_fail_line(err, ASMGATE_E_POLICY,
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
		return rd_fail_line(err, ASMGATE_E_POLICY, 1,
		    "no root element");
	return ASMGATE_OK;
}

asmgate_status
policy_xml_parse(policy_doc *pd, const uint8_t *data, size_t len,
    unsigned flags, asmgate_error *err)
{
	xmlParserCtxtPtr c;
	xmlDocPtr doc;
	parse_state ps;
	asmgate_status st;

	memset(pd, 0, sizeof(*pd));
	st = raw_checks(data, len, flags, err);
	if (st == ASMGATE_OK)
		st = policy_xml_check_attributes(data, len,
		    RD_MAX_XML_ATTRIBUTES, err);
	if (st != ASMGATE_OK)
		return st;
	if (len > INT_MAX)
		return rd_fail_line(err, ASMGATE_E_LIMIT, 0, "policy too large");

	c = xmlNewParserCtxt();
	if (!c || !c->sax) {
		xmlFreeParserCtxt(c);
		return rd_fail_line(err, ASMGATE_E_NOMEM, 0,
		    "out of memory for the XML parser");
	}
	memset(&ps, 0, sizeof(ps));
	ps.data = data;
	ps.len = len;
	ps.err = err;
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
		return rd_fail_line(err, ASMGATE_E_POLICY, 0,
		    "XML parser without SAX2 support");
	}

	doc = xmlCtxtReadMemory(c, (const char *)data, (int)len, NULL, NULL,
	    XML_PARSE_NONET | XML_PARSE_IGNORE_ENC);
	if (ps.failed || !doc || !c->wellFormed) {
		if (!ps.failed)
			rd_fail_line(err, ASMGATE_E_POLICY, ctxt_line(c),
			    "not well-formed XML");
		xmlFreeDoc(doc);
		c->_private = NULL;
		xmlFreeParserCtxt(c);
		return err ? err->code : ASMGATE_E_POLICY;
	}
	c->_private = NULL;
	xmlFreeParserCtxt(c);

	st = check_tree(doc, err);
	if (st != ASMGATE_OK) {
		xmlFreeDoc(doc);
		return st;
	}
	pd->doc = doc;
	pd->data = data;
	pd->len = len;
	return ASMGATE_OK;
}

void
policy_doc_free(policy_doc *pd)
{
	if (!pd)
		return;
	xmlFreeDoc(pd->doc);
	memset(pd, 0, sizeof(*pd));
}

unsigned long
policy_node_line(const xmlNode *n)
{
	long l = n ? xmlGetLineNo(n) : 0;
	return l > 0 ? (unsigned long)l : 0;
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
	unsigned long line = policy_node_line(n);
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
	return policy_node_line(n);
}
