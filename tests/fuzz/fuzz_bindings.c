/*
 * fuzz_bindings.c - libFuzzer harness for the binding-file reader (bind/)
 * and the hardened XML loader it shares with policies (UTF-16 to UTF-8,
 * guards, long-file line numbers).
 *
 * Loads the input with asmgate_bindings_load_memory. On success it reads
 * every bound identity back (name, display, element, file and line
 * non-empty; a host, when set, without a placeholder), lints the layout
 * and renders asmgate_bindings_show as text and JSON, checking lengths
 * and NUL terminators. On failure it checks the error record: a status
 * name, one line of message, and a line inside the input. Any broken
 * invariant traps.
 *
 * Built by tests/fuzz/run-fuzz.sh and, for corpus replay, with
 * tests/fuzz/replay.c. Seeds: samples/bindings and samples/bindings/bad
 * (tests/fuzz/corpus/bindings.seeds).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "asmgate.h"
#include "fuzz.h"

static void
check_output(asmgate_status st, uint8_t *out, size_t len)
{
	CHECK(st == ASMGATE_OK);
	CHECK(out != NULL);
	CHECK(out[len] == 0);
	CHECK(strlen((const char *)out) == len);
	touch(out, len);
	asmgate_free(out);
}

static void
walk(const asmgate_bindings *b, unsigned long lines)
{
	const asmgate_bindings *const *bb = &b;
	asmgate_bindings_finding *f = NULL;
	asmgate_error err;
	asmgate_status st;
	uint8_t *out = NULL;
	size_t i, n, len = 0;

	n = asmgate_bindings_count(b);
	for (i = 0; i < n; i++) {
		const asmgate_bound *x = asmgate_bindings_get(b, i);
		CHECK(x != NULL);
		CHECK(x->name && x->name[0] != '\0');
		CHECK(x->display && x->element && x->file);
		CHECK(x->line >= 1 && x->line <= lines);
		touch(x->display, strlen(x->display));
		touch(x->element, strlen(x->element));
		if (x->host) {
			CHECK(x->host[0] != '\0');
			CHECK(strstr(x->host, "${") == NULL);
			CHECK(strstr(x->host, "$(") == NULL);
		}
		CHECK(strcmp(asmgate_role_name(x->role), "option") != 0);
	}
	CHECK(asmgate_bindings_get(b, n) == NULL);
	asmgate_error_clear(&err);
	CHECK(asmgate_bindings_lint(bb, 1, NULL, &f, &n, &err) == ASMGATE_OK);
	for (i = 0; i < n; i++) {
		CHECK(f[i].code != NULL);
		CHECK(memchr(f[i].msg, 0, sizeof(f[i].msg)) != NULL);
		CHECK(f[i].line <= lines);
	}
	asmgate_free(f);
	st = asmgate_bindings_show(bb, 1, ASMGATE_REPORT_TEXT, &out, &len,
	    &err);
	check_output(st, out, len);
	st = asmgate_bindings_show(bb, 1, ASMGATE_REPORT_JSON, &out, &len,
	    &err);
	check_output(st, out, len);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	asmgate_bindings *b = NULL;
	asmgate_error err;
	asmgate_status st;
	unsigned long lines = 1;
	size_t i;

	/* Lines as UTF-8 or UTF-16 count them: every 0x0A byte, an upper
	 * bound for both. */
	for (i = 0; i < size; i++)
		if (data[i] == '\n')
			lines++;
	asmgate_error_clear(&err);
	st = asmgate_bindings_load_memory(&b, data, size, "fuzz.xml", &err);
	if (st == ASMGATE_OK) {
		CHECK(b != NULL);
		walk(b, lines);
		asmgate_bindings_free(b);
		return 0;
	}
	CHECK(b == NULL);
	fuzz_check_error(st, &err, 0);
	CHECK(err.line <= lines);
	touch(err.msg, strlen(err.msg));
	return 0;
}
