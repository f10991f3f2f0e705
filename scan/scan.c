/*
 * scan.c - the pipeline: sources -> expand -> verify -> decide, handed
 * back in order.
 *
 * Work is a tree of nodes. A top node is one source (a file); a member
 * node is one member of a container. Running a node opens its bytes
 * once and tells them apart by content: a PE file gives one subject; a
 * container gives child nodes, one per member, which are jobs of their
 * own, so the members of one container are read (inflated) and verified
 * on several workers at once. Subjects come out depth first: a node's
 * own subject, then its children's, then the next sibling's, whatever
 * order the workers finish in.
 *
 * Scheduling. Runnable member nodes wait in one list sorted in that
 * order; top nodes are started in argument order after them. Workers
 * take the first runnable job while fewer than `window` nodes are
 * started and not yet handed out (memory stays bounded: a finished node
 * holds its rendered output, not its bytes, when images are released).
 * The caller of asmgate_scan_next (the emitter) runs the node it waits
 * for itself when no worker has started it, so the window can never
 * deadlock, and while a worker runs that node it takes the next job
 * as a worker would: it is one of the `jobs` threads (jobs - 1 workers
 * are started). With one job there are no workers and the emitter runs
 * everything inline.
 *
 * Memory: one member is inflated per running job, into a buffer of its
 * declared size (RD_MAX_MEMBER_BYTES at most); the inflated bytes of one
 * top-level input are capped at RD_MAX_INFLATED_BYTES in total; a
 * nested container's bytes live until its last member has run.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bind/adf.h"
#include "pe/pe.h"
#include "rd/err.h"
#include "rd/file.h"
#include "rd/limits.h"
#include "scan.h"

/* Workers at most; the command's --jobs cap. */
#define SCAN_MAX_JOBS 64u
/* Nodes started and not yet handed out, per worker (see above). */
#define SCAN_WINDOW_PER_JOB 64u
/* Key length: a top index plus one index per container level. */
#define SCAN_MAX_KEY (RD_MAX_CONTAINER_DEPTH + 2u)
/* Bytes peeked to tell a member's type (MZ, PK; a cabinet's "MSCF" and
 * its zero reserved field; the compound-file signature). */
#define SCAN_PEEK 8u

enum node_state { N_NEW, N_RUNNING, N_DONE };

/* A container and the bytes it borrows; shared by its member nodes. */
typedef struct box {
	asmgate_container *c;
	rd_file *file;      /* a top-level container: the file */
	uint8_t *bytes;     /* a nested one: the inflated member */
	unsigned depth;     /* 1: the container is a file on disk */
	unsigned refs;      /* under the scan mutex */
} box;

typedef struct node node;
struct node {
	node *parent;
	node *top;          /* the top node of this tree (itself for one) */
	node *next_run;     /* runnable list */
	node *next_top;     /* started top nodes, in order */
	uint32_t key[SCAN_MAX_KEY];
	unsigned keylen;
	enum node_state state;
	size_t source;      /* top nodes: index in sources */
	box *in;            /* member nodes: the container holding it */
	size_t member;      /* its index there */
	char *name;         /* member nodes: the member name (copied) */
	char *mkey;         /* member nodes: the member's key, or NULL */
	uint32_t sig_levels; /* origin.signed_levels of its subjects */
	asmgate_subject *subj;
	node **children;
	size_t nchildren, next_child;
	int emitted_self;
	uint64_t inflated;  /* top nodes: bytes inflated in this tree */
	asmgate_app *app;   /* a BizTalk application's database (app.c) */
};

struct asmgate_scan {
	asmgate_scan_options o;
	scan_sources src;
	asmgate_scan_stats stats;
	pthread_mutex_t mu;
	pthread_cond_t work_cv;  /* workers: work or room appeared */
	pthread_cond_t done_cv;  /* the emitter: a node finished */
	pthread_t threads[SCAN_MAX_JOBS];
	unsigned nthreads;
	int started, stop;
	int nomem;               /* a subject could not be made */
	size_t window, inflight;
	size_t next_source;
	node *run_head;
	node *top_head, *top_tail;
	node *cur;               /* the emitter's node */
	node *waiting;           /* the node the emitter waits for */
	/* With bindings: the paths as added (for the first pass) and
	 * the placements it found. */
	char **paths;
	size_t npaths;
	scan_place *place;
	int place_failed;
	asmgate_error place_err;
};

asmgate_status
asmgate_scan_options_init(asmgate_scan_options *o, unsigned version)
{
	static const asmgate_scan_options def = ASMGATE_SCAN_OPTIONS_INIT;

	if (version != ASMGATE_SCAN_OPTIONS_VERSION)
		return ASMGATE_E_USAGE;
	*o = def;
	return ASMGATE_OK;
}

/* ---------------------------------------------------------- subjects */

/* The member chain of n, outermost first, in names[] and keys[] (at
 * most SCAN_MAX_KEY entries); returns the count. */
