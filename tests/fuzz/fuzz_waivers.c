/*
 * fuzz_waivers.c - libFuzzer harness for waiver files (policy/waiver.c,
 * verify --waivers).
 *
 * The input is a waiver file, handed to asmgate_waivers_load by the path
 * of an in-memory file (memfd_create; /proc/self/fd/N), with a fixed
 * date so expiry is deterministic. On success every waiver is read back
 * (pattern, reason and file non-empty, a line inside the input, expiry
 * a date) and matched against a few subject names, with and without an
 * image; the verdict of a failing outcome with each waiver must be
 * waived or failed, never passed. On failure the error record is
 * checked. Any broken invariant traps.
 *
 * Built by tests/fuzz/run-fuzz.sh and, for corpus replay, with
 * tests/fuzz/replay.c. Seeds: tests/fuzz/corpus/waivers.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "asmgate.h"
#include "fuzz.h"

static unsigned long
count_lines(const uint8_t *d, size_t n)
{
	unsigned long l = 1;
	size_t i;

	for (i = 0; i < n; i++)
		if (d[i] == '\n')
			l++;
	return l;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "a.dll", "lib/net48/A.dll",
		"x.nupkg!lib/a.dll", "app.msi!Aim.Orders.dll", "" };
	asmgate_verdict_rules rules;
	asmgate_signature sig;
	asmgate_waivers *w = NULL;
	asmgate_error err;
	asmgate_status st;
	char path[64];
	size_t i, k, n;
	int fd;

	fd = memfd_create("waivers", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (size && write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	asmgate_error_clear(&err);
	st = asmgate_waivers_load(&w, path, "2026-06-01", &err);
	close(fd);
	if (st != ASMGATE_OK) {
		CHECK(w == NULL);
		fuzz_check_error(st, &err, 0);
		CHECK(err.line <= count_lines(data, size));
		return 0;
	}
	memset(&rules, 0, sizeof(rules));
	memset(&sig, 0, sizeof(sig));
	sig.state = ASMGATE_SN_UNSIGNED; /* fails without a policy */
	n = asmgate_waivers_count(w);
	for (i = 0; i < n; i++) {
		const asmgate_waiver *v = asmgate_waivers_get(w, i);
		asmgate_verdict vd;

		CHECK(v != NULL);
		CHECK(v->pattern && v->pattern[0] != '\0');
		CHECK(v->reason && v->reason[0] != '\0');
		CHECK(v->file && strcmp(v->file, path) == 0);
		CHECK(v->line >= 1 && v->line <= count_lines(data, size));
		touch(v->pattern, strlen(v->pattern));
		touch(v->reason, strlen(v->reason));
		if (v->expires) {
			CHECK(strlen(v->expires) == 10);
			CHECK(v->expired == (strcmp("2026-06-01",
			    v->expires) > 0));
		} else {
			CHECK(!v->expired);
		}
		vd = asmgate_verdict_of(&rules, &sig, NULL, NULL, v);
		CHECK(vd == (v->expired ? ASMGATE_VERDICT_FAIL :
		    ASMGATE_VERDICT_WAIVED));
		/* nothing verified is never waived */
		CHECK(asmgate_verdict_of(&rules, NULL, NULL, NULL, v) ==
		    ASMGATE_VERDICT_FAIL);
	}
	CHECK(asmgate_waivers_get(w, n) == NULL);
	for (k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		long m = asmgate_waivers_match(w, names[k], NULL);
		CHECK(m >= -1 && m < (long)n);
		if (m >= 0)
			CHECK(!asmgate_waivers_get(w, (size_t)m)->expired);
	}
	asmgate_waivers_free(w);
	return 0;
}
