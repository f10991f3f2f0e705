/*
 * load.c - reading a BizTalk binding file (BindingInfo.xml).
 *
 * The bytes go through the policy module's hardened loader
 * (policy_xml_parse_limits: no network, no DTD, no entities, size, line,
 * depth and attribute caps) with the binding limits: RD_MAX_BINDING_*,
 * UTF-16 with a byte order mark converted to UTF-8 first. Then one walk
 * of the tree (layout: biztalk/core/bindinginfo-node.md and the pages it
 * links; exported files carry more attributes than those pages list):
 *
 *   ModuleRefCollection/ModuleRef      FullName, or Name/Version/Culture/
 *                                      PublicKeyToken; "[Application:X]"
 *                                      is not an assembly
 *     Services/Service/Host@Name       the orchestration's host
 *     TrackedSchemas/Schema            @AssemblyQualifiedName
 *   SendPortCollection/SendPort        TransmitPipeline, ReceivePipeline
 *                                      (two-way), Transforms,
 *                                      InboundTransforms; hosts:
 *     PrimaryTransport/SendHandler@Name, SecondaryTransport/SendHandler
 *   ReceivePortCollection/ReceivePort  Transforms, OutboundTransforms
 *     ReceiveLocations/ReceiveLocation ReceivePipeline, SendPipeline
 *                                      (two-way); host: ReceiveHandler
 *
 * Placement ("Assembly installation in the GAC",
 * biztalk/core/assembly-installation-in-the-gac.md): an orchestration
 * assembly runs in its host; a port's pipelines and maps in the host of
 * its adapter handler. Tracked schemas are placed with the orchestrations
 * of their ModuleRef (an inference: tracking runs where they run).
 */
#define _POSIX_C_SOURCE 200809L /* strdup */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bind.h"
#include "policy/policy.h"
#include "rd/err.h"
#include "rd/file.h"
#include "rd/limits.h"

static const policy_xml_limits binding_limits = {
	"binding", ASMGATE_E_MALFORMED, RD_MAX_BINDING_BYTES,
	RD_MAX_BINDING_LINES, RD_MAX_BINDING_DEPTH, RD_MAX_XML_ATTRIBUTES, 1,
	RD_MAX_BINDING_ELEMENTS, RD_MAX_BINDING_ATTRIBUTES_TOTAL
};

typedef struct walk {
	asmgate_bindings *b;
	const policy_doc *pd;
	asmgate_error *err;
} walk;

#define is_elem policy_node_is
/* An error about element n (at attribute a's line, or the tag's). */
#define fail(w, n, a, code, ...) \
	policy_node_fail((w)->pd, (w)->err, n, a, code, __VA_ARGS__)

static const policy_node *
child(const policy_node *n, const char *name)
{
	const policy_node *c;

	for (c = n ? n->children : NULL; c; c = c->next)
		if (is_elem(c, name))
			return c;
	return NULL;
}

/* The attribute's value (copied; free it), or NULL when absent. */
static char *
attr(const policy_node *n, const char *name)
{
	const char *v = policy_node_attr(n, name);

	return v ? strdup(v) : NULL;
}


static asmgate_status
nomem(const walk *w)
{
	return rd_fail_line(w->err, ASMGATE_E_NOMEM, 0, "out of memory");
}

/* A host named by element n (attribute a): not empty, no placeholder,
 * at most RD_MAX_POLICY_HOST_NAME bytes; recorded with its role and
 * trust (attribute ta: "Trusted" or "HostTrusted"). *out borrows the
 * host's name. */