static size_t
chain(const node *n, const char **names, const char **keys)
{
	const node *m;
	size_t k = 0, i;

	for (m = n; m && m->parent; m = m->parent)
		k++;
	i = k;
	for (m = n; m && m->parent; m = m->parent) {
		names[--i] = m->name;
		keys[i] = m->mkey;
	}
	return k;
}

static asmgate_subject *
subject_for(asmgate_scan *s, const node *n, asmgate_subject_kind kind)
{
	const char *names[SCAN_MAX_KEY], *keys[SCAN_MAX_KEY];
	size_t k = chain(n, names, keys);
	asmgate_subject *subj;

	subj = scan_subject_new(kind, s->src.v[n->top->source].path, names,
	    keys, k);
	if (subj)
		subj->origin.signed_levels = n->sig_levels;
	return subj;
}

/* An error (or skipped) subject for n. When even that cannot be made,
 * the node keeps no subject and the scan fails in asmgate_scan_next:
 * a subject is never dropped silently. */
static void nomem_subject(asmgate_scan *s);

static void
set_outcome(asmgate_scan *s, node *n, asmgate_subject_kind kind,
    const asmgate_error *e, asmgate_image *img)
{
	n->subj = subject_for(s, n, kind);
	if (!n->subj) {
		asmgate_image_free(img);
		nomem_subject(s);
		return;
	}
	n->subj->img = img;
	n->subj->named = n->parent == NULL &&
	    !s->src.v[n->top->source].from_dir;
	if (e) {
		n->subj->has_err = 1;
		n->subj->err = *e;
	}
}

/* n could not be processed for want of memory: an error subject. */
static void
fail_nomem(asmgate_scan *s, node *n)
{
	asmgate_error err;

	asmgate_error_clear(&err);
	(void)rd_fail_nooff(&err, ASMGATE_E_NOMEM, "out of memory");
	set_outcome(s, n, ASMGATE_SUBJECT_ERROR, &err, NULL);
}

/* ------------------------------------------------------------ helpers */

