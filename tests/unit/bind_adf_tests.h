/*
 * bind_adf_tests.h - unit tests of the application definition reader
 * (bind/adf.c), included by the bind module's test binary.
 *
 * Expected values: the good adf's text written by
 * samples/biztalk/make-biztalk-samples.py (its README lists it), the
 * assemblies' identities from monodis --assembly and the tokens of
 * samples/keys/README.md; the malformed documents are built here.
 */
#include "bind/adf.h"
#include "rd/limits.h"

#define ADF_HEAD "<?xml version=\"1.0\"?>\n" \
	"<ApplicationDefinition xmlns=\"http://Microsoft.BizTalk." \
	"ApplicationDeployment/ApplicationDefinition.xsd\">\n" \
	"<Properties><Property Name=\"DisplayName\" Value=\"A\"/>" \
	"</Properties>\n<Resources>\n"
#define ADF_ASM(luid, cab) "<Resource Type=\"System.BizTalk:Assembly\" " \
	"Luid=\"" luid "\"><Properties><Property Name=\"ShortCabinetName\" " \
	"Value=\"" cab "\"/></Properties></Resource>\n"
#define ADF_TAIL "</Resources>\n</ApplicationDefinition>\n"
#define ADF_ID1 "X, Version=1.0.0.0, Culture=neutral, " \
	"PublicKeyToken=e0ba8f48cb722cea"
#define ADF_ID2 "Y, Version=2.0.0.0, Culture=neutral, " \
	"PublicKeyToken=null"

static asmgate_status
adf_load_s(const char *s, asmgate_app **app, asmgate_error *err)
{
	asmgate_error_clear(err);
	return asmgate_app_load_memory(app, s, strlen(s), "t.adf", err);
}

static void
test_bind_adf__sample(void **state)
{
	static const uint8_t orch_token[8] = { 0xe0, 0xba, 0x8f, 0x48, 0xcb,
	    0x72, 0x2c, 0xea };
	static const uint8_t fab_token[8] = { 0x92, 0xcd, 0xd7, 0x41, 0x30,
	    0xf4, 0x0b, 0x2c };
	asmgate_app *app = NULL;
	asmgate_error err;
	const asmgate_app_resource *r;
	size_t len;
	uint8_t *d = th_load("biztalk/ApplicationDefinition.adf", &len);

	(void)state;
	/* UTF-16 LE with a byte order mark, as exports are. */
	assert_int_equal(d[0], 0xFF);
	assert_int_equal(d[1], 0xFE);
	asmgate_error_clear(&err);
	assert_int_equal(asmgate_app_load_memory(&app, d, len, "a.adf", &err),
	    ASMGATE_OK);
	assert_string_equal(asmgate_app_name(app), "Aim.Orders");
	assert_string_equal(asmgate_app_version(app), "1.0.0.0");
	assert_string_equal(asmgate_app_guid(app),
	    "{6C1F3A52-8D0B-4E47-9A61-2F5B7C9D0E13}");
	assert_int_equal(asmgate_app_reference_count(app), 1);
	assert_string_equal(asmgate_app_reference(app, 0), "BizTalk.System");
	assert_null(asmgate_app_reference(app, 1));
	assert_int_equal(asmgate_app_resource_count(app), 5);

	r = asmgate_app_resource_get(app, 0);
	assert_int_equal(r->kind, ASMGATE_APP_BIZTALK_ASSEMBLY);
	assert_string_equal(r->type, "System.BizTalk:BizTalkAssembly");
	assert_string_equal(r->cabinet, "ITEM~0.CAB");
	assert_string_equal(r->destination,
	    "%BTAD_InstallDir%\\Aim.Orders.Orchestrations.dll");
	assert_null(r->environment);
	assert_true(r->has_identity);
	assert_string_equal(r->name, "Aim.Orders.Orchestrations");
	assert_int_equal(r->version.major, 1);
	assert_int_equal(r->version.revision, 0);
	assert_string_equal(r->culture, "");
	assert_true(r->has_token);
	assert_memory_equal(r->token, orch_token, 8);
	assert_int_equal(r->nfiles, 1);
	assert_string_equal(r->files[0].relative_path,
	    "Aim.Orders.Orchestrations.dll");
	assert_string_equal(r->files[0].key, "Assembly");
	assert_int_equal(r->line, 11);

	r = asmgate_app_resource_get(app, 2);
	assert_int_equal(r->kind, ASMGATE_APP_ASSEMBLY);
	assert_string_equal(r->name, "Aim.Common");
	assert_int_equal(r->version.major, 3);
	assert_int_equal(r->version.minor, 1);
	assert_memory_equal(r->token, fab_token, 8);
	assert_string_equal(r->cabinet, "ITEM~2.CAB");

	r = asmgate_app_resource_get(app, 3);
	assert_int_equal(r->kind, ASMGATE_APP_BINDING);
	assert_false(r->has_identity);
	assert_string_equal(r->environment, "Test");
	assert_string_equal(r->luid, "Application/Aim.Orders/Test");
	assert_string_equal(r->files[0].relative_path, "BindingInfo.xml");
	assert_string_equal(r->files[0].key, "Binding");
	assert_string_equal(asmgate_app_resource_get(app, 4)->environment,
	    "Production");
	assert_null(asmgate_app_resource_get(app, 5));
	assert_string_equal(asmgate_app_kind_name(ASMGATE_APP_BINDING),
	    "binding");

	/* Cabinets by the last component of a member path. */
	assert_int_equal(bind_adf_find_cabinet(app,
	    "ProgramFiles/G/Aim.Orders/x/item~3.cab"), 3);
	assert_int_equal(bind_adf_find_cabinet(app, "ITEM~9.CAB"), -1);
	assert_true(bind_adf_is_definition("a/b/applicationdefinition.ADF"));
	assert_false(bind_adf_is_definition("a/ApplicationDefinition.adf/x"));
	asmgate_app_free(app);
	free(d);
}

