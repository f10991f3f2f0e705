/*
 * app.c - BizTalk application MSIs in the scan: an installer database
 * with ApplicationDefinition.adf among its members is an application
 * exported by BizTalk (BTSTask ExportApp); each resource is packed in
 * its own cabinet (ShortCabinetName) beside the adf.
 *
 * The scan reads the adf when it opens the database (scan.c), then for
 * each assembly found inside:
 *  - names it by its resource: "app.msi!Name.dll" (the resource's
 *    RelativePath), the member chain staying in origin;
 *  - checks what the adf declares against what is inside: an assembly
 *    resource whose full name (name, version, culture, public key token)
 *    differs from the assembly in its cabinet, or an assembly that no
 *    assembly resource declares, is a denial naming both. The gate must
 *    not trust the manifest: an attacker who swaps an assembly in a
 *    package and leaves the adf as it was must not pass (issue 16).
 * A declared resource whose cabinet is not in the database is an error
 * of the database's own subject (scan.c), so the run fails closed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bind/adf.h"
#include "bind/bind.h"
#include "rd/err.h"
#include "rd/limits.h"
#include "scan.h"

long
scan_app_find_definition(const asmgate_container *c)
{
	size_t i, n = asmgate_container_count(c);
	long found = -1;

	if (asmgate_container_get_format(c) != ASMGATE_CONTAINER_MSI)
		return -1;
	for (i = 0; i < n; i++) {
		const asmgate_member_info *mi = asmgate_container_member(c, i);

		if (!mi || mi->is_directory || !mi->name ||
		    !bind_adf_is_definition(mi->name))
			continue;
		if (found >= 0)
			return -2;
		found = (long)i;
	}
	return found;
}

asmgate_status
scan_app_check_cabinets(const asmgate_app *app, const asmgate_container *c,
    asmgate_error *err)
{
	size_t i, k, n = asmgate_container_count(c), missing = 0;
	size_t nres = asmgate_app_resource_count(app);
	const asmgate_app_resource *first = NULL;

	for (k = 0; k < nres; k++) {
		const asmgate_app_resource *r =
		    asmgate_app_resource_get(app, k);
		int found = 0;

		for (i = 0; i < n && !found; i++) {
			const asmgate_member_info *mi =
			    asmgate_container_member(c, i);

			if (mi && mi->name && !mi->is_directory &&
			    bind_adf_find_cabinet(app, mi->name) >= 0) {
				const char *b = strrchr(mi->name, '/');

				b = b ? b + 1 : mi->name;
				found = bind_casecmp(b, r->cabinet) == 0;
			}
		}
		if (!found && missing++ == 0)
			first = r;
	}
	if (!missing)
		return ASMGATE_OK;
	return rd_fail_line(err, ASMGATE_E_MALFORMED, first->line,
	    "application '%.60s': %s resource '%.80s' is declared (adf line "
	    "%lu) but its cabinet %.40s is not in the package%s",
	    asmgate_app_name(app), asmgate_app_kind_name(first->kind),
	    first->luid, first->line, first->cabinet, missing > 1 ?
	    " (and more)" : "");
}

/* The last component of a relative path ('\' or '/' separated). */
static const char *
base_name(const char *p)
{
	const char *s = p, *q;

	for (q = p; *q; q++)
		if (*q == '\\' || *q == '/')
			s = q + 1;
	return s;
}

/* The image's identity as a display name. */
static void
image_identity(const asmgate_image_info *ii, const uint8_t *token,
    char *buf, size_t len)
{
	char tok[17] = "null";
	size_t i;

	if (token)
		for (i = 0; i < 8; i++)
			snprintf(tok + 2 * i, 3, "%02x", token[i]);
	snprintf(buf, len, "%.100s, Version=%u.%u.%u.%u, Culture=%.40s, "
	    "PublicKeyToken=%s", ii->assembly.name ? ii->assembly.name : "",
	    ii->assembly.version.major, ii->assembly.version.minor,
	    ii->assembly.version.build, ii->assembly.version.revision,
	    ii->assembly.culture && ii->assembly.culture[0] ?
	    ii->assembly.culture : "neutral", tok);
}

/* Put the denial first in each decision: denied outside audit mode (a
 * package that lies is no policy matter), the policy's own reasons
 * kept after it while they fit. */
static void
deny_all(asmgate_subject *subj, const char *why)
{
	size_t h;

	for (h = 0; h < subj->ndecisions && subj->decisions; h++) {
		asmgate_decision *d = &subj->decisions[h];
		unsigned k = d->nreasons < ASMGATE_MAX_REASONS ? d->nreasons :
		    ASMGATE_MAX_REASONS - 1;

		memmove(d->reasons[1], d->reasons[0],
		    (size_t)k * sizeof(d->reasons[0]));
		snprintf(d->reasons[0], sizeof(d->reasons[0]), "%s", why);
		d->nreasons = k + 1;
		d->allowed = 0;
		d->audit = 0;
		d->rule = "application";
		d->rule_is_deny = 1;
	}
}

