/*
 * helpers.h - shared fixtures for the cmocka unit tests.
 *
 * SAMPLES_DIR is passed by the Makefile. Tests read samples through
 * these helpers and build malformed variants in memory.
 */
#ifndef TESTS_HELPERS_H
#define TESTS_HELPERS_H

/* mkdtemp (POSIX 2008); every test includes this header first. */
#if !defined(_POSIX_C_SOURCE) && !defined(_DEFAULT_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#ifndef SAMPLES_DIR
#error "SAMPLES_DIR must be defined"
#endif

/* Read SAMPLES_DIR/rel into a malloc'd buffer; fails the test if it
 * cannot. */
static inline uint8_t *
th_load(const char *rel, size_t *len)
{
	char path[1024];
	FILE *f;
	uint8_t *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s", SAMPLES_DIR, rel);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open sample %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(n > 0 ? (size_t)n : 1);
	assert_non_null(buf);
	if (n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n)
		fail_msg("cannot read sample %s", path);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* Full path of a sample in a static buffer. */
static inline const char *
th_path(const char *rel)
{
	static char path[1024];
	snprintf(path, sizeof(path), "%s/%s", SAMPLES_DIR, rel);
	return path;
}

static inline void
th_put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline void
th_put_u16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline uint32_t
th_get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

/* A scratch directory for a test group (cmocka group setup/teardown),
 * under $TMPDIR, removed with everything in it. Short, so paths built in
 * it fit the tests' buffers; setup fails if $TMPDIR is too long. */
static char th_tmpdir[64];

static inline int
th_setup_tmp(void **state)
{
	const char *t = getenv("TMPDIR");

	(void)state;
	if ((size_t)snprintf(th_tmpdir, sizeof(th_tmpdir),
	    "%s/asmgate-test.XXXXXX", t && *t ? t : "/tmp") >=
	    sizeof(th_tmpdir))
		return -1;
	return mkdtemp(th_tmpdir) ? 0 : -1;
}

static inline int
th_teardown_tmp(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", th_tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

#endif /* TESTS_HELPERS_H */
