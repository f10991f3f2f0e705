/*
 * layout.c - the host layout of a set of binding files: asmgate
 * bindings show (per host, its roles and the assemblies placed in it)
 * and asmgate bindings lint (host separation).
 *
 * The recommendations behind the findings (biztalk/core/hosts.md,
 * how-to-modify-host-properties.md, access-control-for-groups-and-
 * service-accounts.md, authentication-of-messages-between-processes.md):
 * receiving, sending, processing and tracking in hosts of their own; an
 * isolated host cannot run orchestrations; trusted and non-trusted hosts
 * must not share a service account; a tracking host's rights reach
 * every object running in it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bind.h"
#include "policy/policy.h"
#include "rd/buf.h"
#include "rd/err.h"
#include "rd/json.h"
#include "rd/limits.h"

/* One host over all files: the first file's record and where each role
 * and trust value was first seen. */
typedef struct merged {
	const char *name;
	unsigned roles;
	const char *role_file[3];
	unsigned long role_line[3];
	const char *file;            /* first naming */
	unsigned long line;
	int trusted;
	const char *trusted_file;
	unsigned long trusted_line;
	int conflict;
	const char *conflict_file;
	unsigned long conflict_line;
	int isolated_orch;
	const char *isolated_file;
	unsigned long isolated_line;
} merged;

static asmgate_status
merge(const asmgate_bindings *const *b, size_t nb, merged **out, size_t *n,
    asmgate_error *err)
{
	merged *m;
	size_t total = 0, i, j, k, r;

	*out = NULL;
	*n = 0;
	for (i = 0; i < nb; i++)
		total += b[i]->nhosts;
	m = calloc(total ? total : 1, sizeof(*m));
	if (!m)
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
	for (i = 0; i < nb; i++)
		for (j = 0; j < b[i]->nhosts; j++) {
			const bind_host *h = &b[i]->hosts[j];
			merged *x = NULL;
			for (k = 0; k < *n; k++)
				if (bind_casecmp(m[k].name, h->name) == 0)
					x = &m[k];
			if (!x) {
				x = &m[(*n)++];
				x->name = h->name;
				x->file = b[i]->path;
				x->line = h->line;
				x->trusted = -1;
			}
			for (r = 0; r < 3; r++)
				if ((h->roles & (1u << r)) &&
				    !(x->roles & (1u << r))) {
					x->roles |= 1u << r;
					x->role_file[r] = b[i]->path;
					x->role_line[r] = h->role_line[r];
				}
			if (h->trust_conflict && !x->conflict) {
				x->conflict = 1;
				x->conflict_file = b[i]->path;
				x->conflict_line = h->conflict_line;
			}
			if (h->trusted >= 0) {
				if (x->trusted < 0) {
					x->trusted = h->trusted;
					x->trusted_file = b[i]->path;
					x->trusted_line = h->trusted_line;
				} else if (x->trusted != h->trusted &&
				    !x->conflict) {
					x->conflict = 1;
					x->conflict_file = b[i]->path;
					x->conflict_line = h->trusted_line;
				}
			}
			if (h->isolated_orch && !x->isolated_orch) {
				x->isolated_orch = 1;
				x->isolated_file = b[i]->path;
				x->isolated_line = h->isolated_line;
			}
		}
	*out = m;
	return ASMGATE_OK;
}

typedef struct findings {
	asmgate_bindings_finding *v;
	size_t n, cap;
	const asmgate_bindings *const *b;
	size_t nb;
	int nomem;
} findings;

