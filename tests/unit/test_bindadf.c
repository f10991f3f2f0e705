/*
 * test_bindadf.c - unit tests of the BizTalk application definition
 * reader (bind/adf.c); the tests are in bind_adf_tests.h so that the
 * bind module's test binary can include them.
 */
#include "helpers.h"

#include "asmgate.h"

#include "bind_adf_tests.h"

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bind_adf__sample),
		cmocka_unit_test(test_bind_adf__matches),
		cmocka_unit_test(test_bind_adf__malformed),
		cmocka_unit_test(test_bind_adf__no_name_and_dup_property),
		cmocka_unit_test(test_bind_adf__caps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
