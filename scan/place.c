/*
 * place.c - which hosts decide each subject, from binding files.
 *
 * With bindings (scan options version 3) a scan reads every subject
 * twice: a first pass parses only (no verification), and collects each
 * assembly's identity and AssemblyRefs (scan_place_collect, on worker
 * threads); scan_place_resolve then places them:
 *
 *  1. direct: a subject matching a bound identity (name ASCII
 *     case-insensitive, version, culture, public key token) is decided
 *     for the host that identity's element places it in (orchestration,
 *     pipeline, map, schema);
 *  2. closure: what a placed subject references (AssemblyRef,
 *     ECMA-335 II.22.5), found among the subjects, runs in its host too
 *     ("Assembly installation in the GAC": an orchestration's
 *     dependencies must be in the GAC of its host's servers), and so on
 *     transitively;
 *  3. unbound: the rest is decided for every host of the scan (the GAC
 *     lets any host load it), with a near match named (a bound identity
 *     of the same name but another version, culture or token), or the
 *     element that named it but placed it nowhere.
 *
 * Bound identities no subject matched are the missing list (BizTalk's
 * own assemblies, with a well-known Microsoft token, excepted). The
 * second pass (the scan proper) looks each subject up by name and
 * identity: one the first pass did not see, or saw with another
 * identity (the file changed), is unbound.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bind/bind.h"
#include "rd/buf.h"
#include "rd/err.h"
#include "rd/limits.h"
#include "scan.h"

typedef struct pid {
	char *name;
	char *culture;
	asmgate_version v;
	int has_token;
	uint8_t token[8];
} pid;

/* One placement being built (strings borrowed or owned by the place). */
typedef struct ppl {
	size_t host;
	asmgate_role role;
	const char *file;
	unsigned long line;
	char *via;
} ppl;

typedef struct psub {
	char *sname;
	pid id;
	pid *refs;
	size_t nrefs;
	ppl *pl;
	size_t npl;
	const asmgate_bound *nowhere; /* matched, but placed nowhere */
	int elsewhere;            /* placed only in hosts not decided */
} psub;

struct scan_place {
	pthread_mutex_t mu;
	psub *v;
	size_t n, cap;
	size_t *by_name;          /* indexes sorted by identity name */
	size_t *by_sname;         /* indexes sorted by subject name */
	const asmgate_bindings *const *b;
	size_t nb;
	const asmgate_policy *pol;
	const size_t *hosts;
	size_t nhosts;
	asmgate_missing *missing;
	char **near;              /* owned strings of missing[].near */
	size_t nmissing;
	int nomem;
};

/* A copy of s, "" for NULL. */
static char *
dup_s(const char *s)
{
	return strdup(s ? s : "");
}

