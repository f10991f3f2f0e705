/*
 * adf.c - reading a BizTalk application definition
 * (ApplicationDefinition.adf of an application MSI exported by
 * BTSTask ExportApp or the Administration console).
 *
 * The bytes go through the policy module's hardened loader
 * (policy_xml_parse_limits: no network, no DTD, no entities, size, line,
 * depth and attribute caps) with the adf limits RD_MAX_ADF_*, UTF-16 with
 * a byte order mark converted first (exports are UTF-16). Layout, in the
 * namespace BIND_ADF_NS (resource types: biztalk/core/addresource-
 * command*.md; the file as exports write it, see samples/biztalk):
 *
 *   ApplicationDefinition
 *     Properties/Property@Name,@Value   DisplayName, Guid, Version, ...
 *     Resources/Resource@Type,@Luid
 *       Properties/Property@Name,@Value FullName, ShortCabinetName,
 *                                       DestinationLocation,
 *                                       TargetEnvironment, ...
 *       Files/File@RelativePath,@Key
 *     References/Reference@Name         other applications
 *
 * An assembly resource's Luid is its full name (name, version, culture,
 * token: addresource-command.md), FullName says it again; both parse as
 * .NET display names (bind_parse_display_name).
 */
#define _POSIX_C_SOURCE 200809L /* strdup */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adf.h"
#include "bind.h"
#include "policy/policy.h"
#include "rd/err.h"
#include "rd/file.h"
#include "rd/limits.h"

static const policy_xml_limits adf_limits = {
	"application definition", ASMGATE_E_MALFORMED, RD_MAX_ADF_BYTES,
	RD_MAX_ADF_LINES, RD_MAX_ADF_DEPTH, RD_MAX_XML_ATTRIBUTES, 1,
	RD_MAX_ADF_ELEMENTS, RD_MAX_ADF_ATTRIBUTES_TOTAL
};

typedef struct adf_walk {
	asmgate_app *app;
	const policy_doc *pd;
	asmgate_error *err;
} adf_walk;

#define is_elem policy_node_is
/* An error about element n (at attribute a's line, or the tag's). */
#define fail(w, n, a, code, ...) \
	policy_node_fail((w)->pd, (w)->err, n, a, code, __VA_ARGS__)

static asmgate_status
nomem(const adf_walk *w)
{
	return rd_fail_line(w->err, ASMGATE_E_NOMEM, 0, "out of memory");
}

/* Attribute a of n, copied into *out (NULL when absent); longer than
 * RD_MAX_ADF_VALUE bytes is an error. */
static asmgate_status
attr(const adf_walk *w, const policy_node *n, const char *a, char **out)
{
	const char *v = policy_node_attr(n, a);
	size_t len;

	*out = NULL;
	if (!v)
		return ASMGATE_OK;
	len = strlen(v);
	if (len > RD_MAX_ADF_VALUE)
		return fail(w, n, a, ASMGATE_E_LIMIT, "<%s %s>: value of %zu "
		    "bytes, above the cap of %u", n->name, a, len,
		    RD_MAX_ADF_VALUE);
	*out = malloc(len + 1);
	if (!*out)
		return nomem(w);
	memcpy(*out, v, len + 1);
	return ASMGATE_OK;
}

/* A required, non-empty attribute. */
static asmgate_status
need(const adf_walk *w, const policy_node *n, const char *a, char **out)
{
	asmgate_status st = attr(w, n, a, out);

	if (st != ASMGATE_OK)
		return st;
	if (!*out || (*out)[0] == '\0') {
		free(*out);
		*out = NULL;
		return fail(w, n, NULL, ASMGATE_E_MALFORMED, "<%s> without %s",
		    (const char *)n->name, a);
	}
	return ASMGATE_OK;
}

/* One property set: the <Property Name Value> children of props whose
 * Name is one of names[0..n) go to vals[] (NULL when absent); a name
 * given twice is an error, others are ignored. */