static asmgate_status
use_host(walk *w, const policy_node *n, const char *a, unsigned role,
    const char *ta, const char **out)
{
	asmgate_bindings *b = w->b;
	char *name = attr(n, a), *tr;
	char shown[96];
	bind_host *h = NULL;
	unsigned long line = policy_attr_line(w->pd, n, a);
	size_t i;
	int ri = role == BIND_HOST_ORCH ? 0 : role == BIND_HOST_RECEIVE ? 1 :
	    2;

	*out = NULL;
	if (!name)
		return ASMGATE_OK;
	if (name[0] == '\0') {
		free(name);
		return ASMGATE_OK;
	}
	rd_printable(shown, sizeof(shown), name, strlen(name));
	if (strstr(name, "${") || strstr(name, "$(")) {
		free(name);
		return rd_fail_line(w->err, ASMGATE_E_MALFORMED, line,
		    "host name '%s' is a placeholder left by a templating "
		    "tool, not a host", shown);
	}
	if (strlen(name) > RD_MAX_POLICY_HOST_NAME) {
		free(name);
		return rd_fail_line(w->err, ASMGATE_E_MALFORMED, line,
		    "host name longer than %u bytes", RD_MAX_POLICY_HOST_NAME);
	}
	for (i = 0; i < b->nhosts; i++)
		if (bind_casecmp(b->hosts[i].name, name) == 0) {
			h = &b->hosts[i];
			free(name);
			break;
		}
	if (!h) {
		if (b->nhosts == b->hcap) {
			size_t nc = b->hcap ? 2 * b->hcap : 8;
			bind_host *p;
			if (b->nhosts >= RD_MAX_POLICY_HOSTS) {
				free(name);
				return rd_fail_line(w->err, ASMGATE_E_LIMIT,
				    line, "more than %u hosts",
				    RD_MAX_POLICY_HOSTS);
			}
			p = realloc(b->hosts, nc * sizeof(*p));
			if (!p) {
				free(name);
				return nomem(w);
			}
			b->hosts = p;
			b->hcap = nc;
		}
		h = &b->hosts[b->nhosts++];
		memset(h, 0, sizeof(*h));
		h->name = name;
		h->line = line;
		h->trusted = -1;
	}
	if (!(h->roles & role)) {
		h->roles |= role;
		h->role_line[ri] = line;
	}
	tr = attr(n, ta);
	if (tr && tr[0]) {
		int t = strcmp(tr, "true") == 0 || strcmp(tr, "1") == 0 ||
		    strcmp(tr, "True") == 0;
		if (h->trusted < 0) {
			h->trusted = t;
			h->trusted_line = line;
		} else if (h->trusted != t && !h->trust_conflict) {
			h->trust_conflict = 1;
			h->conflict_line = line;
		}
	}
	free(tr);
	*out = h->name;
	return ASMGATE_OK;
}

/* Append one identity. */
static asmgate_status
add_id(walk *w, const bind_name *nm, const char *host, asmgate_role role,
    const char *element, unsigned long line)
{
	asmgate_bindings *b = w->b;
	asmgate_bound *id;
	char disp[RD_MAX_NAME_BYTES + 160];
	char ver[32];
	size_t i;

	if (b->nids == b->cap) {
		size_t nc = b->cap ? 2 * b->cap : 32;
		asmgate_bound *p;
		if (b->nids >= RD_MAX_BINDING_IDENTITIES)
			return rd_fail_line(w->err, ASMGATE_E_LIMIT, line,
			    "more than %u assembly names",
			    RD_MAX_BINDING_IDENTITIES);
		p = realloc(b->ids, nc * sizeof(*p));
		if (!p)
			return nomem(w);
		b->ids = p;
		b->cap = nc;
	}
	id = &b->ids[b->nids];
	memset(id, 0, sizeof(*id));
	snprintf(ver, sizeof(ver), "%u.%u.%u.%u", nm->version.major,
	    nm->version.minor, nm->version.build, nm->version.revision);
	{
		size_t o = (size_t)snprintf(disp, sizeof(disp), "%s", nm->name);
		if (nm->has_version && o < sizeof(disp))
			o += (size_t)snprintf(disp + o, sizeof(disp) - o,
			    ", Version=%s", ver);
		if (nm->has_culture && o < sizeof(disp))
			o += (size_t)snprintf(disp + o, sizeof(disp) - o,
			    ", Culture=%s", nm->culture[0] ? nm->culture :
			    "neutral");
		if (nm->has_token && o < sizeof(disp)) {
			if (nm->token_null)
				o += (size_t)snprintf(disp + o,
				    sizeof(disp) - o, ", PublicKeyToken=null");
			else {
				o += (size_t)snprintf(disp + o,
				    sizeof(disp) - o, ", PublicKeyToken=");
				for (i = 0; i < 8 && o + 2 < sizeof(disp); i++)
					o += (size_t)snprintf(disp + o,
					    sizeof(disp) - o, "%02x",
					    nm->token[i]);
			}
		}
	}
	id->name = strdup(nm->name);
	id->culture = nm->has_culture ? strdup(nm->culture) : NULL;
	id->display = strdup(disp);
	id->host = host;               /* borrowed from b->hosts */
	id->element = strdup(element);
	id->file = b->path;
	if (!id->name || (nm->has_culture && !id->culture) || !id->display ||
	    !id->element) {
		free((char *)(uintptr_t)id->name);
		free((char *)(uintptr_t)id->culture);
		free((char *)(uintptr_t)id->display);
		free((char *)(uintptr_t)id->element);
		return nomem(w);
	}
	id->has_version = nm->has_version;
	id->version = nm->version;
	id->has_token = nm->has_token;
	id->token_null = nm->token_null;
	memcpy(id->token, nm->token, 8);
	id->role = role;
	id->line = line;
	b->nids++;
	return ASMGATE_OK;
}