static void
test_bind_adf__matches(void **state)
{
	static const uint8_t t1[8] = { 0xe0, 0xba, 0x8f, 0x48, 0xcb, 0x72,
	    0x2c, 0xea };
	asmgate_version v1 = { 1, 0, 0, 0 }, v2 = { 1, 0, 0, 1 };
	asmgate_app *app = NULL;
	asmgate_error err;
	const asmgate_app_resource *r;
	char buf[256];

	(void)state;
	assert_int_equal(adf_load_s(ADF_HEAD ADF_ASM(ADF_ID1, "ITEM~0.CAB")
	    ADF_ASM(ADF_ID2, "ITEM~1.CAB") ADF_ASM("Z, Version=1.0.0.0",
	    "ITEM~2.CAB") ADF_TAIL, &app, &err), ASMGATE_OK);
	r = asmgate_app_resource_get(app, 0);
	assert_true(bind_adf_matches(r, "x", &v1, "", t1));
	assert_false(bind_adf_matches(r, "X", &v2, "", t1));
	assert_false(bind_adf_matches(r, "X", &v1, "fr-FR", t1));
	assert_false(bind_adf_matches(r, "X", &v1, "", NULL));
	assert_false(bind_adf_matches(r, "W", &v1, "", t1));
	bind_adf_identity(r, buf, sizeof(buf));
	assert_string_equal(buf, ADF_ID1);
	/* PublicKeyToken=null: only an assembly without a key. */
	r = asmgate_app_resource_get(app, 1);
	v1.major = 2;
	assert_true(bind_adf_matches(r, "Y", &v1, NULL, NULL));
	assert_false(bind_adf_matches(r, "Y", &v1, NULL, t1));
	/* A full name without culture and token vouches for nothing. */
	r = asmgate_app_resource_get(app, 2);
	v1.major = 1;
	assert_false(bind_adf_matches(r, "Z", &v1, "", NULL));
	bind_adf_identity(r, buf, sizeof(buf));
	assert_string_equal(buf, "Z, Version=1.0.0.0, Culture=?, "
	    "PublicKeyToken=?");
	asmgate_app_free(app);
}

/* One bad document: status and line. */
static void
adf_bad(const char *doc, asmgate_status want, unsigned long line,
    const char *msg_part)
{
	asmgate_app *app = (asmgate_app *)1;
	asmgate_error err;

	assert_int_equal(adf_load_s(doc, &app, &err), want);
	if (want == ASMGATE_OK) {
		assert_non_null(app);
		asmgate_app_free(app);
		return;
	}
	assert_null(app);
	if (line)
		assert_int_equal(err.line, line);
	if (msg_part && !strstr(err.msg, msg_part)) {
		print_error("message '%s' lacks '%s'\n", err.msg, msg_part);
		fail();
	}
}

