/*
 * test_bindadf.c - unit tests of the BizTalk application definition
 * reader (bind/adf.c; the tests are in bind_adf_tests.h so that the
 * bind module's test binary can include them), and application MSIs in
 * the scan (scan/app.c) over samples/biztalk (its README lists every
 * package and what it holds).
 */
#include "helpers.h"

#include "asmgate.h"

#include "bind_adf_tests.h"

/* Scan one path with jobs workers; the subjects' names, resources'
 * denials (or "-") and the run's application count. */
#define APP_MAX 16
typedef struct app_seen {
	size_t n;
	char name[APP_MAX][512];
	char denial[APP_MAX][512];
	char luid[APP_MAX][256];
	int kind[APP_MAX];
	uint64_t applications;
} app_seen;

static void
app_scan(const char *rel, unsigned jobs, app_seen *out)
{
	asmgate_scan_options o;
	asmgate_scan *s = NULL;
	asmgate_subject *subj;
	asmgate_error err;

	memset(out, 0, sizeof(*out));
	assert_int_equal(asmgate_scan_options_init(&o,
	    ASMGATE_SCAN_OPTIONS_VERSION), ASMGATE_OK);
	o.jobs = jobs;
	o.release_images = 1;
	asmgate_error_clear(&err);
	assert_int_equal(asmgate_scan_new(&s, &o, &err), ASMGATE_OK);
	assert_int_equal(asmgate_scan_add_path(s, th_path(rel), &err),
	    ASMGATE_OK);
	for (;;) {
		const asmgate_subject_resource *r;

		assert_int_equal(asmgate_scan_next(s, &subj, &err), ASMGATE_OK);
		if (!subj)
			break;
		assert_true(out->n < APP_MAX);
		r = asmgate_subject_get_resource(subj);
		snprintf(out->name[out->n], sizeof(out->name[0]), "%s",
		    strstr(asmgate_subject_name(subj), "biztalk/"));
		snprintf(out->denial[out->n], sizeof(out->denial[0]), "%s",
		    r && r->denial ? r->denial : "-");
		snprintf(out->luid[out->n], sizeof(out->luid[0]), "%s",
		    r && r->luid ? r->luid : "-");
		out->kind[out->n] = asmgate_subject_get_kind(subj);
		out->n++;
		asmgate_subject_free(subj);
	}
	out->applications = asmgate_scan_get_stats(s)->applications;
	asmgate_scan_free(s);
}

static void
test_app__names_and_resources(void **state)
{
	app_seen a, b;

	(void)state;
	app_scan("biztalk/app.msi", 1, &a);
	assert_int_equal(a.n, 3);
	assert_int_equal(a.applications, 1);
	assert_string_equal(a.name[0],
	    "biztalk/app.msi!Aim.Orders.Orchestrations.dll");
	assert_string_equal(a.name[1], "biztalk/app.msi!Aim.Orders.Maps.dll");
	assert_string_equal(a.name[2], "biztalk/app.msi!Aim.Common.dll");
	assert_string_equal(a.luid[2], "Aim.Common, Version=3.1.0.0, "
	    "Culture=neutral, PublicKeyToken=92cdd74130f40b2c");
	assert_string_equal(a.denial[0], "-");
	assert_string_equal(a.denial[1], "-");
	assert_string_equal(a.denial[2], "-");
	/* The same with workers (members of nested cabinets run on
	 * several threads). */
	app_scan("biztalk/app.msi", 3, &b);
	assert_memory_equal(&a, &b, sizeof(a));
}