/* The identity in attribute a of n (qualified: a type name first);
 * *present 0 when the attribute is absent or empty. */
static asmgate_status
ident(walk *w, const policy_node *n, const char *a, int qualified,
    bind_name *out, int *present)
{
	char *v = attr(n, a);
	asmgate_error e;
	asmgate_status st;

	*present = 0;
	if (!v || v[0] == '\0') {
		free(v);
		return ASMGATE_OK;
	}
	asmgate_error_clear(&e);
	st = qualified ? bind_parse_qualified_name(v, out, &e) :
	    bind_parse_display_name(v, out, &e);
	free(v);
	if (st != ASMGATE_OK)
		return fail(w, n, a, st, "<%s %s>: %s", (const char *)n->name,
		    a, e.msg);
	*present = 1;
	return ASMGATE_OK;
}

/* Mark host as running an isolated orchestration (Host Type 2, the
 * MSBTS_Host HostType value of an isolated host). */
static void
mark_isolated(walk *w, const char *host, unsigned long line)
{
	size_t k;

	for (k = 0; k < w->b->nhosts; k++) {
		bind_host *h = &w->b->hosts[k];
		if (h->name == host && !h->isolated_orch) {
			h->isolated_orch = 1;
			h->isolated_line = line;
		}
	}
}

/* One orchestration (Service) of module id: placed in its Host, or
 * nowhere; its host joins hosts[*nh] (for the tracked schemas). */
static asmgate_status
service(walk *w, const policy_node *s, const bind_name *id, const char **hosts,
    size_t *nh)
{
	char el[RD_MAX_NAME_BYTES + 64];
	char *sname = attr(s, "Name"), *state = attr(s, "State");
	const policy_node *h = child(s, "Host");
	const char *host = NULL;
	asmgate_status st = ASMGATE_OK;
	size_t k;

	if (h)
		st = use_host(w, h, "Name", BIND_HOST_ORCH, "Trusted", &host);
	if (st == ASMGATE_OK && h && host) {
		char *type = attr(h, "Type");
		if (type && strcmp(type, "2") == 0)
			mark_isolated(w, host, policy_node_line(h));
		free(type);
		snprintf(el, sizeof(el), "orchestration %s",
		    sname ? sname : "?");
		st = add_id(w, id, host, ASMGATE_ROLE_ORCHESTRATION, el,
		    policy_node_line(h));
		for (k = 0; k < *nh && hosts[k] != host; k++)
			;
		if (st == ASMGATE_OK && k == *nh &&
		    *nh < RD_MAX_POLICY_HOSTS)
			hosts[(*nh)++] = host;
	} else if (st == ASMGATE_OK) {
		snprintf(el, sizeof(el), "orchestration %s (%s, no host): "
		    "placed nowhere", sname ? sname : "?",
		    state && state[0] ? state : "unenlisted");
		st = add_id(w, id, NULL, ASMGATE_ROLE_ORCHESTRATION, el,
		    policy_node_line(s));
	}
	free(sname);
	free(state);
	return st;
}

/* The identity the split attributes of ModuleRef m name (Name,
 * Version, Culture, PublicKeyToken), parsed as a display name. */