static asmgate_status
properties(const adf_walk *w, const policy_node *props, const char *const *names,
    char **vals, size_t n)
{
	const policy_node *p;
	unsigned count = 0;
	asmgate_status st;
	size_t i;

	for (p = props ? props->children : NULL; p; p = p->next) {
		char *name = NULL, *val = NULL;

		if (!is_elem(p, "Property"))
			continue;
		if (++count > RD_MAX_ADF_PROPERTIES)
			return fail(w, p, NULL, ASMGATE_E_LIMIT,
			    "more than %u properties", RD_MAX_ADF_PROPERTIES);
		st = need(w, p, "Name", &name);
		if (st != ASMGATE_OK)
			return st;
		for (i = 0; i < n; i++)
			if (strcmp(name, names[i]) == 0)
				break;
		if (i == n) {
			free(name);
			continue;
		}
		if (vals[i]) {
			free(name);
			return fail(w, p, "Name", ASMGATE_E_MALFORMED,
			    "property %s given twice", names[i]);
		}
		free(name);
		st = attr(w, p, "Value", &val);
		if (st != ASMGATE_OK)
			return st;
		if (!val && !(val = calloc(1, 1)))
			return nomem(w);
		vals[i] = val;
	}
	return ASMGATE_OK;
}

const char *
asmgate_app_kind_name(asmgate_app_kind k)
{
	switch (k) {
	case ASMGATE_APP_BIZTALK_ASSEMBLY:
		return "biztalk-assembly";
	case ASMGATE_APP_ASSEMBLY:
		return "assembly";
	case ASMGATE_APP_BINDING:
		return "binding";
	default:
		return "other";
	}
}

static asmgate_app_kind
kind_of(const char *type)
{
	/* Type names: BTSTask ListTypes (addresource-command.md). */
	if (bind_casecmp(type, "System.BizTalk:BizTalkAssembly") == 0)
		return ASMGATE_APP_BIZTALK_ASSEMBLY;
	if (bind_casecmp(type, "System.BizTalk:Assembly") == 0)
		return ASMGATE_APP_ASSEMBLY;
	if (bind_casecmp(type, "System.BizTalk:BizTalkBinding") == 0)
		return ASMGATE_APP_BINDING;
	return ASMGATE_APP_OTHER;
}

static void
free_resource(bind_adf_res *r)
{
	size_t i;

	free(r->type);
	free(r->luid);
	free(r->full_name);
	free(r->cabinet);
	free(r->destination);
	free(r->environment);
	free(r->name);
	free(r->culture);
	for (i = 0; r->fstr && i < 2 * r->pub.nfiles; i++)
		free(r->fstr[i]);
	free(r->fstr);
	free(r->files);
}

/* The identity of an assembly resource: FullName, else the Luid. */
static asmgate_status
identity(const adf_walk *w, const policy_node *n, bind_adf_res *r)
{
	bind_name nm;
	asmgate_error e;
	const char *s = r->full_name ? r->full_name : r->luid;

	asmgate_error_clear(&e);
	if (bind_parse_display_name(s, &nm, &e) != ASMGATE_OK)
		return fail(w, n, NULL, ASMGATE_E_MALFORMED,
		    "resource '%.80s': %s: %s", r->luid, r->full_name ?
		    "FullName" : "Luid", e.msg);
	if (!(r->name = strdup(nm.name)))
		return nomem(w);
	if (nm.has_culture && !(r->culture = strdup(nm.culture)))
		return nomem(w);
	r->pub.has_identity = 1;
	r->pub.name = r->name;
	r->pub.culture = r->culture;
	r->pub.has_version = nm.has_version;
	r->pub.version = nm.version;
	r->pub.has_token = nm.has_token;
	r->pub.token_null = nm.token_null;
	memcpy(r->pub.token, nm.token, sizeof(r->pub.token));
	return ASMGATE_OK;
}

/* A cabinet name is one file name: ITEM~0.CAB, no folder. */
static int
bad_cabinet_name(const char *s)
{
	return s[0] == '\0' || strchr(s, '/') || strchr(s, '\\') ||
	    strchr(s, '!') || strcmp(s, ".") == 0 || strcmp(s, "..") == 0;
}

