/*
 * test_scan.c - the pipeline of subjects (scan/): order, origin, stats,
 * error and skipped subjects, jobs, images from owned and borrowed
 * memory, members by name.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "asmgate.h"
#include "helpers.h"

#define MAX_SEEN 256

/* What one scan handed back, in order. */
typedef struct seen {
	size_t n;
	char name[MAX_SEEN][512];
	asmgate_subject_kind kind[MAX_SEEN];
	int state[MAX_SEEN];       /* sn state, -1 when not verified */
	size_t nmembers[MAX_SEEN];
	asmgate_status code[MAX_SEEN];
	asmgate_scan_stats stats;
} seen;

/* Exclude patterns of the next scan_paths (none by default). */
static const char *const *g_excl;
static size_t g_nexcl;

static void
scan_paths(const char *const *paths, size_t npaths, unsigned jobs,
    int release, seen *out)
{
	asmgate_scan_options o;
	asmgate_scan *s = NULL;
	asmgate_subject *subj;
	asmgate_error err;
	size_t i;

	memset(out, 0, sizeof(*out));
	assert_int_equal(asmgate_scan_options_init(&o,
	    ASMGATE_SCAN_OPTIONS_VERSION), ASMGATE_OK);
	o.jobs = jobs;
	o.release_images = release;
	o.exclude = g_excl;
	o.nexclude = g_nexcl;
	asmgate_error_clear(&err);
	assert_int_equal(asmgate_scan_new(&s, &o, &err), ASMGATE_OK);
	for (i = 0; i < npaths; i++)
		assert_int_equal(asmgate_scan_add_path(s, paths[i], &err),
		    ASMGATE_OK);
	for (;;) {
		const asmgate_signature *sig;
		const asmgate_error *e;

		assert_int_equal(asmgate_scan_next(s, &subj, &err), ASMGATE_OK);
		if (!subj)
			break;
		assert_true(out->n < MAX_SEEN);
		snprintf(out->name[out->n], sizeof(out->name[0]), "%s",
		    asmgate_subject_name(subj));
		out->kind[out->n] = asmgate_subject_get_kind(subj);
		sig = asmgate_subject_signature(subj);
		out->state[out->n] = sig ? (int)sig->state : -1;
		out->nmembers[out->n] = asmgate_subject_origin(subj)->nmembers;
		e = asmgate_subject_error(subj);
		out->code[out->n] = e ? e->code : ASMGATE_OK;
		/* An image is there unless released. */
		if (out->kind[out->n] == ASMGATE_SUBJECT_ASSEMBLY)
			assert_true((asmgate_subject_image(subj) != NULL) ==
			    !release);
		out->n++;
		asmgate_subject_free(subj);
	}
	out->stats = *asmgate_scan_get_stats(s);
	asmgate_scan_free(s);
}

static long
find(const seen *sn, const char *suffix)
{
	size_t i, b = strlen(suffix);

	for (i = 0; i < sn->n; i++) {
		size_t a = strlen(sn->name[i]);
		if (a >= b && strcmp(sn->name[i] + a - b, suffix) == 0)
			return (long)i;
	}
	return -1;
}

/* Members come out depth first, named CONTAINER!MEMBER, with their chain
 * and the right state; non-assemblies are counted, not listed. */