static asmgate_status
split_name(walk *w, const policy_node *m, const char *name, bind_name *out)
{
	char *v = attr(m, "Version"), *c = attr(m, "Culture"),
	    *t = attr(m, "PublicKeyToken");
	char full[RD_MAX_DISPLAY_NAME + 1];
	asmgate_error e;
	asmgate_status st;
	int n;

	n = snprintf(full, sizeof(full), "%s%s%s%s%s%s%s", name,
	    v && v[0] ? ", Version=" : "", v && v[0] ? v : "",
	    c && c[0] ? ", Culture=" : "", c && c[0] ? c : "",
	    t && t[0] ? ", PublicKeyToken=" : "", t && t[0] ? t : "");
	asmgate_error_clear(&e);
	/* Cut, the name would lose its last parts (the token): an
	 * identity that matches any key. Refused instead. */
	if (n < 0 || (size_t)n >= sizeof(full))
		st = fail(w, m, "Name", ASMGATE_E_LIMIT, "<ModuleRef>: "
		    "Name, Version, Culture and PublicKeyToken longer than "
		    "%u bytes together", RD_MAX_DISPLAY_NAME);
	else if ((st = bind_parse_display_name(full, out, &e)) !=
	    ASMGATE_OK)
		st = fail(w, m, "Name", st, "<ModuleRef>: %s", e.msg);
	free(v);
	free(c);
	free(t);
	return st;
}

/* 1 when every part the split form s gives agrees with the full name
 * f (names without regard to ASCII case, as .NET compares them). */
static int
same_assembly(const bind_name *f, const bind_name *s)
{
	if (policy_ascii_casecmp(f->name, s->name) != 0)
		return 0;
	if (s->has_version && (!f->has_version ||
	    memcmp(&f->version, &s->version, sizeof(f->version)) != 0))
		return 0;
	if (s->has_culture && (!f->has_culture ||
	    policy_ascii_casecmp(f->culture, s->culture) != 0))
		return 0;
	if (s->has_token && (!f->has_token || f->token_null != s->token_null ||
	    (!s->token_null && memcmp(f->token, s->token, 8) != 0)))
		return 0;
	return 1;
}

/* A ModuleRef: its identity, its orchestrations' hosts, its tracked
 * schemas. */
static asmgate_status
module_ref(walk *w, const policy_node *m)
{
	char *name = attr(m, "Name");
	bind_name id, sn;
	char el[RD_MAX_NAME_BYTES + 64];
	const char *hosts[RD_MAX_POLICY_HOSTS];
	size_t nh = 0, i;
	int present = 0, pseudo, any_service = 0;
	const policy_node *svcs, *s, *ts;
	asmgate_status st = ASMGATE_OK;

	/* "[Application:NAME]": application-level tracked schemas, not an
	 * assembly. */
	pseudo = name && strncmp(name, "[Application:", 13) == 0;
	if (!pseudo) {
		st = ident(w, m, "FullName", 0, &id, &present);
		if (st == ASMGATE_OK && !present) {
			if (!name || !name[0])
				st = fail(w, m, NULL, ASMGATE_E_MALFORMED,
				    "<ModuleRef> without FullName or Name");
			else
				st = split_name(w, m, name, &id);
		} else if (st == ASMGATE_OK && name && name[0]) {
			/* Both forms: they must name one assembly, or which
			 * one the host loads is not known (fail closed). */
			st = split_name(w, m, name, &sn);
			if (st == ASMGATE_OK && !same_assembly(&id, &sn))
				st = fail(w, m, "Name", ASMGATE_E_MALFORMED,
				    "<ModuleRef>: FullName and Name/Version/"
				    "Culture/PublicKeyToken name different "
				    "assemblies");
		}
	}
	free(name);
	if (st != ASMGATE_OK)
		return st;
	svcs = child(m, "Services");
	for (s = svcs ? svcs->children : NULL; s && !pseudo; s = s->next) {
		if (!is_elem(s, "Service"))
			continue;
		any_service = 1;
		st = service(w, s, &id, hosts, &nh);
		if (st != ASMGATE_OK)
			return st;
	}
	if (!pseudo && !any_service) {
		st = add_id(w, &id, NULL, ASMGATE_ROLE_MODULE, "ModuleRef",
		    policy_node_line(m));
		if (st != ASMGATE_OK)
			return st;
	}
	ts = child(m, "TrackedSchemas");
	for (s = ts ? ts->children : NULL; s; s = s->next) {
		char *fn;

		if (!is_elem(s, "Schema"))
			continue;
		st = ident(w, s, "AssemblyQualifiedName", 1, &sn, &present);
		if (st != ASMGATE_OK)
			return st;
		if (!present)
			continue;
		fn = attr(s, "FullName");
		snprintf(el, sizeof(el), "tracked schema %s%s", fn ? fn : "?",
		    nh ? " (with its module's orchestrations)" :
		    ": placed nowhere");
		free(fn);
		for (i = 0; i < nh && st == ASMGATE_OK; i++)
			st = add_id(w, &sn, hosts[i], ASMGATE_ROLE_SCHEMA, el,
			    policy_node_line(s));
		if (nh == 0)
			st = add_id(w, &sn, NULL, ASMGATE_ROLE_SCHEMA, el,
			    policy_node_line(s));
		if (st != ASMGATE_OK)
			return st;
	}
	return ASMGATE_OK;
}