/* Copy s into the block at *p (NULL stays NULL). */
static const char *
put(char **p, const char *s)
{
	char *d = *p;
	size_t n;

	if (!s)
		return NULL;
	n = strlen(s) + 1;
	memcpy(d, s, n);
	*p += n;
	return d;
}

void
scan_app_subject(const asmgate_app *app, asmgate_subject *subj,
    size_t app_depth, const char *item, int direct)
{
	const asmgate_image_info *ii = subj->img ?
	    asmgate_image_get_info(subj->img) : NULL;
	const asmgate_app_resource *r = NULL;
	char have[320], decl[320], why[1024];
	const char *shown = NULL;
	uint8_t tok[8];
	const uint8_t *token = NULL;
	asmgate_error e;
	size_t total, i, prefix;
	long ri = direct ? -1 : bind_adf_find_cabinet(app, item);
	char *p;

	if (!ii)
		return;
	asmgate_error_clear(&e);
	if (ii->assembly.public_key && ii->assembly.public_key_len &&
	    asmgate_key_token(ii->assembly.public_key,
	    ii->assembly.public_key_len, tok, &e) == ASMGATE_OK)
		token = tok;
	image_identity(ii, token, have, sizeof(have));
	why[0] = '\0';
	if (ri >= 0)
		r = asmgate_app_resource_get(app, (size_t)ri);
	if (!r || (r->kind != ASMGATE_APP_BIZTALK_ASSEMBLY &&
	    r->kind != ASMGATE_APP_ASSEMBLY)) {
		snprintf(why, sizeof(why), "assembly '%s' is in the package "
		    "but no assembly resource of the adf declares it (%s "
		    "%.40s)", have,
		    r ? asmgate_app_kind_name(r->kind) : "member",
		    r ? r->cabinet : base_name(item));
	} else if (!bind_adf_matches(r, ii->assembly.name ?
	    ii->assembly.name : "", &ii->assembly.version,
	    ii->assembly.culture, token)) {
		bind_adf_identity(r, decl, sizeof(decl));
		snprintf(why, sizeof(why), "the adf declares '%s' (line %lu), "
		    "cabinet %.40s holds '%s'", decl, r->line, r->cabinet,
		    have);
	}
	if (r && r->nfiles && r->files[0].relative_path &&
	    (r->kind == ASMGATE_APP_BIZTALK_ASSEMBLY ||
	    r->kind == ASMGATE_APP_ASSEMBLY))
		shown = base_name(r->files[0].relative_path);
	if (shown && !shown[0])
		shown = NULL;

	/* One block: the resource and its strings, and the new name. */
	prefix = strlen(subj->origin.file);
	for (i = 0; i < app_depth && i < subj->origin.nmembers; i++)
		prefix += 1 + strlen(subj->origin.members[i]);
	total = sizeof(asmgate_subject_resource) + strlen(asmgate_app_name(
	    app)) + 1 + strlen(why) + 1 + (shown ? prefix + strlen(shown) + 2 :
	    0);
	if (r)
		total += strlen(r->type) + 1 + strlen(r->luid) + 1 +
		    (r->destination ? strlen(r->destination) + 1 : 0) +
		    (r->full_name ? strlen(r->full_name) + 1 : 0);
	subj->res = calloc(1, total);
	if (!subj->res) {
		/* Fail closed: the subject becomes an error. */
		subj->kind = ASMGATE_SUBJECT_ERROR;
		subj->has_err = 1;
		(void)rd_fail_nooff(&subj->err, ASMGATE_E_NOMEM,
		    "out of memory");
		return;
	}
	p = (char *)(subj->res + 1);
	subj->res->application = put(&p, asmgate_app_name(app));
	subj->res->denial = why[0] ? put(&p, why) : NULL;
	if (r) {
		subj->res->type = put(&p, r->type);
		subj->res->luid = put(&p, r->luid);
		subj->res->destination = put(&p, r->destination);
		subj->res->declared = put(&p, r->full_name);
		subj->res->line = r->line;
	}
	if (shown) {
		/* app.msi!Name.dll: the chain down to the database. */
		char *name = p;

		memcpy(p, subj->origin.file, strlen(subj->origin.file));
		p += strlen(subj->origin.file);
		for (i = 0; i < app_depth && i < subj->origin.nmembers; i++) {
			*p++ = '!';
			memcpy(p, subj->origin.members[i],
			    strlen(subj->origin.members[i]));
			p += strlen(subj->origin.members[i]);
		}
		*p++ = '!';
		memcpy(p, shown, strlen(shown) + 1);
		subj->name = name;
	}
}