static asmgate_status
resource(adf_walk *w, const policy_node *n)
{
	static const char *const names[] = { "FullName", "ShortCabinetName",
	    "DestinationLocation", "TargetEnvironment" };
	char *vals[4] = { NULL, NULL, NULL, NULL };
	asmgate_app *app = w->app;
	bind_adf_res *r;
	const policy_node *c, *f;
	asmgate_status st;
	size_t i, nf = 0;

	if (app->nres >= RD_MAX_ADF_RESOURCES)
		return fail(w, n, NULL, ASMGATE_E_LIMIT, "more than %u "
		    "resources", RD_MAX_ADF_RESOURCES);
	if (app->nres == app->cap) {
		size_t nc = app->cap ? 2 * app->cap : 16;
		bind_adf_res *p = realloc(app->res, nc * sizeof(*p));

		if (!p)
			return nomem(w);
		app->res = p;
		app->cap = nc;
	}
	r = &app->res[app->nres++];
	memset(r, 0, sizeof(*r));
	r->pub.line = policy_node_line(n);
	if ((st = need(w, n, "Type", &r->type)) != ASMGATE_OK ||
	    (st = need(w, n, "Luid", &r->luid)) != ASMGATE_OK)
		return st;
	r->pub.type = r->type;
	r->pub.luid = r->luid;
	r->pub.kind = kind_of(r->type);
	for (i = 0; i + 1 < app->nres; i++)
		if (strcmp(app->res[i].luid, r->luid) == 0)
			return fail(w, n, "Luid", ASMGATE_E_MALFORMED,
			    "duplicate Luid '%.80s' (first at line %lu)",
			    r->luid, app->res[i].pub.line);
	for (c = n->children; c; c = c->next) {
		if (is_elem(c, "Properties")) {
			st = properties(w, c, names, vals, 4);
			if (st != ASMGATE_OK)
				goto out;
		} else if (is_elem(c, "Files")) {
			nf = 0;
			for (f = c->children; f; f = f->next)
				if (is_elem(f, "File"))
					nf++;
			if (nf > RD_MAX_ADF_FILES) {
				st = fail(w, c, NULL, ASMGATE_E_LIMIT,
				    "more than %u files in one resource",
				    RD_MAX_ADF_FILES);
				goto out;
			}
			if (r->files) {
				st = fail(w, c, NULL, ASMGATE_E_MALFORMED,
				    "<Files> given twice in one resource");
				goto out;
			}
			if (nf == 0)
				continue;
			r->files = calloc(nf, sizeof(*r->files));
			r->fstr = calloc(2 * nf, sizeof(*r->fstr));
			if (!r->files || !r->fstr) {
				st = nomem(w);
				goto out;
			}
			r->pub.files = r->files;
			for (f = c->children; f; f = f->next) {
				size_t k = r->pub.nfiles;

				if (!is_elem(f, "File"))
					continue;
				r->pub.nfiles++;
				st = need(w, f, "RelativePath",
				    &r->fstr[2 * k]);
				if (st == ASMGATE_OK)
					st = attr(w, f, "Key",
					    &r->fstr[2 * k + 1]);
				if (st != ASMGATE_OK)
					goto out;
				r->files[k].relative_path = r->fstr[2 * k];
				r->files[k].key = r->fstr[2 * k + 1];
			}
		}
	}
	r->pub.full_name = r->full_name = vals[0];
	r->pub.cabinet = r->cabinet = vals[1];
	r->pub.destination = r->destination = vals[2];
	r->pub.environment = r->environment = vals[3];
	memset(vals, 0, sizeof(vals));
	if (!r->cabinet || r->cabinet[0] == '\0')
		return fail(w, n, NULL, ASMGATE_E_MALFORMED,
		    "resource '%.80s' without ShortCabinetName", r->luid);
	if (bad_cabinet_name(r->cabinet))
		return fail(w, n, NULL, ASMGATE_E_MALFORMED,
		    "resource '%.80s': ShortCabinetName '%.80s' is not a "
		    "file name", r->luid, r->cabinet);
	if (r->pub.kind == ASMGATE_APP_BIZTALK_ASSEMBLY ||
	    r->pub.kind == ASMGATE_APP_ASSEMBLY)
		return identity(w, n, r);
	return ASMGATE_OK;
out:
	for (i = 0; i < 4; i++)
		free(vals[i]);
	return st;
}

