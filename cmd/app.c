/*
 * app.c - BizTalk application MSIs in the commands: the resource of an
 * assembly found inside one (verify, text and JSON), and the
 * application itself (inspect).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "rd/limits.h"
#include "report.h"

void
cmd_print_resource_text(const asmgate_subject_resource *res, FILE *out)
{
	if (!res || !res->denial)
		return;
	fputs("  application ", out);
	cmd_put_text(out, res->application);
	fputs(": denied: ", out);
	cmd_put_text(out, res->denial);
	fputc('\n', out);
}

void
cmd_print_resource_json(const asmgate_subject_resource *res, rd_json *j)
{
	if (!res)
		return;
	rd_json_key(j, "resource");
	rd_json_obj(j);
	rd_json_kstr(j, "application", res->application);
	rd_json_kstr(j, "type", res->type);
	rd_json_kstr(j, "luid", res->luid);
	rd_json_kstr(j, "destination", res->destination);
	rd_json_kstr(j, "declared", res->declared);
	rd_json_kstr(j, "denial", res->denial);
	rd_json_obj_end(j);
}

/* The distinct TargetEnvironment values of the binding resources, in
 * adf order; "" stands for a binding without one (the default). */
static int
env_seen(const asmgate_app *app, size_t upto, const char *env)
{
	size_t i;

	for (i = 0; i < upto; i++) {
		const asmgate_app_resource *r =
		    asmgate_app_resource_get(app, i);
		const char *e = r->environment ? r->environment : "";

		if (r->kind == ASMGATE_APP_BINDING && strcmp(e, env) == 0)
			return 1;
	}
	return 0;
}

void
cmd_app_text(FILE *out, const char *path, const asmgate_app *app)
{
	size_t i, n = asmgate_app_resource_count(app);
	int first = 1;

	cmd_put_text(out, path);
	fputc('\n', out);
	fputs("  application ", out);
	cmd_put_text(out, asmgate_app_name(app));
	if (asmgate_app_version(app)) {
		fputs(" ", out);
		cmd_put_text(out, asmgate_app_version(app));
	}
	fputc('\n', out);
	for (i = 0; i < asmgate_app_reference_count(app); i++) {
		fputs(i == 0 ? "  references  " : "              ", out);
		cmd_put_text(out, asmgate_app_reference(app, i));
		fputc('\n', out);
	}
	for (i = 0; i < n; i++) {
		const asmgate_app_resource *r =
		    asmgate_app_resource_get(app, i);

		fputs(i == 0 ? "  resources   " : "              ", out);
		cmd_put_text(out, r->type);
		fputs(" ", out);
		cmd_put_text(out, r->luid);
		fputs(" (", out);
		cmd_put_text(out, r->cabinet);
		if (r->destination) {
			fputs(", to ", out);
			cmd_put_text(out, r->destination);
		}
		fputs(")\n", out);
	}
	for (i = 0; i < n; i++) {
		const asmgate_app_resource *r =
		    asmgate_app_resource_get(app, i);
		const char *e = r->environment ? r->environment : "";

		if (r->kind != ASMGATE_APP_BINDING || env_seen(app, i, e))
			continue;
		fputs(first ? "  environments " : ", ", out);
		cmd_put_text(out, e[0] ? e : "(default)");
		first = 0;
	}
	if (!first)
		fputc('\n', out);
}

void
cmd_app_json(rd_json *j, const char *path, const asmgate_app *app)
{
	size_t i, n = asmgate_app_resource_count(app);

	rd_json_obj(j);
	rd_json_kstr(j, "path", path);
	rd_json_kstr(j, "name", asmgate_app_name(app));
	rd_json_kstr(j, "version", asmgate_app_version(app));
	rd_json_kstr(j, "guid", asmgate_app_guid(app));
	rd_json_key(j, "references");
	rd_json_arr(j);
	for (i = 0; i < asmgate_app_reference_count(app); i++)
		rd_json_str(j, asmgate_app_reference(app, i));
	rd_json_arr_end(j);
	rd_json_key(j, "resources");
	rd_json_arr(j);
	for (i = 0; i < n; i++) {
		const asmgate_app_resource *r =
		    asmgate_app_resource_get(app, i);

		rd_json_obj(j);
		rd_json_kstr(j, "type", r->type);
		rd_json_kstr(j, "luid", r->luid);
		rd_json_kstr(j, "fullName", r->full_name);
		rd_json_kstr(j, "cabinet", r->cabinet);
		rd_json_kstr(j, "destination", r->destination);
		rd_json_kstr(j, "environment", r->environment);
		rd_json_kuint(j, "line", r->line);
		rd_json_obj_end(j);
	}
	rd_json_arr_end(j);
	rd_json_key(j, "environments");
	rd_json_arr(j);
	for (i = 0; i < n; i++) {
		const asmgate_app_resource *r =
		    asmgate_app_resource_get(app, i);
		const char *e = r->environment ? r->environment : "";

		if (r->kind == ASMGATE_APP_BINDING && !env_seen(app, i, e))
			rd_json_str(j, e);
	}
	rd_json_arr_end(j);
	rd_json_obj_end(j);
}

