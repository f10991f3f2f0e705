/*
 * fuzz_policy.c - libFuzzer harness for the policy reader.
 *
 * Loads the input as a policy with asmgate_policy_load_memory; key files
 * resolve against a directory that does not exist, so only publicKey and
 * token keys can succeed and nothing outside the input is read. On
 * success it reads every host, test key and warning back, renders the
 * policy with asmgate_policy_show (text and JSON) and as the rule list
 * of an empty SARIF and JUnit report, and checks their lengths and NUL
 * terminators. On failure it checks the error record: a status name, a
 * message, and a line inside the input. Any broken invariant traps,
 * which libFuzzer reports as a crash.
 *
 * Built by tests/fuzz/run-fuzz.sh (clang, -fsanitize=fuzzer) and, for
 * corpus replay under gcc, with tests/fuzz/replay.c. Seeds: the policies
 * in samples/policy (tests/fuzz/corpus/policy.seeds), good and bad.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "asmgate.h"
#include "fuzz.h"

#define NO_KEYS_DIR "/nonexistent/asmgate-fuzz-keys"

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
walk(const asmgate_policy *pol)
{
	static const asmgate_report_format fmts[] = { ASMGATE_REPORT_JUNIT,
		ASMGATE_REPORT_SARIF };
	asmgate_report *r = NULL;
	asmgate_error err;
	asmgate_status st;
	uint8_t *out = NULL;
	size_t i, n, len = 0;

	n = asmgate_policy_host_count(pol);
	for (i = 0; i < n; i++) {
		const char *name = asmgate_policy_host_name(pol, i);
		long found;
		CHECK(name != NULL && name[0] != '\0');
		touch(name, strlen(name));
		found = asmgate_policy_find_host(pol, name);
		CHECK(found == (long)i); /* names are unique */
		CHECK(asmgate_policy_host_audit(pol, i) == 0 ||
		    asmgate_policy_host_audit(pol, i) == 1);
	}
	CHECK(asmgate_policy_host_name(pol, n) == NULL);
	n = asmgate_policy_test_key_count(pol);
	for (i = 0; i < n; i++) {
		const asmgate_key *k = asmgate_policy_test_key(pol, i);
		CHECK(k != NULL);
		CHECK(asmgate_key_get_info(k)->blob != NULL);
	}
	n = asmgate_policy_warning_count(pol);
	for (i = 0; i < n; i++) {
		const asmgate_policy_warning *w =
		    asmgate_policy_get_warning(pol, i);
		CHECK(w != NULL && w->code != NULL);
		CHECK(memchr(w->msg, 0, sizeof(w->msg)) != NULL);
		CHECK(i == 0 || w->line >= asmgate_policy_get_warning(pol,
		    i - 1)->line);
	}
	asmgate_error_clear(&err);
	st = asmgate_policy_show(pol, ASMGATE_REPORT_TEXT, &out, &len, &err);
	check_output(st, out, len);
	st = asmgate_policy_show(pol, ASMGATE_REPORT_JSON, &out, &len, &err);
	check_output(st, out, len);
	for (i = 0; i < 2; i++) {
		CHECK(asmgate_report_new(&r, fmts[i], pol, &err) == ASMGATE_OK);
		st = asmgate_report_finish(r, &out, &len, &err);
		check_output(st, out, len);
		asmgate_report_free(r);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	asmgate_policy *pol = NULL;
	asmgate_error err;
	asmgate_status st;
	unsigned long lines = 1;
	size_t i;

	asmgate_error_clear(&err);
	st = asmgate_policy_load_memory(&pol, data, size, NO_KEYS_DIR, &err);
	if (st == ASMGATE_OK) {
		CHECK(pol != NULL);
		walk(pol);
		asmgate_policy_free(pol);
		return 0;
	}
	CHECK(pol == NULL);
	fuzz_check_error(st, &err, 0);
	for (i = 0; i < size; i++)
		if (data[i] == '\n')
			lines++;
	CHECK(err.line <= lines);
	touch(err.msg, strlen(err.msg));
	return 0;
}
