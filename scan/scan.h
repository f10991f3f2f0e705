/*
 * scan.h - the pipeline of subjects (module-internal API).
 *
 * Stages (docs/ARCHITECTURE.md):
 *   sources   paths named by the user, directories walked (walk.c)
 *   expand    each file opened once and told apart by content: a PE
 *             file is one subject, a container is opened and each member
 *             becomes a job of its own (nested containers too)
 *   verify    parse, verify the strong name, decide per host
 *   report    subjects handed back in a fixed order (scan.c)
 * scan/ is the only library module that starts threads.
 */
#ifndef SCAN_SCAN_H
#define SCAN_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "asmgate.h"

/* A source: one path from the user or from a walk. A path the walk could
 * not read, or chose not to follow, carries its outcome already. */
enum scan_preset { SCAN_PRESET_NONE = 0, SCAN_PRESET_SKIPPED,
	SCAN_PRESET_ERROR };

typedef struct scan_source {
	char *path;
	unsigned char from_dir;   /* found in a walk (not named) */
	unsigned char preset;     /* enum scan_preset */
	asmgate_error *err;       /* the preset's error or reason */
} scan_source;

typedef struct scan_sources {
	scan_source *v;
	size_t n, cap;
} scan_sources;

/* walk.c: expand path (named by the user) into sources: ASMGATE_OK, or
 * ASMGATE_E_NOMEM / ASMGATE_E_LIMIT (err filled) when the list could not
 * grow; a path that cannot be read is a preset error source. Entries
 * matching one of the nexcl patterns excl are counted in *excluded. */
asmgate_status scan_walk(scan_sources *l, const char *path,
    const char *const *excl, size_t nexcl, uint64_t *excluded,
    asmgate_error *err);
/* 1 when path (relative to a walked directory, or a member name) or its
 * last component matches one of the n fnmatch(3) patterns (no
 * FNM_PATHNAME). */
int scan_excluded(const char *const *pats, size_t n, const char *path);
void scan_sources_free(scan_sources *l);

/* subject.c: a new subject named by file and members, with the
 * members' keys (each may be NULL), all copied. */
asmgate_subject *scan_subject_new(asmgate_subject_kind kind,
    const char *file, const char *const *members, const char *const *keys,
    size_t nmembers);

/* place.c: hosts from binding files (see there). */
typedef struct scan_place scan_place;
scan_place *scan_place_new(const asmgate_bindings *const *b, size_t nb,
    const asmgate_policy *pol, const size_t *hosts, size_t nhosts);
void scan_place_free(scan_place *p);
/* The first pass's on_subject (thread-safe). */
void scan_place_collect(void *ctx, asmgate_subject *subj);
asmgate_status scan_place_resolve(scan_place *p, asmgate_error *err);
/* One allocation (free it) of *n placements; NULL when out of memory. */
asmgate_placement *scan_place_lookup(const scan_place *p, const char *sname,
    const asmgate_image *img, size_t *n);
size_t scan_place_missing_count(const scan_place *p);
const asmgate_missing *scan_place_missing(const scan_place *p, size_t i);

/* Internal view of a subject, for scan.c. */
struct asmgate_subject {
	asmgate_subject_kind kind;
	int named;                  /* a path the user named */
	char *name;                 /* display name */
	asmgate_origin origin;      /* points into store */
	const char **members;       /* origin.members */
	const char **keys;          /* origin.keys */
	char *store;                /* file and member names */
	asmgate_image *img;
	int has_sig;
	asmgate_signature sig;
	asmgate_authenticode *ac;   /* Authenticode outcome, or NULL */
	int has_err;
	asmgate_error err;
	asmgate_decision *decisions;
	size_t ndecisions;
	asmgate_placement *placements; /* with bindings: one per decision */
	void *user;
	void (*user_free)(void *);
	asmgate_subject_resource *res; /* in an application (app.c) */
};

/* app.c: BizTalk application MSIs. The index of the adf among c's
 * members (an installer database), -1 when there is none, -2 when
 * there are several. */
long scan_app_find_definition(const asmgate_container *c);
/* ASMGATE_OK when every resource's cabinet is a member of c; else an
 * error naming the first resource without it, with its adf line. */
asmgate_status scan_app_check_cabinets(const asmgate_app *app,
    const asmgate_container *c, asmgate_error *err);
/* Name subj (an assembly found below the application's database at
 * member depth app_depth of its chain; item: the database's member it
 * came from, direct: it is that member) by its resource, attach the
 * resource, with the denial when the adf does not declare it as it is
 * (before its decisions: scan_app_deny). */
void scan_app_subject(const asmgate_app *app, asmgate_subject *subj,
    size_t app_depth, const char *item, int direct);
/* After the decisions: deny them all when the package lies about subj. */
void scan_app_deny(asmgate_subject *subj);
/* item (a cabinet member of the application's database) opened as c:
 * an error when it packs an assembly resource and lacks a file the
 * resource declares. */
asmgate_status scan_app_check_item(const asmgate_app *app,
    const char *item, const asmgate_container *c, asmgate_error *err);
/* 1 when member name of cabinet item is a file an assembly resource
 * declares (it must then be an assembly). */
int scan_app_declared_file(const asmgate_app *app, const char *item,
    const char *name);

#endif /* SCAN_SCAN_H */