int
cmd_app_bindings(const char *const *paths, size_t npaths,
    const char *const *listed, size_t nlisted, const char *env,
    const asmgate_policy *pol, const char *policy_path,
    asmgate_bindings **b, size_t *n)
{
	size_t i;
	int found = 0;

	for (i = 0; i < npaths + nlisted; i++) {
		const char *path = i < npaths ? paths[i] : listed[i - npaths];
		asmgate_bindings *one = NULL;
		asmgate_error err;

		asmgate_error_clear(&err);
		if (asmgate_app_package_bindings(&one, path, env, &err) !=
		    ASMGATE_OK) {
			/* Its adf is bad: the scan says so (exit 2). */
			if (err.code == ASMGATE_E_USAGE) {
				cmd_print_error(path, &err);
				return 0;
			}
			continue;
		}
		if (!one)
			continue;
		if (*n >= RD_MAX_BINDING_FILES) {
			asmgate_bindings_free(one);
			cmd_print_path_error(path, "more than %u binding "
			    "files", RD_MAX_BINDING_FILES);
			return 0;
		}
		b[(*n)++] = one;
		found = 1;
		asmgate_error_clear(&err);
		if (asmgate_bindings_check_hosts(one, pol, &err) !=
		    ASMGATE_OK) {
			cmd_put_text(stderr, path);
			fprintf(stderr, ": binding line %lu: ", err.line);
			cmd_put_text(stderr, err.msg);
			fputs(" ", stderr);
			cmd_put_text(stderr, policy_path);
			fputs(": cannot decide what runs in it\n", stderr);
			return 0;
		}
	}
	if (env && !found) {
		fputs("asmgate verify: --environment ", stderr);
		cmd_put_text(stderr, env);
		fputs(": no application MSI among the paths carries "
		    "bindings\n", stderr);
		return 0;
	}
	return 1;
}

int
cmd_app_binding(const char *path, const char *env, asmgate_bindings **out)
{
	asmgate_app *app = NULL;
	asmgate_error err;
	char envs[512];
	size_t i, o = 0;

	*out = NULL;
	asmgate_error_clear(&err);
	if (asmgate_app_open_package(&app, path, &err) != ASMGATE_OK) {
		cmd_print_error(path, &err);
		return -1;
	}
	if (!app)
		return 0;
	envs[0] = '\0';
	for (i = 0; i < asmgate_app_resource_count(app) && o < sizeof(envs);
	    i++) {
		const asmgate_app_resource *r =
		    asmgate_app_resource_get(app, i);
		int w;

		if (r->kind != ASMGATE_APP_BINDING)
			continue;
		w = snprintf(envs + o, sizeof(envs) - o, "%s%.60s",
		    o ? ", " : "", r->environment ? r->environment :
		    "(default)");
		if (w < 0)
			break;
		o += (size_t)w;
	}
	asmgate_app_free(app);
	asmgate_error_clear(&err);
	if (asmgate_app_package_bindings(out, path, env, &err) !=
	    ASMGATE_OK) {
		cmd_print_error(path, &err);
		return -1;
	}
	if (!*out) {
		cmd_print_path_error(path, "%s; the package has: %s", envs[0] ?
		    "no default binding (without TargetEnvironment): name one "
		    "with --environment" : "no binding resource", envs[0] ?
		    envs : "none");
		return -1;
	}
	return 1;
}