static asmgate_status
walk_doc(adf_walk *w)
{
	static const char *const names[] = { "DisplayName", "Version",
	    "Guid" };
	char *vals[3] = { NULL, NULL, NULL };
	const policy_node *root = w->pd->root, *c, *e;
	asmgate_app *app = w->app;
	asmgate_status st = ASMGATE_OK;
	int seen_props = 0;

	if (!is_elem(root, "ApplicationDefinition"))
		return fail(w, root, NULL, ASMGATE_E_MALFORMED, "not an "
		    "application definition: the root element is <%.40s>",
		    root ? root->name : "?");
	if (!root->ns || strcmp(root->ns, BIND_ADF_NS) != 0)
		return fail(w, root, NULL, ASMGATE_E_MALFORMED, "not an "
		    "application definition: <ApplicationDefinition> is not "
		    "in the namespace %s", BIND_ADF_NS);
	for (c = root->children; c && st == ASMGATE_OK; c = c->next) {
		if (is_elem(c, "Properties")) {
			if (seen_props++)
				return fail(w, c, NULL, ASMGATE_E_MALFORMED,
				    "<Properties> given twice");
			st = properties(w, c, names, vals, 3);
			app->name = vals[0];
			app->version = vals[1];
			app->guid = vals[2];
		} else if (is_elem(c, "Resources")) {
			for (e = c->children; e && st == ASMGATE_OK;
			    e = e->next)
				if (is_elem(e, "Resource"))
					st = resource(w, e);
		} else if (is_elem(c, "References")) {
			for (e = c->children; e && st == ASMGATE_OK;
			    e = e->next) {
				char *name = NULL, **p;

				if (!is_elem(e, "Reference"))
					continue;
				if (app->nrefs >= RD_MAX_ADF_REFERENCES)
					return fail(w, e, NULL,
					    ASMGATE_E_LIMIT, "more than %u "
					    "references",
					    RD_MAX_ADF_REFERENCES);
				st = need(w, e, "Name", &name);
				if (st != ASMGATE_OK)
					break;
				p = realloc(app->refs, (app->nrefs + 1) *
				    sizeof(*p));
				if (!p) {
					free(name);
					return nomem(w);
				}
				app->refs = p;
				app->refs[app->nrefs++] = name;
			}
		}
	}
	if (st == ASMGATE_OK && (!app->name || app->name[0] == '\0'))
		st = fail(w, root, NULL, ASMGATE_E_MALFORMED, "application "
		    "definition without a DisplayName property");
	return st;
}

void
asmgate_app_free(asmgate_app *app)
{
	size_t i;

	if (!app)
		return;
	for (i = 0; i < app->nres; i++)
		free_resource(&app->res[i]);
	for (i = 0; i < app->nrefs; i++)
		free(app->refs[i]);
	free(app->refs);
	free(app->res);
	free(app->name);
	free(app->version);
	free(app->guid);
	free(app->path);
	free(app);
}

asmgate_status
asmgate_app_load_memory(asmgate_app **out, const void *data, size_t len,
    const char *name, asmgate_error *err)
{
	asmgate_app *app;
	policy_doc pd;
	adf_walk w;
	asmgate_status st;

	if (!out || (!data && len))
		return rd_fail_nooff(err, ASMGATE_E_USAGE,
		    "asmgate_app_load_memory: no data");
	*out = NULL;
	app = calloc(1, sizeof(*app));
	if (!app || !(app->path = strdup(name ? name : BIND_ADF_NAME))) {
		free(app);
		return rd_fail_line(err, ASMGATE_E_NOMEM, 0, "out of memory");
	}
	st = policy_xml_parse_limits(&pd, data, len, &adf_limits, 0, err);
	if (st == ASMGATE_OK) {
		w.app = app;
		w.pd = &pd;
		w.err = err;
		st = walk_doc(&w);
		policy_doc_free(&pd);
	}
	if (st != ASMGATE_OK) {
		asmgate_app_free(app);
		return st;
	}
	*out = app;
	return ASMGATE_OK;
}