void
scan_app_deny(asmgate_subject *subj)
{
	/* The detail is the resource's; each host says what kind. */
	if (subj->res && subj->res->denial)
		deny_all(subj, subj->res->declared || subj->res->luid ?
		    "application package: the adf declares another identity "
		    "for this assembly" : "application package: the adf does "
		    "not declare this assembly");
}

/* The assembly resource packed in cabinet item (a member of the
 * database), or NULL. */
static const asmgate_app_resource *
assembly_resource(const asmgate_app *app, const char *item)
{
	long ri = bind_adf_find_cabinet(app, item);
	const asmgate_app_resource *r;

	if (ri < 0)
		return NULL;
	r = asmgate_app_resource_get(app, (size_t)ri);
	return r->kind == ASMGATE_APP_BIZTALK_ASSEMBLY ||
	    r->kind == ASMGATE_APP_ASSEMBLY ? r : NULL;
}

/* 1 when member name (its last component) is a file r declares. */
static int
declares_file(const asmgate_app_resource *r, const char *name)
{
	const char *b = strrchr(name, '/');
	size_t k;

	b = b ? b + 1 : name;
	for (k = 0; k < r->nfiles; k++)
		if (bind_casecmp(base_name(r->files[k].relative_path), b) == 0)
			return 1;
	return 0;
}

asmgate_status
scan_app_check_item(const asmgate_app *app, const char *item,
    const asmgate_container *c, asmgate_error *err)
{
	const asmgate_app_resource *r = assembly_resource(app, item);
	size_t i, k, n = asmgate_container_count(c);

	if (!r)
		return ASMGATE_OK;
	for (k = 0; k < r->nfiles; k++) {
		const char *want = base_name(r->files[k].relative_path);
		int found = 0;

		for (i = 0; i < n && !found; i++) {
			const asmgate_member_info *mi =
			    asmgate_container_member(c, i);
			const char *b;

			if (!mi || !mi->name || mi->is_directory)
				continue;
			b = strrchr(mi->name, '/');
			b = b ? b + 1 : mi->name;
			found = bind_casecmp(b, want) == 0;
		}
		if (!found)
			return rd_fail_line(err, ASMGATE_E_MALFORMED, r->line,
			    "application '%.60s': resource '%.80s' declares "
			    "%.80s (adf line %lu), cabinet %.40s does not "
			    "hold it", asmgate_app_name(app), r->luid, want,
			    r->line, r->cabinet);
	}
	return ASMGATE_OK;
}

int
scan_app_declared_file(const asmgate_app *app, const char *item,
    const char *name)
{
	const asmgate_app_resource *r = assembly_resource(app, item);

	return r && declares_file(r, name);
}

const asmgate_subject_resource *
asmgate_subject_get_resource(const asmgate_subject *s)
{
	return s ? s->res : NULL;
}

asmgate_status
asmgate_app_open_package(asmgate_app **out, const char *path,
    asmgate_error *err)
{
	asmgate_container *c = NULL;
	asmgate_error e;
	asmgate_status st;
	uint8_t *buf = NULL;
	size_t len = 0;
	long i;

	if (!out || !path)
		return rd_fail_nooff(err, ASMGATE_E_USAGE,
		    "asmgate_app_open_package: no path");
	*out = NULL;
	asmgate_error_clear(&e);
	/* Not a container, or not one that opens: no application here
	 * (a scan of the path says why). */
	if (asmgate_container_open(&c, path, &e) != ASMGATE_OK)
		return ASMGATE_OK;
	i = scan_app_find_definition(c);
	if (i == -1) {
		asmgate_container_free(c);
		return ASMGATE_OK;
	}
	if (i < 0)
		st = rd_fail_nooff(err, ASMGATE_E_MALFORMED, "more than one "
		    "%s in the package", BIND_ADF_NAME);
	else
		st = asmgate_container_read(c, (size_t)i, RD_MAX_ADF_BYTES,
		    &buf, &len, err);
	if (st == ASMGATE_OK)
		st = asmgate_app_load_memory(out, buf, len, BIND_ADF_NAME,
		    err);
	free(buf);
	asmgate_container_free(c);
	return st;
}

/* The names of the environments the binding resources target, into buf
 * ("Test, Production"; "(default)" for one without a TargetEnvironment). */
static void
environments(const asmgate_app *app, char *buf, size_t len)
{
	size_t i, n = asmgate_app_resource_count(app), o = 0;

	buf[0] = '\0';
	for (i = 0; i < n && o < len; i++) {
		const asmgate_app_resource *r =
		    asmgate_app_resource_get(app, i);
		int w;

		if (r->kind != ASMGATE_APP_BINDING)
			continue;
		w = snprintf(buf + o, len - o, "%s%.60s", o ? ", " : "",
		    r->environment && r->environment[0] ? r->environment :
		    "(default)");
		if (w < 0)
			break;
		o += (size_t)w;
	}
}