static void
test_scan__members_in_order(void **state)
{
	const char *paths[2];
	char p0[1024], p1[1024];
	static seen sn;
	long i;

	(void)state;
	snprintf(p0, sizeof(p0), "%s", th_path("zip/mixed.zip"));
	snprintf(p1, sizeof(p1), "%s", th_path("valid/hello.exe"));
	paths[0] = p0;
	paths[1] = p1;
	scan_paths(paths, 2, 1, 1, &sn);
	assert_int_equal(sn.n, 5);
	assert_non_null(strstr(sn.name[0], "mixed.zip!bin/Contoso.Orchestrations.dll"));
	assert_non_null(strstr(sn.name[1], "mixed.zip!bin/Delay.dll"));
	assert_non_null(strstr(sn.name[2], "mixed.zip!bin/native.dll"));
	assert_non_null(strstr(sn.name[3],
	    "mixed.zip!pkgs/Tampered.nupkg!lib/net48/Tampered.dll"));
	assert_string_equal(sn.name[4], p1);
	assert_int_equal(sn.state[0], ASMGATE_SN_SIGNED);
	assert_int_equal(sn.state[1], ASMGATE_SN_DELAY_SIGNED);
	assert_int_equal(sn.kind[2], ASMGATE_SUBJECT_SKIPPED);
	assert_int_equal(sn.state[3], ASMGATE_SN_INVALID);
	assert_int_equal(sn.nmembers[3], 2);
	assert_int_equal(sn.nmembers[4], 0);
	assert_int_equal(sn.stats.containers, 2);
	assert_int_equal(sn.stats.members, 6);
	assert_int_equal(sn.stats.members_ignored, 1);
	assert_int_equal(sn.stats.files, 2);
	assert_true(sn.stats.inflated_bytes > 0);
	i = find(&sn, "native.dll");
	assert_true(i == 2);
}

/* Exclude patterns: members by name or last part, walk entries by
 * relative path or name, never a named path; all counted. */
static void
test_scan__exclude(void **state)
{
	static const char *const pats[] = { "*.nupkg", "native.dll",
	    "hello.exe", "sig*-2048.dll" };
	const char *paths[3];
	char p0[1024], p1[1024], p2[1024];
	static seen sn;

	(void)state;
	snprintf(p0, sizeof(p0), "%s", th_path("zip/mixed.zip"));
	snprintf(p1, sizeof(p1), "%s", th_path("valid/hello.exe"));
	snprintf(p2, sizeof(p2), "%s", th_path("valid"));
	paths[0] = p0;
	paths[1] = p1;
	paths[2] = p2;
	g_excl = pats;
	g_nexcl = 4;
	scan_paths(paths, 3, 2, 1, &sn);
	g_excl = NULL;
	g_nexcl = 0;
	/* mixed.zip: Contoso, Delay (native.dll and the nupkg excluded);
	 * the named hello.exe; valid/ without hello.exe, signed-2048.dll. */
	assert_int_equal(sn.n, 3 + 5);
	assert_non_null(strstr(sn.name[0], "mixed.zip!bin/Contoso"));
	assert_non_null(strstr(sn.name[1], "mixed.zip!bin/Delay.dll"));
	assert_string_equal(sn.name[2], p1);
	assert_int_equal(find(&sn, "native.dll"), -1);
	assert_int_equal(find(&sn, "valid/hello.exe"), 2);
	assert_int_equal(find(&sn, "signed-2048.dll"), -1);
	assert_int_equal(sn.stats.excluded, 4);
	assert_int_equal(sn.stats.containers, 1);
}

/* The same subjects in the same order with any number of jobs, images
 * kept or released. */
static void
test_scan__jobs_same_order(void **state)
{
	const char *paths[3];
	char p0[1024], p1[1024], p2[1024];
	static seen a, b, c;
	size_t i;

	(void)state;
	snprintf(p0, sizeof(p0), "%s", th_path("zip"));
	snprintf(p1, sizeof(p1), "%s", th_path("valid"));
	snprintf(p2, sizeof(p2), "%s", th_path("zip/outer.zip"));
	paths[0] = p0;
	paths[1] = p1;
	paths[2] = p2;
	scan_paths(paths, 3, 1, 1, &a);
	scan_paths(paths, 3, 4, 1, &b);
	scan_paths(paths, 3, 3, 0, &c);
	assert_true(a.n > 20);
	assert_int_equal(a.n, b.n);
	assert_int_equal(a.n, c.n);
	for (i = 0; i < a.n; i++) {
		assert_string_equal(a.name[i], b.name[i]);
		assert_string_equal(a.name[i], c.name[i]);
		assert_int_equal(a.kind[i], b.kind[i]);
		assert_int_equal(a.state[i], c.state[i]);
		assert_int_equal(a.code[i], b.code[i]);
	}
	assert_memory_equal(&a.stats, &b.stats, sizeof(a.stats));
	assert_memory_equal(&a.stats, &c.stats, sizeof(a.stats));
}