/* A pipeline or map of a port, placed in each of the nh hosts (labels
 * say which transport or location), or nowhere (why). */
typedef struct placing {
	const char *hosts[2];
	const char *labels[2];
	size_t nh;
	const char *nowhere;
} placing;

static asmgate_status
place_item(walk *w, const policy_node *n, const char *a, int qualified,
    asmgate_role role, const char *what, const placing *pl)
{
	bind_name id;
	char el[RD_MAX_NAME_BYTES + 128];
	int present;
	size_t i;
	asmgate_status st = ident(w, n, a, qualified, &id, &present);

	if (st != ASMGATE_OK || !present)
		return st;
	if (pl->nh == 0) {
		snprintf(el, sizeof(el), "%s: placed nowhere (%s)", what,
		    pl->nowhere);
		return add_id(w, &id, NULL, role, el, policy_node_line(n));
	}
	for (i = 0; i < pl->nh && st == ASMGATE_OK; i++) {
		snprintf(el, sizeof(el), "%s (%s)", what, pl->labels[i]);
		st = add_id(w, &id, pl->hosts[i], role, el, policy_node_line(n));
	}
	return st;
}

static asmgate_status
place_maps(walk *w, const policy_node *port, const char *coll, const char *what,
    const placing *pl)
{
	const policy_node *t, *c = child(port, coll);
	asmgate_status st = ASMGATE_OK;

	for (t = c ? c->children : NULL; t && st == ASMGATE_OK; t = t->next)
		if (is_elem(t, "Transform"))
			st = place_item(w, t, "AssemblyQualifiedName", 1,
			    ASMGATE_ROLE_MAP, what, pl);
	return st;
}

static asmgate_status
send_port(walk *w, const policy_node *p)
{
	char *name = attr(p, "Name"), *st_ = attr(p, "IsStatic");
	char what[RD_MAX_NAME_BYTES + 64];
	placing pl;
	static const char *const tr[2] = { "PrimaryTransport",
	    "SecondaryTransport" };
	static const char *const lb[2] = { "primary transport",
	    "secondary transport" };
	const policy_node *x;
	size_t i;
	asmgate_status st = ASMGATE_OK;

	memset(&pl, 0, sizeof(pl));
	pl.nowhere = st_ && strcmp(st_, "false") == 0 ?
	    "dynamic: the adapter, hence the handler, is chosen at run time" :
	    "no send handler";
	for (i = 0; i < 2 && st == ASMGATE_OK; i++) {
		const policy_node *t = child(p, tr[i]);
		const policy_node *h = t ? child(t, "SendHandler") : NULL;
		const char *host = NULL;
		if (h)
			st = use_host(w, h, "Name", BIND_HOST_SEND,
			    "HostTrusted", &host);
		if (host && !(pl.nh == 1 && pl.hosts[0] == host)) {
			pl.hosts[pl.nh] = host;
			pl.labels[pl.nh++] = lb[i];
		}
	}
	if (st == ASMGATE_OK) {
		snprintf(what, sizeof(what), "send port %s", name ? name : "?");
		if ((x = child(p, "TransmitPipeline")))
			st = place_item(w, x, "FullyQualifiedName", 1,
			    ASMGATE_ROLE_SEND_PIPELINE, what, &pl);
	}
	if (st == ASMGATE_OK && (x = child(p, "ReceivePipeline")))
		st = place_item(w, x, "FullyQualifiedName", 1,
		    ASMGATE_ROLE_RECEIVE_PIPELINE, what, &pl);
	if (st == ASMGATE_OK)
		st = place_maps(w, p, "Transforms", what, &pl);
	if (st == ASMGATE_OK)
		st = place_maps(w, p, "InboundTransforms", what, &pl);
	free(name);
	free(st_);
	return st;
}