static int
ends_with_ci(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

static int
named_as_module(const char *name)
{
	return ends_with_ci(name, ".dll") || ends_with_ci(name, ".exe") ||
	    ends_with_ci(name, ".netmodule");
}

/* Files in directories and members that are plainly not PE (configs,
 * docs) are ignored unless their name says assembly: no MZ/PE
 * signature, empty, or too short for an MS-DOS header (an error below
 * its e_lfanew field at 0x3c). A file that got past that far and then
 * failed is reported. Named files are always reported. */
static int
ignorable(int named, const char *name, asmgate_status rc,
    const asmgate_error *err)
{
	if (named || named_as_module(name))
		return 0;
	return rc == ASMGATE_E_NOT_PE || rc == ASMGATE_E_EMPTY ||
	    (rc == ASMGATE_E_TRUNCATED && err->has_offset &&
	    err->offset < 0x40);
}

static int
looks_pe(const uint8_t *p, size_t n)
{
	return n >= 2 && p[0] == 'M' && p[1] == 'Z';
}

static void
box_unref(asmgate_scan *s, box *b)
{
	int last;

	if (!b)
		return;
	pthread_mutex_lock(&s->mu);
	last = --b->refs == 0;
	pthread_mutex_unlock(&s->mu);
	if (!last)
		return;
	asmgate_container_free(b->c);
	if (b->file) {
		rd_file_close(b->file);
		free(b->file);
	}
	free(b->bytes);
	free(b);
}

/* ------------------------------------------------------------ running */

/* Authenticode is verified when the verify options (version 2) ask. */
static int
verify_ac(const asmgate_scan *s)
{
	const asmgate_verify_options *o = s->o.verify_options;

	return s->o.verify && o && o->version >= 2 && o->authenticode;
}
static void apply_app(node *n);

/* Verify and decide img for node n (worker side). */
static void
run_image(asmgate_scan *s, node *n, asmgate_image *img, asmgate_status rc,
    asmgate_error *err, int named, const char *name, int member)
{
	asmgate_subject *subj;
	size_t h;

	if (rc == ASMGATE_E_NOT_DOTNET || rc == ASMGATE_E_NO_ASSEMBLY) {
		/* Skipped for the strong name; its Authenticode signature
		 * (a native PE file's too) is verified and reported. */
		asmgate_authenticode *ac = NULL;
		asmgate_error aerr;

		asmgate_error_clear(&aerr);
		if (img && verify_ac(s) && asmgate_authenticode_verify(img,
		    s->o.verify_options, &ac, &aerr) != ASMGATE_OK) {
			/* Not verified (memory, a read error, the file
			 * changed): an error, never a pass (fail closed). */
			asmgate_authenticode_free(ac);
			asmgate_image_free(img);
			set_outcome(s, n, ASMGATE_SUBJECT_ERROR, &aerr, NULL);
			return;
		}
		asmgate_image_free(img);
		set_outcome(s, n, ASMGATE_SUBJECT_SKIPPED, err, NULL);
		if (n->subj)
			n->subj->ac = ac;
		else
			asmgate_authenticode_free(ac);
		return;
	}
	if (rc != ASMGATE_OK) {
		if (ignorable(named, name, rc, err)) {
			pthread_mutex_lock(&s->mu);
			if (member)
				s->stats.members_ignored++;
			else
				s->stats.files_ignored++;
			pthread_mutex_unlock(&s->mu);
			return;
		}
		set_outcome(s, n, ASMGATE_SUBJECT_ERROR, err, NULL);
		return;
	}
	set_outcome(s, n, ASMGATE_SUBJECT_ASSEMBLY, NULL, img);
	if (!(subj = n->subj))
		return;
	/* Named by its resource before anything looks it up by name. */
	apply_app(n);
	if (s->o.verify) {
		rc = asmgate_verify_full(img, s->o.verify_options, &subj->sig,
		    verify_ac(s) ? &subj->ac : NULL, err);
		subj->has_sig = 1;
		if (rc != ASMGATE_OK) {
			subj->kind = ASMGATE_SUBJECT_ERROR;
			subj->has_err = 1;
			subj->err = *err;
			subj->has_sig = 0;
		}
	}
	if (s->o.verify && s->o.policy && subj->kind ==
	    ASMGATE_SUBJECT_ASSEMBLY) {
		size_t nd = s->o.nhosts;

		if (s->place) {
			subj->placements = scan_place_lookup(s->place,
			    subj->name, img, &nd);
			if (!subj->placements) {
				subj->kind = ASMGATE_SUBJECT_ERROR;
				subj->has_err = 1;
				(void)rd_fail_nooff(&subj->err, ASMGATE_E_NOMEM,
				    "out of memory");
				return;
			}
		}
		subj->decisions = calloc(nd ? nd : 1,
		    sizeof(*subj->decisions));
		if (!subj->decisions) {
			subj->kind = ASMGATE_SUBJECT_ERROR;
			subj->has_err = 1;
			(void)rd_fail_nooff(&subj->err, ASMGATE_E_NOMEM,
			    "out of memory");
			return;
		}
		subj->ndecisions = nd;
		for (h = 0; h < nd; h++) {
			rc = asmgate_policy_decide_ac(s->o.policy, s->place ?
			    subj->placements[h].host : s->o.hosts[h],
			    img, &subj->sig, subj->ac, &subj->decisions[h], err);
			if (rc != ASMGATE_OK) {
				subj->kind = ASMGATE_SUBJECT_ERROR;
				subj->has_err = 1;
				subj->err = *err;
				free(subj->decisions);
				subj->decisions = NULL;
				free(subj->placements);
				subj->placements = NULL;
				subj->ndecisions = 0;
				return;
			}
		}
	}
}

static int reserve(asmgate_scan *s, node *n, uint64_t len);

/* A BizTalk application MSI (app.c): read its adf into n->app; a bad
 * adf, or a resource whose cabinet is missing, is an error subject of
 * the database itself (the members are still examined). */
static void
open_app(asmgate_scan *s, node *n, const asmgate_container *c)
{
	const asmgate_member_info *mi;
	long i = scan_app_find_definition(c);
	uint8_t *buf = NULL;
	size_t len = 0;
	asmgate_error err;
	asmgate_status rc;

	if (i == -1)
		return;
	asmgate_error_clear(&err);
	mi = i >= 0 ? asmgate_container_member(c, (size_t)i) : NULL;
	if (!mi)
		rc = rd_fail_nooff(&err, ASMGATE_E_MALFORMED, "more than one "
		    "%s in the package", BIND_ADF_NAME);
	else if (mi->size > RD_MAX_ADF_BYTES || !reserve(s, n, mi->size))
		rc = rd_fail_nooff(&err, ASMGATE_E_LIMIT, "%s: %llu bytes, "
		    "above the cap of %zu", BIND_ADF_NAME,
		    (unsigned long long)mi->size, RD_MAX_ADF_BYTES);
	else
		rc = asmgate_container_read(c, (size_t)i, RD_MAX_ADF_BYTES,
		    &buf, &len, &err);
	if (rc == ASMGATE_OK) {
		rc = asmgate_app_load_memory(&n->app, buf, len, BIND_ADF_NAME,
		    &err);
		if (rc != ASMGATE_OK) {
			char pfx[64];

			if (err.line)
				snprintf(pfx, sizeof(pfx), "%s line %lu",
				    BIND_ADF_NAME, err.line);
			else
				snprintf(pfx, sizeof(pfx), "%s", BIND_ADF_NAME);
			rd_err_prefix(&err, pfx);
		}
		else {
			pthread_mutex_lock(&s->mu);
			s->stats.applications++;
			pthread_mutex_unlock(&s->mu);
			rc = scan_app_check_cabinets(n->app, c, &err);
		}
	}
	free(buf);
	if (rc != ASMGATE_OK)
		set_outcome(s, n, ASMGATE_SUBJECT_ERROR, &err, NULL);
}

/* An assembly below an application's database: named and checked by
 * its resource (app.c). */
static void
apply_app(node *n)
{
	const node *m, *item = n, *a;
	size_t depth = 0;

	if (!n->parent || !n->subj ||
	    n->subj->kind != ASMGATE_SUBJECT_ASSEMBLY)
		return;
	for (m = n->parent; m && !m->app; m = m->parent)
		item = m;
	if (!m)
		return;
	for (a = m; a->parent; a = a->parent)
		depth++;
	scan_app_subject(m->app, n->subj, depth, item->name, item == n);
}

/* n, a cabinet of an application's database: it must hold the files
 * its assembly resource declares. */
static void
check_item(asmgate_scan *s, node *n, const asmgate_container *c)
{
	asmgate_error err;

	if (!n->parent || !n->parent->app || n->subj)
		return;
	asmgate_error_clear(&err);
	if (scan_app_check_item(n->parent->app, n->name, c, &err) !=
	    ASMGATE_OK)
		set_outcome(s, n, ASMGATE_SUBJECT_ERROR, &err, NULL);
}

/* 1 when member node n is a file an assembly resource declares (in a
 * cabinet of an application's database). */
static int
declared_assembly(const node *n)
{
	const node *p = n->parent;

	return p && p->parent && p->parent->app &&
	    scan_app_declared_file(p->parent->app, p->name, n->name);
}

/* A declared assembly that is not one fails closed: an error naming
 * the resource's file. */
static void
not_an_assembly(asmgate_scan *s, node *n, const char *what)
{
	asmgate_error err;

	asmgate_error_clear(&err);
	(void)rd_fail_nooff(&err, ASMGATE_E_MALFORMED, "the application's "
	    "adf declares this file an assembly, but it is %s", what);
	if (n->subj) {
		n->subj->kind = ASMGATE_SUBJECT_ERROR;
		n->subj->has_err = 1;
		n->subj->err = err;
		return;
	}
	set_outcome(s, n, ASMGATE_SUBJECT_ERROR, &err, NULL);
}

/* Open the container in [data, len) for node n and make its members
 * child nodes. b owns the bytes already (file or buffer). path is the
 * file the bytes are when they are a whole file on disk (a format may
 * read files beside it: an installer database's external cabinets),
 * else NULL. */
static void
run_container(asmgate_scan *s, node *n, box *b, const uint8_t *data,
    size_t len, const char *path)
{
	asmgate_error err;
	asmgate_status rc;
	size_t i, count, k;

	asmgate_error_clear(&err);
	b->refs = 1;
	rc = asmgate_container_open_bytes(&b->c, data, len, path, &err);
	if (rc != ASMGATE_OK) {
		/* A member that is a compound file but no installer database
		 * (an Office document) is listed as skipped, as native PE
		 * members are; named on the command line it is an error. */
		int other = rc == ASMGATE_E_UNSUPPORTED && n->parent &&
		    asmgate_container_detect(data, len) ==
		    ASMGATE_CONTAINER_MSI;

		set_outcome(s, n, other ? ASMGATE_SUBJECT_SKIPPED :
		    ASMGATE_SUBJECT_ERROR, &err, NULL);
		box_unref(s, b);
		return;
	}
	count = asmgate_container_count(b->c);
	if (asmgate_container_has_signature(b->c)) {
		const node *m;
		unsigned level = 0;

		for (m = n; m->parent; m = m->parent)
			level++;
		if (level < 32)
			n->sig_levels |= (uint32_t)1 << level;
	}
	pthread_mutex_lock(&s->mu);
	s->stats.containers++;
	pthread_mutex_unlock(&s->mu);
	open_app(s, n, b->c);
	check_item(s, n, b->c);
	n->children = count ? calloc(count, sizeof(*n->children)) : NULL;
	if (count && !n->children) {
		fail_nomem(s, n);
		box_unref(s, b);
		return;
	}
	for (i = 0, k = 0; i < count; i++) {
		const asmgate_member_info *mi = asmgate_container_member(b->c, i);
		node *c;

		if (!mi || mi->is_directory)
			continue;
		if (s->o.nexclude && mi->name && scan_excluded(s->o.exclude,
		    s->o.nexclude, mi->name)) {
			pthread_mutex_lock(&s->mu);
			s->stats.excluded++;
			pthread_mutex_unlock(&s->mu);
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (c) {
			c->name = strdup(mi->name);
			c->mkey = mi->key ? strdup(mi->key) : NULL;
		}
		if (!c || !c->name || (mi->key && !c->mkey)) {
			if (c) {
				free(c->name);
				free(c->mkey);
			}
			free(c);
			fail_nomem(s, n);
			break;
		}
		c->parent = n;
		c->top = n->top;
		c->sig_levels = n->sig_levels;
		memcpy(c->key, n->key, sizeof(c->key));
		c->keylen = n->keylen + 1;
		c->key[n->keylen] = (uint32_t)i;
		c->in = b;
		c->member = i;
		c->state = N_NEW;
		n->children[k++] = c;
	}
	n->nchildren = k;
	pthread_mutex_lock(&s->mu);
	b->refs += (unsigned)k;
	pthread_mutex_unlock(&s->mu);
	box_unref(s, b);
}

static void
run_top(asmgate_scan *s, node *n)
{
	const scan_source *src = &s->src.v[n->source];
	asmgate_image *img = NULL;
	asmgate_error err;
	asmgate_status rc;
	rd_file *f;
	box *b;

	if (src->preset != SCAN_PRESET_NONE) {
		set_outcome(s, n, src->preset == SCAN_PRESET_SKIPPED ?
		    ASMGATE_SUBJECT_SKIPPED : ASMGATE_SUBJECT_ERROR, src->err,
		    NULL);
		return;
	}
	asmgate_error_clear(&err);
	f = calloc(1, sizeof(*f));
	if (!f) {
		fail_nomem(s, n);
		return;
	}
	rc = rd_file_open(f, src->path, RD_MAX_FILE_BYTES, &err);
	if (rc != ASMGATE_OK) {
		free(f);
		set_outcome(s, n, ASMGATE_SUBJECT_ERROR, &err, NULL);
		return;
	}
	pthread_mutex_lock(&s->mu);
	s->stats.files++;
	pthread_mutex_unlock(&s->mu);
	if (asmgate_container_detect(f->data, f->size) !=
	    ASMGATE_CONTAINER_NONE) {
		b = calloc(1, sizeof(*b));
		if (!b) {
			rd_file_close(f);
			free(f);
			fail_nomem(s, n);
			return;
		}
		b->file = f;
		b->depth = 1;
		run_container(s, n, b, f->data, f->size, src->path);
		return;
	}
	rc = pe_image_from_file_native(&img, f, &err);
	run_image(s, n, img, rc, &err, !src->from_dir, src->path, 0);
}

/* Reserve len inflated bytes against the top-level input's budget. */
static int
reserve(asmgate_scan *s, node *n, uint64_t len)
{
	int ok;

	pthread_mutex_lock(&s->mu);
	ok = len <= RD_MAX_INFLATED_BYTES - n->top->inflated;
	if (ok) {
		n->top->inflated += len;
		s->stats.inflated_bytes += len;
	}
	pthread_mutex_unlock(&s->mu);
	return ok;
}

static void
run_member(asmgate_scan *s, node *n)
{
	const asmgate_member_info *mi = asmgate_container_member(n->in->c,
	    n->member);
	asmgate_image *img = NULL;
	uint8_t peek[SCAN_PEEK], *buf = NULL;
	size_t got = 0, len = 0;
	asmgate_error err;
	asmgate_status rc;
	int is_ctr;
	box *b;

	asmgate_error_clear(&err);
	pthread_mutex_lock(&s->mu);
	s->stats.members++;
	pthread_mutex_unlock(&s->mu);
	if (mi->unsupported) {
		(void)rd_fail(&err, ASMGATE_E_UNSUPPORTED, mi->header_offset,
		    "cannot read this member: %s", mi->unsupported);
		set_outcome(s, n, ASMGATE_SUBJECT_ERROR, &err, NULL);
		return;
	}
	rc = asmgate_container_peek(n->in->c, n->member, peek, sizeof(peek),
	    &got, &err);
	if (rc != ASMGATE_OK) {
		set_outcome(s, n, ASMGATE_SUBJECT_ERROR, &err, NULL);
		return;
	}
	is_ctr = asmgate_container_detect(peek, got) != ASMGATE_CONTAINER_NONE;
	if (!is_ctr && !looks_pe(peek, got) && !named_as_module(n->name)) {
		if (declared_assembly(n)) {
			not_an_assembly(s, n, "not a PE file");
			return;
		}
		pthread_mutex_lock(&s->mu);
		s->stats.members_ignored++;
		pthread_mutex_unlock(&s->mu);
		return;
	}
	if (!reserve(s, n, mi->size)) {
		(void)rd_fail(&err, ASMGATE_E_LIMIT, mi->header_offset,
		    "more than %llu bytes inflated from one input",
		    (unsigned long long)RD_MAX_INFLATED_BYTES);
		set_outcome(s, n, ASMGATE_SUBJECT_ERROR, &err, NULL);
		return;
	}
	/* (The container releases a mapped archive's pages as it reads.) */
	rc = asmgate_container_read(n->in->c, n->member, RD_MAX_MEMBER_BYTES,
	    &buf, &len, &err);
	if (rc != ASMGATE_OK) {
		set_outcome(s, n, ASMGATE_SUBJECT_ERROR, &err, NULL);
		return;
	}
	if (is_ctr) {
		if (n->in->depth >= RD_MAX_CONTAINER_DEPTH) {
			free(buf);
			(void)rd_fail_nooff(&err, ASMGATE_E_LIMIT,
			    "containers nested deeper than %u",
			    RD_MAX_CONTAINER_DEPTH);
			set_outcome(s, n, ASMGATE_SUBJECT_ERROR, &err, NULL);
			return;
		}
		b = calloc(1, sizeof(*b));
		if (!b) {
			free(buf);
			fail_nomem(s, n);
			return;
		}
		b->bytes = buf;
		b->depth = n->in->depth + 1;
		run_container(s, n, b, buf, len, NULL);
		return;
	}
	rc = pe_image_take_native(&img, buf, len, &err);
	run_image(s, n, img, rc, &err, 0, n->name, 1);
}

/* Insert n's children into the runnable list at their place in order
 * (under the mutex): before the first runnable node whose key is
 * greater than n's. */
static int
key_less(const node *a, const node *b)
{
	unsigned i, m = a->keylen < b->keylen ? a->keylen : b->keylen;

	for (i = 0; i < m; i++)
		if (a->key[i] != b->key[i])
			return a->key[i] < b->key[i];
	return a->keylen < b->keylen;
}

static void
insert_children(asmgate_scan *s, node *n)
{
	node **pp = &s->run_head;
	size_t i;

	if (n->nchildren == 0)
		return;
	while (*pp && key_less(*pp, n))
		pp = &(*pp)->next_run;
	for (i = n->nchildren; i > 0; i--) {
		n->children[i - 1]->next_run = *pp;
		*pp = n->children[i - 1];
	}
}

/* A mapped file shrank while n was read (rd/file.h): whatever n's
 * subject says was decided over zeros, so it becomes an error naming
 * the file. */
static void
mark_changed(asmgate_scan *s, node *n)
{
	asmgate_subject *subj = n->subj;
	asmgate_error e;

	asmgate_error_clear(&e);
	(void)rd_fail_nooff(&e, ASMGATE_E_IO, "the file changed while it was "
	    "read: it shrank, so nothing read from it is decided");
	if (!subj) {
		set_outcome(s, n, ASMGATE_SUBJECT_ERROR, &e, NULL);
		return;
	}
	subj->kind = ASMGATE_SUBJECT_ERROR;
	subj->has_err = 1;
	subj->err = e;
	subj->has_sig = 0;
	free(subj->decisions);
	subj->decisions = NULL;
	subj->ndecisions = 0;
}

/* Run node n (taken under the mutex, run without it). */
static void
run_node(asmgate_scan *s, node *n)
{
	asmgate_subject *subj;
	box *in = n->in;
	unsigned long faults = rd_file_thread_faults();

	if (n->parent)
		run_member(s, n);
	else
		run_top(s, n);
	if (n->subj)
		scan_app_deny(n->subj);
	if (n->parent && n->subj && n->subj->kind == ASMGATE_SUBJECT_SKIPPED &&
	    declared_assembly(n))
		not_an_assembly(s, n, "no .NET assembly");
	/* A fault on this thread, or in the file a member comes from (read
	 * by another thread too). */
	if (rd_file_thread_faults() != faults ||
	    (in && in->file && rd_file_changed(in->file)) ||
	    (!n->parent && n->subj && n->subj->img &&
	    n->subj->img->mapping && rd_file_changed(n->subj->img->mapping)))
		mark_changed(s, n);
	n->in = NULL;
	box_unref(s, in);
	subj = n->subj;
	if (subj && s->o.on_subject)
		s->o.on_subject(s->o.ctx, subj);
	if (subj && s->o.release_images) {
		asmgate_image_free(subj->img);
		subj->img = NULL;
	}
	pthread_mutex_lock(&s->mu);
	n->state = N_DONE;
	insert_children(s, n);
	if (n->nchildren)
		pthread_cond_broadcast(&s->work_cv);
	if (s->waiting == n)
		pthread_cond_signal(&s->done_cv);
	pthread_mutex_unlock(&s->mu);
}

/* Take the first runnable job (under the mutex), or NULL. */
static node *
take(asmgate_scan *s)
{
	node *n = s->run_head;

	if (n) {
		s->run_head = n->next_run;
		n->next_run = NULL;
	} else if (s->next_source < s->src.n) {
		n = calloc(1, sizeof(*n));
		if (!n)
			return NULL;
		n->top = n;
		n->source = s->next_source++;
		n->key[0] = (uint32_t)n->source;
		n->keylen = 1;
		if (s->top_tail)
			s->top_tail->next_top = n;
		else
			s->top_head = n;
		s->top_tail = n;
	} else {
		return NULL;
	}
	n->state = N_RUNNING;
	s->inflight++;
	return n;
}

static void *
worker(void *arg)
{
	asmgate_scan *s = arg;
	node *n;

	pthread_mutex_lock(&s->mu);
	while (!s->stop) {
		n = s->inflight < s->window ? take(s) : NULL;
		if (!n) {
			pthread_cond_wait(&s->work_cv, &s->mu);
			continue;
		}
		pthread_mutex_unlock(&s->mu);
		run_node(s, n);
		pthread_mutex_lock(&s->mu);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

/* ------------------------------------------------------------- public */

asmgate_status
asmgate_scan_new(asmgate_scan **out, const asmgate_scan_options *opts,
    asmgate_error *err)
{
	asmgate_scan *s;

	*out = NULL;
	if (!opts || (opts->version != ASMGATE_SCAN_OPTIONS_VERSION &&
	    opts->version != 1 && opts->version != 2))
		return rd_fail_nooff(err, ASMGATE_E_USAGE,
		    "scan options of unknown version");
	if (opts->version >= 2 && (opts->nexclude > ASMGATE_SCAN_MAX_EXCLUDE ||
	    (opts->nexclude && !opts->exclude)))
		return rd_fail_nooff(err, ASMGATE_E_USAGE,
		    "at most %u exclude patterns, in an array",
		    ASMGATE_SCAN_MAX_EXCLUDE);
	if (opts->jobs > SCAN_MAX_JOBS)
		return rd_fail_nooff(err, ASMGATE_E_USAGE,
		    "at most %u jobs", SCAN_MAX_JOBS);
	if (opts->policy && opts->nhosts && !opts->hosts)
		return rd_fail_nooff(err, ASMGATE_E_USAGE,
		    "hosts are required with nhosts");
	if (opts->version >= 3 && opts->nbindings && (!opts->bindings ||
	    !opts->policy || !opts->verify ||
	    opts->nbindings > RD_MAX_BINDING_FILES))
		return rd_fail_nooff(err, ASMGATE_E_USAGE,
		    "bindings need a policy and verification (at most %u "
		    "files, in an array)", RD_MAX_BINDING_FILES);
	s = calloc(1, sizeof(*s));
	if (!s)
		return rd_fail_nooff(err, ASMGATE_E_NOMEM, "out of memory");
	/* A version 1 struct ends before exclude, version 2 before
	 * bindings. */
	if (opts->version == 1)
		memcpy(&s->o, opts, offsetof(asmgate_scan_options, exclude));
	else if (opts->version == 2)
		memcpy(&s->o, opts, offsetof(asmgate_scan_options, bindings));
	else
		s->o = *opts;
	if (s->o.nbindings) {
		s->place = scan_place_new(s->o.bindings, s->o.nbindings,
		    s->o.policy, s->o.hosts, s->o.nhosts);
		if (!s->place) {
			free(s);
			return rd_fail_nooff(err, ASMGATE_E_NOMEM,
			    "out of memory");
		}
	}
	s->o.version = ASMGATE_SCAN_OPTIONS_VERSION;
	if (s->o.jobs == 0)
		s->o.jobs = 1;
	s->window = (size_t)SCAN_WINDOW_PER_JOB * s->o.jobs;
	/* Kept images (JUnit, SARIF) hold file bytes: a narrow window. */
	if (!s->o.release_images)
		s->window = 2u * s->o.jobs + 2u;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->work_cv, NULL);
	pthread_cond_init(&s->done_cv, NULL);
	*out = s;
	return ASMGATE_OK;
}

asmgate_status
asmgate_scan_add_path(asmgate_scan *s, const char *path, asmgate_error *err)
{
	if (s->started)
		return rd_fail_nooff(err, ASMGATE_E_USAGE,
		    "paths are added before the scan starts");
	if (s->place) {
		/* Kept for the first pass, which walks them again. */
		char **np = realloc(s->paths, (s->npaths + 1) * sizeof(*np));
		size_t n = strlen(path) + 1;
		if (!np)
			return rd_fail_nooff(err, ASMGATE_E_NOMEM,
			    "out of memory");
		s->paths = np;
		if (!(np[s->npaths] = malloc(n)))
			return rd_fail_nooff(err, ASMGATE_E_NOMEM,
			    "out of memory");
		memcpy(np[s->npaths++], path, n);
	}
	return scan_walk(&s->src, path, s->o.exclude, s->o.nexclude,
	    &s->stats.excluded, err);
}

static void
nomem_subject(asmgate_scan *s)
{
	pthread_mutex_lock(&s->mu);
	s->nomem = 1;
	pthread_mutex_unlock(&s->mu);
}

/* With bindings: the first pass (parse only) over the same paths,
 * collecting identities and references, then the placements. */
static asmgate_status
first_pass(asmgate_scan *s, asmgate_error *err)
{
	asmgate_scan_options o = s->o;
	asmgate_scan *p = NULL;
	asmgate_subject *subj;
	asmgate_status st;
	size_t i;

	o.verify = 0;
	o.verify_options = NULL;
	o.policy = NULL;
	o.hosts = NULL;
	o.nhosts = 0;
	o.on_subject = scan_place_collect;
	o.ctx = s->place;
	o.release_images = 1;
	o.bindings = NULL;
	o.nbindings = 0;
	st = asmgate_scan_new(&p, &o, err);
	for (i = 0; st == ASMGATE_OK && i < s->npaths; i++)
		st = asmgate_scan_add_path(p, s->paths[i], err);
	while (st == ASMGATE_OK) {
		st = asmgate_scan_next(p, &subj, err);
		if (st != ASMGATE_OK || !subj)
			break;
		asmgate_subject_free(subj);
	}
	asmgate_scan_free(p);
	if (st == ASMGATE_OK)
		st = scan_place_resolve(s->place, err);
	return st;
}

static void
start(asmgate_scan *s)
{
	unsigned i;

	s->started = 1;
	if (s->place) {
		asmgate_error_clear(&s->place_err);
		if (first_pass(s, &s->place_err) != ASMGATE_OK)
			s->place_failed = 1;
	}
	if (s->o.jobs <= 1)
		return;
	/* Workers may read application definitions (XML). */
	bind_adf_init();
	/* The emitter works too (asmgate_scan_next): jobs - 1 workers
	 * keep jobs threads busy, not jobs + 1 on jobs cores. */
	for (i = 0; i + 1 < s->o.jobs; i++) {
		if (pthread_create(&s->threads[i], NULL, worker, s) != 0)
			break;
		s->nthreads++;
	}
}

/* Free a node whose subtree was handed out (its children are freed). */
static void
node_free(node *n)
{
	asmgate_subject_free(n->subj);
	asmgate_app_free(n->app);
	free(n->children);
	free(n->name);
	free(n->mkey);
	free(n);
}

asmgate_status
asmgate_scan_next(asmgate_scan *s, asmgate_subject **out, asmgate_error *err)
{
	node *n, *parent;

	*out = NULL;
	if (!s->started)
		start(s);
	if (s->place_failed) {
		if (err)
			*err = s->place_err;
		return s->place_err.code;
	}
	pthread_mutex_lock(&s->mu);
	for (;;) {
		n = s->cur;
		if (!n) {
			if (s->top_head) {
				s->cur = s->top_head;
				continue;
			}
			if (s->next_source >= s->src.n)
				break;
			/* The next top node: nobody started it. */
			n = take(s);
			if (!n) {
				pthread_mutex_unlock(&s->mu);
				return rd_fail_nooff(err, ASMGATE_E_NOMEM,
				    "out of memory");
			}
			s->cur = n;
			pthread_mutex_unlock(&s->mu);
			run_node(s, n);
			pthread_mutex_lock(&s->mu);
			continue;
		}
		if (n->state == N_NEW) {
			/* First runnable by order: run it here. */
			node **pp = &s->run_head;
			while (*pp && *pp != n)
				pp = &(*pp)->next_run;
			if (*pp)
				*pp = n->next_run;
			n->next_run = NULL;
			n->state = N_RUNNING;
			s->inflight++;
			pthread_mutex_unlock(&s->mu);
			run_node(s, n);
			pthread_mutex_lock(&s->mu);
			continue;
		}
		if (n->state == N_RUNNING) {
			/* A worker runs it: run the next job meanwhile,
			 * as a worker would, rather than sleep. */
			node *m = s->inflight < s->window ? take(s) : NULL;

			if (m) {
				pthread_mutex_unlock(&s->mu);
				run_node(s, m);
				pthread_mutex_lock(&s->mu);
				continue;
			}
			s->waiting = n;
			pthread_cond_wait(&s->done_cv, &s->mu);
			s->waiting = NULL;
			continue;
		}
		if (s->nomem) {
			pthread_mutex_unlock(&s->mu);
			return rd_fail_nooff(err, ASMGATE_E_NOMEM,
			    "out of memory: a result was lost");
		}
		if (!n->emitted_self) {
			n->emitted_self = 1;
			if (n->subj) {
				*out = n->subj;
				n->subj = NULL;
				pthread_mutex_unlock(&s->mu);
				return ASMGATE_OK;
			}
		}
		if (n->next_child < n->nchildren) {
			s->cur = n->children[n->next_child++];
			continue;
		}
		/* n's subtree is handed out. */
		parent = n->parent;
		if (!parent) {
			s->top_head = n->next_top;
			if (!s->top_head)
				s->top_tail = NULL;
		}
		node_free(n);
		s->inflight--;
		pthread_cond_signal(&s->work_cv);
		s->cur = parent;
	}
	pthread_mutex_unlock(&s->mu);
	return ASMGATE_OK;
}

size_t
asmgate_scan_missing_count(const asmgate_scan *s)
{
	return s ? scan_place_missing_count(s->place) : 0;
}

const asmgate_missing *
asmgate_scan_missing(const asmgate_scan *s, size_t i)
{
	return s ? scan_place_missing(s->place, i) : NULL;
}

const asmgate_scan_stats *
asmgate_scan_get_stats(const asmgate_scan *s)
{
	return &s->stats;
}

/* Free a subtree that may not have run (scan stopped early). */
static void
tree_free(asmgate_scan *s, node *n)
{
	size_t i;

	for (i = n->next_child; i < n->nchildren; i++)
		tree_free(s, n->children[i]);
	if (n->in && n->state != N_DONE)
		box_unref(s, n->in);
	node_free(n);
}

void
asmgate_scan_free(asmgate_scan *s)
{
	node *n, *next, *p;

	if (!s)
		return;
	pthread_mutex_lock(&s->mu);
	s->stop = 1;
	pthread_cond_broadcast(&s->work_cv);
	pthread_mutex_unlock(&s->mu);
	while (s->nthreads > 0)
		pthread_join(s->threads[--s->nthreads], NULL);
	/* The emitter's path: free from the current node up, each parent's
	 * remaining children first. */
	for (n = s->cur; n; n = p) {
		p = n->parent;
		if (!p && s->top_head == n)
			s->top_head = n->next_top;
		tree_free(s, n);
	}
	for (n = s->top_head; n; n = next) {
		next = n->next_top;
		tree_free(s, n);
	}
	scan_sources_free(&s->src);
	scan_place_free(s->place);
	while (s->npaths > 0)
		free(s->paths[--s->npaths]);
	free(s->paths);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->work_cv);
	pthread_cond_destroy(&s->done_cv);
	free(s);
}