/* Paths that cannot be read, links to directories and FIFOs in a walk
 * are subjects, never dropped; hostile containers are errors with the
 * right code, and the depth cap holds. */
static void
test_scan__errors_and_skips_are_subjects(void **state)
{
	const char *paths[5];
	char dir[256], link[300], fifo[300], missing[300], bomb[1024];
	static seen sn;
	long i;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/walk", th_tmpdir);
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(link, sizeof(link), "%s/up", dir);
	assert_int_equal(symlink("..", link), 0);
	snprintf(fifo, sizeof(fifo), "%s/pipe.dll", dir);
	assert_int_equal(mkfifo(fifo, 0644), 0);
	snprintf(missing, sizeof(missing), "%s/no-such.dll", th_tmpdir);
	snprintf(bomb, sizeof(bomb), "%s", th_path("zip/depth-bomb.zip"));
	paths[0] = dir;
	paths[1] = missing;
	paths[2] = bomb;
	scan_paths(paths, 3, 2, 1, &sn);
	assert_int_equal(sn.n, 4);
	assert_int_equal(sn.kind[0], ASMGATE_SUBJECT_SKIPPED);
	assert_non_null(strstr(sn.name[0], "pipe.dll"));
	assert_int_equal(sn.kind[1], ASMGATE_SUBJECT_SKIPPED);
	assert_non_null(strstr(sn.name[1], "/up"));
	assert_int_equal(sn.kind[2], ASMGATE_SUBJECT_ERROR);
	assert_int_equal(sn.code[2], ASMGATE_E_IO);
	i = find(&sn, "level2.zip!level3.zip!level4.zip!level5.zip");
	assert_int_equal(i, 3);
	assert_int_equal(sn.kind[3], ASMGATE_SUBJECT_ERROR);
	assert_int_equal(sn.code[3], ASMGATE_E_LIMIT);
	assert_int_equal(sn.nmembers[3], 4);
	unlink(fifo);
	unlink(link);
	rmdir(dir);
}

static void
test_scan__options_versioned(void **state)
{
	asmgate_scan_options o;
	asmgate_verify_options v;
	asmgate_sign_options so;
	asmgate_scan *s = NULL;
	asmgate_error err;

	(void)state;
	assert_int_equal(asmgate_scan_options_init(&o, 99), ASMGATE_E_USAGE);
	assert_int_equal(asmgate_verify_options_init(&v, 0), ASMGATE_E_USAGE);
	assert_int_equal(asmgate_sign_options_init(&so, 3), ASMGATE_E_USAGE);
	/* Version 2 of both added members; version 1 is still taken. */
	assert_int_equal(asmgate_sign_options_init(&so, 1), ASMGATE_OK);
	assert_int_equal(so.version, 1u);
	assert_int_equal(asmgate_verify_options_init(&v, 1), ASMGATE_OK);
	assert_int_equal(v.version, 1u);
	assert_int_equal(asmgate_verify_options_init(&v, 3), ASMGATE_E_USAGE);
	assert_int_equal(asmgate_scan_options_init(&o,
	    ASMGATE_SCAN_OPTIONS_VERSION), ASMGATE_OK);
	o.version = 0;
	asmgate_error_clear(&err);
	assert_int_equal(asmgate_scan_new(&s, &o, &err), ASMGATE_E_USAGE);
	assert_null(s);
	o.version = ASMGATE_SCAN_OPTIONS_VERSION;
	o.jobs = 1000;
	assert_int_equal(asmgate_scan_new(&s, &o, &err), ASMGATE_E_USAGE);
	assert_null(s);
	o.jobs = 1;
	o.nexclude = ASMGATE_SCAN_MAX_EXCLUDE + 1;
	assert_int_equal(asmgate_scan_new(&s, &o, &err), ASMGATE_E_USAGE);
	assert_null(s);
	/* Version 1 (no exclude fields) is still accepted. */
	o.version = 1;
	assert_int_equal(asmgate_scan_new(&s, &o, &err), ASMGATE_OK);
	asmgate_scan_free(s);
}