static asmgate_status
receive_port(walk *w, const policy_node *p)
{
	char *name = attr(p, "Name");
	char what[RD_MAX_NAME_BYTES * 2 + 64];
	const policy_node *locs = child(p, "ReceiveLocations"), *l, *x;
	placing pl;
	int nloc = 0;
	asmgate_status st = ASMGATE_OK;

	for (l = locs ? locs->children : NULL; l && st == ASMGATE_OK;
	    l = l->next) {
		char *ln;
		const policy_node *h;
		const char *host = NULL;

		if (!is_elem(l, "ReceiveLocation"))
			continue;
		nloc++;
		memset(&pl, 0, sizeof(pl));
		pl.nowhere = "no receive handler";
		h = child(l, "ReceiveHandler");
		if (h)
			st = use_host(w, h, "Name", BIND_HOST_RECEIVE,
			    "HostTrusted", &host);
		if (st != ASMGATE_OK)
			break;
		ln = attr(l, "Name");
		if (host) {
			pl.hosts[0] = host;
			pl.labels[0] = "receive handler";
			pl.nh = 1;
		}
		snprintf(what, sizeof(what), "receive location %s of port %s",
		    ln ? ln : "?", name ? name : "?");
		free(ln);
		if ((x = child(l, "ReceivePipeline")))
			st = place_item(w, x, "FullyQualifiedName", 1,
			    ASMGATE_ROLE_RECEIVE_PIPELINE, what, &pl);
		if (st == ASMGATE_OK && (x = child(l, "SendPipeline")))
			st = place_item(w, x, "FullyQualifiedName", 1,
			    ASMGATE_ROLE_SEND_PIPELINE, what, &pl);
		/* The port's maps run where its locations receive. */
		if (st == ASMGATE_OK)
			st = place_maps(w, p, "Transforms", what, &pl);
		if (st == ASMGATE_OK)
			st = place_maps(w, p, "OutboundTransforms", what, &pl);
	}
	if (st == ASMGATE_OK && nloc == 0) {
		memset(&pl, 0, sizeof(pl));
		pl.nowhere = "the port has no receive location";
		snprintf(what, sizeof(what), "receive port %s",
		    name ? name : "?");
		st = place_maps(w, p, "Transforms", what, &pl);
		if (st == ASMGATE_OK)
			st = place_maps(w, p, "OutboundTransforms", what, &pl);
	}
	free(name);
	return st;
}

static asmgate_status
walk_doc(walk *w)
{
	const policy_node *root = w->pd->root, *c, *e;
	asmgate_status st = ASMGATE_OK;

	if (!is_elem(root, "BindingInfo"))
		return fail(w, root, NULL, ASMGATE_E_MALFORMED, "not a binding "
		    "file: the root element is <%.40s>, not <BindingInfo>",
		    root ? root->name : "?");
	for (c = root->children; c && st == ASMGATE_OK; c = c->next) {
		int k = is_elem(c, "ModuleRefCollection") ? 1 :
		    is_elem(c, "SendPortCollection") ? 2 :
		    is_elem(c, "ReceivePortCollection") ? 3 : 0;

		for (e = k ? c->children : NULL; e && st == ASMGATE_OK;
		    e = e->next) {
			if (k == 1 && is_elem(e, "ModuleRef"))
				st = module_ref(w, e);
			else if (k == 2 && is_elem(e, "SendPort"))
				st = send_port(w, e);
			else if (k == 3 && is_elem(e, "ReceivePort"))
				st = receive_port(w, e);
		}
	}
	return st;
}