static void add(findings *f, const char *code, const char *file,
    unsigned long line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void
add(findings *f, const char *code, const char *file, unsigned long line,
    const char *fmt, ...)
{
	asmgate_bindings_finding *x;
	va_list ap;

	if (f->n >= RD_MAX_BINDING_FINDINGS)
		return;
	if (f->n == f->cap) {
		size_t nc = f->cap ? 2 * f->cap : 16;
		x = realloc(f->v, nc * sizeof(*x));
		if (!x) {
			f->nomem = 1;
			return;
		}
		f->v = x;
		f->cap = nc;
	}
	x = &f->v[f->n++];
	x->code = code;
	x->file = file;
	x->line = line;
	va_start(ap, fmt);
	vsnprintf(x->msg, sizeof(x->msg), fmt, ap);
	va_end(ap);
}

static size_t
file_index(const findings *f, const char *file)
{
	size_t i;

	for (i = 0; i < f->nb; i++)
		if (f->b[i]->path == file)
			return i;
	return f->nb;
}

static void
shown(char *dst, size_t n, const char *s)
{
	rd_printable(dst, n, s, strlen(s));
}

asmgate_status
asmgate_bindings_lint(const asmgate_bindings *const *b, size_t nb,
    const asmgate_policy *pol, asmgate_bindings_finding **out, size_t *n,
    asmgate_error *err)
{
	merged *m = NULL;
	size_t nm = 0, i, j;
	findings f;
	char hn[96], on[96], acc[128];
	asmgate_status st;

	*out = NULL;
	*n = 0;
	memset(&f, 0, sizeof(f));
	f.b = b;
	f.nb = nb;
	st = merge(b, nb, &m, &nm, err);
	if (st != ASMGATE_OK)
		return st;
	for (i = 0; i < nm; i++) {
		const merged *h = &m[i];
		long ph = pol ? asmgate_policy_find_host(pol, h->name) : -1;

		shown(hn, sizeof(hn), h->name);
		if ((h->roles & BIND_HOST_ORCH) &&
		    (h->roles & BIND_HOST_RECEIVE))
			add(&f, "orchestration-and-receive", h->role_file[1],
			    h->role_line[1], "host '%s' runs orchestrations "
			    "(%s:%lu) and a receive handler: an orchestration "
			    "could read messages suspended after an "
			    "authorization failure; receive in a host of its "
			    "own", hn, h->role_file[0], h->role_line[0]);
		if (pol && ph < 0)
			add(&f, "host-not-in-policy", h->file, h->line,
			    "host '%s' is not a host of the policy: nothing "
			    "decides what it may run", hn);
		if (h->isolated_orch)
			add(&f, "isolated-host-orchestration", h->isolated_file,
			    h->isolated_line, "host '%s' is isolated (Type 2) "
			    "but an orchestration is bound to it: isolated "
			    "hosts cannot run orchestrations", hn);
		if (h->conflict)
			add(&f, "inconsistent-trust", h->conflict_file,
			    h->conflict_line, "host '%s' is named %s here "
			    "but %s at %s:%lu", hn, h->trusted ? "not trusted" :
			    "trusted", h->trusted ? "trusted" : "not trusted",
			    h->trusted_file, h->trusted_line);
		if (ph >= 0 && asmgate_policy_host_tracking(pol, (size_t)ph) &&
		    h->roles) {
			char what[64];
			snprintf(what, sizeof(what), "%s%s%s%s%s",
			    (h->roles & BIND_HOST_RECEIVE) ? "receives" : "",
			    (h->roles & BIND_HOST_RECEIVE) &&
			    (h->roles & ~BIND_HOST_RECEIVE) ? ", " : "",
			    (h->roles & BIND_HOST_SEND) ? "sends" : "",
			    (h->roles & BIND_HOST_SEND) &&
			    (h->roles & BIND_HOST_ORCH) ? ", " : "",
			    (h->roles & BIND_HOST_ORCH) ?
			    "runs orchestrations" : "");
			add(&f, "tracking-host-not-dedicated", h->file, h->line,
			    "host '%s' tracks (policy) but also %s: a "
			    "tracking host's rights reach everything running "
			    "in it; track in a dedicated host", hn, what);
		}
		if (ph < 0)
			continue;
		for (j = 0; j < i; j++) {
			long po = asmgate_policy_find_host(pol, m[j].name);
			const char *a = asmgate_policy_host_account(pol,
			    (size_t)ph);
			const char *o = po >= 0 ?
			    asmgate_policy_host_account(pol, (size_t)po) : NULL;
			if (a && o && policy_ascii_casecmp(a, o) == 0) {
				shown(on, sizeof(on), m[j].name);
				shown(acc, sizeof(acc), a);
				add(&f, "shared-account", h->file, h->line,
				    "hosts '%s' and '%s' (%s:%lu) run under "
				    "one service account '%s' (policy): one "
				    "account per host", hn, on, m[j].file,
				    m[j].line, acc);
				break;
			}
		}
	}
	free(m);
	if (f.nomem) {
		free(f.v);
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
	}
	/* File order, then line (stable insertion sort). */
	for (i = 1; i < f.n; i++) {
		asmgate_bindings_finding x = f.v[i];
		size_t xf = file_index(&f, x.file);
		for (j = i; j > 0; j--) {
			size_t pf = file_index(&f, f.v[j - 1].file);
			if (pf < xf || (pf == xf && f.v[j - 1].line <= x.line))
				break;
			f.v[j] = f.v[j - 1];
		}
		f.v[j] = x;
	}
	*out = f.v;
	*n = f.n;
	return ASMGATE_OK;
}

/* show ----------------------------------------------------------------- */

/* Untrusted text on one line: control characters become '?'. */
static void
put_line_text(rd_buf *b, const char *s)
{
	for (; *s; s++)
		rd_buf_putc(b, (unsigned char)*s < 0x20 || *s == 0x7F ? '?' :
		    (uint8_t)*s);
}

static void
roles_text(rd_buf *b, unsigned roles)
{
	const char *sep = "";

	if (roles & BIND_HOST_ORCH) {
		rd_buf_puts(b, "orchestrations");
		sep = ", ";
	}
	if (roles & BIND_HOST_RECEIVE) {
		rd_buf_printf(b, "%sreceive handler", sep);
		sep = ", ";
	}
	if (roles & BIND_HOST_SEND)
		rd_buf_printf(b, "%ssend handler", sep);
}

static void
id_text(rd_buf *b, const asmgate_bound *id)
{
	rd_buf_printf(b, "    %-16s ", asmgate_role_name(id->role));
	put_line_text(b, id->display);
	rd_buf_puts(b, "\n      by ");
	put_line_text(b, id->element);
	rd_buf_puts(b, " (");
	put_line_text(b, id->file);
	rd_buf_printf(b, ":%lu)\n", id->line);
}

static void
id_json(rd_json *j, const asmgate_bound *id)
{
	char loc[64];

	rd_json_obj(j);
	rd_json_kstr(j, "name", id->display);
	rd_json_kstr(j, "role", asmgate_role_name(id->role));
	rd_json_kstr(j, "element", id->element);
	rd_json_key(j, "binding");
	/* FILE:LINE, the file as given. */
	{
		rd_buf t;
		rd_buf_init(&t, RD_MAX_POLICY_PATH + 32);
		rd_buf_puts(&t, id->file);
		snprintf(loc, sizeof(loc), ":%lu", id->line);
		rd_buf_puts(&t, loc);
		rd_json_str(j, rd_buf_cstr(&t));
		rd_buf_free(&t);
	}
	rd_json_obj_end(j);
}

asmgate_status
asmgate_bindings_show(const asmgate_bindings *const *b, size_t nb,
    asmgate_report_format fmt, uint8_t **out, size_t *len,
    asmgate_error *err)
{
	merged *m = NULL;
	size_t nm = 0, i, f, k, nowhere = 0;
	rd_buf buf;
	rd_json j;
	asmgate_status st;

	*out = NULL;
	*len = 0;
	if (fmt != ASMGATE_REPORT_TEXT && fmt != ASMGATE_REPORT_JSON)
		return rd_fail_nooff(err, ASMGATE_E_USAGE,
		    "bindings show: text or json");
	st = merge(b, nb, &m, &nm, err);
	if (st != ASMGATE_OK)
		return st;
	rd_buf_init(&buf, RD_MAX_REPORT_BYTES);
	if (fmt == ASMGATE_REPORT_JSON) {
		rd_json_init(&j, &buf, 1);
		rd_json_obj(&j);
		rd_json_key(&j, "bindings");
		rd_json_arr(&j);
		for (f = 0; f < nb; f++)
			rd_json_str(&j, b[f]->path);
		rd_json_arr_end(&j);
		rd_json_key(&j, "hosts");
		rd_json_arr(&j);
	} else {
		for (f = 0; f < nb; f++) {
			rd_buf_puts(&buf, "bindings: ");
			put_line_text(&buf, b[f]->path);
			rd_buf_printf(&buf, " (%zu assembly names)\n",
			    b[f]->nids);
		}
		rd_buf_printf(&buf, "\nhosts (%zu):\n", nm);
	}
	for (i = 0; i < nm; i++) {
		const merged *h = &m[i];

		if (fmt == ASMGATE_REPORT_JSON) {
			rd_json_obj(&j);
			rd_json_kstr(&j, "name", h->name);
			rd_json_key(&j, "roles");
			rd_json_arr(&j);
			if (h->roles & BIND_HOST_ORCH)
				rd_json_str(&j, "orchestrations");
			if (h->roles & BIND_HOST_RECEIVE)
				rd_json_str(&j, "receive-handler");
			if (h->roles & BIND_HOST_SEND)
				rd_json_str(&j, "send-handler");
			rd_json_arr_end(&j);
			rd_json_key(&j, "trusted");
			if (h->trusted < 0)
				rd_json_null(&j);
			else
				rd_json_bool(&j, h->trusted);
			rd_json_key(&j, "assemblies");
			rd_json_arr(&j);
		} else {
			rd_buf_puts(&buf, "  ");
			put_line_text(&buf, h->name);
			rd_buf_puts(&buf, ": ");
			roles_text(&buf, h->roles);
			if (h->trusted >= 0)
				rd_buf_puts(&buf, h->trusted ? "; trusted" :
				    "; not trusted");
			rd_buf_puts(&buf, "\n");
		}
		for (f = 0; f < nb; f++)
			for (k = 0; k < b[f]->nids; k++) {
				const asmgate_bound *id = &b[f]->ids[k];
				if (!id->host ||
				    bind_casecmp(id->host, h->name) != 0)
					continue;
				if (fmt == ASMGATE_REPORT_JSON)
					id_json(&j, id);
				else
					id_text(&buf, id);
			}
		if (fmt == ASMGATE_REPORT_JSON) {
			rd_json_arr_end(&j);
			rd_json_obj_end(&j);
		}
	}
	if (fmt == ASMGATE_REPORT_JSON) {
		rd_json_arr_end(&j);
		rd_json_key(&j, "placed_nowhere");
		rd_json_arr(&j);
	}
	for (f = 0; f < nb; f++)
		for (k = 0; k < b[f]->nids; k++) {
			const asmgate_bound *id = &b[f]->ids[k];
			if (id->host)
				continue;
			if (fmt == ASMGATE_REPORT_JSON) {
				id_json(&j, id);
			} else {
				if (nowhere++ == 0)
					rd_buf_puts(&buf, "\nplaced nowhere "
					    "by (an assembly no element "
					    "places is decided for every "
					    "host):\n");
				id_text(&buf, id);
			}
		}
	if (fmt == ASMGATE_REPORT_JSON) {
		rd_json_arr_end(&j);
		rd_json_obj_end(&j);
		rd_buf_putc(&buf, '\n');
	}
	free(m);
	return policy_buf_take(&buf, out, len, "bindings show", err);
}