asmgate_status
asmgate_app_load(asmgate_app **out, const char *path, asmgate_error *err)
{
	rd_file f;
	asmgate_status st;

	if (!out || !path)
		return rd_fail_nooff(err, ASMGATE_E_USAGE,
		    "asmgate_app_load: no path");
	*out = NULL;
	st = rd_file_open(&f, path, RD_MAX_ADF_BYTES, err);
	if (st != ASMGATE_OK)
		return st;
	st = asmgate_app_load_memory(out, f.data, f.size, path, err);
	rd_file_close(&f);
	return st;
}

const char *
asmgate_app_name(const asmgate_app *app)
{
	return app ? app->name : NULL;
}

const char *
asmgate_app_version(const asmgate_app *app)
{
	return app ? app->version : NULL;
}

const char *
asmgate_app_guid(const asmgate_app *app)
{
	return app ? app->guid : NULL;
}

size_t
asmgate_app_reference_count(const asmgate_app *app)
{
	return app ? app->nrefs : 0;
}

const char *
asmgate_app_reference(const asmgate_app *app, size_t i)
{
	return app && i < app->nrefs ? app->refs[i] : NULL;
}

size_t
asmgate_app_resource_count(const asmgate_app *app)
{
	return app ? app->nres : 0;
}

const asmgate_app_resource *
asmgate_app_resource_get(const asmgate_app *app, size_t i)
{
	return app && i < app->nres ? &app->res[i].pub : NULL;
}

static const char *
last_component(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

int
bind_adf_is_definition(const char *p)
{
	return bind_casecmp(last_component(p), BIND_ADF_NAME) == 0;
}

long
bind_adf_find_cabinet(const asmgate_app *app, const char *p)
{
	const char *b = last_component(p);
	size_t i;

	for (i = 0; app && i < app->nres; i++)
		if (bind_casecmp(app->res[i].cabinet, b) == 0)
			return (long)i;
	return -1;
}

void
bind_adf_identity(const asmgate_app_resource *r, char *buf, size_t len)
{
	char ver[32] = "", tok[17] = "null";
	size_t i;

	if (!r->has_identity) {
		snprintf(buf, len, "%s", r->luid);
		return;
	}
	if (r->has_version)
		snprintf(ver, sizeof(ver), "%u.%u.%u.%u", r->version.major,
		    r->version.minor, r->version.build, r->version.revision);
	if (r->has_token && !r->token_null)
		for (i = 0; i < 8; i++)
			snprintf(tok + 2 * i, 3, "%02x", r->token[i]);
	snprintf(buf, len, "%s, Version=%s, Culture=%s, PublicKeyToken=%s",
	    r->name, r->has_version ? ver : "?", !r->culture ? "?" :
	    r->culture[0] ? r->culture : "neutral", r->has_token ? tok : "?");
}

int
bind_adf_matches(const asmgate_app_resource *r, const char *name,
    const asmgate_version *v, const char *culture, const uint8_t *token)
{
	/* Every part must be declared: a full name that leaves one out
	 * does not vouch for the assembly (fail closed). */
	if (!r->has_identity || !r->has_version || !r->culture ||
	    !r->has_token)
		return 0;
	if (bind_casecmp(r->name, name) != 0)
		return 0;
	if (r->version.major != v->major || r->version.minor != v->minor ||
	    r->version.build != v->build ||
	    r->version.revision != v->revision)
		return 0;
	if (bind_casecmp(r->culture, culture ? culture : "") != 0)
		return 0;
	if (r->token_null)
		return token == NULL;
	return token != NULL && memcmp(r->token, token, 8) == 0;
}

void
bind_adf_init(void)
{
	policy_xml_init();
}