static asmgate_status
load_common(asmgate_bindings **out, const uint8_t *data, size_t len,
    const char *name, asmgate_error *err)
{
	asmgate_bindings *b;
	policy_doc pd;
	walk w;
	asmgate_status st;

	*out = NULL;
	b = calloc(1, sizeof(*b));
	if (!b || !(b->path = strdup(name ? name : "bindings"))) {
		free(b);
		return rd_fail_line(err, ASMGATE_E_NOMEM, 0, "out of memory");
	}
	st = policy_xml_parse_limits(&pd, data, len, &binding_limits, 0, err);
	if (st == ASMGATE_OK) {
		w.b = b;
		w.pd = &pd;
		w.err = err;
		st = walk_doc(&w);
		policy_doc_free(&pd);
	}
	if (st != ASMGATE_OK) {
		asmgate_bindings_free(b);
		return st;
	}
	*out = b;
	return ASMGATE_OK;
}

asmgate_status
asmgate_bindings_load(asmgate_bindings **out, const char *path,
    asmgate_error *err)
{
	rd_file f;
	asmgate_status st;

	if (!out || !path)
		return rd_fail_nooff(err, ASMGATE_E_USAGE,
		    "asmgate_bindings_load: no path");
	*out = NULL;
	st = rd_file_open(&f, path, RD_MAX_BINDING_BYTES, err);
	if (st != ASMGATE_OK)
		return st;
	st = load_common(out, f.data, f.size, path, err);
	rd_file_close(&f);
	return st;
}

asmgate_status
asmgate_bindings_load_memory(asmgate_bindings **out, const void *data,
    size_t len, const char *name, asmgate_error *err)
{
	if (!out || (!data && len))
		return rd_fail_nooff(err, ASMGATE_E_USAGE,
		    "asmgate_bindings_load_memory: no data");
	return load_common(out, data, len, name, err);
}

void
asmgate_bindings_free(asmgate_bindings *b)
{
	size_t i;

	if (!b)
		return;
	for (i = 0; i < b->nids; i++) {
		free((char *)(uintptr_t)b->ids[i].name);
		free((char *)(uintptr_t)b->ids[i].culture);
		free((char *)(uintptr_t)b->ids[i].display);
		free((char *)(uintptr_t)b->ids[i].element);
	}
	for (i = 0; i < b->nhosts; i++)
		free(b->hosts[i].name);
	free(b->ids);
	free(b->hosts);
	free(b->path);
	free(b);
}

size_t
asmgate_bindings_count(const asmgate_bindings *b)
{
	return b ? b->nids : 0;
}

const asmgate_bound *
asmgate_bindings_get(const asmgate_bindings *b, size_t i)
{
	return b && i < b->nids ? &b->ids[i] : NULL;
}

const char *
asmgate_role_name(asmgate_role r)
{
	static const char *const names[] = { "option", "orchestration",
	    "send-pipeline", "receive-pipeline", "map", "schema",
	    "dependency", "unbound", "module" };

	return (unsigned)r < sizeof(names) / sizeof(names[0]) ?
	    names[r] : "option";
}

int
bind_matches(const asmgate_bound *b, const char *name,
    const asmgate_version *v, const char *culture, const uint8_t *token)
{
	if (bind_casecmp(b->name, name) != 0)
		return 0;
	if (b->has_version && (b->version.major != v->major ||
	    b->version.minor != v->minor || b->version.build != v->build ||
	    b->version.revision != v->revision))
		return 0;
	if (b->culture && bind_casecmp(b->culture, culture ? culture : "") != 0)
		return 0;
	if (b->has_token) {
		if (b->token_null)
			return token == NULL;
		if (!token || memcmp(b->token, token, 8) != 0)
			return 0;
	}
	return 1;
}

asmgate_status
asmgate_bindings_check_hosts(const asmgate_bindings *b,
    const asmgate_policy *pol, asmgate_error *err)
{
	size_t i;
	char shown[96];

	for (i = 0; b && pol && i < b->nhosts; i++)
		if (asmgate_policy_find_host(pol, b->hosts[i].name) < 0) {
			rd_printable(shown, sizeof(shown), b->hosts[i].name,
			    strlen(b->hosts[i].name));
			return rd_fail_line(err, ASMGATE_E_POLICY,
			    b->hosts[i].line, "host '%s' is not a host of the "
			    "policy", shown);
		}
	return ASMGATE_OK;
}