static void
test_app__declared_vs_inside(void **state)
{
	app_seen a;

	(void)state;
	app_scan("biztalk/version-lie.msi", 2, &a);
	assert_int_equal(a.n, 3);
	assert_non_null(strstr(a.denial[0], "Version=1.0.0.1"));
	assert_non_null(strstr(a.denial[0], "holds 'Aim.Orders.Orchestrations"
	    ", Version=1.0.0.0, Culture=neutral, "
	    "PublicKeyToken=e0ba8f48cb722cea'"));
	assert_string_equal(a.denial[1], "-");

	app_scan("biztalk/undeclared.msi", 1, &a);
	assert_int_equal(a.n, 2);
	assert_string_equal(a.denial[0], "-");
	assert_non_null(strstr(a.denial[1], "'Aim.Orders.Maps, Version=1.0.0.0"
	    ", Culture=neutral, PublicKeyToken=e0ba8f48cb722cea' is in the "
	    "package but no assembly resource"));
	assert_string_equal(a.luid[1], "-");
	/* Undeclared: the whole chain names it. */
	assert_non_null(strstr(a.name[1], "/ITEM~1.CAB!BizTalkAssembly/"));

	/* The database itself is an error subject, first. */
	app_scan("biztalk/missing-cab.msi", 1, &a);
	assert_int_equal(a.n, 3);
	assert_int_equal(a.kind[0], ASMGATE_SUBJECT_ERROR);
	assert_string_equal(a.name[0], "biztalk/missing-cab.msi");
	assert_int_equal(a.kind[1], ASMGATE_SUBJECT_ASSEMBLY);

	app_scan("biztalk/bindings-only.msi", 1, &a);
	assert_int_equal(a.n, 0);
	assert_int_equal(a.applications, 1);

	/* A bad adf: an error subject, the assemblies by their chain. */
	app_scan("biztalk/malformed/duplicate-luid.msi", 1, &a);
	assert_int_equal(a.applications, 0);
	assert_int_equal(a.kind[0], ASMGATE_SUBJECT_ERROR);
	assert_int_equal(a.n, 4);
	assert_string_equal(a.luid[1], "-");
}

static void
test_app__open_package(void **state)
{
	asmgate_app *app = (asmgate_app *)1;
	asmgate_error err;

	(void)state;
	asmgate_error_clear(&err);
	assert_int_equal(asmgate_app_open_package(&app,
	    th_path("biztalk/app.msi"), &err), ASMGATE_OK);
	assert_non_null(app);
	assert_string_equal(asmgate_app_name(app), "Aim.Orders");
	assert_int_equal(asmgate_app_resource_count(app), 5);
	asmgate_app_free(app);
	/* Not an application: an installer database without an adf, a
	 * plain assembly. */
	assert_int_equal(asmgate_app_open_package(&app,
	    th_path("msi/app.msi"), &err), ASMGATE_OK);
	assert_null(app);
	assert_int_equal(asmgate_app_open_package(&app,
	    th_path("valid/hello.exe"), &err), ASMGATE_OK);
	assert_null(app);
	assert_int_equal(asmgate_app_open_package(&app,
	    th_path("biztalk/malformed/not-xml.msi"), &err),
	    ASMGATE_E_MALFORMED);
	assert_null(app);
}

static void
test_app__package_bindings(void **state)
{
	asmgate_bindings *b = (asmgate_bindings *)1;
	asmgate_error err;
	size_t i, n;
	int orch = 0;

	(void)state;
	asmgate_error_clear(&err);
	assert_int_equal(asmgate_app_package_bindings(&b,
	    th_path("biztalk/app.msi"), "production", &err), ASMGATE_OK);
	assert_non_null(b);
	n = asmgate_bindings_count(b);
	for (i = 0; i < n; i++) {
		const asmgate_bound *x = asmgate_bindings_get(b, i);

		if (x->role != ASMGATE_ROLE_ORCHESTRATION)
			continue;
		orch++;
		assert_string_equal(x->name, "Aim.Orders.Orchestrations");
		assert_string_equal(x->host, "ProcessingHost");
		assert_non_null(strstr(x->file, "app.msi!"));
		assert_non_null(strstr(x->file, "app.msi!ITEM~4.CAB!BizTalkBinding/"
		    "Application-Aim.Orders/BindingInfo.xml"));
	}
	assert_int_equal(orch, 1);
	asmgate_bindings_free(b);
	/* No default binding; not an application; unknown environment. */
	assert_int_equal(asmgate_app_package_bindings(&b,
	    th_path("biztalk/app.msi"), NULL, &err), ASMGATE_OK);
	assert_null(b);
	assert_int_equal(asmgate_app_package_bindings(&b,
	    th_path("msi/app.msi"), "Test", &err), ASMGATE_OK);
	assert_null(b);
	assert_int_equal(asmgate_app_package_bindings(&b,
	    th_path("biztalk/bindings-only.msi"), "Staging", &err),
	    ASMGATE_E_USAGE);
	assert_null(b);
	assert_non_null(strstr(err.msg, "the package has: Test, Production"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bind_adf__sample),
		cmocka_unit_test(test_bind_adf__matches),
		cmocka_unit_test(test_bind_adf__malformed),
		cmocka_unit_test(test_bind_adf__no_name_and_dup_property),
		cmocka_unit_test(test_bind_adf__caps),
		cmocka_unit_test(test_app__names_and_resources),
		cmocka_unit_test(test_app__declared_vs_inside),
		cmocka_unit_test(test_app__open_package),
		cmocka_unit_test(test_app__package_bindings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