static char *
fmt_s(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *
fmt_s(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return dup_s(buf);
}

scan_place *
scan_place_new(const asmgate_bindings *const *b, size_t nb,
    const asmgate_policy *pol, const size_t *hosts, size_t nhosts)
{
	scan_place *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	pthread_mutex_init(&p->mu, NULL);
	p->b = b;
	p->nb = nb;
	p->pol = pol;
	p->hosts = hosts;
	p->nhosts = nhosts;
	return p;
}

static void
pid_free(pid *x)
{
	free(x->name);
	free(x->culture);
}

void
scan_place_free(scan_place *p)
{
	size_t i, k;

	if (!p)
		return;
	for (i = 0; i < p->n; i++) {
		psub *s = &p->v[i];
		free(s->sname);
		pid_free(&s->id);
		for (k = 0; k < s->nrefs; k++)
			pid_free(&s->refs[k]);
		free(s->refs);
		for (k = 0; k < s->npl; k++)
			free(s->pl[k].via);
		free(s->pl);
	}
	for (i = 0; i < p->nmissing; i++)
		free(p->near[i]);
	free(p->near);
	free(p->missing);
	free(p->v);
	free(p->by_name);
	free(p->by_sname);
	pthread_mutex_destroy(&p->mu);
	free(p);
}

/* The identity of an image's Assembly row. */
static int
image_id(const asmgate_image *img, pid *out)
{
	const asmgate_image_info *info = asmgate_image_get_info(img);
	const asmgate_assembly_info *a = &info->assembly;
	asmgate_error e;

	memset(out, 0, sizeof(*out));
	out->name = dup_s(a->name);
	out->culture = dup_s(a->culture);
	out->v = a->version;
	if (a->public_key && a->public_key_len &&
	    asmgate_key_token(a->public_key, a->public_key_len, out->token,
	    &e) == ASMGATE_OK)
		out->has_token = 1;
	return out->name && out->culture;
}

void
scan_place_collect(void *ctx, asmgate_subject *subj)
{
	scan_place *p = ctx;
	const asmgate_image_info *info;
	psub s;
	uint32_t i;

	if (subj->kind != ASMGATE_SUBJECT_ASSEMBLY || !subj->img)
		return;
	info = asmgate_image_get_info(subj->img);
	memset(&s, 0, sizeof(s));
	s.sname = dup_s(subj->name);
	if (!s.sname || !image_id(subj->img, &s.id))
		goto nomem;
	if (info->nreferences) {
		s.refs = calloc(info->nreferences, sizeof(*s.refs));
		if (!s.refs)
			goto nomem;
	}
	for (i = 0; i < info->nreferences; i++) {
		const asmgate_reference *r = &info->references[i];
		pid *x = &s.refs[s.nrefs++];
		asmgate_error e;

		x->name = dup_s(r->name);
		x->culture = dup_s(r->culture);
		if (!x->name || !x->culture)
			goto nomem;
		x->v = r->version;
		if (r->flags & ASMGATE_AF_PUBLICKEY) {
			x->has_token = asmgate_key_token(r->public_key_or_token,
			    r->public_key_or_token_len, x->token, &e) ==
			    ASMGATE_OK;
		} else if (r->public_key_or_token_len == 8) {
			memcpy(x->token, r->public_key_or_token, 8);
			x->has_token = 1;
		}
	}
	pthread_mutex_lock(&p->mu);
	if (p->n == p->cap) {
		size_t nc = p->cap ? 2 * p->cap : 64;
		psub *nv = realloc(p->v, nc * sizeof(*nv));
		if (!nv) {
			p->nomem = 1;
			pthread_mutex_unlock(&p->mu);
			goto free_s;
		}
		p->v = nv;
		p->cap = nc;
	}
	p->v[p->n++] = s;
	pthread_mutex_unlock(&p->mu);
	return;
nomem:
	pthread_mutex_lock(&p->mu);
	p->nomem = 1;
	pthread_mutex_unlock(&p->mu);
free_s:
	free(s.sname);
	pid_free(&s.id);
	for (i = 0; i < s.nrefs; i++)
		pid_free(&s.refs[i]);
	free(s.refs);
}

/* Sorting with qsort_r (the place as context: no global state). */
static int
cmp_name(const void *a, const void *b, void *ctx)
{
	const scan_place *sorting = ctx;
	const psub *x = &sorting->v[*(const size_t *)a];
	const psub *y = &sorting->v[*(const size_t *)b];

	return bind_casecmp(x->id.name, y->id.name);
}

static int
cmp_sname(const void *a, const void *b, void *ctx)
{
	const scan_place *sorting = ctx;
	const psub *x = &sorting->v[*(const size_t *)a];
	const psub *y = &sorting->v[*(const size_t *)b];
	int c = strcmp(x->sname, y->sname);

	if (c)
		return c;
	return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

/* First index in by_name whose name is not below name. */
static size_t
lower_name(const scan_place *p, const char *name)
{
	size_t lo = 0, hi = p->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (bind_casecmp(p->v[p->by_name[mid]].id.name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Position of host h among the scan's hosts, or nhosts. */
static size_t
host_pos(const scan_place *p, size_t h)
{
	size_t i;

	for (i = 0; i < p->nhosts; i++)
		if (p->hosts[i] == h)
			return i;
	return p->nhosts;
}

static int
has_host(const psub *s, size_t h)
{
	size_t i;

	for (i = 0; i < s->npl; i++)
		if (s->pl[i].host == h)
			return 1;
	return 0;
}

static int
add_pl(scan_place *p, psub *s, size_t h, asmgate_role role,
    const char *file, unsigned long line, char *via)
{
	ppl *n;

	if (!via) {
		p->nomem = 1;
		return 0;
	}
	n = realloc(s->pl, (s->npl + 1) * sizeof(*n));
	if (!n) {
		free(via);
		p->nomem = 1;
		return 0;
	}
	s->pl = n;
	n[s->npl].host = h;
	n[s->npl].role = role;
	n[s->npl].file = file;
	n[s->npl].line = line;
	n[s->npl].via = via;
	s->npl++;
	return 1;
}

static int
id_matches(const asmgate_bound *b, const pid *x)
{
	return bind_matches(b, x->name, &x->v, x->culture,
	    x->has_token ? x->token : NULL);
}

/* A reference r names subject t: name, version, culture, and the token
 * when r has one. */
static int
ref_matches(const pid *r, const pid *t)
{
	if (bind_casecmp(r->name, t->name) != 0 ||
	    r->v.major != t->v.major || r->v.minor != t->v.minor ||
	    r->v.build != t->v.build || r->v.revision != t->v.revision ||
	    bind_casecmp(r->culture, t->culture) != 0)
		return 0;
	if (r->has_token && (!t->has_token ||
	    memcmp(r->token, t->token, 8) != 0))
		return 0;
	return 1;
}

static int
is_system(const asmgate_bound *b)
{
	return b->has_token && !b->token_null &&
	    asmgate_key_well_known_name(b->token) != NULL;
}

static char *
ver_str(char *buf, size_t n, const asmgate_version *v)
{
	snprintf(buf, n, "%u.%u.%u.%u", v->major, v->minor, v->build,
	    v->revision);
	return buf;
}

/*
 * The closure over AssemblyRef (II.22.5): every host of a seed subject is
 * added, as a dependency, to each subject a seed references, and so on
 * (a queue of subjects whose hosts grew; each subject enters once per
 * host it gains). Seeds: the placed subjects (unbound 0), or those
 * whose placements are unbound (1). ASMGATE_E_NOMEM or OK.
 */
static asmgate_status
closure(scan_place *p, int unbound)
{
	size_t i, qh = 0, qt = 0, qcap, *queue;
	char vb[32];

	qcap = p->n * (p->nhosts ? p->nhosts : 1) + p->n + 1;
	queue = malloc(qcap * sizeof(*queue));
	if (!queue)
		return ASMGATE_E_NOMEM;
	for (i = 0; i < p->n; i++)
		if (p->v[i].npl && (!unbound ||
		    p->v[i].pl[0].role == ASMGATE_ROLE_UNBOUND))
			queue[qt++] = i;
	while (qh < qt) {
		psub *s = &p->v[queue[qh++]];
		size_t r, pi;

		for (r = 0; r < s->nrefs; r++) {
			size_t j = lower_name(p, s->refs[r].name);

			for (; j < p->n; j++) {
				size_t ti = p->by_name[j];
				psub *t = &p->v[ti];
				int grew = 0;

				if (bind_casecmp(t->id.name, s->refs[r].name))
					break;
				if (t == s || !ref_matches(&s->refs[r], &t->id))
					continue;
				for (pi = 0; pi < s->npl; pi++) {
					const ppl *o = &s->pl[pi];
					if (has_host(t, o->host))
						continue;
					if (!add_pl(p, t, o->host,
					    ASMGATE_ROLE_DEPENDENCY, o->file,
					    o->line, fmt_s("referenced by %s, "
					    "Version=%s (%s: %s)", s->id.name,
					    ver_str(vb, sizeof(vb), &s->id.v),
					    asmgate_role_name(o->role),
					    o->via))) {
						free(queue);
						return ASMGATE_E_NOMEM;
					}
					grew = 1;
				}
				if (grew && qt < qcap)
					queue[qt++] = ti;
			}
		}
	}
	free(queue);
	return ASMGATE_OK;
}

asmgate_status
scan_place_resolve(scan_place *p, asmgate_error *err)
{
	size_t i, f, k;
	uint8_t **matched = NULL;
	char vb[32];

	if (p->nomem)
		goto nomem;
	p->by_name = malloc((p->n ? p->n : 1) * sizeof(size_t));
	p->by_sname = malloc((p->n ? p->n : 1) * sizeof(size_t));
	matched = calloc(p->nb ? p->nb : 1, sizeof(*matched));
	if (!p->by_name || !p->by_sname || !matched)
		goto nomem;
	for (i = 0; i < p->n; i++)
		p->by_name[i] = p->by_sname[i] = i;
	qsort_r(p->by_name, p->n, sizeof(size_t), cmp_name, p);
	qsort_r(p->by_sname, p->n, sizeof(size_t), cmp_sname, p);

	/* 1. Direct placements, in binding order. */
	for (f = 0; f < p->nb; f++) {
		const asmgate_bindings *b = p->b[f];
		size_t nids = asmgate_bindings_count(b);

		matched[f] = calloc(nids ? nids : 1, 1);
		if (!matched[f])
			goto nomem;
		for (k = 0; k < nids; k++) {
			const asmgate_bound *id = asmgate_bindings_get(b, k);
			size_t j = lower_name(p, id->name);

			for (; j < p->n; j++) {
				psub *s = &p->v[p->by_name[j]];
				long h;

				if (bind_casecmp(s->id.name, id->name) != 0)
					break;
				if (!id_matches(id, &s->id))
					continue;
				matched[f][k] = 1;
				if (!id->host) {
					if (!s->nowhere)
						s->nowhere = id;
					continue;
				}
				h = asmgate_policy_find_host(p->pol, id->host);
				if (h < 0)
					continue;
				if (host_pos(p, (size_t)h) == p->nhosts) {
					s->elsewhere = 1;
					continue;
				}
				if (has_host(s, (size_t)h))
					continue;
				if (!add_pl(p, s, (size_t)h, id->role, id->file,
				    id->line, dup_s(id->element)))
					goto nomem;
			}
		}
	}

	/* 2. The closure from the placed subjects. */
	if (closure(p, 0) != ASMGATE_OK)
		goto nomem;

	/* 3. Unbound: every host, with why. */
	for (i = 0; i < p->n; i++) {
		psub *s = &p->v[i];
		const asmgate_bound *nearb = NULL;
		size_t h;

		if (s->npl || s->elsewhere)
			continue;
		for (f = 0; f < p->nb && !nearb && !s->nowhere; f++)
			for (k = 0; k < asmgate_bindings_count(p->b[f]); k++) {
				const asmgate_bound *id =
				    asmgate_bindings_get(p->b[f], k);
				if (bind_casecmp(id->name, s->id.name) == 0) {
					nearb = id;
					break;
				}
			}
		for (h = 0; h < p->nhosts; h++) {
			char *via;
			const asmgate_bound *why = s->nowhere ? s->nowhere :
			    nearb;

			if (s->nowhere)
				via = fmt_s("placed nowhere: %s; in the GAC "
				    "every host may load it",
				    s->nowhere->element);
			else if (nearb)
				via = fmt_s("no binding places it; near match: "
				    "%s", nearb->display);
			else
				via = fmt_s("no binding places it; in the GAC "
				    "every host may load it");
			if (!add_pl(p, s, p->hosts[h], ASMGATE_ROLE_UNBOUND,
			    why ? why->file : NULL, why ? why->line : 0, via))
				goto nomem;
		}
	}

	/* 4. What an unbound assembly references runs wherever it does:
	 * the closure again, from the unbound subjects. */
	if (closure(p, 1) != ASMGATE_OK)
		goto nomem;

	/* Order each subject's placements as the scan's hosts. */
	for (i = 0; i < p->n; i++) {
		psub *s = &p->v[i];
		size_t a, c;
		for (a = 1; a < s->npl; a++) {
			ppl x = s->pl[a];
			for (c = a; c > 0 && host_pos(p, s->pl[c - 1].host) >
			    host_pos(p, x.host); c--)
				s->pl[c] = s->pl[c - 1];
			s->pl[c] = x;
		}
	}

	/* Missing: bound identities no subject matched, once per name and
	 * host. */
	for (f = 0; f < p->nb; f++) {
		size_t nids = asmgate_bindings_count(p->b[f]);
		for (k = 0; k < nids; k++) {
			const asmgate_bound *id =
			    asmgate_bindings_get(p->b[f], k);
			size_t m, j;
			asmgate_missing *nm;
			char **nn;

			if (matched[f][k] || is_system(id))
				continue;
			for (m = 0; m < p->nmissing; m++) {
				const asmgate_bound *o = p->missing[m].bound;
				int same_host = (!o->host && !id->host) ||
				    (o->host && id->host &&
				    bind_casecmp(o->host, id->host) == 0);
				if (same_host &&
				    bind_casecmp(o->display, id->display) == 0)
					break;
			}
			if (m < p->nmissing)
				continue;
			nm = realloc(p->missing, (p->nmissing + 1) *
			    sizeof(*nm));
			if (!nm)
				goto nomem;
			p->missing = nm;
			nn = realloc(p->near, (p->nmissing + 1) * sizeof(*nn));
			if (!nn)
				goto nomem;
			p->near = nn;
			nm[p->nmissing].bound = id;
			nm[p->nmissing].near = NULL;
			nn[p->nmissing] = NULL;
			j = lower_name(p, id->name);
			if (j < p->n && bind_casecmp(
			    p->v[p->by_name[j]].id.name, id->name) == 0) {
				const psub *s = &p->v[p->by_name[j]];
				nn[p->nmissing] = fmt_s("%s (%s, Version=%s)",
				    s->sname, s->id.name,
				    ver_str(vb, sizeof(vb), &s->id.v));
				nm[p->nmissing].near = nn[p->nmissing];
			}
			p->nmissing++;
		}
	}
	for (f = 0; f < p->nb; f++)
		free(matched[f]);
	free(matched);
	return ASMGATE_OK;
nomem:
	for (f = 0; matched && f < p->nb; f++)
		free(matched[f]);
	free(matched);
	return rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory while "
	    "placing assemblies");
}

size_t
scan_place_missing_count(const scan_place *p)
{
	return p ? p->nmissing : 0;
}

const asmgate_missing *
scan_place_missing(const scan_place *p, size_t i)
{
	return p && i < p->nmissing ? &p->missing[i] : NULL;
}

/* The placements of the subject named sname with image img, as one
 * allocation (the array, then its strings) for the subject to own. */
asmgate_placement *
scan_place_lookup(const scan_place *p, const char *sname,
    const asmgate_image *img, size_t *n)
{
	const psub *s = NULL;
	ppl *tmp = NULL;
	size_t lo = 0, hi = p->n, i, np, total;
	pid cur;
	asmgate_placement *out;
	char *q;
	ppl fallback;
	int same = 0;

	*n = 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(p->v[p->by_sname[mid]].sname, sname) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < p->n && strcmp(p->v[p->by_sname[lo]].sname, sname) == 0)
		s = &p->v[p->by_sname[lo]];
	if (s && image_id(img, &cur)) {
		same = strcmp(cur.name, s->id.name) == 0 &&
		    strcmp(cur.culture, s->id.culture) == 0 &&
		    memcmp(&cur.v, &s->id.v, sizeof(cur.v)) == 0 &&
		    cur.has_token == s->id.has_token &&
		    (!cur.has_token || memcmp(cur.token, s->id.token, 8) == 0);
	} else {
		memset(&cur, 0, sizeof(cur));
	}
	pid_free(&cur);
	if (same) {
		tmp = s->pl;
		np = s->npl;
	} else {
		/* Not seen by the first pass, or seen as another assembly:
		 * unbound. */
		fallback.role = ASMGATE_ROLE_UNBOUND;
		fallback.file = NULL;
		fallback.line = 0;
		fallback.via = (char *)(uintptr_t)"not seen as this assembly "
		    "when the bindings were matched (did the file change?)";
		np = p->nhosts;
	}
	total = np * sizeof(*out);
	for (i = 0; i < np; i++) {
		const ppl *x = same ? &tmp[i] : &fallback;
		total += strlen(x->via) + 1 + (x->file ? strlen(x->file) + 1 :
		    0);
	}
	out = malloc(total ? total : 1);
	if (!out)
		return NULL;
	q = (char *)(out + np);
	for (i = 0; i < np; i++) {
		const ppl *x = same ? &tmp[i] : &fallback;
		size_t l = strlen(x->via) + 1;

		out[i].host = same ? x->host : p->hosts[i];
		out[i].role = x->role;
		out[i].line = x->line;
		memcpy(q, x->via, l);
		out[i].via = q;
		q += l;
		if (x->file) {
			l = strlen(x->file) + 1;
			memcpy(q, x->file, l);
			out[i].file = q;
			q += l;
		} else {
			out[i].file = NULL;
		}
	}
	*n = np;
	return out;
}