static void
test_bind_adf__malformed(void **state)
{
	(void)state;
	adf_bad("BTAD this is not XML", ASMGATE_E_MALFORMED, 0, NULL);
	adf_bad("<?xml version=\"1.0\"?>\n<!DOCTYPE ApplicationDefinition "
	    "[<!ENTITY x \"x\">]>\n<ApplicationDefinition/>",
	    ASMGATE_E_MALFORMED, 2, NULL);
	adf_bad(ADF_HEAD ADF_ASM(ADF_ID1, "ITEM~0.CAB") ADF_ASM(ADF_ID1,
	    "ITEM~1.CAB") ADF_TAIL, ASMGATE_E_MALFORMED, 6,
	    "duplicate Luid");
	adf_bad(ADF_HEAD "<Resource Type=\"System.BizTalk:Assembly\" Luid=\""
	    ADF_ID1 "\"/>\n" ADF_TAIL, ASMGATE_E_MALFORMED, 5,
	    "without ShortCabinetName");
	adf_bad(ADF_HEAD ADF_ASM(ADF_ID1, "..\\\\x.cab") ADF_TAIL,
	    ASMGATE_E_MALFORMED, 5, "not a file name");
	adf_bad(ADF_HEAD "<Resource Luid=\"a\"/>\n" ADF_TAIL,
	    ASMGATE_E_MALFORMED, 5, "without Type");
	adf_bad(ADF_HEAD ADF_ASM("X, Version=1.x", "ITEM~0.CAB") ADF_TAIL,
	    ASMGATE_E_MALFORMED, 5, "Luid");
	adf_bad("<ApplicationDefinition><Properties><Property Name="
	    "\"DisplayName\" Value=\"A\"/></Properties>"
	    "</ApplicationDefinition>", ASMGATE_E_MALFORMED, 1,
	    "namespace");
	adf_bad("<BindingInfo/>", ASMGATE_E_MALFORMED, 1, "root element");
	adf_bad(ADF_HEAD ADF_TAIL "<!-- -->", ASMGATE_OK, 0, NULL);
}

static void
test_bind_adf__no_name_and_dup_property(void **state)
{
	(void)state;
	adf_bad("<ApplicationDefinition xmlns=\"" BIND_ADF_NS "\"/>",
	    ASMGATE_E_MALFORMED, 1, "DisplayName");
	adf_bad(ADF_HEAD "<Resource Type=\"T\" Luid=\"L\"><Properties>\n"
	    "<Property Name=\"ShortCabinetName\" Value=\"A.CAB\"/>\n"
	    "<Property Name=\"ShortCabinetName\" Value=\"B.CAB\"/>\n"
	    "</Properties></Resource>" ADF_TAIL, ASMGATE_E_MALFORMED, 7,
	    "given twice");
}

static void
test_bind_adf__caps(void **state)
{
	size_t cap = RD_MAX_ADF_RESOURCES + 1, i, len = 0;
	size_t size = strlen(ADF_HEAD) + strlen(ADF_TAIL) + 1 + cap * 160;
	char *d = malloc(size > RD_MAX_ADF_BYTES + 2 ? size :
	    RD_MAX_ADF_BYTES + 2);
	asmgate_app *app = NULL;
	asmgate_error err;

	(void)state;
	assert_non_null(d);
	/* One resource more than the cap. */
	len = (size_t)snprintf(d, size, "%s", ADF_HEAD);
	for (i = 0; i < cap; i++)
		len += (size_t)snprintf(d + len, size - len,
		    "<Resource Type=\"T\" Luid=\"L%zu\"><Properties><Property "
		    "Name=\"ShortCabinetName\" Value=\"C\"/></Properties>"
		    "</Resource>\n", i);
	len += (size_t)snprintf(d + len, size - len, "%s", ADF_TAIL);
	asmgate_error_clear(&err);
	assert_int_equal(asmgate_app_load_memory(&app, d, len, "t", &err),
	    ASMGATE_E_LIMIT);
	assert_int_equal(err.line, 5 + RD_MAX_ADF_RESOURCES);
	/* At the cap it loads. */
	len = (size_t)snprintf(d, size, "%s", ADF_HEAD);
	for (i = 0; i < cap - 1; i++)
		len += (size_t)snprintf(d + len, size - len,
		    "<Resource Type=\"T\" Luid=\"L%zu\"><Properties><Property "
		    "Name=\"ShortCabinetName\" Value=\"C\"/></Properties>"
		    "</Resource>\n", i);
	len += (size_t)snprintf(d + len, size - len, "%s", ADF_TAIL);
	assert_int_equal(asmgate_app_load_memory(&app, d, len, "t", &err),
	    ASMGATE_OK);
	assert_int_equal(asmgate_app_resource_count(app),
	    RD_MAX_ADF_RESOURCES);
	asmgate_app_free(app);
	/* One byte above the size cap, before any parsing. */
	memset(d, ' ', RD_MAX_ADF_BYTES + 1);
	assert_int_equal(asmgate_app_load_memory(&app, d,
	    RD_MAX_ADF_BYTES + 1, "t", &err), ASMGATE_E_LIMIT);
	assert_null(app);
	free(d);
}
