/*
 * fuzz_adf.c - libFuzzer harness for the BizTalk application definition
 * reader (bind/adf.c) on the hardened XML loader it shares with
 * policies and binding files.
 *
 * Loads the input with asmgate_app_load_memory. On success it reads the
 * application back: a DisplayName, references, every resource (type,
 * luid and cabinet non-empty, a cabinet with no folder, files with a
 * path, the line inside the input, Luids distinct, counts under the
 * caps; an assembly resource has an identity). On failure it checks the
 * error record. Any broken invariant traps. Seeds: tests/fuzz/corpus/adf
 * (the samples/biztalk adf and variants).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "asmgate.h"
#include "fuzz.h"
#include "rd/limits.h"

static void
walk(const asmgate_app *app, unsigned long lines)
{
	size_t i, k, n = asmgate_app_resource_count(app);

	CHECK(asmgate_app_name(app) && asmgate_app_name(app)[0]);
	CHECK(n <= RD_MAX_ADF_RESOURCES);
	CHECK(asmgate_app_reference_count(app) <= RD_MAX_ADF_REFERENCES);
	for (i = 0; i < asmgate_app_reference_count(app); i++)
		CHECK(asmgate_app_reference(app, i) &&
		    asmgate_app_reference(app, i)[0]);
	CHECK(asmgate_app_resource_get(app, n) == NULL);
	for (i = 0; i < n; i++) {
		const asmgate_app_resource *r = asmgate_app_resource_get(app, i);

		CHECK(r && r->type[0] && r->luid[0] && r->cabinet[0]);
		CHECK(!strchr(r->cabinet, '/') && !strchr(r->cabinet, '\\'));
		CHECK(r->line >= 1 && r->line <= lines);
		CHECK(r->nfiles <= RD_MAX_ADF_FILES);
		for (k = 0; k < r->nfiles; k++)
			CHECK(r->files[k].relative_path &&
			    r->files[k].relative_path[0]);
		if (r->kind == ASMGATE_APP_BIZTALK_ASSEMBLY ||
		    r->kind == ASMGATE_APP_ASSEMBLY)
			CHECK(r->has_identity && r->name && r->name[0]);
		for (k = 0; k < i; k++)
			CHECK(strcmp(asmgate_app_resource_get(app, k)->luid,
			    r->luid) != 0);
		touch(r->luid, strlen(r->luid));
		CHECK(strlen(asmgate_app_kind_name(r->kind)) > 0);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	asmgate_app *app = NULL;
	asmgate_error err;
	asmgate_status st;
	unsigned long lines = 1;
	size_t i;

	for (i = 0; i < size; i++)
		if (data[i] == '\n')
			lines++;
	asmgate_error_clear(&err);
	st = asmgate_app_load_memory(&app, data, size, "fuzz.adf", &err);
	if (st == ASMGATE_OK) {
		CHECK(app != NULL);
		walk(app, lines);
		asmgate_app_free(app);
		return 0;
	}
	CHECK(app == NULL);
	fuzz_check_error(st, &err, 0);
	CHECK(err.line <= lines);
	touch(err.msg, strlen(err.msg));
	return 0;
}