/* Borrowed bytes are snapshotted: changing them after parsing changes
 * neither the identity nor the verification outcome. Owned bytes are
 * the image's own (no copy). */
static void
test_scan__image_memory_ownership(void **state)
{
	asmgate_image *img = NULL, *own = NULL;
	asmgate_signature sig;
	asmgate_error err;
	const asmgate_image_info *ii;
	uint8_t *buf, *copy;
	size_t len, n;
	char name[128];

	(void)state;
	buf = th_load("valid/contoso-orchestrations.dll", &len);
	copy = malloc(len);
	assert_non_null(copy);
	memcpy(copy, buf, len);
	asmgate_error_clear(&err);
	assert_int_equal(asmgate_image_from_memory(&img, buf, len, &err),
	    ASMGATE_OK);
	ii = asmgate_image_get_info(img);
	snprintf(name, sizeof(name), "%s", ii->assembly.name);
	/* Overwrite the borrowed bytes: the metadata and slot were copied. */
	memset(buf, 0xAB, len);
	assert_string_equal(ii->assembly.name, name);
	assert_int_equal(asmgate_verify_image(img, NULL, &sig, &err),
	    ASMGATE_OK);
	/* The hash covers the (changed) file bytes outside the metadata:
	 * the outcome is decided, and never "signed" over changed bytes. */
	assert_int_not_equal(sig.state, ASMGATE_SN_SIGNED);
	asmgate_image_free(img);

	assert_int_equal(asmgate_image_take(&own, copy, len, &err),
	    ASMGATE_OK);
	assert_true(asmgate_image_data(own, &n) == copy);
	assert_int_equal(n, len);
	assert_int_equal(asmgate_verify_image(own, NULL, &sig, &err),
	    ASMGATE_OK);
	assert_int_equal(sig.state, ASMGATE_SN_SIGNED);
	asmgate_image_free(own); /* frees copy */
	/* A failing take still frees the bytes (ASan would see a leak). */
	copy = malloc(16);
	assert_non_null(copy);
	memset(copy, 0, 16);
	assert_int_not_equal(asmgate_image_take(&own, copy, 16, &err),
	    ASMGATE_OK);
	assert_null(own);
	free(buf);
}

/* Members by subject name, nested, and the misses. */
static void
test_scan__open_subject(void **state)
{
	asmgate_image *img = NULL;
	asmgate_error err;
	char name[1200];

	(void)state;
	snprintf(name, sizeof(name), "%s!%s", th_path("zip/outer.zip"),
	    "pkgs/Contoso.nupkg!lib/net48/Contoso.Orchestrations.dll");
	assert_true(asmgate_subject_name_is_member(name));
	asmgate_error_clear(&err);
	assert_int_equal(asmgate_image_open_subject(&img, name, &err),
	    ASMGATE_OK);
	assert_string_equal(asmgate_image_get_info(img)->assembly.name,
	    "Contoso.Orchestrations");
	asmgate_image_free(img);
	img = NULL;
	snprintf(name, sizeof(name), "%s!%s", th_path("zip/outer.zip"),
	    "pkgs/Contoso.nupkg!lib/none.dll");
	assert_int_not_equal(asmgate_image_open_subject(&img, name, &err),
	    ASMGATE_OK);
	assert_null(img);
	assert_false(asmgate_subject_name_is_member(
	    th_path("valid/hello.exe")));
	assert_int_equal(asmgate_image_open_subject(&img,
	    th_path("valid/hello.exe"), &err), ASMGATE_OK);
	asmgate_image_free(img);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scan__members_in_order),
		cmocka_unit_test(test_scan__jobs_same_order),
		cmocka_unit_test(test_scan__exclude),
		cmocka_unit_test_setup_teardown(
		    test_scan__errors_and_skips_are_subjects, th_setup_tmp,
		    th_teardown_tmp),
		cmocka_unit_test(test_scan__options_versioned),
		cmocka_unit_test(test_scan__image_memory_ownership),
		cmocka_unit_test(test_scan__open_subject),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