/* The one binding resource for environment env (NULL: the default,
 * without TargetEnvironment) in *out; *out NULL and ASMGATE_OK when the
 * application has no binding resource at all. */
static asmgate_status
pick_binding(const asmgate_app *app, const char *env,
    const asmgate_app_resource **out, asmgate_error *err)
{
	size_t i, n = asmgate_app_resource_count(app);
	const asmgate_app_resource *found = NULL;
	char envs[512];
	int any = 0;

	*out = NULL;
	for (i = 0; i < n; i++) {
		const asmgate_app_resource *r =
		    asmgate_app_resource_get(app, i);
		const char *e = r->environment ? r->environment : "";

		if (r->kind != ASMGATE_APP_BINDING)
			continue;
		any = 1;
		if (env ? bind_casecmp(e, env) != 0 : e[0] != '\0')
			continue;
		if (found)
			return rd_fail_line(err, ASMGATE_E_MALFORMED, r->line,
			    "two binding resources for the %s%.60s%s "
			    "(adf lines %lu and %lu)", env ?
			    "environment '" : "default environment", env ?
			    env : "", env ? "'" : "", found->line, r->line);
		found = r;
	}
	*out = found;
	/* No default binding: none applies (every host decides). */
	if (found || !any || !env)
		return ASMGATE_OK;
	environments(app, envs, sizeof(envs));
	return rd_fail_nooff(err, ASMGATE_E_USAGE, "no binding for the "
	    "environment '%.60s'; the package has: %s", env, envs);
}

asmgate_status
asmgate_app_package_bindings(asmgate_bindings **out, const char *path,
    const char *environment, asmgate_error *err)
{
	asmgate_container *c = NULL, *item = NULL;
	asmgate_app *app = NULL;
	const asmgate_app_resource *r;
	uint8_t *cab = NULL, *xml = NULL;
	size_t i, n, cablen = 0, xmllen = 0;
	char name[1024];
	asmgate_status st;
	long ci = -1;

	if (!out || !path)
		return rd_fail_nooff(err, ASMGATE_E_USAGE,
		    "asmgate_app_package_bindings: no path");
	*out = NULL;
	st = asmgate_app_open_package(&app, path, err);
	if (st != ASMGATE_OK || !app)
		return st;
	st = pick_binding(app, environment, &r, err);
	if (st != ASMGATE_OK || !r) {
		asmgate_app_free(app);
		return st;
	}
	/* The resource's cabinet among the database's members. */
	st = asmgate_container_open(&c, path, err);
	n = st == ASMGATE_OK ? asmgate_container_count(c) : 0;
	for (i = 0; i < n && ci < 0; i++) {
		const asmgate_member_info *mi = asmgate_container_member(c, i);
		const char *b;

		if (!mi || !mi->name || mi->is_directory)
			continue;
		b = strrchr(mi->name, '/');
		b = b ? b + 1 : mi->name;
		if (bind_casecmp(b, r->cabinet) == 0)
			ci = (long)i;
	}
	if (st == ASMGATE_OK && ci < 0)
		st = rd_fail_line(err, ASMGATE_E_MALFORMED, r->line, "binding "
		    "resource '%.80s': cabinet %.40s is not in the package",
		    r->luid, r->cabinet);
	if (st == ASMGATE_OK)
		st = asmgate_container_read(c, (size_t)ci, RD_MAX_MEMBER_BYTES,
		    &cab, &cablen, err);
	if (st == ASMGATE_OK)
		st = asmgate_container_open_memory(&item, cab, cablen, err);
	/* The binding file: the cabinet's one member (BizTalkBinding/
	 * Application-<App>/BindingInfo.xml in exports). */
	if (st == ASMGATE_OK && asmgate_container_count(item) != 1)
		st = rd_fail_line(err, ASMGATE_E_MALFORMED, r->line, "binding "
		    "resource '%.80s': cabinet %.40s holds %zu files, not one "
		    "binding file", r->luid, r->cabinet,
		    asmgate_container_count(item));
	if (st == ASMGATE_OK)
		st = asmgate_container_read(item, 0, RD_MAX_BINDING_BYTES,
		    &xml, &xmllen, err);
	if (st == ASMGATE_OK) {
		/* Short, as the assemblies: app.msi!ITEM~3.CAB!<file>. */
		snprintf(name, sizeof(name), "%s!%s!%s", path, r->cabinet,
		    asmgate_container_member(item, 0)->name);
		st = asmgate_bindings_load_memory(out, xml, xmllen, name, err);
		if (st != ASMGATE_OK)
			rd_err_prefix(err, name);
	}
	free(xml);
	asmgate_container_free(item);
	free(cab);
	asmgate_container_free(c);
	asmgate_app_free(app);
	return st;
}
